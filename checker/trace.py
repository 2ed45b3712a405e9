"""Traces: the steps from an initial state to a state of interest, rebuilt and replayed.

The store keeps no states, so a trace is rebuilt by re-executing the model along the stored
path of successor positions, checking each state's fingerprint on the way. Replaying a saved
trace matches each recorded action label among the enabled steps. Either check failing means
the model is not a function of its state, which is reported with the usual causes.
"""
from typing import Any, Sequence

import attrs

from checker.errors import NondeterministicModel
from checker.model import ActionLabel, ModelView
from checker.store import StateRecords
from checker.values import diff, to_json


@attrs.frozen
class Step:
    """One step of a trace: the action taken (None for the initial state) and the state after it."""

    action: ActionLabel | None
    state: Any


@attrs.frozen
class Trace:
    """A sequence of steps; `loop_start` marks where a liveness lasso loops back to."""

    steps: tuple[Step, ...]
    loop_start: int | None = None

    def __len__(self) -> int:
        """The number of actions (steps after the initial state)."""
        return len(self.steps) - 1

    @property
    def last(self) -> Any:
        """The final state."""
        return self.steps[-1].state

    def labels(self) -> list[str]:
        """The actions as strings, e.g. ['rm_prepare(rm=0)', 'tm_abort()']."""
        return [str(step.action) for step in self.steps[1:]]

    def extended(self, action: ActionLabel, state: Any) -> "Trace":
        """This trace with one more step."""
        return Trace(self.steps + (Step(action, state),), self.loop_start)


def rebuild(view: ModelView, records: StateRecords, index: int) -> Trace:
    """Re-execute the model along the stored path to `index`, verifying every fingerprint."""
    path = records.path_to(index)
    state = view.init_states[records.slot[path[0]]]
    steps = [Step(None, state)]
    for depth, child in enumerate(path[1:], start=1):
        slot = records.slot[child]
        enabled = list(view.successors(state))
        if slot >= len(enabled) or view.fingerprint(enabled[slot][1]) != records.fingerprint[child]:
            raise NondeterministicModel(
                f"rebuilding the trace at step {depth}: re-running the model from "
                f"{steps[-1].action or 'the initial state'} gave different successors than during the search; "
                + NondeterministicModel.USUAL_CAUSES
            )
        label, state = enabled[slot]
        steps.append(Step(label, state))
    return Trace(tuple(steps))


def replay(view: ModelView, actions: Sequence[Any], states: Sequence[Any]) -> Trace:
    """Re-run recorded actions (labels as JSON) from the recorded initial state; check each state."""
    start = [s for s in view.init_states if to_json(s) == states[0]]
    if not start:
        raise NondeterministicModel("replay: the recorded initial state is not an initial state of this model; " + NondeterministicModel.USUAL_CAUSES)
    steps = [Step(None, start[0])]
    for number, (wanted, recorded) in enumerate(zip(actions, states[1:]), start=1):
        state = steps[-1].state
        match = [(label, nxt) for label, nxt in view.successors(state) if to_json(label) == wanted]
        if not match:
            raise NondeterministicModel(f"replay: step {number}: action {_show(wanted)} is not enabled; " + NondeterministicModel.USUAL_CAUSES)
        found = [(label, nxt) for label, nxt in match if to_json(nxt) == recorded]
        if not found:
            changes = "; ".join(diff_text(recorded, to_json(match[0][1])))
            raise NondeterministicModel(f"replay: step {number}: {match[0][0]} gave a different state than recorded ({changes}); " + NondeterministicModel.USUAL_CAUSES)
        steps.append(Step(*found[0]))
    return Trace(tuple(steps))


def diff_text(before_json: Any, after_json: Any) -> list[str]:
    """Differences between two JSON forms, as 'path: old -> new' lines."""
    return [f"{path}: {old} -> {new}" for path, old, new in diff(before_json, after_json)]


def _show(label_json: Any) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in label_json.get("args", {}).items())
    return f"{label_json.get('name')}({args})"
