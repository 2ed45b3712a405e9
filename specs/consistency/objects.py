"""Sequential specifications: what each object does when its operations run one at a time.

A specification has an initial state, a `step(state, op)` that gives the next state or REFUSED
when the operation cannot have run from that state (its output is wrong), the same as a function
of the state, `transition(op)`, made once per operation for the search, and `partition`,
which splits a history into independent sub-histories (P-compositionality: a kv store is one
register per key). States are hashable values so that the checker can remember them.
"""
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable

from specs.consistency.history import ANY, HistoryError, Operation, show

class _Refused:
    """What `step` returns for an operation that cannot have happened in that state."""

    def __repr__(self) -> str:
        """Shown as REFUSED."""
        return "REFUSED"


REFUSED = _Refused()  # not None: None is a register's nil value


def known(spec: Any, ops: list[Operation]) -> list[Operation]:
    """The operations, once each function is known to the specification and a CAS has a pair."""
    for op in ops:
        if op.f not in spec.functions:
            raise HistoryError(f"a {spec.name} has no operation {op.f!r} (it has {', '.join(spec.functions)}): {op.describe()}")
        if op.f == "cas" and not (isinstance(op.input, tuple) and len(op.input) == 2):
            raise HistoryError(f"a cas takes [expected new], not {show(op.input)}: {op.describe()}")
    return ops


Transition = Callable[[Hashable], Any]  # a state to the next state, or REFUSED


def _reading(output: Any) -> Transition:
    """A read that saw `output`: the state stays, if it is that value (an unconstrained output matches all)."""
    if output is ANY:
        return lambda state: state
    return lambda state: state if state == output else REFUSED


def _setting(value: Any) -> Transition:
    """A write of `value`: whatever the state, it becomes the value."""
    return lambda state: value


def _comparing(expected: Any, new: Any, ok: bool) -> Transition:
    """A CAS: `new` if the state is `expected`; otherwise refused if it returned ok, else no change
    (an indeterminate CAS may have run and found another value)."""
    if ok:
        return lambda state: new if state == expected else REFUSED
    return lambda state: new if state == expected else state


def _appending(suffix: str) -> Transition:
    """An append: the state with the suffix."""
    return lambda state: state + suffix


@dataclass(frozen=True)
class Register:
    """A read/write register starting at `initial` (nil for etcd, 0 for Knossos)."""

    initial: Any = None
    name: str = "register"
    functions: tuple[str, ...] = ("read", "write")

    def init(self) -> Hashable:
        """The register's initial value."""
        return self.initial

    def step(self, state: Hashable, op: Operation) -> Any:
        """The state after the operation, or REFUSED."""
        return self.transition(op)(state)

    def transition(self, op: Operation) -> Transition:
        """A read must see the value; a write sets it."""
        return _reading(op.output) if op.f == "read" else _setting(op.input)

    def partition(self, ops: list[Operation]) -> list[list[Operation]]:
        """One register: the whole history."""
        return [known(self, ops)]


@dataclass(frozen=True)
class CasRegister(Register):
    """A register with compare-and-set: `cas [a b]` sets b when the value is a (a failed CAS did not happen)."""

    name: str = "cas-register"
    functions: tuple[str, ...] = ("read", "write", "cas")

    def transition(self, op: Operation) -> Transition:
        """A read or write as in a register; an ok CAS needs the value it expected."""
        if op.f != "cas":
            return Register.transition(self, op)
        return _comparing(*op.input, op.status == "ok")


@dataclass(frozen=True)
class KeyValue:
    """A key-value store of strings: get, put and append per key; a missing key reads as ""."""

    name: str = "kv"
    functions: tuple[str, ...] = ("get", "put", "append")

    def init(self) -> Hashable:
        """Every key starts empty."""
        return ""

    def step(self, state: Hashable, op: Operation) -> Any:
        """The state after the operation, or REFUSED."""
        return self.transition(op)(state)

    def transition(self, op: Operation) -> Transition:
        """A get must see the value; a put replaces it; an append extends it."""
        if op.f == "get":
            return _reading(op.output)
        return _setting(op.input) if op.f == "put" else _appending(op.input)

    def partition(self, ops: list[Operation]) -> list[list[Operation]]:
        """One sub-history per key, keys in order of first use."""
        keys: dict[Any, list[Operation]] = {}
        for op in known(self, ops):  # same check of the function names
            keys.setdefault(op.key, []).append(op)
        return list(keys.values())


OBJECTS = {"register": Register, "cas-register": CasRegister, "kv": KeyValue}


def object_named(name: str, initial: Any = None) -> Any:
    """The specification called `name` (register, cas-register or kv), registers starting at `initial`."""
    if name not in OBJECTS:
        raise HistoryError(f"unknown object {name!r} (known: {', '.join(OBJECTS)})")
    return KeyValue() if name == "kv" else OBJECTS[name](initial)


def functions_of(ops: Iterable[Operation]) -> set[str]:
    """The functions a history uses."""
    return {op.f for op in ops}
