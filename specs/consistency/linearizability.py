"""Linearizability: is there one order of the operations, each placed between its invocation and
its completion, in which the object's sequential specification gives every observed output?

Wing & Gong's search as Lowe improved it, the way Porcupine runs it: walk the invocations and
completions in real-time order; an invocation may be linearized next when the specification
accepts it, which lifts it out of the walk; reaching the completion of an operation that is
not yet linearized means backtracking. A cache of (linearized set as a bitset, state) skips
configurations already explored. The history is first split by the specification's
`partition` (P-compositionality: one kv key at a time). Indeterminate operations complete at
+infinity; indeterminate reads constrain nothing and are left out.
"""
import time
from dataclasses import dataclass, field
from typing import Any, Generator, Iterator

from specs.consistency.history import FAILED, INDETERMINATE, NEVER, READS, Operation
from specs.consistency.objects import REFUSED

SLICE = 1 << 14  # turns of one part's search before the next part's turn


@dataclass(frozen=True)
class Witness:
    """Why a history is not linearizable: the longest prefix that linearizes, the state it leaves,
    and the operations none of which can come next (`refused`: the specification rejects them there)."""

    prefix: tuple[Operation, ...]
    state: Any
    stuck: tuple[Operation, ...]
    refused: tuple[Operation, ...]


@dataclass(frozen=True)
class Linearizability:
    """The verdict on a history with its figures (operations counts the failed ones too); a witness
    when it is not linearizable, a linearization (per partition, in turn) when it is."""

    linearizable: bool
    operations: int
    processes: int
    indeterminate: int
    failed: int
    seconds: float
    witness: Witness | None = None
    linearization: tuple[Operation, ...] = field(default=(), repr=False)


def check_linearizable(ops: list[Operation], spec: Any) -> Linearizability:
    """Whether the operations linearize under the specification; the first failing part's witness if not.
    The parts are searched in turns (a slice of each in round robin, as Porcupine runs them at once and
    stops them all at the first failure): a part that is hard to linearize does not hide an easy violation."""
    started = time.perf_counter()
    happened = [op for op in ops if op.status != FAILED]  # a failed operation did not happen
    parts = [[op for op in part if not (op.status == INDETERMINATE and op.f in READS)] for part in spec.partition(happened)]
    found, witness = _in_turns([_searching(part, spec) for part in parts])
    order = [op for part in found for op in part] if witness is None else []
    return Linearizability(witness is None, len(ops), len({op.process for op in ops}),
                           sum(op.status == INDETERMINATE for op in ops), len(ops) - len(happened),
                           time.perf_counter() - started,
                           witness, tuple(order))


def _in_turns(searches: list[Iterator[None]]) -> tuple[list[list[Operation]], Witness | None]:
    """Each part's linearization, in order, or the witness of the first part found not to linearize."""
    found: dict[int, list[Operation]] = {}
    active = dict(enumerate(searches))
    while active:
        for number, search in list(active.items()):
            try:
                next(search)
            except StopIteration as done:
                order, witness = done.value
                if witness is not None:
                    return [], witness
                found[number] = order
                del active[number]
    return [found[number] for number in range(len(searches))], None


def _entries(ops: list[Operation]) -> list[int]:
    """Entry 2i is operation i's invocation, 2i+1 its completion; in time order, invocations first on ties."""
    times = []
    for i, op in enumerate(ops):
        times.append((op.invoked, 0, i, 2 * i))
        times.append((op.completed, 1, i, 2 * i + 1))
    return [entry for *_, entry in sorted(times)]


def _searching(ops: list[Operation], spec: Any) -> Generator[None, None, tuple[list[Operation], Witness | None]]:
    """A linearization of one partition, or the witness that there is none, returned when the search
    ends; it pauses (yields) every SLICE turns of its loop so that other parts may be searched in turn."""
    head, moves, twin = 2 * len(ops), [spec.transition(op) for op in ops], _twins(ops)
    nxt, prv = [-1] * (head + 1), [-1] * (head + 1)
    last = head
    for entry in _entries(ops):
        nxt[last], prv[entry], last = entry, last, entry
    state, linearized, stack, seen = spec.init(), 0, [], set()
    best: tuple[list[int], Any] = ([], state)
    entry, turns = nxt[head], 0
    while nxt[head] != -1:
        turns += 1
        if turns == SLICE:
            turns = 0
            yield
        if entry & 1:  # a completion whose operation is not linearized yet: undo the last choice
            if not stack:
                return [], _witness(ops, spec, *best)
            entry, state = stack.pop()
            linearized ^= 1 << (entry >> 1)
            for put_back in (entry + 1, entry):  # the completion first: the reverse of lifting
                nxt[prv[put_back]] = put_back
                if nxt[put_back] != -1:
                    prv[nxt[put_back]] = put_back
            entry = nxt[entry]
            continue
        if twin[entry >> 1] >= 0 and not linearized >> twin[entry >> 1] & 1:
            entry = nxt[entry]  # its earlier twin goes first
            continue
        after = moves[entry >> 1](state)
        if after is not REFUSED and (linearized | 1 << (entry >> 1), after) not in seen:
            linearized |= 1 << (entry >> 1)
            seen.add((linearized, after))
            stack.append((entry, state))
            state = after
            for lifted in (entry, entry + 1):  # the invocation and the completion leave the walk
                nxt[prv[lifted]] = nxt[lifted]
                if nxt[lifted] != -1:
                    prv[nxt[lifted]] = prv[lifted]
            if len(stack) > len(best[0]):
                best = ([e >> 1 for e, _ in stack], state)
            entry = nxt[head]
        else:
            entry = nxt[entry]
    return [ops[e >> 1] for e, _ in stack], None


def _twins(ops: list[Operation]) -> list[int]:
    """For each operation, the one it must follow (or -1): indeterminate operations with the same
    function and input are interchangeable once both are invoked, so they are linearized in the
    order of their invocations (swapping two in any linearization gives another)."""
    twin, last = [-1] * len(ops), {}
    for i in sorted(range(len(ops)), key=lambda i: ops[i].invoked):
        op = ops[i]
        if op.completed == NEVER:
            twin[i] = last.get((op.f, op.input, op.key), -1)
            last[(op.f, op.input, op.key)] = i
    return twin


def _witness(ops: list[Operation], spec: Any, prefix: list[int], state: Any) -> Witness:
    """The longest linearizable prefix, and the operations that cannot follow it: those invoked
    before the earliest completion among the rest (one of them would have to come next)."""
    done = set(prefix)
    rest = [op for i, op in enumerate(ops) if i not in done]
    deadline = min(op.completed for op in rest)
    stuck = tuple(op for op in rest if op.invoked <= deadline)
    refused = tuple(op for op in stuck if spec.step(state, op) is REFUSED)
    return Witness(tuple(ops[i] for i in prefix), state, stuck, refused)
