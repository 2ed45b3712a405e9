"""2PC blocks: with the coordinator down for good, prepared participants wait forever (a liveness
lasso); with a restart in the budget (recovery) or no fault, every running participant decides."""
import pytest

from checker import check
from checker.verdict import Verdict
from models.commit.twophase_actors import TwoPhaseActors

NAME = "running_participants_decide"


def liveness(model, **options):
    return next(p for p in check(model, **options).properties if p.name == NAME)


def test_a_coordinator_that_stays_down_blocks_the_prepared_participants():
    """`check 2pc-actors --faults crash=1` (3 participants): the blocking run, which stays forever where no fair step is enabled."""
    prop = liveness(TwoPhaseActors(faults="crash=1"))
    assert prop.verdict is Verdict.VIOLATED
    assert prop.trace.stays_forever and len(prop.trace) == 4
    assert sorted(prop.trace.labels()) == ["crash(node=n0)"] + [f"deliver(src=n0, dst=n{n}, msg=Prepare())" for n in (1, 2, 3)]
    assert prop.explanation == "n1 prepared, n2 prepared, n3 prepared wait forever; the coordinator n0 is down"
    assert prop.note == "a fair run of 4 steps that stays at step 4 forever (no fair step is enabled there); p holds at step 0, q never after"


@pytest.mark.parametrize("faults", ["crash=1,restart=1", "none"])
def test_with_recovery_or_without_faults_every_participant_decides(faults):
    """A restart left in the budget is recovery (weakly fair): the coordinator comes back and decides."""
    assert liveness(TwoPhaseActors(participants=2, faults=faults)).verdict is Verdict.HOLDS


@pytest.mark.parametrize("faults", ["crash=1", "crash=1,restart=1", "crash=2,restart=1"])
def test_symmetry_and_workers_do_not_change_the_verdict(faults):
    """The same verdict and lasso length with symmetry reduction, without it, and on two workers."""
    results = [liveness(TwoPhaseActors(participants=2, faults=faults, symmetry=symmetry), workers=workers)
               for symmetry, workers in ((True, 1), (False, 1), (True, 2))]
    assert len({(p.verdict, None if p.trace is None else len(p.trace)) for p in results}) == 1


def test_the_deadlock_does_not_stop_the_liveness_search():
    """The blocking state is a deadlock too: both are reported, and every safety property is still judged."""
    verdicts = {p.name: p.verdict for p in check(TwoPhaseActors(participants=2, faults="crash=1")).properties}
    assert verdicts["deadlock_free"] is Verdict.VIOLATED and verdicts[NAME] is Verdict.VIOLATED
    assert verdicts["atomicity"] is Verdict.HOLDS
