"""The Paxos.tla mirror: TLC's figures (generated included), with and without symmetry, its witnesses, and why the counts agree."""
from collections import deque

import pytest

from checker import Kind, ModelView, StopReason, UsageError, Verdict, check
from models.consensus.paxos_tla import Msg1a, Msg1b, Msg2a, Msg2b, PaxosTLA, State, renamed, renamings

PROPERTIES = ("type_ok", "last_vote_is_cast", "messages_truthful", "voting_invariant", "consistency", "refines_voting",
              "value_chosen", "chosen_value_voted_later", "deadlock_free")


def explore(model):
    """Every reachable state with its BFS depth (initial state: 1), and the number of steps taken, by a plain BFS over `successors`."""
    start = model.init()
    depth, queue, steps = {start: 1}, deque([start]), 0
    while queue:
        state = queue.popleft()
        for _label, nxt in model.successors(state):
            steps += 1
            if nxt not in depth:
                depth[nxt] = depth[state] + 1
                queue.append(nxt)
    return depth, steps


@pytest.fixture(scope="module")
def reachable():
    """The default configuration's reachable states, with their depths, and its step count."""
    return explore(PaxosTLA())


@pytest.fixture(scope="module")
def default_run():
    """`check(PaxosTLA())`, run once for the tests that read its result."""
    return check(PaxosTLA())


def replay(model, labels):
    """The state reached by taking the steps named by `labels` from the initial state."""
    state = model.init()
    for label in labels:
        state = next(nxt for lab, nxt in model.successors(state) if str(lab) == label)
    return state


def test_reproduces_tlc_figures(default_run):
    """3 acceptors, 2 values, ballots {0, 1}: 3,921 distinct, 23,563 generated, depth 17, every property HOLDS (TLC)."""
    result = default_run
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (3921, 23563, 17)
    assert result.stop is StopReason.EXHAUSTED
    assert [p.name for p in result.properties] == list(PROPERTIES)
    assert all(p.verdict is Verdict.HOLDS for p in result.properties)


def test_symmetry_reproduces_tlc_distinct_count():
    """With MCSymmetry (acceptors and values permuted): 443 distinct (TLC), 2,697 generated, depth 17, the same verdicts."""
    result = check(PaxosTLA(symmetry=True))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (443, 2697, 17)
    assert result.stop is StopReason.EXHAUSTED
    assert all(p.verdict is Verdict.HOLDS for p in result.properties)


@pytest.mark.parametrize("symmetry", [False, True])
def test_mcpaxos_as_committed_reproduces_its_manifest(symmetry):
    """MCPaxos.tla as committed (one acceptor, one value): 25 distinct, 82 generated, depth 9 (the Examples' manifest.json)."""
    result = check(PaxosTLA(acceptors=1, values=1, symmetry=symmetry))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (25, 82, 9)


def test_figures_match_a_plain_bfs(reachable):
    """A hand BFS over the model's successors finds the same 3,921 states, depth 17, and 23,562 steps (+1 initial state: generated)."""
    depth, steps = reachable
    assert (len(depth), steps + 1, max(depth.values())) == (3921, 23563, 17)


def test_one_generated_state_per_witness(reachable):
    """As TLC, Phase2a yields one state per witness m: two acceptors reporting the same highest vote give two equal successors."""
    model = PaxosTLA()
    state = next(s for s in reachable[0] if len(twin_witnesses(model, s)) == 2)
    twins = twin_witnesses(model, state)
    assert len({nxt for _label, nxt in twins}) == 1
    assert len({label.kwargs["m"] for label, _nxt in twins}) == 2


def twin_witnesses(model, state):
    """The Phase2a steps from `state` for ballot 1, v1 and quorum {0, 1} justified by a reported vote (m not None)."""
    return [(label, nxt) for label, nxt in model.successors(state)
            if label.name == "phase2a" and label.kwargs["b"] == 1 and label.kwargs["q"] == frozenset({0, 1})
            and label.kwargs["m"] is not None]


def test_each_acceptor_promises_each_ballot_once(reachable):
    """At most one 1b message per acceptor and ballot (Phase1b's guard): Phase2a's `\\A a \\in Q : \\E m \\in Q1b` has one witness."""
    for state in reachable[0]:
        promises = [(m.acc, m.bal) for m in state.msgs if type(m) is Msg1b]
        assert len(promises) == len(set(promises)), state


def test_phase1a_is_always_enabled_and_the_first_steps_are_tlcs():
    """The initial state has TLC's two successors (Phase1a(0), Phase1a(1)); nothing else is enabled."""
    model = PaxosTLA()
    assert [str(label) for label, _nxt in model.successors(model.init())] == ["phase1a(b=0)", "phase1a(b=1)"]


def test_value_chosen_witness_is_six_steps(default_run):
    """A value is chosen in 6 steps: begin ballot 0, two promises, the proposal, two votes."""
    model = PaxosTLA()
    trace = default_run["value_chosen"].trace
    assert len(trace) == 6
    assert [label.split("(")[0] for label in trace.labels()].count("phase2b") == 2
    assert model.value_chosen(replay(model, trace.labels()))


def test_chosen_value_voted_later_needs_a_forced_proposal(default_run):
    """The later-ballot witness takes 11 steps, and its ballot-1 proposal is justified by a reported vote, not a free choice."""
    model = PaxosTLA()
    trace = default_run["chosen_value_voted_later"].trace
    # Ballot 0: begin, two promises, the proposal, two votes (6); ballot 1: begin, two promises, the proposal, one vote (5).
    assert len(trace) == 11
    proposal = next(step.action for step in trace.steps[1:] if step.action.name == "phase2a" and step.action.kwargs["b"] == 1)
    assert isinstance(proposal.kwargs["m"], Msg1b) and proposal.kwargs["m"].mbal == 0
    assert model.chosen_value_voted_later(replay(model, trace.labels()))


def test_every_witness_is_reached(default_run):
    """Both sometimes properties have a witness, so no HOLDS is vacuous."""
    witnesses = [p for p in default_run.properties if p.kind is Kind.SOMETIMES]
    assert {p.name for p in witnesses} == {"value_chosen", "chosen_value_voted_later"}
    assert all(p.verdict is Verdict.HOLDS and p.discovered for p in witnesses)


def test_only_exhausted_ballots_stop_the_protocol(reachable, default_run):
    """States with no step to a different state exist (the bound on ballots), and every one has begun every ballot (may_stop)."""
    model = PaxosTLA()
    stuck = [s for s in reachable[0] if all(nxt == s for _label, nxt in model.successors(s))]
    assert stuck
    assert all(model.may_stop(s) for s in stuck)
    assert default_run.verdict("deadlock_free") is Verdict.HOLDS


def test_representative_is_canonical(reachable):
    """Every renaming of a state has the same representative, itself reachable: 443 classes among the 3,921 states."""
    model = PaxosTLA(symmetry=True)
    states = reachable[0]
    representatives = {model.representative(s) for s in states}
    assert len(representatives) == 443
    assert representatives <= set(states)
    for state in list(states)[::97]:
        assert {model.representative(renamed(state, *r)) for r in renamings(3, model.Value)} == {model.representative(state)}


def test_symmetry_is_off_unless_asked():
    """Without `symmetry` the engine does not use the representative hook: it searches concrete states."""
    assert not ModelView(PaxosTLA()).has_symmetry
    assert ModelView(PaxosTLA(symmetry=True)).has_symmetry


def test_dfs_agrees_with_bfs():
    """DFS finds the same states and generated count, with the same verdicts."""
    result = check(PaxosTLA(), strategy="dfs")
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated) == (3921, 23563)


def test_two_chosen_values_break_consistency():
    """Consistency is not vacuous: a state where v1 and v2 each have a quorum's votes violates it, and the explanation names them."""
    model = PaxosTLA()
    votes = {Msg2b(0, 0, "v1"), Msg2b(1, 0, "v1"), Msg2b(1, 1, "v2"), Msg2b(2, 1, "v2")}
    state = State(max_bal=(0, 1, 1), max_vbal=(0, 1, 1), max_val=("v1", "v2", "v2"), msgs=frozenset(votes))
    assert not model.consistency(state)
    assert "v1 in ballot 0" in model._why_inconsistent(state) and "v2 in ballot 1" in model._why_inconsistent(state)
    assert not model.voting_invariant(state)


def test_unjustified_proposal_breaks_messages_truthful():
    """Inv3 is not vacuous: a 2a message without a quorum's promises behind it violates it."""
    model = PaxosTLA()
    state = model.init().evolve(msgs=frozenset({Msg1a(0), Msg2a(0, "v1")}))
    assert model.type_ok(state)
    assert not model.messages_truthful(state)


def test_a_vote_without_proposal_does_not_refine_voting():
    """VotingSpecBar is not vacuous: a vote cast with no quorum showing it safe is no step of Voting."""
    model = PaxosTLA()
    before = model.init()
    after = State(max_bal=(1, -1, -1), max_vbal=(1, -1, -1), max_val=("v1", None, None), msgs=frozenset({Msg2b(0, 1, "v1")}))
    assert not model.refines_voting(before, None, after)


@pytest.mark.parametrize("kwargs", [{"acceptors": 0}, {"values": 0}, {"ballots": 1}, {"acceptors": 6}, {"symmetry": "yes"}])
def test_bad_options_are_refused(kwargs):
    """Options outside their ranges are a UsageError naming the problem."""
    with pytest.raises(UsageError):
        PaxosTLA(**kwargs)
