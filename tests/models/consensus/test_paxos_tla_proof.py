"""Paxos.tla's agreement proved with Z3 (Inv1-Inv4 and three lemmas, inductive together, where Inv
alone is not); the encoding does not drift from the model; seeded mistakes in the encoding are caught."""
from checker import Verdict
from checker.prove import step, symbolic_form, when
from checker.prove.drift import drift
from checker.prove.induction import COUNTEREXAMPLE, PROVED, prove
from checker.prove.run import check_with_prover
from models.consensus.paxos_tla import PaxosTLA
from models.consensus.paxos_tla_proof import PaxosTLAProof

INVARIANTS = ("type_ok", "last_vote_is_cast", "messages_truthful", "voting_invariant", "consistency")


def test_agreement_and_paxos_tla_inv_are_proved_at_the_default_sizes():
    result = check_with_prover(PaxosTLA())
    for name in INVARIANTS:
        assert result.verdict(name) is Verdict.PROVED, (name, result[name].note)
    assert result["consistency"].note == "inductive: holds at every depth for 3 acceptors, 2 values, 2 ballots"
    assert all(p.verdict in (Verdict.PROVED, Verdict.NOT_JUDGED) for p in result.properties)
    assert result.exit_code == 0


def test_the_symbolic_form_is_for_the_given_sizes_only():
    enc = symbolic_form(PaxosTLA(), parametric=True)
    assert isinstance(enc, PaxosTLAProof) and not enc.parametric


def test_the_encoding_does_not_drift_on_a_small_instance():
    model = PaxosTLA(acceptors=2, values=1, ballots=2)
    report = drift(symbolic_form(model))
    assert report.problems == ()
    assert report.states == _reachable(model) and report.steps > report.states


def test_a_phase2b_that_ignores_the_promise_drifts():
    class IgnoresPromise(PaxosTLAProof):
        @step(a="Acceptor", b="Ballot", v="Val")
        def phase2b(self, s, a, b, v):
            return when(s.m2a[b, v], **super().phase2b(s, a, b, v).updates)  # the guard without b >= maxBal[a]
    report = drift(IgnoresPromise(PaxosTLA(acceptors=1, values=1, ballots=2)), most_problems=1)
    assert len(report.problems) == 1 and "the relation of phase2b allows" in report.problems[0]


def test_without_messages_truthful_the_invariants_are_not_inductive():
    class Untruthful(PaxosTLAProof):
        def invariants(self):
            return {n: c for n, c in super().invariants().items() if n != "messages_truthful"}
    enc = Untruthful(PaxosTLA())
    proof = prove(enc, list(enc.invariants()))
    assert proof["type_ok"].status == PROVED
    failed = {c.name: c.counterexample for c in proof.claims if c.status == COUNTEREXAMPLE}
    assert "voting_invariant" in failed and failed["voting_invariant"].action in ("phase2a", "phase2b")
    assert all(c.status in (PROVED, COUNTEREXAMPLE) for c in proof.claims)


def test_paxos_tla_inv_alone_is_not_inductive():
    class Unstrengthened(PaxosTLAProof):
        def lemmas(self):
            return {}
    enc = Unstrengthened(PaxosTLA(acceptors=2))
    proof = prove(enc, list(enc.invariants()))
    assert proof["consistency"].status == COUNTEREXAMPLE and proof["messages_truthful"].status == COUNTEREXAMPLE


def _reachable(model) -> int:
    seen, frontier = {model.init()}, [model.init()]
    while frontier:
        state = frontier.pop()
        for _label, nxt in model.successors(state):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return len(seen)

