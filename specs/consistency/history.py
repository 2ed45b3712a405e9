"""Histories of client operations: events paired into operations with their real-time positions.

An event is one line of a client history: a process invoked a function with an input, or the
operation it had open completed `ok`, `fail` (it did not happen) or `info` (indeterminate: it
may have taken effect once, at any time after its invocation, or never). Pairing turns events
into `Operation`s; an indeterminate one completes at +infinity with an unconstrained output,
as Jepsen, Knossos and Porcupine treat it.
"""
import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable

from checker.errors import CheckerError

OK, FAILED, INDETERMINATE = "ok", "failed", "indeterminate"
NEVER = math.inf  # the completion position of an operation that never completed


class HistoryError(CheckerError, ValueError):
    """A history that cannot be read or paired: one clear line says where and why."""


class _Any:
    """The unconstrained output: matches every value (an indeterminate operation's, a nil Knossos read)."""

    def __repr__(self) -> str:
        """Shown as `?`."""
        return "?"


ANY = _Any()


@dataclass(frozen=True)
class Event:
    """One entry of a history: `kind` is invoke, ok, fail or info; `key` names a kv object's key."""

    process: Hashable
    kind: str
    f: str
    value: Any = None
    key: Any = None


@dataclass(frozen=True)
class Operation:
    """An operation: who did what with which input and output, between which positions."""

    process: Hashable
    f: str
    input: Any
    output: Any
    invoked: float
    completed: float
    status: str = OK
    key: Any = None
    index: int = field(default=0, compare=False)

    def describe(self) -> str:
        """The operation in a few words: `p3 write 4 [12, 15]`, `p1 read -> 3 [2, inf)`."""
        what = f"-> {show(self.output)}" if self.f in READS else show(self.input)
        key = f" {self.key!r}" if self.key is not None else ""
        end = "inf)" if self.completed == NEVER else f"{self.completed:g}]"
        return f"{process_name(self.process)} {self.f}{key} {what} [{self.invoked:g}, {end}"


def process_name(process: Hashable) -> str:
    """A process as the histories' tools name it: p3 for process 3, a named one (or an actor's n3) by its name."""
    return f"p{process}" if type(process) is int else str(process)


READS = ("read", "get")


def show(value: Any) -> str:
    """A value as Jepsen writes it: nil, numbers, strings quoted, pairs in brackets."""
    if value is None:
        return "nil"
    if isinstance(value, (tuple, list)):
        return "[" + " ".join(show(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def pair(events: Iterable[Event]) -> list[Operation]:
    """The operations of a history of events, in invocation order (failed ones kept, marked FAILED)."""
    open_ops: dict[Hashable, tuple[int, Event]] = {}
    done: list[Operation] = []
    for position, event in enumerate(events):
        if event.kind == "invoke":
            if event.process in open_ops:
                raise HistoryError(f"event {position}: process {event.process} invokes {event.f} with {open_ops[event.process][1].f} still open")
            open_ops[event.process] = (position, event)
        elif event.kind in ("ok", "fail", "info"):
            if event.process not in open_ops:
                raise HistoryError(f"event {position}: process {event.process} completes {event.f} that it never invoked")
            start, call = open_ops.pop(event.process)
            done.append(_operation(call, event, start, position))
        else:
            raise HistoryError(f"event {position}: unknown event type {event.kind!r} (invoke, ok, fail or info)")
    done.extend(_operation(call, None, start, NEVER) for start, call in open_ops.values())
    done.sort(key=lambda op: op.invoked)
    return [_numbered(op, i) for i, op in enumerate(done)]


def _operation(call: Event, end: Event | None, start: int, position: float) -> Operation:
    """One operation from its invocation and its completion (None: it never completed)."""
    if end is None or end.kind == "info":
        return Operation(call.process, call.f, _input(call), ANY, start, NEVER, INDETERMINATE, call.key)
    output = end.value if call.f in READS else None
    status = FAILED if end.kind == "fail" else OK
    return Operation(call.process, call.f, _input(call), output, start, position, status, call.key)


def _input(call: Event) -> Any:
    """The input of an invocation: none for a read, a pair for a CAS."""
    if call.f in READS:
        return None
    return tuple(call.value) if isinstance(call.value, list) else call.value


def _numbered(op: Operation, index: int) -> Operation:
    """The operation with its index in the history."""
    return Operation(op.process, op.f, op.input, op.output, op.invoked, op.completed, op.status, op.key, index)
