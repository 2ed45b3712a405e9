"""One worker of the parallel breadth-first search (checker/engine/parallel.py).

A worker keeps and expands the states it generated, and owns the fingerprints `owner(fp) ==
index`: it answers the other workers' "new or seen?" for those. Per round it is called three
times: `expand` (successors of up to CHUNK states of its part of the current level: steps and
deadlocks judged, the state constraint applied, fingerprints deduplicated and grouped by owner),
`admit` (as an owner: insert the candidates sent to it, the requesters taken in worker order),
and `accept` (keep the candidates their owners admitted, record them, judge them). A state's
parent is always kept by the same worker, so each worker rebuilds its own traces
(checker/engine/rebuild.py) and ships only finished traces.

Everything a worker returns is plain data (numpy arrays, counts, traces), so it travels over a
Pipe or a cluster's object store alike; everything it needs is built from `ModelSpec`.
"""
import functools
import resource
from itertools import chain
from typing import Any, Callable, NamedTuple

import numpy as np

from checker.engine.explore import CHUNK, _inside, _judge_stuck_states, _successors_of_chunk, _trace_builder
from checker.engine.search import Discovery, Limits, ModelRaised, Search, StopSearch
from checker.engine.store import VisitedStore
from checker.model import ModelView
from checker.trace import Trace


def owners(fingerprints: np.ndarray, count: int) -> np.ndarray:
    """The worker owning each fingerprint: the fingerprint modulo `count`, as an unsigned word
    (fingerprints are splitmix64 outputs, so every residue is equally likely)."""
    return (fingerprints.view(np.uint64) % np.uint64(count)).astype(np.int64)


class ModelSpec:
    """How a worker gets its model: a forked worker uses the instance it inherited; pickled (for a
    spawned process or a cluster) only the factory travels, `type(model)(**model.options())`."""

    def __init__(self, model: Any):
        self.model = model
        options = getattr(model, "options", None)
        self.factory: Callable[[], Any] | None = functools.partial(type(model), **options()) if callable(options) else None

    def build(self) -> Any:
        """The model: the inherited instance, else a new one from the factory."""
        if self.model is not None:
            return self.model
        if self.factory is None:
            raise TypeError("this model has no options() to rebuild it from in another process")
        return self.factory()

    def __getstate__(self) -> dict[str, Any]:
        return {"model": None, "factory": self.factory}


class Found(NamedTuple):
    """A discovery made by a worker, with its trace already rebuilt."""

    name: str
    depth: int
    explanation: str
    trace: Trace


class Expansion(NamedTuple):
    """What `expand` returns: the candidates for each owner, the successors computed, and what is left."""

    requests: list[np.ndarray]
    generated: int
    remaining: int
    found: list[Found]


class Report(NamedTuple):
    """What `seed` and `accept` return: how many new states this worker kept, and its discoveries."""

    new: int
    found: list[Found]


class RaisedInWorker(ModelRaised):
    """ModelRaised as it crosses a process boundary: the message, where, and the finished trace."""

    def __init__(self, message: str, where: str, trace: Trace):
        Exception.__init__(self, message)
        self.error, self.where, self.message, self.built = None, where, message, trace
        self.trace = lambda: trace

    def __reduce__(self) -> tuple[Any, ...]:
        return (RaisedInWorker, (self.message, self.where, self.built))


def _decided_elsewhere() -> Trace:
    raise AssertionError("a property decided by another worker has no trace here")


def _portable_model_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """ModelRaised holds a trace builder bound to this process's store: build the trace here."""
    @functools.wraps(method)
    def wrapper(*args: Any) -> Any:
        try:
            return method(*args)
        except ModelRaised as raised:
            raise RaisedInWorker(str(raised), raised.where, raised.trace()) from None
    return wrapper


SLOT_BITS = 24  # a successor's BFS order key: its parent's rank in the level, then its slot


class Worker:
    """The states one worker keeps, the fingerprints it owns, and its side of every round.

    BFS order is kept across workers: every state of a level has a rank, its position in the order
    in which one process would have found it, and a successor's key is (parent's rank, slot). A
    round expands the states with ranks in a range, so the keys of its candidates follow those of
    the rounds before; an owner keeps, of the candidates for one state, the one with the least key.
    So every worker keeps exactly the states (the same concrete member of each symmetry class, with
    the same parent) that one process would: the counts are the same even for a model whose
    symmetry reduction depends on the order of the search."""

    def __init__(self, spec: ModelSpec, index: int, count: int, property_names: list[str], stop_on_first_violation: bool):
        self.view = ModelView(spec.build())
        by_name = {p.name: p for p in self.view.all_properties}
        self.search = Search(self.view, [by_name[name] for name in property_names], Limits(stop_on_first_violation=stop_on_first_violation))
        self.store = VisitedStore()
        self.index, self.count = index, count
        self.level = 0  # the level being expanded (the initial states are level 1)
        self.frontier: list[Any] = []  # this worker's states of the current level, in rank order
        self.ranks = np.zeros(0, dtype=np.int64)  # their ranks in the level
        self.position = 0              # how many of them are expanded
        self.base = 0                  # the record index of frontier[0]
        self.next_frontier: list[Any] = []
        self.next_keys: list[np.ndarray] = []  # the order keys of the next level's states, ascending
        self.next_ranks: np.ndarray | None = None
        self.next_base = 0
        self.reported: set[str] = set()
        self.pending: tuple[Any, ...] | None = None

    def _news(self) -> list[Found]:
        """Discoveries this worker made since it last reported, with their traces."""
        news = []
        for name, found in self.search.found.items():
            if name not in self.reported:
                self.reported.add(name)
                news.append(Found(name, found.depth, found.explanation, found.trace()))
        return news

    def _forget(self, decided: list[str]) -> None:
        """Properties decided by other workers are no longer searched for here."""
        search = self.search
        fresh = [name for name in decided if name not in search.found]
        if not fresh:
            return
        for name in fresh:
            search.found[name] = Discovery(0, _decided_elsewhere)
            self.reported.add(name)
        search.invariants = [p for p in search.invariants if p.name not in fresh]
        search.witnesses = [p for p in search.witnesses if p.name not in fresh]
        search.step_checks = [p for p in search.step_checks if p.name not in fresh]

    @_portable_model_errors
    def seed(self) -> Report:
        """Keep, record and judge every initial state (the first levels are searched by every
        worker alike, until `split`)."""
        view = self.view
        states, slots, fingerprints = [], [], []
        for slot, state in enumerate(view.init_states):
            if view.within_boundary(state):
                fingerprint = view.fingerprint(state)
                states.append(state)
                slots.append(slot)
                fingerprints.append(fingerprint)
        keys = np.array(fingerprints, dtype=np.int64)
        new = self.store.seen.add_batch(keys)
        self.store.records.extend(np.full(len(new), -1, dtype=np.int64), np.array(slots, dtype=np.int64)[new], keys[new])
        self.next_frontier, self.next_base = [states[i] for i in new.tolist()], 0
        self.next_ranks = np.arange(len(new), dtype=np.int64)
        trace_of = _trace_builder(view, self.store)
        try:
            self.search.judge_states(self.next_frontier, 1, trace_of)
        except StopSearch:
            pass  # the coordinator sees the discovery and stops everyone
        return Report(len(new), self._news())

    @_portable_model_errors
    def expand(self, level: int, decided: list[str], below: int, ranks: np.ndarray | None) -> Expansion:
        """Expand this worker's states of `level` ranked below `below` (`ranks`: those of its states
        of the level, sent with the level's first round); the candidates (new within the chunk,
        inside the state constraint) grouped by owner, each as (fingerprints, order keys)."""
        if ranks is not None:
            self.next_ranks = ranks
        return self._expand(level, decided, self.count, below)

    @_portable_model_errors
    def expand_alike(self, level: int, decided: list[str], budget: int | None) -> tuple[int, int, int, int, list[Found]]:
        """Before the split, every worker searches the level alike, as one process would: expand the
        next chunk, admit at most `budget` new states, keep and judge them. Returns (generated,
        remaining, kept, new before the budget, discoveries)."""
        if level != self.level:
            self.next_ranks = np.arange(len(self.next_frontier), dtype=np.int64)
        below = (self.position if level == self.level else 0) + CHUNK  # before the split, a state's rank is its position
        expansion = self._expand(level, decided, 1, below)
        if self.pending is None:
            return expansion.generated, expansion.remaining, 0, 0, expansion.found
        wanted = len(self._winners(expansion.requests)) if budget is not None else None
        report = self.accept(self._admit(expansion.requests, budget, None))
        return expansion.generated, expansion.remaining, report.new, report.new if wanted is None else wanted, expansion.found + report.found

    def split(self) -> int:
        """End the shared first levels: keep the states of the next level this worker owns, as a
        level of its own (their records copied, so that its states have consecutive indices)."""
        records = self.store.records
        start, end = self.next_base, len(records)
        keys = np.frombuffer(records.fingerprint[start:end], dtype=np.int64)
        mine = np.flatnonzero(owners(keys, self.count) == self.index)
        indices = mine + start
        self.next_frontier = [self.next_frontier[i] for i in mine.tolist()]
        self.next_ranks = mine.astype(np.int64)
        self.next_keys = []
        self.next_base = end
        parent = np.frombuffer(records.parent, dtype=np.int32)[indices]
        slot = np.frombuffer(records.slot, dtype=np.int32)[indices]
        records.extend(parent, slot, keys[mine])
        return len(mine)

    def level_keys(self) -> np.ndarray:
        """The order keys of this worker's states of the next level, ascending (the coordinator ranks them)."""
        return np.concatenate(self.next_keys) if self.next_keys else np.zeros(0, dtype=np.int64)

    def _expand(self, level: int, decided: list[str], groups: int, below: int) -> Expansion:
        self._forget(decided)
        if level != self.level:  # every worker finished the level before: start the next one
            self.frontier, self.base, self.ranks = self.next_frontier, self.next_base, self.next_ranks
            self.next_frontier, self.next_base, self.position, self.level = [], len(self.store), 0, level
            self.next_keys, self.next_ranks = [], None
        end = int(np.searchsorted(self.ranks, below, side="left"))
        chunk = self.frontier[self.position:end]
        start, first = self.base + self.position, self.position
        self.position = max(end, self.position)
        remaining = len(self.frontier) - self.position
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        if not chunk:
            self.pending = None
            return Expansion([empty] * groups, 0, remaining, self._news())
        search, view, store = self.search, self.view, self.store
        try:
            per_state, counts = _successors_of_chunk(search, chunk, start, level, store)
        except StopSearch:  # a transition property failed: the coordinator stops everyone after this round
            self.pending = None
            return Expansion([empty] * groups, 0, remaining, self._news())
        total = sum(counts)
        fingerprints = np.fromiter(map(view.fingerprint, chain.from_iterable(per_state)), dtype=np.int64, count=total)
        sizes = np.asarray(counts, dtype=np.int64)
        parent = np.repeat(np.arange(len(chunk), dtype=np.int64), sizes)
        if search.check_deadlock:
            try:
                _judge_stuck_states(search, store, chunk, start, level, parent, fingerprints)
            except StopSearch:  # a deadlock: as the single engine, keep none of the chunk's successors
                self.pending = None
                return Expansion([empty] * groups, total, remaining, self._news())
        if view.has_boundary:
            parent_of = parent.tolist()
            flags = [_inside(search, store, nxt, start + parent_of[i]) for i, nxt in enumerate(chain.from_iterable(per_state))]
            inside = np.flatnonzero(np.array(flags, dtype=bool))
        else:
            inside = np.arange(total, dtype=np.int64)
        _unique, firsts = np.unique(fingerprints[inside], return_index=True)
        candidates = inside[np.sort(firsts)]
        slots = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        order = (self.ranks[first:first + len(chunk)][parent] << SLOT_BITS) | slots
        owner = owners(fingerprints[candidates], groups)
        picks = [candidates[owner == w] for w in range(groups)]
        self.pending = (chunk, start, per_state, parent, slots, picks, fingerprints, order, level)
        return Expansion([(fingerprints[p], order[p]) for p in picks], total, remaining, self._news())

    def admit(self, requests: list[tuple[np.ndarray, np.ndarray]], below: int | None) -> list[np.ndarray]:
        """As owner: of the candidates the workers sent, admit the new ones (with order keys below
        `below`, when given: the state limit), each state to the candidate with the least key, and
        insert them. A mask per requester: which of its candidates are admitted (its to keep)."""
        return self._admit(requests, None, below)

    def probe(self, requests: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """As owner: the order keys of the states the requests would admit, ascending (nothing inserted)."""
        winners = self._winners(requests)
        keys = np.concatenate([order for _fps, order in requests]) if requests else np.zeros(0, dtype=np.int64)
        return np.sort(keys[winners])

    def _winners(self, requests: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Positions (in the concatenated requests) of the new states' least-key candidates, ascending."""
        if not requests:
            return np.zeros(0, dtype=np.int64)
        fingerprints = np.concatenate([fps for fps, _order in requests])
        order = np.concatenate([keys for _fps, keys in requests])
        by = np.lexsort((order, fingerprints))
        firsts = by[np.r_[True, fingerprints[by][1:] != fingerprints[by][:-1]]] if len(by) else by
        return np.sort(firsts[~self.store.seen._known(fingerprints[firsts])])

    def _admit(self, requests: list[tuple[np.ndarray, np.ndarray]], budget: int | None, below: int | None) -> list[np.ndarray]:
        winners = self._winners(requests)
        if below is not None:
            order = np.concatenate([keys for _fps, keys in requests])
            winners = winners[order[winners] < below]
        if budget is not None:
            winners = winners[:budget]  # one requester (the shared levels): its positions are in BFS order
        fingerprints = np.concatenate([fps for fps, _order in requests]) if requests else np.zeros(0, dtype=np.int64)
        self.store.seen.add_batch(fingerprints[winners])
        mask = np.zeros(len(fingerprints), dtype=bool)
        mask[winners] = True
        return np.split(mask, np.cumsum([len(fps) for fps, _order in requests])[:-1])

    @_portable_model_errors
    def accept(self, masks: list[np.ndarray]) -> Report:
        """Keep the candidates of the last expansion that their owners admitted: record them in BFS
        order, add them to the next level, and judge them."""
        if self.pending is None:
            return Report(0, self._news())
        chunk, start, per_state, parent, slots, picks, fingerprints, order, level = self.pending
        self.pending = None
        new = np.sort(np.concatenate([pick[mask] for pick, mask in zip(picks, masks)]))
        parents = parent[new]
        first_new = len(self.store)
        self.store.records.extend(parents + start, slots[new], fingerprints[new])
        self.next_keys.append(order[new])
        fresh = [per_state[p][s] for p, s in zip(parents.tolist(), slots[new].tolist())]
        self.next_frontier += fresh
        trace_of = _trace_builder(self.view, self.store)
        try:
            self.search.judge_states(fresh, level + 1, lambda i: trace_of(first_new + i))
        except StopSearch:
            pass
        return Report(len(new), self._news())

    def figures(self) -> tuple[int, float, int]:
        """Bytes of this worker's store (fingerprints it owns, records of states it keeps), the CPU
        seconds of its process, and its peak resident set in bytes."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return self.store.nbytes, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
