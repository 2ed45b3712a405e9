"""TCommit and TwoPhase proved with Z3 for the given RMs and any number; the seeded bugs give
reachable counterexamples; bounded model checking matches the explorer; the encodings do not drift."""
import pytest

from checker import Verdict, check
from checker.faces.replay import replay_file
from checker.faces.trace_io import load, save
from checker.model import ModelView
from checker.prove import symbolic_form
from checker.prove.drift import drift
from checker.prove.induction import prove
from checker.prove.reach import as_states
from checker.prove.run import check_with_bmc, check_with_prover
from models.commit.tcommit import TCommit
from models.commit.twophase import TwoPhase

BUGS = ("rm-aborts-after-prepare", "tm-commits-early")


@pytest.mark.parametrize("model", [TCommit(rms=3), TwoPhase(rms=3), TwoPhase(rms=7)], ids=str)
def test_consistency_is_proved_for_the_given_rms_and_for_any_number(model):
    result = check_with_prover(model)
    assert result.verdict("consistent") is Verdict.PROVED
    assert result["consistent"].note == f"inductive: holds at every depth for {model.rms} RMs and for any number"
    assert all(p.verdict in (Verdict.PROVED, Verdict.NOT_JUDGED) for p in result.properties)
    assert result.exit_code == 0


def test_twophase_consistency_needs_its_strengthening_and_its_counterexample_is_unreachable():
    base = type(symbolic_form(TwoPhase()))

    class Unstrengthened(base):
        def lemmas(self):
            return {}

    class Bare(TwoPhase):
        symbolic_form = Unstrengthened
    result = check_with_prover(Bare(rms=3), ["consistent"])
    assert result.verdict("consistent") is Verdict.NOT_INDUCTIVE
    assert "no run reaches its state" in result["consistent"].note and "the claims need strengthening" in result["consistent"].note
    assert result.exit_code == 3


@pytest.mark.parametrize("bug", BUGS)
def test_each_seeded_bug_gives_a_reachable_counterexample_as_short_as_the_explorers(bug):
    model = TwoPhase(rms=3, bug=bug)
    proved = check_with_prover(model)["consistent"]
    explored = check(model, properties=["consistent"])["consistent"]
    assert proved.verdict is Verdict.VIOLATED and "a real bug" in proved.note
    assert len(proved.trace) == len(explored.trace)


def test_a_counterexample_for_any_number_of_rms_decodes_to_a_step_of_the_model_of_that_size():
    enc = symbolic_form(TwoPhase(rms=3, bug="rm-aborts-after-prepare"), parametric=True)
    cex = prove(enc, list(enc.invariants()))["consistent"].counterexample
    sized, step = as_states(enc, cex)
    assert sized.model.rms == cex.sizes["RM"] and step.steps[1].action.name == cex.action
    assert step.steps[1].state in [nxt for _label, nxt in sized.model.successors(step.steps[0].state)]


@pytest.mark.parametrize("bug", BUGS)
def test_bmc_gives_the_explorers_length_and_its_trace_replays(bug, tmp_path):
    model = TwoPhase(rms=3, bug=bug)
    bounded = check_with_bmc(model, ["consistent"])["consistent"]
    explored = check(model, properties=["consistent"])["consistent"]
    assert bounded.verdict is Verdict.VIOLATED and len(bounded.trace) == len(explored.trace)
    save(tmp_path / "bmc.json", "2pc", model.options(), bounded)
    replayed = replay_file(model, load(tmp_path / "bmc.json"))
    assert replayed.failing_step == len(bounded.trace) and replayed.trace == bounded.trace


@pytest.mark.parametrize("model", [TCommit(rms=3), TwoPhase(rms=2), TwoPhase(rms=2, bug=BUGS[0]), TwoPhase(rms=2, bug=BUGS[1])], ids=str)
def test_the_encodings_do_not_drift(model):
    report = drift(symbolic_form(model), lemmas=model.options().get("bug") is None)
    assert report.problems == ()
    assert report.states == len(list(_reachable(model)))


def _reachable(model):
    view, seen, frontier = ModelView(model), set(), list(ModelView(model).init_states)
    while frontier:
        state = frontier.pop()
        if state not in seen:
            seen.add(state)
            frontier += [nxt for _label, nxt in view.successors(state)]
    return seen
