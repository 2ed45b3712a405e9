"""The smallest set of operations that cannot be ordered: the few completed operations of a
violating history whose invocations, completions and outputs conflict (for linearizability or
sequential consistency) even if every other operation had timed out.

The witness of a search (the longest prefix, the operations stuck after it) names dozens of
operations on a real history; the core names the few that conflict: on Porcupine's etcd logs, a
read, the writes it could have read and the writes that overwrote them.

Why "timed out" and not "removed": neither condition is monotone under removing operations.
Remove the write of 1 and a read of 1 cannot be ordered any more, so a lone read of any value but
the initial one would be a "minimal" violating sub-history, and a sub-history that cannot be
ordered would prove nothing about the history (its read may be explained by a write left out).
Turning an operation into a timed-out one (Jepsen's `info`: it may have taken effect once, at any
time after its invocation, or never; a timed-out read constrains nothing) only ever widens the
orders allowed, so the test is monotone, and a set S is a core when the history with every
operation outside S timed out still cannot be ordered. Then S alone cannot be ordered either
(a timed-out operation may never have happened), the history itself cannot (it is stricter), and
S is 1-minimal: with any one more of its operations timed out, the history can be ordered.

The search: failed operations did not happen and timed-out ones are already as weak as they get,
so S starts as the completed operations (for linearizability, which is local, those of the first
part that cannot be ordered: a kv key); first, for linearizability, the operations invoked after
the point where the search got stuck are timed out in one test; then chunks of S as delta
debugging does (complements, the later chunks first, halving down to single operations); then
each remaining operation once (by monotonicity, an operation found needed stays needed). Every
test is remembered.

Timed-out operations are what makes a test costly (each may come anywhere after its invocation,
or not at all), so a test leaves out those that cannot change its verdict: timed-out operations
whose effect no strict operation can observe (`_useful`), and for linearizability those invoked
after every strict one completed (they can come last, or never).

The search runs within a budget of CPU time (so that a loaded machine finds the same set), and
each test within a quarter of it: a test that runs past its share is stopped (SIGPROF, where it
can be used) and counts as not known. When the budget runs out, or an operation's test was not
known, the set found still cannot be ordered but is not known to be minimal, and `minimal` says so.
"""
import contextlib
import signal
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

from specs.consistency.history import ANY, FAILED, INDETERMINATE, NEVER, READS, Operation
from specs.consistency.linearizability import Witness, check_linearizable
from specs.consistency.sequential import check_sequential

BUDGET = 2.0  # seconds of CPU time, by default
PER_CHECK = 0.25  # of the budget, at most, for one test
CONDITIONS = ("linearizable", "sequential")


@dataclass(frozen=True)
class Core:
    """A set of operations that cannot be ordered even with every other operation timed out: its
    operations in invocation order, whether it is 1-minimal (False: the budget ran out first), the
    checker's witness on the history with every other operation timed out (its prefix may hold
    some of those, as timed out), and what finding it cost."""

    operations: tuple[Operation, ...]
    minimal: bool
    witness: Witness
    considered: int  # the completed operations the search started from
    checks: int
    seconds: float
    budget: float

    def indices(self) -> set[int]:
        """The operations' indices in the history."""
        return {op.index for op in self.operations}

    def placed_among(self) -> tuple[Operation, ...]:
        """The timed-out operations the witness's prefix places among the core's, as timed out."""
        mine = self.indices()
        return tuple(op for op in self.witness.prefix if op.index not in mine)


def check(ops: list[Operation], spec: Any, condition: str) -> Witness | None:
    """The checker's witness that the operations violate the condition, or None when they satisfy it."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r} (cores are found for {', '.join(CONDITIONS)})")
    if all(op.status == FAILED or (op.status == INDETERMINATE and op.f in READS) for op in ops):
        return None  # nothing happened that constrains anything
    if condition == "linearizable":
        return check_linearizable(ops, spec).witness
    return check_sequential(ops, spec).witness


def timed_out(op: Operation) -> Operation:
    """The operation as if it had timed out: it may have taken effect once after its invocation, or never."""
    return replace(op, output=ANY, completed=NEVER, status=INDETERMINATE)


def relaxed(ops: list[Operation], strict: set[int], condition: str) -> list[Operation]:
    """The history with every operation whose index is not in `strict` timed out, leaving out what
    cannot matter: failed operations, timed-out reads, timed-out operations whose effect no strict
    operation can observe, and (linearizability) timed-out operations invoked after every strict
    one completed."""
    kept = [op if op.index in strict else timed_out(op) for op in ops if op.status != FAILED]
    kept = [op for op in kept if not (op.status == INDETERMINATE and op.f in READS)]
    timed = condition == "linearizable"
    if timed:
        last = max((op.completed for op in kept if op.index in strict), default=-1)
        kept = [op for op in kept if op.index in strict or op.invoked < last]
    return _useful(kept, strict, timed)


def _useful(ops: list[Operation], strict: set[int], timed: bool) -> list[Operation]:
    """The operations without the timed-out ones whose effect no strict operation can observe.

    A strict read observes its output and a strict CAS its expected value (per key), before it
    completes (`timed`: linearizability; otherwise at any time); a timed-out CAS whose new value may
    be observed makes its expected value observed too, as late as its new value. A timed-out write
    or put whose value no observed value is (or, for appends to follow, starts with), a timed-out
    append whose suffix no observed value contains, and a timed-out CAS whose new value is not
    observed, or observed only before the operation was invoked, can be left out: in any legal
    order nothing depends on the state it leaves until the next write replaces it, and the
    timed-out operations in between are never refused, so the order without it is legal too."""
    wanted: dict[Any, list[list[Any]]] = {}  # per key, [value, observed before this position]
    for op in ops:
        if op.index in strict and (op.f == "cas" or (op.f in READS and op.output is not ANY)):
            _want(wanted.setdefault(op.key, []), op.input[0] if op.f == "cas" else op.output,
                  op.completed if timed else NEVER)
    floating = [op for op in ops if op.index not in strict and op.f == "cas"]
    grown = True
    while grown:  # a timed-out CAS that may produce an observed value needs its expected value
        grown = False
        for op in floating:
            by = max((by for value, by in wanted.get(op.key, ()) if value == op.input[1] and op.invoked < by), default=None)
            if by is not None:
                grown = _want(wanted[op.key], op.input[0], by) or grown
    return [op for op in ops if op.index in strict or _may_matter(op, wanted.get(op.key, ()))]


def _want(wanted: list[list[Any]], value: Any, by: float) -> bool:
    """Record that `value` is observed before position `by`; whether that is new."""
    for entry in wanted:
        if entry[0] == value:
            if by <= entry[1]:
                return False
            entry[1] = by
            return True
    wanted.append([value, by])
    return True


def _may_matter(op: Operation, wanted: Any) -> bool:
    """Whether a timed-out operation's effect may be what a strict operation observes."""
    if op.f in ("write", "put"):
        return any((value == op.input or _starts(value, op.input)) and op.invoked < by for value, by in wanted)
    if op.f == "append":
        return any(isinstance(value, str) and isinstance(op.input, str) and op.input in value and op.invoked < by
                   for value, by in wanted)
    if op.f == "cas":
        return any(value == op.input[1] and op.invoked < by for value, by in wanted)
    return True


def _starts(value: Any, prefix: Any) -> bool:
    """Whether a string value starts with a string prefix (a put that appends may extend)."""
    return isinstance(value, str) and isinstance(prefix, str) and value.startswith(prefix)


def minimal_core(ops: list[Operation], spec: Any, condition: str = "linearizable", budget: float = BUDGET,
                 witness: Witness | None = None) -> Core | None:
    """A 1-minimal core of the history's violation (or a smaller violating set than the whole, if
    `budget` seconds run out first); None when the history satisfies the condition. `witness`: the
    checker's on the whole history, if already known."""
    started, cpu = time.perf_counter(), time.process_time()
    witness = witness or check(ops, spec, condition)
    if witness is None:
        return None
    scope = _scope(ops, spec, condition, witness)
    search = _Search(scope, lambda history: check(history, spec, condition), condition, cpu + budget,
                     budget * PER_CHECK)
    completed = [op for op in scope if op.status != INDETERMINATE]
    with search.timer.installed():
        strict = search.cut(completed, witness if condition == "linearizable" else None)
        core, minimal = search.run(strict)
    ordered = tuple(sorted(core, key=lambda op: op.invoked))
    if check(list(ordered), spec, condition) is None:  # cannot be: a timed-out operation may never happen
        raise AssertionError("a core that can be ordered alone")
    found = search.witnesses.get(frozenset(op.index for op in ordered), witness)  # not tested: the part itself
    return Core(ordered, minimal, found, len(completed), search.checks, time.perf_counter() - started, budget)


def _scope(ops: list[Operation], spec: Any, condition: str, witness: Witness) -> list[Operation]:
    """The operations that can matter: those that happened, and for linearizability only the part
    (kv key) that cannot be ordered."""
    happened = [op for op in ops if op.status != FAILED]
    if condition != "linearizable" or not witness.stuck:
        return happened
    stuck = witness.stuck[0].index
    return next((part for part in spec.partition(happened) if any(op.index == stuck for op in part)), happened)


class _OutOfTime(Exception):
    """A test ran past its time."""


class _Timer:
    """Stops a test at its limit of CPU time with SIGPROF, where that can be done: in the main
    thread, on a platform with interval timers, with no other profiling timer running; elsewhere a
    test runs to its end and the budget is only looked at between tests."""

    def __init__(self) -> None:
        self.usable = self.armed = False

    def _fire(self, _signum: int, _frame: Any) -> None:
        if self.armed:
            self.armed = False
            raise _OutOfTime()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """While the block runs, tests can be stopped."""
        self.usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                       and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0))
        if not self.usable:
            yield
            return
        previous = signal.signal(signal.SIGPROF, self._fire)
        try:
            yield
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
            self.usable = False

    def within(self, seconds: float, test: Callable[[], bool]) -> bool | None:
        """The test's answer, or None when it ran past `seconds` of CPU time."""
        if seconds <= 0:
            return None
        if not self.usable:
            return test()
        try:
            try:
                self.armed = True
                signal.setitimer(signal.ITIMER_PROF, seconds)
                return test()
            finally:
                self.armed = False
                signal.setitimer(signal.ITIMER_PROF, 0)
        except _OutOfTime:  # also when the signal comes just as the test ends
            self.armed = False
            return None


class _Search:
    """Tests of strict sets (the rest timed out), remembered, each within its time and all within a
    deadline; the operations found needed (timing one out lets the history be ordered) are not
    tried again, and those whose test ran out of time are kept but leave the set not known minimal."""

    def __init__(self, scope: list[Operation], judge: Callable[[list[Operation]], Witness | None], condition: str,
                 deadline: float, per_check: float):
        self.scope, self.judge, self.condition = scope, judge, condition
        self.deadline, self.per_check = deadline, per_check
        self.checks, self.needed, self.doubtful, self.timer = 0, set(), set(), _Timer()
        self.known: dict[frozenset[int], bool | None] = {}
        self.witnesses: dict[frozenset[int], Witness] = {}

    def violates(self, strict: list[Operation]) -> bool | None:
        """Whether the history with only these operations strict still cannot be ordered (None: not
        known, the test ran out of time)."""
        key = frozenset(op.index for op in strict)
        if key not in self.known:
            self.checks += 1
            history = relaxed(self.scope, key, self.condition)
            limit = min(self.per_check, self.deadline - time.process_time())
            self.known[key] = self.timer.within(limit, lambda: self._test(key, history))
        return self.known[key]

    def _test(self, key: frozenset[int], history: list[Operation]) -> bool:
        """Whether the history cannot be ordered, keeping the witness when it cannot."""
        witness = self.judge(history)
        if witness is not None:
            self.witnesses[key] = witness
        return witness is not None

    def out_of_time(self) -> bool:
        """Whether the budget (CPU time) is spent."""
        return time.process_time() > self.deadline

    def cut(self, strict: list[Operation], witness: Witness | None) -> list[Operation]:
        """The strict operations without those invoked after the point where the linearizability
        search got stuck (the earliest completion of an operation it could not linearize), when
        the history still cannot be ordered with those timed out."""
        if witness is None:
            return strict
        placed = {op.index for op in witness.prefix}
        stuck_by = min((op.completed for op in self.scope if op.index not in placed), default=NEVER)
        before = [op for op in strict if op.invoked <= stuck_by]
        return before if len(before) < len(strict) and self.violates(before) else strict

    def run(self, strict: list[Operation]) -> tuple[list[Operation], bool]:
        """The strict set shrunk by chunks, then one operation at a time; and whether every
        operation left was found needed (the set is 1-minimal) before the deadline."""
        current, parts = strict, 2
        while parts < len(current):  # delta debugging's complements, the later chunks first
            size = -(-len(current) // parts)
            for start in reversed(range(0, len(current), size)):
                if self.out_of_time():
                    return current, False
                chunk = current[start:start + size]
                if any(op.index in self.needed for op in chunk):
                    continue
                rest = current[:start] + current[start + size:]
                found = self.violates(rest)
                if found:
                    current, parts = rest, max(parts - 1, 2)
                    break
                if found is False and len(chunk) == 1:
                    self.needed.add(chunk[0].index)
            else:
                parts *= 2
        for op in reversed(current):  # one pass: a needed operation stays needed in every subset
            if op.index in self.needed:
                continue
            if self.out_of_time():
                return current, False
            rest = [other for other in current if other is not op]
            found = self.violates(rest)
            if found:
                current = rest
            elif found is None:
                self.doubtful.add(op.index)
            else:
                self.needed.add(op.index)
        return current, not any(op.index in self.doubtful for op in current)
