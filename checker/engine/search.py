"""What every engine shares: the limits, the counters, and judging properties as states appear.

An engine feeds states to `Search.judge_states` and steps to `Search.judge_step`; the search
records each property's first discovery (a counterexample, or a witness for `sometimes`) as a
thunk that builds its trace, and turns what it saw into verdicts when the engine stops.
"""
import time
from typing import Any, Callable

import attrs

from checker.engine.audit import ShortcutAudit
from checker.errors import CheckerError, FalseShortcut
from checker.model import ActionLabel, ModelView
from checker.properties import Kind, Property
from checker.trace import Trace
from checker.verdict import StopReason


@attrs.define
class Limits:
    """The user's bounds on a search; None means unbounded."""

    max_depth: int | None = None
    max_states: int | None = None
    time_limit: float | None = None
    stop_on_first_violation: bool = True


class StopSearch(Exception):
    """Raised inside an engine to end the search with a reason."""

    def __init__(self, reason: StopReason):
        super().__init__(reason.value)
        self.reason = reason


class ModelRaised(Exception):
    """The model raised while computing successors or a property."""

    def __init__(self, error: BaseException, where: str, trace: Callable[[], Trace]):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error, self.where, self.trace = error, where, trace


@attrs.define
class Discovery:
    """The first counterexample or witness of one property, at a depth, with its trace builder."""

    depth: int
    trace: Callable[[], Trace]
    explanation: str = ""


class Search:
    """Counters, limits, property bookkeeping and progress for one run of one engine."""

    def __init__(self, view: ModelView, properties: list[Property], limits: Limits, progress: Callable[["Search"], None] | None = None):
        self.view = view
        self.properties = properties
        self.limits = limits
        self.progress = progress
        self.invariants = [p for p in properties if p.kind is Kind.ALWAYS]
        self.witnesses = [p for p in properties if p.kind is Kind.SOMETIMES]
        self.step_checks = [p for p in properties if p.kind is Kind.TRANSITION]
        self.check_deadlock = any(p.kind is Kind.DEADLOCK for p in properties)
        self.liveness: Any = None  # a GraphRecorder when liveness properties are checked (checker/engine/liveness/)
        self.audit = ShortcutAudit(view)
        self.found: dict[str, Discovery] = {}
        self.generated = 0
        self.distinct = 0
        self.depth = 0
        self.depth_cut = False
        self.started = time.perf_counter()
        self._next_report = self.started + 1.0

    @property
    def seconds(self) -> float:
        """Seconds since the search started."""
        return time.perf_counter() - self.started

    def judge_states(self, states: list[Any], depth: int, trace_of: Callable[[int], Callable[[], Trace]]) -> None:
        """Check invariants and witnesses on newly found states; `trace_of(i)` builds states[i]'s trace.
        The first states of a run also audit the model's shortcuts (checker/engine/audit.py)."""
        if self.audit.enabled:
            for i in self.audit.due(len(states)):
                try:
                    self.audit.audit(states[i])
                except FalseShortcut as error:
                    raise ModelRaised(error, "checking the model's shortcuts", trace_of(i)) from error
                except Exception as error:  # noqa: BLE001 - the model's own bug, met while auditing, with its trace
                    raise ModelRaised(error, "computing successors", trace_of(i)) from error
        for prop in tuple(self.invariants):  # a copy: a discovery removes its property from the list
            bad = _first_false(prop, states, trace_of)
            if bad is not None:
                self._discover(prop, depth, trace_of(bad), prop.explanation(states[bad]))
        for prop in tuple(self.witnesses):
            hit = _first_true(prop, states, trace_of)
            if hit is not None:
                self._discover(prop, depth, trace_of(hit))

    def judge_step(self, before: Any, label: ActionLabel, after: Any, depth: int, trace: Callable[[], Trace]) -> None:
        """Check transition properties on one step; `trace` builds the trace ending in `after`."""
        for prop in tuple(self.step_checks):
            try:
                ok = prop.check(before, label, after)
            except Exception as error:  # noqa: BLE001 - a model's own bug, reported with its trace
                raise ModelRaised(error, f"property {prop.name}", trace) from error
            if not ok:
                self._discover(prop, depth, trace, prop.explanation(before, label, after))

    def judge_stuck(self, state: Any, depth: int, trace: Callable[[], Trace]) -> None:
        """A state with no way forward (no step, or only steps to itself): a deadlock unless the model may end there."""
        if self.check_deadlock and "deadlock_free" not in self.found and not self.view.may_stop(state):
            deadlock = next(p for p in self.properties if p.kind is Kind.DEADLOCK)
            self._discover(deadlock, depth, trace, "no step leads to a different state, and the model does not say it may end here")

    def record_found(self, name: str, found: Discovery) -> None:
        """A discovery made before (a resumed checkpoint): recorded, its property no longer searched."""
        self.found[name] = found
        self.invariants = [p for p in self.invariants if p.name != name]
        self.witnesses = [p for p in self.witnesses if p.name != name]
        self.step_checks = [p for p in self.step_checks if p.name != name]

    def _discover(self, prop: Property, depth: int, trace: Callable[[], Trace], explanation: str = "") -> None:
        self.found[prop.name] = Discovery(depth, trace, explanation)
        if prop.kind is Kind.SOMETIMES:
            self.witnesses.remove(prop)
            self._maybe_all_decided()
        elif prop.kind is Kind.DEADLOCK and self.liveness is not None:
            pass  # the search goes on: liveness needs the whole graph, and a dead end is what it explains
        else:
            if prop in self.invariants:
                self.invariants.remove(prop)
            if prop in self.step_checks:
                self.step_checks.remove(prop)
            self._after_violation()

    def _after_violation(self) -> None:
        if self.limits.stop_on_first_violation:
            raise StopSearch(StopReason.FIRST_VIOLATION)
        self._maybe_all_decided()

    def _maybe_all_decided(self) -> None:
        if self.liveness is not None:
            return  # liveness is judged on the whole graph, once the search is over
        deadlock_open = self.check_deadlock and "deadlock_free" not in self.found
        if not (self.invariants or self.witnesses or self.step_checks or deadlock_open):
            raise StopSearch(StopReason.ALL_DECIDED)

    def room(self) -> int | None:
        """How many more distinct states the state limit allows (None: no limit)."""
        return None if self.limits.max_states is None else max(0, self.limits.max_states - self.distinct)

    def stop_at_state_limit(self) -> None:
        """Called when a new state was found: stop if the limit leaves no room for it, so a limit
        of N reports exactly N states, and a search with exactly N states still ends exhausted."""
        if self.limits.max_states is not None and self.distinct >= self.limits.max_states:
            raise StopSearch(StopReason.STATE_LIMIT)

    def tick(self) -> None:
        """Between batches: enforce the state and time limits and report progress."""
        now = time.perf_counter()
        if self.limits.time_limit is not None and now - self.started >= self.limits.time_limit:
            raise StopSearch(StopReason.TIME_LIMIT)
        if self.progress is not None and now >= self._next_report:
            self._next_report = now + 1.0
            self.progress(self)

    def beyond_depth(self, depth: int) -> bool:
        """True when states at this depth (initial states are depth 1) must not be expanded."""
        return self.limits.max_depth is not None and depth >= self.limits.max_depth


def _first_false(prop: Property, states: list[Any], trace_of: Callable[[int], Callable[[], Trace]]) -> int | None:
    if _evaluate(all, prop, states, trace_of):
        return None
    return next(i for i, state in enumerate(states) if not prop.check(state))


def _first_true(prop: Property, states: list[Any], trace_of: Callable[[int], Callable[[], Trace]]) -> int | None:
    if not _evaluate(any, prop, states, trace_of):
        return None
    return next(i for i, state in enumerate(states) if prop.check(state))


def _evaluate(combine: Callable[[Any], bool], prop: Property, states: list[Any], trace_of: Callable[[int], Callable[[], Trace]]) -> bool:
    """`all` or `any` of the property over the states; a state that raises is reported with its trace."""
    try:
        return combine(map(prop.check, states))
    except CheckerError:
        raise
    except Exception as error:  # noqa: BLE001 - find the state that raised, for the trace
        for i, state in enumerate(states):
            try:
                prop.check(state)
            except Exception:  # noqa: BLE001
                raise ModelRaised(error, f"property {prop.name}", trace_of(i)) from error
        raise
