"""State values as people and files see them: short text, JSON, and field-by-field changes."""
import enum
import json
from collections import Counter
from typing import Any, Iterator

import attrs

from checker.actors.actor import Envelope, Event
from checker.record import is_record, record_fields


def to_json(value: Any) -> Any:
    """A JSON-ready form of a state, message or action label (sets sorted, so it is stable)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if is_record(value):
        return {"_type": type(value).__name__, **{k: to_json(v) for k, v in record_fields(value)}}
    if attrs.has(type(value)):
        if type(value).__name__ == "ActionLabel":
            return {"name": value.name, "args": {k: to_json(v) for k, v in value.args}}
        out = {"_type": type(value).__name__}
        out.update({f.name: to_json(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.repr})
        return out
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: to_json(v) for k, v in value.items()}
        return [[to_json(k), to_json(v)] for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]
    return repr(value)


def show(value: Any) -> str:
    """Short text for tables: strings unquoted, sets sorted, records as Name(field=...) unless
    their class defines `__show__` (a log entry as `1:a`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if hasattr(type(value), "__show__"):
        return value.__show__()
    if is_record(value) or attrs.has(type(value)):
        fields = ", ".join(f"{name}={show(v)}" for name, v in fields_of(value))
        return f"{type(value).__name__}({fields})"
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(show(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def fields_of(value: Any) -> list[tuple[str, Any]]:
    """The named parts of a state: record or attrs fields, dict items, or the value itself as one part."""
    if is_record(value):
        return record_fields(value)
    if attrs.has(type(value)):
        return [(f.name, getattr(value, f.name)) for f in attrs.fields(type(value)) if f.repr]
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    return [("state", value)]


def _shows_itself(value: Any) -> bool:
    """A record that says how it is shown (`__show__`, a value such as `11 @(2, n1)`) changes as a whole."""
    return hasattr(type(value), "__show__")


def diff(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """The changes from one value to another as (path, old, new); sets show +added / -removed."""
    if before == after:
        return
    if (is_record(before) or attrs.has(type(before))) and type(before) is type(after) and not (path and _shows_itself(before)):
        for (name, old), (_name, new) in zip(fields_of(before), fields_of(after)):
            yield from diff(old, new, f"{path}.{name}" if path else name)
    elif isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        for key in before:
            yield from diff(before[key], after[key], f"{path}.{key}" if path else str(key))
    elif isinstance(before, (tuple, list)) and not is_record(before) and isinstance(after, (tuple, list)) and len(before) == len(after):
        for i, (old, new) in enumerate(zip(before, after)):
            yield from diff(old, new, f"{path}[{i}]")
    elif isinstance(before, (set, frozenset)) and isinstance(after, (set, frozenset)):
        yield path, "", _set_change(after - before, before - after)
    elif isinstance(before, tuple) and isinstance(after, tuple) and _is_history_grown(before, after):
        yield path, "", "+ " + "; ".join(show(event) for event in after[len(before):])
    elif isinstance(before, tuple) and isinstance(after, tuple) and _is_bag(before + after):
        added, removed = Counter(after) - Counter(before), Counter(before) - Counter(after)
        yield path, "", _set_change(added.elements(), removed.elements())
    else:
        yield path, show(before), show(after)


def _set_change(added: Any, removed: Any) -> str:
    plus = ", ".join(sorted(show(v) for v in added))
    minus = ", ".join(sorted(show(v) for v in removed))
    return " ".join(part for part in (f"+{{{plus}}}" if plus else "", f"-{{{minus}}}" if minus else "") if part)


def _is_history_grown(before: tuple, after: tuple) -> bool:
    """A client history that only grew: shown as the events added, not as the whole history twice."""
    return len(after) > len(before) and after[:len(before)] == before and all(type(e) is Event for e in after)


def _is_bag(items: tuple) -> bool:
    """Messages in flight change as a multiset; any other sequence (a log) is shown whole."""
    return bool(items) and all(type(item) is Envelope for item in items)
