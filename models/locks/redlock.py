"""Redlock as actors: clients lock a majority of independent Redis servers, then write to the resource the lock protects.

Sources: antirez, "Distributed locks with Redis" (the Redlock page, redis.io); Kleppmann, "How to do
distributed locking" (2016), and antirez's reply "Is Redlock safe?" (2016); the seed document's
`Redlock.Acquire` ("Distributed Systems Questions", section 6: distributed locks).

The protocol. Lock servers n0 .. n(N-1) (default 3), independent Redis instances with no
replication; clients after them; the storage last, the resource the lock protects.
- An attempt (a client's `acquire` timer) asks the servers one after the other, in the same order
  for every client (antirez: "sequentially"; the seed's loop), `SET lock value NX PX ttl` with a
  value unique to the attempt (a random value; here `n3#1`, client n3's first attempt). A server
  stores it only if the key is absent, and answers OK, or nil. A server that does not answer (its
  `timeout`: the short per-instance timeout antirez asks for) is skipped.
- With OK from a majority (N // 2 + 1) the client holds the lock: it believes it may act, does its
  work (`work`) by writing to the storage, and once the write is answered releases the lock with
  the release script: DEL the key only if it still holds this attempt's value. When a majority is
  out of reach the attempt fails and is released the same way, on every server asked that did not
  refuse; the client tries again, up to `attempts` attempts in all. It stops asking at a majority
  (antirez asks all N, which adds messages, not safety).

Time. There is no clock; the order of events stands for it. A server's `lease` timer (the key's
expiry) fires only once no message is in flight to a running node (`when-quiet`: a lease outlives
every message delay) and the attempt that set the key is over: its client crashed, moved on or
finished, or is paused after it started to believe (this model's `timer_waits`
says so). That is Redlock's bounded clock drift: a client's validity (ttl minus the time spent
acquiring minus the drift) ends on its own clock, its `validity` timer (`when-quiet`: it gives up
and releases), before any of its keys expires on a server's. A client paused while acquiring keeps
its keys: Redlock's elapsed-time check would make it give up when it wakes, no less safe. `acquire`
and `work` fire any time. So with no fault a lease never runs out under a working holder, and two
faults break exactly the two timing assumptions: `skew` fires a waiting timer early (a server's
fast clock expires a key within its holder's validity), and `pause` stops a holder after its last
look at the clock (Kleppmann's GC pause): its keys expire, another client locks a majority, and
the paused one still believes it holds the lock.

Faults (--faults): crash and restart of any node (servers persist their keys, as Redis with
`appendfsync always`: antirez requires persistence or a restart delayed past the ttl, and this
model persists; a client keeps only its attempt number, so it never reuses a value; the storage
keeps what it accepted), message loss and duplication, partitions, pause, skew. The default
budget is what Redlock claims to tolerate, crash=1,restart=1,drop=1, and every property holds
(60,342 states, 5 s on one core). The hazards, each exit 1: `--faults skew=1` and `--faults
pause=1` (13 steps each) let two clients believe they hold the lock at once, and the paused one,
once it wakes, writes after the new holder did (`--property resource_safe`: 18 steps);
`--faults partition=1` and `--faults duplicate=1` (19 steps each) let a write held or repeated in
the network land after the lock has moved on. The storage accepts every such write: Redlock gives
it nothing to check, which is what fencing tokens add (`check fencing`).

Properties (specs/locks.py): `exclusive` (at most one client believes it holds the lock) and
`resource_safe` (the storage never accepts a write made under an older grant after one made under
a newer grant; grants are numbered in the order clients came to hold the lock: the `lock` events
of the history). Witnesses: a write is accepted; an attempt fails because a majority refused it;
a client holds the lock on a server where a lease had run out; a server restarts with its key.

Known bugs (--bug):
- seed-acquire: the seed's `Acquire`: every client stores the same value "locked", and a failed
  attempt (like every release) deletes the key on every server with a plain DEL, so a client that
  failed deletes the holder's keys and its retry takes the lock (17 steps; its defaults give each
  client two attempts and no fault, which it does not need). The seed also checks `elapsed < ttl`
  with no allowance for drift and returns no validity time to its caller: magnitudes this model
  does not measure (the skew fault is what a wrong allowance does);
- volatile-keys: servers restart at once with no persistence, so a key a holder counted on is
  gone and another client locks a majority (14 steps, with the default crash and restart).

State fields. Server: `key` (the value stored, or None), `set_by` (history: the attempt whose SET
stored it, kept only when the value does not say, i.e. the seed's "locked"), `expired` (history:
a lease ran out here), `recovered` (history: it restarted with a key read back). Client: `phase`
(idle, acquiring, holding, writing, done), `attempt` (its current or last attempt), `asked` (the
servers asked so far in that attempt, in order), `oks` and `refusals` (those that answered OK, nil).
Storage: `accepted` (the attempts whose writes it accepted, in order).
"""
from typing import Any, ClassVar

import attrs

from checker import always, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.faces.values import show
from checker.properties import Property
from specs.locks import exclusive, resource_safe, stale_writes

IDLE, ACQUIRING, HOLDING, WRITING, DONE = "idle", "acquiring", "holding", "writing", "done"
BELIEVING = (HOLDING, WRITING)
LOCKED = "locked"  # the seed's constant value
DEFAULT_FAULTS = FaultBudget(crash=1, restart=1, drop=1)
BUG_DEFAULTS = {"seed-acquire": {"attempts": 2, "faults": FaultBudget()}}


@record
class Token:
    """A lock value unique to one attempt (Redlock's random value): its client and attempt number."""

    client: NodeId
    attempt: int

    def __show__(self) -> str:
        return f"{self.client}#{self.attempt}"


@record
class Set:
    """Client -> server: SET lock value NX PX ttl; `attempt` pairs the reply with its request."""

    value: Any
    attempt: int

    def __show__(self) -> str:
        return f"SET {show(self.value)} NX" if isinstance(self.value, Token) else f"SET {self.value} NX (#{self.attempt})"


@record
class Reply:
    """Server -> client: OK (stored) or nil (the key was taken), for the client's attempt `attempt`."""

    attempt: int
    ok: bool

    def __show__(self) -> str:
        return f"{'OK' if self.ok else 'nil'} #{self.attempt}"


@record
class Release:
    """Client -> server: the release script (DEL the key only if it holds `value`); value None: the seed's plain DEL."""

    value: Any

    def __show__(self) -> str:
        return "DEL" if self.value is None else f"UNLOCK {show(self.value)}"


@record
class Write:
    """Client -> storage: the work done under the lock of attempt `attempt`."""

    attempt: int

    def __show__(self) -> str:
        return f"write #{self.attempt}"


@record
class Written:
    """Storage -> client: the write of attempt `attempt` is done."""

    attempt: int

    def __show__(self) -> str:
        return f"written #{self.attempt}"


@record
class Server:
    """A lock server (see the module docstring for each field); volatile-keys loses `key` and `set_by` in a crash."""

    DURABLE = ("key", "set_by", "expired", "recovered")
    key: Any
    set_by: Any
    expired: bool
    recovered: bool


@record
class Client:
    """A client (see the module docstring); its attempt number survives a crash."""

    DURABLE = ("attempt",)
    phase: str
    attempt: int
    asked: int
    oks: frozenset
    refusals: frozenset


@record
class Storage:
    """The protected resource: the attempts whose writes it accepted, in order."""

    DURABLE = ("accepted",)
    accepted: tuple


class LockServer(Actor):
    """One Redis instance: SET NX PX, the release script (or a plain DEL), and key expiry."""

    role = "server"

    def __init__(self, volatile: bool):
        """Whether its key is lost in a crash (volatile-keys)."""
        self.volatile = volatile

    def on_start(self, me: NodeId, out: Out) -> Server:
        """No key."""
        return Server(key=None, set_by=None, expired=False, recovered=False)

    def crashed(self, me: NodeId, state: Server) -> Server:
        """What it persisted; without persistence, the key is gone (the history fields stay)."""
        return state.evolve(key=None, set_by=None) if self.volatile else state

    def on_restart(self, me: NodeId, state: Server, out: Out) -> Server:
        """Back with what it persisted; a key read back keeps its expiry running."""
        back = super().on_restart(me, state, out)
        if back.key is None:
            return back
        out.set_timer("lease")
        return back.evolve(recovered=True)

    def on_message(self, me: NodeId, s: Server, src: NodeId, msg: Any, out: Out) -> Server:
        """SET NX answers OK and stores the value only when the key is absent; a release clears it."""
        if isinstance(msg, Set):
            out.send(src, Reply(msg.attempt, s.key is None))
            if s.key is not None:
                return s
            out.set_timer("lease")
            return s.evolve(key=msg.value, set_by=None if isinstance(msg.value, Token) else Token(src, msg.attempt))
        if s.key is None or msg.value is not None and s.key != msg.value:
            return s
        out.cancel_timer("lease")
        return s.evolve(key=None, set_by=None)

    def on_timer(self, me: NodeId, s: Server, timer: str, out: Out) -> Server:
        """The key's ttl has run out."""
        return s.evolve(key=None, set_by=None, expired=True)


class LockClient(Actor):
    """A client running Redlock's acquisition, its work (a write to the storage) and its release."""

    role = "client"

    def __init__(self, model: "Redlock"):
        """The servers, the storage, the majority, the attempt bound and the seed's variant, from the model."""
        self.servers, self.storage = model.server_ids, model.storage_id
        self.majority, self.attempts = model.servers // 2 + 1, model.attempts
        self.seed = model.has_bug("seed-acquire")

    def on_start(self, me: NodeId, out: Out) -> Client:
        """Idle, about to try."""
        out.set_timer("acquire")
        return Client(phase=IDLE, attempt=0, asked=0, oks=frozenset(), refusals=frozenset())

    def on_restart(self, me: NodeId, state: Client, out: Out) -> Client:
        """A fresh process that knows its attempt number: it tries again if it has attempts left."""
        return self._next(self.on_start(me, Out(me)).evolve(attempt=state.attempt), out)

    def obsolete(self, me: NodeId, s: Client, src: NodeId, msg: Any) -> bool:
        """A reply to an attempt or a request it has left behind (attempts only grow, servers are asked in order)."""
        if msg.attempt != s.attempt:
            return True
        if isinstance(msg, Reply):
            return s.phase != ACQUIRING or src != self.servers[s.asked - 1]
        return s.phase != WRITING

    def on_timer(self, me: NodeId, s: Client, timer: str, out: Out) -> Client:
        """`acquire` starts an attempt, `timeout` gives up on a server, `work` writes, `validity` gives up the lock."""
        if timer == "acquire":
            return self._ask(me, s.evolve(phase=ACQUIRING, attempt=s.attempt + 1, asked=0, oks=frozenset(),
                                          refusals=frozenset()), out)
        if timer == "timeout":
            return self._decide(me, s, out)
        if timer == "work":
            out.send(self.storage, Write(s.attempt))
            return s.evolve(phase=WRITING)
        return self._give_up(me, s, out)

    def on_message(self, me: NodeId, s: Client, src: NodeId, msg: Any, out: Out) -> Client:
        """A server's answer (then the next server, or the decision), or the storage's (then the release)."""
        if self.obsolete(me, s, src, msg):
            return s
        if isinstance(msg, Written):
            out.cancel_timer("validity")
            self._release(me, s, out)
            return s.evolve(phase=DONE)
        out.cancel_timer("timeout")
        return self._decide(me, s.evolve(oks=s.oks | {src}) if msg.ok else s.evolve(refusals=s.refusals | {src}), out)

    def _decide(self, me: NodeId, s: Client, out: Out) -> Client:
        """Hold the lock with a majority, fail when a majority is out of reach, else ask the next server."""
        if len(s.oks) >= self.majority:
            out.respond("lock", s.attempt)
            out.set_timer("work")
            out.set_timer("validity")
            return s.evolve(phase=HOLDING)
        if len(s.oks) + len(self.servers) - s.asked < self.majority:
            return self._give_up(me, s, out)
        return self._ask(me, s, out)

    def _ask(self, me: NodeId, s: Client, out: Out) -> Client:
        """SET NX on the next server, with this attempt's value; `timeout` if no answer comes."""
        out.send(self.servers[s.asked], Set(LOCKED if self.seed else Token(me, s.attempt), s.attempt))
        out.set_timer("timeout")
        return s.evolve(asked=s.asked + 1)

    def _give_up(self, me: NodeId, s: Client, out: Out) -> Client:
        """The attempt failed or the validity ran out: release, then retry if it may."""
        for timer in ("timeout", "validity", "work"):
            out.cancel_timer(timer)
        self._release(me, s, out)
        return self._next(s.evolve(phase=IDLE), out)

    def _release(self, me: NodeId, s: Client, out: Out) -> None:
        """The release script on every server asked that did not refuse, or the seed's plain DEL on every server."""
        if self.seed:
            out.broadcast(self.servers, Release(None))
        else:
            out.broadcast(set(self.servers[:s.asked]) - s.refusals, Release(Token(me, s.attempt)))

    def _next(self, s: Client, out: Out) -> Client:
        """Idle with another try to come, or done."""
        if s.attempt < self.attempts:
            out.set_timer("acquire")
            return s.evolve(phase=IDLE)
        return s.evolve(phase=DONE)


class StorageNode(Actor):
    """The protected resource: it accepts every write (Redlock gives it nothing to check)."""

    role = "storage"

    def on_start(self, me: NodeId, out: Out) -> Storage:
        """Nothing written."""
        return Storage(accepted=())

    def on_message(self, me: NodeId, s: Storage, src: NodeId, msg: Write, out: Out) -> Storage:
        """Accept the write and answer it."""
        out.send(src, Written(msg.attempt))
        return s.evolve(accepted=s.accepted + (Token(src, msg.attempt),))


@attrs.frozen
class Redlock(ActorModel):
    """Redlock: clients lock a majority of independent Redis servers, then write to the resource the lock protects."""

    name: ClassVar[str] = "redlock"
    bugs: ClassVar[dict[str, str]] = {
        "seed-acquire": "the seed's Acquire: the constant value \"locked\" and a plain DEL on every server, so a failed "
                        "acquirer deletes the holder's keys (breaks exclusive)",
        "volatile-keys": "servers restart at once without persistence, forgetting the keys a holder counts on (breaks exclusive)",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {"acquire": "anytime", "work": "anytime", "timeout": "when-quiet",
                                                "validity": "when-quiet", "lease": "when-quiet"}
    check_deadlock: ClassVar[bool] = False  # clients that are done rest; a stuck attempt is not a safety matter
    servers: int = option(3, help="number of independent lock servers (a majority of them must be locked)", min=1, max=5)
    clients: int = option(2, help="number of clients competing for the lock", min=1, max=3)
    attempts: int | None = option(None, type=int, min=1, max=3,
                                  help="attempts each client may make (it retries after a failure) [default: 1; 2 for seed-acquire]")
    faults: FaultBudget | None = option(None, type=FaultBudget,
                                        help="fault budget [default: crash=1,restart=1,drop=1; none for seed-acquire, which needs "
                                             "none]; the hazards: skew=1 (a server's clock runs fast), pause=1 (a holder stops)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check redlock --swarm`: 3 or 5 servers, 2 or 3 clients, retries, the faults Redlock claims to tolerate (under
        a second to about 35 s each, cheapest first; skew, pause, partition and duplicate break it, so none is here)."""
        grid = [(3, 2, 1, "none"), (5, 2, 1, "none"), (3, 2, 1, "drop=1"), (3, 3, 1, "none"), (3, 2, 1, "drop=2"),
                (3, 2, 1, "crash=1,restart=1"), (5, 2, 1, "drop=1"), (3, 3, 1, "drop=1"), (3, 2, 1, "crash=1,restart=1,drop=1"),
                (3, 2, 1, "crash=2,restart=2"), (3, 2, 2, "drop=1"), (3, 2, 2, "crash=1,restart=1")]
        return [{"servers": n, "clients": c, "attempts": a, "faults": f} for n, c, a, f in grid]

    def __attrs_post_init__(self) -> None:
        """Resolve the bounds that depend on the bug variant."""
        defaults = {"attempts": 1, "faults": DEFAULT_FAULTS, **BUG_DEFAULTS.get(self.bug or "", {})}
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        super().__attrs_post_init__()

    @property
    def server_ids(self) -> tuple[NodeId, ...]:
        """The lock servers' ids (first)."""
        return tuple(NodeId(i) for i in range(self.servers))

    @property
    def client_ids(self) -> tuple[NodeId, ...]:
        """The clients' ids (after the servers)."""
        return tuple(NodeId(i) for i in range(self.servers, self.servers + self.clients))

    @property
    def storage_id(self) -> NodeId:
        """The storage's id (last)."""
        return NodeId(self.servers + self.clients)

    def actors(self) -> list[Actor]:
        """The servers, the clients, then the storage."""
        volatile = self.has_bug("volatile-keys")
        return [*(LockServer(volatile) for _ in range(self.servers)), *(LockClient(self) for _ in range(self.clients)),
                StorageNode()]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The clients are interchangeable (the servers are not: every client asks them in the same order)."""
        return [list(self.client_ids)]

    def properties(self) -> tuple[Property, ...]:
        """The declared properties; `grant_after_expiry` needs any one fault but a restart, which `needs` cannot say."""
        declared = super().properties()
        if not any(count for kind, count in self.faults.items() if kind != "restart"):
            return declared
        return tuple(attrs.evolve(p, needs=()) if p.name == "grant_after_expiry" else p for p in declared)

    def timer_waits(self, s: System, node: NodeId, timer: str) -> bool:
        """A server's lease also waits while the attempt that set its key is live (bounded drift: see the docstring)."""
        if super().timer_waits(s, node, timer):
            return True
        return timer == "lease" and node < self.servers and self._attempt_live(s, s.nodes[node])

    def _attempt_live(self, s: System, server: Any) -> bool:
        """The client whose attempt set the key is still acquiring with it, or believes it holds the lock and is not paused."""
        owner = server.set_by or server.key
        if owner is None:
            return False
        client = s.nodes[owner.client]
        if client.attempt != owner.attempt:
            return False
        return client.phase == ACQUIRING or client.phase in BELIEVING and owner.client not in s.paused

    # --- properties ------------------------------------------------------------------------------

    def believers(self, s: System) -> list[NodeId]:
        """The clients that believe they hold the lock."""
        return [c for c in self.client_ids if s.nodes[c].phase in BELIEVING]

    def grants(self, s: System) -> dict[Token, int]:
        """Each attempt that got the lock, numbered in the order the lock was granted (from the history)."""
        return {Token(e.node, e.value): i for i, e in enumerate(e for e in s.history if e.op == "lock")}

    def accepted_grants(self, s: System) -> list[int]:
        """The grant of each write the storage accepted, in order."""
        grants = self.grants(s)
        return [grants[token] for token in s.nodes[self.storage_id].accepted]

    @always
    def exclusive(self, s: System) -> bool:
        """At most one client believes it holds the lock."""
        return exclusive(self.believers(s))

    @exclusive.explain
    def _why_not_exclusive(self, s: System) -> str:
        """Who believes, on which servers' answers, and whether it is paused."""
        held = [f"{c} (attempt {s.nodes[c].attempt}, OK from {show(s.nodes[c].oks)}{', paused' if c in s.paused else ''})"
                for c in self.believers(s)]
        keys = ", ".join(f"{n} {show(s.nodes[n].key)}" for n in self.server_ids)
        return f"{' and '.join(held)} both believe they hold the lock; the servers' keys: {keys}"

    @always
    def resource_safe(self, s: System) -> bool:
        """The storage never accepts a write made under an older grant after one made under a newer grant."""
        return resource_safe(self.accepted_grants(s))

    @resource_safe.explain
    def _why_stale(self, s: System) -> str:
        """The stale write and the newer one it followed."""
        accepted = s.nodes[self.storage_id].accepted
        late, newer = stale_writes(self.accepted_grants(s))[0]
        grants = self.grants(s)
        return (f"the storage accepted the write of {show(accepted[late])} (grant {grants[accepted[late]] + 1}) after the "
                f"write of {show(accepted[newer])} (grant {grants[accepted[newer]] + 1})")

    @sometimes
    def write_accepted(self, s: System) -> bool:
        """The storage accepts a write made under the lock."""
        return bool(s.nodes[self.storage_id].accepted)

    @sometimes
    def majority_failed(self, s: System) -> bool:
        """An attempt fails because a majority of servers refused it (the key was taken)."""
        return any(len(s.nodes[c].refusals) > self.servers - (self.servers // 2 + 1) for c in self.client_ids)

    @sometimes(needs="crash")  # or any other fault but a restart: see properties()
    def grant_after_expiry(self, s: System) -> bool:
        """A client holds the lock on a server where an earlier lease had run out."""
        believers = {Token(c, s.nodes[c].attempt) for c in self.believers(s)}
        return any(server.expired and (server.set_by or server.key) in believers for server in s.nodes[:self.servers])

    @sometimes(needs=("crash", "restart"))
    def key_survived_restart(self, s: System) -> bool:
        """A server restarts with a key it had stored (persistence)."""
        return any(server.recovered for server in s.nodes[:self.servers])

