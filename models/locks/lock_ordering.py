"""Lock ordering: processes that take two or more mutexes, deadlock-free when all take them in one order.

Source: the seed document's "Deadlock Prevention" (always acquire locks in the same, sorted
order); Coffman, Elphick and Shoshani, "System Deadlocks" (1971): a deadlock needs mutual
exclusion, hold and wait, no preemption and circular wait, and a global lock order (a lock
hierarchy, Dijkstra's fix of the dining philosophers; Linux's lockdep checks one) rules out the
last. Processes still hold one lock while waiting for the next; they never wait in a circle.

The protocol: `processes` processes share `locks` mutexes A, B, C, ... arranged in a ring;
process p needs `span` of them, from its own lock p onwards (p0: A, B; p1: B, C; p2: C, A with
the defaults: the dining philosophers). It takes them one at a time in the global (sorted)
order, so p2 takes A before C. Holding them all it works, then releases them all, and starts
again (`rounds` 0, the default) or finishes after `rounds` rounds.

Abstractions: a mutex is its holder and its blocked callers. `acquire` is one call of lock():
it takes a free lock or blocks the caller as a waiter; `wake` is a blocked call returning with
the lock once it is free. Under `grant` any (the default) the waiters and any new caller race
for a free lock (barging, as most mutexes allow); under fifo it goes to the first waiter. The
work, and the order locks are released in, are abstracted away: releasing never waits.

State fields:
- pc[p]: how many of its locks, in its order, process p holds (all of them: it works);
- holder[l]: the process holding lock l (the mutex's own view), or None;
- waiters[l]: the processes blocked on lock l, in arrival order (sorted under grant any);
- finished[p]: the rounds p has finished (always 0 when processes repeat forever).

Properties: `mutual_exclusion` (at most one process believes it holds each lock, from their
pc), `no_wait_cycle` (no cycle in the wait-for graph, waiter -> holder of the lock it waits
for: specs/locks.py; its explanation names the cycle), the engine's deadlock check (with
`rounds` > 0 the state where every process finished may stop), and per process a leads-to
`pN_acquires`: whenever pN wants a lock, it eventually holds all of its locks (no deadlock, no
starvation). That is TLA+'s \\A p : Wants(p) ~> Works(p), one property per process, so they
are made per instance (`properties()`), not declared on the class: `--help` does not list
them. With `rounds` > 0, `every_process_finishes` and the witness `all_finished` join them;
`wait_chain` (p waits for q, which waits for r: a chain, never a cycle) needs three processes
and a ring with more locks than each takes. Defaults: 60 states, depth 9, all hold.

Fairness: `acquire` and `release` are weak (each stays enabled until taken); `wake` is strong.
A waiter's wake is enabled only while its lock is free, and under barging another process can
take the lock first, work, release it and take it again: wake is enabled again and again but
never for good, so a weakly fair run may starve the waiter forever (two processes: p1 takes A
and B, releases, takes A again, while p0 waits for A). That needs processes that repeat:
finite rounds leave no cycle to starve in. A strongly fair wake (a waiter woken again and again
gets the lock) rules it out, and so does grant fifo with weak fairness alone: no one else can
take a free lock that has a first waiter, so that waiter's wake stays enabled until taken.

Known bug (`--bug`):
- opposite-order: the last process takes its locks in descending order (p2: C, then A; with
  two processes and two locks, p1: B, then A). Each process may then hold a lock the next one
  waits for: a wait-for cycle, a deadlock (the defaults: 6 steps, the dining philosophers each
  holding their left fork). With three, no two processes take the same two locks in opposite
  orders: pairwise agreement is not enough, only a global order is. The cycle needs the ring
  to close: with two locks each and more locks than processes, the last process shares one
  lock with the others and the variant deadlocks nowhere (a checked HOLDS, not a miss).
"""
from typing import ClassVar

import attrs

from checker import Kind, Property, ProtocolModel, action, always, eventually, option, record, sometimes, updated
from checker.errors import OptionError
from specs.locks import exclusive, wait_cycle, waiting

FINITE_ONLY = ("all_finished", "every_process_finishes")


@record
class State:
    """One state: each process's progress through its locks, and each lock's holder and waiters."""

    pc: tuple[int, ...]
    holder: tuple[int | None, ...]
    waiters: tuple[tuple[int, ...], ...]
    finished: tuple[int, ...]


def letter(lock: int) -> str:
    """A lock's letter: 0 is A."""
    return chr(ord("A") + lock)


def index(name: str) -> int:
    """A lock's number: A is 0."""
    return ord(name) - ord("A")


@attrs.frozen
class LockOrdering(ProtocolModel):
    """Lock ordering: processes taking several mutexes, in one global order (no deadlock) or not."""

    name: ClassVar[str] = "lock-ordering"
    bugs: ClassVar[dict[str, str]] = {
        "opposite-order": "the last process takes its locks in descending order (breaks no_wait_cycle: a deadlock)",
    }
    fairness: ClassVar[dict[str, str]] = {"wake": "strong"}
    processes: int = option(3, help="number of processes (3 gives 60 states)", min=2, max=5)
    locks: int = option(3, help="number of locks, in a ring: process p needs lock p and the next ones", min=2, max=5)
    span: int = option(2, help="locks each process takes, at most `locks`", min=2, max=5)
    rounds: int = option(0, help="rounds each process makes before it finishes (0: it repeats forever)", min=0, max=2)
    grant: str = option("any", help="who gets a free lock: any waiter or new caller (barging), or the first waiter",
                        choices=("any", "fifo"))

    def __attrs_post_init__(self) -> None:
        """Refuses more locks per process than there are."""
        super().__attrs_post_init__()
        if self.span > self.locks:
            raise OptionError("span", f"must be at most locks ({self.locks}) (got {self.span})")

    @property
    def P(self) -> range:
        """The processes, numbered from 0."""
        return range(self.processes)

    @property
    def LOCKS(self) -> range:
        """The locks, numbered from 0 (shown as A, B, ...)."""
        return range(self.locks)

    @property
    def NAMES(self) -> tuple[str, ...]:
        """The locks by letter, as actions name them."""
        return tuple(map(letter, self.LOCKS))

    def order(self, p: int) -> tuple[int, ...]:
        """The locks process p takes, in the order it takes them: sorted, or (the bug) descending for the last process."""
        wanted = sorted((p + j) % self.locks for j in range(self.span))
        return tuple(reversed(wanted)) if self.has_bug("opposite-order") and p == self.processes - 1 else tuple(wanted)

    def init(self) -> State:
        """Every lock free, every process about to ask for its first lock."""
        return State(pc=(0,) * self.processes, holder=(None,) * self.locks, waiters=((),) * self.locks,
                     finished=(0,) * self.processes)

    def done(self, s: State, p: int) -> bool:
        """Process p has made all its rounds."""
        return self.rounds > 0 and s.finished[p] == self.rounds

    def wanted(self, s: State, p: int) -> int | None:
        """The next lock process p asks for, or None when it works or is done."""
        order = self.order(p)
        return None if self.done(s, p) or s.pc[p] == len(order) else order[s.pc[p]]

    def may_stop(self, s: State) -> bool:
        """Every process has made all its rounds (only with `rounds` > 0)."""
        return all(self.done(s, p) for p in self.P)

    def _take(self, s: State, p: int, lock: int) -> State:
        """p takes the free lock: one more of its locks held."""
        return s.evolve(pc=updated(s.pc, p, s.pc[p] + 1), holder=updated(s.holder, lock, p))

    @action(p="P", lock="NAMES")
    def acquire(self, s: State, p: int, lock: str) -> State | None:
        """p calls lock() on its next lock: takes it if free (fifo: and nobody queues), else blocks as a waiter."""
        lock = index(lock)
        if self.wanted(s, p) != lock or p in s.waiters[lock]:
            return None
        if s.holder[lock] is None and not (self.grant == "fifo" and s.waiters[lock]):
            return self._take(s, p, lock)
        queue = s.waiters[lock] + (p,)
        return s.evolve(waiters=updated(s.waiters, lock, queue if self.grant == "fifo" else tuple(sorted(queue))))

    @action(p="P", lock="NAMES")
    def wake(self, s: State, p: int, lock: str) -> State | None:
        """A waiter takes the lock it waits for, once free (fifo: only the first waiter)."""
        lock = index(lock)
        queue = s.waiters[lock]
        if p not in queue or s.holder[lock] is not None or self.grant == "fifo" and queue[0] != p:
            return None
        return self._take(s.evolve(waiters=updated(s.waiters, lock, tuple(q for q in queue if q != p))), p, lock)

    @action(p="P")
    def release(self, s: State, p: int) -> State | None:
        """p, holding all its locks, has worked: it releases them and starts again (or finishes a round)."""
        if s.pc[p] != len(self.order(p)):
            return None
        holder = tuple(None if h == p else h for h in s.holder)
        finished = updated(s.finished, p, s.finished[p] + 1) if self.rounds else s.finished
        return s.evolve(pc=updated(s.pc, p, 0), holder=holder, finished=finished)

    def holds(self, s: State, p: int) -> tuple[int, ...]:
        """The locks process p believes it holds."""
        return self.order(p)[:s.pc[p]]

    def waits_for(self, s: State) -> dict[int, int]:
        """The wait-for graph: each blocked process -> the holder of the lock it waits for."""
        return {p: s.holder[lock] for lock in self.LOCKS for p in s.waiters[lock] if s.holder[lock] is not None}

    @always
    def mutual_exclusion(self, s: State) -> bool:
        """At most one process believes it holds each lock."""
        return all(exclusive(p for p in self.P if lock in self.holds(s, p)) for lock in self.LOCKS)

    @mutual_exclusion.explain
    def _why_shared(self, s: State) -> str:
        """The lock and the processes that believe they hold it."""
        lock = next(lock for lock in self.LOCKS if not exclusive(p for p in self.P if lock in self.holds(s, p)))
        return f"lock {letter(lock)} is held by " + " and ".join(f"p{p}" for p in self.P if lock in self.holds(s, p))

    @always
    def no_wait_cycle(self, s: State) -> bool:
        """No cycle of processes each waiting for a lock the next one holds (Coffman's circular wait)."""
        return not wait_cycle(self.waits_for(s))

    @no_wait_cycle.explain
    def _why_cycle(self, s: State) -> str:
        """The cycle, each process with the lock it waits for and its holder."""
        cycle = wait_cycle(self.waits_for(s))
        links = [f"p{p} waits for {letter(self.wanted(s, p))}, held by p{s.holder[self.wanted(s, p)]}" for p in cycle]
        return "deadlock: " + "; ".join(links)

    @sometimes
    def contention(self, s: State) -> bool:
        """A process waits for a lock another holds."""
        return bool(self.waits_for(s))

    @sometimes
    def wait_chain(self, s: State) -> bool:
        """A process waits for one that waits in turn: a chain, the nearest a global order comes to a cycle."""
        edges = self.waits_for(s)
        return any(holder in edges for holder in edges.values())

    @sometimes
    def all_finished(self, s: State) -> bool:
        """Every process has made all its rounds (only with `rounds` > 0)."""
        return self.may_stop(s)

    @eventually
    def every_process_finishes(self, s: State) -> bool:
        """Every process eventually makes all its rounds (only with `rounds` > 0)."""
        return self.may_stop(s)

    def properties(self) -> tuple[Property, ...]:
        """The class's properties (those about finishing only with `rounds` > 0), then `pN_acquires` per process."""
        return tuple(prop for prop in super().properties() if self._applies(prop.name)) + tuple(map(self._acquires, self.P))

    def _applies(self, prop: str) -> bool:
        """Whether a class property is reachable here: finishing needs rounds; a wait chain three processes and a ring."""
        if prop in FINITE_ONLY:
            return self.rounds > 0
        return prop != "wait_chain" or self.processes >= 3 and self.span < self.locks

    def _acquires(self, p: int) -> Property:
        """Process p's leads-to: whenever it wants a lock, it eventually holds all of its locks."""
        doc = f"whenever p{p} wants a lock, it eventually holds all of its locks (no deadlock, no starvation)"
        return Property(f"p{p}_acquires", Kind.LEADS_TO, lambda s: self._wants_works(s, p),
                        lambda s: self._why_starved(s, p), doc)

    def _wants_works(self, s: State, p: int) -> tuple[bool, bool]:
        """(p wants a lock it does not hold, p holds all of its locks)."""
        wants = {q: self.order(q) for q in self.P if not self.done(s, q)}
        holds = {q: self.holds(s, q) for q in self.P}
        return p in waiting(wants, holds), s.pc[p] == len(self.order(p))

    def _why_starved(self, s: State, p: int) -> str:
        """What process p is doing in the lasso's loop state."""
        lock, head = self.wanted(s, p), f"p{p} never holds all of {', '.join(map(letter, self.order(p)))}: "
        if lock is None or p not in s.waiters[lock]:
            return head + f"here it is about to ask for {letter(lock)}" if lock is not None else head.rstrip(": ")
        cycle = wait_cycle(self.waits_for(s))
        if p in cycle:
            return head + "it is in the wait-for cycle " + " -> ".join(f"p{q}" for q in cycle + cycle[:1])
        holder = s.holder[lock]
        return head + f"it waits for {letter(lock)}, " + (f"held by p{holder}" if holder is not None else "free, never woken")
