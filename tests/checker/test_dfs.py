"""Depth-first search reaches the same verdicts as breadth-first search on the tiny graphs."""
import pytest

from checker import StopReason, check
from tiny_models import BoundedCounter, Graph, Lights, chain, cycle, dead_ends, diamond, self_loop, two_roads, verdicts

GRAPHS = {
    "cycle": cycle,
    "diamond": diamond,
    "self_loop": self_loop,
    "dead_ends": dead_ends,
    "dead_ends_may_stop": lambda: dead_ends(ends={3, 5}),
    "two_roads": two_roads,
    "unreachable_goal": lambda: Graph(cycle().edges, goal={7}),
    "bad_step": lambda: Graph(cycle().edges, bad_steps={(2, 0)}),
    "lights": lambda: Lights(n=3),
    "bounded_counter": lambda: BoundedCounter(limit=3, goal=2),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_dfs_verdicts_match_bfs(name):
    """Same verdicts, stop reason and exit code from DFS and BFS."""
    bfs, dfs = check(GRAPHS[name](), strategy="bfs"), check(GRAPHS[name](), strategy="dfs")
    assert verdicts(dfs) == verdicts(bfs)
    assert dfs.stop is bfs.stop
    assert dfs.exit_code == bfs.exit_code


@pytest.mark.parametrize(("make", "expected"), [(cycle, (4, 3, 3)), (diamond, (5, 4, 3)), (self_loop, (4, 2, 2))])
def test_dfs_counts_on_exhausted_graphs(make, expected):
    """On these graphs DFS computes every successor once per state, as BFS does."""
    result = check(make(), strategy="dfs")
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == expected


def test_dfs_trace_may_be_longer_but_is_a_real_path():
    """DFS follows the first successor first: the long road a, b, c; the note does not claim shortest."""
    result = check(two_roads(), strategy="dfs")
    result.assert_discovery("never_bad", ["a()", "b()", "c()"])
    assert [step.state for step in result["never_bad"].trace.steps] == [0, 1, 2, 9]
    assert result["never_bad"].note == "counterexample of 3 steps (4 states), not necessarily shortest"


def test_dfs_depth_bound_is_unknown():
    """DFS with a depth bound that cuts the chain reports DEPTH_LIMIT and UNKNOWN."""
    result = check(chain(5), strategy="dfs", max_depth=3)
    assert result.stop is StopReason.DEPTH_LIMIT
    assert verdicts(result) == {"never_bad": "UNKNOWN", "deadlock_free": "UNKNOWN"}
    assert result.exit_code == 3
