"""Showing a swarm's result: a table of its configurations, the witnesses judged across them, and
the first violation with the command line that reproduces it and its trace, drawn as `check`
draws traces. Also the swarm as JSON (a list of runs) and its first violation as a trace file.
"""
import shlex
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from checker.actors.faults import FaultBudget
from checker.engine.swarm import RunStatus, SwarmResult, SwarmRun, SwarmStop, WitnessVerdict
from checker.faces.report import STYLE
from checker.faces.trace_io import save
from checker.faces.trace_view import trace_renderer
from checker.faces.values import to_json
from checker.result import PropertyResult
from checker.verdict import StopReason, Verdict


def varying(result: SwarmResult) -> list[str]:
    """The options whose values differ between configurations (faults last, always shown if any has it)."""
    keys = list(dict.fromkeys(k for run in result.runs for k in run.options))
    shown = [k for k in keys if k != "faults" and len({repr(run.options.get(k)) for run in result.runs}) > 1]
    return shown + (["faults"] if "faults" in keys else [])


def verdict_summary(run: SwarmRun) -> Text:
    """One configuration's outcome in a few words: all hold, VIOLATED p, time limit, not run, ..."""
    if run.status is RunStatus.NOT_RUN:
        return Text("not run", style="dim")
    if run.status is RunStatus.REFUSED:
        return Text(f"skipped: {run.note}", style="dim")
    if run.status is RunStatus.DIED:
        return Text(f"died: {run.note}", style="bold red")
    if run.status is RunStatus.ERROR:
        return Text(f"error: {run.note}", style="bold red")
    if run.violated:
        return Text("VIOLATED " + ", ".join(v.name for v in run.violated), style="bold red")
    if run.failure:
        return Text(f"the model raised {run.failure}", style="bold red")
    if run.status is RunStatus.STOPPED:
        return Text(run.note or "stopped", style="yellow")
    if run.stop is StopReason.TIME_LIMIT:
        return Text("time limit", style="yellow")
    if run.stop is not None and not run.stop.is_complete:
        return Text(run.stop.value, style="yellow")
    unreached = [v.name for v in run.verdicts if v.verdict is Verdict.NOT_REACHED]
    text = Text("all hold", style="green")
    if unreached:
        text.append(f" (not reached here: {', '.join(unreached)})", style="dim")
    return text


def runs_table(result: SwarmResult) -> Table:
    """One row per configuration: the options that vary, states, depth, seconds, outcome."""
    columns = varying(result)
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("#", justify="right")
    for name in columns:
        table.add_column(name.replace("_", "-"), no_wrap=True)
    for name in ("states", "depth", "seconds"):
        table.add_column(name, justify="right")
    table.add_column("verdict")
    for run in result.runs:
        cells = [_cell(run.options.get(name)) for name in columns]
        stats = run.stats
        figures = [f"{stats.distinct:,}", str(stats.depth), f"{stats.seconds:.1f}"] if stats else ["-", "-", "-"]
        table.add_row(str(run.index + 1), *cells, *figures, verdict_summary(run))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, FaultBudget):
        return str(value)
    return str(value)


def witnesses_table(witnesses: tuple[WitnessVerdict, ...]) -> Table:
    """Each witness judged across the swarm."""
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for column in ("witness", "across the swarm", "note"):
        table.add_column(column, no_wrap=column != "note")
    for w in witnesses:
        table.add_row(w.name, Text(w.verdict.value, style=STYLE[w.verdict]), w.note)
    return table


def command_line(model_name: str, model_cls: type, run: SwarmRun, bug: str | None) -> str:
    """`check MODEL --option value ...`: the command that checks this configuration alone. Options
    at their declared default are left out; options the model resolves itself are written out."""
    fields = {f.name: f for f in model_cls.option_fields()} if hasattr(model_cls, "option_fields") else {}
    values = {**run.options, **{k: v for k, v in run.model_options.items() if k != "bug"}}
    words = ["check", model_name]
    for name, value in values.items():
        field = fields.get(name)
        if field is None or name == "bug" or value is None:
            continue
        default = field.default
        if default is not None and _same(value, default):
            continue
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag[2:])
        else:
            words += [flag, str(value)]
    if bug:
        words += ["--bug", bug]
    return shlex.join(words)


def _same(value: Any, default: Any) -> bool:
    if isinstance(default, FaultBudget) or isinstance(value, FaultBudget):
        return str(FaultBudget.of(value)) == str(FaultBudget.of(default))
    return bool(value == default)


def swarm_report(result: SwarmResult, model_cls: type, width: int) -> RenderableType:
    """The whole swarm: a header, the table of configurations, witnesses, the first violation."""
    head = Table.grid(padding=(0, 2))
    title = result.model + (f" --bug {result.bug}" if result.bug else "")
    head.add_row("swarm", f"{title}: {len(result.runs)} configurations, smallest first, on {result.workers} "
                          f"worker process{'es' if result.workers != 1 else ''}")
    ran = len(result.ran)
    exhaustive = sum(1 for run in result.runs if run.exhaustive)
    not_run = sum(1 for run in result.runs if run.status is RunStatus.NOT_RUN)
    head.add_row("stopped", f"{result.stop.value} after {result.seconds:.1f} s (time limit {result.time_limit:g} s); "
                            f"{ran} ran, {exhaustive} exhaustively; {not_run} not run")
    parts: list[RenderableType] = [head, Text(""), runs_table(result)]
    if result.witnesses:
        parts += [Text(""), witnesses_table(result.witnesses)]
    first = result.first_violation
    if first is not None and first.violation is not None:
        parts += violation_section(result, model_cls, first, width)
    return Group(*parts)


def violation_section(result: SwarmResult, model_cls: type, run: SwarmRun, width: int) -> list[RenderableType]:
    """The first violation: which configuration, the command that reproduces it, why, and its trace."""
    violation = run.violation
    assert violation is not None
    parts: list[RenderableType] = [
        Text(""),
        Text(f"{violation.property} is violated in configuration {run.index + 1}: {violation.note}", style=STYLE[Verdict.VIOLATED]),
        Text(f"reproduce: {command_line(result.model, model_cls, run, result.bug)}"),
    ]
    if violation.explanation:
        parts.append(Text(f"why: {violation.explanation}"))
    if violation.trace is None:
        parts.append(Text(f"(its trace could not be replayed: {violation.replay_error})", style="bold red"))
    else:
        model = model_cls(**run.model_options)
        parts.append(trace_renderer(model, width)(violation.trace))
    return parts


def save_first_violation(result: SwarmResult, path: str) -> str | None:
    """Write the first violation's trace as a trace file (`check replay FILE` replays it); the
    name of the property written, or None when there is no violation with a trace."""
    run = result.first_violation
    if run is None or run.violation is None or run.violation.trace is None:
        return None
    v = run.violation
    prop = PropertyResult(v.property, v.kind, Verdict.VIOLATED, v.trace, v.note, v.explanation)
    save(path, result.model, run.model_options, prop)
    return v.property


def swarm_to_json(result: SwarmResult, model_cls: type) -> list[dict[str, Any]]:
    """The swarm as a list of runs, one per configuration, in grid order."""
    return [run_to_json(result, model_cls, run) for run in result.runs]


def run_to_json(result: SwarmResult, model_cls: type, run: SwarmRun) -> dict[str, Any]:
    """One configuration: options, outcome, verdicts, figures, and its violation's trace document."""
    stats = run.stats
    return {
        "configuration": run.index + 1,
        "options": {k: to_json(v) for k, v in run.options.items()},
        "command": command_line(result.model, model_cls, run, result.bug),
        "status": run.status.value,
        "outcome": verdict_summary(run).plain,
        "exhaustive": run.exhaustive,
        "stop": run.stop.name if run.stop is not None else None,
        "verdicts": [{"name": v.name, "kind": v.kind.value, "verdict": v.verdict.value, "note": v.note} for v in run.verdicts],
        "stats": None if stats is None else {"distinct": stats.distinct, "generated": stats.generated,
                                            "depth": stats.depth, "seconds": stats.seconds},
        "failure": run.failure or None,
        "note": run.note or None,
        "first_violation": run is result.first_violation,
        "violation": None if run.violation is None else {
            "property": run.violation.property,
            "explanation": run.violation.explanation,
            "trace_file": run.violation.document,
        },
    }


def one_line(result: SwarmResult) -> str:
    """The swarm's outcome in one line (for stderr and assertion messages)."""
    code = result.exit_code
    first = result.first_violation
    if first is not None:
        return f"{', '.join(v.name for v in first.violated)} violated in configuration {first.index + 1} of {len(result.runs)}"
    unreached = [w.name for w in result.witnesses if w.verdict is Verdict.NOT_REACHED]
    if unreached:
        return f"no configuration reached {', '.join(unreached)}"
    if code == 0:
        return f"every property holds in all {len(result.runs)} configurations"
    return f"no violation; {result.stop.value}" if result.stop is not SwarmStop.COMPLETE else "no violation; some configurations did not run to the end"


