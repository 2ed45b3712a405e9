"""The correct two-phase commit model: TLC's figures, its witnesses, and every engine's verdicts."""
from collections import deque

import pytest

from checker import Kind, StopReason, UsageError, Verdict, check
from models.commit.tcommit import TCommit
from models.commit.twophase import TwoPhase

INVARIANTS = ("consistent", "commit_needs_all_prepared")
WITNESSES = ("all_committed", "aborted_after_prepare")


def reachable(model):
    """Every reachable state, by a plain BFS over `model.successors` (no engine involved)."""
    start = list(model.init_states())
    seen, queue = set(start), deque(start)
    while queue:
        for _label, nxt in model.successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def replay_labels(model, labels):
    """The state reached by calling the model's action methods along `labels`, failing if one is disabled."""
    state = model.init()
    for label in labels:
        state = next(nxt for lab, nxt in model.successors(state) if str(lab) == label)
    return state


def test_three_rms_reproduces_tlc_figures():
    """TwoPhase with 3 RMs: 288 distinct, 1,146 generated, depth 11, exhaustive, all HOLDS (TLC)."""
    result = check(TwoPhase(rms=3))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (288, 1146, 11)
    assert result.stop is StopReason.EXHAUSTED
    assert [p.verdict for p in result.properties] == [Verdict.HOLDS] * len(result.properties)
    assert {"consistent", "commit_needs_all_prepared", "all_committed", "aborted_after_prepare"} <= {p.name for p in result.properties}


def test_five_rms_reproduces_tlc_distinct_count():
    """TwoPhase with 5 RMs: 8,832 distinct states, exhaustive, all HOLDS (TLC)."""
    result = check(TwoPhase(rms=5))
    result.assert_ok()
    assert result.stats.distinct == 8832
    assert result.stop is StopReason.EXHAUSTED


def test_engine_count_matches_a_plain_bfs_over_successors():
    """The engine's 288 agrees with a hand BFS over the model's own successors."""
    assert len(reachable(TwoPhase(rms=3))) == 288


def test_all_committed_witness_is_the_shortest_happy_path():
    """all_committed is witnessed in 10 steps: 3 prepares, 3 receipts, commit, 3 commit receipts."""
    model = TwoPhase(rms=3)
    result = check(model)
    result.assert_discovery("all_committed")
    trace = result["all_committed"].trace
    # Shortest: Commit needs tm_prepared = all 3 RMs (3 rm_prepare + 3 tm_rcv_prepared + tm_commit),
    # then each of the 3 RMs needs its own rm_rcv_commit_msg: 10 steps, no fewer.
    assert len(trace) == 10
    assert model.all_committed(trace.last)
    assert model.all_committed(replay_labels(model, trace.labels()))


def test_aborted_after_prepare_witness_is_five_steps():
    """aborted_after_prepare is witnessed in 5 steps: tm_abort, a prepare, and one decision per RM."""
    model = TwoPhase(rms=3)
    result = check(model)
    result.assert_discovery("aborted_after_prepare")
    trace = result["aborted_after_prepare"].trace
    # Shortest: Abort needs tm_abort, a Prepared message needs an rm_prepare, and each of the 3 RMs
    # needs its own deciding step (no action changes two RMs): 1 + 1 + 3 = 5.
    assert len(trace) == 5
    assert "tm_abort()" in trace.labels()
    assert model.aborted_after_prepare(trace.last)
    assert model.aborted_after_prepare(replay_labels(model, trace.labels()))


def test_every_sometimes_property_is_witnessed():
    """Each sometimes property of 2pc has a witness trace, so HOLDS is never vacuous."""
    result = check(TwoPhase(rms=3))
    sometimes = [p for p in result.properties if p.kind is Kind.SOMETIMES]
    assert {p.name for p in sometimes} == set(WITNESSES)
    for prop in sometimes:
        assert prop.verdict is Verdict.HOLDS and prop.discovered, prop


def test_dfs_agrees_with_bfs():
    """DFS explores the same 288 states and gives the same verdicts as BFS."""
    bfs, dfs = check(TwoPhase(rms=3)), check(TwoPhase(rms=3), strategy="dfs")
    dfs.assert_ok()
    assert dfs.stop is StopReason.EXHAUSTED
    assert (dfs.stats.distinct, dfs.stats.generated) == (288, 1146)
    assert [(p.name, p.verdict) for p in dfs.properties] == [(p.name, p.verdict) for p in bfs.properties]


def test_simulation_agrees_but_never_claims_an_invariant_holds():
    """Seeded simulation finds both witnesses and says UNKNOWN (never HOLDS) for invariants."""
    result = check(TwoPhase(rms=3), strategy="simulate", seed=0, max_states=250, max_depth=15)
    for name in WITNESSES:
        assert result.verdict(name) is Verdict.HOLDS, name
    for prop in result.properties:
        if prop.kind is not Kind.SOMETIMES:
            assert prop.verdict is Verdict.UNKNOWN, prop
    assert not result.violations
    assert result.stop is not StopReason.EXHAUSTED
    assert result.exit_code == 3


def test_simulation_is_deterministic_for_a_seed():
    """The same seed gives the same walks: identical figures and witness traces."""
    runs = [check(TwoPhase(rms=3), strategy="simulate", seed=3, max_states=200, max_depth=15) for _ in range(2)]
    assert runs[0].stats.distinct == runs[1].stats.distinct
    assert runs[0].stats.generated == runs[1].stats.generated
    assert [p.trace and p.trace.labels() for p in runs[0].properties] == [p.trace and p.trace.labels() for p in runs[1].properties]


def test_refines_tcommit():
    """Every reachable 2pc state's RM states form a reachable TCommit state (2pc refines TCommit)."""
    abstract = {s.rm_state for s in reachable(TCommit(rms=3))}
    concrete = {s.rm_state for s in reachable(TwoPhase(rms=3))}
    assert concrete <= abstract
    assert len(concrete) == 34  # and it reaches every abstract state


@pytest.mark.parametrize("kwargs", [{"rms": 0}, {"rms": 13}, {"bug": "nope"}])
def test_bad_parameters_are_refused(kwargs):
    """An out-of-range RM count or an unknown bug name is a UsageError naming the problem."""
    with pytest.raises(UsageError):
        TwoPhase(**kwargs)
