"""Symmetry reduction: states are stored by their representative; traces stay concrete."""
import pytest

from checker import StopReason, check
from tiny_models import SymmetricLights, verdicts


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_symmetry_stores_one_state_per_class(strategy):
    """3 symmetric lights: 4 classes (0..3 on), each with 3 successors: generated 1 + 4*3 = 13, depth 4."""
    result = check(SymmetricLights(n=3), properties=["at_most_n", "deadlock_free"], strategy=strategy)
    assert (result.stats.generated, result.stats.distinct, result.stats.depth) == (13, 4, 4)
    assert result.stop is StopReason.EXHAUSTED
    assert result.bounds.symmetry


def test_symmetry_keeps_verdicts_and_concrete_traces():
    """Verdicts are those of the full model; traces are real steps of the model."""
    result = check(SymmetricLights(n=3), stop_on_first_violation=False)
    assert verdicts(result) == {
        "not_all_on": "VIOLATED", "at_most_n": "HOLDS", "never_off": "VIOLATED", "some_on": "HOLDS", "deadlock_free": "HOLDS",
    }
    result.assert_discovery("not_all_on", ["switch_on(i=0)", "switch_on(i=1)", "switch_on(i=2)"])
    assert result["not_all_on"].trace.last.on == frozenset({0, 1, 2})
