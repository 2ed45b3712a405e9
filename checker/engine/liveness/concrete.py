"""Liveness under symmetry: a candidate cycle found on representatives, judged on concrete states.

A cycle of representatives is a path from a state to a renaming of it, and which tasks it takes
again and again depends on the renaming: tasks that renaming moves cannot be judged on
representatives (checker/engine/liveness/components.py leaves them out, so no fair cycle is
missed). Each candidate is made concrete: from a concrete state of the candidate's component
(reached by re-executing the model along the route), every concrete state whose class is in the
component is explored, and fair cycles are looked for there exactly. Every concrete fair cycle
of the component is a renaming of one found so, so nothing is missed either (Emerson and
Sistla's symmetry and fairness argument). The concrete states of one component are at most its
classes times the renamings.
"""
from collections import deque
from typing import Any

import numpy as np

from checker.engine.liveness.components import FairCycles
from checker.engine.liveness.graph import FAULT_TASK, Graph, build_graph
from checker.engine.liveness.paths import Route, fair_cycle, route, ways_in
from checker.engine.liveness.recorder import CUT, INSIDE, STUTTER
from checker.fingerprint import fingerprint as value_fingerprint
from checker.model import ModelView

CONCRETE_LIMIT = 2_000_000  # concrete states explored for one candidate at most


class TooManyConcrete(Exception):
    """A candidate's concrete states exceed CONCRETE_LIMIT."""


def concrete_graph(view: ModelView, start: Any, classes: set[int]) -> Graph:
    """Every concrete state reachable from `start` through states whose class is in `classes`, as a
    graph of concrete fingerprints (a step leaving those classes counts as enabled, with no target)."""
    states = {value_fingerprint(start): start}
    queue = deque([start])
    src, dst, task, flags, fps, marks = [], [], [], [], [], []
    while queue:
        state = queue.popleft()
        own = value_fingerprint(state)
        fps.append(own)
        marks.append(CUT if view.cut_by_bounds(state) else 0)
        successors, tasks = view.steps(state)
        for nxt, t in zip(successors, tasks):
            fp = value_fingerprint(nxt)
            inside = view.within_boundary(nxt) and view.fingerprint(nxt) in classes
            src.append(own)
            dst.append(fp)
            task.append(t)
            flags.append((INSIDE if inside else 0) | (STUTTER if fp == own else 0))
            if inside and fp not in states:
                if len(states) >= CONCRETE_LIMIT:
                    raise TooManyConcrete(CONCRETE_LIMIT)
                states[fp] = nxt
                queue.append(nxt)
    recorded = {"initial": np.array([value_fingerprint(start)], dtype=np.int64), "fps": np.array(fps, dtype=np.int64),
                "marks": np.array(marks, dtype=np.uint64), "src": np.array(src, dtype=np.int64),
                "dst": np.array(dst, dtype=np.int64), "task": np.array(task, dtype=np.int64),
                "flags": np.array(flags, dtype=np.uint8), "tasks": view.tasks}
    return build_graph(recorded)


def concrete_cycle(view: ModelView, start: Any, classes: set[int], no_faults: bool) -> tuple[Route, Graph] | None:
    """A fair way from `start` to a fair cycle (or a dead end) among the concrete states of the
    classes, judged exactly; None when there is none (the candidate was not fair once concrete)."""
    graph = concrete_graph(view, start, classes)
    cycles = FairCycles(graph, exact=True)
    allowed = graph.dst >= 0
    if no_faults:
        allowed &= (graph.task_kind[graph.task] & FAULT_TASK) == 0
    everything = np.ones(graph.size, dtype=bool)
    dead = cycles.dead_ends(everything)
    components = cycles.fair_components(everything, allowed)
    targets = [np.array([d]) for d in dead.tolist()] + components
    if not targets:
        return None
    entries = np.zeros(graph.size, dtype=bool)
    entries[graph.initial] = True
    found, predecessors = ways_in(graph, entries, allowed, allowed, targets)
    if not found:
        return None
    _distance, which, node = found[0]
    way = route(graph, predecessors, node, allowed, allowed)
    if which < len(dead):
        return way.staying(), graph
    return way.then(fair_cycle(graph, cycles, targets[which], node, allowed)), graph
