"""2pc-actors: pinned figures, the same verdicts with and without symmetry, the blocking trace, the seed's bug."""
import pytest

from checker import Verdict, check
from checker.actors.faults import FaultBudget
from models.commit.twophase_actors import TwoPhaseActors

BLOCKING = ["deliver(src=n0, dst=n1, msg=Prepare())", "deliver(src=n0, dst=n2, msg=Prepare())", "crash(node=n0)"]


@pytest.mark.parametrize(("symmetry", "distinct"), [(True, 1609), (False, 2913)])
def test_default_faults_pinned_and_safe(symmetry, distinct):
    """Two participants, crash=1 and restart=1: exhaustive, every property holds, counts pinned."""
    assert TwoPhaseActors().faults == FaultBudget(crash=1, restart=1)  # a crash and a recovery: what recovered_after_crash needs
    result = check(TwoPhaseActors(participants=2, symmetry=symmetry))
    result.assert_ok()
    assert result.stats.distinct == distinct


@pytest.mark.parametrize("symmetry", [True, False])
def test_a_crashed_coordinator_blocks_prepared_participants(symmetry):
    """crash=1 without restart: the shortest trace to a stuck state is both prepares, then the crash."""
    result = check(TwoPhaseActors(participants=2, faults=FaultBudget(crash=1), symmetry=symmetry))
    result.assert_discovery("deadlock_free", BLOCKING)


def test_three_participants_one_crash_is_exhaustive():
    """Three participants, one crash: exhaustive (3,748 states with symmetry), atomicity holds."""
    result = check(TwoPhaseActors(participants=3, faults=FaultBudget(crash=1)), stop_on_first_violation=False)
    assert result.stop.is_complete and result.stats.distinct == 3748
    assert result.verdict("atomicity") is Verdict.HOLDS
    assert result.verdict("deadlock_free") is Verdict.VIOLATED


def test_seeds_phase_two_breaks_atomicity():
    """skip-failed-commit: n2 loses its prepare record in a crash, aborts, and is skipped after n1 committed."""
    result = check(TwoPhaseActors(participants=2, bug="skip-failed-commit"))
    result.assert_discovery("atomicity", [
        "deliver(src=n0, dst=n1, msg=Prepare())", "deliver(src=n0, dst=n2, msg=Prepare())",
        "deliver(src=n1, dst=n0, msg=Vote(yes=True))", "deliver(src=n2, dst=n0, msg=Vote(yes=True))",
        "deliver(src=n0, dst=n1, msg=Commit())", "crash(node=n2)", "restart(node=n2)",
        "timeout(node=n2, timer='unilateral_abort')",
    ])
    assert result["atomicity"].explanation == "n1 committed, n2 aborted"


def test_message_loss_is_survived():
    """With a lost message as well, the coordinator's retries still finish the transaction safely (not in the
    default budget: with 3 participants it is about 195,000 states; see the module docstring)."""
    result = check(TwoPhaseActors(participants=2, faults=FaultBudget(crash=1, restart=1, drop=1)))
    result.assert_ok()
    assert result.stats.distinct == 9788
