"""checker.engine.minimise: long traces shrink to short ones that still show the same event."""
from checker import ActionLabel, ModelView, Step, Trace
from checker.engine.minimise import first_event, minimise
from tiny_models import Graph


def make_trace(states, labels):
    steps = [Step(None, states[0])] + [Step(ActionLabel(name), state) for name, state in zip(labels, states[1:])]
    return Trace(tuple(steps))


def reaches(bad):
    return lambda _before, _action, after: after in bad


GRAPH = Graph(
    {0: [("a", 1), ("d", 3), ("x", 5)], 1: [("b", 2)], 2: [("c", 0)], 3: [("z", 4)], 4: [], 5: [("d", 3), ("y", 6)], 6: [("d", 3)]},
    bad={3},
)


def test_first_event_finds_the_first_matching_step():
    """first_event gives the index of the first step whose state is bad, or None."""
    view = ModelView(GRAPH)
    event = first_event(view, reaches({3}))
    assert event(make_trace([0, 5, 3, 4], ["x", "d", "z"])) == 2
    assert event(make_trace([0, 1, 2], ["a", "b"])) is None


def test_cycle_is_cut():
    """0 -a-> 1 -b-> 2 -c-> 0 -d-> 3 loses its cycle: only d() remains."""
    view = ModelView(GRAPH)
    short = minimise(view, make_trace([0, 1, 2, 0, 3], ["a", "b", "c", "d"]), first_event(view, reaches({3})))
    assert short.labels() == ["d()"]
    assert [s.state for s in short.steps] == [0, 3]


def test_removable_detours_are_dropped():
    """0 -x-> 5 -y-> 6 -d-> 3 shrinks to d(): no single step of a minimised trace can be dropped."""
    view = ModelView(GRAPH)
    short = minimise(view, make_trace([0, 5, 6, 3], ["x", "y", "d"]), first_event(view, reaches({3})))
    assert short.labels() == ["d()"]
    assert short.last == 3


def test_steps_after_the_event_are_dropped():
    """A trace that goes on past the bad state ends at its first bad state."""
    view = ModelView(GRAPH)
    short = minimise(view, make_trace([0, 3, 4], ["d", "z"]), first_event(view, reaches({3})))
    assert short.labels() == ["d()"]


def test_trace_without_the_event_is_unchanged():
    """minimise returns a trace that never shows the event as it was."""
    view = ModelView(GRAPH)
    trace = make_trace([0, 1, 2], ["a", "b"])
    assert minimise(view, trace, first_event(view, reaches({3}))) == trace


def test_minimised_trace_replays_on_the_model():
    """Every step of the minimised trace is an enabled step of the model, from the same initial state."""
    view = ModelView(GRAPH)
    short = minimise(view, make_trace([0, 1, 2, 0, 5, 6, 3], ["a", "b", "c", "x", "y", "d"]), first_event(view, reaches({3})))
    assert short.steps[0].state == 0
    for before, step in zip(short.steps, short.steps[1:]):
        assert (step.action, step.state) in list(GRAPH.successors(before.state))
    assert short.last == 3
    assert len(short) < 6
