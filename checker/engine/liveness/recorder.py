"""What the search keeps for liveness: every step as fingerprints, and each state's marks.

While an exhaustive search runs, each expanded state's steps are appended as (state, successor,
task) fingerprints with a flag (the successor lies inside the state constraint), leaving out
the steps that change nothing (stuttering: they neither enable nor take a task), and each new
state's marks: whether the model's own
bounds cut a step there, and each liveness property's (p, q). Everything is keyed by
fingerprints, never by a process's numbering, so the parts recorded by parallel workers are
simply put together (checker/engine/liveness/graph.py). 25 bytes a step and 16 a state.
"""
from typing import Any, Callable

import numpy as np

from checker.engine.search import ModelRaised
from checker.model import ModelView
from checker.properties import Property
from checker.trace import Trace

INSIDE, STUTTER = 1, 2  # step flags (recorded steps never stutter; the concrete graph of a symmetric candidate flags its own)
CUT = 1  # state mark: the model's own bounds stop a step here; property i's p is bit 1 + 2i, q bit 2 + 2i
MAX_PROPERTIES = 31


def p_bit(i: int) -> int:
    """The mark bit of liveness property i's p."""
    return 1 << (1 + 2 * i)


def q_bit(i: int) -> int:
    """The mark bit of liveness property i's q."""
    return 1 << (2 + 2 * i)


class GraphRecorder:
    """The steps and state marks of one search (or of one worker's part of it)."""

    def __init__(self, view: ModelView, properties: list[Property]):
        if len(properties) > MAX_PROPERTIES:
            raise ValueError(f"at most {MAX_PROPERTIES} liveness properties can be checked in one run")
        self.view = view
        self.properties = properties
        self.initial: list[np.ndarray] = []
        self.state_fps: list[np.ndarray] = []
        self.state_marks: list[np.ndarray] = []
        self.src: list[np.ndarray] = []
        self.dst: list[np.ndarray] = []
        self.task: list[np.ndarray] = []
        self.flags: list[np.ndarray] = []

    def initial_states(self, fingerprints: np.ndarray) -> None:
        """The fingerprints of the initial states kept by the search."""
        self.initial.append(np.asarray(fingerprints, dtype=np.int64))

    def states(self, states: list[Any], fingerprints: np.ndarray, trace_of: Callable[[int], Callable[[], Trace]]) -> None:
        """Mark new states (fingerprints in the same order); a model error comes with the state's trace."""
        marks = np.zeros(len(states), dtype=np.uint64)
        for i, state in enumerate(states):
            marks[i] = self._marks(state, trace_of, i)
        self.state_fps.append(np.asarray(fingerprints, dtype=np.int64).copy())
        self.state_marks.append(marks)

    def _marks(self, state: Any, trace_of: Callable[[int], Callable[[], Trace]], i: int) -> int:
        where = "cut_by_bounds"
        try:
            mark = CUT if self.view.cut_by_bounds(state) else 0
            for j, prop in enumerate(self.properties):
                where = f"property {prop.name}"
                p, q = prop.liveness_pair(state)
                mark |= (p_bit(j) if p else 0) | (q_bit(j) if q else 0)
        except Exception as error:  # noqa: BLE001 - the model's own bug, reported with its trace
            raise ModelRaised(error, where, trace_of(i)) from error
        return mark

    def steps(self, sources: np.ndarray, successors: np.ndarray, tasks: np.ndarray, inside: np.ndarray, stutter: np.ndarray) -> None:
        """Steps of expanded states: source and successor fingerprints, task fingerprints, and
        per step whether the successor is inside the state constraint and whether it changes nothing
        (stuttering steps are left out)."""
        moving = ~stutter  # a stuttering step neither enables nor takes a task: not kept
        self.src.append(np.asarray(sources, dtype=np.int64)[moving])
        self.dst.append(np.asarray(successors, dtype=np.int64)[moving])
        self.task.append(np.asarray(tasks, dtype=np.int64)[moving])
        self.flags.append(inside[moving].astype(np.uint8) * INSIDE)

    def snapshot(self) -> dict[str, Any]:
        """Everything recorded, as plain arrays and the tasks met (a worker's part, or a checkpoint's)."""
        join = _joined
        return {"initial": join(self.initial, np.int64), "fps": join(self.state_fps, np.int64),
                "marks": join(self.state_marks, np.uint64), "src": join(self.src, np.int64), "dst": join(self.dst, np.int64),
                "task": join(self.task, np.int64), "flags": join(self.flags, np.uint8), "tasks": dict(self.view.tasks)}

    def restore(self, saved: dict[str, Any]) -> None:
        """Continue from a snapshot (a resumed checkpoint)."""
        self.initial, self.state_fps, self.state_marks = [saved["initial"]], [saved["fps"]], [saved["marks"]]
        self.src, self.dst, self.task, self.flags = [saved["src"]], [saved["dst"]], [saved["task"]], [saved["flags"]]
        self.view.tasks.update(saved["tasks"])

    def absorb(self, parts: list[dict[str, Any]]) -> None:
        """Add what other recorders saw (parallel workers' parts) to this one."""
        for part in parts:
            self.initial.append(part["initial"])
            self.state_fps.append(part["fps"])
            self.state_marks.append(part["marks"])
            self.src.append(part["src"])
            self.dst.append(part["dst"])
            self.task.append(part["task"])
            self.flags.append(part["flags"])
            self.view.tasks.update(part["tasks"])

    @property
    def nbytes(self) -> int:
        """Bytes of the recorded arrays."""
        parts = self.initial + self.state_fps + self.state_marks + self.src + self.dst + self.task + self.flags
        return sum(part.nbytes for part in parts)


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
