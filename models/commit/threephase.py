"""Three-phase commit as actors: non-blocking under crashes, unsafe under a network partition.

Source: D. Skeen, "Nonblocking Commit Protocols", SIGMOD 1981; Bernstein, Hadzilacos and
Goodman, "Concurrency Control and Recovery in Database Systems" (1987), ch. 7.

The protocol: the coordinator (n0) sends CanCommit to the participants (n1..nk). A working
participant votes yes and becomes `prepared` (uncertain), or aborts on its own (its
`unilateral_abort` timer, a local failure) and votes no when CanCommit arrives. With every vote
yes the coordinator logs `precommitted` and sends PreCommit; a participant becomes
`precommitted` and acks; with every ack the coordinator commits and sends DoCommit. A no vote,
or its `timeout` before all votes are in, makes it abort and send Abort; its `timeout` while
waiting for acks makes it commit anyway (the classic rule: a silent participant has crashed).

Termination protocol (what makes 3PC non-blocking): a participant whose `timeout` fires while
prepared or precommitted sends StateReq to every other node and, on its `decide` timer, decides
from its own phase and those it `heard`: any committed -> commit; else any aborted ->
abort; else any precommitted -> commit; else (all uncertain) -> abort. Recovery: a participant
restarting in doubt asks the same way but only adopts a decision someone has made (`recover`
timer), asking again until it hears one: it may not apply the abort rule alone. A restarted
coordinator aborts if it had logged nothing, and otherwise carries on from its log.

Timing: every timer but `unilateral_abort` is "when-quiet": it fires only when no message is in
flight to a running node on its side of a partition. This is Skeen's synchronous system: a
timeout means the peer has crashed or is cut off, never that it is slow.

Faults (--faults): crash (durable: each node's `phase`, its write-ahead log), restart, drop,
partition. Simplified: the textbook elects a backup coordinator, which moves the uncertain
participants to precommitted before committing; here each participant in doubt runs the
termination rule for itself, and asks the coordinator too (alive, it may just be waiting out
its own timeout). Abstracted away: the transaction's work and data; timers running at
different speeds (no pause or skew faults).

The default fault budget is what 3PC claims to survive: crash=1,restart=1,drop=1, a node that
crashes (the coordinator included) and comes back, and a lost message. Under it every property
holds and no state is stuck (3 participants: about 180,000 states, exhaustive). A lost message
matters: with when-quiet timers, some wrong termination rules give the right answer as long as
every message arrives. Partition is not in the
default because 3PC does not survive one (below); nor are more drops, for the same reason.

Known behaviour the checker shows:
- crashes, restarts and a lost message (the default; also crash=2, crash=2,restart=1): every
  property holds and no state is stuck: the participants decide without the coordinator
  (non-blocking);
- a partition (`--faults partition=1`): the coordinator's side commits while the other side,
  all uncertain, aborts: atomicity is lost. No timeout tells a crash from a partition;
- lost messages: one or two are survived, but losses that cut a participant off from everyone
  who knows act as a partition (2 participants: crash=1,drop=2 or drop=3 break atomicity);
- after a total failure (2 participants, crash=3,restart=1) a restarted participant in doubt
  can only wait: the checker reports that state as a deadlock, and running_participants_decide
  as a run that stays there forever.

Liveness: `running_participants_decide`, checked by default: whenever a running participant is
undecided, every running participant eventually decides, even if a crashed node never comes
back. That is the non-blocking promise (2pc-actors breaks it when its coordinator stays down).
It is a leads-to, not "eventually every running participant has decided", which a run meets at
any moment its undecided participants happen to be down: with one participant and
crash=2,restart=1 that would hold, although the participant, restarted in doubt after the
coordinator crashed, waits forever. Fairness: deliveries and `unilateral_abort` are weak;
`restart` is unfair (a crashed node may stay down for good, and no one may wait for it); the
when-quiet timers (`timeout`, `decide`, `recover`) are strong. A when-quiet timer is disabled
whenever a message is in flight, so under weak fairness a participant recovering in doubt, which
asks again and again, could keep the coordinator's timeout from ever firing, and no one would
decide (2 participants, the default budget: a vote is lost, n1 crashes and restarts). A real
timer expires whatever else goes on: strong fairness, a timer ready again and again fires. Under
the default budget the property holds; after a total failure it cannot (see above).

State fields: coordinator `phase` ("waiting", "precommitted", "committed", "aborted"), `yes`
and `acks` (the participants heard from); participant `phase` ("working", "prepared",
"precommitted", "committed", "aborted"), `heard` (the phases others reported to its StateReq).
"""
from typing import ClassVar

import attrs

from checker import always, leads_to, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.system import ActorModel, System
from checker.actors.faults import FaultBudget
from specs.atomic_commit import all_decided, consistent_decisions, undecided

DECIDED = ("committed", "aborted")


@record
class CanCommit:
    """Coordinator -> participant: can you commit?"""


@record
class Vote:
    """Participant -> coordinator: its vote."""

    yes: bool


@record
class PreCommit:
    """Coordinator -> participant: everyone voted yes; get ready to commit."""


@record
class Ack:
    """Participant -> coordinator: precommitted."""


@record
class DoCommit:
    """Coordinator -> participant: commit."""


@record
class Abort:
    """Coordinator -> participant: abort."""


@record
class StateReq:
    """Participant -> every other node (termination and recovery): what is your phase?"""


@record
class StateRep:
    """Reply to StateReq: my phase (shown as `is prepared`)."""

    phase: str

    def __show__(self) -> str:
        return f"is {self.phase}"


@record
class Coordinator:
    """The coordinator's state; `phase` is its durable log."""

    DURABLE = ("phase",)
    phase: str
    yes: frozenset
    acks: frozenset


@record
class Participant:
    """A participant's state; `phase` is its durable log."""

    DURABLE = ("phase",)
    phase: str
    heard: frozenset


def termination_decision(heard: frozenset) -> str:
    """The termination protocol's rule, over the phases known: the participant's own and those it heard."""
    if "committed" in heard:
        return "committed"
    if "aborted" in heard:
        return "aborted"
    return "committed" if "precommitted" in heard else "aborted"


class CoordinatorActor(Actor):
    """n0: collects votes, precommits, collects acks, commits; aborts on a no vote or a timeout."""

    role = "coordinator"

    def __init__(self, participants: tuple[NodeId, ...]):
        self.participants = frozenset(participants)

    def on_start(self, me: NodeId, out: Out) -> Coordinator:
        out.broadcast(self.participants, CanCommit())
        out.set_timer("timeout")
        return Coordinator(phase="waiting", yes=frozenset(), acks=frozenset())

    def on_restart(self, me: NodeId, s: Coordinator, out: Out) -> Coordinator:
        if s.phase == "waiting":  # no decision logged before the crash: abort
            return self._decide(s, "aborted", out)
        if s.phase == "precommitted":
            out.set_timer("timeout")
        return s

    def on_message(self, me: NodeId, s: Coordinator, src: NodeId, msg: object, out: Out) -> Coordinator:
        if isinstance(msg, Vote) and s.phase == "waiting":
            if not msg.yes:
                return self._decide(s, "aborted", out)
            s = s.evolve(yes=s.yes | {src})
            if s.yes == self.participants:
                out.broadcast(self.participants, PreCommit())
                return s.evolve(phase="precommitted")
            return s
        if isinstance(msg, Ack) and s.phase == "precommitted":
            s = s.evolve(acks=s.acks | {src})
            return self._decide(s, "committed", out) if s.acks == self.participants else s
        if isinstance(msg, StateReq):
            out.send(src, StateRep(phase=s.phase))
        return s

    def on_timer(self, me: NodeId, s: Coordinator, timer: str, out: Out) -> Coordinator:
        if s.phase == "waiting":
            return self._decide(s, "aborted", out)
        if s.phase == "precommitted":  # a participant stayed silent: it crashed, so commit anyway
            return self._decide(s, "committed", out)
        return s

    def _decide(self, s: Coordinator, phase: str, out: Out) -> Coordinator:
        out.broadcast(self.participants, DoCommit() if phase == "committed" else Abort())
        out.cancel_timer("timeout")
        return s.evolve(phase=phase)


class ParticipantActor(Actor):
    """n1..: votes, precommits, adopts the decision; when the coordinator falls silent, asks the others."""

    role = "participant"

    def __init__(self, coordinator: NodeId, participants: tuple[NodeId, ...]):
        self.everyone = frozenset({coordinator, *participants})

    def on_start(self, me: NodeId, out: Out) -> Participant:
        out.set_timer("unilateral_abort")
        return Participant(phase="working", heard=frozenset())

    def on_restart(self, me: NodeId, s: Participant, out: Out) -> Participant:
        if s.phase == "working":
            return self.on_start(me, out)
        return s if s.phase in DECIDED else self._ask(me, s, "recover", out)

    def on_message(self, me: NodeId, s: Participant, src: NodeId, msg: object, out: Out) -> Participant:
        if isinstance(msg, CanCommit):
            if s.phase == "working":
                out.cancel_timer("unilateral_abort")
                out.set_timer("timeout")
                out.send(src, Vote(yes=True))
                return s.evolve(phase="prepared")
            if s.phase == "aborted":
                out.send(src, Vote(yes=False))
            return s
        if isinstance(msg, PreCommit) and s.phase == "prepared":
            out.send(src, Ack())
            return s.evolve(phase="precommitted")
        if isinstance(msg, DoCommit) and s.phase in ("prepared", "precommitted"):
            return self._decide(s, "committed", out)
        if isinstance(msg, Abort) and s.phase not in DECIDED:
            return self._decide(s, "aborted", out)
        if isinstance(msg, StateReq):
            out.send(src, StateRep(phase=s.phase))
        elif isinstance(msg, StateRep) and s.phase not in DECIDED:
            return s.evolve(heard=s.heard | {msg.phase})
        return s

    def on_timer(self, me: NodeId, s: Participant, timer: str, out: Out) -> Participant:
        if timer == "unilateral_abort" and s.phase == "working":
            return s.evolve(phase="aborted")
        if s.phase in DECIDED:
            return s
        if timer == "timeout":  # the coordinator fell silent: ask the others
            return self._ask(me, s, "decide", out)
        if timer == "decide":
            return self._decide(s, termination_decision(s.heard | {s.phase}), out)
        known = [p for p in DECIDED if p in s.heard]  # "recover": adopt a decision made, or ask again
        return self._decide(s, known[0], out) if known else self._ask(me, s, "recover", out)

    def _ask(self, me: NodeId, s: Participant, timer: str, out: Out) -> Participant:
        out.broadcast(self.everyone - {me}, StateReq())
        out.set_timer(timer)
        return s.evolve(heard=frozenset())

    @staticmethod
    def _decide(s: Participant, phase: str, out: Out) -> Participant:
        for timer in ("unilateral_abort", "timeout", "decide", "recover"):
            out.cancel_timer(timer)
        return s.evolve(phase=phase, heard=frozenset())


@attrs.frozen
class ThreePhase(ActorModel):
    """Three-phase commit as actors: non-blocking under crashes, unsafe under a network partition."""

    name: ClassVar[str] = "3pc"
    network_kind: ClassVar[str] = "bag"
    timer_policy: ClassVar[str] = "when-quiet"
    timer_policies: ClassVar[dict[str, str]] = {"unilateral_abort": "anytime"}
    fairness: ClassVar[dict[str, str]] = {"timeout": "strong", "decide": "strong", "recover": "strong",  # when-quiet timers
                                          "restart": "unfair"}  # a crashed node may stay down for good
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop", "partition"})
    participants: int = option(3, help="number of participants", min=1, max=5)
    faults: FaultBudget = option(FaultBudget(crash=1, restart=1, drop=1),
                                 help="fault budget, as crash=1,restart=1,drop=1,partition=1 (the default is what 3PC survives; a partition breaks it)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check 3pc --swarm`: 2 to 5 participants under the crashes, restarts and lost messages 3PC
        survives, cheapest first (measured: under 0.1 s to about 30 s each). No partition, and no more
        drops than 3PC survives: it is unsafe under those by design (see above)."""
        grid = [(2, "none"), (2, "crash=1"), (2, "crash=2"), (2, "drop=1"), (2, "crash=1,drop=1"), (2, "drop=2"),
                (2, "crash=1,restart=1"), (3, "none"), (3, "crash=1"), (3, "crash=2"), (3, "drop=1"), (4, "none"),
                (2, "crash=2,restart=1"), (2, "crash=1,restart=1,drop=1"), (3, "drop=2"), (3, "crash=1,drop=1"),
                (4, "crash=1"), (4, "drop=1"), (4, "crash=2"), (2, "crash=2,restart=2"), (3, "crash=1,restart=1"),
                (4, "drop=2"), (4, "crash=1,drop=1"), (5, "crash=1"), (3, "crash=2,restart=1"), (3, "crash=1,restart=1,drop=1")]
        return [{"participants": n, "faults": faults} for n, faults in grid]

    def actors(self) -> list[Actor]:
        ids = tuple(NodeId(i) for i in range(1, self.participants + 1))
        return [CoordinatorActor(ids), *(ParticipantActor(NodeId(0), ids) for _ in ids)]

    def symmetric_groups(self) -> list[list[NodeId]]:
        return [list(self.ids[1:])]

    def phases(self, s: System) -> tuple[str, ...]:
        """Each participant's phase."""
        return tuple(p.phase for p in s.nodes[1:])

    def undecided_running(self, s: System) -> list[NodeId]:
        """The participants that are running and have not decided."""
        return [node for node in (self.ids[i + 1] for i in undecided(self.phases(s))) if node not in s.down]

    def may_stop(self, s: System) -> bool:
        """Every running participant has decided (a crashed one cannot)."""
        return not self.undecided_running(s)

    @always
    def atomicity(self, s: System) -> bool:
        """No participant has committed while another has aborted."""
        return consistent_decisions(self.phases(s))

    @atomicity.explain
    def _why_not_atomic(self, s: System) -> str:
        names = {phase: " and ".join(f"n{i}" for i, p in enumerate(self.phases(s), 1) if p == phase) for phase in DECIDED}
        return f"{names['committed']} committed while {names['aborted']} aborted"

    @always
    def commit_needs_all_yes(self, s: System) -> bool:
        """A participant commits only if every participant voted yes: none is still working, and
        the coordinator logged precommitted (which it does only on a yes from everyone)."""
        phases = self.phases(s)
        return "committed" not in phases or "working" not in phases and s.nodes[0].phase in ("precommitted", "committed")

    @leads_to
    def running_participants_decide(self, s: System) -> tuple[bool, bool]:
        """Whenever a running participant is undecided, every running participant eventually decides (non-blocking)."""
        waiting = bool(self.undecided_running(s))
        return waiting, not waiting

    @running_participants_decide.explain
    def _why_undecided(self, s: System) -> str:
        """The running participants that wait forever, and which nodes are down."""
        waiting = [f"{node} {s.nodes[node].phase}" for node in self.undecided_running(s)]
        verb = "waits" if len(waiting) == 1 else "wait"
        coordinator = "down" if 0 in s.down else s.nodes[0].phase
        down = "".join(f", {node} is down" for node in sorted(s.down) if node)
        return f"{' and '.join(waiting)} {verb} forever undecided; the coordinator n0 is {coordinator}{down}"

    @sometimes
    def all_committed(self, s: System) -> bool:
        """Every participant commits."""
        return all(p == "committed" for p in self.phases(s))

    @sometimes(needs="crash")
    def decided_without_coordinator(self, s: System) -> bool:
        """The coordinator crashed after precommitting (every participant had voted yes and was
        uncertain), and every participant decided all the same: 3PC does not block."""
        return 0 in s.down and s.nodes[0].phase == "precommitted" and all_decided(self.phases(s))
