"""`check(model, ...)`: run one engine over a model and turn what it saw into a typed result."""
import contextlib
import math
import gc
import os
import resource
from typing import Any, Callable, Iterator, Sequence

import attrs

from checker.errors import OptionError, UsageError
from checker.engine.checkpoint import EVERY, CheckpointError, Checkpoints, identity
from checker.engine.explore import bfs, dfs
from checker.engine.liveness import GraphRecorder
from checker.engine.parallel import PartitionedStore, parallel_bfs, resolve_workers
from checker.model import ModelView
from checker.properties import Kind, Property
from checker.result import Bounds, CheckResult, ModelFailure, PropertyResult, Stats
from checker.engine.search import Limits, ModelRaised, Search, StopSearch
from checker.engine.signals import Terminated, sigterm_stops_search
from checker.engine.simulate import minimised, simulate
from checker.engine.store import VisitedStore, collision_probability
from checker.verdict import StopReason, Verdict

STRATEGIES = ("bfs", "dfs", "simulate")
SIMULATION_SECONDS = 10.0


def check(
    model: Any,
    *,
    strategy: str = "bfs",
    properties: Sequence[str] | None = None,
    max_depth: int | None = None,
    max_states: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    stop_on_first_violation: bool = True,
    progress: Callable[[Search], None] | None = None,
    workers: int = 1,
    checkpoint: str | os.PathLike[str] | None = None,
    resume: bool = False,
    checkpoint_every: float = EVERY,
) -> CheckResult:
    """Search `model` with `strategy` and report a verdict for each selected property;
    `workers` > 1 (0: one per core) runs a breadth-first search over that many processes.
    `checkpoint` names a directory for checkpoints of a breadth-first search (checker/engine/checkpoint.py),
    written at a level's end at most every `checkpoint_every` seconds; `resume` continues the one there."""
    if strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    _check_bounds(max_depth, max_states, time_limit)
    workers = resolve_workers(workers)
    if workers > 1 and strategy != "bfs":
        raise UsageError(f"--workers runs breadth-first search only (use --workers 1 with --strategy {strategy})")
    if strategy == "simulate" and time_limit is None:
        time_limit = SIMULATION_SECONDS
    view = ModelView(model)
    selected = select_properties(view, properties)
    checkpoints = _checkpoints(checkpoint, resume, checkpoint_every, strategy, workers, view, selected, max_depth)
    if checkpoints is not None:
        finished = checkpoints.saved_result()
        if finished is not None:
            return attrs.evolve(finished, notes=finished.notes + (f"the result of a finished run, stored in {checkpoint}: nothing was searched",))
    searched, skipped = _not_applicable(view, selected)
    search = Search(view, searched, Limits(max_depth, max_states, time_limit, stop_on_first_violation), progress)
    live = [p for p in searched if p.kind.is_liveness]
    if live and strategy != "simulate":
        search.liveness = GraphRecorder(view, live)
    store = VisitedStore() if workers == 1 else PartitionedStore(workers)
    stop, raised = _run(search, store, strategy, seed, checkpoints)
    if strategy == "simulate":
        search.found = {name: minimised(search, name, found) for name, found in search.found.items()}
    judged = {r.name: r for r in _judge(search, stop, strategy, _bounds_named(view)) + tuple(skipped)}
    graph_bytes, judging = 0, search.seconds
    if live:
        liveness_results, graph_bytes = _judge_liveness(search, live, stop, strategy)
        judged.update({r.name: r for r in liveness_results})
    judging = search.seconds - judging
    failure = ModelFailure(str(raised), raised.where, raised.trace()) if raised is not None else None
    stats = Stats(
        distinct=search.distinct,
        generated=search.generated,
        depth=search.depth,
        seconds=search.seconds,
        store_bytes_per_state=store.bytes_per_state() if strategy != "simulate" else 0.0,
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        collision_probability=collision_probability(search.distinct, search.generated),
        workers=workers,
        worker_peak_rss_bytes=tuple(store.peak_rss_bytes) if isinstance(store, PartitionedStore) else (),
        graph_bytes_per_state=graph_bytes / max(1, search.distinct),
        liveness_seconds=judging if live else 0.0,
    )
    bounds = Bounds(max_depth, max_states, time_limit, view.boundary_doc, view.has_symmetry)
    results = tuple(judged[p.name] for p in selected)
    result = CheckResult(view.title(), view.options(), strategy, bounds, results, stats, stop, failure, _notes(view, selected, checkpoints))
    if checkpoints is not None:
        checkpoints.finish(result)
    return result


def _checkpoints(directory: str | os.PathLike[str] | None, resume: bool, every: float, strategy: str, workers: int,
                 view: ModelView, selected: list[Property], max_depth: int | None) -> Checkpoints | None:
    """The run's checkpoint directory, checked against the run; None without one."""
    if directory is None:
        if resume:
            raise UsageError("resuming needs the checkpoint directory")
        return None
    if strategy != "bfs":
        raise UsageError(f"checkpoints are written by breadth-first search only (not --strategy {strategy})")
    run = identity(view.model, view.options(), [p.name for p in selected], max_depth)
    checkpoints = Checkpoints(directory, run, every)
    if not resume and checkpoints.holds_anything():
        raise CheckpointError(f"{directory} holds a checkpoint already: --resume {directory} continues it (remove it to start afresh)")
    return checkpoints


def _check_bounds(max_depth: int | None, max_states: int | None, time_limit: float | None) -> None:
    if max_depth is not None and max_depth < 1:
        raise OptionError("max_depth", f"must be at least 1 (initial states are depth 1), got {max_depth}")
    if max_states is not None and max_states < 1:
        raise OptionError("max_states", f"must be at least 1, got {max_states}")
    if time_limit is not None and not (0 < time_limit < math.inf):
        raise OptionError("time_limit", f"must be a positive number of seconds, got {time_limit}")


def select_properties(view: ModelView, names: Sequence[str] | None) -> list[Property]:
    """The properties to check: those named, or every property the model checks by default."""
    known = {p.name: p for p in view.all_properties}
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"unknown property {unknown[0]!r} (known: {', '.join(known)})")
        return [known[n] for n in dict.fromkeys(names)]
    return [p for p in view.all_properties if p.by_default]


def _judge_liveness(search: Search, live: list[Property], stop: StopReason, strategy: str) -> tuple[list[PropertyResult], int]:
    """Liveness verdicts on the graph of a whole search (UNKNOWN when the search did not finish),
    and the bytes of the graph."""
    if strategy == "simulate":
        return [PropertyResult(p.name, p.kind, Verdict.UNKNOWN, None, "liveness needs an exhaustive search (--strategy bfs or dfs)")
                for p in live], 0
    if stop is not StopReason.EXHAUSTED:
        witnesses = {p.name for p in search.view.all_properties if p.kind is Kind.SOMETIMES}
        violated = ", ".join(name for name in search.found if name not in witnesses)
        why = (f"not judged: the search stopped at the first violation ({violated}); --continue searches on and judges it"
               if stop is StopReason.FIRST_VIOLATION else f"not judged: liveness needs the whole graph, and the search stopped ({stop.value})")
        return [PropertyResult(p.name, p.kind, Verdict.UNKNOWN, None, why) for p in live], 0
    recorded = search.liveness.snapshot()
    from checker.engine.liveness.graph import build_graph  # scipy: imported only when liveness is judged
    from checker.engine.liveness.judge import judge_liveness
    graph = build_graph(recorded)
    return judge_liveness(search.view, graph, live), search.liveness.nbytes + graph.nbytes


def _run(search: Search, store: VisitedStore | PartitionedStore, strategy: str, seed: int,
         checkpoints: Checkpoints | None = None) -> tuple[StopReason, ModelRaised | None]:
    with collector_paused(), sigterm_stops_search():
        return _run_engine(search, store, strategy, seed, checkpoints)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: states are acyclic, and with millions alive its
    scans cost more than the search (measured: 2pc with 7 RMs ran 3x slower with it on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_engine(search: Search, store: VisitedStore | PartitionedStore, strategy: str, seed: int,
                checkpoints: Checkpoints | None) -> tuple[StopReason, ModelRaised | None]:
    try:
        if strategy == "bfs" and isinstance(store, PartitionedStore):
            parallel_bfs(search, store, checkpoints)
        elif strategy == "bfs" and checkpoints is not None:
            level = checkpoints.restore(search, store)
            bfs(search, store, level, checkpoints.at_level_end(search, store))
        elif strategy == "bfs":
            bfs(search, store)
        elif strategy == "dfs":
            dfs(search, store)
        else:
            simulate(search, seed)
    except StopSearch as stop:
        return stop.reason, None
    except ModelRaised as raised:
        return StopReason.MODEL_ERROR, raised
    except Terminated:
        return StopReason.TERMINATED, None
    except KeyboardInterrupt:
        return StopReason.INTERRUPTED, None
    if search.depth_cut:
        return StopReason.DEPTH_LIMIT, None
    return (StopReason.SIMULATION_DONE if strategy == "simulate" else StopReason.EXHAUSTED), None


def _judge(search: Search, stop: StopReason, strategy: str, bounds: str) -> tuple[PropertyResult, ...]:
    within = " within the model's state constraint" if search.view.has_boundary else ""
    how = {"bfs": "shortest", "simulate": "minimised"}.get(strategy, "not necessarily shortest")
    results = []
    for prop in search.properties:
        if prop.kind.is_liveness:
            continue
        found = search.found.get(prop.name)
        if found is not None:
            trace = found.trace()
            verdict = Verdict.HOLDS if prop.kind is Kind.SOMETIMES else Verdict.VIOLATED
            steps = f"{len(trace)} step{'s' if len(trace) != 1 else ''} ({len(trace) + 1} states)"
            note = f"{'witness' if verdict is Verdict.HOLDS else 'counterexample'} of {steps}, {how}"
            results.append(PropertyResult(prop.name, prop.kind, verdict, trace, note, found.explanation))
        elif stop is StopReason.EXHAUSTED:
            results.append(_exhausted(prop, within, bounds))
        else:
            results.append(PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, stop.value))
    return tuple(results)


def _bounds_named(view: ModelView) -> str:
    """The model's numeric options and fault budget, as `max_term=1, faults crash=1`."""
    options = view.options()
    named = [f"{k}={v}" for k, v in options.items() if isinstance(v, int) and not isinstance(v, bool)]
    if options.get("faults") is not None:
        named.append(f"faults {options['faults']}")
    return ", ".join(named)


def _exhausted(prop: Property, within: str, bounds: str) -> PropertyResult:
    if prop.kind is Kind.SOMETIMES:
        named = f" ({bounds})" if bounds else ""
        note = f"no reachable state satisfies it{within}; the bounds{named} may be too small to reach it"
        return PropertyResult(prop.name, prop.kind, Verdict.NOT_REACHED, None, note)
    return PropertyResult(prop.name, prop.kind, Verdict.HOLDS, None, f"in every reachable state{within}")


def _not_applicable(view: ModelView, selected: list[Property]) -> tuple[list[Property], list[PropertyResult]]:
    """Witnesses that need a fault the run's budget leaves out are not searched for: they are
    reported as not applicable and fail nothing."""
    searched, skipped = [], []
    for prop in selected:
        missing = view.missing_faults(prop)
        if missing:
            note = f"needs {' and '.join(missing)} faults, which the fault budget leaves out"
            skipped.append(PropertyResult(prop.name, prop.kind, Verdict.NOT_APPLICABLE, None, note))
        else:
            searched.append(prop)
    return searched, skipped


def _notes(view: ModelView, selected: list[Property], checkpoints: Checkpoints | None = None,
           named: Sequence[str] | None = None) -> tuple[str, ...]:
    """What the report must say about checks that are off, and where a resumed search began."""
    notes = []
    if checkpoints is not None and checkpoints.resumed_from is not None:
        at = checkpoints.resumed_from
        notes.append(f"resumed from {checkpoints.directory} at depth {at['depth']} ({at['distinct']:,} states, "
                     f"{at['seconds']:.1f} s of search before); the figures count the whole search, the time this run's")
    if not view.checks_deadlock:
        notes.append("deadlock check off: the model sets check_deadlock = False")
    elif not any(p.kind is Kind.DEADLOCK for p in selected):
        notes.append("deadlock check off: deadlock_free is not among the selected properties (select it with --property deadlock_free)")
    if getattr(view.model, "trust_reductions", False):
        notes.append("reductions trusted: messages the actors declare obsolete are discarded without checking the claim")
    left_out = [p.name for p in view.all_properties if not p.by_default and p not in selected]
    if left_out and not named:
        notes.append(f"not checked by default: {', '.join(left_out)} (--property NAME checks it)")
    return tuple(notes)
