"""Paths of a lasso: the shortest way from an initial state, through the property's entry, to where
a fair run stays forever; and one fair turn of a cycle there.

The way in is one shortest-path search (scipy's Dijkstra, in C) over two copies of the graph:
the first with every step (the prefix, before the entry: any run may get there), the second
with the steps the property's region allows (after the entry), joined at the entry states.
"""
import attrs
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from checker.engine.liveness.components import FairCycles
from checker.engine.liveness.graph import STRONG_TASK, Graph

JOIN = 1e-6  # the weight of moving from the prefix's copy of the graph to the region's, at an entry


@attrs.frozen
class Route:
    """States and the tasks of the steps between them; `entry` is the position of the entry state
    and, for a whole lasso, `loop` that of the state the cycle returns to (the last position:
    the run stays in its last state forever)."""

    nodes: tuple[int, ...]
    tasks: tuple[int, ...]
    entry: int = 0
    loop: int | None = None

    def then(self, turn: "Route") -> "Route":
        """This way in, followed by one turn of a cycle from its last state: a lasso."""
        return Route(self.nodes + turn.nodes[1:], self.tasks + turn.tasks, self.entry, len(self.nodes) - 1)

    def staying(self) -> "Route":
        """This way in as a lasso whose run stays in its last state forever."""
        return Route(self.nodes, self.tasks, self.entry, len(self.nodes) - 1)


def reachable(graph: Graph, starts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The nodes reachable from `starts` (node ids) over the steps `steps` (a mask), as a mask."""
    n = graph.size
    keep = steps & (graph.dst >= 0)
    rows = np.concatenate([graph.src[keep], np.full(len(starts), n)])
    cols = np.concatenate([graph.dst[keep], starts])
    matrix = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    seen = np.zeros(n + 1, dtype=bool)
    seen[breadth_first_order(matrix, n, directed=True, return_predecessors=False)] = True
    return seen[:n]


def ways_in(graph: Graph, entries: np.ndarray, prefix: np.ndarray, region: np.ndarray,
            targets: list[np.ndarray]) -> tuple[list[tuple[float, int, int]], np.ndarray]:
    """For each target (a node array), its nearest node and distance from an initial state, through
    an entry (a mask), over the steps `prefix` then `region` (masks): (distance, target index,
    node), nearest first, unreachable targets left out; and the predecessors `route` follows."""
    n = graph.size
    a = prefix & (graph.dst >= 0)
    b = region & (graph.dst >= 0)
    joins = np.flatnonzero(entries)
    rows = np.concatenate([graph.src[a], graph.src[b] + n, joins])
    cols = np.concatenate([graph.dst[a], graph.dst[b] + n, joins + n])
    weights = np.concatenate([np.ones(int(a.sum()) + int(b.sum())), np.full(len(joins), JOIN)])
    matrix = csr_matrix((weights, (rows, cols)), shape=(2 * n, 2 * n))
    distances, predecessors, _sources = dijkstra(matrix, directed=True, indices=graph.initial, return_predecessors=True, min_only=True)
    found = []
    for i, nodes in enumerate(targets):
        near = nodes[np.argmin(distances[nodes + n])]
        if np.isfinite(distances[near + n]):
            found.append((float(round(distances[near + n])), i, int(near)))
    found.sort()
    return found, predecessors


def route(graph: Graph, predecessors: np.ndarray, target: int, prefix: np.ndarray, region: np.ndarray) -> Route:
    """The path `ways_in` found to `target` (in the region's copy), with a step chosen for each hop."""
    n = graph.size
    chain = [target + n]
    while predecessors[chain[-1]] >= 0:
        chain.append(int(predecessors[chain[-1]]))
    chain.reverse()
    nodes, tasks, entry = [chain[0]], [], 0
    for before, after in zip(chain, chain[1:]):
        if after == before + n:  # the join at the entry: not a step
            entry = len(nodes) - 1
            continue
        allowed = region if after >= n else prefix
        u, v = before % n, after % n
        tasks.append(_step_task(graph, u, v, allowed))
        nodes.append(v)
    return Route(tuple(nodes), tuple(tasks), entry)


def _step_task(graph: Graph, u: int, v: int, allowed: np.ndarray) -> int:
    """The task of the first allowed step from u to v."""
    for step in graph.out_steps(u):
        if graph.dst[step] == v and allowed[step]:
            return int(graph.task[step])
    raise AssertionError(f"liveness: no step from node {u} to node {v} (an engine bug: please report it)")


def fair_cycle(graph: Graph, cycles: FairCycles, component: np.ndarray, start: int, allowed: np.ndarray) -> Route:
    """One turn of a fair cycle from `start` inside a fair component (judged exactly): it takes every
    task a fair run must take there and visits a state where each other weakly fair task is
    disabled, greedily nearest first, then returns to `start`."""
    member = np.zeros(graph.size, dtype=bool)
    member[component] = True
    inner = allowed & member[graph.src] & (graph.dst >= 0) & member[np.maximum(graph.dst, 0)]
    duty = _Duties(graph, cycles, member, inner)
    nodes, tasks = [start], []
    duty.visit(start)
    while duty.pending():
        path, path_tasks = _nearest(graph, inner, nodes[-1], duty)
        for node, task in zip(path[1:], path_tasks):
            duty.take(task)
            duty.visit(node)
        nodes += path[1:]
        tasks += path_tasks
    if nodes[-1] != start or len(nodes) == 1:
        back, back_tasks = _back(graph, inner, nodes[-1], start)
        nodes += back[1:]
        tasks += back_tasks
    return Route(tuple(nodes), tuple(tasks), 0)


class _Duties:
    """What one turn of a fair cycle in a component must do: take each task enabled in all of its
    states (weak) or in any (strong), and for each other weak task take it or visit a state
    where it is disabled; and visit a state no bound cuts."""

    def __init__(self, graph: Graph, cycles: FairCycles, member: np.ndarray, inner: np.ndarray):
        self.graph = graph
        here = member[cycles.enabled_node]
        nodes, tasks = cycles.enabled_node[here], cycles.enabled_task[here]
        size = int(member.sum())
        counts = np.bincount(tasks, minlength=len(graph.tasks))
        strong = (graph.task_kind & STRONG_TASK) != 0
        self.must_take = set(np.flatnonzero((counts == size) | (strong & (counts > 0))).tolist())
        self.take_or_avoid = set(np.flatnonzero((counts > 0) & (counts < size) & ~strong).tolist())
        self.enabled: dict[int, set[int]] = {}
        for node, task in zip(nodes.tolist(), tasks.tolist()):
            self.enabled.setdefault(node, set()).add(task)
        self.needs_uncut = bool(graph.cut[member].any())
        self.inner = inner

    def pending(self) -> bool:
        return bool(self.must_take or self.take_or_avoid or self.needs_uncut)

    def take(self, task: int) -> None:
        self.must_take.discard(task)
        self.take_or_avoid.discard(task)

    def visit(self, node: int) -> None:
        self.take_or_avoid &= self.enabled.get(node, set())
        if not self.graph.cut[node]:
            self.needs_uncut = False

    def met_at(self, node: int, task: int | None = None) -> int:
        """How many duties visiting the node meets (arriving by a step of `task`, which it may meet too)."""
        met = self.take_or_avoid - self.enabled.get(node, set())
        if task is not None and (task in self.must_take or task in self.take_or_avoid):
            met = met | {task}
        return len(met) + int(self.needs_uncut and not self.graph.cut[node])

    def step_meeting(self, node: int) -> int | None:
        """A step from the node (inside the component) whose task is a duty, if any."""
        wanted = self.must_take | self.take_or_avoid
        for step in self.graph.out_steps(node):
            if self.inner[step] and int(self.graph.task[step]) in wanted:
                return step
        return None


def _bfs(graph: Graph, inner: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    n = graph.size
    matrix = csr_matrix((np.ones(int(inner.sum()), dtype=np.int8), (graph.src[inner], graph.dst[inner])), shape=(n, n))
    return breadth_first_order(matrix, start, directed=True, return_predecessors=True)


def _path(graph: Graph, inner: np.ndarray, predecessors: np.ndarray, target: int) -> tuple[list[int], list[int]]:
    chain = [target]
    while predecessors[chain[-1]] >= 0:
        chain.append(int(predecessors[chain[-1]]))
    chain.reverse()
    return chain, [_step_task(graph, u, v, inner) for u, v in zip(chain, chain[1:])]


def _nearest(graph: Graph, inner: np.ndarray, start: int, duty: _Duties) -> tuple[list[int], list[int]]:
    """The shortest path from `start` that meets a duty (to a state that meets some, or through a
    step that does); of those as short, the one meeting the most duties."""
    order, predecessors = _bfs(graph, inner, start)
    distance = {start: 0}
    best: tuple[int, int, int, int | None] | None = None  # (length, -duties met, node, step)
    for node in order.tolist():
        if node != start:
            distance[node] = distance[int(predecessors[node])] + 1
        if best is not None and distance[node] > best[0]:
            break
        met = duty.met_at(node) if node != start else 0
        if met and (best is None or (distance[node], -met) < best[:2]):
            best = (distance[node], -met, node, None)
        step = duty.step_meeting(node)
        if step is not None:
            after = int(graph.dst[step])
            candidate = (distance[node] + 1, -duty.met_at(after, int(graph.task[step])), node, step)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None:
        raise AssertionError("liveness: a duty of a fair component cannot be met (an engine bug: please report it)")
    _length, _met, node, step = best
    path, tasks = _path(graph, inner, predecessors, node)
    if step is None:
        return path, tasks
    return path + [int(graph.dst[step])], tasks + [int(graph.task[step])]


def _back(graph: Graph, inner: np.ndarray, start: int, goal: int) -> tuple[list[int], list[int]]:
    """The shortest path of at least one step from `start` back to `goal`."""
    if start != goal:
        order, predecessors = _bfs(graph, inner, start)
        return _path(graph, inner, predecessors, goal)
    best: tuple[list[int], list[int]] | None = None
    for step in graph.out_steps(start):
        if not inner[step]:
            continue
        first = int(graph.dst[step])
        order, predecessors = _bfs(graph, inner, first)
        if goal in set(order.tolist()):
            path, tasks = _path(graph, inner, predecessors, goal)
            candidate = ([start] + path, [int(graph.task[step])] + tasks)
            if best is None or len(candidate[0]) < len(best[0]):
                best = candidate
    if best is None:
        raise AssertionError("liveness: no way back around a fair component (an engine bug: please report it)")
    return best
