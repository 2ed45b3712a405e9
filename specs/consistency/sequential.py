"""Sequential consistency (Lamport 1979): is there one total order of the operations that keeps
each process's own operations in the order it issued them (its program order, not real time)
and in which the object's sequential specification gives every observed output?

The search places operations one at a time: the next operation of some process, or an
indeterminate one whose process has issued everything before it. An indeterminate operation
(completed `info` or never) may have taken effect at any point after its process's earlier
operations, or never: it does not hold back its process's later operations (as in the
linearizability check, where it completes at +infinity), it need not be placed (writes, puts,
appends and unconfirmed CASes are never refused, so one left over goes at the end), and an
indeterminate read constrains nothing and is left out. Failed operations did not happen.
A read the state accepts is placed at once without branching: it changes nothing, and any
order that places it later stays legal with it moved forward. Configurations already explored,
(per-process positions, indeterminate operations placed, state), are remembered.

Sequential consistency is not local (Herlihy & Wing 1990): unlike linearizability, a kv
history is not checked one key at a time but as one object whose state is every key's value.
"""
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from specs.consistency.history import FAILED, INDETERMINATE, READS, Operation
from specs.consistency.linearizability import Witness
from specs.consistency.objects import REFUSED


@dataclass(frozen=True)
class SequentialConsistency:
    """The verdict on a history with its figures (operations counts the failed ones too); a witness
    when it is not sequentially consistent (the longest legal prefix, the state it leaves, the
    operations none of which can come next), a legal order when it is."""

    consistent: bool
    operations: int
    processes: int
    indeterminate: int
    failed: int
    seconds: float
    witness: Witness | None = None
    order: tuple[Operation, ...] = field(default=(), repr=False)


def check_sequential(ops: list[Operation], spec: Any) -> SequentialConsistency:
    """Whether the operations have a legal order that respects every process's program order."""
    started = time.perf_counter()
    happened = [op for op in ops if op.status != FAILED]
    kept = [op for op in happened if not (op.status == INDETERMINATE and op.f in READS)]
    order, witness = _search(kept, spec)
    return SequentialConsistency(witness is None, len(ops), len({op.process for op in ops}),
                                 sum(op.status == INDETERMINATE for op in ops), len(ops) - len(happened),
                                 time.perf_counter() - started, witness, tuple(order))


class _Object:
    """The object the search runs on: the specification itself, or for a specification that splits
    a history into several parts (kv keys), a tuple of every part's state."""

    def __init__(self, ops: list[Operation], spec: Any):
        parts = spec.partition(ops)
        self.spec, self.split = spec, len(parts) > 1
        slot = {op.index: k for k, part in enumerate(parts) for op in part}
        self.keys = [part[0].key if part else None for part in parts]  # a register with nothing that happened: one empty part
        self.moves = [self._move(spec.transition(op), slot.get(op.index, 0)) for op in ops]
        self.init = tuple(spec.init() for _ in parts) if self.split else spec.init()

    def _move(self, move: Callable[[Hashable], Any], k: int) -> Callable[[Hashable], Any]:
        """The operation's transition on the whole state."""
        if not self.split:
            return move

        def whole(state: tuple) -> Any:
            after = move(state[k])
            return REFUSED if after is REFUSED else state[:k] + (after,) + state[k + 1:]
        return whole

    def shown(self, state: Any) -> Any:
        """The state as the witness gives it: a value, or a dict of key to value."""
        return dict(zip(self.keys, state)) if self.split else state


def _search(ops: list[Operation], spec: Any) -> tuple[list[Operation], Witness | None]:
    """A legal order of the operations respecting program order, or the witness that there is none."""
    obj = _Object(ops, spec)
    processes = list(dict.fromkeys(op.process for op in ops))
    chains: list[list[int]] = [[] for _ in processes]  # per process, its determinate operations in order
    floating: list[tuple[int, int, int]] = []  # (operation, process number, how many of its chain come first)
    number = {process: n for n, process in enumerate(processes)}
    for i in sorted(range(len(ops)), key=lambda i: ops[i].invoked):
        n = number[ops[i].process]
        if ops[i].status == INDETERMINATE:
            floating.append((i, n, len(chains[n])))
        else:
            chains[n].append(i)
    total = sum(map(len, chains))
    moves = obj.moves
    is_read = [op.f in READS for op in ops]

    def close(pos: list[int], state: Any, placed: list[int]) -> None:
        """Place every process's next read that the state accepts (no branching needed)."""
        moved = True
        while moved:
            moved = False
            for n, chain in enumerate(chains):
                while pos[n] < len(chain) and is_read[chain[pos[n]]] and moves[chain[pos[n]]](state) is not REFUSED:
                    placed.append(chain[pos[n]])
                    pos[n] += 1
                    moved = True

    def choices(pos: list[int], bits: int) -> list[int]:
        """The operations that may come next: each process's next one, and ready indeterminate ones."""
        ready = [i for k, (i, n, need) in enumerate(floating) if not bits >> k & 1 and pos[n] >= need]
        nexts = ready + [chain[pos[n]] for n, chain in enumerate(chains) if pos[n] < len(chain)]
        return sorted(nexts, key=lambda i: -ops[i].invoked)  # tried from the end: earliest invoked first

    float_bit = {i: k for k, (i, _, _) in enumerate(floating)}
    pos, bits, state, placed = [0] * len(chains), 0, obj.init, []
    close(pos, state, placed)
    seen = {(tuple(pos), bits, state)}
    best = (list(placed), state, list(pos), bits)
    # each frame: (positions, bits, state, order length, the choices not tried yet)
    stack = [(list(pos), bits, state, len(placed), choices(pos, bits))]
    while stack:
        pos, bits, state, length, todo = stack[-1]
        if sum(pos) == total:
            return [ops[i] for i in placed[:length]] + [ops[i] for i, _, _ in floating if i not in placed[:length]], None
        if not todo:
            stack.pop()
            continue
        i = todo.pop()
        after = moves[i](state)
        if after is REFUSED:
            continue
        del placed[length:]
        placed.append(i)
        new_pos, new_bits = list(pos), bits
        if i in float_bit:
            new_bits |= 1 << float_bit[i]
        else:
            new_pos[number[ops[i].process]] += 1
        close(new_pos, after, placed)
        key = (tuple(new_pos), new_bits, after)
        if key in seen:
            continue
        seen.add(key)
        if len(placed) > len(best[0]):
            best = (list(placed), after, list(new_pos), new_bits)
        stack.append((new_pos, new_bits, after, len(placed), choices(new_pos, new_bits)))
    prefix, state, pos, bits = best
    stuck = [i for i in choices(pos, bits) if ops[i].status != INDETERMINATE]
    refused = tuple(ops[i] for i in stuck if moves[i](state) is REFUSED)
    return [], Witness(tuple(ops[i] for i in prefix), obj.shown(state), tuple(ops[i] for i in stuck), refused)
