"""JSON forms: trace files (a trace with its model's name and options, to replay later) and results.

A trace file (format protocol-checker-trace/2) carries a digest: the sha256 of a canonical JSON
(sorted keys, no spaces, UTF-8) of its model, options, property, kind, verdict, loop_start and
steps. A file whose digest does not match was edited or truncated after it was written; replay
refuses it (checker/faces/replay.py). Files of format /1 have no digest and are replayed as
unverified.
"""
import hashlib
import json
import pathlib
from typing import Any

import attrs

from checker.errors import TraceFileError
from checker.result import CheckResult, PropertyResult
from checker.trace import Trace
from checker.faces.values import to_json

FORMAT = "protocol-checker-trace/2"
OLD_FORMATS = ("protocol-checker-trace/1",)
DIGESTED = ("model", "options", "property", "kind", "verdict", "loop_start", "steps")

VERIFIED = "verified"      # the digest matches: the file is as it was written
UNVERIFIED = "unverified"  # an older format without a digest
EDITED = "edited"          # the digest is missing or does not match: edited or truncated since


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
    integrity: str = VERIFIED
    path: str = ""
    digest: str | None = None


def digest(document: dict[str, Any]) -> str:
    """The digest of a trace document: sha256 of the canonical JSON of its DIGESTED entries."""
    canonical = json.dumps({key: document.get(key) for key in DIGESTED}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def trace_to_json(model_name: str, options: dict[str, Any], prop: PropertyResult) -> dict[str, Any]:
    """The JSON document for one property's trace."""
    assert prop.trace is not None
    return trace_document(model_name, options, prop.name, prop.kind.value, prop.verdict.value, prop.trace)


def trace_document(model_name: str, options: dict[str, Any], prop: str, kind: str, verdict: str, trace: Trace) -> dict[str, Any]:
    """The JSON document of a trace file, its digest included."""
    document = {
        "model": model_name,
        "options": {k: to_json(v) for k, v in options.items()},
        "property": prop,
        "kind": kind,
        "verdict": verdict,
        "loop_start": trace.loop_start,
        "steps": [
            {"action": to_json(step.action) if step.action else None, "state": to_json(step.state)}
            for step in trace.steps
        ],
    }
    return {"format": FORMAT, "digest": digest(document), **document}


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
    if not isinstance(document, dict) or document.get("format") not in (FORMAT, *OLD_FORMATS):
        raise TraceFileError(f"{path} is not a trace file (expected format {FORMAT!r})")
    try:
        steps = document["steps"]
        _check_steps(path, steps)
        _check_loop_start(path, document.get("loop_start"))
        if document["format"] in OLD_FORMATS:
            integrity = UNVERIFIED
        else:
            integrity = VERIFIED if document.get("digest") == digest(document) else EDITED
        return TraceFile(
            model=document["model"],
            options=dict(document["options"]),
            property=document["property"],
            kind=document["kind"],
            verdict=document["verdict"],
            actions=[step["action"] for step in steps[1:]],
            states=[step["state"] for step in steps],
            loop_start=document.get("loop_start"),
            integrity=integrity,
            path=str(path),
            digest=document.get("digest"),
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


def _check_loop_start(path: str | pathlib.Path, loop_start: Any) -> None:
    """A lasso's loop_start is a step number (whether its loop closes is for replay to judge); other traces have none."""
    if loop_start is not None and (type(loop_start) is not int or loop_start < 0):
        raise TraceFileError(f"{path} is a damaged trace file (its loop_start, {json.dumps(loop_start)}, is not a step number)")


def result_to_json(result: CheckResult, model_name: str) -> dict[str, Any]:
    """The whole result as JSON: options, bounds, verdicts with traces (a lasso's loop_start beside its
    steps), figures, stop reason."""
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
                "loop_start": p.trace.loop_start if p.trace else None,
            }
            for p in result.properties
        ],
        "stats": {**attrs.asdict(stats), "states_per_second": stats.states_per_second,
                  "depth_is": "the depth of the deepest state seen, initial states at depth 1 (as TLC counts)"},
        "failure": None if result.failure is None else {
            "error": result.failure.error,
            "while": result.failure.action,
            "trace": [{"action": to_json(s.action), "state": to_json(s.state)} for s in result.failure.trace.steps],
        },
        "notes": list(result.notes),
    }
