"""Breadth-first search on tiny graphs whose counts, verdicts and shortest traces are known by hand."""
from typing import ClassVar

import attrs
import pytest

from checker import ProtocolModel, StopReason, Verdict, action, always, check, sometimes
from tiny_models import Count, Graph, Lights, chain, cycle, dead_ends, diamond, self_loop, two_roads, verdicts


def figures(result):
    return result.stats.generated, result.stats.distinct, result.stats.depth


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (cycle, (4, 3, 3)),
        (diamond, (5, 4, 3)),
        (self_loop, (4, 2, 2)),
        (lambda: chain(1), (1, 1, 1)),
        (lambda: chain(4), (4, 4, 4)),
    ],
    ids=["cycle", "diamond", "self_loop", "single_state", "chain4"],
)
def test_counts_follow_tlc_conventions(make, expected):
    """generated counts initial states and every successor (seen or not); depth counts levels from 1."""
    result = check(make())
    assert figures(result) == expected
    assert result.stop is StopReason.EXHAUSTED
    assert result.exit_code == 0
    assert verdicts(result) == {"never_bad": "HOLDS", "deadlock_free": "HOLDS"}


def test_counts_with_two_initial_states():
    """Two initial states both leading to one state: generated 4, distinct 3, depth 2."""
    result = check(Graph({0: [("a", 1)], 5: [("b", 1)], 1: []}, init=(0, 5), ends={1}))
    assert figures(result) == (4, 3, 2)


def test_counts_on_an_authored_model():
    """Lights(n=3): 8 states, each with 3 successors: generated 1 + 8*3 = 25, depth 4."""
    result = check(Lights(n=3), properties=["at_most_n", "deadlock_free"])
    assert figures(result) == (25, 8, 4)
    result.assert_ok()


def test_deadlock_is_reported_with_the_shortest_trace():
    """Two dead states; deadlock_free is VIOLATED by the nearer one (a, c), not the one after b, e, f."""
    result = check(dead_ends())
    assert result.verdict("deadlock_free") is Verdict.VIOLATED
    result.assert_discovery("deadlock_free", ["a()", "c()"])
    assert [step.state for step in result["deadlock_free"].trace.steps] == [0, 1, 3]
    assert result.verdict("never_bad") is Verdict.UNKNOWN
    assert result.stop is StopReason.FIRST_VIOLATION
    assert result.exit_code == 1


def test_may_stop_marks_legitimate_ends():
    """States where may_stop is true are not deadlocks; a dead state it leaves out still is."""
    assert verdicts(check(dead_ends(ends={3, 5}))) == {"never_bad": "HOLDS", "deadlock_free": "HOLDS"}
    check(dead_ends(ends={3})).assert_discovery("deadlock_free", ["b()", "e()", "f()"])


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_state_whose_only_step_is_a_self_loop_is_a_deadlock(strategy):
    """A state whose only step leads back to itself goes nowhere: deadlock_free is VIOLATED there."""
    result = check(Graph({0: [("stay", 0), ("go", 1)], 1: [("stay", 1)]}), strategy=strategy)
    result.assert_discovery("deadlock_free", ["go()"])
    assert result.stats.distinct == 2


def test_check_deadlock_false_removes_the_deadlock_property():
    """A model with check_deadlock = False has no deadlock_free property and passes."""
    result = check(dead_ends(deadlock=False))
    assert [p.name for p in result.properties] == ["never_bad"]
    with pytest.raises(KeyError):
        result["deadlock_free"]
    assert result.exit_code == 0


def test_unreachable_bad_state_holds():
    """A bad state with an edge into the graph but none out of it is never reached: HOLDS."""
    result = check(Graph({0: [("a", 1)], 1: [("b", 0)], 7: [("x", 0)]}, bad={7}))
    assert result.verdict("never_bad") is Verdict.HOLDS
    assert result["never_bad"].trace is None
    assert result.stats.distinct == 2
    assert result.exit_code == 0


def test_reachable_bad_state_gives_the_shortest_trace():
    """The bad state is reachable by a, b, c (tried first) and by d, e: BFS reports d, e."""
    result = check(two_roads())
    result.assert_discovery("never_bad", ["d()", "e()"])
    prop = result["never_bad"]
    assert prop.verdict is Verdict.VIOLATED
    assert [step.state for step in prop.trace.steps] == [0, 3, 9]
    assert prop.note == "counterexample of 2 steps (3 states), shortest"
    assert result.exit_code == 1


def test_bad_initial_state_has_an_empty_trace():
    """A bad initial state is a counterexample of zero steps."""
    result = check(Graph({0: []}, bad={0}, ends={0}))
    result.assert_discovery("never_bad", [])
    assert result["never_bad"].trace.steps[0].state == 0


def test_unreachable_sometimes_is_not_reached_after_exhaustive_search():
    """A witness no reachable state satisfies is NOT REACHED once the search is exhaustive: a failure."""
    result = check(Graph(cycle().edges, goal={7}))
    assert result.verdict("reach_goal") is Verdict.NOT_REACHED
    assert result["reach_goal"].trace is None
    assert result.stop is StopReason.EXHAUSTED
    assert result.exit_code == 1


def test_reachable_sometimes_holds_with_its_witness():
    """A reachable witness HOLDS and carries the shortest trace to it."""
    result = check(Graph(cycle().edges, goal={2}))
    assert result.verdict("reach_goal") is Verdict.HOLDS
    result.assert_discovery("reach_goal", ["a()", "b()"])
    assert result.exit_code == 0


def test_transition_property_violation_trace_ends_with_the_bad_step():
    """A transition property fails on the step 2 -> 0 of the cycle: trace a, b, c."""
    result = check(Graph(cycle().edges, bad_steps={(2, 0)}))
    result.assert_discovery("good_step", ["a()", "b()", "c()"])
    assert result["good_step"].trace.last == 0


def test_continuing_after_the_first_violation_finds_every_violation():
    """stop_on_first_violation=False reports each property's own shortest counterexample."""
    graph = Graph({0: [("a", 1), ("b", 2)], 1: [("back", 0)], 2: [("c", 3)], 3: []}, bad={1}, bad_steps={(2, 3)})
    result = check(graph, stop_on_first_violation=False)
    assert [p.name for p in result.violations] == ["never_bad", "good_step", "deadlock_free"]
    result.assert_discovery("never_bad", ["a()"])
    result.assert_discovery("good_step", ["b()", "c()"])
    result.assert_discovery("deadlock_free", ["b()", "c()"])
    assert result.stop is StopReason.ALL_DECIDED
    assert result.exit_code == 1


def test_continuing_reaches_holds_for_the_rest():
    """On Lights, continuing past violations ends exhaustive: the true invariant HOLDS."""
    result = check(Lights(n=3), stop_on_first_violation=False)
    assert verdicts(result) == {
        "not_all_on": "VIOLATED",
        "at_most_n": "HOLDS",
        "never_off": "VIOLATED",
        "some_on": "HOLDS",
        "deadlock_free": "HOLDS",
    }
    result.assert_discovery("not_all_on", ["switch_on(i=0)", "switch_on(i=1)", "switch_on(i=2)"])
    result.assert_discovery("never_off", ["switch_on(i=0)", "switch_off(i=0)"])
    result.assert_discovery("some_on", ["switch_on(i=0)"])
    assert result["not_all_on"].explanation == "all 3 lights are on"
    assert result.stop is StopReason.EXHAUSTED
    assert figures(result) == (25, 8, 4)


def test_depth_at_a_violation_counts_as_tlc_does():
    """Stopped at a violation found at the third level, the depth is 3 (the deepest state seen, as
    TLC reports it), one more than the trace's 2 steps; the JSON says which depth it is."""
    from checker.faces.trace_io import result_to_json

    result = check(Graph(cycle().edges, bad={2}))
    assert len(result["never_bad"].trace) == 2 and result.stats.depth == 3
    assert "deepest state seen" in result_to_json(result, "graph")["stats"]["depth_is"]



@attrs.frozen
class ThreeGoals(ProtocolModel):
    """A counter with three witnesses that the same state (x == 3) meets first, and two invariants
    that the same state (x == 2) breaks first."""

    name: ClassVar[str] = "three-goals"

    def init(self) -> Count:
        return Count(0)

    @action
    def inc(self, s: Count) -> Count | None:
        """Up to 5."""
        return s.evolve(x=s.x + 1) if s.x < 5 else None

    @sometimes
    def at_least_three(self, s: Count) -> bool:
        """x >= 3."""
        return s.x >= 3

    @sometimes
    def odd_and_big(self, s: Count) -> bool:
        """x is odd and at least 3."""
        return s.x >= 3 and s.x % 2 == 1

    @sometimes
    def three(self, s: Count) -> bool:
        """x == 3."""
        return s.x == 3

    @always
    def below_two(self, s: Count) -> bool:
        """x < 2."""
        return s.x < 2

    @always
    def not_two(self, s: Count) -> bool:
        """x != 2."""
        return s.x != 2


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_properties_decided_by_one_state_are_all_decided_there(strategy):
    """Regression: a discovery removed its property from the list being walked, so the next
    property met by the same batch of states was skipped, and its witness reported later (longer)."""
    result = check(ThreeGoals(), strategy=strategy, stop_on_first_violation=False)
    lengths = {p.name: len(p.trace) for p in result.properties if p.trace is not None}
    assert lengths == {"at_least_three": 3, "odd_and_big": 3, "three": 3, "below_two": 2, "not_two": 2, "deadlock_free": 5}
