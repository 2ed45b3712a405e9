"""Model errors (exit code 4 with a trace), nondeterministic models, and refused requests."""
import pytest

from checker import NondeterministicModel, StopReason, UsageError, Verdict, check
from checker.faces.report import render_text
from tiny_models import Flaky, Fragile, Graph, Live, verdicts


@pytest.mark.parametrize("strategy", ["bfs", "dfs", "simulate"])
def test_action_that_raises_is_a_model_failure(strategy):
    """inc() raises at x == 2: failure with the error, the trace to x == 2, exit code 4."""
    result = check(Fragile(where="action"), strategy=strategy, seed=0, time_limit=10)
    assert result.failure is not None
    assert result.failure.error == "RuntimeError: boom in action at x=2"
    assert result.failure.action == "computing successors"
    assert result.failure.trace.labels() == ["inc()", "inc()"]
    assert result.failure.trace.last.x == 2
    assert result.stop is StopReason.MODEL_ERROR
    assert result.exit_code == 4
    assert all(p.verdict is Verdict.UNKNOWN for p in result.properties)


@pytest.mark.parametrize(
    ("where", "prop", "labels"),
    [
        ("invariant", "small", ["inc()", "inc()"]),
        ("witness", "reaches_four", ["inc()", "inc()"]),
        ("transition", "by_one", ["inc()", "inc()", "inc()"]),
    ],
)
@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_property_that_raises_is_a_model_failure(strategy, where, prop, labels):
    """A property raising at x == 2 is a failure naming the property, with the trace to that state or step."""
    result = check(Fragile(where=where), strategy=strategy)
    assert result.failure is not None
    assert result.failure.error == f"RuntimeError: boom in {where} at x=2"
    assert result.failure.action == f"property {prop}"
    assert result.failure.trace.labels() == labels
    assert result.exit_code == 4


def test_model_failure_is_in_the_report():
    """The text report names the error and shows the trace that led to it."""
    text = render_text(check(Fragile(where="action")))
    assert "the model raised while computing successors: RuntimeError: boom in action at x=2" in text
    assert "inc()" in text


def test_state_constraint_that_raises_is_a_model_failure():
    """A within_boundary that raises is the model's own error too: failure set, exit code 4, no traceback."""
    graph = Graph({0: [("a", 1)], 1: [("b", 2)], 2: []}, ends={2})
    graph.within_boundary = lambda state: 1 / (2 - state) > 0
    result = check(graph)
    assert result.failure is not None
    assert "ZeroDivisionError" in result.failure.error
    assert result.exit_code == 4


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_nondeterministic_successor_order_is_detected(strategy):
    """Successors whose order changes between calls make trace rebuilding raise NondeterministicModel."""
    with pytest.raises(NondeterministicModel, match="usual causes"):
        check(Flaky(), strategy=strategy)


def test_liveness_properties_are_checked_by_default():
    """Without a selection, liveness properties are checked too (inc is weakly fair, so x reaches 2)."""
    result = check(Live())
    assert verdicts(result) == {"in_range": "HOLDS", "finishes": "HOLDS", "start_leads_to_end": "HOLDS", "deadlock_free": "HOLDS"}


@pytest.mark.parametrize("name", ["finishes", "start_leads_to_end"])
def test_a_liveness_property_is_unknown_when_the_search_is_cut(name):
    """Liveness needs the whole graph: a search stopped by a limit judges no liveness property."""
    result = check(Live(), properties=[name], max_states=2)
    assert verdicts(result) == {name: "UNKNOWN"}
    assert "liveness needs the whole graph" in result.properties[0].note


def test_unknown_property_is_refused():
    """An unknown property name is a UsageError that lists the known ones."""
    with pytest.raises(UsageError, match="unknown property 'nope'.*in_range"):
        check(Live(), properties=["in_range", "nope"])


def test_selection_checks_only_the_named_properties_once():
    """A selection (with a repeat) checks exactly those properties, deadlock_free included by name."""
    result = check(Live(), properties=["deadlock_free", "in_range", "deadlock_free"])
    assert [p.name for p in result.properties] == ["deadlock_free", "in_range"]
