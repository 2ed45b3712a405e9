"""Raft's election on its own: pinned counts, the seeded bugs' shortest traces, and Election Safety
proved with Z3 for the given servers and any number of them (a ghost field keeps the proof's
claims universal; a guard that reads it is refused)."""
import pytest

from checker import Verdict, check
from checker.errors import DefinitionError
from checker.prove import step, symbolic_form, when
from checker.prove.drift import drift
from checker.prove.run import check_with_prover
from models.consensus.raft_election import RaftElection
from models.consensus.raft_election_proof import RaftElectionProof


@pytest.mark.parametrize(("options", "figures"), [(dict(nodes=2), (853, 16)), (dict(max_term=2), (5096, 14))])
def test_counts(options, figures):
    result = check(RaftElection(**options))
    assert (result.stats.distinct, result.stats.depth) == figures
    assert result.exit_code == 0


@pytest.mark.parametrize(("bug", "steps"), [("volatile-vote", 9), ("vote-any-request", 8)])
def test_each_bug_elects_two_leaders_in_a_term(bug, steps):
    found = check(RaftElection(bug=bug), properties=["election_safety"])["election_safety"]
    assert found.verdict is Verdict.VIOLATED and len(found.trace) == steps
    assert "were both elected" in found.explanation


def test_election_safety_is_proved_for_three_servers_and_for_any_number():
    result = check_with_prover(RaftElection())
    assert result["election_safety"].note == "inductive: holds at every depth for 3 servers and for any number"
    assert result.verdict("majorities_intersect") is Verdict.PROVED
    assert result.exit_code == 0


@pytest.mark.parametrize("bug", ["volatile-vote", "vote-any-request"])
def test_a_seeded_bug_gives_a_reachable_counterexample_as_short_as_the_explorers(bug):
    proved = check_with_prover(RaftElection(bug=bug))["election_safety"]
    explored = check(RaftElection(bug=bug), properties=["election_safety"])["election_safety"]
    assert proved.verdict is Verdict.VIOLATED and len(proved.trace) == len(explored.trace)


@pytest.mark.parametrize(("options", "states"), [(dict(nodes=2, max_term=2), 139), (dict(nodes=2, max_term=1, bug="volatile-vote"), 61)], ids=str)
def test_the_encoding_does_not_drift(options, states):
    report = drift(symbolic_form(RaftElection(**options)), lemmas="bug" not in options)
    assert (report.problems, report.states) == ((), states)


def test_a_guard_that_reads_the_ghost_is_refused():
    class Peeking(RaftElectionProof):
        @step(n="Server", q="Majority")
        def become_leader(self, s, n, q):
            effect = super().become_leader(s, n, q)
            return when(effect.guard & (s.leader_quorum[s.term[n]] == q), **effect.updates)
    with pytest.raises(DefinitionError, match="reads the ghost field leader_quorum"):
        Peeking(RaftElection()).relation("become_leader", *(Peeking(RaftElection()).state(p) for p in "st"))


def test_overriding_a_step_without_marking_it_is_refused():
    class Unmarked(RaftElectionProof):
        def restart(self, s, n):
            return super().restart(s, n)
    with pytest.raises(DefinitionError, match="overrides a step without @step"):
        Unmarked(RaftElection())


def test_no_proof_for_any_number_rests_on_quorums_nothing_proved_to_intersect():
    class Undeclared(RaftElection):
        def quorum_systems(self):
            return []
    result = check_with_prover(Undeclared())
    assert result["election_safety"].note == "inductive: holds at every depth for 3 servers"
    assert any("not attempted: the symbolic form assumes that quorums intersect" in note for note in result.notes)
