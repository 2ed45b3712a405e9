"""JSON forms: trace files (a trace with its model's name and options, to replay later) and results."""
import json
import pathlib
from typing import Any

import attrs

from checker.errors import TraceFileError
from checker.result import CheckResult, PropertyResult
from checker.values import to_json

FORMAT = "protocol-checker-trace/1"


@attrs.frozen
class TraceFile:
    """What a trace file holds: enough to rebuild the model and replay every step."""

    model: str
    options: dict[str, Any]
    property: str
    kind: str
    verdict: str
    actions: list[Any]
    states: list[Any]
    loop_start: int | None = None


def trace_to_json(model_name: str, options: dict[str, Any], prop: PropertyResult) -> dict[str, Any]:
    """The JSON document for one property's trace."""
    assert prop.trace is not None
    return {
        "format": FORMAT,
        "model": model_name,
        "options": {k: to_json(v) for k, v in options.items()},
        "property": prop.name,
        "kind": prop.kind.value,
        "verdict": prop.verdict.value,
        "loop_start": prop.trace.loop_start,
        "steps": [
            {"action": to_json(step.action) if step.action else None, "state": to_json(step.state)}
            for step in prop.trace.steps
        ],
    }


def save(path: str | pathlib.Path, model_name: str, options: dict[str, Any], prop: PropertyResult) -> None:
    """Write one property's trace to a JSON file."""
    document = trace_to_json(model_name, options, prop)
    try:
        pathlib.Path(path).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise TraceFileError(f"cannot write trace file {path}: {error.strerror}") from None


def load(path: str | pathlib.Path) -> TraceFile:
    """Read a trace file; any problem is a TraceFileError with one clear line."""
    try:
        document = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise TraceFileError(f"cannot read trace file {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TraceFileError(f"{path} is not a trace file (not JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TraceFileError(f"{path} is not a trace file (expected format {FORMAT!r})")
    try:
        steps = document["steps"]
        _check_steps(path, steps)
        return TraceFile(
            model=document["model"],
            options=dict(document["options"]),
            property=document["property"],
            kind=document["kind"],
            verdict=document["verdict"],
            actions=[step["action"] for step in steps[1:]],
            states=[step["state"] for step in steps],
            loop_start=document.get("loop_start"),
        )
    except KeyError as error:
        raise TraceFileError(f"{path} is a damaged trace file (no {error} entry)") from None
    except (TypeError, ValueError) as error:
        raise TraceFileError(f"{path} is a damaged trace file ({error})") from None


def _check_steps(path: str | pathlib.Path, steps: Any) -> None:
    """Every step is {"action": {"name": str, "args": {...}} or null, "state": ...}; there is at least one."""
    if not isinstance(steps, list) or not steps:
        raise TraceFileError(f"{path} is a damaged trace file (it has no steps)")
    for number, step in enumerate(steps):
        action = step.get("action") if isinstance(step, dict) else None
        if not isinstance(step, dict) or "state" not in step:
            raise TraceFileError(f"{path} is a damaged trace file (step {number} has no state)")
        if number and not (isinstance(action, dict) and isinstance(action.get("name"), str) and isinstance(action.get("args", {}), dict)):
            raise TraceFileError(f"{path} is a damaged trace file (step {number} has no valid action)")


def result_to_json(result: CheckResult, model_name: str) -> dict[str, Any]:
    """The whole result as JSON: options, bounds, verdicts with traces, figures, stop reason."""
    stats = result.stats
    return {
        "model": model_name,
        "title": result.title,
        "options": {k: to_json(v) for k, v in result.options.items()},
        "strategy": result.strategy,
        "bounds": attrs.asdict(result.bounds),
        "exhaustive": result.stop.is_complete,
        "stop": result.stop.name,
        "exit_code": result.exit_code,
        "properties": [
            {
                "name": p.name,
                "kind": p.kind.value,
                "verdict": p.verdict.value,
                "note": p.note,
                "explanation": p.explanation,
                "trace": trace_to_json(model_name, result.options, p)["steps"] if p.trace else None,
            }
            for p in result.properties
        ],
        "stats": {**attrs.asdict(stats), "states_per_second": stats.states_per_second},
        "failure": None if result.failure is None else {
            "error": result.failure.error,
            "while": result.failure.action,
            "trace": [{"action": to_json(s.action), "state": to_json(s.state)} for s in result.failure.trace.steps],
        },
    }
