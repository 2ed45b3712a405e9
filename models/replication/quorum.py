"""Leaderless quorum replication of one register (Dynamo's N, R, W) and its linearizable form, ABD.

Sources: Attiya, Bar-Noy, Dolev, "Sharing Memory Robustly in Message-Passing Systems" (JACM 1995),
in its multi-writer form (Lynch and Shvartsman, FTCS 1997; Cachin, Guerraoui, Rodrigues,
"Introduction to Reliable and Secure Distributed Programming", 2011, section 4.3); DeCandia et al.,
"Dynamo: Amazon's Highly Available Key-value Store" (SOSP 2007), sections 4.5 (R + W > N) and 4.7
(read repair); the seed document's replication patterns (leaderless quorums, consistency levels).

The protocol. Replicas n0 .. n(N-1) each hold a copy of the register: a value and the stamp of the
write that put it there. Clients come after them (`writers` writers, then `readers` readers). There
is no leader: a client sends each request to the replicas and goes on with the first R answers to a
query, or W to a store.
- write(v): query R replicas for their stamps, take the highest, and store v under a higher stamp
  (its counter + 1, the writer's id) at W replicas; return once W have acknowledged. The query is
  what orders the writes of several writers: a single writer could count on its own.
- read: query R replicas for (stamp, value), take the value with the highest stamp, write it back
  (store that stamp and value) at W replicas, and only then return it.
A replica keeps a store only if its stamp is higher than the one it holds, and acknowledges every
store. Stamps order writes by (counter, writer id), so distinct writes never share one.

Why it is linearizable (ABD): with R + W > N any R replicas and any W replicas share one, so a query
sees the stamp of every write and write-back that completed before it began. The write-back orders
the reads: a read returns a value only once W replicas hold it, so every later read sees it too.
Without it a read may return a value that one replica holds while the write is still on its way;
a later read whose query misses that replica returns the older value (a new-old inversion).

What the model abstracts. A client sends each request to all N replicas and uses the first answers;
which replicas answer last is the choice that matters, and a query that arrives after the client
went on changes nothing. So each operation chooses when it is invoked (one timer per choice,
`Invoke(skip=n2)`: ask every replica but n2) which replicas it will not wait for, and asks only the
others. A write stores at the replicas it queried (at all N if those are fewer than W); a read
writes back to the stale replicas it queried, and counts those that reported the newest stamp as
having stored it (a replica's stamp never goes down). The stores a real client also sends to the
rest, arriving late, only bring replicas up to date: the model checks the runs where they are lost.

Options. `--n`, `--r`, `--w` (R and W default to a majority of N); `--read-repair`: `write-back` (ABD,
the default: before the read returns), `async` (Dynamo's read repair: the read returns, then sends
the newest value to the stale replicas it heard from, and nobody waits for them) or `none`. The
scripts: `--writers` and `--writes` (each), `--readers` and `--reads` (each); a client invokes its
operations one after another, each at any moment. Client c's k-th write writes 10*c + k (n3's first:
31); the register starts at 0. The defaults, one writer with one write and one reader with two
reads, are the fewest operations that show both anomalies.

The weak modes, each exit 1 with the anomaly in the last step's client history:
- `--r 1 --w 1` (R + W <= N): the write completes at n2 alone, then the read asks n1 and returns 0
  (8 steps);
- `--read-repair none` or `async`: the write's store has reached n1 only; the first read asks n1 and
  n2 and returns 31, the second asks n0 and n2 and returns 0 (16 steps). Async repair does not help:
  the repair to n2 is still in flight when the second read asks.

Faults (--faults): crash and restart of any node, message loss and duplication, partitions, pause.
A replica keeps its copy on disk. A client keeps on disk how many operations it invoked and whether
one was open; a crash leaves that one open (it may or may not take effect, as a Jepsen client's
timeout), and a restart records it as indeterminate (Jepsen's `info`) before the script goes on.
The default budget, crash=1, is what a majority quorum claims to survive: a minority of replicas
down (27,564 states; about 6 s on one core). An operation whose quorum includes a crashed replica
waits for ever (here its choice is made up front): availability suffers, not safety. A crash
without a restart, or a loss, adds no history that a bag network's delays do not already allow (a
message may stay in flight for ever), so the crash witness below may show the crash at any point of
its run, even last; restarts and duplicates do add histories.

Properties. `linearizable` (specs/consistency/recorded.py): the clients' reads and writes fit one
order that respects real time. Witnesses: a read returns the value of a write that has not returned
yet (12 steps); a read's repair brings a stale replica up to date (12); every client finishes its
script, with quorums that did without a replica which is down and never stored a write (20). A
witness these options cannot reach is left out (see `Quorum._unreachable`).

State fields. Replica: `stamp` and `value` (its copy, on disk), `repaired` (history: a read's repair
brought it up to date). Client: `issued` (operations invoked so far, the open one included) and
`phase` (idle, query, store, done), both on disk; `heard` (the replicas that answered in this phase; a
read's store phase starts with those already up to date), `stamp` and `value` (the highest stamp
heard and its value; a writer's value is the one it writes; in the store phase, what it stores),
`current` (the replicas that reported that stamp).
"""
import itertools
from typing import Any, ClassVar

import attrs

from checker import option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.errors import OptionError
from checker.properties import Property
from specs.consistency.objects import Register
from specs.consistency.recorded import history_invariant

REGISTER = Register(initial=0)
IDLE, QUERY, STORE, DONE = "idle", "query", "store", "done"
REPAIRS = ("write-back", "async", "none")


@record
class Stamp:
    """A write's timestamp, ordered as (counter, writer id): the id breaks ties (the initial value has none)."""

    counter: int
    writer: Any

    def __show__(self) -> str:
        return f"{self.counter}.{self.writer}" if self.writer is not None else "0"


INITIAL = Stamp(0, None)


@record
class Invoke:
    """A client's timer: invoke its next operation, asking every replica but `skip` (one, a tuple of them, or () when
    R = N): the replicas whose answers would come after the first R, which the client does not wait for."""

    skip: Any


@record
class Query:
    """Client -> replica: your stamp and value, for the client's operation number `op`."""

    op: int

    def __show__(self) -> str:
        return f"query #{self.op}"


@record
class Current:
    """Replica -> client: its stamp and value, answering query `op`."""

    op: int
    stamp: Stamp
    value: Any

    def __show__(self) -> str:
        return f"#{self.op}: {self.value} @{self.stamp.__show__()}"


@record
class Store:
    """Client -> replica: keep `value` if `stamp` is newer than yours; `repair` (history) says a read sent it."""

    op: int
    stamp: Stamp
    value: Any
    repair: bool

    def __show__(self) -> str:
        return f"{'repair' if self.repair else 'store'} #{self.op}: {self.value} @{self.stamp.__show__()}"


@record
class Stored:
    """Replica -> client: store `op` done (or not needed: the replica held a newer stamp)."""

    op: int

    def __show__(self) -> str:
        return f"ack #{self.op}"


@record
class Copy:
    """A replica's copy of the register (see the module docstring)."""

    DURABLE = ("stamp", "value", "repaired")
    stamp: Stamp
    value: Any
    repaired: bool


@record
class Client:
    """A client in the middle of its script (see the module docstring for each field)."""

    DURABLE = ("issued", "phase")
    issued: int
    phase: str
    heard: frozenset
    stamp: Stamp
    value: Any
    current: frozenset


class Replica(Actor):
    """A replica: answers queries with its copy, keeps a store with a newer stamp, acknowledges every store."""

    role = "replica"

    def on_start(self, me: NodeId, out: Out) -> Copy:
        """The initial value, 0, with the initial stamp."""
        return Copy(stamp=INITIAL, value=REGISTER.initial, repaired=False)

    def on_message(self, me: NodeId, s: Copy, src: NodeId, msg: Any, out: Out) -> Copy:
        """Answer a query; keep a newer store, then acknowledge it."""
        if isinstance(msg, Query):
            out.send(src, Current(msg.op, s.stamp, s.value))
            return s
        out.send(src, Stored(msg.op))
        if msg.stamp <= s.stamp:
            return s
        return Copy(stamp=msg.stamp, value=msg.value, repaired=s.repaired or msg.repair)


class QuorumClient(Actor):
    """A writer or a reader: its operations one after another, each a query phase and (but for reads
    without write-back) a store phase."""

    def __init__(self, model: "Quorum", writes: bool):
        """Its script and the quorum sizes, from the model."""
        self.writes, self.ops = writes, model.writes if writes else model.reads
        self.replicas, self.r, self.w, self.repair = tuple(map(NodeId, range(model.n))), model.r, model.w, model.read_repair
        self.role = "writer" if writes else "reader"
        self.repairs = not writes and self.repair != "none"
        self.kind = "write" if writes else "read"
        skips = itertools.combinations(self.replicas, model.n - model.r)
        self.choices = {Invoke(skip[0] if len(skip) == 1 else skip): tuple(x for x in self.replicas if x not in skip)
                        for skip in skips}

    def on_start(self, me: NodeId, out: Out) -> Client:
        """Idle, with its first operation to come."""
        return self._next(Client(issued=0, phase=IDLE, heard=frozenset(), stamp=INITIAL, value=REGISTER.initial,
                                 current=frozenset()), out)

    def on_restart(self, me: NodeId, state: Client, out: Out) -> Client:
        """A fresh process that knows how many operations it invoked and whether one was open: that one is recorded
        as indeterminate (Jepsen's `info`: it may take effect at any time, or never), and the script goes on."""
        if state.phase in (QUERY, STORE):
            out.info(self.kind)
        return self._next(self.crashed(me, state).evolve(phase=IDLE), out)

    def obsolete(self, me: NodeId, s: Client, src: NodeId, msg: Any) -> bool:
        """An answer to a phase it has left, or a second one from the same replica (operation numbers only grow)."""
        wanted = QUERY if isinstance(msg, Current) else STORE
        return msg.op != s.issued or s.phase != wanted or src in s.heard

    def on_timer(self, me: NodeId, s: Client, timer: Invoke, out: Out) -> Client:
        """Invoke the next operation: ask the replicas but those the timer skips (the first R to answer)."""
        for other in self.choices:
            if other != timer:
                out.cancel_timer(other)
        op = s.issued + 1
        if self.writes:
            value = 10 * me + op
            out.invoke("write", value)
        else:
            value = REGISTER.initial
            out.invoke("read")
        out.broadcast(self.choices[timer], Query(op))
        return Client(issued=op, phase=QUERY, heard=frozenset(), stamp=INITIAL, value=value, current=frozenset())

    def on_message(self, me: NodeId, s: Client, src: NodeId, msg: Any, out: Out) -> Client:
        """Count an answer of the current phase; with a quorum, go on to the next phase."""
        if self.obsolete(me, s, src, msg):
            return s
        if isinstance(msg, Stored):
            s = s.evolve(heard=s.heard | {src})
            return self._finish(s, out) if len(s.heard) == self.w else s
        s = self._heard(s, src, msg)
        return self._queried(me, s, out) if len(s.heard) == self.r else s

    def _heard(self, s: Client, src: NodeId, msg: Current) -> Client:
        """The highest stamp so far (a reader: with its value), and, for a read that repairs, who reported it."""
        if msg.stamp > s.stamp:
            s = s.evolve(stamp=msg.stamp, value=s.value if self.writes else msg.value, current=frozenset())
        if msg.stamp == s.stamp and self.repairs:
            s = s.evolve(current=s.current | {src})
        return s.evolve(heard=s.heard | {src})

    def _queried(self, me: NodeId, s: Client, out: Out) -> Client:
        """A write stores its value under a higher stamp; a read writes back what it read (ABD), or returns, and
        with async repair sends it to the stale replicas it heard from (Dynamo)."""
        if self.writes:
            s = s.evolve(stamp=Stamp(s.stamp.counter + 1, me))
        elif self.repair == "async":
            out.broadcast(s.heard - s.current, Store(s.issued, s.stamp, s.value, True))
        if self.writes or self.repair == "write-back" and len(s.current) < self.w:
            targets = s.heard if len(s.heard) >= self.w else frozenset(self.replicas)
            out.broadcast(targets - s.current, Store(s.issued, s.stamp, s.value, not self.writes))
            return s.evolve(phase=STORE, heard=s.current)
        return self._finish(s, out)

    def _finish(self, s: Client, out: Out) -> Client:
        """Return the operation's result, then rest until the next one."""
        out.respond(self.kind, s.value)
        return self._next(s.evolve(phase=IDLE, heard=frozenset(), stamp=INITIAL, value=REGISTER.initial,
                                   current=frozenset()), out)

    def _next(self, s: Client, out: Out) -> Client:
        """Idle with an operation to come (its timer armed), or done."""
        if s.issued < self.ops:
            for timer in self.choices:
                out.set_timer(timer)
            return s
        return s.evolve(phase=DONE)


@attrs.frozen
class Quorum(ActorModel):
    """Leaderless quorum replication of one register (N, R, W, read repair); ABD at the defaults."""

    name: ClassVar[str] = "quorum"
    network_kind: ClassVar[str] = "bag"
    timer_policy: ClassVar[str] = "anytime"  # a client invokes its next operation at any moment
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop", "duplicate", "partition", "pause"})
    check_deadlock: ClassVar[bool] = False  # clients that are done rest; one without a quorum waits (availability)
    n: int = option(3, help="number of replicas (N)", min=1, max=5)
    r: int | None = option(None, type=int, min=1, max=5,
                           help="replicas a query waits for (R) [default: a majority of N]; R + W <= N is not linearizable")
    w: int | None = option(None, type=int, min=1, max=5, help="replicas a store waits for (W) [default: a majority of N]")
    read_repair: str = option("write-back", choices=REPAIRS,
                              help="write-back: a read stores what it read at W replicas before it returns (ABD, "
                                   "linearizable); async: it returns, then sends the value to the stale replicas it heard "
                                   "from (Dynamo); none: no repair")
    writers: int = option(1, help="number of writing clients", min=0, max=2)
    writes: int = option(1, help="writes each writer invokes, one after another", min=1, max=3)
    readers: int = option(1, help="number of reading clients", min=0, max=3)
    reads: int = option(2, help="reads each reader invokes, one after another", min=1, max=3)
    faults: FaultBudget = option(FaultBudget(crash=1),
                                 help="fault budget, as crash=1,restart=1,drop=1 (the default, crash=1: a minority of "
                                      "replicas down)")

    def quorum_systems(self) -> list[Any]:
        """For `--strategy prove`: every read quorum must meet every write quorum (R + W > N)."""
        from checker.prove.quorums import QuorumSystem  # Z3: imported only when a proof is asked for
        return [QuorumSystem("read_write_quorums_intersect", self.n, self.r, self.w, "replica", ("read quorum", "write quorum"))]

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check quorum --swarm`: the linearizable settings (R + W > N, write-back) with other quorums, longer scripts, two
        readers or two writers, restarts, losses, duplicates, partitions and pauses (under a second to about 2 minutes
        each, cheapest first)."""
        return [dict(r=3, w=1, reads=1, faults="none"), dict(r=1, w=3, reads=1, faults="none"), dict(faults="none"),
                dict(writes=2, reads=1, faults="none"), dict(reads=1, faults="crash=1,restart=1"), dict(),
                dict(reads=1, faults="drop=1,duplicate=1"), dict(readers=2, reads=1, faults="none"),
                dict(reads=1, faults="partition=1,pause=1"), dict(writers=2, reads=1, faults="none")]

    def __attrs_post_init__(self) -> None:
        """R and W default to a majority of N; neither may exceed N."""
        for name in ("r", "w"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, self.n // 2 + 1)
        valid_n = type(self.n) is int and 1 <= self.n <= 5  # a bad --n is reported by the options' own check
        for name, waits in (("r", "a query"), ("w", "a store")):
            if valid_n and type(getattr(self, name)) is int and getattr(self, name) > self.n:
                raise OptionError(name, f"must be at most the number of replicas, n={self.n}: {waits} cannot wait for "
                                        f"more replicas than there are (got {getattr(self, name)})")
        super().__attrs_post_init__()

    @property
    def replica_ids(self) -> tuple[NodeId, ...]:
        """The replicas' ids (first)."""
        return self.ids[:self.n]

    @property
    def writer_ids(self) -> tuple[NodeId, ...]:
        """The writers' ids (after the replicas)."""
        return self.ids[self.n:self.n + self.writers]

    @property
    def reader_ids(self) -> tuple[NodeId, ...]:
        """The readers' ids (last)."""
        return self.ids[self.n + self.writers:]

    def actors(self) -> list[Actor]:
        """The replicas, the writers, then the readers."""
        return [*(Replica() for _ in range(self.n)), *(QuorumClient(self, True) for _ in range(self.writers)),
                *(QuorumClient(self, False) for _ in range(self.readers))]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The readers are interchangeable, and so are the replicas while each timer skips at most one (a set of
        them, in a tuple, would not stay sorted when renamed); writers are not: the values they write name them."""
        return [list(self.replica_ids), list(self.reader_ids)] if self.n - self.r <= 1 else [list(self.reader_ids)]

    def properties(self) -> tuple[Property, ...]:
        """The declared properties, less the witnesses these options cannot reach (see `_unreachable`)."""
        unreachable = self._unreachable()
        return tuple(p for p in super().properties() if p.name not in unreachable)

    def _unreachable(self) -> set[str]:
        """A repair needs a write to repair and a read that heard (async) or must store at (write-back) more than one
        replica; reading a write in flight needs a writer and a reader; finishing without a replica, quorums below N."""
        both = self.writers > 0 and self.readers > 0
        repairs = both and (self.read_repair == "write-back" and self.w > 1 or self.read_repair == "async" and self.r > 1)
        reachable = {"read_repaired": repairs, "read_sees_open_write": both,
                     "survives_a_replica_crash": max(self.r, self.w) < self.n}
        return {name for name, can in reachable.items() if not can}

    # --- properties ------------------------------------------------------------------------------

    linearizable = history_invariant(REGISTER)

    @sometimes
    def read_sees_open_write(self, s: System) -> bool:
        """A read returns the value of a write that has not returned yet (the two overlap)."""
        events = s.history
        open_writes = {e.value for e in events if e.op == "write" and e.kind == "invoke"}
        open_writes -= {e.value for e in events if e.op == "write" and e.kind == "return"}
        return any(e.op == "read" and e.kind == "return" and e.value in open_writes for e in events)

    @sometimes
    def read_repaired(self, s: System) -> bool:
        """A read's repair (its write-back) brings a stale replica up to date."""
        return any(s.nodes[r].repaired for r in self.replica_ids)

    @sometimes(needs="crash")
    def survives_a_replica_crash(self, s: System) -> bool:
        """Every client finishes its script while a replica that stored no write is down."""
        clients = self.ids[self.n:]
        lost = s.down and any(r in s.down and s.nodes[r].stamp == INITIAL for r in self.replica_ids)
        return bool(lost) and all(s.nodes[c].phase == DONE for c in clients)
