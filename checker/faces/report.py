"""Rendering a check result for people: header, verdict table, figures, and each trace as steps."""
import io
from typing import Any, Callable

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from checker.result import CheckResult, PropertyResult, Stats
from checker.trace import Trace
from checker.faces.lasso import after_last_step, loop_back
from checker.faces.values import diff, fields_of, show
from checker.verdict import Verdict

STYLE = {Verdict.HOLDS: "green", Verdict.VIOLATED: "bold red", Verdict.UNKNOWN: "yellow",
         Verdict.NOT_REACHED: "bold red", Verdict.NOT_APPLICABLE: "dim", Verdict.PROVED: "bold green",
         Verdict.NOT_INDUCTIVE: "yellow", Verdict.NOT_JUDGED: "dim"}
UNREACHED_START = "(a state where every claim holds)"  # the first row of a counterexample to induction no run reaches


def header(result: CheckResult) -> Table:
    """The model, its options, the engine and the bounds that applied."""
    grid = Table.grid(padding=(0, 2))
    grid.add_row("model", result.title)
    options = {k: v for k, v in result.options.items() if v is not None and k != "faults"}
    grid.add_row("options", ", ".join(f"{k}={v}" for k, v in options.items()) or "none")
    if "faults" in result.options:
        grid.add_row("faults", f"{result.options['faults']} (the most of each fault one run may inject)")
    grid.add_row("search", f"{result.strategy}; bounds: {result.bounds.describe()}")
    return grid


def verdicts(result: CheckResult) -> Table:
    """One row per property: kind, verdict, note."""
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for column in ("property", "kind", "verdict", "note"):
        table.add_column(column, no_wrap=column != "note")
    for prop in result.properties:
        table.add_row(prop.name, prop.kind.value, Text(prop.verdict.value, style=STYLE[prop.verdict]), prop.note)
    return table


def figures(result: CheckResult) -> Table:
    """The search figures and why the search stopped."""
    s = result.stats
    grid = Table.grid(padding=(0, 2))
    exhaustive = "exhaustive" if result.stop.is_complete else "not exhaustive"
    if s.solver_queries:
        grid.add_row("solver", f"{s.solver_queries:,} Z3 queries, {s.seconds:.2f} s in all"
                     + (f"; the explicit engine searched {s.distinct:,} states to judge counterexamples" if s.distinct else ""))
    else:
        grid.add_row("states", f"{s.distinct:,} distinct, {s.generated:,} generated, depth {s.depth}, "
                     f"{s.seconds:.2f} s ({s.states_per_second:,.0f} states/s)"
                     + (f", {s.workers} workers" if s.workers > 1 else ""))
    if s.store_bytes_per_state:
        grid.add_row("store", f"{s.store_bytes_per_state:.0f} bytes/state; fingerprint collision odds {s.collision_probability:.1e}")
    if s.peak_rss_bytes:
        grid.add_row("memory", _memory(s))
    if s.graph_bytes_per_state:
        grid.add_row("liveness", f"graph of {s.graph_bytes_per_state:,.0f} bytes/state (the steps recorded during the search, "
                                 f"and the graph judged on them), judged in {s.liveness_seconds:.2f} s")
    grid.add_row("stopped", result.stop.value if s.solver_queries else f"{result.stop.value} ({exhaustive})")
    for note in result.notes:
        grid.add_row("note", note)
    return grid


def _memory(s: Stats) -> str:
    """Peak resident memory, whole and per state; with workers, each process's share."""
    mib = 1 << 20
    line = f"peak {s.memory_bytes / mib:,.0f} MiB"
    if s.distinct >= 100_000:  # below, the interpreter's own 40 MiB is most of it
        line += f" ({s.memory_bytes / s.distinct:,.0f} bytes/state, every process)"
    if s.worker_peak_rss_bytes:
        shares = ", ".join(f"{b / mib:,.0f}" for b in s.worker_peak_rss_bytes)
        line += f"; this process {s.peak_rss_bytes / mib:,.0f} MiB, workers {shares} MiB"
    return line


def step_table(trace: Trace, start: str = "(initial state)") -> Table:
    """A numbered table of steps; after the first state (`start` names it), only what changed. A
    lasso's row of step k says "(loop)", and a last row says where the run goes on: back to step k, or nowhere."""
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("step", justify="right")
    table.add_column("action", no_wrap=True)
    table.add_column("changes")
    first = trace.steps[0].state
    table.add_row(_step_number(trace, 0), start, "\n".join(f"{name} = {show(value)}" for name, value in fields_of(first)))
    for number, (before, step) in enumerate(zip(trace.steps, trace.steps[1:]), start=1):
        changes = [f"{path}: {old} -> {new}" if old else f"{path}: {new}" for path, old, new in diff(before.state, step.state)]
        table.add_row(_step_number(trace, number), str(step.action), "\n".join(changes) or "(no change)")
    if trace.is_lasso:
        table.add_row("", f"({loop_back(trace)})", after_last_step(trace))
    return table


def _step_number(trace: Trace, number: int) -> str:
    """A row's step number, marked "(loop)" where a lasso's cycle starts (the state its last step returns to)."""
    return f"{number} (loop)" if number == trace.loop_start and not trace.stays_forever else str(number)


def trace_section(prop: PropertyResult, render_trace: Callable[[Trace], RenderableType] = step_table) -> RenderableType:
    """The heading and step table of one property's counterexample or witness."""
    assert prop.trace is not None
    what = {Verdict.VIOLATED: "violated", Verdict.NOT_INDUCTIVE: "not inductive"}.get(prop.verdict, "witnessed")
    title = Text(f"{prop.name} is {what}: {prop.note}", style=STYLE[prop.verdict])
    parts: list[RenderableType] = [Text(""), title]
    if prop.explanation:
        parts.append(Text(f"why: {prop.explanation}"))
    unreached = prop.verdict is Verdict.NOT_INDUCTIVE and len(prop.trace) <= 1  # a counterexample to induction, not a run
    parts.append(step_table(prop.trace, UNREACHED_START) if unreached else render_trace(prop.trace))
    return Group(*parts)


def report(result: CheckResult, *, witnesses: bool = False,
           render_trace: Callable[[Trace], RenderableType] = step_table) -> RenderableType:
    """The whole report: header, verdicts, figures, then each counterexample (and witnesses if asked)."""
    parts: list[RenderableType] = [header(result), Text(""), verdicts(result), Text(""), figures(result)]
    if result.failure is not None:
        failure = result.failure
        parts += [Text(""), Text(f"the model raised while {failure.action}: {failure.error}", style="bold red"), render_trace(failure.trace)]
    for prop in result.properties:
        if prop.trace is not None and (prop.verdict in (Verdict.VIOLATED, Verdict.NOT_INDUCTIVE) or witnesses):
            parts.append(trace_section(prop, render_trace))
    return Group(*parts)


def render_text(result: CheckResult, *, width: int = 110, witnesses: bool = False) -> str:
    """The report as plain text (for assertion messages and files)."""
    return to_text(report(result, witnesses=witnesses), width)


def to_text(renderable: Any, width: int = 110) -> str:
    """Any rich renderable as plain text."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False).print(renderable)
    return buffer.getvalue()
