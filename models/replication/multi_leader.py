"""Multi-leader (multi-master) replication of one register, with last-writer-wins conflict resolution.

Sources: Kleppmann, "Designing Data-Intensive Applications" (2017), chapter 5, "Multi-Leader
Replication" (handling write conflicts; "converging toward a consistent state"; last write wins
"achieves the goal of eventual convergence, but at the cost of durability"); Kleppmann, "There is no
now" (ACM Queue 2015) on clock skew and LWW; Cassandra's per-cell timestamps; the seed document's
replication patterns (multi-leader: "conflict resolution needed") and its table of consistency
levels (eventual: "nodes converge over time").

The protocol. Leaders n0 .. n(L-1) (default 2) each hold a replica of the register: a value and
the stamp of the write that put it there. Each leader serves its local client (folded into the
leader node: the request and its acknowledgement are local calls, never lost).
- A client write (the leader's `write` timer) invokes write(v); the leader stamps it with
  (its clock + 1, its id), its clock ticking to that reading, applies it, and sends it to every
  other leader (Replicate). Its `ack` timer later acknowledges the write to the client: writes of
  different clients may overlap in real time.
- A leader receiving a replicated write keeps the one with the larger stamp (clock first, then
  leader id), and acknowledges it to the sender (Acked). Applying a write twice changes nothing.
- Until every peer has acknowledged its latest write, a leader retransmits it (its `resend` timer:
  a timeout longer than any message delay, so it fires once nothing is in flight on its side and no
  copy of that write or of an acknowledgement of it is on its way, say held by a partition: another
  copy would only be a duplicate). Only the latest matters: a leader's stamps grow, so its latest
  write beats its earlier ones everywhere.
The k-th write of leader n(c) writes 10*c + k (n1's first write: 11); the register starts at 0.

Clocks. Each leader's physical clock is a small integer, its last reading; real time is the largest
reading of any clock. With synchronised clocks a leader reads real time before it stamps: its
`tick` timer fires only while its clock is behind (and catches up one step at a time), and its
`write` waits until it has caught up (this model's `timer_waits`). So with no fault a write invoked
after another was acknowledged gets the larger stamp. The skew fault of the actor layer fires a
waiting timer early: here, a write stamped while its leader's clock is behind real time (a clock
set behind), or a tick while the clock is not (a clock that runs ahead, which real time follows:
harmless here), or a retransmission while the first copy is still in flight (idempotent). So the
budget's `skew` needs no option of this model: the hook it breaks is the one that keeps clocks in
step, as the lock models' leases (`check fencing`) keep their holders' clocks in step.

Faults (--faults): message loss (retransmission repairs it), duplication (applying twice is
harmless), partitions (messages across are held until the heal), pause, skew. A leader's replica
is on disk and nothing is lost in a crash, which this model leaves out (a crash is a long pause).
The default budget, drop=1,duplicate=1, is what asynchronous replication claims to survive, and
every default property holds (3,469 states).

Properties. `converged_when_quiet` (specs/consistency/convergence.py): replicas are equal in every
quiescent state (no message in flight, no retransmission owed, no client write open);
`later_write_wins`: a write invoked after another was acknowledged has the larger stamp, so it wins
at every replica (LWW respects real time when clocks are synchronised); `replicas_converge`
(liveness, once faults stop): replicas that differ eventually agree. Witnesses: a replica
overwrites its own client's write with a newer remote one (4 steps); two writes made without
knowledge of each other (neither made over the other) are resolved to one, and the replicas are
quiescent (9); a write whose replication was lost reaches its peer by retransmission (6).

The anomalies, each exit 1:
- `--property no_lost_update` (not promised, so not checked by default): every acknowledged write
  survives at some replica, unless a write that knew of it (made over it, directly or through
  others) or that came after it in real time replaced it. LWW silently drops one of two concurrent
  writes: n1 writes 11 (a later stamp) without having seen n0's 1, 11 reaches n0, which overwrites
  its own write, and n0's client is then told its write succeeded (5 steps);
- `--faults skew=1`: n1 writes 11 and acknowledges it, then n0, its clock behind, stamps its write
  1 with an older stamp: the later write loses (later_write_wins, 3 steps);
- `--bug arrival-order`: replicas apply remote writes in the order they arrive, not by stamp. n0's
  write 1 reaches n1 only after n1 wrote 11 with a later stamp; n1 overwrites 11 with 1 while n0
  takes 11, and each replica ends with the other's write, for good (converged_when_quiet, 9 steps;
  replicas_converge's lasso, 9 steps, stays in that state forever).

State fields. Leader: `clock` (its clock's reading), `current` (the replica: the write it holds,
value and stamp), `mine` (the writes it stamped, in order; the last is the one it retransmits),
`unacked` (the peers that have not acknowledged its latest write), `resent` (history: it
retransmitted a write). A write's `over` (history) is the value its leader held when it stamped it:
the write it knowingly replaced, which is how the properties tell concurrent writes apart.
"""
from typing import Any, ClassVar

import attrs

from checker import always, leads_to, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from specs.consistency.convergence import converged, converged_when_quiescent, explain_divergence, quiescent


@record
class Write:
    """A write as replicas keep it: its stamp (the writer's clock reading, then the writer's id), its value, and
    `over` (history: the value its leader held when it stamped it, so the write it knowingly replaced)."""

    clock: int
    origin: int
    value: int
    over: int

    def beats(self, other: "Write") -> bool:
        """Last writer wins: the larger stamp, clock first, the leader id breaking ties."""
        return (self.clock, self.origin) > (other.clock, other.origin)

    def __show__(self) -> str:
        return f"{self.value} @({self.clock}, n{self.origin})" if self.origin >= 0 else f"{self.value} (initial)"


INITIAL = Write(clock=0, origin=-1, value=0, over=0)


@record
class Replicate:
    """Leader -> leader: keep this write if its stamp is larger than yours."""

    write: Write

    def __show__(self) -> str:
        return f"replicate {self.write.__show__()}"


@record
class Acked:
    """Leader -> leader: I have the write (applied it, or hold a newer one)."""

    write: Write

    def __show__(self) -> str:
        return f"acked {self.write.__show__()}"


@record
class Leader:
    """A leader and its replica (see the module docstring for each field)."""

    clock: int
    current: Write
    mine: tuple
    unacked: frozenset
    resent: bool


class MultiLeaderNode(Actor):
    """A leader: stamps and applies its client's writes, replicates them, keeps the larger stamp."""

    role = "leader"

    def __init__(self, model: "MultiLeader"):
        """The peers, the number of writes per client and the conflict rule, from the model."""
        self.leaders, self.writes = tuple(NodeId(i) for i in range(model.leaders)), model.writes
        self.by_arrival = model.has_bug("arrival-order")

    def on_start(self, me: NodeId, out: Out) -> Leader:
        """The initial value, clock 0, its client about to write."""
        out.set_timer("write")
        out.set_timer("tick")
        return Leader(clock=0, current=INITIAL, mine=(), unacked=frozenset(), resent=False)

    def obsolete(self, me: NodeId, s: Leader, src: NodeId, msg: Any) -> bool:
        """An acknowledgement of a write that is no longer its latest, or from a peer already counted."""
        return isinstance(msg, Acked) and (not s.mine or msg.write != s.mine[-1] or src not in s.unacked)

    def on_timer(self, me: NodeId, s: Leader, timer: str, out: Out) -> Leader:
        """`write`: stamp, apply, replicate; `ack`: answer the client; `tick`: the clock catches up; `resend`: retransmit."""
        if timer == "write":
            return self._write(me, s, out)
        if timer == "ack":
            out.respond("write", s.mine[-1].value)
            if len(s.mine) < self.writes:
                out.set_timer("write")
                out.set_timer("tick")
            return s
        if timer == "tick":
            out.set_timer("tick")
            return s.evolve(clock=s.clock + 1)
        for peer in sorted(s.unacked):
            out.send(peer, Replicate(s.mine[-1]))
        out.set_timer("resend")
        return s.evolve(resent=True)

    def _write(self, me: NodeId, s: Leader, out: Out) -> Leader:
        """The client's next write: stamped with the clock's next reading, applied here, sent to every peer."""
        write = Write(clock=s.clock + 1, origin=int(me), value=10 * int(me) + len(s.mine) + 1, over=s.current.value)
        out.invoke("write", write.value)
        peers = [peer for peer in self.leaders if peer != me]
        out.broadcast(peers, Replicate(write))
        out.set_timer("ack")
        out.set_timer("resend")
        out.cancel_timer("tick")
        return s.evolve(clock=write.clock, current=self._merge(s.current, write), mine=s.mine + (write,),
                        unacked=frozenset(peers))

    def on_message(self, me: NodeId, s: Leader, src: NodeId, msg: Any, out: Out) -> Leader:
        """A replicated write: keep the larger stamp and acknowledge; an acknowledgement: one peer fewer to retransmit to."""
        if isinstance(msg, Replicate):
            out.send(src, Acked(msg.write))
            merged = self._merge(s.current, msg.write)
            return s if merged == s.current else s.evolve(current=merged)
        if self.obsolete(me, s, src, msg):
            return s
        if len(s.unacked) == 1:
            out.cancel_timer("resend")
        return s.evolve(unacked=s.unacked - {src})

    def _merge(self, current: Write, incoming: Write) -> Write:
        """Last writer wins (with the bug: the write that arrived last wins)."""
        return incoming if self.by_arrival or incoming.beats(current) else current


@attrs.frozen
class MultiLeader(ActorModel):
    """Multi-leader replication of one register with last-writer-wins conflict resolution."""

    name: ClassVar[str] = "multi-leader"
    bugs: ClassVar[dict[str, str]] = {
        "arrival-order": "replicas apply remote writes in the order they arrive instead of by stamp "
                         "(breaks converged_when_quiet and replicas_converge)",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {"write": "anytime", "ack": "anytime", "tick": "anytime",
                                                "resend": "when-quiet"}
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"drop", "duplicate", "partition", "pause", "skew"})
    check_deadlock: ClassVar[bool] = False  # leaders whose clients are done rest
    leaders: int = option(2, help="number of leaders, each with one client (3: over 600,000 states even with no fault)",
                          min=2, max=3)
    writes: int = option(1, help="writes each client makes, one after the other (2: 685,497 states at the default "
                              "budget, 124,709 with drop=1)",
                         min=1, max=2)
    faults: FaultBudget = option(FaultBudget(drop=1, duplicate=1),
                                 help="fault budget, as drop=1,duplicate=1 (the default); skew=1 breaks later_write_wins")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check multi-leader --swarm`: no fault, the default budget, partitions and pauses, two writes each
        (cheapest first; three leaders are left out: over 600,000 states even with no fault)."""
        return [dict(faults="none"), dict(faults="partition=1"), dict(faults="pause=1"), dict(),
                dict(writes=2, faults="none"), dict(faults="drop=1,duplicate=1,partition=1,pause=1"),
                dict(writes=2, faults="drop=1")]

    @property
    def leader_ids(self) -> tuple[NodeId, ...]:
        """Every leader's id (every node is a leader)."""
        return self.ids

    def actors(self) -> list[Actor]:
        """One leader per client."""
        return [MultiLeaderNode(self) for _ in range(self.leaders)]

    def now(self, s: System) -> int:
        """Real time: the largest reading of any clock."""
        return max(s.nodes[n].clock for n in self.leader_ids)

    def timer_waits(self, s: System, node: NodeId, timer: str) -> bool:
        """Synchronised clocks: a write waits until its clock has caught up with real time, a tick until it is behind;
        a retransmission waits while a copy of the write, or an acknowledgement of it, is still on its way."""
        if timer == "write":
            return s.nodes[node].clock < self.now(s)
        if timer == "tick":
            return s.nodes[node].clock >= self.now(s)
        latest = s.nodes[node].mine[-1] if timer == "resend" else None
        return super().timer_waits(s, node, timer) or any(e.msg.write == latest for e in s.network)

    # --- what the properties read ------------------------------------------------------------

    def replicas(self, s: System) -> dict[NodeId, Write]:
        """Each leader's replica."""
        return {n: s.nodes[n].current for n in self.leader_ids}

    def quiet(self, s: System) -> bool:
        """No message in flight, no retransmission owed, no client write open."""
        owed = any(s.nodes[n].unacked for n in self.leader_ids)
        return quiescent(s.network or owed, s.history)

    def stamped(self, s: System) -> dict[int, Write]:
        """Every write stamped so far, by value."""
        return {w.value: w for n in self.leader_ids for w in s.nodes[n].mine}

    @staticmethod
    def spans(s: System) -> dict[int, tuple[int, float]]:
        """Each write's (invocation, acknowledgement) positions in the history; inf while it is open."""
        spans: dict[int, tuple[int, float]] = {}
        for position, event in enumerate(s.history):
            start = spans.get(event.value, (position, 0))[0]
            spans[event.value] = (start, position if event.kind == "return" else float("inf"))
        return spans

    def overtaken(self, s: System) -> list[tuple[Write, Write]]:
        """(earlier, later): `later` was invoked after `earlier` was acknowledged, yet has the smaller stamp."""
        spans, stamped = self.spans(s), self.stamped(s)
        return [(stamped[a], stamped[b]) for a in stamped for b in stamped
                if spans[b][0] > spans[a][1] and not stamped[b].beats(stamped[a])]

    @staticmethod
    def knew(later: Write, earlier: Write, stamped: dict[int, Write]) -> bool:
        """`later` was written over `earlier`, directly or through the writes in between (it knew of it)."""
        while later.origin >= 0 and later.over != earlier.value:
            later = stamped.get(later.over, INITIAL)
        return later.origin >= 0

    def lost(self, s: System) -> list[tuple[Write, Write]]:
        """(lost, winner): an acknowledged write that no replica holds and no replica's write was made over, replaced
        at its own leader by a write invoked before it was acknowledged (concurrent with it, in both senses)."""
        spans, stamped, held = self.spans(s), self.stamped(s), self.replicas(s).values()
        return [(write, s.nodes[write.origin].current) for write in stamped.values()
                if spans[write.value][1] < float("inf") and write not in held
                and not any(self.knew(other, write, stamped) for other in held)
                and spans[s.nodes[write.origin].current.value][0] < spans[write.value][1]]

    def conflicts(self, s: System) -> list[tuple[Write, Write]]:
        """Pairs of concurrent writes: neither was written over the other."""
        stamped = self.stamped(s)
        return [(a, b) for a in stamped.values() for b in stamped.values()
                if a.value < b.value and not self.knew(a, b, stamped) and not self.knew(b, a, stamped)]

    # --- properties ----------------------------------------------------------------------------

    @always
    def converged_when_quiet(self, s: System) -> bool:
        """Replicas are equal whenever nothing is in flight, owed or open (quiescent states are converged)."""
        return converged_when_quiescent(self.replicas(s), self.quiet(s))

    @converged_when_quiet.explain
    def _why_diverged(self, s: System) -> str:
        return f"nothing is in flight, yet {explain_divergence(self.replicas(s))}: they will never agree"

    @always
    def later_write_wins(self, s: System) -> bool:
        """A write invoked after another was acknowledged has the larger stamp, so it wins at every replica."""
        return not self.overtaken(s)

    @later_write_wins.explain
    def _why_overtaken(self, s: System) -> str:
        earlier, later = self.overtaken(s)[0]
        return (f"n{later.origin}'s write {later.value} was invoked after n{earlier.origin}'s write {earlier.value} "
                f"was acknowledged, but its stamp ({later.clock}, n{later.origin}) is older than ({earlier.clock}, "
                f"n{earlier.origin}): n{later.origin}'s clock was behind real time, and last-writer-wins will keep "
                f"{earlier.value} and discard {later.value}")

    @always(by_default=False)  # LWW does not promise it: checked only when named
    def no_lost_update(self, s: System) -> bool:
        """Every acknowledged write survives at some replica, unless a write made over it, or after it in real time, replaced it."""
        return not self.lost(s)

    @no_lost_update.explain
    def _why_lost(self, s: System) -> str:
        write, winner = self.lost(s)[0]
        return (f"n{write.origin}'s write {write.value} was acknowledged but no replica holds it: n{write.origin} "
                f"replaced it with {winner.__show__()}, a concurrent write (made over {winner.over}, never having seen "
                f"{write.value}, and invoked before {write.value} was acknowledged): last-writer-wins silently "
                "discards one of two concurrent writes")

    @leads_to(once_faults_stop=True)
    def replicas_converge(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, replicas that differ eventually agree."""
        agree = converged(self.replicas(s))
        return not agree, agree

    @replicas_converge.explain
    def _why_apart(self, s: System) -> str:
        return explain_divergence(self.replicas(s))

    @sometimes
    def own_write_overwritten(self, s: System) -> bool:
        """A replica overwrites its own client's latest write with a newer one from another leader."""
        return any(s.nodes[n].mine and w.beats(s.nodes[n].mine[-1]) for n, w in self.replicas(s).items())

    @sometimes
    def concurrent_writes_resolved(self, s: System) -> bool:
        """Two writes made without knowledge of each other conflict, and the quiescent replicas agree on one of them."""
        return self.quiet(s) and bool(self.conflicts(s)) and converged(self.replicas(s))

    @sometimes(needs="drop")
    def loss_repaired_by_retransmission(self, s: System) -> bool:
        """A leader retransmitted a write, and the replicas are quiescent (so the peer got it)."""
        return any(s.nodes[n].resent for n in self.leader_ids) and self.quiet(s)
