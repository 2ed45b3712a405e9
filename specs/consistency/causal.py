"""Causal consistency of register and kv histories whose writes have unique values per key, by the
bad patterns of Bouajjani, Enea, Guerraoui and Hamza, "On Verifying Causal Consistency" (POPL 2017).

Checking causal consistency is NP-complete in general; for a differentiated history (no two writes
of one key write the same value, none writes the initial value) a read names the write it read from,
and the paper characterises its three variants by bad patterns found in polynomial time. With
program order PO (a process's operations in the order it issued them), the read-from relation WR
(a write to the reads that returned its value) and the causal order CO = (PO u WR)+:

- ThinAirRead: a read returned a value no write wrote;
- CyclicCO: CO is cyclic;
- WriteCOInitRead: a read of key x returned the initial value, yet a write to x comes before it in CO;
- WriteCORead: a read returned the value of write w1, yet w1 CO w2 CO read for another write w2 to x;
- CyclicCF: CF u CO is cyclic, where w1 CF w2 when a read returns w2's value with w1 (same key) in its
  causal past: one order of all writes must put w1 first;
- WriteHBInitRead and CyclicHB, over HB_p, p's happens-before: the smallest transitive relation that
  holds CO on the causal past of p's operations and puts w1 before w2 (same key) whenever p reads
  w2's value at a read r with w1 HB_p r. WriteHBInitRead: p reads the initial value of x at r with
  a write to x HB_p-before r; CyclicHB: HB_p is cyclic.

CC (each read alone is explained by some order of its causal past) has none of the first four;
CCv (causal convergence: one order of all writes, extending CO, explains every read from its causal
past, as last-writer-wins stores give) has none of them nor CyclicCF; CM (causal memory, Ahamad et
al. 1995: for each process, one order of all writes and that process's reads, extending CO, in which
every read returns the last write to its key) has none of them nor WriteHBInitRead and CyclicHB.
CCv and CM are incomparable, both stronger than CC. `check_causal` judges CM by default: it is the
causal memory of the literature on read/write memories (and Jepsen's "causal"): each process
explains all its reads by one order of the writes that keeps causal order, so read-your-writes,
monotonic reads, monotonic writes and writes-follow-reads hold with causal order in place of real
time. CC lets one process read two concurrent writes in alternation (1, 2, 1); CCv asks for one
order of the writes shared by all processes, which a last-writer-wins store gives and a store that
applies concurrent writes in arrival order does not.

Failed operations did not happen. An indeterminate read constrains nothing and is left out. An
indeterminate write may have happened or not: one whose value some read returned happened, one
never read changes nothing and is left out; it comes after its process's earlier operations but
before none of its later ones (it may have taken effect after them, as in the linearizability
check, where it completes at +infinity). Real time plays no part. Causal consistency is not local:
a kv history is checked as one history whose causal order spans keys; the value patterns are per
key. Functions: read/write (register), get/put (kv); other functions, or two writes of one value
on one key, are refused with a HistoryError, as for the session guarantees.

A violation names its pattern and the fewest operations that show it: the read, the writes, and the
shortest causal chains that order them (a cycle for CyclicCO, CyclicCF and CyclicHB), each step saying
why it holds: program order, reads-from, or for an order a pattern forces between two writes, the read
that forces it and the chain that put the first write before that read. ThinAirRead, CyclicCO,
WriteCOInitRead and WriteCORead are looked for in every history, the variant's own patterns only when
none of those is found; of each pattern found the smallest witness (among the first CANDIDATES reads
or cycle nodes that show it) is kept, and the witnesses are listed smallest first.

Cost: the causal order is kept as one bitset of ancestors per operation (Tarjan's components, then
one pass), so time and memory grow with the square of the operations (n^2/8 bytes: 2 MB at 4,000);
CM builds each process's happens-before the same way, once per round of forced orders. An order
forced on a write follows from the one forced on the last write of each process before it, so only
those are added (at most processes + indeterminate writes per read, not every write before it).
"""
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterator

from specs.consistency.closure import bits, closure
from specs.consistency.history import ANY, FAILED, INDETERMINATE, OK, READS, HistoryError, Operation, show

WRITES = ("write", "put")
VARIANTS = {"CM": "causal memory", "CCv": "causal convergence", "CC": "weak causal consistency"}
PATTERNS = {
    "ThinAirRead": "a read returned a value that no write which happened wrote",
    "CyclicCO": "the causal order (program order and reads-from, transitively) runs in a cycle",
    "WriteCOInitRead": "a read returned the initial value, yet a write to its key comes before it in causal order",
    "WriteCORead": "a read returned the value of a write that another write to its key, before the read in causal "
                   "order, overwrote",
    "CyclicCF": "no one order of the writes explains every read: each write below must come before the next",
    "WriteHBInitRead": "a process read the initial value of a key after a write to it had happened, in that process's "
                       "own view",
    "CyclicHB": "a process's reads cannot be explained by one order of the writes: its view runs in a cycle",
}
CANDIDATES = 32  # the most witnesses of one pattern compared for the smallest
PROGRAM, READ_FROM, FORCED = "program order", "reads from", "forced"
_INITIAL, _THIN = -1, -2  # what a read read from when no write wrote its value


@dataclass(frozen=True)
class Step:
    """One link of a causal chain: `before` comes before `after` by `why`, program order (same process,
    `before` issued and completed first), reads from (`after` returned the value `before` wrote) or
    forced (two writes of one key: `read` returned `after`'s value with `before` before it, by the
    chain `via`, so `before` must come first: in every order of the writes for CCv, in the reading
    process's view for CM)."""

    before: Operation
    after: Operation
    why: str
    read: Operation | None = None
    via: tuple["Step", ...] = ()


@dataclass(frozen=True)
class BadPattern:
    """A bad pattern found: its name, the chain of steps that shows it (a cycle for CyclicCO, CyclicCF
    and CyclicHB), the read at its heart and the writes involved (none for a cycle), and for
    WriteHBInitRead and CyclicHB the process whose view it is."""

    pattern: str
    chain: tuple[Step, ...] = ()
    read: Operation | None = None
    writes: tuple[Operation, ...] = ()
    process: Hashable | None = None

    def operations(self) -> tuple[Operation, ...]:
        """The operations that show the pattern, forcing chains included, in invocation order."""
        found = {op.index: op for op in (self.read, *self.writes) if op is not None}
        steps = list(self.chain)
        while steps:
            step = steps.pop()
            for op in (step.before, step.after, step.read):
                if op is not None:
                    found[op.index] = op
            steps.extend(step.via)
        return tuple(sorted(found.values(), key=lambda op: op.invoked))


@dataclass(frozen=True)
class CausalConsistency:
    """The verdict on a history for one variant (CM, CCv or CC), with its figures (operations counts
    the failed ones too) and, when it does not hold, the smallest witness found of each bad pattern of
    the first round that found any, in the order of PATTERNS."""

    variant: str
    holds: bool
    operations: int
    processes: int
    indeterminate: int
    failed: int
    seconds: float
    violations: tuple[BadPattern, ...] = ()


def check_causal(ops: list[Operation], spec: Any, variant: str = "CM") -> CausalConsistency:
    """Whether the history is causally consistent in `variant` (CM, causal memory, by default; CCv or CC)."""
    if variant not in VARIANTS:
        raise HistoryError(f"unknown causal consistency variant {variant!r} (known: {', '.join(VARIANTS)})")
    started = time.perf_counter()
    happened = [op for op in ops if op.status != FAILED]
    for op in happened:
        if op.f not in READS + WRITES:
            raise HistoryError(f"causal consistency is checked on read/write or get/put histories, not {op.f!r}: "
                               f"{op.describe()}")
    spec.partition(happened)  # the object's own check of the function names (no get on a register)
    initial = spec.init()
    graph = _Graph(_kept(happened, initial), initial)
    found = graph.causal_patterns() or graph.variant_patterns(variant)
    found.sort(key=lambda pattern: len(pattern.operations()))  # stable: PATTERNS order among equals
    return CausalConsistency(variant, not found, len(ops), len({op.process for op in ops}),
                             sum(op.status == INDETERMINATE for op in ops), len(ops) - len(happened),
                             time.perf_counter() - started, tuple(found))


def _value(output: Any) -> Any:
    """A read's output as a write's input is kept (lists as tuples)."""
    return tuple(output) if isinstance(output, list) else output


def _kept(happened: list[Operation], initial: Any) -> list[Operation]:
    """The operations the check judges: determinate reads with an output, determinate writes, and
    indeterminate writes some such read read from; a HistoryError if a key's writes repeat a value."""
    writer: dict[tuple[Any, Any], Operation] = {}
    for op in happened:
        if op.f in WRITES:
            first = writer.get((op.key, op.input))
            if first is not None or op.input == initial:
                was = f"also written by {first.describe()}" if first is not None else "the initial value"
                raise HistoryError(f"causal consistency needs writes of unique values: {op.describe()} writes "
                                   f"{show(op.input)}, {was}")
            writer[(op.key, op.input)] = op
    reads = [op for op in happened if op.f in READS and op.status != INDETERMINATE and op.output is not ANY]
    seen = {(op.key, _value(op.output)) for op in reads}
    writes = [op for op in happened if op.f in WRITES and (op.status == OK or (op.key, op.input) in seen)]
    return sorted(reads + writes, key=lambda op: op.invoked)


Edge = tuple[int, int, tuple]  # (before, after, (why, forcing read or None, rank))


class _Forced:
    """Orderings between writes that a pattern forces, each with the reads that force it and its rank
    (the round it was found in: the chains that justify it use only lower ranks; CO's own are 0)."""

    def __init__(self) -> None:
        self.after: dict[int, list[tuple[int, tuple]]] = {}
        self.before: dict[int, list[tuple[int, tuple]]] = {}
        self.reads: dict[tuple[int, int], tuple[int, list[int]]] = {}  # (w1, w2) -> (rank, the forcing reads)
        self.justified: dict[tuple[int, int], Step] = {}  # (w1, w2) -> the step, once shown

    def add(self, w1: int, w2: int, read: int, rank: int) -> None:
        """w1 must come before w2, as `read` returned w2's value after w1 (another read forcing a pair
        counts only in the round that first forced it)."""
        first = self.reads.get((w1, w2))
        if first is None:
            self.reads[(w1, w2)] = (rank, [read])
            self.after.setdefault(w1, []).append((w2, (FORCED, None, rank)))
            self.before.setdefault(w2, []).append((w1, (FORCED, None, rank)))
        elif first[0] == rank:
            first[1].append(read)

    def targets(self, w1: int) -> list[int]:
        """The writes w1 is forced before."""
        after = self.after.get(w1)
        return [w2 for w2, _ in after] if after else []


class _Graph:
    """The judged operations (ids in invocation order) with program order, reads-from and causal order."""

    def __init__(self, ops: list[Operation], initial: Any):
        self.ops, n = ops, len(ops)
        self.is_write = [op.f in WRITES for op in ops]
        self.determinate = [op.status == OK for op in ops]
        writer = {(op.key, op.input): i for i, op in enumerate(ops) if self.is_write[i]}
        self.source: list[int | None] = [None] * n
        self.readers: list[list[int]] = [[] for _ in ops]
        self.writes_of: dict[Any, int] = {}  # key -> bitset of its writes
        self.lanes: dict[Hashable, list[int]] = {}
        for i, op in enumerate(ops):
            self.lanes.setdefault(op.process, []).append(i)
            if self.is_write[i]:
                self.writes_of[op.key] = self.writes_of.get(op.key, 0) | 1 << i
                continue
            value = _value(op.output)
            w = writer.get((op.key, value), _INITIAL if value == initial else _THIN)
            self.source[i] = w
            if w >= 0:
                self.readers[w].append(i)
        self.lane = [self.lanes[op.process] for op in ops]
        self.pos = [0] * n
        for lane in self.lanes.values():
            for k, i in enumerate(lane):
                self.pos[i] = k
        self.succ: list[list[int]] = [[] for _ in ops]  # program order (immediate) and reads-from
        for lane in self.lanes.values():
            for k, a in enumerate(lane):
                if self.determinate[a]:  # before every later operation of its process; an indeterminate one before none
                    for b in lane[k + 1:]:
                        self.succ[a].append(b)
                        if self.determinate[b]:
                            break
        for r, w in enumerate(self.source):
            if w is not None and w >= 0:
                self.succ[w].append(r)
        # per key, each process's determinate writes and the indeterminate ones: of the writes in a set,
        # those no other write of the set follows in program order are a process's last and the latter
        self.chains_of: dict[Any, dict[Hashable, int]] = {}
        self.floating_of: dict[Any, int] = {}
        for i, op in enumerate(ops):
            if self.is_write[i] and self.determinate[i]:
                chains = self.chains_of.setdefault(op.key, {})
                chains[op.process] = chains.get(op.process, 0) | 1 << i
            elif self.is_write[i]:
                self.floating_of[op.key] = self.floating_of.get(op.key, 0) | 1 << i
        self.anc, self.co_cycles = closure(range(n), self.succ.__getitem__, n)  # the causal past of each operation

    def _last(self, mask: int, key: Any) -> Iterator[int]:
        """The writes of `mask` (to `key`) that no other write of it follows in program order: everything
        the others come before follows from theirs (the rest of each process's writes come before its last)."""
        for chain in self.chains_of.get(key, {}).values():
            if mask & chain:
                yield (mask & chain).bit_length() - 1
        yield from bits(mask & self.floating_of.get(key, 0))

    # -- the patterns ---------------------------------------------------------------------------------

    def causal_patterns(self) -> list[BadPattern]:
        """The patterns of every variant: ThinAirRead, CyclicCO, WriteCOInitRead, WriteCORead."""
        found = []
        thin = [i for i, w in enumerate(self.source) if w == _THIN]
        if thin:
            found.append(BadPattern("ThinAirRead", read=self.ops[thin[0]]))
        if self.co_cycles:
            found.append(self._smallest(self._cycles("CyclicCO", self.co_cycles)))
        initial, overwritten = [], []
        for r, w in enumerate(self.source):
            if w is None or w == _THIN:
                continue
            key = self.ops[r].key
            if w == _INITIAL:
                if self.anc[r] & self.writes_of.get(key, 0) and len(initial) < CANDIDATES:
                    initial.append(self._init_read("WriteCOInitRead", r, None))
            elif len(overwritten) < CANDIDATES:
                others = self.anc[r] & self.writes_of[key] & ~(1 << w)
                if any(self.anc[w2] >> w & 1 for w2 in self._last(others, key)):
                    later = [w2 for w2 in bits(others) if self.anc[w2] >> w & 1]
                    overwritten.append(self._overwritten(r, w, later))
        return found + [self._smallest(each) for each in (initial, overwritten) if each]

    def variant_patterns(self, variant: str) -> list[BadPattern]:
        """The variant's own patterns: CyclicCF for CCv, WriteHBInitRead and CyclicHB for CM."""
        if variant == "CCv":
            return self._conflicts()
        if variant == "CM":
            return self._views()
        return []

    def _conflicts(self) -> list[BadPattern]:
        """CyclicCF: write w1 before w2 whenever a read of w2's value has w1 in its causal past; a cycle
        of these and causal order means no single order of the writes explains every read."""
        forced = _Forced()
        for r, w2 in enumerate(self.source):
            if w2 is not None and w2 >= 0:
                key = self.ops[r].key
                for w1 in self._last(self.anc[r] & self.writes_of[key] & ~(1 << w2), key):
                    forced.add(w1, w2, r, 1)
        _, cycles = closure(range(len(self.ops)), lambda v: self.succ[v] + forced.targets(v), len(self.ops))
        return [self._smallest(self._cycles("CyclicCF", cycles, forced, 2))] if cycles else []

    def _views(self) -> list[BadPattern]:
        """WriteHBInitRead and CyclicHB, each process's happens-before built round by round."""
        initial, cyclic = [], []
        n = len(self.ops)
        for process, lane in self.lanes.items():
            members = 0
            for i in lane:
                members |= self.anc[i] | 1 << i
            nodes = list(bits(members))
            member = bytearray(n)
            for v in nodes:
                member[v] = 1
            reads = [r for r in lane if not self.is_write[r] and self.source[r] != _THIN]
            forced, rank, hb, cycles = _Forced(), 0, self.anc, []
            while not cycles:
                rank += 1
                new = 0
                for r in reads:
                    w2 = self.source[r]
                    if w2 >= 0:
                        key = self.ops[r].key
                        for w1 in self._last(hb[r] & self.writes_of[key] & ~(1 << w2) & ~hb[w2], key):
                            forced.add(w1, w2, r, rank)
                            new += 1
                if not new:
                    break
                hb, cycles = closure(nodes, lambda v: [u for u in self.succ[v] if member[u]] + forced.targets(v), n)
            for r in reads:
                if self.source[r] == _INITIAL and hb[r] & self.writes_of.get(self.ops[r].key, 0):
                    if len(initial) < CANDIDATES:
                        initial.append(self._init_read("WriteHBInitRead", r, forced, process))
            if cycles:
                cyclic.extend(self._cycles("CyclicHB", cycles, forced, rank + 1, process))
        return [self._smallest(found) for found in (initial, cyclic) if found]

    # -- witnesses ------------------------------------------------------------------------------------

    def _init_read(self, pattern: str, r: int, forced: _Forced | None, process: Hashable = None) -> BadPattern:
        """A read of the initial value and the shortest chain from a write to its key."""
        key_writes = self.writes_of[self.ops[r].key]
        path, _ = self._search(r, forward=False, forced=forced, limit=1 << 30, goal=lambda u: key_writes >> u & 1)
        return BadPattern(pattern, self._steps(path, forced), self.ops[r], (self.ops[path[0][0]],), process)

    def _overwritten(self, r: int, w1: int, later: list[int]) -> BadPattern:
        """A read of w1 with w1 CO w2 CO r: the overwriting w2 with the shortest chains."""
        _, ahead = self._search(w1, forward=True)
        _, behind = self._search(r, forward=False)
        w2 = min(later, key=lambda w: ahead[w][2] + behind[w][2])
        path = _trace(ahead, w2, True) + _trace(behind, w2, False)
        return BadPattern("WriteCORead", self._steps(path, None), self.ops[r], (self.ops[w1], self.ops[w2]))

    def _cycles(self, pattern: str, nodes: list[int], forced: _Forced | None = None, limit: int = 0,
                process: Hashable = None) -> list[BadPattern]:
        """The shortest cycle through each of (at most CANDIDATES of) the nodes."""
        found = []
        for v in nodes[:CANDIDATES]:
            path, _ = self._search(v, forward=True, forced=forced, limit=limit, goal=lambda u, v=v: u == v)
            if path is not None:
                found.append(BadPattern(pattern, self._steps(path, forced), process=process))
        return found

    @staticmethod
    def _smallest(found: list[BadPattern]) -> BadPattern:
        """The witness with the fewest operations (the first of those)."""
        return min(found, key=lambda pattern: len(pattern.operations()))

    def _steps(self, path: list[Edge], forced: _Forced | None) -> tuple[Step, ...]:
        """A path as steps, each forced ordering with the chain that justifies it."""
        steps = []
        for a, b, (why, _, rank) in path:
            if why != FORCED:
                steps.append(Step(self.ops[a], self.ops[b], why))
                continue
            if (a, b) not in forced.justified:  # by the forcing read with the shortest justification
                reasons = []
                for read in forced.reads[(a, b)][1][:CANDIDATES]:
                    chain, _ = self._search(a, forward=True, forced=forced, limit=rank,
                                            goal=lambda u, read=read: u == read)
                    reasons.append(Step(self.ops[a], self.ops[b], FORCED, self.ops[read], self._steps(chain, forced)))
                forced.justified[(a, b)] = min(reasons, key=lambda step: len(BadPattern("", (step,)).operations()))
            steps.append(forced.justified[(a, b)])
        return tuple(steps)

    def _search(self, start: int, forward: bool, forced: _Forced | None = None, limit: int = 0,
                goal: Callable[[int], bool] | None = None) -> tuple[list[Edge] | None, dict]:
        """Breadth first from `start` along causal order (forward) or against it, with the forced
        orderings of rank below `limit`: the shortest path to the first operation meeting `goal` (as
        edges in causal order; `start` itself may be the goal, through a cycle), and the parents of
        every operation reached: operation -> (the one it was reached from, the edge's label, depth)."""
        parents: dict[int, Any] = {start: None}
        depth = {start: 0}
        frontier = deque([start])
        reached: dict[Hashable, int] = {}  # per process: the lane position expanded furthest (program order)
        while frontier:
            v = frontier.popleft()
            for u, label in self._neighbours(v, forward, forced, limit, reached, start):
                if goal is not None and goal(u):
                    path = _trace(parents, v, forward)
                    return (path + [(v, u, label)] if forward else [(u, v, label)] + path), parents
                if u not in parents:
                    parents[u] = (v, label, depth[v] + 1)
                    depth[u] = depth[v] + 1
                    frontier.append(u)
        return None, parents

    def _neighbours(self, v: int, forward: bool, forced: _Forced | None, limit: int, reached: dict, start: int
                    ) -> Iterator[tuple[int, tuple]]:
        """The operations right after (or before) v: program order (each lane's operations expanded
        once per search, from the furthest position reached), reads-from, forced orderings."""
        lane, k, process = self.lane[v], self.pos[v], self.ops[v].process
        if forward:
            if self.determinate[v]:
                lowest = reached.get(process, len(lane))
                if k < lowest:
                    reached[process] = k
                    yield from ((u, (PROGRAM, None, 0)) for u in lane[k + 1:lowest])
                if self.lane[start] is lane and self.pos[start] > k and self.pos[start] >= lowest:
                    yield start, (PROGRAM, None, 0)  # back to a cycle's start, which the lane's expansion passed
            yield from ((u, (READ_FROM, None, 0)) for u in self.readers[v])
        else:
            highest = reached.get(process, -1)
            if k > highest:
                reached[process] = k
                yield from ((u, (PROGRAM, None, 0)) for u in lane[highest + 1:k] if self.determinate[u])
            w = self.source[v]
            if w is not None and w >= 0:
                yield w, (READ_FROM, None, 0)
        if forced is not None:
            for u, label in (forced.after if forward else forced.before).get(v, ()):
                if label[2] < limit:
                    yield u, label


def _trace(parents: dict, node: int, forward: bool) -> list[Edge]:
    """The path a search took from its start to `node`, as edges in causal order."""
    edges = []
    while parents[node] is not None:
        previous, label, _ = parents[node]
        edges.append((previous, node, label) if forward else (node, previous, label))
        node = previous
    return edges[::-1] if forward else edges
