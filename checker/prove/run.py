"""`--strategy prove` and `--strategy bmc` as a check's result: the encoded invariants judged by Z3,
each counterexample to induction judged by the explicit engine, every other property listed as not
judged (it changes no exit code)."""
import resource
import time
from typing import Any

import z3

from checker.check import select_properties
from checker.engine.signals import Terminated
from checker.errors import UsageError
from checker.model import ModelView
from checker.properties import Kind, Property
from checker.registry import catalog
from checker.prove import solving
from checker.prove.bmc import bmc
from checker.prove.encoding import Encoding, symbolic_form
from checker.prove.induction import COUNTEREXAMPLE, PROVED, ClaimVerdict, Proof, node_domains, prove, quorum_domains
from checker.prove.quorums import Intersection, judge_quorums
from checker.prove.reach import as_states, judge
from checker.result import Bounds, CheckResult, PropertyResult, Stats
from checker.trace import Trace
from checker.verdict import StopReason, Verdict

QUERY_SECONDS = 30.0  # the solver's limit per query, unless --time-limit says otherwise
BMC_STEPS = 20  # bounded model checking's default depth, in steps


def encoding_of(model: Any, parametric: bool = False, needed: bool = True) -> Encoding | None:
    """The model's symbolic form, or one clear line saying it has none (None if not `needed`)."""
    form = symbolic_form(model, parametric)
    if form is None:
        if not needed:
            return None
        forms = [name for name, cls in catalog().items() if getattr(cls, "symbolic_form", None) is not None]
        quorums = [name for name, cls in catalog().items() if hasattr(cls, "quorum_systems") and name not in forms]
        raise UsageError(f"{getattr(model, 'name', type(model).__name__)} has no symbolic form, which --strategy prove and bmc need "
                         f"(models with one: {', '.join(forms)}; with quorums only, for prove: {', '.join(quorums)})")
    return form


def check_with_prover(model: Any, properties: list[str] | None = None, time_limit: float | None = None) -> CheckResult:
    """`check MODEL --strategy prove`: induction for the given sizes, and for any number of nodes
    where the encoding has node sets; the model's quorum systems proved to intersect for any N."""
    started = time.perf_counter()
    view = ModelView(model)
    systems = list(getattr(model, "quorum_systems", list)())
    enc = encoding_of(model, needed=not systems)
    selected, judged = _judged(view, enc, properties, bool(systems))
    quorum_results = [_quorum_verdict(judge_quorums(system)) for system in systems]
    queries = sum(r[1] for r in quorum_results)
    if enc is None:
        results = [_not_judged(p) for p in selected] + [r[0] for r in quorum_results]
        return _result(view, "prove", results, 0, queries, started, StopReason.INDUCTION_DONE, [], time_limit)
    given = _interruptible(lambda: prove(enc, list(enc.invariants()), time_limit or QUERY_SECONDS))
    if isinstance(given, StopReason):
        return _result(view, "prove", [_not_judged(p) if p not in judged else _interrupted(p, given) for p in selected], 0, queries,
                       started, given, [], time_limit)
    notes: list[str] = []
    parametric = enc.for_any_size and bool(node_domains(enc)) and all(given[p.name].status == PROVED for p in judged)
    if parametric and quorum_domains(enc) and not (quorum_results and all(r[0].verdict is Verdict.PROVED for r in quorum_results)):
        parametric = False  # the proof for any number would assume an intersection nothing proved for this model
        notes.append("for any number of nodes: not attempted: the symbolic form assumes that quorums intersect, and the model "
                     "declares no quorum system proved to (quorum_systems)")
    anyn = _interruptible(lambda: prove(encoding_of(model, True), list(enc.invariants()), time_limit or QUERY_SECONDS)) if parametric else None
    stopped = anyn if isinstance(anyn, StopReason) else None
    anyn = None if stopped else anyn
    searched, results = 0, []
    for prop in selected:
        if prop not in judged:
            results.append(_not_judged(prop))
            continue
        result, states, stop = _proof_verdict(enc, prop.name, Kind.ALWAYS, given, anyn)
        results.append(result)
        searched, stopped = searched + states, stopped or stop
    bug = "the check" if stopped else next((r.name for r in results if r.verdict is Verdict.VIOLATED), None)
    for name in [n for n, (_c, lemma) in enc.claims().items() if lemma or n not in {p.name for p in judged}]:
        result, states, stop = _proof_verdict(enc, name, Kind.LEMMA, given, anyn, bug)
        results.append(result)
        searched, stopped = searched + states, stopped or stop
        bug = "the check" if stopped else bug  # stopped by Ctrl-C or SIGTERM: no more searches
    results += [r[0] for r in quorum_results]
    queries += given.queries + (anyn.queries if anyn else 0)
    notes += _proof_notes(enc, given, anyn) + ([f"for any number of nodes: not proved, the check was stopped ({stopped.value})"]
                                               if stopped and parametric and anyn is None else [])
    return _result(view, "prove", results, searched, queries, started, stopped or StopReason.INDUCTION_DONE, notes, time_limit)


def _quorum_verdict(found: Intersection) -> tuple[PropertyResult, int]:
    """A quorum system's line: proved for its size and any N, or two quorums that share no node."""
    q = found.system
    one, other = q.kinds
    sizes = (f"any two {one}s of {q.q1} of {q.n} {q.nodes}s" if (one, q.q1) == (other, q.q2)
             else f"{one}s of {q.q1} and {other}s of {q.q2} of {q.n} {q.nodes}s")
    if found.proved:
        note = f"{sizes} always meet ({q.q1} + {q.q2} > {q.n}); {found.general}"
        return PropertyResult(q.name, Kind.LEMMA, Verdict.PROVED, None, note), found.queries
    a, b = found.disjoint or (frozenset(), frozenset())
    note = (f"{q.q1} + {q.q2} <= {q.n}: the {one} {sorted(a)} and the {other} {sorted(b)} share no {q.nodes}")
    return PropertyResult(q.name, Kind.LEMMA, Verdict.VIOLATED, None, note, note), found.queries


def check_with_bmc(model: Any, properties: list[str] | None = None, max_depth: int | None = None,
                   time_limit: float | None = None) -> CheckResult:
    """`check MODEL --strategy bmc`: a shortest run breaking each encoded invariant, within
    `max_depth` states (the explorer's meaning: initial states are depth 1)."""
    started = time.perf_counter()
    view, enc = ModelView(model), encoding_of(model)
    selected, judged = _judged(view, enc, properties)
    assert enc is not None
    steps = BMC_STEPS if max_depth is None else max_depth - 1
    found = _interruptible(lambda: bmc(enc, [p.name for p in judged], steps, time_limit or QUERY_SECONDS * 2))
    if isinstance(found, StopReason):
        return _result(view, "bmc", [_not_judged(p) if p not in judged else _interrupted(p, found) for p in selected], 0, 0, started,
                       found, [], time_limit, steps)
    results = []
    for prop in selected:
        trace = found.traces.get(prop.name)
        if prop not in judged:
            results.append(_not_judged(prop))
        elif trace is not None:
            note = f"counterexample of {len(trace)} steps, shortest (bounded model checking), replayed on the model"
            results.append(PropertyResult(prop.name, prop.kind, Verdict.VIOLATED, trace, note, prop.explanation(trace.last)))
        else:
            within = f"no violation within {found.depth} steps" + (f" ({found.stopped})" if found.stopped else "")
            results.append(PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, f"{within}: bounded model checking is not a proof (--strategy prove)"))
    notes = [f"bounded model checking unrolled the encoding ({type(enc).__name__}) {found.depth} steps from the initial condition"]
    return _result(view, "bmc", results, 0, found.queries, started, StopReason.BOUND_DONE, notes, time_limit, steps)


def _judged(view: ModelView, enc: Encoding | None, names: list[str] | None, quorums: bool = False) -> tuple[list[Property], list[Property]]:
    """The selected properties, and those of them the encoding states (refused when none is and there are no quorums to prove)."""
    selected = select_properties(view, names)
    judged = [p for p in selected if enc is not None and p.kind is Kind.ALWAYS and p.name in enc.invariants()]
    if not judged and not quorums and enc is not None:
        raise UsageError(f"the symbolic form states none of the selected properties (it states: {', '.join(enc.invariants())})")
    return selected, judged


def _interruptible(run: Any) -> Any:
    """The run's outcome, or the StopReason when Ctrl-C or SIGTERM stopped it."""
    try:
        with solving.signals_stop_queries():
            return run()
    except Terminated:
        return StopReason.TERMINATED
    except KeyboardInterrupt:
        return StopReason.INTERRUPTED


def _proof_verdict(enc: Encoding, name: str, kind: Kind, given: Proof, anyn: Proof | None,
                   bug: str | None = None) -> tuple[PropertyResult, int, StopReason | None]:
    """One claim's verdict and note, the explicit states searched to judge its counterexample, and
    the signal that stopped that search, if one did (a lemma's is not searched for once `bug`, a
    judged invariant, is shown violated: the lemmas of a protocol with a real bug fail with it,
    and judging each would cost a search apiece)."""
    mine, general = given[name], (anyn[name] if anyn is not None else None)
    sizes = _sizes_text(enc.sizes())
    if mine.status == PROVED:
        note = f"inductive: holds at every depth for {sizes}" if sizes else "inductive: holds at every depth"
        if general is not None:
            note += " and for any number" if general.status == PROVED else f"; for any number not proved ({_failure_text(general)})"
        return PropertyResult(name, kind, Verdict.PROVED, None, note), 0, None
    if mine.status != COUNTEREXAMPLE or mine.counterexample is None:
        return PropertyResult(name, kind, Verdict.UNKNOWN, None, mine.reason), 0, None
    if bug is not None:
        _sized, step = as_states(enc, mine.counterexample)
        how = "an initial state breaks it" if len(step) == 0 else f"counterexample to induction by {step.steps[-1].action}"
        why = "the check was stopped" if bug == "the check" else f"{bug} has a real bug"
        return PropertyResult(name, kind, Verdict.NOT_INDUCTIVE, step, f"{how}; not searched for: {why}"), 0, None
    return _judge_counterexample(enc, name, kind, mine)


def _judge_counterexample(enc: Encoding, name: str, kind: Kind, mine: ClaimVerdict) -> tuple[PropertyResult, int, StopReason | None]:
    """A counterexample to induction, judged by the explicit engine: a real bug, or a state no run reaches."""
    cex = mine.counterexample
    judged = judge(enc, cex)
    how = "an initial state breaks it" if cex.action is None else f"counterexample to induction by {judged.step.steps[-1].action}"
    sizes = _sizes_text(cex.sizes)
    signal = judged.stop if judged.stop in (StopReason.INTERRUPTED, StopReason.TERMINATED) else None
    if judged.violation is not None and kind is not Kind.LEMMA:
        note = f"{how}; the explicit search reaches a violation: a real bug (shortest trace, {_steps(judged.violation)}, {sizes})"
        return PropertyResult(name, kind, Verdict.VIOLATED, judged.violation, note, judged.explanation), judged.states, signal
    if judged.violation is not None:
        note = f"{how}; a run breaks the lemma ({_steps(judged.violation)}, {sizes}): the lemma is false"
        return PropertyResult(name, kind, Verdict.NOT_INDUCTIVE, judged.violation, note), judged.states, signal
    if judged.reached is not None:
        note = (f"{how}; a run reaches its state ({_steps(judged.reached)}, {sizes}) but the model does not explore the "
                f"step's state (its state constraint): not a violation within the model's bounds")
    elif judged.exhaustive:
        note = (f"{how}; no run reaches its state ({judged.states:,} states searched exhaustively, {sizes}): "
                f"the claims need strengthening")
    else:
        note = f"{how}; whether a run reaches its state is unknown (the explicit search stopped: {judged.stop.value}, {sizes})"
    return PropertyResult(name, kind, Verdict.NOT_INDUCTIVE, judged.step, note), judged.states, signal


def _steps(trace: Trace) -> str:
    return f"{len(trace)} step{'s' if len(trace) != 1 else ''}"


def _failure_text(verdict: ClaimVerdict) -> str:
    if verdict.counterexample is None:
        return verdict.reason
    cex = verdict.counterexample
    return f"{verdict.reason}, with {_sizes_text(cex.sizes)}"


def _sizes_text(sizes: dict[str, int]) -> str:
    """`3 RMs`, `5 servers`: a domain's name as it reads in a sentence (an acronym keeps its capitals)."""
    return ", ".join(f"{n} {name if name.isupper() else name.lower()}{'s' if n != 1 else ''}" for name, n in sizes.items())


def _not_judged(prop: Property) -> PropertyResult:
    why = {Kind.ALWAYS: "the symbolic form does not state it", Kind.SOMETIMES: "a witness: --strategy bfs reaches it",
           Kind.TRANSITION: "a step property: --strategy bfs checks it", Kind.DEADLOCK: "--strategy bfs checks deadlocks"}
    return PropertyResult(prop.name, prop.kind, Verdict.NOT_JUDGED, None, why.get(prop.kind, "liveness: --strategy bfs judges it"))


def _interrupted(prop: Property, stop: StopReason) -> PropertyResult:
    return PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, stop.value)


def _proof_notes(enc: Encoding, given: Proof, anyn: Proof | None) -> list[str]:
    notes = [f"induction on {type(enc).__name__}: a PROVED invariant holds in every reachable state, at any depth"
             + ("; \"for any number\": with the node sets as uninterpreted sorts, of any size" if anyn is not None else "")]
    for proof in (given, anyn):
        if proof is not None and proof.vacuous:
            notes.append(proof.vacuous)
        if proof is not None and proof.never_enabled:
            notes.append(f"no state satisfying the claims can take {', '.join(proof.never_enabled)}: a claim may be too strong")
    return notes


def _result(view: ModelView, strategy: str, results: list[PropertyResult], states: int, queries: int, started: float,
            stop: StopReason, notes: list[str], time_limit: float | None, steps: int | None = None) -> CheckResult:
    stats = Stats(distinct=states, generated=states, depth=0, seconds=time.perf_counter() - started,
                  peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, solver_queries=queries)
    per_query = time_limit or (QUERY_SECONDS * (2 if strategy == "bmc" else 1))
    bounds = Bounds(None if steps is None else steps + 1, None, per_query)
    notes.append(f"Z3 {z3.get_version_string()}: {queries} queries, at most {per_query:g} s each")
    return CheckResult(view.title(), view.options(), strategy, bounds, tuple(results), stats, stop, None, tuple(notes))
