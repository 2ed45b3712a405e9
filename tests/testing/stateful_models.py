"""Tiny models for the stateful bridge's tests (tests/testing/test_stateful.py), one per kind of
failure, each with a variant that fails and one that does not; every shortest trace is counted
by hand in the docstrings.
"""
from typing import ClassVar

import attrs

from checker import ActionLabel, ProtocolModel, action, always, option, record, sometimes, transition


@record
class Holders:
    """The clients holding the lock."""

    holders: frozenset[int]


@attrs.frozen
class Mutex(ProtocolModel):
    """A lock shared by clients. Bug no-check: acquire does not check that the lock is free, so two
    clients hold it (acquire(client=0), acquire(client=1): 2 steps)."""

    name: ClassVar[str] = "mutex"
    bugs: ClassVar[dict[str, str]] = {"no-check": "acquire does not check that the lock is free"}
    clients: int = option(2, help="clients", min=1)

    @property
    def CLIENTS(self) -> range:  # noqa: N802
        return range(self.clients)

    def init(self) -> Holders:
        return Holders(frozenset())

    @action(client="CLIENTS")
    def acquire(self, s: Holders, client: int) -> Holders | None:
        if client in s.holders or s.holders and self.bug != "no-check":
            return None
        return Holders(s.holders | {client})

    @action(client="CLIENTS")
    def release(self, s: Holders, client: int) -> Holders | None:
        return Holders(s.holders - {client}) if client in s.holders else None

    @always
    def mutual_exclusion(self, s: Holders) -> bool:
        """At most one client holds the lock."""
        return len(s.holders) <= 1

    @sometimes
    def held(self, s: Holders) -> bool:
        """Some client holds the lock (1 step)."""
        return len(s.holders) == 1

    @sometimes
    def everyone_holds(self, s: Holders) -> bool:
        """Every client holds the lock at once: reached only with the bug."""
        return len(s.holders) == self.clients > 1


@record
class Reading:
    """An odometer's reading."""

    km: int


@attrs.frozen
class Odometer(ProtocolModel):
    """Counts up to `top`, where it may stop. Bug rollback: it can be wound back, which the
    transition property forbids (advance(), rollback(): 2 steps)."""

    name: ClassVar[str] = "odometer"
    bugs: ClassVar[dict[str, str]] = {"rollback": "the reading can be wound back"}
    top: int = option(3, help="the highest reading", min=1)

    def init(self) -> Reading:
        return Reading(0)

    def may_stop(self, s: Reading) -> bool:
        return s.km == self.top

    @action
    def advance(self, s: Reading) -> Reading | None:
        return Reading(s.km + 1) if s.km < self.top else None

    @action
    def rollback(self, s: Reading) -> Reading | None:
        return Reading(s.km - 1) if self.bug == "rollback" and s.km > 0 else None

    @transition
    def never_decreases(self, before: Reading, act: ActionLabel, after: Reading) -> bool:
        """A step never lowers the reading."""
        return after.km >= before.km


THINKING, LEFT, EATING = "thinking", "has-left", "eating"


@record
class Table:
    """Each philosopher's phase: thinking, holding the left fork, or eating (both forks)."""

    phases: tuple[str, ...]


@attrs.frozen
class Philosophers(ProtocolModel):
    """Dining philosophers: philosopher p's left fork is p, the right one p + 1 (mod n); each takes
    the left fork, then the right, eats, and puts both down. Everyone holding a left fork is the
    classic deadlock (take_left(p=0), take_left(p=1): 2 steps with two). `ordered`: the last
    philosopher takes the forks in the other order, which breaks the cycle (no deadlock)."""

    name: ClassVar[str] = "philosophers"
    philosophers: int = option(2, help="philosophers (and forks)", min=2)
    ordered: bool = option(False, help="the last philosopher takes the right fork first")

    @property
    def PHILOSOPHERS(self) -> range:  # noqa: N802
        return range(self.philosophers)

    def init(self) -> Table:
        return Table((THINKING,) * self.philosophers)

    def _forks(self, p: int) -> tuple[int, int]:
        """The fork philosopher p takes first, and the second."""
        left, right = p, (p + 1) % self.philosophers
        return (right, left) if self.ordered and p == self.philosophers - 1 else (left, right)

    def _held(self, s: Table, fork: int) -> bool:
        return any(fork == self._forks(p)[0] and phase != THINKING or fork == self._forks(p)[1] and phase == EATING
                   for p, phase in enumerate(s.phases))

    def _set(self, s: Table, p: int, phase: str) -> Table:
        return Table(s.phases[:p] + (phase,) + s.phases[p + 1:])

    @action(p="PHILOSOPHERS")
    def take_left(self, s: Table, p: int) -> Table | None:
        """Take the first fork (the left one, unless ordered and last)."""
        return self._set(s, p, LEFT) if s.phases[p] == THINKING and not self._held(s, self._forks(p)[0]) else None

    @action(p="PHILOSOPHERS")
    def take_right(self, s: Table, p: int) -> Table | None:
        """Take the second fork and eat."""
        return self._set(s, p, EATING) if s.phases[p] == LEFT and not self._held(s, self._forks(p)[1]) else None

    @action(p="PHILOSOPHERS")
    def put_down(self, s: Table, p: int) -> Table | None:
        return self._set(s, p, THINKING) if s.phases[p] == EATING else None
