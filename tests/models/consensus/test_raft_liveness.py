"""Raft's liveness properties, once faults stop: a leader is elected, entries commit, logs converge.

Small bounds (three servers, two terms, two messages in flight) keep each search under a few
seconds; the verdicts with and without symmetry reduction must agree.
"""
import pytest

from checker import check
from checker.verdict import Verdict
from models.consensus.raft import Raft

LIVENESS = ["leader_elected_eventually", "entries_committed_eventually", "logs_converge_eventually"]
SMALL = dict(nodes=3, max_term=2, max_in_flight=2)


def verdicts(result):
    return {p.name: p.verdict for p in result.properties if p.kind.is_liveness}


@pytest.mark.parametrize(("faults", "symmetry"), [("none", True), ("none", False), ("crash=1,restart=1", True)])
def test_the_correct_protocol_is_live_within_its_bounds(faults, symmetry):
    """Every liveness property holds on the correct protocol, with symmetry reduction or without."""
    result = check(Raft(**SMALL, faults=faults, symmetry=symmetry))
    assert verdicts(result) == {name: Verdict.HOLDS for name in LIVENESS}


def test_liveness_runs_by_default():
    """`check raft` judges the liveness properties without being asked."""
    names = [p.name for p in check(Raft(**SMALL, faults="none")).properties]
    assert all(name in names for name in LIVENESS)


def test_runs_the_term_bound_cuts_are_counted_not_violated():
    """With one term, a split vote cannot be retried: the run stops at the bound, and the verdict says so."""
    result = check(Raft(nodes=3, max_term=1, max_in_flight=2, faults="none"), properties=["leader_elected_eventually"])
    prop = result.properties[0]
    assert prop.verdict is Verdict.HOLDS
    assert "1 where a run would stay forever but for the model's bound (a server at term 1 cannot start another election)" in prop.note


@pytest.mark.parametrize("symmetry", [True, False])
def test_a_candidate_that_never_retries_leaves_the_cluster_without_a_leader(symmetry):
    """no-election-retry: three candidates split the vote and nobody runs again, before the term bound."""
    model = Raft(**SMALL, faults="none", bug="no-election-retry", symmetry=symmetry)
    prop = check(model, properties=["leader_elected_eventually"]).properties[0]
    assert prop.verdict is Verdict.VIOLATED
    assert sorted(prop.trace.labels()) == [f"timeout(node=n{n}, timer='election')" for n in range(3)]
    assert prop.trace.stays_forever and prop.trace.loop_start == 3
    assert prop.explanation == ("no leader: n0 candidate of term 1 (no election timer), n1 candidate of term 1 "
                                "(no election timer), n2 candidate of term 1 (no election timer)")


def test_the_bug_breaks_no_safety_property():
    """no-election-retry is a liveness bug only: every invariant still holds."""
    result = check(Raft(**SMALL, faults="none", bug="no-election-retry"))
    safety = {p.name: p.verdict for p in result.properties if p.kind.value in ("always", "transition")}
    assert set(safety.values()) == {Verdict.HOLDS}
