"""Session guarantees (Terry et al., "Session Guarantees for Weakly Consistent Replicated Data",
PDIS 1994) over a register or kv history whose writes have unique values: read-your-writes and
monotonic reads, taking each process as a session.

Viotti & Vukolić ("Consistency in Non-Transactional Distributed Storage Systems", ACM Computing
Surveys 49(1), 2016, section 3.6) state them over a visibility relation vis and session order so:
    read-your-writes: for a write a and a read b, a so-> b implies a vis-> b;
    monotonic reads: a vis-> b and b so-> c, with b and c reads, implies a vis-> c;
and a read of a register returns the value of the last write visible to it in the arbitration
order ar. A history only shows which write a read returned, so we check them against the
arbitration order every write order must extend: write w1 comes before write w2 when w1
completed before w2 was invoked (real time; a process's own writes included), and the initial
value comes before every write. With unique values a read identifies the write it returned, and:

- read-your-writes is violated when a process completes a write w and a later read of its own
  (same key) returns the initial value or the value of a write that came before w: w cannot
  have been visible to that read;
- monotonic reads is violated when a process reads the value of write w1 and a later read of
  its own (same key) returns the initial value or the value of a write that came before w1.

Failed operations did not happen; indeterminate reads saw nothing; indeterminate writes may
have happened (their values can be read) but never come before another write, as they never
completed. A read of a value no write wrote is not judged here (linearizability catches it).
A violation is certain under any arbitration that respects real time; these checks report no
violation a weaker arbitration could explain. Functions: read/write (register), get/put (kv);
other functions, or two writes of one value on one key, are refused with a HistoryError.
"""
import time
from dataclasses import dataclass
from typing import Any, Hashable

from specs.consistency.history import ANY, FAILED, INDETERMINATE, READS, HistoryError, Operation, show

WRITES = ("write", "put")
GUARANTEES = ("read-your-writes", "monotonic-reads")


@dataclass(frozen=True)
class Violation:
    """A session guarantee broken by `read`: the earlier operation of the same process it should
    not go behind (`since`: the own write, or the earlier read), the write `since` wrote or
    returned, and the write `read` returned (None: the initial value), which came before it."""

    read: Operation
    since: Operation
    newer: Operation
    older: Operation | None

    def operations(self) -> tuple[Operation, ...]:
        """The operations that show the violation, in invocation order."""
        ops = {op.index: op for op in (self.since, self.newer, self.read, self.older) if op is not None}
        return tuple(sorted(ops.values(), key=lambda op: op.invoked))


@dataclass(frozen=True)
class SessionGuarantee:
    """The verdict on a history for one guarantee, with its figures and every violation found."""

    guarantee: str
    holds: bool
    operations: int
    processes: int
    indeterminate: int
    failed: int
    seconds: float
    violations: tuple[Violation, ...] = ()


def check_session(ops: list[Operation], spec: Any, guarantee: str) -> SessionGuarantee:
    """Whether the history keeps `guarantee` (read-your-writes or monotonic-reads) on every key."""
    if guarantee not in GUARANTEES:
        raise HistoryError(f"unknown session guarantee {guarantee!r} (known: {', '.join(GUARANTEES)})")
    started = time.perf_counter()
    happened = [op for op in ops if op.status != FAILED]
    for op in happened:
        if op.f not in READS + WRITES:
            raise HistoryError(f"session guarantees are checked on read/write or get/put histories, not {op.f!r}: {op.describe()}")
    initial = spec.init()
    found: list[Violation] = []
    for part in spec.partition(happened):
        found.extend(_check_part(part, initial, guarantee))
    return SessionGuarantee(guarantee, not found, len(ops), len({op.process for op in ops}),
                            sum(op.status == INDETERMINATE for op in ops), len(ops) - len(happened),
                            time.perf_counter() - started, tuple(found))


def _writers(part: list[Operation], initial: Any) -> dict[Any, Operation]:
    """The write of each value on one key; a HistoryError when a value is written twice or is the initial one."""
    writer: dict[Any, Operation] = {}
    for op in part:
        if op.f in WRITES:
            if op.input in writer or op.input == initial:
                first = writer.get(op.input)
                was = f"also written by {first.describe()}" if first is not None else "the initial value"
                raise HistoryError(f"session guarantees need writes of unique values: {op.describe()} writes "
                                   f"{show(op.input)}, {was}")
            writer[op.input] = op
    return writer


def _before(older: Operation | None, newer: Operation) -> bool:
    """Whether write `older` (None: the initial value) comes before write `newer` in every arbitration."""
    return older is None or older.completed < newer.invoked


def _check_part(part: list[Operation], initial: Any, guarantee: str) -> list[Violation]:
    """The violations on one key, at most one per read (against the newest write it should have seen)."""
    writer = _writers(part, initial)
    sessions: dict[Hashable, list[Operation]] = {}
    for op in sorted(part, key=lambda op: op.invoked):
        sessions.setdefault(op.process, []).append(op)
    found = []
    for session in sessions.values():
        seen: list[tuple[Operation, Operation]] = []  # (the operation, the write it wrote or returned)
        for op in session:
            if op.f in WRITES:
                if guarantee == "read-your-writes" and op.status != INDETERMINATE:
                    seen.append((op, op))
                continue
            value = tuple(op.output) if isinstance(op.output, list) else op.output  # as a write's input is kept
            if op.status == INDETERMINATE or value is ANY or (value != initial and value not in writer):
                continue
            got = writer.get(value) if value != initial else None
            behind = [(since, write) for since, write in seen if write is not got and _before(got, write)]
            if behind:
                since, write = max(behind, key=lambda pair: pair[1].invoked)
                found.append(Violation(op, since, write, got))
            if guarantee == "monotonic-reads" and got is not None:
                seen.append((op, got))
    return found


def check_read_your_writes(ops: list[Operation], spec: Any) -> SessionGuarantee:
    """Read-your-writes: no process reads a value older than its own last completed write."""
    return check_session(ops, spec, "read-your-writes")


def check_monotonic_reads(ops: list[Operation], spec: Any) -> SessionGuarantee:
    """Monotonic reads: no process reads a value older than one it read before."""
    return check_session(ops, spec, "monotonic-reads")

