"""Judging `eventually` and `leads_to` on the graph of an exhaustive search.

`p ~> q` fails when a fair run reaches a state where p holds and q does not, and from there
never reaches q: it stays forever, in a fair cycle or a dead end, among states where q does
not hold (its region). `eventually P` is `initial ~> P`. Declared `once_faults_stop`, the run
takes no fault from the entry on, and for `eventually` every state a fault leads to is an entry
too (the run after its last fault must reach P). The counterexample is the lasso nearest to an
initial state, re-executed and checked (checker/engine/liveness/lasso.py). Runs that the
model's bounds cut cannot be judged: they are counted, and the verdict says so.
"""
from typing import Any

import numpy as np

import attrs

from checker.engine.explore import bfs
from checker.engine.liveness.components import FairCycles
from checker.engine.liveness.concrete import CONCRETE_LIMIT, TooManyConcrete, concrete_cycle
from checker.engine.liveness.graph import FAULT_TASK, FORCED, Graph, build_graph
from checker.engine.liveness.lasso import NotRealized, check_lasso, initial_state, realize
from checker.engine.liveness.recorder import GraphRecorder
from checker.engine.search import Limits, Search, StopSearch
from checker.engine.store import VisitedStore
from checker.engine.liveness.paths import Route, fair_cycle, reachable, route, ways_in
from checker.engine.liveness.recorder import p_bit, q_bit
from checker.fingerprint import fingerprint as value_fingerprint
from checker.model import ModelView
from checker.properties import Kind, Property
from checker.result import PropertyResult
from checker.trace import Trace
from checker.verdict import Verdict


class Region:
    """One property's part of the graph: where q does not hold, its entries, the steps a judged
    run may take there, and the states it reaches."""

    def __init__(self, graph: Graph, prop: Property, index: int):
        marks = graph.marks
        p = (marks & np.uint64(p_bit(index))) != 0
        inside = (marks & np.uint64(q_bit(index))) == 0
        fault = (graph.task_kind[graph.task] & FAULT_TASK) != 0
        target = np.maximum(graph.dst, 0)
        self.steps = (graph.dst >= 0) & inside[graph.src] & inside[target]
        if prop.once_faults_stop:
            self.steps &= ~fault
        entries = np.zeros(graph.size, dtype=bool)
        if prop.kind is Kind.EVENTUALLY:
            entries[graph.initial] = True
            if prop.once_faults_stop:
                entries[graph.dst[fault & (graph.dst >= 0)]] = True
        else:
            entries |= p
        self.entries = entries & inside
        self.reached = reachable(graph, np.flatnonzero(self.entries), self.steps) & inside
        self.steps &= self.reached[graph.src]


def judge_liveness(view: ModelView, graph: Graph, properties: list[Property]) -> list[PropertyResult]:
    """A verdict for each liveness property (in the order given: bit i of the marks is property i's)."""
    cycles = FairCycles(graph, exact=not view.has_symmetry)
    return [_judge(view, graph, cycles, prop, index) for index, prop in enumerate(properties)]


def _judge(view: ModelView, graph: Graph, cycles: FairCycles, prop: Property, index: int) -> PropertyResult:
    region = Region(graph, prop, index)
    dead = cycles.dead_ends(region.reached).tolist()
    components = cycles.fair_components(region.reached, region.steps)
    targets = [np.array([node]) for node in dead] + components
    prefix = graph.dst >= 0
    found, predecessors = ways_in(graph, region.entries, prefix, region.steps, targets) if targets else ([], None)
    refuted = 0
    for _distance, which, node in found:
        way = route(graph, predecessors, node, prefix, region.steps)
        try:
            lasso = _lasso(view, graph, cycles, prop, region, way, targets[which], which < len(dead))
        except (TooManyConcrete, NotRealized):
            lasso = None
        if lasso is None:
            refuted += 1
            continue
        trace, entry = lasso
        check_lasso(view, prop, trace, entry)
        return PropertyResult(prop.name, prop.kind, Verdict.VIOLATED, trace, _violation_note(trace, entry, prop),
                              prop.explanation(trace.steps[trace.loop_start].state))
    if refuted:  # representatives need not be canonical, so a refuted candidate proves nothing: judge concrete states
        return judged_without_symmetry(view, prop, refuted)
    return PropertyResult(prop.name, prop.kind, Verdict.HOLDS, None, _holds_note(view, graph, cycles, region, prop))


def _lasso(view: ModelView, graph: Graph, cycles: FairCycles, prop: Property, region: Region, way: Route,
           target: np.ndarray, dead_end: bool) -> tuple[Trace, int] | None:
    """The lasso through `way` to the target (a dead end or a fair component), re-executed; None
    when a candidate found on symmetry representatives is not fair once made concrete."""
    no_faults = way.entry if prop.once_faults_stop else None
    fingerprints = graph.fps[list(way.nodes)].tolist()
    start = initial_state(view, fingerprints[0], view.fingerprint)
    if not view.has_symmetry:
        plan = way.staying() if dead_end else way.then(fair_cycle(graph, cycles, target, way.nodes[-1], region.steps))
        return _realized(view, graph, plan, start, view.fingerprint, no_faults), plan.entry
    steps = realize(view, start, fingerprints, [None] * len(way.tasks), view.fingerprint, no_faults)
    if dead_end:
        return Trace(tuple(steps), len(steps) - 1), way.entry
    made = concrete_cycle(view, steps[-1].state, set(graph.fps[target].tolist()), prop.once_faults_stop)
    if made is None:
        return None
    plan, concrete = made
    rest = _realized(view, concrete, plan, steps[-1].state, value_fingerprint, 0 if prop.once_faults_stop else None)
    return Trace(tuple(steps) + rest.steps[1:], len(steps) - 1 + rest.loop_start), way.entry


def _realized(view: ModelView, graph: Graph, plan: Route, start: Any, fingerprint: Any, no_faults: int | None) -> Trace:
    """A plan of graph nodes and tasks as a lasso of states, re-executed from `start` (its first node's state)."""
    fingerprints = graph.fps[list(plan.nodes)].tolist()
    tasks = graph.task_fps[list(plan.tasks)].tolist() if plan.tasks else []
    return Trace(tuple(realize(view, start, fingerprints, tasks, fingerprint, no_faults)), plan.loop)


def _violation_note(trace: Trace, entry: int, prop: Property) -> str:
    """What the lasso shows, in one line."""
    n, loop = len(trace), trace.loop_start
    assert loop is not None
    if trace.stays_forever:
        shape = f"stays at step {n} forever (no fair step is enabled there)"
    else:
        shape = f"repeats steps {loop + 1}..{n} forever (loops back to step {loop})"
    note = f"a fair run of {n} step{'s' if n != 1 else ''} that {shape}"
    if prop.kind is Kind.LEADS_TO:
        note += f"; p holds at step {entry}, q never after"
    if prop.once_faults_stop:
        note += f"; no fault after step {entry}"
    return note


def _holds_note(view: ModelView, graph: Graph, cycles: FairCycles, region: Region, prop: Property) -> str:
    """On which runs it holds, and how many the bounds cut: the places where a run would stay
    forever but for a step the model's bound removed, and the states with a fair step beyond the
    state constraint."""
    note = "on every fair run" + (" once faults stop" if prop.once_faults_stop else "")
    at_bound = len(cycles.dead_ends(region.reached & graph.cut, bounded=False))
    at_bound += sum(1 for c in cycles.fair_components(region.reached, region.steps, bounded=False) if graph.cut[c].all())
    forced = (graph.task_kind[graph.task] & FORCED) != 0
    leaving = np.zeros(graph.size, dtype=bool)
    leaving[graph.src[forced & (graph.dst < 0)]] = True
    beyond = int((region.reached & leaving).sum())
    cuts = [f"{at_bound:,} where a run would stay forever but for the model's bound ({view.cut_doc})"] if at_bound else []
    cuts += [f"{beyond:,} states with a fair step beyond the state constraint ({view.boundary_doc})"] if beyond else []
    if cuts:
        note += " within the bounds; runs the bounds cut, not judged: " + "; ".join(cuts)
    return note


FALLBACK_SECONDS = 120.0  # the concrete search judging a property that symmetry left open, at most


def judged_without_symmetry(view: ModelView, prop: Property, candidates: int) -> PropertyResult:
    """The property judged on concrete states (at most CONCRETE_LIMIT of them): what a candidate
    found on symmetry representatives that was not a fair run once made concrete leaves open.
    A representative that is not canonical (sorting nodes by local state breaks ties by name)
    splits an orbit into several classes, so a candidate's concrete states may lie in classes
    the candidate does not name; only the concrete graph settles it."""
    concrete = view.without_symmetry()
    search = Search(concrete, [prop], Limits(max_states=CONCRETE_LIMIT, time_limit=FALLBACK_SECONDS))
    search.liveness = GraphRecorder(concrete, [prop])
    store = VisitedStore()
    why = (f"{candidates} candidate cycle{'s' if candidates > 1 else ''} found on symmetry representatives "
           f"{'were' if candidates > 1 else 'was'} not a fair run once made concrete")
    try:
        bfs(search, store)
    except StopSearch:
        note = (f"not judged: {why}, and the concrete graph is more than {CONCRETE_LIMIT:,} states or "
                f"{FALLBACK_SECONDS:.0f} s away (run with --no-symmetry)")
        return PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, note)
    result = judge_liveness(concrete, build_graph(search.liveness.snapshot()), [prop])[0]
    return attrs.evolve(result, note=f"{result.note} (judged on {search.distinct:,} concrete states: {why})")
