"""A lock on one Redis server (SET NX PX, a lease), guarding writes to a storage, under crashes and pauses.

Sources: the seed document's "Explain distributed locks" (SEED-distributed-systems.md, its
Redis lock in Go); Redis's documentation of SET (the NX and PX options, and the lock pattern:
a random value, released by a script that deletes the key only if it still holds that value)
and "Distributed Locks with Redis"; Kleppmann, "How to do distributed locking" (2016), whose
figure is the paused holder that writes after its lease ran out.

The pattern. One Redis server holds one key, the lock. A client acquires it with `SET lock
<value> NX PX <ttl>`: set only if absent, with a lease of `ttl` milliseconds after which the
server deletes the key itself, so that a holder that crashes does not keep the lock forever.
The holder then does its work, a write to a storage node (the protected resource), and
releases the lock. The safe design, the default: the value is a token unique to this
acquisition, and the release is a Lua script run atomically by the server, `if GET lock ==
token then DEL lock`, so a client can only ever delete its own lock.

Actions, each one Redis command or one client step, so the model is the oracle of a real client
(tests/locks drives redis-py clients against a real redis-server with these steps):
- acquire(client): SET NX PX succeeds (the key is absent) and the client believes it holds the
  lock. A SET that fails changes nothing and is not a step;
- write(client): the holder's work: the storage accepts its write (it checks nothing: no
  fencing token, see the fencing model);
- release(client): the compare-and-delete script (the seed: plain DEL); the client is done;
- expire(): the server's lease runs out and it deletes the key (a real test forces it with
  `PEXPIRE lock 0`);
- pause(client) and resume(client): a process pause (garbage collection, a stopped VM) of a
  holder at work; a paused client takes no step, and when it resumes it does not know that its
  lease ran out meanwhile;
- crash(client): a holder stops for good; its lease runs out later and another client gets the lock.

Time is abstracted to the one assumption the design rests on: the lease outlives the holder's
work. So `expire` happens only when the holder cannot be at work: it is paused, crashed, or its
work is done (written). The last case is the lease running out before the release arrives (a
slow client or network between the work and the release), which the design must survive. A
pause breaks the assumption: the holder's work outlives its lease.

Faults (--faults, default crash=1, which the design tolerates): crash, and pause (each a count in
the budget; resumes are free). Pauses are in no default: no lease-based lock survives one, which
is Kleppmann's point (`--faults pause=1` fails, see below); only a fencing token checked by the
storage does. A crash strikes only a client that holds the lock, a pause only one at work:
elsewhere they change nothing the model sees (a pause after the work is the late release that
`expire` allows anyway). `check redis-lock --swarm` checks 2 to 4 clients with up to two crashes (9 configurations).

State fields:
- lock: the lock key's value at the server: None (no key), a token `t<g>` (grant g's own token)
  or, in the seed's lock, "locked" for every holder;
- status[client]: wants (the lock), holds (acquired, its write to do), wrote (written, its release
  to do), done (released) or crashed;
- paused: the clients paused; pauses: the pauses used so far (the budget);
- granted: the clients in the order the server granted the lock (grant g is granted[g - 1]; each
  client acquires once, so a client's grant is its position here plus one); the key, when
  present, is always the newest grant's. A history field, like a TLA+ history variable: no client
  reads it;
- expired: the grants whose lease ran out at the server (history);
- accepted: the storage's accepted writes, each as the grant its writer held (history).

Properties (specs/locks.py): `exclusive`: at most one client is in its critical section, that is
believes it holds the lock with its work still to do (a client that has written acts on the lock
only through its release, which the next property judges); `resource_safe`: the storage never
accepts a write under an older grant after one under a newer; `release_own_lock` (a transition,
stated here): a release deletes the key only when it is the releaser's own lock.

Known bugs and failures (shortest traces at the defaults: 3 clients, crash=1; `--continue`
shows every property's):
- seed-lock: the seed's lock, value "locked" for everyone, released by plain DEL. It needs no
  pause: c0 writes, its lease runs out before its release, c1 acquires, and c0's DEL deletes c1's
  lock (release_own_lock, 5 steps, the first violation); then c2 acquires while c1 still works:
  two holders (exclusive, 6 steps), and c1's write is accepted after c2's (resource_safe, 8).
- `--faults pause=1` (the safe design): c0 pauses at work, its lease runs out, and c1 acquires
  while c0 still believes it holds the lock (exclusive, 4 steps); c1 writes, c0 resumes and
  writes under its expired grant after c1 (resource_safe, 7 steps). The token still keeps c0's
  release off c1's lock (release_own_lock holds). No lock can stop the stale write; a storage
  that checks a fencing token can.

Figures: the default, 1,096 states, depth 13, exhaustive in well under a second; 4 clients with
crash=2, 27,409 states, about a second.

The state graph has no cycle (every step moves a client on, grants, expires or spends a fault),
so every run ends; `may_stop` marks its end: every client done or crashed, and no key.
"""
from typing import ClassVar

import attrs

from checker import ProtocolModel, action, added, always, option, record, sometimes, transition, updated
from checker.actors.faults import FaultBudget
from checker.model import ActionLabel
from specs.locks import exclusive, resource_safe, stale_writes

WANTS, HOLDS, WROTE, DONE, CRASHED = "wants", "holds", "wrote", "done", "crashed"
SEED_VALUE = "locked"


@record
class State:
    """One state: the server's key, each client, and the history (see the module docstring)."""

    lock: str | None
    status: tuple[str, ...]
    paused: frozenset[int]
    pauses: int
    granted: tuple[int, ...]
    expired: frozenset[int]
    accepted: tuple[int, ...]


def grant_of(s: State, client: int) -> int:
    """The grant a client acquired under (1 for the first), 0 before it acquires."""
    return s.granted.index(client) + 1 if client in s.granted else 0


def believers(s: State) -> list[int]:
    """The clients in their critical section: they believe they hold the lock and have work to do."""
    return [c for c, status in enumerate(s.status) if status == HOLDS]


@attrs.frozen
class RedisLock(ProtocolModel):
    """A Redis lock (SET NX PX, unique token, compare-and-delete release) guarding a storage."""

    name: ClassVar[str] = "redis-lock"
    bugs: ClassVar[dict[str, str]] = {
        "seed-lock": "the seed's lock: the value \"locked\" for every client, released by plain DEL "
                     "(breaks release_own_lock, then exclusive and resource_safe)",
    }
    fairness: ClassVar[dict[str, str]] = {"pause": "fault", "crash": "fault"}
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "pause"})
    clients: int = option(3, help="number of clients, each acquiring once (3 gives 1,096 states; 3 shows two holders after "
                                   "the seed's DEL; 4 with crash=2: 27,409)", min=2, max=4)
    faults: FaultBudget = option(FaultBudget(crash=1), help="fault budget, as crash=1,pause=1 (pause=1 breaks any lease)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check redis-lock --swarm`: 2 to 4 clients, no crash to two (the faults the design tolerates; about 2 s in all)."""
        return [dict(clients=n, faults=f) for n in (2, 3, 4) for f in ("none", "crash=1", "crash=2")]

    def __attrs_post_init__(self) -> None:
        """Accept the fault budget in its text form too (`crash=1,pause=1`), then check it."""
        object.__setattr__(self, "faults", FaultBudget.of(self.faults))
        super().__attrs_post_init__()
        self.faults.check_allowed(self.name, self.allowed_faults)

    @property
    def Client(self) -> range:
        """The clients, numbered from 0."""
        return range(self.clients)

    def init(self) -> State:
        return State(lock=None, status=(WANTS,) * self.clients, paused=frozenset(), pauses=0, granted=(),
                     expired=frozenset(), accepted=())

    def may_stop(self, s: State) -> bool:
        """Every client is done or crashed and the key is gone: the end of every run."""
        return s.lock is None and all(status in (DONE, CRASHED) for status in s.status)

    @action(client="Client")
    def acquire(self, s: State, client: int) -> State | None:
        """SET lock <token> NX PX ttl succeeds: the key was absent (the seed's value: "locked")."""
        if s.status[client] != WANTS or s.lock is not None:
            return None
        value = SEED_VALUE if self.has_bug("seed-lock") else f"t{len(s.granted) + 1}"
        return s.evolve(lock=value, status=updated(s.status, client, HOLDS), granted=s.granted + (client,))

    @action(client="Client")
    def write(self, s: State, client: int) -> State | None:
        """The holder's work: the storage accepts its write, tagged (in the history) with its grant."""
        if s.status[client] != HOLDS or client in s.paused:
            return None
        return s.evolve(status=updated(s.status, client, WROTE), accepted=s.accepted + (grant_of(s, client),))

    @action(client="Client")
    def release(self, s: State, client: int) -> State | None:
        """The compare-and-delete script deletes the key only if it holds this client's token (the seed: DEL, whatever it holds)."""
        if s.status[client] != WROTE or client in s.paused:
            return None
        own = s.lock == f"t{grant_of(s, client)}"
        lock = None if own or self.has_bug("seed-lock") else s.lock
        return s.evolve(lock=lock, status=updated(s.status, client, DONE))

    @action
    def expire(self, s: State) -> State | None:
        """The lease runs out and the server deletes the key, once its holder is paused, crashed or past its work."""
        if s.lock is None:
            return None
        holder = s.granted[-1]
        if s.status[holder] == HOLDS and holder not in s.paused:
            return None
        return s.evolve(lock=None, expired=added(s.expired, len(s.granted)))

    @action(client="Client")
    def pause(self, s: State, client: int) -> State | None:
        """A holder at work pauses (within the fault budget): it takes no step until it resumes."""
        if s.status[client] != HOLDS or client in s.paused or s.pauses >= self.faults.pause:
            return None
        return s.evolve(paused=added(s.paused, client), pauses=s.pauses + 1)

    @action(client="Client")
    def resume(self, s: State, client: int) -> State | None:
        """A paused client goes on where it stopped, still believing it holds the lock."""
        if client not in s.paused:
            return None
        return s.evolve(paused=s.paused - {client})

    @action(client="Client")
    def crash(self, s: State, client: int) -> State | None:
        """A holder that is not paused crashes for good (within the fault budget); its lease runs out later."""
        if s.status[client] not in (HOLDS, WROTE) or client in s.paused or s.status.count(CRASHED) >= self.faults.crash:
            return None
        return s.evolve(status=updated(s.status, client, CRASHED))

    # --- safety -------------------------------------------------------------------------

    @always
    def exclusive(self, s: State) -> bool:
        """At most one client is in its critical section (believes it holds the lock, its write to do)."""
        return exclusive(believers(s))

    @exclusive.explain
    def _why_not_exclusive(self, s: State) -> str:
        who = [self._describe(s, c) for c in believers(s)]
        return f"{', '.join(who[:-1])} and {who[-1]} {'both' if len(who) == 2 else 'all'} believe they hold the lock, their write to do"

    @always
    def resource_safe(self, s: State) -> bool:
        """The storage never accepts a write under an older grant after one under a newer grant."""
        return resource_safe(s.accepted)

    @resource_safe.explain
    def _why_unsafe(self, s: State) -> str:
        late, earlier = stale_writes(s.accepted)[0]
        old, new = s.accepted[late], s.accepted[earlier]
        return (f"the storage accepted c{s.granted[old - 1]}'s write under grant {old} after "
                f"c{s.granted[new - 1]}'s under grant {new}")

    @transition
    def release_own_lock(self, before: State, step: ActionLabel, after: State) -> bool:
        """A release deletes the key only when it is the releaser's own lock (the newest grant is the releaser's)."""
        if step.name != "release" or before.lock is None or after.lock is not None:
            return True
        return before.granted[-1] == step.kwargs["client"]

    @release_own_lock.explain
    def _why_other_lock(self, before: State, step: ActionLabel, after: State) -> str:
        client, owner = step.kwargs["client"], before.granted[-1]
        return (f"c{client}'s release deleted c{owner}'s lock (grant {len(before.granted)}); "
                f"{self._describe(before, client)} had lost the lock")

    def _describe(self, s: State, client: int) -> str:
        """`c0 (grant 1, paused, lease expired)`: a client, its grant, and what it does not know."""
        grant = grant_of(s, client)
        notes = [f"grant {grant}"] + ["paused"] * (client in s.paused) + ["lease expired"] * (grant in s.expired)
        return f"c{client} ({', '.join(notes)})"

    # --- witnesses ----------------------------------------------------------------------

    @sometimes
    def every_write_accepted(self, s: State) -> bool:
        """Every client acquires, writes and releases: the happy path."""
        return len(s.accepted) == self.clients and all(status == DONE for status in s.status)

    @sometimes
    def acquired_after_expiry(self, s: State) -> bool:
        """A client acquires the lock after an earlier lease ran out."""
        return any(g < len(s.granted) for g in s.expired)

    @sometimes
    def late_release(self, s: State) -> bool:
        """A client releases after its lease ran out and another client acquired (its release must leave that lock alone)."""
        return any(status == DONE and grant_of(s, c) in s.expired and grant_of(s, c) < len(s.granted)
                   for c, status in enumerate(s.status))

    @sometimes(needs="crash")
    def acquired_after_crash(self, s: State) -> bool:
        """A holder crashes, its lease runs out, and another client acquires the lock."""
        return any(status == CRASHED and grant_of(s, c) < len(s.granted) for c, status in enumerate(s.status))

    @sometimes(needs="pause")
    def resumed_after_expiry(self, s: State) -> bool:
        """A paused holder resumes after its lease ran out and another client acquired, still believing it holds the lock."""
        return any(status == HOLDS and c not in s.paused and grant_of(s, c) in s.expired and grant_of(s, c) < len(s.granted)
                   for c, status in enumerate(s.status))
