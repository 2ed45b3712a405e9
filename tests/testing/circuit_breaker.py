"""Circuit breakers, written as a user of the checker would write them (no checker import): the
code that tests/testing/test_conformance_breaker.py drives beside its spec
(tests/testing/breaker_model.py).

`SeedCircuitBreaker` is the seed document's Go `CircuitBreaker` ("Distributed Systems Questions",
section "Circuit Breaker"), ported line by line: Go's `error` results are Python exceptions, and
the clock is injected (`time.monotonic` by default) so a test can drive time. Like the Go code it
takes no lock, and `call` runs `fn` between reading and writing the breaker's fields:

    func (cb *CircuitBreaker) Call(fn func() error) error {
        if cb.state == Open {
            if time.Since(cb.lastFailTime) > cb.timeout { cb.state = HalfOpen } else { return errOpen }
        }
        err := fn()
        if err != nil {
            cb.failures++; cb.lastFailTime = time.Now()
            if cb.failures >= cb.threshold { cb.state = Open }
            return err
        }
        cb.failures = 0; cb.state = Closed
        return nil
    }

`CircuitBreaker` is the same breaker written to its spec: the timeout has passed once `timeout`
has elapsed (`>=`), half-open admits exactly one trial call and rejects the others while it
runs, and the outcome of a call admitted before the breaker last changed state (opened or
closed) is ignored (a generation number, as sony/gobreaker does), so a slow call that was
admitted while the breaker was closed neither closes an open breaker nor restarts its timeout.
Its fields are read and written under a lock, never held while `fn` runs.
"""
import enum
import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitOpenError(Exception):
    """The breaker rejected the call without calling the service."""


class SeedCircuitBreaker:
    """The seed's breaker, as written there (see the module docstring)."""

    def __init__(self, threshold: int, timeout: float, clock: Callable[[], float] = time.monotonic):
        self.state = State.CLOSED
        self.failures = 0
        self.threshold = threshold
        self.timeout = timeout
        self.last_fail_time = 0.0
        self.clock = clock

    def call(self, fn: Callable[[], T]) -> T:
        if self.state is State.OPEN:
            if self.clock() - self.last_fail_time > self.timeout:
                self.state = State.HALF_OPEN
            else:
                raise CircuitOpenError("circuit breaker is open")
        try:
            result = fn()
        except Exception:
            self.failures += 1
            self.last_fail_time = self.clock()
            if self.failures >= self.threshold:
                self.state = State.OPEN
            raise
        self.failures = 0
        self.state = State.CLOSED
        return result


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; rejects calls while open until `timeout` has
    elapsed; then half-open: one trial call goes through (the others are rejected while it runs),
    its success closes the breaker and its failure opens it again for another `timeout`. Safe to
    share between threads."""

    def __init__(self, threshold: int, timeout: float, clock: Callable[[], float] = time.monotonic):
        if threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {threshold}")
        self.threshold, self.timeout, self.clock = threshold, timeout, clock
        self.state = State.CLOSED
        self.failures = 0          # consecutive failures while closed
        self.opened_at = 0.0
        self._generation = 0       # bumped whenever the breaker opens or closes
        self._lock = threading.Lock()

    def call(self, fn: Callable[[], T]) -> T:
        with self._lock:
            generation = self._admit()
        try:
            result = fn()
        except Exception:
            with self._lock:
                self._record(generation, success=False)
            raise
        with self._lock:
            self._record(generation, success=True)
        return result

    def _admit(self) -> int:
        """Let a call through (returning the generation it belongs to) or raise CircuitOpenError."""
        if self.state is State.OPEN and self.clock() - self.opened_at >= self.timeout:
            self.state = State.HALF_OPEN
            return self._generation  # the trial call
        if self.state is not State.CLOSED:
            raise CircuitOpenError("circuit breaker is open" if self.state is State.OPEN else "circuit breaker is half-open: a trial call is running")
        return self._generation

    def _record(self, generation: int, success: bool) -> None:
        if generation != self._generation:
            return  # admitted before the breaker last opened or closed: its outcome is stale
        if success:
            if self.state is State.HALF_OPEN:
                self._change(State.CLOSED)
            self.failures = 0
        elif self.state is State.HALF_OPEN:
            self._change(State.OPEN)
        else:
            self.failures += 1
            if self.failures >= self.threshold:
                self._change(State.OPEN)

    def _change(self, state: State) -> None:
        self.state, self.failures, self._generation = state, 0, self._generation + 1
        if state is State.OPEN:
            self.opened_at = self.clock()
