"""Two-phase commit as actors: a coordinator and participants that crash, restart and lose messages.

Source: the classic protocol (Gray, "Notes on Data Base Operating Systems", 1978; Bernstein,
Hadzilacos and Goodman, "Concurrency Control and Recovery", ch. 7), and the seed's `TwoPhaseCommit`
("Distributed Systems Questions", the seed document, section 3).

The protocol: the coordinator (n0) sends Prepare to every participant. A participant that can
commit writes a prepare record and votes yes; one that cannot (its `unilateral_abort` timer,
standing for a local failure) aborts and votes no. With every vote yes the coordinator logs
commit and sends Commit; with any no vote, or when its `retry` timer fires before all votes
arrive, it logs abort and sends Abort. Participants adopt the decision and acknowledge; the
coordinator re-sends its decision on `retry` until every participant has acknowledged.

Faults (from the checker, --faults): crash and restart of any node (durable: the coordinator's
decision, each participant's phase, as their write-ahead logs), message loss. The network is
TLA+'s set of messages, so a message may be delivered any number of times. The default budget,
crash=1,restart=1, is a crash and a recovery (the `recovered_after_crash` witness needs both).
2PC survives lost messages too (the coordinator's `retry` resends), but a drop is not in the
default: with 3 participants crash=1,restart=1,drop=1 is about 195,000 states and over a minute,
against 16,000 states and a few seconds; `--participants 2 --faults crash=1,restart=1,drop=1`
(about 10,000 states) shows it holds.

Known behaviour the checker shows: with a crash and no restart (`--faults crash=1`), a crashed
coordinator leaves prepared participants waiting forever: a state with no way forward, reported
as a deadlock, and as the liveness lasso of `running_participants_decide` (2PC is a blocking
protocol). Liveness is judged under the checker's default fairness: every delivery and timer
that stays enabled happens, and a restart left in the budget is recovery (a crashed node comes
back), so with crash=1,restart=1 every running participant decides.

Known bug (`--bug skip-failed-commit`): the seed's phase 2, where `participant.Commit()`
failing is only logged. A participant whose prepare record is lost in a crash answers Commit
with CommitFailed, and the coordinator skips it: atomicity is lost.

State fields: coordinator `decision` ("none", "commit", "abort"), `yes_votes`, `acked`
(NodeIds); participant `phase` ("working", "prepared", "committed", "aborted").
"""
from typing import ClassVar

import attrs

from checker import always, leads_to, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.system import ActorModel, System
from checker.actors.faults import FaultBudget
from specs.atomic_commit import all_decided, consistent_decisions


@record
class Prepare:
    """Coordinator -> participant: can you commit?"""


@record
class Vote:
    """Participant -> coordinator: its vote."""

    yes: bool


@record
class Commit:
    """Coordinator -> participant: the decision is commit."""


@record
class Abort:
    """Coordinator -> participant: the decision is abort."""


@record
class Ack:
    """Participant -> coordinator: decision applied."""


@record
class CommitFailed:
    """Participant -> coordinator: Commit arrived but this participant cannot commit."""


@record
class Coordinator:
    """The coordinator's state; `decision` is its durable log."""

    DURABLE = ("decision",)
    decision: str
    yes_votes: frozenset
    acked: frozenset


@record
class Participant:
    """A participant's state; with the correct protocol its phase is its durable log."""

    DURABLE = ("phase",)
    phase: str


@record
class ForgetfulParticipant:
    """The bug variant's participant: nothing survives a crash (no prepare record)."""

    phase: str


class CoordinatorActor(Actor):
    """n0: collects votes, decides, and repeats its decision until every participant acks."""

    role = "coordinator"

    def __init__(self, participants: tuple[NodeId, ...], skip_failed: bool):
        self.participants = frozenset(participants)
        self.skip_failed = skip_failed

    def on_start(self, me: NodeId, out: Out) -> Coordinator:
        out.broadcast(self.participants, Prepare())
        out.set_timer("retry")
        return Coordinator(decision="none", yes_votes=frozenset(), acked=frozenset())

    def on_restart(self, me: NodeId, state: Coordinator, out: Out) -> Coordinator:
        out.set_timer("retry")
        if state.decision == "none":  # presumed abort: no decision logged before the crash
            return self._decide(state.evolve(acked=frozenset()), "abort", out)
        self._announce(state.decision, self.participants, out)
        return state.evolve(yes_votes=frozenset(), acked=frozenset())

    def on_message(self, me: NodeId, s: Coordinator, src: NodeId, msg: object, out: Out) -> Coordinator:
        if isinstance(msg, Vote) and s.decision == "none":
            if not msg.yes:
                return self._decide(s, "abort", out)
            s = s.evolve(yes_votes=s.yes_votes | {src})
            return self._decide(s, "commit", out) if s.yes_votes == self.participants else s
        if isinstance(msg, Ack) or isinstance(msg, CommitFailed) and self.skip_failed:
            # the seed: `log.Error("Partial commit failure!")`, and the participant counts as done
            acked = s.acked | {src}
            if acked == self.participants:
                out.cancel_timer("retry")
            return s.evolve(acked=acked)
        return s

    def on_timer(self, me: NodeId, s: Coordinator, timer: str, out: Out) -> Coordinator:
        if s.decision == "none":
            return self._decide(s, "abort", out)
        self._announce(s.decision, self.participants - s.acked, out)
        out.set_timer("retry")
        return s

    def _decide(self, s: Coordinator, decision: str, out: Out) -> Coordinator:
        self._announce(decision, self.participants - s.acked, out)
        out.set_timer("retry")
        return s.evolve(decision=decision)

    @staticmethod
    def _announce(decision: str, to: frozenset, out: Out) -> None:
        out.broadcast(to, Commit() if decision == "commit" else Abort())


class ParticipantActor(Actor):
    """n1..: votes on Prepare, may abort on its own before voting, adopts the decision."""

    role = "participant"

    def __init__(self, coordinator: NodeId, forgetful: bool):
        self.coordinator = coordinator
        self.state_class = ForgetfulParticipant if forgetful else Participant

    def on_start(self, me: NodeId, out: Out) -> Participant:
        out.set_timer("unilateral_abort")
        return self.state_class(phase="working")

    def on_message(self, me: NodeId, s: Participant, src: NodeId, msg: object, out: Out) -> Participant:
        if isinstance(msg, Prepare):
            if s.phase == "working":
                out.cancel_timer("unilateral_abort")
                out.send(src, Vote(yes=True))
                return s.evolve(phase="prepared")
            if s.phase in ("prepared", "aborted"):
                out.send(src, Vote(yes=s.phase == "prepared"))
            return s
        if isinstance(msg, Commit):
            if s.phase in ("prepared", "committed"):
                out.send(src, Ack())
                return s.evolve(phase="committed")
            out.send(src, CommitFailed())
            return s
        if isinstance(msg, Abort) and s.phase != "committed":
            out.cancel_timer("unilateral_abort")
            out.send(src, Ack())
            return s.evolve(phase="aborted")
        return s

    def on_timer(self, me: NodeId, s: Participant, timer: str, out: Out) -> Participant:
        if s.phase == "working":
            out.send(self.coordinator, Vote(yes=False))
            return s.evolve(phase="aborted")
        return s


@attrs.frozen
class TwoPhaseActors(ActorModel):
    """Two-phase commit as actors: a coordinator and participants under crashes and message loss."""

    name: ClassVar[str] = "2pc-actors"
    bugs: ClassVar[dict[str, str]] = {
        "skip-failed-commit": "the seed's phase 2: a participant that fails to commit is logged and skipped (breaks atomicity)",
    }
    network_kind: ClassVar[str] = "set"
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop"})
    participants: int = option(3, help="number of participants", min=1, max=6)
    faults: FaultBudget = option(FaultBudget(crash=1, restart=1), help="fault budget, as crash=1,restart=1,drop=1")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check 2pc-actors --swarm`: 2 to 4 participants under crash/restart and drop budgets, cheapest
        first (measured: 0.1 s to about 60 s each). A crash is always paired with a restart: 2PC blocks
        while its coordinator stays down, which the deadlock check reports in every configuration."""
        grid = [(2, "none"), (2, "drop=1"), (2, "crash=1,restart=1"), (3, "none"), (2, "crash=2,restart=2"),
                (2, "crash=1,restart=1,drop=1"), (2, "drop=2"), (3, "drop=1"), (3, "crash=1,restart=1"), (4, "none"),
                (3, "crash=2,restart=2"), (3, "crash=1,restart=1,drop=1"), (4, "crash=1,restart=1")]
        return [{"participants": n, "faults": faults} for n, faults in grid]

    def actors(self) -> list[Actor]:
        ids = tuple(NodeId(i) for i in range(1, self.participants + 1))
        forgetful = self.has_bug("skip-failed-commit")
        return [CoordinatorActor(ids, skip_failed=forgetful), *(ParticipantActor(NodeId(0), forgetful) for _ in ids)]

    def symmetric_groups(self) -> list[list[NodeId]]:
        return [list(self.ids[1:])]

    def phases(self, s: System) -> tuple[str, ...]:
        """Each participant's phase."""
        return tuple(p.phase for p in s.nodes[1:])

    def may_stop(self, s: System) -> bool:
        """Every participant has decided: the transaction is over."""
        return all_decided(self.phases(s))

    @always
    def atomicity(self, s: System) -> bool:
        """No participant has committed while another has aborted."""
        return consistent_decisions(self.phases(s))

    @atomicity.explain
    def _why_not_atomic(self, s: System) -> str:
        return ", ".join(f"n{i} {p}" for i, p in enumerate(self.phases(s), start=1))

    @always
    def commit_is_decided(self, s: System) -> bool:
        """A participant commits only after the coordinator has logged commit."""
        return "committed" not in self.phases(s) or s.nodes[0].decision == "commit"

    @leads_to
    def running_participants_decide(self, s: System) -> tuple[bool, bool]:
        """Whenever a running participant is undecided, every running participant eventually decides (2PC blocks: not when the coordinator stays down)."""
        waiting = bool(self._undecided_running(s))
        return waiting, not waiting

    @running_participants_decide.explain
    def _why_undecided(self, s: System) -> str:
        waiting = [f"n{node} {phase}" for node, phase in self._undecided_running(s)]
        coordinator = "down" if 0 in s.down else f"up, decision {s.nodes[0].decision}"
        return f"{', '.join(waiting)} wait forever; the coordinator n0 is {coordinator}"

    def _undecided_running(self, s: System) -> list[tuple[int, str]]:
        """(node, phase) of each running participant that has not decided."""
        return [(node, p.phase) for node, p in enumerate(s.nodes[1:], start=1) if node not in s.down and p.phase not in ("committed", "aborted")]

    @sometimes
    def all_committed(self, s: System) -> bool:
        """Every participant commits."""
        return all(p == "committed" for p in self.phases(s))

    @sometimes(needs=("crash", "restart"))
    def recovered_after_crash(self, s: System) -> bool:
        """A node crashed and restarted, and the transaction still finished."""
        return s.budget[1] < self.faults.restart and self.may_stop(s) and not s.down
