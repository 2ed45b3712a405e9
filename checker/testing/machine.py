"""Any model as a Hypothesis state machine: a rule takes one of the steps enabled in the current
state (faults within the budget included), drawn with Hypothesis's own data, so its shrinking
makes failing runs short; one invariant per `always` property; transition properties checked on
each step; deadlocks judged as the explorer does; `sometimes` witnesses recorded across runs.

A failing run raises PropertyViolation with the run as a Trace; checker/testing/run.py turns it
into what the explorer shows (and a shortest trace, when the explorer can find one cheaply).
"""
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from checker.fingerprint import fingerprint
from checker.model import ActionLabel, ModelView
from checker.properties import Kind, Property
from checker.trace import Step, Trace

def choose(data: Any, labelled: list[tuple[ActionLabel, Any]]) -> tuple[ActionLabel, Any]:
    """One of the enabled steps, by its position among them (in `successors` order), drawn with
    Hypothesis's data so that its shrinking works on the run. (Drawing over a fixed table of
    ground actions instead, so that a number names the same action after an earlier step is
    deleted, shrank the demos' runs no better: 25 steps against 13, 11 against 8.)"""
    return labelled[data.draw(st.integers(0, len(labelled) - 1), label="step")]


class PropertyViolation(AssertionError):
    """A property failed on a run: the property, the run as a trace, and the model's explanation."""

    def __init__(self, prop: Property, trace: Trace, explanation: str = ""):
        super().__init__(f"{prop.name} is violated after {len(trace)} steps")
        self.prop, self.trace, self.explanation = prop, trace, explanation


class ModelMachine(RuleBasedStateMachine):
    """The state machine of one model instance (`state_machine` makes a subclass per model)."""

    view: ClassVar[ModelView]
    witnessed: ClassVar[dict[str, Trace]]  # the first run that reached each `sometimes` witness
    seen: ClassVar[set[int]]               # fingerprints of every state met, across runs
    counts: ClassVar[dict[str, int]]       # runs and steps taken, across runs

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[Step] = []

    @initialize(data=st.data())
    def start(self, data: Any) -> None:
        """Begin at an initial state (drawn when there are several)."""
        starts = [s for s in self.view.init_states if self.view.within_boundary(s)]
        state = starts[data.draw(st.integers(0, len(starts) - 1), label="initial state")] if len(starts) > 1 else starts[0]
        self.steps = [Step(None, state)]
        self.counts["runs"] += 1
        self._met(state)

    @rule(data=st.data())
    def step(self, data: Any) -> None:
        """Take one of the steps enabled now that changes the state (none: the run stays here)."""
        if not self.steps:
            return
        view, state = self.view, self.steps[-1].state
        moving = [(label, nxt) for label, nxt in view.successors(state) if nxt != state]
        if not moving:
            self._judge_end(state)
            return
        inside = [(label, nxt) for label, nxt in moving if view.within_boundary(nxt)]
        if not inside:
            return
        label, nxt = choose(data, inside)
        self.steps.append(Step(label, nxt))
        self.counts["steps"] += 1
        self.counts["longest"] = max(self.counts["longest"], len(self.steps) - 1)
        for prop in self._of(Kind.TRANSITION):
            if not prop.check(state, label, nxt):
                self._fail(prop, prop.explanation(state, label, nxt))
        self._met(nxt)

    def _met(self, state: Any) -> None:
        """Record a state reached: its fingerprint, and the witnesses it satisfies."""
        self.seen.add(self.view.fingerprint(state))
        for prop in self._of(Kind.SOMETIMES):
            if prop.name not in self.witnessed and prop.check(state):
                self.witnessed[prop.name] = Trace(tuple(self.steps))

    def _judge_end(self, state: Any) -> None:
        """No step changes the state: a deadlock, unless the model may end here."""
        deadlock = [p for p in self._of(Kind.DEADLOCK)]
        if deadlock and not self.view.may_stop(state):
            self._fail(deadlock[0], "no step leads to a different state, and the model does not say it may end here")

    def hold(self, prop: Property) -> None:
        """An invariant: checked by Hypothesis after every step."""
        if self.steps and not prop.check(self.steps[-1].state):
            self._fail(prop, prop.explanation(self.steps[-1].state))

    def _fail(self, prop: Property, explanation: str) -> None:
        raise PropertyViolation(prop, Trace(tuple(self.steps)), explanation)

    @classmethod
    def _of(cls, kind: Kind) -> list[Property]:
        return cls.properties_by_kind.get(kind, [])

    properties_by_kind: ClassVar[dict[Kind, list[Property]]] = {}


def state_machine(model: Any, properties: list[Property] | None = None) -> type[ModelMachine]:
    """A RuleBasedStateMachine for `model` (checking `properties`, by default every safety property
    and witness the model checks by default: liveness needs the whole graph, not one run)."""
    view = ModelView(model)
    chosen = properties if properties is not None else [p for p in view.all_properties if p.by_default]
    chosen = [p for p in chosen if not p.kind.is_liveness]
    by_kind: dict[Kind, list[Property]] = {}
    for prop in chosen:
        by_kind.setdefault(prop.kind, []).append(prop)
    namespace: dict[str, Any] = {"view": view, "witnessed": {}, "seen": set(), "counts": {"runs": 0, "steps": 0, "longest": 0},
                                 "properties_by_kind": by_kind, "__doc__": f"{view.title()}, as a Hypothesis state machine."}
    for prop in by_kind.get(Kind.ALWAYS, []):
        namespace[f"always_{prop.name}"] = invariant()(lambda self, p=prop: self.hold(p))
    options = getattr(model, "options", dict)()
    digest = fingerprint(tuple(sorted((k, str(v)) for k, v in options.items()))) & 0xFFFFFFFF
    return type(f"{type(model).__name__}Machine_{digest:08x}", (ModelMachine,), namespace)  # one database key per configuration
