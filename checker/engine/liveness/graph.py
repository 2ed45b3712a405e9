"""The state graph a liveness property is judged on, numbered densely from the recorded fingerprints.

Nodes are the distinct states (in the order they were first recorded: breadth-first order in
one process), steps are edges with a task each. A step to a state outside the state constraint
keeps its task (it is enabled, so fairness counts it) but has no target (`dst` -1). Stuttering
steps are kept apart: they neither enable nor take a task.
"""
from typing import Any

import attrs
import numpy as np
from scipy.sparse import csr_matrix

from checker.engine.liveness.recorder import CUT, INSIDE, STUTTER
from checker.fairness import Fairness, Task

FORCED, STRONG_TASK, FAULT_TASK, FIXED = 1, 2, 4, 8  # task kinds, per dense task id


@attrs.frozen
class Graph:
    """Nodes (fingerprints, marks), steps (src, dst or -1, dense task id), and the tasks."""

    fps: np.ndarray        # int64 per node: the (class) fingerprint
    marks: np.ndarray      # uint64 per node (checker/engine/liveness/recorder.py)
    initial: np.ndarray    # node ids of the initial states
    src: np.ndarray        # int32 per non-stuttering step, the steps sorted by it
    dst: np.ndarray        # int32 per step; -1 outside the state constraint
    task: np.ndarray       # int32 per step: dense task id
    task_fps: np.ndarray   # int64 per dense task id
    task_kind: np.ndarray  # uint8 per dense task id: FORCED, STRONG_TASK, FAULT_TASK, FIXED bits
    tasks: tuple[Task, ...]
    starts: np.ndarray     # int64 per node + 1: node u's steps are src[starts[u]:starts[u + 1]]

    def out_steps(self, node: int) -> range:
        """The positions of a node's steps."""
        return range(int(self.starts[node]), int(self.starts[node + 1]))

    @property
    def size(self) -> int:
        """The number of nodes."""
        return len(self.fps)

    @property
    def cut(self) -> np.ndarray:
        """Per node: the model's own bounds stop a step there."""
        return (self.marks & np.uint64(CUT)) != 0

    def matrix(self, keep: np.ndarray) -> csr_matrix:
        """The steps selected by the mask `keep` as a sparse adjacency matrix (for scipy's csgraph)."""
        n = self.size
        return csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (self.src[keep], self.dst[keep])), shape=(n, n))

    @property
    def nbytes(self) -> int:
        """Bytes of the graph's arrays."""
        return sum(a.nbytes for a in (self.fps, self.marks, self.src, self.dst, self.task, self.task_fps, self.task_kind))


def build_graph(recorded: dict[str, Any]) -> Graph:
    """The graph of a search from what its recorders saw (one process's, or workers' joined):
    states recorded twice (workers search the first levels alike) count once."""
    fps, first = np.unique(recorded["fps"], return_index=True)
    keep = np.sort(first)
    fps, marks = recorded["fps"][keep], recorded["marks"][keep]
    order = np.argsort(fps, kind="stable")
    flags = recorded["flags"]
    moving = (flags & STUTTER) == 0
    src_fp, dst_fp, task_fp, inside = recorded["src"][moving], recorded["dst"][moving], recorded["task"][moving], (flags[moving] & INSIDE) != 0
    edges = np.unique(np.stack([src_fp, np.where(inside, dst_fp, 0), task_fp, inside.astype(np.int64)]), axis=1)
    src_fp, dst_fp, task_fp, inside = edges[0], edges[1], edges[2], edges[3] == 1
    src = order[np.searchsorted(fps, src_fp, sorter=order)].astype(np.int32)
    dst = np.full(len(dst_fp), -1, dtype=np.int32)
    dst[inside] = order[np.searchsorted(fps, dst_fp[inside], sorter=order)]
    dense, task = np.unique(task_fp, return_inverse=True)
    table = recorded["tasks"]
    tasks = tuple(table[int(fp)] for fp in dense)
    initial = np.unique(order[np.searchsorted(fps, recorded["initial"], sorter=order)])
    by_src = np.lexsort((task, dst, src))
    src, dst, task = src[by_src], dst[by_src], task[by_src].astype(np.int32)
    starts = np.searchsorted(src, np.arange(len(fps) + 1))
    return Graph(fps, marks, initial, src, dst, task, dense, _kinds(tasks), tasks, starts)


def _kinds(tasks: tuple[Task, ...]) -> np.ndarray:
    """Each task's kind bits."""
    kinds = np.zeros(len(tasks), dtype=np.uint8)
    for i, task in enumerate(tasks):
        kinds[i] = ((FORCED if task.fairness.forced else 0) | (STRONG_TASK if task.fairness is Fairness.STRONG else 0)
                    | (FAULT_TASK if task.fairness is Fairness.FAULT else 0) | (FIXED if task.fixed else 0))
    return kinds
