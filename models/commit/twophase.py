"""Two-phase commit as in TwoPhase.tla: a transaction manager (TM) and N resource managers (RMs).

Source: Lamport's TwoPhase.tla in the TLA+ Examples (specifications/transaction_commit), from
Gray and Lamport, "Consensus on Transaction Commit" (2006). It refines TCommit (tcommit.py).

The protocol: each RM decides on its own to prepare (vote yes) or to abort. A preparing RM
sends a Prepared message. Once the TM has received Prepared from every RM it may decide
commit; it may decide abort at any time before that. It broadcasts its decision, and each RM
adopts the decision when it receives it.

Abstractions (as in the TLA+ spec): messages are the set of every message ever sent, so
they can be received any number of times, in any order, and are never lost; there are no
crashes and no timeouts; the TM may abort spontaneously, which stands for a timeout.

State fields:
- rm_state[rm]: "working", "prepared", "committed" or "aborted";
- tm_state: "init" until the TM decides, then "done";
- tm_prepared: the RMs from which the TM has received Prepared;
- msgs: every message sent so far: Prepared(rm), Commit() or Abort().

Known bugs (`--bug`):
- rm-aborts-after-prepare: an RM that voted yes aborts on its own; the TM still commits on its
  vote, so one RM commits while another aborts;
- tm-commits-early: the TM commits without waiting for every vote.

Liveness: `every_rm_decides` (every RM eventually commits or aborts) is checked only when
selected (`check 2pc --property every_rm_decides`), so the default run and TLC's figures stay as
they are (TwoPhase.tla states safety only). Every ground action (`rm_prepare(rm=1)`) is weakly
fair, TLA+'s WF on each action, and that is enough: every step adds to what is known (a vote, a
message, a decision), so runs are finite, and a fair run ends only once the TM has decided and
each RM holds its decision. It rests on two of those assumptions: the TM's abort (its timeout)
and the RMs' receipt of the decision. Were `tm_abort` unfair, a TM one of whose RMs aborted on
its own would wait forever for that vote, and the RMs that prepared forever for a decision
(2PC's blocking, here without a crash); the RMs' choices and the TM's receipt of votes and
its commit need no fairness. The bugs break safety, not this: every RM still ends up with the
TM's decision.
"""
from typing import ClassVar

import attrs

from checker import ProtocolModel, action, added, always, eventually, option, record, sometimes, updated
from specs.atomic_commit import all_decided, consistent_decisions, undecided

WORKING, PREPARED, COMMITTED, ABORTED = "working", "prepared", "committed", "aborted"


@record
class Prepared:
    """RM `rm` has prepared (voted yes)."""

    rm: int


@record
class Commit:
    """The TM's commit decision."""


@record
class Abort:
    """The TM's abort decision."""


COMMIT, ABORT = Commit(), Abort()


@record
class State:
    """One state of TwoPhase: the RMs, the TM, and every message sent."""

    rm_state: tuple[str, ...]
    tm_state: str
    tm_prepared: frozenset[int]
    msgs: frozenset[Prepared | Commit | Abort]


@attrs.frozen
class TwoPhase(ProtocolModel):
    """Two-phase commit (TwoPhase.tla shape): a TM and N RMs, messages as the set of all sent."""

    name: ClassVar[str] = "2pc"
    symbolic_form: ClassVar[str] = "models.commit.twophase_proof:TwoPhaseProof"  # models/commit/twophase_proof.py: --strategy prove and bmc (for any number of RMs too)
    bugs: ClassVar[dict[str, str]] = {
        "rm-aborts-after-prepare": "an RM that voted yes aborts on its own (breaks consistent)",
        "tm-commits-early": "the TM commits before every RM has voted (breaks commit_needs_all_prepared)",
    }
    rms: int = option(3, help="number of resource managers (3 gives 288 states, 7 gives 296,448)", min=1, max=12)

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check 2pc --swarm`: 1 to 7 RMs, smallest first (7 RMs: 296,448 states, about 30 s)."""
        return [{"rms": n} for n in range(1, 8)]

    @property
    def RM(self) -> range:
        """The resource managers, numbered from 0."""
        return range(self.rms)

    def init(self) -> State:
        return State(rm_state=(WORKING,) * self.rms, tm_state="init", tm_prepared=frozenset(), msgs=frozenset())

    def may_stop(self, s: State) -> bool:
        """Every RM has decided: only steps that change nothing remain, which is the protocol's end."""
        return all_decided(s.rm_state)

    @action(rm="RM")
    def tm_rcv_prepared(self, s: State, rm: int) -> State | None:
        """The TM receives a Prepared message from `rm`."""
        if s.tm_state == "init" and Prepared(rm) in s.msgs:
            return s.evolve(tm_prepared=added(s.tm_prepared, rm))
        return None

    @action
    def tm_commit(self, s: State) -> State | None:
        """The TM decides commit once every RM is prepared."""
        if s.tm_state == "init" and (len(s.tm_prepared) == self.rms or self.has_bug("tm-commits-early")):
            return s.evolve(tm_state="done", msgs=added(s.msgs, COMMIT))
        return None

    @action
    def tm_abort(self, s: State) -> State | None:
        """The TM decides abort (spontaneously: this stands for a timeout)."""
        if s.tm_state == "init":
            return s.evolve(tm_state="done", msgs=added(s.msgs, ABORT))
        return None

    @action(rm="RM")
    def rm_prepare(self, s: State, rm: int) -> State | None:
        """A working RM prepares and tells the TM."""
        if s.rm_state[rm] == WORKING:
            return s.evolve(rm_state=updated(s.rm_state, rm, PREPARED), msgs=added(s.msgs, Prepared(rm)))
        return None

    @action(rm="RM")
    def rm_choose_to_abort(self, s: State, rm: int) -> State | None:
        """A working RM aborts on its own (the bug: a prepared one may too)."""
        if s.rm_state[rm] == WORKING or s.rm_state[rm] == PREPARED and self.has_bug("rm-aborts-after-prepare"):
            return s.evolve(rm_state=updated(s.rm_state, rm, ABORTED))
        return None

    @action(rm="RM")
    def rm_rcv_commit_msg(self, s: State, rm: int) -> State | None:
        """An RM receives the commit decision."""
        if COMMIT in s.msgs:
            return s.evolve(rm_state=updated(s.rm_state, rm, COMMITTED))
        return None

    @action(rm="RM")
    def rm_rcv_abort_msg(self, s: State, rm: int) -> State | None:
        """An RM receives the abort decision."""
        if ABORT in s.msgs:
            return s.evolve(rm_state=updated(s.rm_state, rm, ABORTED))
        return None

    @always
    def consistent(self, s: State) -> bool:
        """No RM has committed while another has aborted (TCConsistent)."""
        return consistent_decisions(s.rm_state)

    @consistent.explain
    def _why_inconsistent(self, s: State) -> str:
        committed = [rm for rm in self.RM if s.rm_state[rm] == COMMITTED]
        aborted = [rm for rm in self.RM if s.rm_state[rm] == ABORTED]
        return f"RMs {committed} committed while RMs {aborted} aborted"

    @always
    def commit_needs_all_prepared(self, s: State) -> bool:
        """The TM decides commit only after every RM has prepared."""
        return COMMIT not in s.msgs or all(Prepared(rm) in s.msgs for rm in self.RM)

    @eventually(by_default=False)
    def every_rm_decides(self, s: State) -> bool:
        """Every RM eventually commits or aborts (under weak fairness of every action)."""
        return all_decided(s.rm_state)

    @every_rm_decides.explain
    def _why_undecided(self, s: State) -> str:
        """Which RMs stay undecided, and what they wait for."""
        rms = undecided(s.rm_state)
        waiting = " and ".join(f"RM {rm} {s.rm_state[rm]}" for rm in rms) + (" stays" if len(rms) == 1 else " stay")
        if s.tm_state == "init":
            return f"{waiting} undecided forever: the TM never decides (it has Prepared from RMs {sorted(s.tm_prepared)} of {self.rms})"
        decision = "Commit" if COMMIT in s.msgs else "Abort"
        return f"{waiting} undecided forever: the TM sent {decision}, which never arrives"

    @sometimes
    def all_committed(self, s: State) -> bool:
        """Every RM commits: the happy path is reachable."""
        return all(r == COMMITTED for r in s.rm_state)

    @sometimes
    def aborted_after_prepare(self, s: State) -> bool:
        """An RM that prepared learns the abort decision: the TM's timeout path is reachable."""
        return all_decided(s.rm_state) and ABORTED in s.rm_state and ABORT in s.msgs and any(isinstance(m, Prepared) for m in s.msgs)
