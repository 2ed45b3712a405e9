"""One worker of the parallel breadth-first search (checker/engine/parallel/coordinator.py).

A worker keeps and expands the states it generated, and owns the fingerprints `owner(fp) ==
index`: it answers the other workers' "new or seen?" for those. Per round it is called three
times: `expand` (successors of up to ROUND states of its part of the current level: steps and
deadlocks judged, the state constraint applied, fingerprints deduplicated and grouped by owner),
`admit` (as an owner: insert the candidates sent to it, the requesters taken in worker order),
and `accept` (keep the candidates their owners admitted, record them, judge them). A state's
parent is always kept by the same worker, so each worker rebuilds its own traces
(checker/engine/rebuild.py) and ships only finished traces.

Everything a worker returns is plain data (numpy arrays, counts, traces), so it travels over a
Pipe or a cluster's object store alike; everything it needs is built from `ModelSpec`.
"""
from __future__ import annotations

import functools
import os
import pickle
import resource
from itertools import chain
from typing import Any, Callable, NamedTuple

import numpy as np

from checker.engine.explore import check_unpacked, inside_positions, record_steps, _judge_stuck_states, _successors_of_chunk, _trace_builder
from checker.engine.liveness.recorder import GraphRecorder
from checker.engine.search import Discovery, Limits, ModelRaised, Search, StopSearch
from checker.engine.frontier import Frontier
from checker.engine.store import VisitedStore
from checker.fingerprint import fingerprint as value_fingerprint
from checker.model import ModelView
from checker.trace import Trace


def _fingerprints(view: ModelView, per_state: list[list[Any]], total: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The successors' class fingerprints, and under symmetry also their own (concrete) ones."""
    if not view.has_symmetry:
        return np.fromiter(map(view.fingerprint, chain.from_iterable(per_state)), dtype=np.int64, count=total), None
    own = np.fromiter(map(value_fingerprint, chain.from_iterable(per_state)), dtype=np.int64, count=total)
    classes = map(view.class_fingerprint, chain.from_iterable(per_state), own.tolist())
    return np.fromiter(classes, dtype=np.int64, count=total), own


def _keepers(requests: list[Candidates], fingerprints: np.ndarray, winners: np.ndarray) -> np.ndarray:
    """For each admitted state (its least-key candidate in `winners`), the candidate that keeps it:
    one of those that are the winner's concrete state, chosen by the fingerprint's high bits."""
    if len(winners) == 0:
        return winners
    own = np.concatenate([c.fingerprints if c.own is None else c.own for c in requests])  # without symmetry, the same
    by = np.lexsort((own, fingerprints))  # the candidates grouped by (class, concrete state)
    position_in_by = np.empty(len(by), dtype=np.int64)
    position_in_by[by] = np.arange(len(by))
    sorted_fps, sorted_own = fingerprints[by], own[by]
    starts = np.flatnonzero(np.r_[True, (sorted_fps[1:] != sorted_fps[:-1]) | (sorted_own[1:] != sorted_own[:-1])])
    sizes = np.diff(np.r_[starts, len(by)])
    group = np.searchsorted(starts, position_in_by[winners], side="right") - 1
    spread = (fingerprints[winners].view(np.uint64) >> np.uint64(40)) % sizes[group].astype(np.uint64)
    return by[starts[group] + spread.astype(np.int64)]


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


class Candidates(NamedTuple):
    """Candidates for the next level sent to their owner: class fingerprints, BFS order keys, and
    (under symmetry; else None) the fingerprints of the concrete states."""

    fingerprints: np.ndarray
    keys: np.ndarray
    own: np.ndarray | None


class Admitted(NamedTuple):
    """An owner's answer to one requester: which of its candidates it keeps, and each kept one's order key."""

    mask: np.ndarray
    keys: np.ndarray


class Expansion(NamedTuple):
    """What `expand` returns: the candidates for each owner, the successors computed, and what is left."""

    requests: list[Candidates]
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


ROUND = 8192  # states a worker expands per round, at most: fewer rounds, fewer waits (one process expands 4,096 at a time; 16,384 cost 30 MB more per worker, no faster)
SLOT_BITS = 24  # a successor's BFS order key: its parent's rank in the level, then its slot


class Worker:
    """The states one worker keeps, the fingerprints it owns, and its side of every round.

    BFS order is kept across workers: every state of a level has a rank, its position in the order
    in which one process would have found it, and a successor's key is (parent's rank, slot). A
    round expands the states with ranks in a range, so the keys of its candidates follow those of
    the rounds before. Of the candidates for one state, the one with the least key decides what is
    kept: that concrete state (the same member of its symmetry class that one process keeps), with
    that key (so the next level's ranks are one process's). Which worker keeps it is spread: any
    requester whose candidate is that same concrete state may, chosen by the fingerprint's bits,
    not always the least key's (which made the descendants of a level's first states pile up in
    one worker: measured on 2pc with 7 RMs, one worker expanded 2 to 10 times the other's share
    of the last levels). Its parent is then another of the level's states, so its trace is just
    as short. So the counts are one process's even for a model whose symmetry reduction depends
    on the order of the search."""

    def __init__(self, spec: ModelSpec, index: int, count: int, property_names: list[str], stop_on_first_violation: bool):
        self.view = ModelView(spec.build())
        by_name = {p.name: p for p in self.view.all_properties}
        self.search = Search(self.view, [by_name[name] for name in property_names], Limits(stop_on_first_violation=stop_on_first_violation))
        live = [p for p in self.search.properties if p.kind.is_liveness]
        if live:
            self.search.liveness = GraphRecorder(self.view, live)
        self.store = VisitedStore()
        self.index, self.count = index, count
        self.level = 0  # the level being expanded (the initial states are level 1)
        self.frontier = Frontier()  # this worker's states of the current level not yet expanded, in rank order
        self.ranks = np.zeros(0, dtype=np.int64)  # their ranks in the level
        self.position = 0              # how many of them are expanded
        self.base = 0                  # the record index of the level's first state
        self.next_frontier = Frontier()
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
        kept = [states[i] for i in new.tolist()]
        self.next_frontier, self.next_base = Frontier(kept), 0
        self.next_ranks = np.arange(len(new), dtype=np.int64)
        trace_of = _trace_builder(view, self.store)
        if self.search.liveness is not None:
            self.search.liveness.initial_states(keys[new])
            self.search.liveness.states(kept, keys[new], trace_of)
        try:
            self.search.judge_states(kept, 1, trace_of)
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
        below = (self.position if level == self.level else 0) + ROUND  # before the split, a state's rank is its position
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
        self.next_frontier = self.next_frontier.picked(mine.tolist())
        self.next_ranks = mine.astype(np.int64)
        self.next_keys = []
        self.next_base = end
        parent = np.frombuffer(records.parent, dtype=np.int32)[indices]
        slot = np.frombuffer(records.slot, dtype=np.int32)[indices]
        records.extend(parent, slot, keys[mine])
        return len(mine)

    def level_keys(self) -> np.ndarray:
        """At the end of a level: the order keys of this worker's states of the next level, ascending
        (the coordinator ranks them). Rounds record their states in key order and a round's keys
        all follow the rounds' before, so the level is in BFS order: checked, as the ranks rely on it."""
        if not self.next_keys:
            return np.zeros(0, dtype=np.int64)
        keys = np.concatenate(self.next_keys)
        if np.any(keys[1:] <= keys[:-1]):
            raise AssertionError("parallel search: a worker's level is out of BFS order (an engine bug: please report it)")
        self.next_keys = [keys]
        return keys

    def _expand(self, level: int, decided: list[str], groups: int, below: int) -> Expansion:
        self._forget(decided)
        if level != self.level:  # every worker finished the level before: start the next one
            self.frontier, self.base, self.ranks = self.next_frontier, self.next_base, self.next_ranks
            self.next_frontier, self.next_base, self.position, self.level = Frontier(), len(self.store), 0, level
            self.next_keys, self.next_ranks = [], None
        end = int(np.searchsorted(self.ranks, below, side="left"))
        chunk = self.frontier.take(end - self.position)
        start, first = self.base + self.position, self.position
        check_unpacked(self.search, self.store, chunk, start)
        self.position += len(chunk)
        remaining = len(self.frontier)
        empty = Candidates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), None)
        if not chunk:
            self.pending = None
            return Expansion([empty] * groups, 0, remaining, self._news())
        search, view, store = self.search, self.view, self.store
        try:
            per_state, counts, tasks = _successors_of_chunk(search, chunk, start, level, store)
        except StopSearch:  # a transition property failed: the coordinator stops everyone after this round
            self.pending = None
            return Expansion([empty] * groups, 0, remaining, self._news())
        total = sum(counts)
        fingerprints, own = _fingerprints(view, per_state, total)
        sizes = np.asarray(counts, dtype=np.int64)
        parent = np.repeat(np.arange(len(chunk), dtype=np.int64), sizes)
        if search.check_deadlock:
            try:
                _judge_stuck_states(search, store, chunk, start, level, parent, fingerprints)
            except StopSearch:  # a deadlock: as the single engine, keep none of the chunk's successors
                self.pending = None
                return Expansion([empty] * groups, total, remaining, self._news())
        if view.has_boundary:
            inside = inside_positions(search, store, per_state, parent, start)
        else:
            inside = np.arange(total, dtype=np.int64)
        if search.liveness is not None:
            record_steps(search, store, chunk, start, per_state, parent, fingerprints, tasks, inside if view.has_boundary else None)
        _unique, firsts = np.unique(fingerprints[inside], return_index=True)
        candidates = inside[np.sort(firsts)]
        slots = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        order = (self.ranks[first:first + len(chunk)][parent] << SLOT_BITS) | slots
        owner = owners(fingerprints[candidates], groups)
        picks = [candidates[owner == w] for w in range(groups)]
        self.pending = (chunk, start, per_state, parent, slots, picks, fingerprints, order, level)
        requests = [Candidates(fingerprints[p], order[p], None if own is None else own[p]) for p in picks]
        return Expansion(requests, total, remaining, self._news())

    def admit(self, requests: list[Candidates], below: int | None) -> list[Admitted]:
        """As owner: of the candidates the workers sent, admit the new ones (with order keys below
        `below`, when given: the state limit) and insert them; per requester, which of its
        candidates it keeps and with which key (see the class's docstring)."""
        return self._admit(requests, None, below)

    def probe(self, requests: list[Candidates]) -> np.ndarray:
        """As owner: the order keys of the states the requests would admit, ascending (nothing inserted)."""
        winners = self._winners(requests)
        keys = np.concatenate([c.keys for c in requests]) if requests else np.zeros(0, dtype=np.int64)
        return np.sort(keys[winners])

    def _winners(self, requests: list[Candidates]) -> np.ndarray:
        """Positions (in the concatenated requests) of the new states' least-key candidates, ascending."""
        if not requests:
            return np.zeros(0, dtype=np.int64)
        fingerprints = np.concatenate([c.fingerprints for c in requests])
        order = np.concatenate([c.keys for c in requests])
        by = np.lexsort((order, fingerprints))
        firsts = by[np.r_[True, fingerprints[by][1:] != fingerprints[by][:-1]]] if len(by) else by
        return np.sort(firsts[~self.store.seen._known(fingerprints[firsts])])

    def _admit(self, requests: list[Candidates], budget: int | None, below: int | None) -> list[Admitted]:
        winners = self._winners(requests)
        order = np.concatenate([c.keys for c in requests]) if requests else np.zeros(0, dtype=np.int64)
        if below is not None:
            winners = winners[order[winners] < below]
        if budget is not None:
            winners = winners[:budget]  # one requester (the shared levels): its positions are in BFS order
        fingerprints = np.concatenate([c.fingerprints for c in requests]) if requests else np.zeros(0, dtype=np.int64)
        self.store.seen.add_batch(fingerprints[winners])
        keepers = _keepers(requests, fingerprints, winners)
        mask = np.zeros(len(fingerprints), dtype=bool)
        mask[keepers] = True
        keys = np.zeros(len(fingerprints), dtype=np.int64)
        keys[keepers] = order[winners]
        bounds = np.cumsum([len(c.fingerprints) for c in requests])[:-1]
        return [Admitted(m, k[m]) for m, k in zip(np.split(mask, bounds), np.split(keys, bounds))]

    @_portable_model_errors
    def accept(self, admitted: list[Admitted]) -> Report:
        """Keep the candidates of the last expansion that their owners admitted: record them in BFS
        order (their keys' order), add them to the next level, and judge them."""
        if self.pending is None:
            return Report(0, self._news())
        chunk, start, per_state, parent, slots, picks, fingerprints, order, level = self.pending
        self.pending = None
        kept = np.concatenate([pick[a.mask] for pick, a in zip(picks, admitted)])
        keys = np.concatenate([a.keys for a in admitted])
        in_bfs_order = np.argsort(keys, kind="stable")  # a round's keys all follow the rounds' before: the level stays sorted
        new, keys = kept[in_bfs_order], keys[in_bfs_order]
        parents = parent[new]
        first_new = len(self.store)
        self.store.records.extend(parents + start, slots[new], fingerprints[new])
        self.next_keys.append(keys)
        fresh = [per_state[p][s] for p, s in zip(parents.tolist(), slots[new].tolist())]
        self.next_frontier.extend(fresh)
        trace_of = _trace_builder(self.view, self.store)
        if self.search.liveness is not None:
            self.search.liveness.states(fresh, fingerprints[new], lambda i: trace_of(first_new + i))
        try:
            self.search.judge_states(fresh, level + 1, lambda i: trace_of(first_new + i))
        except StopSearch:
            pass
        return Report(len(new), self._news())

    def save(self, path: str | None) -> None:
        """Write this worker's part of a checkpoint at a level's end: its store and the next level
        (None: nothing, as every worker but the first before the split)."""
        if path is None:
            return
        keys = np.concatenate(self.next_keys) if self.next_keys else np.zeros(0, dtype=np.int64)
        content = {"store": self.store.snapshot(), "blocks": self.next_frontier.blocks(), "size": len(self.next_frontier),
                   "next_base": self.next_base, "next_keys": keys, "next_ranks": self.next_ranks, "level": self.level,
                   "liveness": self.search.liveness.snapshot() if self.search.liveness is not None else None}
        with open(path + ".partial", "wb") as out:
            pickle.dump(content, out, protocol=5)
            out.flush()
            os.fsync(out.fileno())
        os.replace(path + ".partial", path)

    def restore(self, path: str) -> None:
        """Continue from this worker's part of a checkpoint (see `save`)."""
        with open(path, "rb") as saved:
            content = pickle.load(saved)
        self.store.restore(content["store"])
        if self.search.liveness is not None:
            self.search.liveness.restore(content["liveness"])
        self.next_frontier = Frontier.from_blocks(content["blocks"], content["size"])
        self.next_base, self.next_ranks, self.level = content["next_base"], content["next_ranks"], content["level"]
        self.next_keys = [content["next_keys"]] if len(content["next_keys"]) else []

    def liveness_part(self) -> dict[str, Any]:
        """The steps and state marks this worker recorded (liveness: the coordinator joins every worker's)."""
        return self.search.liveness.snapshot()

    def figures(self) -> tuple[int, float, int]:
        """Bytes of this worker's store (fingerprints it owns, records of states it keeps), the CPU
        seconds of its process, and its peak resident set in bytes."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return self.store.nbytes, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
