"""The exhaustive engines: breadth-first (shortest counterexamples) and depth-first search.

Breadth-first expands a level in chunks: the chunk's successors are fingerprinted and
inserted into the store as one numpy batch, so the per-successor Python work is one call of
the model's compiled `next_states` and one hash. Depth-first pushes one state at a time.
Both number states in discovery order and record (parent, successor position, fingerprint).
"""
from itertools import chain
from typing import Any, Callable

import attrs
import numpy as np

from checker.errors import FalseShortcut
from checker.fingerprint import fingerprint as value_fingerprint
from checker.model import ModelView, no_way_forward
from checker.engine.search import ModelRaised, Search
from checker.engine.frontier import Frontier
from checker.engine.store import VisitedStore
from checker.engine.rebuild import rebuild
from checker.trace import Trace

CHUNK = 4096


def _trace_builder(view: ModelView, store: VisitedStore) -> Callable[[int], Callable[[], Trace]]:
    return lambda index: (lambda: rebuild(view, store.records, index))


def _step_trace(view: ModelView, store: VisitedStore, index: int, slot: int) -> Callable[[], Trace]:
    """The trace to `index`, then its successor number `slot` (which may be a state seen before)."""
    def build() -> Trace:
        trace = rebuild(view, store.records, index)
        label, nxt = list(view.successors(trace.last))[slot]
        return trace.extended(label, nxt)
    return build


def seed_initial(search: Search, store: VisitedStore) -> list[tuple[Any, int]]:
    """Store and judge the initial states; returns (state, index) for those inside the boundary."""
    view = search.view
    kept = []
    for slot, state in enumerate(view.init_states):
        if not view.within_boundary(state):
            continue
        fingerprint = view.fingerprint(state)
        if store.seen.add(fingerprint):
            kept.append((state, store.records.append(-1, slot, fingerprint)))
    search.generated += len(view.init_states)
    search.distinct = len(store)
    search.depth = 1 if kept else 0
    trace_of = _trace_builder(view, store)
    if search.liveness is not None:
        fingerprints = np.array([store.records.fingerprint[index] for _state, index in kept], dtype=np.int64)
        search.liveness.initial_states(fingerprints)
        search.liveness.states([s for s, _ in kept], fingerprints, lambda i: trace_of(kept[i][1]))
    search.judge_states([s for s, _ in kept], 1, lambda i: trace_of(kept[i][1]))
    return kept


@attrs.define
class Level:
    """A breadth-first level: its states (depth `depth`; initial states are depth 1), the first of
    which has record index `first_index` in the store, the rest following in order."""

    frontier: Frontier
    first_index: int
    depth: int


def first_level(search: Search, store: VisitedStore) -> Level:
    """The initial states, stored and judged, as the first level."""
    return Level(Frontier(state for state, _ in seed_initial(search, store)), 0, 1)


def bfs(search: Search, store: VisitedStore, level: Level | None = None, at_level_end: Callable[[Level], None] | None = None) -> None:
    """Breadth-first search, level by level; the first violation found is a shortest one.
    Starts from `level` (a resumed checkpoint) or the initial states; `at_level_end` sees every
    level before it is expanded (checkpoints)."""
    level = level or first_level(search, store)
    while True:
        if at_level_end is not None:
            at_level_end(level)
        if not level.frontier:
            return
        if search.beyond_depth(level.depth):
            search.depth_cut = _at_the_bound(search, store, level)
            return
        successors = Frontier()
        base = level.first_index
        for chunk in level.frontier.chunks(CHUNK):
            check_unpacked(search, store, chunk, base)
            successors.extend(_expand_chunk(search, store, chunk, base, level.depth))
            base += len(chunk)
            search.tick()
        level = Level(successors, base, level.depth + 1)
        if level.frontier:
            search.depth = level.depth


def check_unpacked(search: Search, store: VisitedStore, chunk: list[Any], base: int) -> None:
    """Levels are kept packed (pickled) and checkpoints pickle them: the first state of a chunk
    about to be expanded must fingerprint as it did when it was stored, or the search would go on
    from states the model never reached. One fingerprint per chunk of thousands of states."""
    if chunk and search.view.fingerprint(chunk[0]) != store.records.fingerprint[base]:
        error = FalseShortcut("a state changed when its level was packed or saved and read back (pickled): "
                              "the model's state classes must pickle to equal values")
        raise ModelRaised(error, "reading back a packed level", _trace_builder(search.view, store)(base))


def _successors_of_chunk(search: Search, chunk: list[Any], base: int, depth: int, store: VisitedStore) -> tuple[list[list[Any]], list[int], list[int] | None]:
    """The successors of each state of a chunk, how many each state has, and (checking liveness)
    the fingerprint of each successor's task; with transition properties, each state's labelled
    successors are computed once and judged as steps."""
    view = search.view
    trace_of = _trace_builder(view, store)
    if search.step_checks:
        expand: Callable[[Any], Any] = lambda state: list(view.successors(state))
    else:
        expand = view.next_states if search.liveness is None else view.steps
    try:
        per_state = list(map(expand, chunk))
    except Exception as error:  # noqa: BLE001 - a model's own bug: find the state that raised
        offset = next(i for i, state in enumerate(chunk) if _raises(expand, state))
        raise ModelRaised(error, "computing successors", trace_of(base + offset)) from error
    tasks = None
    if search.step_checks:
        for offset, (state, steps) in enumerate(zip(chunk, per_state)):
            for slot, (label, after) in enumerate(steps):
                search.judge_step(state, label, after, depth + 1, _step_trace(view, store, base + offset, slot))
        if search.liveness is not None:
            tasks = [view.task_fingerprint(label) for steps in per_state for label, _after in steps]
        per_state = [[after for _label, after in steps] for steps in per_state]
    elif search.liveness is not None:
        tasks = [task for _states, state_tasks in per_state for task in state_tasks]
        per_state = [states for states, _tasks in per_state]
    return per_state, list(map(len, per_state)), tasks


def _raises(function: Callable[[Any], Any], state: Any) -> bool:
    try:
        function(state)
    except Exception:  # noqa: BLE001
        return True
    return False


def _expand_chunk(search: Search, store: VisitedStore, chunk: list[Any], base: int, depth: int) -> list[Any]:
    """Expand a chunk of one level; store and judge the new states; return them in order."""
    view = search.view
    per_state, counts, tasks = _successors_of_chunk(search, chunk, base, depth, store)
    total = sum(counts)
    search.generated += total
    fingerprint = view.fingerprint  # without symmetry, the plain fingerprint function
    fingerprints = np.fromiter(map(fingerprint, chain.from_iterable(per_state)), dtype=np.int64, count=total)
    sizes = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(chunk), dtype=np.int64), sizes)  # the chunk position of each successor's parent
    if search.check_deadlock:
        _judge_stuck_states(search, store, chunk, base, depth, owner, fingerprints)
    inside = inside_positions(search, store, per_state, owner, base) if view.has_boundary else None
    if search.liveness is not None:
        record_steps(search, store, chunk, base, per_state, owner, fingerprints, tasks, inside)
    if inside is not None:
        new = inside[store.seen.add_batch(fingerprints[inside])]
    else:
        new = store.seen.add_batch(fingerprints)
    room = search.room()
    over_limit = room is not None and len(new) > room
    if over_limit:
        new = new[:room]  # the state limit is exact: keep the first new states in BFS order
    owners = owner[new]
    slots = (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes))[new]
    first_new = len(store)
    store.records.extend(owners + base, slots, fingerprints[new])
    search.distinct = len(store)
    fresh = [per_state[owner][slot] for owner, slot in zip(owners.tolist(), slots.tolist())]
    if fresh:
        search.depth = max(search.depth, depth + 1)  # as TLC counts: the depth of the deepest state seen
    trace_of = _trace_builder(view, store)
    if search.liveness is not None:
        search.liveness.states(fresh, fingerprints[new], lambda i: trace_of(first_new + i))
    search.judge_states(fresh, depth + 1, lambda i: trace_of(first_new + i))
    if over_limit:
        search.stop_at_state_limit()
    return fresh


def record_steps(search: Search, store: VisitedStore, chunk: list[Any], base: int, per_state: list[list[Any]], owner: np.ndarray,
                 fingerprints: np.ndarray, tasks: list[int] | None, inside: np.ndarray | None) -> None:
    """Liveness: record the chunk's steps (checker/engine/liveness/recorder.py); a step is
    stuttering when its successor is its state itself (not only of the same symmetry class)."""
    sources = np.frombuffer(store.records.fingerprint[base:base + len(chunk)], dtype=np.int64)[owner]
    if search.view.has_symmetry:
        own = np.fromiter(map(value_fingerprint, chunk), dtype=np.int64, count=len(chunk))[owner]
        stutter = own == np.fromiter(map(value_fingerprint, chain.from_iterable(per_state)), dtype=np.int64, count=len(owner))
    else:
        stutter = sources == fingerprints
    within = np.ones(len(owner), dtype=bool)
    if inside is not None:
        within[:] = False
        within[inside] = True
    search.liveness.steps(sources, fingerprints, np.array(tasks, dtype=np.int64), within, stutter)


def inside_positions(search: Search, store: VisitedStore, per_state: list[list[Any]], owner: np.ndarray, base: int) -> np.ndarray:
    """Positions of the chunk's successors inside the model's state constraint (`owner`: each
    successor's parent, as a position in the chunk whose first state has record index `base`)."""
    owner_of = owner.tolist()
    flags = [_inside(search, store, nxt, base + owner_of[i]) for i, nxt in enumerate(chain.from_iterable(per_state))]
    return np.flatnonzero(np.array(flags, dtype=bool))


def _judge_stuck_states(search: Search, store: VisitedStore, chunk: list[Any], base: int, depth: int,
                        owner: np.ndarray, fingerprints: np.ndarray) -> None:
    """Judge the chunk's states from which no step leads anywhere else (no successor, or only itself)."""
    own = np.frombuffer(store.records.fingerprint[base:base + len(chunk)], dtype=np.int64)
    moving = np.bincount(owner[fingerprints != own[owner]], minlength=len(chunk))
    trace_of = _trace_builder(search.view, store)
    for offset in np.flatnonzero(moving == 0).tolist():
        search.judge_stuck(chunk[offset], depth, trace_of(base + offset))


def _at_the_bound(search: Search, store: VisitedStore, level: Level) -> bool:
    """At the depth bound: judge deadlocks and steps of the last level without storing what
    lies beyond; True if any step would have led to a state not yet seen (the bound cut the search)."""
    cut = False
    index = level.first_index
    for chunk in level.frontier.chunks(CHUNK):
        for state in chunk:
            cut = _judge_at_the_bound(search, store, state, index, level.depth) or cut
            index += 1
    return cut


def _judge_at_the_bound(search: Search, store: VisitedStore, state: Any, index: int, depth: int) -> bool:
    """One state at the depth bound: its deadlock and steps judged; True if a step leads to an unseen state."""
    view = search.view
    cut = False
    successors = _labelled(search, store, state, index)
    fingerprints = [view.fingerprint(nxt) for _label, nxt in successors]
    if search.check_deadlock and no_way_forward(store.records.fingerprint[index], fingerprints):
        search.judge_stuck(state, depth, _trace_builder(view, store)(index))
    inside = [_inside(search, store, nxt, index) for _label, nxt in successors]
    if search.liveness is not None:  # when no step leaves the seen states, the graph is whole and liveness is judged
        _record_state_steps(search, state, store.records.fingerprint[index], successors, fingerprints, inside)
    for slot, ((label, nxt), fingerprint) in enumerate(zip(successors, fingerprints)):
        if search.step_checks:
            search.judge_step(state, label, nxt, depth + 1, _step_trace(view, store, index, slot))
        cut = cut or (inside[slot] and not store.seen.contains(fingerprint))
    return cut


def _labelled(search: Search, store: VisitedStore, state: Any, index: int) -> list[tuple[Any, Any]]:
    """A state's labelled successors; a model error is reported with the trace to the state."""
    try:
        return list(search.view.successors(state))
    except Exception as error:  # noqa: BLE001 - a model's own bug, reported with its trace
        raise ModelRaised(error, "computing successors", _trace_builder(search.view, store)(index)) from error


def _inside(search: Search, store: VisitedStore, state: Any, parent: int) -> bool:
    """The model's state constraint; a model error is reported with the trace to the parent."""
    try:
        return bool(search.view.within_boundary(state))
    except Exception as error:  # noqa: BLE001 - a model's own bug, reported with its trace
        raise ModelRaised(error, "evaluating within_boundary", _trace_builder(search.view, store)(parent)) from error


def dfs(search: Search, store: VisitedStore) -> None:
    """Depth-first search; finds violations but not the shortest ones."""
    view = search.view
    trace_of = _trace_builder(view, store)
    stack = [(state, index, 1) for state, index in reversed(seed_initial(search, store))]
    popped = 0
    while stack:
        state, index, depth = stack.pop()
        popped += 1
        if popped % 1024 == 0:
            search.tick()
        if search.beyond_depth(depth):
            search.depth_cut = _judge_at_the_bound(search, store, state, index, depth) or search.depth_cut
            continue
        successors = _labelled(search, store, state, index)
        fingerprints = [view.fingerprint(nxt) for _label, nxt in successors]
        if no_way_forward(store.records.fingerprint[index], fingerprints):
            search.judge_stuck(state, depth, trace_of(index))
        inside = [_inside(search, store, nxt, index) for _label, nxt in successors]
        if search.liveness is not None:
            _record_state_steps(search, state, store.records.fingerprint[index], successors, fingerprints, inside)
        pushed = []
        for slot, ((label, nxt), fingerprint) in enumerate(zip(successors, fingerprints)):
            search.generated += 1
            if search.step_checks:
                search.judge_step(state, label, nxt, depth + 1, _step_trace(view, store, index, slot))
            if not inside[slot]:
                continue
            if store.seen.add(fingerprint):
                search.stop_at_state_limit()
                child = store.records.append(index, slot, fingerprint)
                search.distinct = len(store)
                search.depth = max(search.depth, depth + 1)
                if search.liveness is not None:
                    search.liveness.states([nxt], np.array([fingerprint], dtype=np.int64), lambda _i, child=child: trace_of(child))
                search.judge_states([nxt], depth + 1, lambda _i, child=child: trace_of(child))
                pushed.append((nxt, child, depth + 1))
        stack.extend(reversed(pushed))


def _record_state_steps(search: Search, state: Any, own: int, successors: list[tuple[Any, Any]], fingerprints: list[int],
                        inside: list[bool]) -> None:
    """Liveness, depth-first: record one state's steps (see `record_steps`)."""
    view = search.view
    if view.has_symmetry:
        mine = value_fingerprint(state)
        stutter = [value_fingerprint(nxt) == mine for _label, nxt in successors]
    else:
        stutter = [fingerprint == own for fingerprint in fingerprints]
    tasks = [view.task_fingerprint(label) for label, _nxt in successors]
    search.liveness.steps(np.full(len(successors), own, dtype=np.int64), np.array(fingerprints, dtype=np.int64),
                          np.array(tasks, dtype=np.int64), np.array(inside, dtype=bool), np.array(stutter, dtype=bool))
