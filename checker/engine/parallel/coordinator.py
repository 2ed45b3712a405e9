"""Breadth-first search over worker processes (`check(model, workers=N)`, `--workers N`).

Shipping states between processes costs more than computing them (a pickle round trip: 21 us a
state for 2pc, 238 us for Raft, against 2 us and 32 us of work per successor), so states never
move: each worker (checker/engine/parallel/worker.py) keeps and expands the states it generated, and the
fingerprint space is partitioned among the workers (worker `fp mod N` owns `fp`). Only
fingerprints cross between processes, as int64 arrays, plus counts and finished traces.

The search is level-synchronous, in rounds. In a round every worker expands up to ROUND states
of its part of the current level (possibly none) and groups the candidate fingerprints by owner;
each owner inserts the candidates sent to it, taking the requesters in worker order, and answers
with a mask of the new ones; each worker keeps its admitted candidates as its part of the next
level and judges them. A level starts only when the one before it is done everywhere, so every
state is reached first by a shortest path, a violation found at level d is a shortest one, and
the counts (distinct, generated, depth) are those of the single-process engine. A state's parent
lives in the same worker, so each worker rebuilds its own traces (checker/engine/rebuild.py).

The coordinator (this module) runs in the calling process: it routes the arrays, adds up the
counts, enforces the limits (the state limit exactly: when a round would exceed it, owners first
count their new states and may each admit a share, in worker order), reports progress, and
stops every worker after the round in which a violation appeared. It talks to the workers only
through `Pool` (checker/engine/parallel/exchange.py): forked processes today, a cluster backend later.
Liveness: every worker records the steps it expands and the marks of the states it keeps, keyed
by fingerprints; when the search is over, the coordinator gathers them and judges the liveness
properties on the whole graph in this process (checker/engine/liveness/).
"""
import os
from typing import Any, Sequence

import numpy as np

from checker.engine.checkpoint import Checkpoints
from checker.engine.parallel.exchange import Pool, ProcessPool, WorkerLost
from checker.engine.search import Search, StopSearch
from checker.engine.parallel.worker import ROUND, Expansion, Found, ModelSpec, Report, Worker
from checker.errors import NondeterministicModel, OptionError

SPLIT_AT = 1024  # the first level with this many states is split among the workers; the levels before it every worker searches alike

__all__ = ["PartitionedStore", "WorkerLost", "parallel_bfs", "resolve_workers"]


def resolve_workers(workers: int) -> int:
    """The number of worker processes: 0 means one per core."""
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        raise OptionError("workers", f"must be a whole number, 0 for one per core, got {workers!r}")
    return workers or os.cpu_count() or 1


class PartitionedStore:
    """The visited store of a parallel search, as check() sees it: spread over the workers."""

    def __init__(self, workers: int):
        self.workers = workers
        self.states = 0
        self.nbytes = 0
        self.cpu_seconds: list[float] = []     # per worker, when the search ended normally or at a limit
        self.peak_rss_bytes: list[int] = []

    def __len__(self) -> int:
        return self.states

    def bytes_per_state(self) -> float:
        """Bytes of every worker's store per distinct state (0 when the workers could not say)."""
        return self.nbytes / max(1, self.states)


def parallel_bfs(search: Search, store: PartitionedStore, checkpoints: Checkpoints | None = None) -> None:
    """Breadth-first search of `search.view.model` with `store.workers` forked worker processes;
    with `checkpoints`, resumed from the saved search if there is one, and checkpointed at levels' ends."""
    spec = ModelSpec(search.view.model)
    names = [p.name for p in search.properties]
    first = search.limits.stop_on_first_violation
    count = store.workers
    resumed = checkpoints.restore_parallel(search, count) if checkpoints is not None else None
    makers = [lambda index=index: Worker(spec, index, count, names, first) for index in range(count)]
    with ProcessPool(makers) as pool:
        Coordinator(search, pool, store, checkpoints).run(resumed)


class Coordinator:
    """Drives the rounds: routes candidates to owners and masks back, adds up counts, applies limits."""

    def __init__(self, search: Search, pool: Pool, store: PartitionedStore, checkpoints: Checkpoints | None = None):
        self.search, self.pool, self.store, self.checkpoints = search, pool, store, checkpoints
        self.by_name = {p.name: p for p in search.properties}
        self.n = pool.size

    def run(self, resumed: dict[str, Any] | None = None) -> None:
        try:
            self._search(resumed)
        except StopSearch:
            self._measure_store()
            raise
        self._measure_store()
        if self.search.liveness is not None and not self.search.depth_cut:
            self.search.liveness.absorb(self.pool.call("liveness_part", [()] * self.n))

    def _measure_store(self) -> None:
        self.store.states = self.search.distinct
        figures = self.pool.call("figures", [()] * self.n)
        self.store.nbytes = sum(f[0] for f in figures)
        self.store.cpu_seconds = [f[1] for f in figures]
        self.store.peak_rss_bytes = [f[2] for f in figures]

    def _search(self, resumed: dict[str, Any] | None) -> None:
        if resumed is None:
            level, sizes, ranks = self._first_levels(1, self._seed())
        else:
            self.pool.call("restore", [(path,) for path in resumed["files"]])
            saved = resumed["level"]
            if saved["alike"]:
                level, sizes, ranks = self._first_levels(saved["depth"], saved["sizes"][0])
            else:
                level, sizes, ranks = saved["depth"], saved["sizes"], saved["ranks"]
        while sizes is not None and sum(sizes):
            self._checkpoint(level, sizes, ranks)
            if self.search.beyond_depth(level):
                self.search.depth_cut = self._at_the_bound(level, sum(sizes), ranks)
                return
            sizes = self._level(level, sum(sizes), ranks)
            ranks = self._rank_next_level()
            level += 1

    def _checkpoint(self, level: int, sizes: list[int], ranks: list[np.ndarray | None], alike: bool = False) -> None:
        """At a level's end, before it is expanded: a checkpoint, when one is due. Before the split
        every worker holds the same states, so worker 1 alone writes them, and all resume from its file."""
        if self.checkpoints is None:
            return
        def save(paths: list[str]) -> None:
            self.pool.call("save", [(path if index == 0 or not alike else None,) for index, path in enumerate(paths)])
        self.checkpoints.save_parallel(self.search, save, {"depth": level, "sizes": sizes, "ranks": ranks, "alike": alike})

    def _seed(self) -> int:
        """Every worker keeps and judges the initial states; returns how many there are."""
        search, n = self.search, self.n
        seeded: list[Report] = self.pool.call("seed", [()] * n)
        search.generated += len(search.view.init_states)
        search.distinct = seeded[0].new
        search.depth = 1 if search.distinct else 0
        self._settle([seeded[0].found])
        return seeded[0].new

    def _first_levels(self, level: int, size: int) -> tuple[int, list[int] | None, list[np.ndarray | None]]:
        """The first levels, from `level` (of `size` states), searched by every worker alike until a
        level has SPLIT_AT states; then split. Returns the level to expand next, each worker's share
        of it (None: the search ended before the split) and their ranks (None: the split set them)."""
        while size:
            self._checkpoint(level, [size] * self.n, [None] * self.n, alike=True)
            if size >= SPLIT_AT or self.search.beyond_depth(level):
                return level, self.pool.call("split", [()] * self.n), [None] * self.n
            size = self._level_alike(level)
            level += 1
        return level, None, [None] * self.n

    def _level_alike(self, level: int) -> int:
        """Before the split: every worker searches the level as one process would; returns its size."""
        search, size = self.search, 0
        while True:
            room = search.room()
            replies = self.pool.call("expand_alike", [(level, list(search.found), room)] * self.n)
            generated, remaining, new, wanted, found = replies[0]
            if any(reply[:4] != replies[0][:4] for reply in replies):
                raise NondeterministicModel("workers searching the same level found different states; " + NondeterministicModel.USUAL_CAUSES)
            search.generated += generated
            search.distinct += new
            size += new
            if new:
                search.depth = max(search.depth, level + 1)
            self._settle([found])
            if room is not None and wanted > room:
                search.stop_at_state_limit()
            search.tick()
            if not remaining:
                return size

    def _rank_next_level(self) -> list[np.ndarray | None]:
        """Each worker's states of the next level ranked in BFS order over all workers."""
        keys = self.pool.call("level_keys", [()] * self.n)
        everything = np.sort(np.concatenate(keys))
        return [np.searchsorted(everything, mine) for mine in keys]

    def _expand(self, level: int, below: int, ranks: list[np.ndarray | None]) -> tuple[list[Expansion], list[list[Any]]]:
        decided = list(self.search.found)
        expansions: list[Expansion] = self.pool.call("expand", [(level, decided, below, r) for r in ranks])
        ranks[:] = [None] * self.n  # sent once, with the level's first round
        to_owner = [[e.requests[owner] for e in expansions] for owner in range(self.n)]
        return expansions, to_owner

    def _level(self, level: int, size: int, ranks: list[np.ndarray | None]) -> list[int]:
        """Expand one level everywhere, round by round (ranks [below - ROUND * n, below) each);
        returns each worker's share of the next level."""
        search, n = self.search, self.n
        next_sizes = [0] * n
        below = 0
        while below < size:
            below += ROUND * n
            expansions, to_owner = self._expand(level, below, ranks)
            room = search.room()
            offered = sum(len(c.fingerprints) for e in expansions for c in e.requests)
            limit: int | None = None
            over_limit = False
            if room is not None and room < offered:  # the limit may bite: admit only the first `room` new states in BFS order
                keys = np.sort(np.concatenate(self.pool.call("probe", [(requests,) for requests in to_owner])))
                if len(keys) > room:
                    over_limit, limit = True, int(keys[room])
            admitted = self.pool.call("admit", [(requests, limit) for requests in to_owner])
            reports: list[Report] = self.pool.call("accept", [([admitted[owner][w] for owner in range(n)],) for w in range(n)])
            search.generated += sum(e.generated for e in expansions)
            new = [r.new for r in reports]
            next_sizes = [a + b for a, b in zip(next_sizes, new)]
            search.distinct += sum(new)
            if sum(new):
                search.depth = max(search.depth, level + 1)  # as TLC counts: the depth of the deepest state seen
            self._settle([e.found for e in expansions] + [r.found for r in reports])
            if over_limit:
                search.stop_at_state_limit()
            search.tick()
        return next_sizes

    def _at_the_bound(self, level: int, size: int, ranks: list[np.ndarray | None]) -> bool:
        """At the depth bound: judge the last level's deadlocks and steps without storing what lies
        beyond; True if some step leads to a state not seen yet (the bound cut the search)."""
        cut, below = False, 0
        while below < size:
            below += ROUND * self.n
            expansions, to_owner = self._expand(level, below, ranks)
            unseen = self.pool.call("probe", [(requests,) for requests in to_owner])
            cut = cut or any(len(keys) for keys in unseen)
            self._settle([e.found for e in expansions])
            self.search.tick()
        return cut

    def _settle(self, found: Sequence[list[Found]]) -> None:
        """Record the workers' discoveries, lowest worker first; stop as the single engine would."""
        search = self.search
        stop: StopSearch | None = None
        for discoveries in found:
            for item in discoveries:
                if item.name in search.found:
                    continue
                try:
                    search._discover(self.by_name[item.name], item.depth, (lambda trace=item.trace: trace), item.explanation)
                except StopSearch as raised:
                    stop = stop or raised
        if stop is not None:
            raise stop
