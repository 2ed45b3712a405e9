"""Transaction commit as in TCommit.tla: the abstract specification that two-phase commit refines.

Source: Lamport's TCommit.tla in the TLA+ Examples (specifications/transaction_commit), from
Gray and Lamport, "Consensus on Transaction Commit" (2006).

The specification: N resource managers (RMs) each start "working", may prepare, and finally
decide. An RM may commit only when every RM is prepared or committed, and may abort only
while no RM has committed. There are no messages and no coordinator: this says *what* a
commit protocol must achieve, and 2pc (twophase.py) says *how*.

Abstractions: the decision rule reads every RM's state at once (a global view no real
protocol has); faults do not exist at this level.

State fields:
- rm_state[rm]: "working", "prepared", "committed" or "aborted".

A state where every RM has decided has no next step; that is the protocol's end, not a
deadlock (`may_stop`).

Liveness: `every_rm_decides` (every RM eventually commits or aborts) is checked only when
selected (`check tcommit --property every_rm_decides`), so the default run stays TLC's. Every
ground action (`decide_abort(rm=1)`) is weakly fair, TLA+'s WF on each action. That is enough:
every step moves one RM forward (working, prepared, decided), so a run stops after at most 2N
steps, and the only state where no step is enabled is one where every RM has decided. The
property rests on the decisions being fair, the spontaneous abort included: were `decide_abort`
unfair, an RM that aborts would leave the prepared ones unable to commit and nothing would make
them abort (a run that stops there forever); `prepare` needs no fairness (an RM that never
prepares aborts). There is no cycle, so no step needs strong fairness.
"""
from typing import ClassVar

import attrs

from checker import ProtocolModel, action, always, eventually, option, record, sometimes, updated
from specs.atomic_commit import all_decided, consistent_decisions, undecided

WORKING, PREPARED, COMMITTED, ABORTED = "working", "prepared", "committed", "aborted"


@record
class State:
    """One state of TCommit: the state of each RM."""

    rm_state: tuple[str, ...]


@attrs.frozen
class TCommit(ProtocolModel):
    """Transaction commit (TCommit.tla): the abstract spec that two-phase commit refines."""

    name: ClassVar[str] = "tcommit"
    symbolic_form: ClassVar[str] = "models.commit.tcommit_proof:TCommitProof"  # models/commit/tcommit_proof.py: --strategy prove and bmc (for any number of RMs too)
    rms: int = option(3, help="number of resource managers (3 gives 34 states)", min=1, max=14)

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check tcommit --swarm`: 1 to 10 RMs, smallest first (10 RMs: 60,072 states, about 6 s)."""
        return [{"rms": n} for n in range(1, 11)]

    @property
    def RM(self) -> range:
        """The resource managers, numbered from 0."""
        return range(self.rms)

    def init(self) -> State:
        return State(rm_state=(WORKING,) * self.rms)

    def may_stop(self, s: State) -> bool:
        """Every RM has decided: the end of the protocol."""
        return all_decided(s.rm_state)

    @action(rm="RM")
    def prepare(self, s: State, rm: int) -> State | None:
        """A working RM prepares."""
        if s.rm_state[rm] == WORKING:
            return s.evolve(rm_state=updated(s.rm_state, rm, PREPARED))
        return None

    @action(rm="RM")
    def decide_commit(self, s: State, rm: int) -> State | None:
        """A prepared RM commits, once every RM is prepared or committed (canCommit)."""
        if s.rm_state[rm] == PREPARED and all(r in (PREPARED, COMMITTED) for r in s.rm_state):
            return s.evolve(rm_state=updated(s.rm_state, rm, COMMITTED))
        return None

    @action(rm="RM")
    def decide_abort(self, s: State, rm: int) -> State | None:
        """An undecided RM aborts, as long as no RM has committed (notCommitted)."""
        if s.rm_state[rm] in (WORKING, PREPARED) and COMMITTED not in s.rm_state:
            return s.evolve(rm_state=updated(s.rm_state, rm, ABORTED))
        return None

    @always
    def consistent(self, s: State) -> bool:
        """No RM has committed while another has aborted (TCConsistent)."""
        return consistent_decisions(s.rm_state)

    @eventually(by_default=False)
    def every_rm_decides(self, s: State) -> bool:
        """Every RM eventually commits or aborts (under weak fairness of every action)."""
        return all_decided(s.rm_state)

    @every_rm_decides.explain
    def _why_undecided(self, s: State) -> str:
        """Which RMs stay undecided, and what keeps each decision out of reach."""
        rms = undecided(s.rm_state)
        waiting = " and ".join(f"RM {rm} {s.rm_state[rm]}" for rm in rms)
        verb = "stays" if len(rms) == 1 else "stay"
        if ABORTED in s.rm_state:
            why = f"RM {s.rm_state.index(ABORTED)} aborted, which rules out commit, and no abort is ever taken"
        elif COMMITTED in s.rm_state:
            why = f"RM {s.rm_state.index(COMMITTED)} committed, which rules out abort, and no commit is ever taken"
        else:
            why = "no RM ever decides"
        return f"{waiting} {verb} undecided forever: {why}"

    @sometimes
    def all_committed(self, s: State) -> bool:
        """Every RM commits."""
        return all(r == COMMITTED for r in s.rm_state)

    @sometimes
    def all_aborted(self, s: State) -> bool:
        """Every RM aborts."""
        return all(r == ABORTED for r in s.rm_state)
