"""Fencing tokens, reduced to what their safety rests on: a lease that may run out at any moment,
tokens numbered by the lock service, and a storage that refuses a token lower than one it has
accepted. It exists to be proved (`check fencing-tokens --strategy prove`: the resource is safe for
any number of clients, fencing_tokens_proof.py); `check fencing` is the protocol as actors, with
messages, crashes, pauses and clocks.

Source: Kleppmann, "How to do distributed locking" (2016), "Making the lock safe with fencing"; the
seed document's fencing-token snippet, whose per-process counter is the bug below.

The protocol. Each client acquires the lock once: the service grants it while no lease is held,
with the next token (1, 2, ...). A lease runs out at any moment (`expire`: no timing assumption at
all, the worst a paused or slow holder can meet), and then another client may be granted the
lock. A holder writes to the storage with its token (the write is in flight until `deliver`).
The storage accepts a write whose token is at least the highest it has accepted, and rejects it
otherwise. A client that is done releases the lease if it still holds it.

State fields:
- issued: the last token the service issued (the number of grants); holder: the client holding
  the lease, or None;
- phase[c]: "idle" (not yet granted), "holding" (believes it holds the lock), "writing" (its
  write in flight), "done"; token[c]: the token it writes with (0: none); grant[c]: the grant it
  holds, numbered in the order of granting (a history value: with correct tokens, the token);
  counter[c]: the seed's per-process token counter (the bug; 0 otherwise);
- highest: the highest token the storage has accepted (0: none); accepted: the writes it has
  accepted, in order, as (client, grant).

Property: resource_safe (specs/locks.py): the grants of the accepted writes never go back, so a
write made under an older grant is never accepted after one made under a newer grant.

Known bug (`--bug seed-token`): the seed's `token := atomic.AddInt64(&tokenCounter, 1)` inside the
client: every client's first token is 1. The first holder's lease runs out, the second client is
granted the lock and writes with token 1, and the first holder's write with token 1 is accepted
after it (7 steps).
"""
from typing import ClassVar

import attrs

from checker import ProtocolModel, action, always, option, record, sometimes, updated
from specs.locks import resource_safe, stale_writes

IDLE, HOLDING, WRITING, DONE = "idle", "holding", "writing", "done"


@record
class State:
    """The lock service, the clients and the storage."""

    issued: int
    holder: int | None
    phase: tuple[str, ...]
    token: tuple[int, ...]
    grant: tuple[int, ...]
    counter: tuple[int, ...]
    highest: int
    accepted: tuple[tuple[int, int], ...]


@attrs.frozen
class FencingTokens(ProtocolModel):
    """Fencing tokens: leases that run out at any moment, tokens from the lock service, a storage that refuses older ones."""

    name: ClassVar[str] = "fencing-tokens"
    symbolic_form: ClassVar[str] = "models.locks.fencing_tokens_proof:FencingTokensProof"  # --strategy prove (for any number of clients)
    bugs: ClassVar[dict[str, str]] = {"seed-token": "the seed's per-process token counter: every client's first token is 1 (breaks resource_safe)"}
    clients: int = option(3, help="number of clients, each acquiring the lock once", min=1, max=5)

    @property
    def Client(self) -> range:
        """The clients, numbered from 0."""
        return range(self.clients)

    def init(self) -> State:
        n = self.clients
        return State(issued=0, holder=None, phase=(IDLE,) * n, token=(0,) * n, grant=(0,) * n, counter=(0,) * n, highest=0, accepted=())

    def may_stop(self, s: State) -> bool:
        """Every client is done or was never granted the lock while another held it to the end."""
        return all(p in (DONE, IDLE) for p in s.phase) and s.holder is None

    @action(c="Client")
    def acquire(self, s: State, c: int) -> State | None:
        """The service grants the lock to c with the next token, while no lease is held."""
        if s.phase[c] != IDLE or s.holder is not None:
            return None
        grant = s.issued + 1
        mine = s.counter[c] + 1 if self.has_bug("seed-token") else grant
        return s.evolve(issued=grant, holder=c, phase=updated(s.phase, c, HOLDING), token=updated(s.token, c, mine),
                        grant=updated(s.grant, c, grant), counter=updated(s.counter, c, mine if self.has_bug("seed-token") else 0))

    @action
    def expire(self, s: State) -> State | None:
        """The lease runs out, whatever its holder is doing."""
        return s.evolve(holder=None) if s.holder is not None else None

    @action(c="Client")
    def write(self, s: State, c: int) -> State | None:
        """A client that believes it holds the lock writes with its token."""
        return s.evolve(phase=updated(s.phase, c, WRITING)) if s.phase[c] == HOLDING else None

    @action(c="Client")
    def deliver(self, s: State, c: int) -> State | None:
        """The storage receives c's write: accepted if its token is at least the highest accepted, else rejected."""
        if s.phase[c] != WRITING:
            return None
        done = s.evolve(phase=updated(s.phase, c, DONE))
        if s.token[c] < s.highest:
            return done
        return done.evolve(highest=s.token[c], accepted=s.accepted + ((c, s.grant[c]),))

    @action(c="Client")
    def release(self, s: State, c: int) -> State | None:
        """A client that is done gives the lease back, if it still holds it."""
        return s.evolve(holder=None) if s.phase[c] == DONE and s.holder == c else None

    @always
    def resource_safe(self, s: State) -> bool:
        """No write under an older grant is accepted after one under a newer grant."""
        return resource_safe([g for _c, g in s.accepted])

    @resource_safe.explain
    def _why_unsafe(self, s: State) -> str:
        late, early = stale_writes([g for _c, g in s.accepted])[0]
        (c, g), (d, h) = s.accepted[late], s.accepted[early]
        return f"client {c}'s write under grant {g} was accepted after client {d}'s under grant {h}"

    @sometimes
    def stale_write_rejected(self, s: State) -> bool:
        """A write is rejected: a holder whose lease ran out was fenced off."""
        return sum(1 for p in s.phase if p == DONE) > len(s.accepted)

    @sometimes
    def two_writes_accepted(self, s: State) -> bool:
        """Two clients' writes are accepted, one after the other."""
        return len(s.accepted) >= 2
