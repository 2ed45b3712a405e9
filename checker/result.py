"""Typed results of a check: a verdict per property, search figures, and why it stopped."""
from typing import Any, Sequence

import attrs

from checker.properties import Kind
from checker.trace import Trace
from checker.verdict import StopReason, Verdict


@attrs.frozen
class PropertyResult:
    """One property's verdict, with its counterexample (or witness) trace and a short note."""

    name: str
    kind: Kind
    verdict: Verdict
    trace: Trace | None = None
    note: str = ""
    explanation: str = ""

    @property
    def discovered(self) -> bool:
        """True when the search found this property's counterexample or witness."""
        return self.trace is not None


@attrs.frozen
class Stats:
    """The figures of a search, as TLC reports them (generated counts the initial states)."""

    distinct: int
    generated: int
    depth: int  # of the deepest state seen, initial states at depth 1, as TLC counts
    seconds: float
    store_bytes_per_state: float = 0.0
    peak_rss_bytes: int = 0
    collision_probability: float = 0.0
    workers: int = 1  # processes that searched (parallel breadth-first search: --workers)
    worker_peak_rss_bytes: tuple[int, ...] = ()  # each worker process's peak resident set (parallel search)
    graph_bytes_per_state: float = 0.0  # liveness: the recorded steps and the graph judged on them
    liveness_seconds: float = 0.0  # liveness: judging the graph, after the search (part of `seconds`)
    solver_queries: int = 0  # Z3 queries (--strategy prove and bmc)

    @property
    def memory_bytes(self) -> int:
        """Peak resident memory of the whole search: this process's, plus every worker's."""
        return self.peak_rss_bytes + sum(self.worker_peak_rss_bytes)

    @property
    def states_per_second(self) -> float:
        """Distinct states found per second of search."""
        return self.distinct / self.seconds if self.seconds > 0 else 0.0


@attrs.frozen
class ModelFailure:
    """The model raised: the exception, the action that raised, and the trace leading there."""

    error: str
    action: str
    trace: Trace


@attrs.frozen
class Bounds:
    """The limits a search ran under; the model's own constraint is named too."""

    max_depth: int | None = None
    max_states: int | None = None
    time_limit: float | None = None
    state_constraint: str = ""  # the model's own constraint, in its words ("" when it has none)
    symmetry: bool = False

    def describe(self) -> str:
        """One line: the bounds that applied."""
        parts = []
        if self.max_depth is not None:
            parts.append(f"depth <= {self.max_depth}")
        if self.max_states is not None:
            parts.append(f"states <= {self.max_states:,}")
        if self.time_limit is not None:
            parts.append(f"time <= {self.time_limit:g} s")
        if self.state_constraint:
            parts.append(f"the model's state constraint ({self.state_constraint})")
        return ", ".join(parts) or "none"


@attrs.frozen
class CheckResult:
    """Everything a check found; `assert_ok()` and `assert_discovery()` make it a one-line test."""

    title: str
    options: dict[str, Any]
    strategy: str
    bounds: Bounds
    properties: tuple[PropertyResult, ...]
    stats: Stats
    stop: StopReason
    failure: ModelFailure | None = None
    notes: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> PropertyResult:
        """The result for one property, by name: `result["consistent"]`."""
        for result in self.properties:
            if result.name == name:
                return result
        raise KeyError(f"no property {name!r}; known: {', '.join(p.name for p in self.properties)}")

    def verdict(self, name: str) -> Verdict:
        """The verdict for one property, by name."""
        return self[name].verdict

    @property
    def violations(self) -> list[PropertyResult]:
        """The properties found VIOLATED, in declaration order."""
        return [p for p in self.properties if p.verdict is Verdict.VIOLATED]

    @property
    def exit_code(self) -> int:
        """0 all hold (or are proved), 1 a violation or a witness not reached, 3 something unknown (an
        invariant not inductive included; a lemma that is not fails nothing), 4 the model raised."""
        if self.failure is not None:
            return 4
        if any(p.verdict.fails for p in self.properties):
            return 1
        if any(p.verdict is Verdict.UNKNOWN or p.verdict is Verdict.NOT_INDUCTIVE and p.kind is not Kind.LEMMA
               for p in self.properties):
            return 3
        return 0

    def assert_ok(self) -> None:
        """Fail with the report unless every property HOLDS."""
        if self.exit_code != 0:
            raise AssertionError("the check did not pass:\n" + self.summary())

    def assert_discovery(self, name: str, actions: Sequence[str] | None = None) -> None:
        """Fail unless property `name` has a counterexample or witness, with exactly `actions` if given."""
        result = self[name]
        if result.trace is None:
            raise AssertionError(f"{name}: nothing discovered ({result.verdict.value}: {result.note or self.stop.value})")
        if actions is not None and result.trace.labels() != list(actions):
            raise AssertionError(f"{name}: discovered {result.trace.labels()}, expected {list(actions)}")

    def summary(self) -> str:
        """Plain text for assertion messages: a line per property, then each trace's actions.
        (The full report, with step tables and charts, is checker/faces/report.py.)"""
        lines = [f"{self.title}; {self.stop.value}"]
        lines += [f"  {p.name} [{p.kind.value}]: {p.verdict.value} {p.note}".rstrip() for p in self.properties]
        if self.failure is not None:
            lines.append(f"the model raised while {self.failure.action}: {self.failure.error}")
            lines += [f"  {number:>3}  {label}" for number, label in enumerate(self.failure.trace.labels(), start=1)]
        for prop in self.violations:
            if prop.trace is not None:
                lines.append(f"{prop.name}: {prop.explanation or prop.note}")
                lines += [f"  {number:>3}  {label}" for number, label in enumerate(prop.trace.labels(), start=1)]
        return "\n".join(lines)

