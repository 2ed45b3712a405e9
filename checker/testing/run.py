"""Running a model's state machine: Hypothesis generates runs; a failing one is shown as the
explorer shows its traces, as short as the explorer's when the explorer can reach it cheaply.

Shrinking is Hypothesis's work and need not give the shortest run, and it is the slow part
(2pc with a seeded bug: found in 0.5 s, shrunk in 20 s). So a failing run is first handed to
the explorer: a breadth-first search for the same property within EXPLORER_BUDGET states gives
the shortest trace. Only when it cannot, Hypothesis runs again with shrinking (the failing
example is replayed from its database, or regenerated: the same seed gives the same runs), and
its shrunk run is shown. The outcome says which of the two is shown.
"""
import resource
import time
from typing import Any

import attrs
from hypothesis import Phase, seed as seeded, settings as Settings
from hypothesis.stateful import run_state_machine_as_test

from checker.check import check, select_properties
from checker.model import ModelView
from checker.properties import Kind, Property
from checker.result import Bounds, CheckResult, PropertyResult, Stats
from checker.testing.machine import PropertyViolation, state_machine
from checker.testing.profiles import chosen
from checker.trace import Trace
from checker.verdict import StopReason, Verdict

EXPLORER_BUDGET = 200_000  # states the explorer may search for a shortest trace
EXPLORER_SECONDS = 20.0


@attrs.frozen
class StatefulOutcome:
    """What the runs found: the violation (None: every run passed), the trace shown and where it
    comes from, the witnesses reached, and the figures of the runs."""

    violation: PropertyViolation | None
    shown: Trace | None
    source: str  # "explorer" (a shortest trace) or "hypothesis" (its shrunk run)
    explanation: str  # the model's words on the shown trace's last state
    witnessed: dict[str, Trace]
    runs: int
    steps: int
    longest: int  # steps of the longest run
    distinct: int
    seconds: float


def run_stateful(model: Any, *, settings: Settings | None = None, seed: int | None = None,
                 properties: list[Property] | None = None) -> StatefulOutcome:
    """Run the model's state machine under `settings` (the profile chosen for this run by default)."""
    started = time.perf_counter()
    settings = settings or chosen()
    machine = state_machine(model, properties)
    if seed is not None:  # the same seed, the same runs: no failure replayed from the database
        machine, settings = seeded(seed)(machine), Settings(settings, database=None)
    violation = _run(machine, Settings(settings, phases=[p for p in settings.phases if p is not Phase.shrink]))
    shown, source, explanation = None, "", ""
    if violation is not None:
        shortest = _shortest(model, violation)
        if shortest is not None:
            (shown, explanation), source = shortest, "explorer"
        else:
            violation = _run(machine, settings) or violation
            shown, source, explanation = violation.trace, "hypothesis", violation.explanation
    counts = machine.counts
    return StatefulOutcome(violation, shown, source, explanation, dict(machine.witnessed), counts["runs"], counts["steps"],
                           counts["longest"], len(machine.seen), time.perf_counter() - started)


def _run(machine: type, settings: Settings) -> PropertyViolation | None:
    try:
        run_state_machine_as_test(machine, settings=settings)
    except PropertyViolation as violation:
        return violation
    return None


def _shortest(model: Any, violation: PropertyViolation) -> tuple[Trace, str] | None:
    """The explorer's shortest trace for the violated property, and its explanation, if it finds
    one within its budget."""
    result = check(model, properties=[violation.prop.name], max_states=EXPLORER_BUDGET, time_limit=EXPLORER_SECONDS)
    found = result.properties[0]
    return (found.trace, found.explanation) if found.verdict is Verdict.VIOLATED and found.trace is not None else None


def check_with_hypothesis(model: Any, properties: list[str] | None = None, seed: int = 0) -> CheckResult:
    """`check MODEL --strategy hypothesis`: the model's state machine under the quick profile, as a
    CheckResult; never exhaustive, so what it does not violate is UNKNOWN."""
    view = ModelView(model)
    selected = select_properties(view, properties)
    outcome = run_stateful(model, settings=chosen("quick"), seed=seed, properties=selected)
    not_violated = f"not violated in {outcome.runs} Hypothesis runs ({outcome.steps} steps): never exhaustive"
    results = []
    for prop in selected:
        if prop.kind.is_liveness:
            results.append(PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, "liveness needs an exhaustive search (--strategy bfs or dfs)"))
        elif outcome.violation is not None and outcome.violation.prop.name == prop.name and outcome.shown is not None:
            how = "shortest, from the explorer" if outcome.source == "explorer" else "shrunk by Hypothesis"
            results.append(PropertyResult(prop.name, prop.kind, Verdict.VIOLATED, outcome.shown,
                                          f"counterexample of {len(outcome.shown)} steps ({how})", outcome.explanation))
        elif prop.kind is Kind.SOMETIMES and prop.name in outcome.witnessed:
            trace = outcome.witnessed[prop.name]
            results.append(PropertyResult(prop.name, prop.kind, Verdict.HOLDS, trace, f"witness of {len(trace)} steps, from a Hypothesis run"))
        else:
            note = not_violated.replace("not violated", "not reached") if prop.kind is Kind.SOMETIMES else not_violated
            results.append(PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, None, note))
    stop = StopReason.FIRST_VIOLATION if outcome.violation is not None else StopReason.SIMULATION_DONE
    stats = Stats(distinct=outcome.distinct, generated=outcome.steps, depth=outcome.longest + 1, seconds=outcome.seconds,
                  peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    bounds = Bounds(None, None, None, view.boundary_doc, view.has_symmetry)
    return CheckResult(view.title(), view.options(), "hypothesis", bounds, tuple(results), stats, stop, None, ())
