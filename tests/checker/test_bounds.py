"""Search bounds (depth, states, time) and the model's state constraint, with hand-computed outcomes."""
import pytest

from checker import StopReason, UsageError, Verdict, check
from tiny_models import BoundedCounter, Counter, Graph, chain, cycle, diamond, verdicts


def test_depth_bound_that_cuts_the_search_is_unknown():
    """max_depth=3 on a chain of 5 states: 3 states seen, UNKNOWN, DEPTH_LIMIT, exit code 3."""
    result = check(chain(5), max_depth=3)
    assert result.stop is StopReason.DEPTH_LIMIT
    assert verdicts(result) == {"never_bad": "UNKNOWN", "deadlock_free": "UNKNOWN"}
    assert result.exit_code == 3
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == (3, 3, 3)
    assert result.bounds.max_depth == 3


def test_depth_bound_one_keeps_only_the_initial_states():
    """max_depth=1 means paths of one state: only the initial state is seen."""
    result = check(chain(5), max_depth=1)
    assert result.stop is StopReason.DEPTH_LIMIT
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == (1, 1, 1)


def test_depth_bound_equal_to_the_longest_path_is_exhaustive():
    """max_depth=5 on a chain of 5 states covers every path: EXHAUSTED and HOLDS."""
    result = check(chain(5), max_depth=5)
    assert result.stop is StopReason.EXHAUSTED
    assert result.exit_code == 0
    assert result.stats.distinct == 5
    assert check(chain(5), max_depth=4).stop is StopReason.DEPTH_LIMIT


def test_depth_bound_leading_only_to_seen_states_is_exhaustive():
    """On the 3-cycle, max_depth=3 sees all states (the last edge returns to state 0): EXHAUSTED."""
    assert check(cycle(), max_depth=3).stop is StopReason.EXHAUSTED
    assert check(cycle(), max_depth=2).stop is StopReason.DEPTH_LIMIT


def test_bad_state_beyond_the_depth_bound_is_unknown_not_holds():
    """The bad state is the 5th on the chain: UNKNOWN at max_depth=4, VIOLATED at max_depth=5."""
    assert check(chain(5, bad={4}), max_depth=4).verdict("never_bad") is Verdict.UNKNOWN
    check(chain(5, bad={4}), max_depth=5).assert_discovery("never_bad", ["step()"] * 4)


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_deadlock_at_the_depth_bound_is_not_missed(strategy):
    """State 1 is reached within max_depth=2 and has no successor: deadlock_free must not HOLD."""
    result = check(Graph({0: [("a", 1)], 1: []}), max_depth=2, strategy=strategy)
    assert result.verdict("deadlock_free") is Verdict.VIOLATED, (result.stop, verdicts(result))
    result.assert_discovery("deadlock_free", ["a()"])


def test_transition_property_on_an_unexplored_step_is_not_holds():
    """With max_depth=3 on the 3-cycle the step 2 -> 0 is never checked, so good_step cannot HOLD."""
    result = check(Graph(cycle().edges, bad_steps={(2, 0)}), max_depth=3)
    assert result.verdict("good_step") is not Verdict.HOLDS, (result.stop, verdicts(result))
    assert result.exit_code != 0


def test_state_bound_that_cuts_the_search_is_unknown():
    """max_states=3 on a chain of 10: UNKNOWN, STATE_LIMIT, exit code 3, and the chain is not finished."""
    result = check(chain(10), max_states=3)
    assert result.stop is StopReason.STATE_LIMIT
    assert verdicts(result) == {"never_bad": "UNKNOWN", "deadlock_free": "UNKNOWN"}
    assert result.exit_code == 3
    assert 3 <= result.stats.distinct < 10


def test_state_bound_on_an_infinite_model_stops_it():
    """The infinite counter stops at the state bound with UNKNOWN for its invariant and witness."""
    result = check(Counter(), max_states=50)
    assert result.stop is StopReason.STATE_LIMIT
    assert result.verdict("not_bad") is Verdict.UNKNOWN
    assert result.verdict("reaches_goal") is Verdict.UNKNOWN


def test_state_bound_above_the_state_count_is_exhaustive():
    """max_states=100 on 4 states does not cut anything."""
    result = check(chain(4), max_states=100)
    assert result.stop is StopReason.EXHAUSTED
    assert result.exit_code == 0


def test_time_limit_stops_an_infinite_model():
    """The infinite counter with time_limit=0.2 s stops on TIME_LIMIT, UNKNOWN, exit code 3."""
    result = check(Counter(), time_limit=0.2)
    assert result.stop is StopReason.TIME_LIMIT
    assert verdicts(result) == {"not_bad": "UNKNOWN", "reaches_goal": "UNKNOWN", "deadlock_free": "UNKNOWN"}
    assert result.exit_code == 3
    assert 0.2 <= result.stats.seconds < 5
    assert result.bounds.time_limit == 0.2


def test_time_limit_not_reached_is_exhaustive():
    """A generous time limit on a small graph does not change the verdict."""
    assert check(diamond(), time_limit=30).stop is StopReason.EXHAUSTED


def test_state_constraint_holds_within_bounds():
    """BoundedCounter(limit=3): states 0..3 only; 4 is generated but not counted; HOLDS within bounds."""
    result = check(BoundedCounter(limit=3, bad=5, goal=2))
    assert verdicts(result) == {"not_bad": "HOLDS", "reaches_goal": "HOLDS", "deadlock_free": "HOLDS"}
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == (5, 4, 4)
    assert result.stop is StopReason.EXHAUSTED
    assert result["not_bad"].note == "in every reachable state within the model's state constraint"
    assert result.bounds.state_constraint
    assert "the model's state constraint" in result.bounds.describe()
    assert result.exit_code == 0


def test_state_constraint_still_finds_bad_states_inside_it():
    """A bad value inside the constraint is found with its shortest trace."""
    check(BoundedCounter(limit=3, bad=3)).assert_discovery("not_bad", ["inc()"] * 3)


def test_witness_outside_the_state_constraint_is_not_reached():
    """A witness only outside the constraint is NOT REACHED, naming the bounds that may be too small."""
    result = check(BoundedCounter(limit=3, goal=5))
    assert result.verdict("reaches_goal") is Verdict.NOT_REACHED
    assert result.exit_code == 1
    assert result["reaches_goal"].note == ("no reachable state satisfies it within the model's state constraint; "
                                           "the bounds (bad=-1, goal=5, limit=3) may be too small to reach it")


def test_state_constraint_on_a_plain_model():
    """The diamond restricted to {0, 1, 3}: state 2 is generated but neither counted nor expanded."""
    result = check(Graph(diamond().edges, ends={3}, bad={2}, inside={0, 1, 3}))
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == (4, 3, 3)
    assert result.verdict("never_bad") is Verdict.HOLDS


@pytest.mark.parametrize(
    "bounds",
    [
        {"max_depth": 0},
        {"max_depth": -1},
        {"max_states": 0},
        {"max_states": -5},
        {"time_limit": 0},
        {"time_limit": -1.0},
        {"time_limit": float("inf")},
        {"time_limit": float("nan")},
        {"strategy": "astar"},
    ],
)
def test_bad_bounds_are_usage_errors(bounds):
    """Impossible bounds and unknown strategies are refused before any search."""
    with pytest.raises(UsageError):
        check(diamond(), **bounds)
