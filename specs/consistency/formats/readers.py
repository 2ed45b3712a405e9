"""Readers of client histories: the etcd Jepsen log, Porcupine's kv lines, Knossos's EDN, the
project's JSON, and the actor layer's recorded events; each gives a list of `Event`s.

The project's JSON history is a list of events, one object each, the shape of the actor
layer's `Event(node, kind, op, value)`:
    [{"process": 0, "type": "invoke", "f": "write", "value": 3},
     {"process": 0, "type": "ok", "f": "write", "value": 3}, ...]
`type` is invoke, ok, fail or info; a kv event adds "key". Real-time order is list order.
"""
import json
import re
from typing import Any, Iterable

from specs.consistency.formats.edn import read_all
from specs.consistency.history import ANY, Event, HistoryError, Operation, pair

_ETCD_LINE = re.compile(r"INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w+)\s+:(\w+)\s+(.*?)\s*$")
FORMATS = ("etcd", "kv", "edn", "json")


def read_etcd(text: str) -> list[Event]:
    """The etcd Jepsen log: `INFO  jepsen.util - PROCESS TYPE F VALUE` per line."""
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _ETCD_LINE.match(line)
        if match is None:
            raise HistoryError(f"line {number}: not a Jepsen log line (INFO jepsen.util - PROCESS :TYPE :F VALUE): {line.strip()[:60]!r}")
        process, kind, f, value = match.groups()
        parsed = read_all(value)
        events.append(Event(_process(process, number), kind, f, parsed[0] if len(parsed) == 1 else value))
    return events


def read_kv(text: str) -> list[Event]:
    """Porcupine's kv history: one EDN map per line with :process :type :f :key :value."""
    return [_event(record, f"line {number}") for number, line in enumerate(text.splitlines(), 1)
            for record in read_all(line)]


def read_edn(text: str) -> list[Event]:
    """Knossos's EDN: a vector of operation maps; nemesis records are skipped, a nil read result matches anything."""
    values = read_all(text)
    records = values[0] if len(values) == 1 and isinstance(values[0], list) else values
    events = []
    for number, record in enumerate(records):
        if isinstance(record, dict) and not isinstance(record.get("process"), int):
            continue  # fault injection (:nemesis), not a client
        event = _event(record, f"record {number}")
        if event.kind == "ok" and event.value is None and event.f in ("read", "get"):
            event = Event(event.process, event.kind, event.f, ANY, event.key)
        events.append(event)
    return events


def read_json(text: str) -> list[Event]:
    """The project's JSON history: a list of {process, type, f, value[, key]} objects."""
    try:
        records = json.loads(text)
    except ValueError as error:
        raise HistoryError(f"JSON: {error}") from None
    if not isinstance(records, list):
        raise HistoryError("JSON: a history is a list of events ({process, type, f, value})")
    return [_event(record, f"event {number}") for number, record in enumerate(records)]


def _event(record: Any, where: str) -> Event:
    """An event from one map of a kv, EDN or JSON history."""
    if not isinstance(record, dict) or not {"process", "type", "f"} <= record.keys():
        raise HistoryError(f"{where}: an event needs process, type and f: {str(record)[:60]}")
    if not isinstance(record["type"], str) or not isinstance(record["f"], str):
        raise HistoryError(f"{where}: type and f are names: {str(record)[:60]}")
    return Event(_hashable(record["process"]), record["type"], record["f"], record.get("value"), record.get("key"))


def _process(text: str, number: int) -> Any:
    """A process id from the log: an integer, else the name."""
    return int(text) if text.lstrip("-").isdigit() else text


def _hashable(value: Any) -> Any:
    """A process id usable as a dict key."""
    return tuple(value) if isinstance(value, list) else value


_KINDS = {"invoke": "invoke", "return": "ok", "ok": "ok", "fail": "fail", "info": "info"}


def events_from_actor(recorded: Iterable[Any]) -> list[Event]:
    """Events from the actor layer's client history (`Event(node, kind, op, value)`): `return` is ok;
    a get/put/append whose value is a (key, value) pair names its key."""
    events = []
    for item in recorded:
        value, key = item.value, None
        if item.op in ("get", "put", "append") and isinstance(value, (tuple, list)) and len(value) == 2:
            key, value = value
        if item.kind not in _KINDS:
            raise HistoryError(f"actor event {item!r}: kind is invoke or return")
        events.append(Event(item.node, _KINDS[item.kind], item.op, value, key))
    return events


def guess_format(text: str) -> str:
    """The format of a history from its first non-blank character or line."""
    start = text.lstrip()
    if start.startswith("INFO"):
        return "etcd"
    if start.startswith("["):
        return "json" if start[1:].lstrip().startswith(("{\"", "]")) else "edn"
    if start.startswith("{"):
        return "kv"
    raise HistoryError("cannot tell the history's format (etcd log, kv lines, EDN vector or JSON list): give --format")


READERS = {"etcd": read_etcd, "kv": read_kv, "edn": read_edn, "json": read_json}


def read_history(text: str, fmt: str | None = None) -> tuple[str, list[Operation]]:
    """The format used and the operations of a history in that format (guessed when None); a blank
    text is an empty history in any format (one of Porcupine's etcd logs is an empty file)."""
    if fmt is None and not text.strip():
        return "empty", []
    fmt = fmt or guess_format(text)
    if fmt not in READERS:
        raise HistoryError(f"unknown history format {fmt!r} (known: {', '.join(FORMATS)})")
    return fmt, pair(READERS[fmt](text))


def read_history_file(path: str, fmt: str | None = None) -> tuple[str, list[Operation]]:
    """The format and operations of the history in a file; one line (HistoryError) when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise HistoryError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    return read_history(text, fmt)


def initial_value(text: str | None) -> list[Any]:
    """A register's initial value given as one EDN value (in a list), or [] when none is given."""
    values = [] if text is None else read_all(text)
    if text is not None and len(values) != 1:
        raise HistoryError(f"--initial takes one EDN value, not {text!r}")
    return values

