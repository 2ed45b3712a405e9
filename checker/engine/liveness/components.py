"""Fair cycles and dead ends of a region of the graph: where a fair run can stay forever.

A run stays forever either in a cycle or in a state where it may stutter forever. In a strongly
connected component (scipy's, in C) a fair cycle exists when (Streett's condition, as in
Emerson and Lei, and TLC's liveness checker):
- every weak task enabled in all of its states is taken by one of its steps;
- every strong task enabled in one of its states is taken by one of its steps; otherwise the
  states where it is enabled are removed and what is left is split again;
- the model's own bounds do not cut a step in every one of its states (such a cycle would be
  left by the step the bound removed: the run is cut, not judged).
A state where no forced task is enabled (a fault or an unfair step may be, but is never forced)
is a dead end: the run may stay there forever. Under symmetry, tasks that renaming moves
(`Task.fixed` False) cannot be compared across representatives: they are left out here, so a
component found is only a candidate, made concrete and judged exactly afterwards.
"""
import numpy as np
from scipy.sparse.csgraph import connected_components

from checker.engine.liveness.graph import FIXED, FORCED, STRONG_TASK, Graph


class FairCycles:
    """The tasks each node enables, computed once per graph, and the judging of components."""

    def __init__(self, graph: Graph, exact: bool):
        self.graph = graph
        kinds = graph.task_kind[graph.task]
        forced = (kinds & FORCED) != 0
        self.enables_forced = np.zeros(graph.size, dtype=bool)
        self.enables_forced[graph.src[forced]] = True
        judged = forced & ((kinds & FIXED) != 0 if not exact else True)
        pairs = np.unique(np.stack([graph.src[judged], graph.task[judged]]), axis=1)
        self.enabled_node, self.enabled_task = pairs[0], pairs[1]
        self.strong = (graph.task_kind[self.enabled_task] & STRONG_TASK) != 0

    def dead_ends(self, nodes: np.ndarray, bounded: bool = True) -> np.ndarray:
        """Of the given nodes (a mask), those where no forced task is enabled and (`bounded`) no bound cuts a step."""
        return np.flatnonzero(nodes & ~self.enables_forced & (~self.graph.cut if bounded else True))

    def fair_components(self, nodes: np.ndarray, allowed: np.ndarray, bounded: bool = True) -> list[np.ndarray]:
        """The node sets of the fair components among `nodes` (a mask), over the steps `allowed` (a
        mask); not `bounded`: as if the model's bounds cut no step (to count the runs they cut)."""
        graph = self.graph
        fair: list[np.ndarray] = []
        while nodes.any():
            inner = allowed & nodes[graph.src] & (graph.dst >= 0) & nodes[np.maximum(graph.dst, 0)]
            labels, count = _components(graph, nodes, inner)
            unfair, forced_out = self._judge(labels, count, inner, bounded)
            refine = np.zeros(count, dtype=bool)
            refine[labels[forced_out]] = True
            done = ~unfair & ~refine
            fair += _groups(labels, done)
            nodes = (labels >= 0) & refine[np.maximum(labels, 0)]
            nodes[forced_out] = False
        return sorted(fair, key=lambda c: int(c.min()))

    def _judge(self, labels: np.ndarray, count: int, inner: np.ndarray, bounded: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per component (label): whether no fair cycle can stay in it; and the nodes that an untaken
        strong task forces out of their components (which are then split again)."""
        graph = self.graph
        tasks_count = max(1, len(graph.tasks))
        sizes = np.bincount(labels[labels >= 0], minlength=count)
        cut = np.bincount(labels[(labels >= 0) & graph.cut], minlength=count)
        unfair = (cut == sizes) if bounded else np.zeros(count, dtype=bool)
        src_label = labels[graph.src]
        internal = inner & (src_label >= 0) & (src_label == labels[np.maximum(graph.dst, 0)])
        taken = np.unique(src_label[internal] * tasks_count + graph.task[internal])
        label = labels[self.enabled_node]
        member = label >= 0
        key = label * tasks_count + self.enabled_task
        untaken = member & ~np.isin(key, taken)
        weak_keys, weak_counts = np.unique(key[untaken & ~self.strong], return_counts=True)
        weak_labels = weak_keys // tasks_count
        unfair[weak_labels[weak_counts == sizes[weak_labels]]] = True
        strong_out = untaken & self.strong & ~unfair[np.maximum(label, 0)]
        return unfair, np.unique(self.enabled_node[strong_out])


def _components(graph: Graph, nodes: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, int]:
    """Per node, the label of its strongly connected component among `nodes` over the steps
    `inner`, or -1 when it is outside `nodes` or its component holds no cycle (one state and no
    step from it to itself); and the number of labels."""
    count, labels = connected_components(graph.matrix(inner), directed=True, connection="strong")
    labels = np.where(nodes, labels, -1)
    sizes = np.bincount(labels[nodes], minlength=count)
    looped = np.zeros(count, dtype=bool)
    self_steps = inner & (graph.src == graph.dst)
    looped[labels[graph.src[self_steps]]] = True
    keep = (sizes >= 2) | looped
    labels = np.where((labels >= 0) & keep[np.maximum(labels, 0)], labels, -1)
    return labels, count


def _groups(labels: np.ndarray, chosen: np.ndarray) -> list[np.ndarray]:
    """The node sets of the chosen labels."""
    members = np.flatnonzero((labels >= 0) & chosen[np.maximum(labels, 0)])
    by_label = labels[members]
    order = np.argsort(by_label, kind="stable")
    members, by_label = members[order], by_label[order]
    return [part for part in np.split(members, np.flatnonzero(np.diff(by_label)) + 1) if len(part)]
