"""Replaying a saved trace: rebuild it against the model and see whether its property still fails.

A saved trace is a regression test, so when replay does not follow the file, replay says why:

- the file's digest does not match (or is missing): it was edited or truncated after it was
  written. Refused (TraceFileError), naming the first step that does not match the model, or,
  when every step matches, where the file ends.
- the digest matches but a step does not: the model is asked twice from the same state. Two
  different answers mean the model is nondeterministic (NondeterministicModel, the model's own
  fault); the same answer means the trace was recorded with a different version of the model
  (ForeignTrace, a TraceFileError).
- a file of the older format without a digest is replayed as unverified; when a step does not
  match it is refused, since it may have been edited or recorded with another version.

A liveness property's trace is a lasso (checker/trace.py): every step matching, its last state
must be the state at its loop_start, or the file is refused as damaged. Whether it still fails is
judged by the rule its reproducing program asserts (checker/faces/program.py): an `eventually`
property holds on no state of the run; a `leads_to` property has a step where p holds and q holds
neither there nor at any later step, the cycle's steps included, as they come again.
"""
import contextlib
import json
from typing import Any, Iterator, Mapping, Sequence

import attrs

from checker.errors import CheckerError, DefinitionError, ForeignTrace, NondeterministicModel, TraceFileError, UsageError
from checker.model import ModelView, is_stuck
from checker.properties import Kind, Property
from checker.trace import Step, Trace
from checker.faces.lasso import closes, forever
from checker.faces.values import show, to_json
from checker.faces.trace_io import EDITED, UNVERIFIED, TraceFile

CAUSES = (
    "usual causes: iterating a set or dict whose order varies between runs (sort it), reading time, "
    "randomness or global state inside an action, or mutating a state in place (states must be immutable)"
)
SHOWN = 3  # differences named in a one-line message before "and N more"


@attrs.frozen
class ReplayOutcome:
    """The replayed trace, its property, and the step at which the property fails (None if it no longer does)."""

    trace: Trace
    prop: Property
    failing_step: int | None
    explanation: str = ""
    integrity: str = "verified"


@attrs.frozen
class Mismatch:
    """The first step of a file that the model does not reproduce: `text` says what differs.
    `before` is the state the step starts from and `offered` what the model offered there
    (None at the initial state, where `offered` are the initial states)."""

    step: int
    text: str
    before: Any
    offered: list[tuple[Any, Any]]


def model_for(saved: TraceFile, catalog: Mapping[str, Any]) -> Any:
    """The model a trace file was recorded with, built from its options. A file that was edited
    after it was written is refused here, naming the first step that does not match."""
    cls = catalog.get(saved.model)
    if cls is None:
        problem = f"a trace of model {saved.model!r}, which this version does not have (see `check list`)"
        raise TraceFileError(f"{_edited_head(saved)}: it is {problem}" if saved.integrity == EDITED else f"{saved.path} is {problem}")
    try:
        model = _construct(cls, saved.options)
    except _NotFitting as error:
        if saved.integrity != EDITED:
            raise TraceFileError(f"{saved.path}: its options do not fit model {saved.model}: {error}") from None
        fallback = _fitting_model(cls, saved.options)
        if fallback is None:
            raise TraceFileError(f"{_edited_head(saved)}: its options do not fit model {saved.model}: {error}") from None
        raise TraceFileError(f"{edited_message(fallback, saved)}; and its options do not fit model {saved.model}: {error}") from None
    if saved.integrity == EDITED:
        raise TraceFileError(edited_message(model, saved))
    return model


def replay_file(model: Any, saved: TraceFile) -> ReplayOutcome:
    """Replay `saved` against `model` (built from the file's options) and judge its property.

    Raises TraceFileError when the file was edited since it was written (or, without a digest,
    does not match), ForeignTrace when it was recorded with a different version of the model,
    NondeterministicModel when the model answers differently twice from the same state, and
    DefinitionError when the model's own code raises."""
    with _model_errors(saved):
        return _replay(model, saved)


def _replay(model: Any, saved: TraceFile) -> ReplayOutcome:
    view = ModelView(model)
    steps, mismatch = walk(view, saved.actions, saved.states)
    if saved.integrity == EDITED:
        raise TraceFileError(_edited_text(view, saved, steps, mismatch))
    if mismatch is not None:
        differed = ask_twice(view, mismatch)
        where = f"step {mismatch.step}"
        if differed:
            raise NondeterministicModel(f"replaying {saved.path or 'the trace'}: {where}: {differed}; {CAUSES}")
        name = model_name(model)
        if saved.integrity == UNVERIFIED:
            raise TraceFileError(f"{saved.path} does not match {name}: {where}: {mismatch.text}; it has no digest (written by an "
                                 f"older version), so it was edited or recorded with a different version of {name}")
        raise ForeignTrace(f"{saved.path} was recorded with a different version of {name}: {where}: {mismatch.text}")
    props = {p.name: p for p in view.all_properties}
    if saved.property not in props:
        raise ForeignTrace(f"{saved.path or 'the trace'} is a trace of property {saved.property!r}, which {model_name(model)} no longer has")
    prop = props[saved.property]
    trace = Trace(tuple(steps), saved.loop_start)
    if prop.kind.is_liveness and not closes(trace):
        raise TraceFileError(_open_loop(saved, trace))
    step = failing_step(view, prop, trace)
    why = ""
    if step is not None and prop.kind is Kind.ALWAYS:
        why = prop.explanation(trace.steps[step].state)
    if step is not None and prop.kind.is_liveness:
        why = _liveness_explanation(prop, trace, step)
    return ReplayOutcome(trace, prop, step, why, saved.integrity)


def _open_loop(saved: TraceFile, trace: Trace) -> str:
    """The one line refusing a liveness trace that is not a lasso: no loop_start, or a loop that does not close."""
    head, last, k = f"{saved.path} is a damaged trace file", len(trace), trace.loop_start
    if k is None:
        return f"{head} (a trace of the liveness property {saved.property} without a loop_start)"
    if k > last:
        return f"{head} (its loop_start, step {k}, is past its last step, {last})"
    changes = _few(diff_text(to_json(trace.steps[k].state), to_json(trace.last), (f"step {k}", f"step {last}")))
    return f"{head} (its loop does not close: its last step, {last}, does not return to step {k}, its loop_start; step {k} -> step {last}: {changes})"


def _liveness_explanation(prop: Property, trace: Trace, step: int) -> str:
    """Why a lasso violates a liveness property, in the words of its reproducing program."""
    if prop.kind is Kind.EVENTUALLY:
        return f"it never holds on this run, which {forever(trace)}"
    return f"p holds at step {step} and q never holds after it; the run {forever(trace)}"


def edited_message(model: Any, saved: TraceFile) -> str:
    """The one line refusing an edited file: where it stops matching `model`."""
    with _model_errors(saved):
        view = ModelView(model)
        steps, mismatch = walk(view, saved.actions, saved.states)
        return _edited_text(view, saved, steps, mismatch)


@contextlib.contextmanager
def _model_errors(saved: TraceFile) -> Iterator[None]:
    """The model's own code raising while a trace is replayed: a DefinitionError (exit 4), one line."""
    try:
        yield
    except CheckerError:
        raise
    except Exception as error:  # noqa: BLE001 - the model's own bug, reported in one line
        raise DefinitionError(f"replaying {saved.path or 'the trace'}, the model raised {type(error).__name__}: {error}") from None


def failing_step(view: ModelView, prop: Property, trace: Trace) -> int | None:
    """The first step at which the trace shows its discovery for `prop`, or None."""
    if prop.kind.is_liveness:
        return _liveness_step(prop, trace)
    for i, step in enumerate(trace.steps):
        if prop.kind is Kind.ALWAYS and not prop.check(step.state):
            return i
        if prop.kind is Kind.SOMETIMES and prop.check(step.state):
            return i
        if prop.kind is Kind.TRANSITION and i and not prop.check(trace.steps[i - 1].state, step.action, step.state):
            return i
    last = trace.steps[-1].state
    if prop.kind is Kind.DEADLOCK and is_stuck(view, last) and not view.may_stop(last):
        return len(trace.steps) - 1
    return None


def _liveness_step(prop: Property, trace: Trace) -> int | None:
    """Where a lasso violates a liveness property, or None (when it does not, or its loop does not close):
    for `eventually` its last step, if the property holds on no state of the run; for `leads_to`
    the first step where p holds and q holds neither there nor later (from the cycle's start on, as it repeats)."""
    if not closes(trace):
        return None
    states = [step.state for step in trace.steps]
    if prop.kind is Kind.EVENTUALLY:
        return None if any(prop.check(s) for s in states) else len(states) - 1
    pairs = [prop.check(s) for s in states]
    return next((i for i, (p, _q) in enumerate(pairs) if p and not any(q for _p, q in pairs[min(i, trace.loop_start):])), None)


def walk(view: ModelView, actions: Sequence[Any], states: Sequence[Any]) -> tuple[list[Step], Mismatch | None]:
    """Follow the recorded actions (labels as JSON) from the recorded initial state as far as the
    model reproduces them: the steps that match, and the first that does not (or None)."""
    name = model_name(view.model)
    initial = [(None, s) for s in view.init_states]
    start = [s for s in view.init_states if to_json(s) == states[0]]
    if not start:
        closest = _closest(states[0], [to_json(s) for s in view.init_states])
        text = f"the initial state is not an initial state of {name}" + (f" (trace -> model: {closest})" if closest else "")
        return [], Mismatch(0, text, None, initial)
    steps = [Step(None, start[0])]
    for number, (wanted, recorded) in enumerate(zip(actions, states[1:]), start=1):
        state = steps[-1].state
        offered = list(view.successors(state))
        match = [(label, nxt) for label, nxt in offered if to_json(label) == wanted]
        if not match:
            text = f"action {_show(wanted)} is not enabled" + _enabled(offered)
            return steps, Mismatch(number, text, state, offered)
        found = [(label, nxt) for label, nxt in match if to_json(nxt) == recorded]
        if not found:
            changes = _closest(recorded, [to_json(nxt) for _label, nxt in match])
            text = f"after {match[0][0]} the state differs from the trace's (trace -> model: {changes})"
            return steps, Mismatch(number, text, state, offered)
        steps.append(Step(*found[0]))
    return steps, None


def ask_twice(view: ModelView, mismatch: Mismatch) -> str:
    """Ask the model again what it offered at the mismatch: what differed between the two
    answers from the same state, or "" when the model answered the same (it is deterministic there)."""
    if mismatch.before is None:
        first = [to_json(s) for _none, s in mismatch.offered]
        second = [to_json(s) for s in ModelView(view.model).init_states]
        if first == second:
            return ""
        if sorted(map(_key, first)) == sorted(map(_key, second)):
            return "two calls of init_states gave the same states in a different order"
        return f"two calls of init_states gave different states ({_list_change(first, second)})"
    again = list(view.successors(mismatch.before))
    first = [(to_json(label), to_json(nxt)) for label, nxt in mismatch.offered]
    second = [(to_json(label), to_json(nxt)) for label, nxt in again]
    if first == second:
        return ""
    what = f"two calls of successors from the same state ({show(mismatch.before)})"
    if sorted(map(_key, first)) == sorted(map(_key, second)):
        return (f"{what} gave the same successors in a different order "
                f"(first: {_labels(mismatch.offered)}; then: {_labels(again)})")
    return f"{what} gave different successors ({_successor_change(first, second)})"


def diff_text(before_json: Any, after_json: Any, names: tuple[str, str] = ("the first", "the second")) -> list[str]:
    """Differences between two JSON forms of states, as 'path: old -> new' lines: a field in only
    one of two records as 'path: only in the first' (or the first of `names`), lists of different
    lengths as the items added and removed ('network: +{...} -{...}')."""
    return list(_json_diff(before_json, after_json, "", names))


def _json_diff(before: Any, after: Any, path: str, names: tuple[str, str]) -> Iterator[str]:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before:
            where = f"{path}.{key}" if path else str(key)
            if key in after:
                yield from _json_diff(before[key], after[key], where, names)
            else:
                yield f"{where}: only in {names[0]}"
        yield from (f"{path}.{key}: only in {names[1]}" if path else f"{key}: only in {names[1]}" for key in after if key not in before)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (old, new) in enumerate(zip(before, after)):
            yield from _json_diff(old, new, f"{path}[{i}]", names)
    elif isinstance(before, list) and isinstance(after, list):
        gone = [v for v in before if v not in after]
        new = [v for v in after if v not in before]
        change = " ".join(part for part in (_braced("-", gone), _braced("+", new)) if part) or f"{_compact(before)} -> {_compact(after)}"
        yield f"{path}: {change}" if path else change
    else:
        yield f"{path}: {_compact(before)} -> {_compact(after)}" if path else f"{_compact(before)} -> {_compact(after)}"


def _braced(sign: str, items: list[Any]) -> str:
    return f"{sign}{{{', '.join(_compact(v) for v in items)}}}" if items else ""


def _compact(value: Any) -> str:
    """A JSON form as it reads in a report: records as Name(field=...), strings unquoted."""
    if isinstance(value, dict):
        fields = ", ".join(f"{k}={_compact(v)}" for k, v in value.items() if k != "_type")
        return f"{value['_type']}({fields})" if "_type" in value else "{" + fields.replace("=", ": ") + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return str(value)
    return str(value) if isinstance(value, str) else json.dumps(value) if isinstance(value, (int, float)) else show(value)


def model_name(model: Any) -> str:
    """The model's catalog name (its class name when it has none)."""
    return getattr(model, "name", None) or type(model).__name__


def _edited_head(saved: TraceFile) -> str:
    why = "its digest does not match" if saved.digest else "its digest is missing"
    return f"{saved.path} was edited or truncated after it was written ({why})"


def _edited_text(view: ModelView, saved: TraceFile, steps: list[Step], mismatch: Mismatch | None) -> str:
    head, name = _edited_head(saved), model_name(view.model)
    if mismatch is not None:
        return f"{head}: step {mismatch.step} does not match {name}: {mismatch.text}"
    last = len(steps) - 1
    where = f"the steps match {name} up to step {last}, where the file ends"
    prop = {p.name: p for p in view.all_properties}.get(saved.property)
    if prop is None:
        return f"{head}: {where}, but its property {saved.property!r} is not one of {name}'s"
    try:
        reached = failing_step(view, prop, Trace(tuple(steps), saved.loop_start)) is not None
    except Exception:  # noqa: BLE001 - the file is refused anyway; the property's own error is not the news
        reached = True
    found = "witness" if prop.kind is Kind.SOMETIMES else "violation"
    if not reached:
        return f"{head}: {where} without reaching its {found} of {prop.name}: steps were cut off the end, or its options were changed"
    return f"{head}: {where}, so the change is outside the steps (its model, options, property, kind, verdict or loop_start)"


class _NotFitting(Exception):
    """A model cannot be built from a file's options."""


def _construct(cls: Any, options: dict[str, Any]) -> Any:
    try:
        return cls(**options)
    except UsageError as error:
        raise _NotFitting(str(error)) from None
    except CheckerError:
        raise
    except Exception as error:  # noqa: BLE001 - options from a file: a TypeError for a name the model lacks, and the like
        raise _NotFitting(f"{type(error).__name__}: {error}") from None


def _fitting_model(cls: Any, options: dict[str, Any]) -> Any:
    """For locating an edit only: the model built from the options it knows (a bug variant only
    if it has it), else from all of those but one, else from its defaults; None if none can be built."""
    fields = {f.name for f in cls.option_fields()} if hasattr(cls, "option_fields") else set()
    known = {k: v for k, v in options.items() if k in fields and (k != "bug" or v in getattr(cls, "bugs", {}))}
    for attempt in (known, *({k: v for k, v in known.items() if k != key} for key in known), {}):
        try:
            return _construct(cls, attempt)
        except (_NotFitting, CheckerError):
            continue
    return None


def _closest(recorded: Any, candidates: list[Any]) -> str:
    """The differences between `recorded` and the candidate it differs least from, in one line."""
    if not candidates:
        return "the model has none"
    changes = min((diff_text(recorded, c, ("the trace", "the model")) for c in candidates), key=len)
    return _few(changes)


def _few(items: list[str]) -> str:
    shown = "; ".join(items[:SHOWN])
    return shown + (f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _sub(line: str) -> str:
    """A nested diff line under a key: "[0]: ..." stays, "name: ..." becomes ".name: ..."."""
    return line if line.startswith("[") else "." + line


def _enabled(offered: list[tuple[Any, Any]]) -> str:
    if not offered:
        return " (no action is enabled there)"
    return f" (enabled there: {_labels(offered)})"


def _labels(offered: list[tuple[Any, Any]]) -> str:
    labels = list(dict.fromkeys(str(label) for label, _nxt in offered))
    return ", ".join(labels[:6]) + (f", and {len(labels) - 6} more" if len(labels) > 6 else "")


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _list_change(first: list[Any], second: list[Any]) -> str:
    gone = [_key(v) for v in first if v not in second]
    new = [_key(v) for v in second if v not in first]
    return _few([f"first only: {v}" for v in gone] + [f"then only: {v}" for v in new])


def _successor_change(first: list[tuple[Any, Any]], second: list[tuple[Any, Any]]) -> str:
    """What differs between two answers of successors, per action label."""
    lines = []
    by_label = {_key(label): nxt for label, nxt in second}
    for label, nxt in first:
        shown = _show(label)
        if _key(label) not in by_label:
            lines.append(f"{shown} offered only the first time")
        elif by_label[_key(label)] != nxt:
            lines.append(f"{shown} gave " + _few(diff_text(nxt, by_label[_key(label)])).replace("; ", ", ") + " (first -> then)")
    seen = {_key(label) for label, _nxt in first}
    lines += [f"{_show(label)} offered only the second time" for label, _nxt in second if _key(label) not in seen]
    return _few(lines) or "the same successors, differently repeated"


def _show(label_json: Any) -> str:
    """An action label's JSON form as it reads in a report: name(arg=value, ...)."""
    if not isinstance(label_json, dict) or not isinstance(label_json.get("args", {}), dict):
        return _compact(label_json)
    args = ", ".join(f"{k}={_compact(v)}" for k, v in label_json.get("args", {}).items())
    return f"{label_json.get('name')}({args})"
