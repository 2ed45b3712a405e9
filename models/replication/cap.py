"""CAP: one register replicated on three nodes, a network partition, and the choice it forces: refuse (CP) or answer stale (AP).

Sources: the seed's CAP section ("Distributed Systems Questions", section 1: "When a network
partition occurs, you must choose: CP: reject requests to maintain consistency (sacrifice
availability); AP: serve potentially stale data to remain available (sacrifice consistency)");
Gilbert and Lynch, "Brewer's conjecture and the feasibility of consistent, available,
partition-tolerant web services" (2002), whose proof is this model's AP counterexample; the
register protocol is Attiya, Bar-Noy and Dolev's majority replication (ABD, 1995), in its
multi-writer form (Lynch and Shvartsman, 1997).

The protocol. Replicas n0 .. n(N-1) (`--nodes`, 3 or 5) each hold a copy of one register with a
version (a count, and the writer's id to break ties). The first `clients` replicas each serve a
client on the same host (a partition never separates a client from its replica), which makes `ops`
requests one after the other: n0 writes first, n1 reads first, n2 writes first, and each then
alternates (its `write` or `read` timer). n1's k-th request writes 10 + k: every value is unique.
A request takes two rounds, each complete once a majority (N // 2 + 1, the replica itself
counting) has answered:
- query: ask every other replica for its version and value;
- store: a write stores its value with a version one count above the newest heard; a read writes
  back the newest value it heard, unless every answer carried it (a majority holds it already: the
  read answers at once). A replica keeps the newer of its copy and what it is sent, and acks.
A round that cannot complete ends at the replica's `timeout`, which fires once no message can still
arrive on its side of the partition (`when-quiet`: a timeout longer than any message delay, so a
replica that reaches a majority never times out). What the replica does then is the mode:
- CP (`--mode cp`, the default): in the query round it refuses (the client sees a failure; nothing
  was stored anywhere, so the request certainly did not happen). In the store round it cannot
  refuse, its value may already be stored on a replica, so it never times out there: the request
  stays open (indeterminate, as a client's timeout leaves it) until the partition heals.
- AP (`--mode ap`): it answers from what it has: a read the newest value it heard (its own copy,
  when cut off), a write stored in its own copy and sent to the others in the background, to land
  when the partition heals (the newer version wins, ties to the higher writer id: last writer wins).
The modes differ only at the timeout. AP tries a majority first, rather than answering every request
from its own copy at once: then without a partition AP is linearizable too (`--mode ap --faults
none` exits 0, 1,925 states), and the counterexample shows what the theorem says, that the
partition forces the choice.

Abstractions: no clock; no retransmission (a lost message ends its round at the timeout); a client
waits for each answer before its next request. Faults (--faults): partition (the default budget,
partition=1; it may fall anywhere and may never heal), drop, duplicate, pause, skew. A drop, a paused
peer or an early timeout (skew) makes a replica that reaches a majority time out, and CP then refuses
on the majority side too (`majority_side_available` fails, in 6 to 8 steps): availability needs
messages that arrive and timeouts that wait for them. Duplicates are harmless (83,969 states).

Properties. `linearizable`: the client history fits one order that respects real time
(specs/consistency/recorded.py). `majority_side_available` (liveness): whenever a request is open on
the majority side of a partition, eventually every client on that side is idle with its last request
answered, not refused, unless the partition has healed by then. A refusal is no answer (the seed's
"every request receives a response (success or failure)" would call a system that refuses everything
available); and availability is a liveness property, since a replica that waits forever breaks no
finite prefix. Fairness: messages that can arrive do, timers fire, clients make their requests, but
the heal is unfair: a partition may last forever, and availability must hold even then (Gilbert and
Lynch). `all_sides_available` (only with `--property all_sides_available`): no request is refused,
on either side, an invariant so that CP's counterexample ends at the refusal (3 steps); AP keeps it.
(It does not see a CP request left open in the store round: the refusal is CP's point.)
Witnesses: a replica cut off from a majority refuses its request (CP) or answers it from its own
copy (AP); a write is answered on the majority side after a replica on the other side timed out;
after the heal, a replica that was cut off holds a write it missed (answered before it timed out);
a read returns a written value. Figures: at the defaults (CP, 3 replicas, 2 clients, 1 request each,
partition=1) every property holds, 10,701 states (about 2 s of CPU); `--mode ap`: NOT linearizable in
6 steps: n0, cut off, stores 1 in its own copy and answers, then n1's read on the majority side
returns 0. Larger configurations grow fast (every order of the messages left in flight and of the
history is a state): `--clients 3` and `--ops 2` pass 900,000 states even with no fault (unfinished after
8 minutes); `--nodes 5 --clients 1`: 2,988.

Known bug (--bug refuse-after-store): CP refuses at a timeout in the store round too. The refused
write may already be stored: n0's write reaches n1, n1 reads it, the partition holds n1's ack, and
n0 refuses the write (9 steps): a read returned a value never written. A refusal must be certain.

State fields. Replica: `version` and `value` (its copy), `made` (requests its client has made),
`request` (the one in progress: its op; the value written, or for a read the newest value heard; the
newest version heard, or in the store round the version stored; the round; the replicas `heard` from
in this round, itself included; whether every answer `agree`d on the newest version), `cut_off`
(history: the request number and the version it held at its last timeout, cut off from a majority).
"""
from typing import Any, ClassVar

import attrs

from checker import always, leads_to, option, record, sometimes
from checker.actors.actor import Actor, Event, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.errors import OptionError
from checker.properties import Property
from specs.consistency.objects import Register
from specs.consistency.recorded import history_invariant

REGISTER = Register(initial=0)
QUERY, STORE = "query", "store"
CP, AP = "cp", "ap"


@record
class Version:
    """A register version: `count` writes deep, by `writer` (None for the initial value); newer is larger."""

    count: int
    writer: Any

    def __show__(self) -> str:
        return f"v{self.count}" + (f".{self.writer}" if self.writer is not None else "")


INITIAL = Version(0, None)


@record
class Query:
    """Request `req` of the sender's client, query round: what version and value do you hold?"""

    req: int

    def __show__(self) -> str:
        return f"query #{self.req}"


@record
class Reply:
    """Answer to query `req`: the replica's version and value."""

    req: int
    version: Version
    value: Any

    def __show__(self) -> str:
        return f"#{self.req}: {self.value} ({self.version.__show__()})"


@record
class Store:
    """Store round of request `req` (or an AP write sent in the background): keep this value if it is newer."""

    req: int
    version: Version
    value: Any

    def __show__(self) -> str:
        return f"store #{self.req}: {self.value} ({self.version.__show__()})"


@record
class Stored:
    """Ack of the store round of request `req`."""

    req: int

    def __show__(self) -> str:
        return f"stored #{self.req}"


@record
class Request:
    """A client request in progress (see the module docstring for each field)."""

    op: str
    value: Any
    version: Version
    round: str
    heard: frozenset
    agree: bool

    def __show__(self) -> str:
        heard = " ".join(map(str, sorted(self.heard)))
        return f"{self.op} {self.value} ({self.version.__show__()}), {self.round} round, heard {heard}"


@record
class Replica:
    """A replica and its client's progress (see the module docstring)."""

    version: Version
    value: Any
    made: int
    request: Any
    cut_off: Any


class RegisterReplica(Actor):
    """A replica: answers queries and stores, and runs its own client's requests in two majority rounds."""

    role = "replica"

    def __init__(self, model: "Cap", client: bool):
        """The replica count, the mode, the client's request bound, from the model."""
        self.ids, self.majority, self.mode = [NodeId(i) for i in range(model.nodes)], model.nodes // 2 + 1, model.mode
        self.ops = model.ops if client else 0
        self.refuse_late = model.has_bug("refuse-after-store")

    def peers(self, me: NodeId) -> list[NodeId]:
        """The other replicas."""
        return [n for n in self.ids if n != me]

    def on_start(self, me: NodeId, out: Out) -> Replica:
        """The initial value 0; a client about to make its first request."""
        s = Replica(version=INITIAL, value=0, made=0, request=None, cut_off=None)
        return self._next(me, s, out)

    def obsolete(self, me: NodeId, s: Replica, src: NodeId, msg: Any) -> bool:
        """An answer for a request or round this replica has left, or from a replica already heard in it."""
        if not isinstance(msg, (Reply, Stored)):
            return False
        r = s.request
        if msg.req < s.made or r is None:
            return True
        if isinstance(msg, Reply):
            return r.round == STORE or src in r.heard
        return r.round == STORE and src in r.heard

    def on_timer(self, me: NodeId, s: Replica, timer: str, out: Out) -> Replica:
        """`read` or `write` starts a request; `timeout` ends a round that cannot reach a majority."""
        if timer == "timeout":
            return self._timeout(me, s, out)
        made = s.made + 1
        value = 10 * me + made if timer == "write" else s.value
        out.invoke(timer, value if timer == "write" else None)
        out.broadcast(self.peers(me), Query(made))
        out.set_timer("timeout")
        return s.evolve(made=made, request=Request(timer, value, s.version, QUERY, frozenset({me}), True))

    def on_message(self, me: NodeId, s: Replica, src: NodeId, msg: Any, out: Out) -> Replica:
        """Answer a query, keep a newer stored value and ack it, or count an answer to this replica's own round."""
        if isinstance(msg, Query):
            out.send(src, Reply(msg.req, s.version, s.value))
            return s
        if isinstance(msg, Store):
            out.send(src, Stored(msg.req))
            return _kept(s, msg.version, msg.value)
        r = s.request
        if r is None or msg.req != s.made or src in r.heard or r.round != (QUERY if isinstance(msg, Reply) else STORE):
            return s
        r = r.evolve(heard=r.heard | {src})
        if isinstance(msg, Reply):
            newer = msg.version > r.version
            r = r.evolve(agree=r.agree and msg.version == r.version, version=max(msg.version, r.version),
                         value=msg.value if newer and r.op == "read" else r.value)
        if len(r.heard) < self.majority:
            return s.evolve(request=r)
        return self._queried(me, s, r, out) if r.round == QUERY else self._answer(me, s, r, out)

    def _queried(self, me: NodeId, s: Replica, r: Request, out: Out) -> Replica:
        """A majority answered the query: a read they agree on is answered; otherwise the store round starts."""
        if r.op == "read" and r.agree:
            return self._answer(me, s, r, out)
        version = Version(r.version.count + 1, me) if r.op == "write" else r.version
        out.broadcast(self.peers(me), Store(s.made, version, r.value))
        if self.mode == CP and not self.refuse_late:
            out.cancel_timer("timeout")  # its value may be stored from now on: CP can no longer refuse
        return _kept(s, version, r.value).evolve(request=r.evolve(version=version, round=STORE, heard=frozenset({me})))

    def _timeout(self, me: NodeId, s: Replica, out: Out) -> Replica:
        """Cut off from a majority: CP refuses; AP answers from what it has (a write stored here and sent on)."""
        r = s.request
        s = s.evolve(cut_off=(s.made, s.version))
        if self.mode == CP:
            out.fail(r.op, r.value if r.op == "write" else None)
            return self._next(me, s.evolve(request=None), out)
        if r.op == "write" and r.round == QUERY:
            version = Version(r.version.count + 1, me)
            out.broadcast(self.peers(me), Store(s.made, version, r.value))
            s = _kept(s, version, r.value)
        return self._answer(me, s, r, out)

    def _answer(self, me: NodeId, s: Replica, r: Request, out: Out) -> Replica:
        """Answer the client (a write's ok, a read's value), then let it make its next request."""
        out.respond(r.op, r.value)
        out.cancel_timer("timeout")
        return self._next(me, s.evolve(request=None), out)

    def _next(self, me: NodeId, s: Replica, out: Out) -> Replica:
        """Arm the client's next request, if it has one left."""
        if s.made < self.ops:
            out.set_timer(next_op(me, s.made))
        return s


def next_op(client: int, made: int) -> str:
    """Client n0 writes first, n1 reads first, n2 writes first ..., and each then alternates."""
    return "write" if (client + made) % 2 == 0 else "read"


def _kept(s: Replica, version: Version, value: Any) -> Replica:
    """The replica with the newer of its copy and (version, value)."""
    return s.evolve(version=version, value=value) if version > s.version else s


@attrs.frozen
class Cap(ActorModel):
    """CAP: one register replicated on three nodes, a network partition, and the choice it forces: refuse (CP) or answer stale (AP)."""

    name: ClassVar[str] = "cap"
    bugs: ClassVar[dict[str, str]] = {
        "refuse-after-store": "CP refuses in the store round too, when its value may already be stored (breaks linearizable)",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {"read": "anytime", "write": "anytime", "timeout": "when-quiet"}
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"partition", "drop", "duplicate", "pause", "skew"})
    fairness: ClassVar[dict[str, str]] = {"heal": "unfair"}  # a partition may last forever
    check_deadlock: ClassVar[bool] = False  # clients that are done rest
    mode: str = option(CP, choices=(CP, AP), help="cp: refuse a request that cannot reach a majority (stays linearizable); "
                                                  "ap: answer it from the replica's own copy (stays available)")
    nodes: int = option(3, help="number of replicas (odd: 3 or 5)", min=3, max=5)
    clients: int = option(2, help="replicas n0, n1, ... that serve a client of their own (every witness needs two)", min=1, max=5)
    ops: int = option(1, help="requests each client makes (n0 writes first, n1 reads first, ...; each then alternates)",
                      min=1, max=3)
    faults: FaultBudget = option(FaultBudget(partition=1), help="fault budget, as partition=1 (the default); "
                                                                "also drop, duplicate, pause, skew")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check cap --swarm`: one client making two requests, no fault, five replicas, the defaults, duplicates
        (cheapest first; drops, pauses and early timeouts break availability on the majority side, so none is here)."""
        return [dict(clients=1, ops=2), dict(faults="none"), dict(nodes=5, clients=1), dict(),
                dict(faults="partition=1,duplicate=1")]

    def __attrs_post_init__(self) -> None:
        """Refuse an even replica count (no majority on either side of an even split) and more clients than replicas."""
        if self.nodes % 2 == 0:
            raise OptionError("nodes", f"must be odd, 3 or 5 (got {self.nodes})")
        if self.clients > self.nodes:
            raise OptionError("clients", f"must be at most the number of replicas, {self.nodes} (got {self.clients})")
        super().__attrs_post_init__()

    def actors(self) -> list[Actor]:
        """The replicas, the first `clients` of them with a client."""
        return [RegisterReplica(self, i < self.clients) for i in range(self.nodes)]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """Replicas without a client are interchangeable (clients are not: their ids break version ties)."""
        return [list(self.ids[self.clients:])]

    def properties(self) -> tuple[Property, ...]:
        """The declared properties; the cut-off witness is the mode's (CP refuses, AP answers)."""
        other = "minority_answered" if self.mode == CP else "minority_refused"
        return tuple(p for p in super().properties() if p.name != other)

    # --- reading states ----------------------------------------------------------------------------

    @property
    def client_ids(self) -> tuple[NodeId, ...]:
        """The replicas with a client."""
        return self.ids[:self.clients]

    def reaches_majority(self, s: System, node: NodeId) -> bool:
        """The node can exchange messages with a majority of the replicas (itself included)."""
        return sum(s.reachable(node, other) for other in self.ids) > self.nodes // 2

    def last_refused(self, s: System, node: NodeId) -> bool:
        """The node's client's last request ended in a refusal."""
        return next((e.kind == "fail" for e in reversed(s.history) if e.node == node and e.kind != "invoke"), False)

    def served(self, s: System, nodes: Any) -> bool:
        """Every one of `nodes` is idle, its last request answered, not refused."""
        return all(s.nodes[n].request is None and not self.last_refused(s, n) for n in nodes)

    def sides(self, s: System) -> str:
        """The partition as `n0 | n1 n2`, or `none`."""
        other = [n for n in self.ids if n not in s.side]
        return f"{' '.join(map(str, sorted(s.side)))} | {' '.join(map(str, other))}" if s.side else "none"

    def last_event(self, s: System) -> Event | None:
        """The newest entry of the client history."""
        return s.history[-1] if s.history else None

    # --- properties ------------------------------------------------------------------------------

    linearizable = history_invariant(REGISTER)

    @leads_to
    def majority_side_available(self, s: System) -> tuple[bool, bool]:
        """A request open on the majority side of a partition is answered, not refused, while the partition lasts."""
        majority = [n for n in self.client_ids if self.reaches_majority(s, n)]
        waiting = bool(s.side) and any(s.nodes[n].request is not None for n in majority)
        return waiting, not s.side or self.served(s, majority)

    @majority_side_available.explain
    def _why_unavailable(self, s: System) -> str:
        """Which majority-side client is not served, and the partition."""
        stuck = [n for n in self.client_ids if self.reaches_majority(s, n) and not self.served(s, [n])]
        what = [f"{n} {'was refused' if s.nodes[n].request is None else 'waits'}" for n in stuck]
        return f"on the majority side of the partition {self.sides(s)}, {' and '.join(what)}, and the partition never heals"

    @always(by_default=False)  # CP's design breaks it: checked only when named
    def all_sides_available(self, s: System) -> bool:
        """No request is refused, on either side of a partition (CP's design breaks it: only with --property)."""
        return not any(e.kind == "fail" for e in s.history)

    @all_sides_available.explain
    def _why_refused(self, s: System) -> str:
        """The refused request and where its replica stood."""
        e = next(e for e in s.history if e.kind == "fail")
        where = "cannot" if not self.reaches_majority(s, e.node) else "can"
        return (f"{e.node}'s {e.op}{f' of {e.value}' if e.op == 'write' else ''} was refused: {e.node} {where} reach a "
                f"majority (partition {self.sides(s)}); CP gives up availability to stay consistent")

    @sometimes(needs="partition")
    def minority_refused(self, s: System) -> bool:
        """CP: a replica cut off from a majority refuses its client's request."""
        e = self.last_event(s)
        return e is not None and e.kind == "fail" and not self.reaches_majority(s, e.node)

    @sometimes(needs="partition")
    def minority_answered(self, s: System) -> bool:
        """AP: a replica cut off from a majority answers its client from its own copy."""
        e = self.last_event(s)
        return e is not None and e.kind == "return" and not self.reaches_majority(s, e.node)

    @sometimes(needs="partition")
    def write_during_partition(self, s: System) -> bool:
        """A write is answered on the majority side after a replica on the other side timed out, cut off by the partition."""
        e = self.last_event(s)
        if not s.side or e is None or e.kind != "return" or e.op != "write" or not self.reaches_majority(s, e.node):
            return False
        return any(s.nodes[n].cut_off is not None and not s.reachable(n, e.node) for n in self.ids)

    @sometimes(needs="partition")
    def minority_caught_up(self, s: System) -> bool:
        """After the heal, a replica that was cut off holds a write it missed: one answered before it timed out."""
        healed = not s.side and s.budget[FaultBudget.KINDS.index("partition")] < self.faults.partition
        return healed and any(self._caught_up(s, n) for n in self.ids)

    def _caught_up(self, s: System, node: NodeId) -> bool:
        """The node timed out holding an older version than it holds now, whose write was answered before that timeout."""
        replica = s.nodes[node]
        if replica.cut_off is None or replica.version <= replica.cut_off[1]:
            return False
        number, invokes = replica.cut_off[0], 0
        for e in s.history:  # was the write it holds answered before its request `number` ended (at the timeout)?
            if e.kind == "return" and e.op == "write" and e.value == replica.value and e.node != node:
                return True
            invokes += e.node == node and e.kind == "invoke"
            if e.node == node and e.kind != "invoke" and invokes == number:
                return False
        return False

    @sometimes
    def read_sees_write(self, s: System) -> bool:
        """A read returns a written value."""
        e = self.last_event(s)
        return e is not None and e.kind == "return" and e.op == "read" and e.value != 0
