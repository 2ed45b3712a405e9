"""Induction on Hops (prove_models.py), whose answers are known by hand, and on the commit models."""
import pytest

from checker import Verdict
from checker.errors import DefinitionError
from checker.prove import Encoding
from checker.prove.induction import COUNTEREXAMPLE, PROVED, prove
from checker.prove.run import check_with_prover
from prove_models import Hops, HopsProof, NotThreeAlone, NotThreeWithLemma, WrongLemma


def statuses(proof):
    return {c.name: c.status for c in proof.claims}


def test_even_is_inductive_and_the_field_types_are_proved_with_it():
    proof = prove(HopsProof(Hops()), ["even", "not_three"])
    assert statuses(proof) == {"even": PROVED, "not_three": PROVED, "field_types": PROVED}


def test_not_three_alone_has_a_counterexample_to_induction_from_one_to_three():
    verdict = prove(NotThreeAlone(Hops()), ["not_three"])["not_three"]
    assert verdict.status == COUNTEREXAMPLE
    cex = verdict.counterexample
    assert (cex.action, cex.before, cex.after) == ("hop", {"x": 1}, {"x": 3})


def test_a_lemma_makes_not_three_inductive():
    assert statuses(prove(NotThreeWithLemma(Hops()), ["not_three"])) == {"not_three": PROVED, "x_even": PROVED, "field_types": PROVED}


def test_houdini_drops_a_failing_lemma_and_keeps_what_does_not_rest_on_it():
    proof = prove(WrongLemma(Hops()), ["not_three"])
    assert proof["x_small"].status == COUNTEREXAMPLE
    assert proof["not_three"].status == COUNTEREXAMPLE  # without x_small, from x = 1: its own counterexample


def test_the_unreachable_counterexample_is_judged_by_the_explicit_engine():
    class Alone(Hops):
        symbolic_form = NotThreeAlone
    result = check_with_prover(Alone(), ["not_three"])
    verdict = result["not_three"]
    assert verdict.verdict is Verdict.NOT_INDUCTIVE
    assert "no run reaches its state (3 states searched exhaustively" in verdict.note
    assert [step.state.x for step in verdict.trace.steps] == [1, 3]
    assert result.exit_code == 3


def test_a_reachable_violation_comes_with_the_shortest_trace():
    result = check_with_prover(Hops(), ["below_top"])
    verdict = result["below_top"]
    assert verdict.verdict is Verdict.VIOLATED
    assert verdict.trace.labels() == ["hop()", "hop()"]
    assert result.exit_code == 1


def test_a_false_lemma_is_shown_false_by_a_run_and_fails_nothing_by_itself():
    class Wrong(Hops):
        symbolic_form = WrongLemma
    result = check_with_prover(Wrong(), ["not_three"])
    assert result["x_small"].verdict is Verdict.NOT_INDUCTIVE
    assert "a run breaks the lemma (2 steps" in result["x_small"].note
    assert result["x_small"].trace.labels() == ["hop()", "hop()"]


def test_everything_proved_exits_zero_and_other_properties_are_not_judged():
    result = check_with_prover(Hops())
    assert result.verdict("even") is Verdict.PROVED and result.verdict("not_three") is Verdict.PROVED
    assert result.verdict("at_top") is Verdict.NOT_JUDGED
    assert result.exit_code == 0


def test_an_encoding_naming_an_unknown_action_or_property_is_refused_eagerly():
    class Misnamed(HopsProof):
        def invariants(self):
            return {"odd": lambda s: s.x % 2 == 1}
    with pytest.raises(DefinitionError, match="invariant 'odd' is not an always property"):
        Misnamed(Hops())


def test_vacuous_claims_are_said_to_be_vacuous():
    class Contradiction(HopsProof):
        def lemmas(self):
            return {"never": lambda s: s.x != s.x}
    proof = prove(Contradiction(Hops()), ["even"])
    assert proof.vacuous.startswith("vacuous: no state satisfies the invariants and lemmas")
    assert all(c.status == "unknown" for c in proof.claims)


def test_encoding_is_abstract():
    with pytest.raises(NotImplementedError):
        Encoding(Hops())
