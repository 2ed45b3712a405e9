"""Quorum intersection: the lemma for any N goes through by induction and fails when its premise
is weakened; configurations whose sizes do not add up to more than N give two disjoint quorums."""
import pytest

from checker import Verdict
from checker.prove.quorums import QuorumLemmaFailed, QuorumSystem, disjoint_quorums, intersection_lemma, judge_quorums
from checker.prove.run import check_with_prover
from models.consensus.paxos import Paxos
from models.replication.quorum import Quorum


def test_the_lemma_for_any_n_is_proved_in_five_queries():
    assert intersection_lemma() == 5


def test_the_lemma_fails_when_the_sizes_may_add_up_to_just_n():
    with pytest.raises(QuorumLemmaFailed, match="did not prove"):
        intersection_lemma(slack=0)


@pytest.mark.parametrize(("n", "q1", "q2", "meet"), [(3, 2, 2, True), (5, 3, 3, True), (4, 2, 2, False), (5, 4, 2, True),
                                                     (5, 1, 4, False), (1, 1, 1, True)])
def test_sizes_meet_exactly_when_they_add_up_to_more_than_n(n, q1, q2, meet):
    found = judge_quorums(QuorumSystem("q", n, q1, q2))
    assert found.proved is meet
    if not meet:
        a, b = found.disjoint
        assert (len(a), len(b)) == (q1, q2) and not a & b and a | b <= set(range(n))


def test_no_disjoint_quorums_when_they_must_meet():
    assert disjoint_quorums(QuorumSystem("q", 3, 2, 2)) is None


def test_read_and_write_quorums_of_the_quorum_model():
    assert check_with_prover(Quorum()).verdict("read_write_quorums_intersect") is Verdict.PROVED
    stale = check_with_prover(Quorum(r=1, w=1))
    assert stale.verdict("read_write_quorums_intersect") is Verdict.VIOLATED and stale.exit_code == 1
    assert "the read quorum" in stale["read_write_quorums_intersect"].note


def test_flexible_paxos_quorums():
    assert check_with_prover(Paxos(phase1_quorum=3, phase2_quorum=1)).verdict("phase_quorums_intersect") is Verdict.PROVED
    assert check_with_prover(Paxos(phase1_quorum=1, phase2_quorum=2)).verdict("phase_quorums_intersect") is Verdict.VIOLATED
