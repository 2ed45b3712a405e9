"""Fencing tokens as actors: a lock service with leases numbers every grant, and the storage refuses older numbers.

Sources: Kleppmann, "How to do distributed locking" (2016), "Making the lock safe with fencing";
the seed document's fencing-token snippet ("Distributed Systems Questions", section 6: distributed
locks, "Solution: Fencing Tokens").

The protocol. A lock service n0 (one server with leases), clients n1 .., and the storage last: the
resource the lock protects.
- A client asks for the lock (its `acquire` timer). The service grants it when no lease is held,
  with a fencing token: a number that grows with every grant (ZooKeeper's zxid, a counter kept
  on disk); otherwise it refuses, and the client may try again, up to `attempts` tries in all.
- A holder does its work (its `work` timer) by writing to the storage with its token, and once
  the storage answers, releases the lock (the service frees it if that grant still holds it).
- The storage remembers the highest token it has accepted and rejects a write with a lower one
  (Kleppmann: "it remembers that it has already processed a write with a higher token number").
Fencing protects the resource, not the clients' beliefs: a client whose lease ran out while it
was paused still believes it holds the lock, and two clients may believe so at once. What
fencing guarantees is that the older one's write is refused. So `exclusive` is not a property of
this design: it is checked only when named (`--property exclusive`: VIOLATED, by a fast clock in
7 steps or a pause in 8), and the witness `two_believers` shows it happen while the resource stays safe.

Time, as in `check redlock`: the service's `lease` timer fires only once no message is in flight to
a running node (`when-quiet`) and its holder no longer works under that grant (it has crashed,
finished, or is paused); this model's `timer_waits` says the second half. So with no
fault a lease never runs out under a working holder; `pause` stops a holder until its lease runs
out (Kleppmann's GC pause), `skew` expires a lease early. `--expiry anytime` drops every timing
assumption (a lease may run out at any moment, even under a working holder, with its messages in
flight): fencing keeps the resource safe without one, which is its point.

Faults (--faults): crash and restart of any node (the service keeps its lease and its token
counter on disk; clients keep their count of tries; the storage keeps what it
accepted), message loss and duplication, partitions, pause, skew. A client whose request or
answer is lost waits forever (no retry timeout): progress suffers, not safety. The default budget,
crash=1,restart=1,drop=1,pause=1,skew=1, includes the pause and the fast clock that fencing is
designed to survive, and every property holds (13,126 states).

Properties (specs/locks.py): `resource_safe`, the storage never accepts a write made under an
older grant after one made under a newer grant (grants are numbered by the service, in the order
it grants them: the fencing token itself, when tokens come from the service). Witnesses: a write is
accepted; two clients believe they hold the lock at once; the storage rejects a stale write; a
client is granted the lock after a lease ran out.

Known bug (--bug seed-token): the seed's `token := atomic.AddInt64(&tokenCounter, 1)`, a counter
inside each client process, drawn at each try, instead of a token issued by the lock service.
Tokens of different clients are not ordered by grant: n1's lease (grant 1, its token 1) runs out
early, n2 is granted 2 and writes with its own first token, also 1, and n1's write with token 1
arrives after it and is accepted (11 steps at the defaults, by the skew; with `--faults pause=1`,
13 steps: Kleppmann's GC pause). The seed's storage also rejects a token equal to the highest
(`token <= currentToken`, option `--reject-equal`): that hides equal tokens but not the bug, which
then takes a client that drew a token on a refused try and one whose counter went back to 0 in a
crash (19 steps with `--attempts 2`). The seed's `AcquireLock` also sets the key with a plain SET,
not SET NX, so every caller "acquires" it; this model keeps the lock service right, to show the
token's flaw alone (`check redis-lock` is the single Redis lock).

State fields. Service: `holder` (the client and grant holding the lease, or None), `grants` (the
grants made so far: the last token issued), `expired` (history: a lease ran out). Client: `phase`
(idle, acquiring, holding, writing, done), `tries`, `token` (the token it writes with), `grant`
(history: the grant it holds; equal to the token unless tokens are the seed's), `counter` (the
seed's per-process counter, lost in a crash). Storage: `highest` (the highest token accepted),
`accepted` and `rejected` (the writes it accepted and rejected, in order, each with its token and grant).
"""
from typing import Any, ClassVar

import attrs

from checker import always, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.properties import Property
from specs.locks import exclusive as at_most_one, resource_safe, stale_writes

IDLE, ACQUIRING, HOLDING, WRITING, DONE = "idle", "acquiring", "holding", "writing", "done"
BELIEVING = (HOLDING, WRITING)


@record
class Lease:
    """The lease the service granted: to `client`, as grant number `grant`."""

    client: NodeId
    grant: int

    def __show__(self) -> str:
        return f"{self.client} (grant {self.grant})"


@record
class Acquire:
    """Client -> service: may I have the lock?"""

    def __show__(self) -> str:
        return "acquire"


@record
class Granted:
    """Service -> client: the lock, as grant `grant` (which is its fencing token)."""

    grant: int

    def __show__(self) -> str:
        return f"granted #{self.grant}"


@record
class Refused:
    """Service -> client: the lock is held."""

    def __show__(self) -> str:
        return "refused"


@record
class Write:
    """Client -> storage: a write with fencing token `token`; `grant` is history (which grant it was made under)."""

    token: int
    grant: int

    def __show__(self) -> str:
        return f"write token {self.token} (grant {self.grant})"


@record
class Written:
    """Storage -> client: the write was accepted, or rejected as stale."""

    ok: bool

    def __show__(self) -> str:
        return "accepted" if self.ok else "rejected"


@record
class Release:
    """Client -> service: release grant `grant`."""

    grant: int

    def __show__(self) -> str:
        return f"release #{self.grant}"


@record
class Service:
    """The lock service: its lease and its token counter, both on disk."""

    DURABLE = ("holder", "grants", "expired")
    holder: Any
    grants: int
    expired: bool


@record
class Client:
    """A client (see the module docstring for each field); its count of tries survives a crash."""

    DURABLE = ("tries",)
    phase: str
    tries: int
    token: int
    grant: int
    counter: int


@record
class Storage:
    """The protected resource (see the module docstring)."""

    DURABLE = ("highest", "accepted", "rejected")
    highest: int
    accepted: tuple
    rejected: tuple


class LockService(Actor):
    """n0: grants a free lock with the next fencing token, frees it on release or when the lease runs out."""

    role = "lock service"

    def on_start(self, me: NodeId, out: Out) -> Service:
        """Free, no token issued."""
        return Service(holder=None, grants=0, expired=False)

    def on_restart(self, me: NodeId, state: Service, out: Out) -> Service:
        """Back with its lease and counter; a lease read back keeps running."""
        back = super().on_restart(me, state, out)
        if back.holder is not None:
            out.set_timer("lease")
        return back

    def on_message(self, me: NodeId, s: Service, src: NodeId, msg: Any, out: Out) -> Service:
        """Grant or refuse an Acquire; a Release frees the lock if that grant still holds it."""
        if isinstance(msg, Acquire):
            if s.holder is not None:
                out.send(src, Refused())
                return s
            out.send(src, Granted(s.grants + 1))
            out.set_timer("lease")
            return s.evolve(holder=Lease(src, s.grants + 1), grants=s.grants + 1)
        if s.holder != Lease(src, msg.grant):
            return s
        out.cancel_timer("lease")
        return s.evolve(holder=None)

    def on_timer(self, me: NodeId, s: Service, timer: str, out: Out) -> Service:
        """The lease has run out."""
        return s.evolve(holder=None, expired=True)


class FencedClient(Actor):
    """A client: acquire, write with its token, release."""

    role = "client"

    def __init__(self, model: "Fencing"):
        """The service, the storage, the try bound and where tokens come from, from the model."""
        self.service, self.storage, self.attempts = NodeId(0), model.storage_id, model.attempts
        self.own_counter = model.has_bug("seed-token")

    def on_start(self, me: NodeId, out: Out) -> Client:
        """Idle, about to try."""
        out.set_timer("acquire")
        return Client(phase=IDLE, tries=0, token=0, grant=0, counter=0)

    def on_restart(self, me: NodeId, state: Client, out: Out) -> Client:
        """A fresh process (its counter back to 0) that knows its tries: it tries again if it may."""
        return self._next(self.on_start(me, Out(me)).evolve(tries=state.tries), out)

    def obsolete(self, me: NodeId, s: Client, src: NodeId, msg: Any) -> bool:
        """A storage answer it no longer waits for (a client writes once per grant and never goes back)."""
        return isinstance(msg, Written) and s.phase != WRITING

    def on_timer(self, me: NodeId, s: Client, timer: str, out: Out) -> Client:
        """`acquire` asks for the lock (the seed: drawing a token first); `work` writes with the token."""
        if timer == "work":
            out.send(self.storage, Write(s.token, s.grant))
            return s.evolve(phase=WRITING)
        out.send(self.service, Acquire())
        s = s.evolve(phase=ACQUIRING, tries=s.tries + 1)
        return s.evolve(counter=s.counter + 1, token=s.counter + 1) if self.own_counter else s

    def on_message(self, me: NodeId, s: Client, src: NodeId, msg: Any, out: Out) -> Client:
        """A grant (then work), a refusal (then another try), or the storage's answer (then release)."""
        if isinstance(msg, Written):
            if s.phase != WRITING:
                return s
            out.send(self.service, Release(s.grant))
            return s.evolve(phase=DONE)
        if s.phase != ACQUIRING:
            return s
        if isinstance(msg, Refused):
            return self._next(s.evolve(phase=IDLE), out)
        out.set_timer("work")
        return s.evolve(phase=HOLDING, grant=msg.grant, token=s.token if self.own_counter else msg.grant)

    def _next(self, s: Client, out: Out) -> Client:
        """Idle with another try to come, or done."""
        if s.tries < self.attempts:
            out.set_timer("acquire")
            return s
        return s.evolve(phase=DONE)


class FencedStorage(Actor):
    """The storage: accepts a write unless its token is lower than the highest accepted (or equal, with reject_equal)."""

    role = "storage"

    def __init__(self, reject_equal: bool):
        """Whether a token equal to the highest is rejected too (the seed's `<=`)."""
        self.reject_equal = reject_equal

    def on_start(self, me: NodeId, out: Out) -> Storage:
        """Nothing written."""
        return Storage(highest=0, accepted=(), rejected=())

    def on_message(self, me: NodeId, s: Storage, src: NodeId, msg: Write, out: Out) -> Storage:
        """Check the fencing token, then accept or reject, and answer."""
        stale = msg.token <= s.highest if self.reject_equal else msg.token < s.highest
        out.send(src, Written(not stale))
        if stale:
            return s.evolve(rejected=s.rejected + (msg,))
        return s.evolve(highest=msg.token, accepted=s.accepted + (msg,))


@attrs.frozen
class Fencing(ActorModel):
    """Fencing tokens: a lock service with leases numbers every grant, and the storage refuses older numbers."""

    name: ClassVar[str] = "fencing"
    bugs: ClassVar[dict[str, str]] = {
        "seed-token": "the seed's token: a counter inside each client process, not issued by the lock service "
                      "(breaks resource_safe)",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {"acquire": "anytime", "work": "anytime", "lease": "when-quiet"}
    check_deadlock: ClassVar[bool] = False  # clients that are done rest; a lost request leaves its client waiting
    clients: int = option(2, help="number of clients competing for the lock", min=1, max=3)
    attempts: int = option(1, help="tries each client may make (it tries again after a refusal)", min=1, max=3)
    expiry: str = option("bounded", choices=("bounded", "anytime"),
                         help="bounded: a lease runs out only once nothing is in flight and its holder no longer works "
                              "under it (a pause or a crash); anytime: at any moment (no timing assumption at all)")
    reject_equal: bool = option(False, help="the seed's storage: reject a token equal to the highest accepted, too (token <= current)")
    faults: FaultBudget = option(FaultBudget(crash=1, restart=1, drop=1, pause=1, skew=1),
                                 help="fault budget, as crash=1,restart=1,drop=1,pause=1,skew=1 (the default)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check fencing --swarm`: 2 or 3 clients, retries, every fault, leases that run out at any moment, the seed's
        storage check (under a second to about 12 s each, cheapest first)."""
        return [dict(faults="none"), dict(expiry="anytime", faults="none"), dict(faults="pause=1"),
                dict(expiry="anytime", clients=3, faults="none"), dict(faults="drop=1,partition=1,pause=1"), dict(),
                dict(reject_equal=True), dict(expiry="anytime"), dict(faults="duplicate=1,pause=2,skew=1"),
                dict(attempts=2), dict(clients=3)]

    @property
    def client_ids(self) -> tuple[NodeId, ...]:
        """The clients' ids (after the service)."""
        return tuple(NodeId(i) for i in range(1, self.clients + 1))

    @property
    def storage_id(self) -> NodeId:
        """The storage's id (last)."""
        return NodeId(self.clients + 1)

    def actors(self) -> list[Actor]:
        """The lock service, the clients, then the storage."""
        return [LockService(), *(FencedClient(self) for _ in range(self.clients)), FencedStorage(self.reject_equal)]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The clients are interchangeable."""
        return [list(self.client_ids)]

    def properties(self) -> tuple[Property, ...]:
        """The declared properties, each witness needing no fault when any fault in the budget reaches it (`needs` says one)."""
        reachable = self._witnesses_reachable()
        return tuple(attrs.evolve(p, needs=()) if reachable.get(p.name) else p for p in super().properties())

    def _witnesses_reachable(self) -> dict[str, bool]:
        """Which fault-dependent witnesses this budget (or expiry at any moment) can reach."""
        f, anytime = self.faults, self.expiry == "anytime"
        lease_lost = anytime or bool(f.pause or f.skew)
        any_fault = anytime or any(count for kind, count in f.items() if kind != "restart")
        return {"two_believers": lease_lost, "stale_write_rejected": lease_lost, "grant_after_expiry": any_fault}

    def timer_waits(self, s: System, node: NodeId, timer: str) -> bool:
        """The lease also waits while its holder works under it (see the docstring); with expiry anytime, never."""
        if node != 0 or timer != "lease":
            return super().timer_waits(s, node, timer)
        if self.expiry == "anytime":
            return False
        holder = s.nodes[0].holder
        return super().timer_waits(s, node, timer) or holder is not None and holder.client not in s.paused and (
            s.nodes[holder.client].phase in BELIEVING and s.nodes[holder.client].grant == holder.grant)

    # --- properties ------------------------------------------------------------------------------

    def believers(self, s: System) -> list[NodeId]:
        """The clients that believe they hold the lock."""
        return [c for c in self.client_ids if s.nodes[c].phase in BELIEVING]

    @always
    def resource_safe(self, s: System) -> bool:
        """The storage never accepts a write made under an older grant after one made under a newer grant."""
        return resource_safe([write.grant for write in s.nodes[self.storage_id].accepted])

    @resource_safe.explain
    def _why_stale(self, s: System) -> str:
        """The stale write, the newer one it followed, and their tokens."""
        accepted = s.nodes[self.storage_id].accepted
        late, newer = (accepted[i] for i in stale_writes([write.grant for write in accepted])[0])
        return (f"the storage accepted a write of grant {late.grant} with token {late.token} after one of grant "
                f"{newer.grant} with token {newer.token}: tokens that do not grow with the grants cannot fence")

    @always(by_default=False)  # fencing does not promise it: checked only when named
    def exclusive(self, s: System) -> bool:
        """At most one client believes it holds the lock (not promised by fencing: only with --property exclusive)."""
        return at_most_one(self.believers(s))

    @exclusive.explain
    def _why_not_exclusive(self, s: System) -> str:
        """Who believes, and which of them are paused."""
        held = [f"{c} (grant {s.nodes[c].grant}{', paused' if c in s.paused else ''})" for c in self.believers(s)]
        return f"{' and '.join(held)} both believe they hold the lock: fencing protects the resource, not beliefs"

    @sometimes
    def write_accepted(self, s: System) -> bool:
        """The storage accepts a write made under the lock."""
        return bool(s.nodes[self.storage_id].accepted)

    @sometimes(needs="pause")  # or skew: see properties()
    def two_believers(self, s: System) -> bool:
        """Two clients believe they hold the lock at once (fencing does not prevent it)."""
        return len(self.believers(s)) > 1

    @sometimes(needs="pause")  # likewise
    def stale_write_rejected(self, s: System) -> bool:
        """The storage rejects a write whose token is older than one it accepted."""
        return bool(s.nodes[self.storage_id].rejected)

    @sometimes(needs="pause")  # or any other fault but a restart: see properties()
    def grant_after_expiry(self, s: System) -> bool:
        """A client holds a lease granted after an earlier lease ran out."""
        return s.nodes[0].expired and s.nodes[0].holder is not None
