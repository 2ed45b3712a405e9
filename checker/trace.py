"""The Trace value: the steps from an initial state to a state of interest, with an optional
loop-back point for liveness lassos. Rebuilding a trace from the store lives in
checker/engine/rebuild.py; replaying a saved one in checker/faces/replay.py."""
from typing import Any

import attrs

from checker.model import ActionLabel


@attrs.frozen
class Step:
    """One step of a trace: the action taken (None for the initial state) and the state after it."""

    action: ActionLabel | None
    state: Any


@attrs.frozen
class Trace:
    """A sequence of steps; `loop_start` marks where a liveness lasso loops back to.

    A lasso with `loop_start = k` is a run that goes on forever: steps 1..k reach the state the
    cycle starts from, steps k+1..n are one turn of the cycle, and the last state equals state k,
    so the run repeats steps k+1..n forever. When k is the last index (n), the cycle has no step:
    the run stays in its last state forever (no fair step is enabled there: a dead end)."""

    steps: tuple[Step, ...]
    loop_start: int | None = None

    def __len__(self) -> int:
        """The number of actions (steps after the initial state)."""
        return len(self.steps) - 1

    @property
    def is_lasso(self) -> bool:
        """True for a liveness counterexample: a run that repeats its last steps forever."""
        return self.loop_start is not None

    @property
    def stays_forever(self) -> bool:
        """True for a lasso whose cycle has no step: the run stays in its last state forever."""
        return self.loop_start is not None and self.loop_start == len(self.steps) - 1

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
