"""Conformance testing of real code against a model (model-based testing, as Quint's --mbt and
P's PObserve do): Hypothesis draws the model's steps, an adapter applies each to the
implementation, and after every step the implementation's state, mapped to the model's, must be
the model's; the first divergence fails with the steps that led to it.

    class StoreAdapter:
        def start(self, state):            # a fresh implementation, in the model's initial state
            self.store = KeyValueStore(capacity=2)
        def apply(self, action):           # one model step, done to the implementation
            getattr(self.store, action.name)(**action.kwargs)
        def observe(self):                 # the implementation's state, as a model state
            return Store(items=frozenset(self.store.items()))

    TestStore = conformance_test(KeyValueModel(capacity=2), StoreAdapter)

`project` maps a model state to what is compared (by default the whole state), for an
implementation that shows only part of it.
"""
import unittest
from typing import Any, Callable, Protocol

from hypothesis import seed as seeded, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from hypothesis import settings as Settings

from checker.faces.values import diff, show
from checker.faces.report import step_table, to_text
from checker.model import ActionLabel, ModelView
from checker.testing.machine import choose
from checker.testing.profiles import chosen, current
from checker.trace import Step, Trace


class Adapter(Protocol):
    """How a test drives an implementation beside a model; it may also define `stop()`, called at
    the end of every run (to release threads, close connections)."""

    def start(self, state: Any) -> None: ...

    def apply(self, action: ActionLabel) -> None: ...

    def observe(self) -> Any: ...


class Divergence(AssertionError):
    """The implementation and the model disagree after a step: the steps, and what differs."""

    def __init__(self, trace: Trace, expected: Any, observed: Any):
        self.trace, self.expected, self.observed = trace, expected, observed
        super().__init__(f"the implementation diverged from the model after {len(trace)} steps")

    def report(self) -> str:
        """The steps as a table, then each field where the implementation differs from the model."""
        where = f"after step {len(self.trace)} ({self.trace.steps[-1].action})" if len(self.trace) else "in the initial state"
        return "\n".join([f"the implementation diverged from the model {where}:", *self._differences(),
                          "", "the model's steps (each applied to the implementation too):",
                          to_text(step_table(self.trace), 150).rstrip()])

    def _differences(self) -> list[str]:
        """One line per differing part: its value in the model and in the implementation (a set's
        whole value, a state that is not a record as "the state")."""
        lines = []
        for path, old, new in diff(self.expected, self.observed):
            if not path:
                return [f"  the state: the model has {show(self.expected)}, the implementation {show(self.observed)}"]
            if not old:  # a set that gained or lost members: show both sets whole
                field = path.split("[")[0].split(".")[0]
                old, new = show(getattr(self.expected, field, self.expected)), show(getattr(self.observed, field, self.observed))
                path = field
            lines.append(f"  {path}: the model has {old}, the implementation {new}")
        return lines or [f"  the state: the model has {show(self.expected)}, the implementation {show(self.observed)}"]


def conformance_machine(model: Any, adapter: Callable[[], Adapter], project: Callable[[Any], Any] = lambda s: s) -> type:
    """A Hypothesis state machine that drives the model and the implementation in lockstep."""
    view = ModelView(model)

    class Conformance(RuleBasedStateMachine):
        @initialize(data=st.data())
        def start(self, data: Any) -> None:
            starts = [s for s in view.init_states if view.within_boundary(s)]
            state = starts[data.draw(st.integers(0, len(starts) - 1), label="initial state")] if len(starts) > 1 else starts[0]
            self.steps = [Step(None, state)]
            self.implementation = adapter()
            self.implementation.start(state)
            self._compare()

        @rule(data=st.data())
        def step(self, data: Any) -> None:
            state = self.steps[-1].state
            enabled = [(label, nxt) for label, nxt in view.successors(state) if view.within_boundary(nxt)]
            if not enabled:
                return
            label, nxt = choose(data, enabled)
            self.steps.append(Step(label, nxt))
            self.implementation.apply(label)
            self._compare()

        def teardown(self) -> None:
            stop = getattr(getattr(self, "implementation", None), "stop", None)
            if stop is not None:
                stop()

        def _compare(self) -> None:
            expected, observed = project(self.steps[-1].state), self.implementation.observe()
            if observed != expected:
                raise Divergence(Trace(tuple(self.steps)), expected, observed)

    Conformance.__name__ = f"{type(model).__name__}Conformance"
    return Conformance


def conformance_test(model: Any, adapter: Callable[[], Adapter], *, project: Callable[[Any], Any] = lambda s: s,
                     profile: str | None = None, settings: Settings | None = None, seed: int | None = None) -> type[unittest.TestCase]:
    """A TestCase that fails on the first divergence of the implementation (built by `adapter`) from
    the model, showing the steps and the differing fields (Hypothesis shrinks the run first);
    `settings` (Hypothesis's) or `profile` (quick, deep, ci) say how long to run; `seed` (or
    pytest's --checker-seed) fixes the runs."""
    machine = conformance_machine(model, adapter, project)

    def runTest(self: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
        __tracebackhide__ = True
        chosen_seed = seed if seed is not None else current["seed"]
        run_settings = settings or chosen(profile)
        try:
            if chosen_seed is None:
                run_state_machine_as_test(machine, settings=run_settings)
            else:
                run_state_machine_as_test(seeded(chosen_seed)(machine), settings=Settings(run_settings, database=None))
        except Divergence as divergence:
            raise AssertionError(divergence.report()) from None

    return type(f"Test{machine.__name__}", (unittest.TestCase,), {"runTest": runTest, "__doc__": machine.__doc__})
