"""Replaying a saved trace: rebuild it against the model and see whether its property still fails."""
from typing import Any

import attrs

from checker.errors import UsageError
from checker.model import ModelView, is_stuck
from checker.properties import Kind, Property
from checker.trace import Trace, replay
from checker.trace_io import TraceFile


@attrs.frozen
class ReplayOutcome:
    """The replayed trace, its property, and the step at which the property fails (None if it no longer does)."""

    trace: Trace
    prop: Property
    failing_step: int | None
    explanation: str = ""


def replay_file(model: Any, saved: TraceFile) -> ReplayOutcome:
    """Replay `saved` against `model` (built from the file's options) and judge its property."""
    view = ModelView(model)
    props = {p.name: p for p in view.all_properties}
    if saved.property not in props:
        raise UsageError(f"the trace is for property {saved.property!r}, which the model no longer has")
    prop = props[saved.property]
    trace = replay(view, saved.actions, saved.states)
    step = failing_step(view, prop, trace)
    why = ""
    if step is not None and prop.kind is Kind.ALWAYS:
        why = prop.explanation(trace.steps[step].state)
    return ReplayOutcome(trace, prop, step, why)


def failing_step(view: ModelView, prop: Property, trace: Trace) -> int | None:
    """The first step at which the trace shows its discovery for `prop`, or None."""
    for i, step in enumerate(trace.steps):
        if prop.kind is Kind.ALWAYS and not prop.check(step.state):
            return i
        if prop.kind is Kind.SOMETIMES and prop.check(step.state):
            return i
        if prop.kind is Kind.TRANSITION and i and not prop.check(trace.steps[i - 1].state, step.action, step.state):
            return i
    last = trace.steps[-1].state
    if prop.kind is Kind.DEADLOCK and is_stuck(view, last) and not view.may_stop(last):
        return len(trace.steps) - 1
    return None
