"""Shrinking a long trace (from simulation) to a short one that shows the same discovery.

Cycles are cut first (a state that recurs makes the steps between it pointless), then steps
are deleted one at a time as long as replaying the remaining actions still shows the event.
The result is minimal in that no single remaining step can be dropped; it is not always the
shortest trace, which only breadth-first search guarantees.
"""
from typing import Any, Callable

from checker.model import ActionLabel, ModelView
from checker.trace import Step, Trace

Event = Callable[[Trace], int | None]


def first_event(view: ModelView, hit: Callable[[Any, ActionLabel | None, Any], bool]) -> Event:
    """An event finder: the first step index whose (before, action, after) satisfies `hit`."""
    def find(trace: Trace) -> int | None:
        for i, step in enumerate(trace.steps):
            before = trace.steps[i - 1].state if i else None
            if hit(before, step.action, step.state):
                return i
        return None
    return find


def _replay_labels(view: ModelView, start: Any, labels: list[ActionLabel]) -> Trace | None:
    steps = [Step(None, start)]
    for wanted in labels:
        nxt = next((t for label, t in view.successors(steps[-1].state) if label == wanted and view.within_boundary(t)), None)
        if nxt is None:
            return None
        steps.append(Step(wanted, nxt))
    return Trace(tuple(steps))


def _cut_cycles(trace: Trace) -> Trace:
    steps: list[Step] = []
    where: dict[Any, int] = {}
    for step in trace.steps:
        if step.state in where:
            del steps[where[step.state] + 1:]
            where = {s.state: i for i, s in enumerate(steps)}
            continue
        where[step.state] = len(steps)
        steps.append(step)
    return Trace(tuple(steps))


def minimise(view: ModelView, trace: Trace, event: Event) -> Trace:
    """A shorter trace from the same initial state on which `event` still happens (at its end)."""
    at = event(trace)
    if at is None:
        return trace
    trace = Trace(trace.steps[: at + 1])
    short = _cut_cycles(trace)
    again = _replay_labels(view, short.steps[0].state, [s.action for s in short.steps[1:]])
    if again is not None and (found := event(again)) is not None:
        trace = Trace(again.steps[: found + 1])
    i = 1
    while i < len(trace.steps):
        labels = [s.action for s in trace.steps[1:]]
        candidate = _replay_labels(view, trace.steps[0].state, labels[: i - 1] + labels[i:])
        found = event(candidate) if candidate is not None else None
        if found is not None:
            trace = Trace(candidate.steps[: found + 1])
            i = 1  # a later deletion can make an earlier step removable: start over
        else:
            i += 1
    return trace
