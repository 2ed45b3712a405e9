"""Rebuilding a trace from the store: re-execute the model along the stored parent path.

The store keeps no states, so a trace is rebuilt by re-executing the model along the stored
path of successor positions, checking each state's fingerprint on the way. A mismatch means
the model is not a function of its state, which is reported with the usual causes.
"""
from checker.errors import NondeterministicModel
from checker.model import ModelView
from checker.engine.store import StateRecords
from checker.trace import Step, Trace


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
