"""The spec of a circuit breaker, as a model, for conformance tests of real breakers
(tests/testing/circuit_breaker.py, test_conformance_breaker.py).

The spec: the breaker is closed, open or half-open. Closed, it lets every call through and
counts consecutive failures (a success resets the count); the `threshold`-th consecutive
failure opens it. Open, it rejects every call until `timeout` ticks have passed since it opened;
the first call after that is a trial, and the breaker is half-open while it runs, rejecting
every other call. The trial's success closes the breaker; its failure opens it again (for
another `timeout`). A call that was let through before the breaker opened and ends after it
opened changes nothing: its outcome is stale (as sony/gobreaker ignores the outcome of a call
from an earlier generation).

Callers call concurrently: `call(caller)` is the breaker's decision (let through or rejected),
and `succeed(caller)` / `fail(caller)` the end of a call let through, so calls overlap. Time is
ticks: `tick` is one tick of the breaker's clock (the adapter advances a fake clock). The model
counts the ticks since the breaker opened up to `timeout` (beyond it, all that matters is that
the timeout has passed), so its state space is finite and the explorer checks the spec too.

What a caller sees (`project`): the breaker's state, and for each caller whether it is idle, its
call is running (let through, `fn` not yet returned), or its last call was rejected. The count
of failures is internal (the seed's breaker counts on past the threshold, harmlessly), and so is
whether a running call is a trial, a normal call or a stale one.
"""
from typing import ClassVar

import attrs

from checker import ActionLabel, ProtocolModel, action, always, option, record, sometimes, transition

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"
# a caller: idle; its last call rejected; its call running (let through while closed, or the
# half-open trial, or stale: let through before the breaker opened)
IDLE, REJECTED, RUNNING, TRIAL, STALE = "idle", "rejected", "running", "trial", "stale"
LET_THROUGH = (RUNNING, TRIAL, STALE)


@record
class Breaker:
    """The breaker's state as the spec sees it."""

    mode: str
    failures: int                # consecutive failures while closed
    waited: int                  # ticks since it opened, up to the timeout
    calls: tuple[str, ...]       # per caller


@record
class Seen:
    """What callers can see of a breaker: its state and each caller's call (idle, running, rejected)."""

    mode: str
    calls: tuple[str, ...]


def seen(s: Breaker) -> Seen:
    """The model's state as an implementation shows it (the `project` of a conformance test)."""
    return Seen(s.mode, tuple(RUNNING if call in LET_THROUGH else call for call in s.calls))


@attrs.frozen
class BreakerSpec(ProtocolModel):
    """A circuit breaker shared by concurrent callers, with a clock in ticks."""

    name: ClassVar[str] = "circuit-breaker"
    check_deadlock: ClassVar[bool] = False  # a breaker waits for calls
    threshold: int = option(2, help="consecutive failures that open the breaker", min=1)
    timeout: int = option(2, help="ticks the breaker stays open before it lets a trial call through", min=0)
    callers: int = option(1, help="callers that call concurrently", min=1, max=4)

    @property
    def CALLERS(self) -> range:  # noqa: N802 - a TLA+-style constant
        return range(self.callers)

    def init(self) -> Breaker:
        return Breaker(CLOSED, 0, 0, (IDLE,) * self.callers)

    @action(caller="CALLERS")
    def call(self, s: Breaker, caller: int) -> Breaker | None:
        """The breaker decides on a new call of `caller` (which has none running)."""
        if s.calls[caller] in LET_THROUGH:
            return None
        if s.mode == CLOSED:
            return _set(s, caller, RUNNING)
        if s.mode == OPEN and s.waited >= self.timeout:
            return _set(s, caller, TRIAL).evolve(mode=HALF_OPEN)
        return _set(s, caller, REJECTED)

    @action(caller="CALLERS")
    def succeed(self, s: Breaker, caller: int) -> Breaker | None:
        """The call of `caller` that was let through returns a result."""
        call = s.calls[caller]
        if call not in LET_THROUGH:
            return None
        s = _set(s, caller, IDLE)
        if call == TRIAL:
            return s.evolve(mode=CLOSED, failures=0)
        return s.evolve(failures=0) if call == RUNNING else s

    @action(caller="CALLERS")
    def fail(self, s: Breaker, caller: int) -> Breaker | None:
        """The call of `caller` that was let through fails."""
        call = s.calls[caller]
        if call not in LET_THROUGH:
            return None
        s = _set(s, caller, IDLE)
        if call == TRIAL:
            return s.evolve(mode=OPEN, waited=0)
        if call == STALE:
            return s
        if s.failures + 1 < self.threshold:
            return s.evolve(failures=s.failures + 1)
        return s.evolve(mode=OPEN, failures=0, waited=0, calls=tuple(STALE if c == RUNNING else c for c in s.calls))

    @action
    def tick(self, s: Breaker) -> Breaker:
        """One tick of the clock (only the time since the breaker opened matters, up to the timeout)."""
        return s.evolve(waited=min(s.waited + 1, self.timeout)) if s.mode == OPEN else s

    @always
    def one_trial(self, s: Breaker) -> bool:
        """Half-open exactly while one trial call runs, and no trial runs otherwise."""
        return s.calls.count(TRIAL) == (1 if s.mode == HALF_OPEN else 0)

    @always
    def nothing_let_through_while_open(self, s: Breaker) -> bool:
        """While the breaker is not closed, the calls running are the trial and stale ones."""
        return s.mode == CLOSED or RUNNING not in s.calls

    @transition
    def open_until_the_timeout(self, before: Breaker, act: ActionLabel, after: Breaker) -> bool:
        """An open breaker lets a call through only after the timeout."""
        return not (before.mode == OPEN and after.mode == HALF_OPEN) or before.waited >= self.timeout

    @sometimes
    def half_open(self, s: Breaker) -> bool:
        """A trial call runs."""
        return s.mode == HALF_OPEN

    @sometimes
    def stale_call_running(self, s: Breaker) -> bool:
        """A call let through while closed is still running after the breaker opened (two callers or more)."""
        return STALE in s.calls


def _set(s: Breaker, caller: int, call: str) -> Breaker:
    return s.evolve(calls=s.calls[:caller] + (call,) + s.calls[caller + 1:])
