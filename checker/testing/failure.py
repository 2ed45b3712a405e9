"""A failing stateful run as people read it: the property, why, the trace as the explorer draws it
(a sequence chart for actor models, else a step table), where the trace comes from, and a
Python program that reproduces it."""
from typing import Any

from checker.faces.program import render_program
from checker.faces.report import to_text
from checker.faces.trace_view import trace_renderer
from checker.result import PropertyResult
from checker.testing.run import StatefulOutcome
from checker.verdict import Verdict

WIDTH = 150


def failure_message(model: Any, outcome: StatefulOutcome) -> str:
    """The text a failing stateful test shows instead of a traceback into the engine."""
    violation, trace = outcome.violation, outcome.shown
    assert violation is not None and trace is not None
    prop = violation.prop
    if outcome.source == "explorer":
        origin = (f"the shortest trace, {_steps(len(trace))}, from the explorer (checker's breadth-first search); "
                  f"Hypothesis's failing run had {_steps(len(violation.trace))}")
    else:
        origin = f"Hypothesis's shrunk run, {_steps(len(trace))} (the explorer did not reach the violation within its budget)"
    lines = [f"{prop.name} is violated ({prop.kind.value}): {prop.doc}".rstrip(": "),
             *([f"why: {outcome.explanation}"] if outcome.explanation else []),
             origin, "", to_text(trace_renderer(model, WIDTH)(trace), WIDTH).rstrip(), "",
             f"after {outcome.runs} runs, {outcome.steps} steps, {outcome.distinct} distinct states, {outcome.seconds:.1f} s; "
             "a program that reproduces it:", ""]
    result = PropertyResult(prop.name, prop.kind, Verdict.VIOLATED, trace, "", outcome.explanation)
    return "\n".join(lines) + render_program(model, result, _maker(model))


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"


def _maker(model: Any) -> str:
    """The call that made the failing test, for the program's docstring."""
    options = getattr(model, "options", dict)()
    args = "".join(f", {k}={v!r}" for k, v in options.items() if v is not None and k != "faults" or k == "faults" and str(v) != "none")
    return f"stateful_test({getattr(model, 'name', type(model).__name__)!r}{args})"
