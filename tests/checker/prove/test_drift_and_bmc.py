"""The drift check catches each way an encoding can leave its model; bounded model checking finds
shortest runs and replays them (Hops, prove_models.py: known by hand)."""
import pytest

from checker import Verdict
from checker.prove.bmc import bmc
from checker.prove.drift import drift
from checker.prove.reach import EncodingDrift
from checker.prove.run import check_with_bmc
from prove_models import GuardMissing, GuardTooStrong, Hops, HopsProof, OddClaim, WrongInit


def test_the_right_encoding_does_not_drift():
    report = drift(HopsProof(Hops()))
    assert (report.states, report.steps, report.problems) == (3, 2, ())


@pytest.mark.parametrize(("encoding", "problem"), [
    (GuardTooStrong, "the step hop() from Spot(x=2) is not allowed by the relation of hop"),
    (GuardMissing, "the relation of hop allows Spot(x=6) from Spot(x=4), which the model does not"),
    (OddClaim, "invariant even is False symbolically but True in the model at Spot(x=0)"),
    (WrongInit, "the encoding's initial condition allows Spot(x=2), which the model does not"),
])
def test_each_kind_of_drift_is_reported(encoding, problem):
    assert problem in drift(encoding(Hops())).problems


def test_bmc_finds_the_shortest_violation_and_nothing_for_an_invariant():
    found = bmc(HopsProof(Hops()), ["below_top", "even"], max_depth=6)
    assert found.traces["below_top"].labels() == ["hop()", "hop()"]
    assert "even" not in found.traces and found.depth == 6 and found.complete


def test_bmc_result_says_a_bound_is_not_a_proof():
    result = check_with_bmc(Hops(), ["even", "below_top"], max_depth=5)
    assert result.verdict("below_top") is Verdict.VIOLATED
    assert result["even"].verdict is Verdict.UNKNOWN
    assert result["even"].note.startswith("no violation within 4 steps: bounded model checking is not a proof")
    assert result.exit_code == 1


def test_a_run_the_model_cannot_take_is_drift_not_a_counterexample():
    class Loose(GuardMissing):
        def invariants(self):
            return {"below_top": lambda s: s.x < 6}

    class Model(Hops):
        symbolic_form = Loose
    with pytest.raises(EncodingDrift, match="a step the model does not take"):
        check_with_bmc(Model(), ["below_top"], max_depth=5)
