"""Any model as a Hypothesis state machine: a rule takes one of the steps enabled in the current
state (faults within the budget included), drawn with Hypothesis's own data, so its shrinking
makes failing runs short; one invariant per `always` property; transition properties checked on
each step; deadlocks judged as the explorer does; `sometimes` witnesses recorded across runs.
Faults come at a rate each run draws, and each run leaves out some kinds of steps (swarm
testing): both let deep runs reach states a uniform choice among the enabled steps does not
(Raft, 5 servers, a vote lost in a restart: found in 30 s, where uniform runs had not in 20 min).

A failing run raises PropertyViolation with the run as a Trace; checker/testing/run.py turns it
into what the explorer shows (and a shortest trace, when the explorer can find one cheaply).
"""
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from checker.fairness import Fairness
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


FAULT_ODDS = (64, 16, 4)
"""A run's fault rate, drawn when it starts: where a fault is among the enabled steps, one step in
this many is a fault. Drawn uniformly among all enabled steps, a fault came at almost every step
(Raft, 5 servers: 5 crashes among some 15 steps), so a run's budget was spent in its first few
steps, before anything interesting happened; as Jepsen's nemesis schedules do, faults come
now and then, at a rate each run draws (shrinking goes towards the rarest, and towards no fault)."""


def family(label: ActionLabel) -> str:
    """The kind of a step, for swarm testing: its action, and for an actor system the message class
    delivered or the timer fired (`deliver Vote`, `timeout election`, `crash`)."""
    if label.name == "deliver" and "msg" in label.kwargs:
        return f"deliver {type(label.kwargs['msg']).__name__}"
    if label.name in ("timeout", "timeout_early") and "timer" in label.kwargs:
        return f"{label.name} {label.kwargs['timer']}"
    return label.name


def swarm_kind(label: ActionLabel) -> str:
    """The kind of a step for swarm testing: its family at the node it happens at (a delivery's
    destination, a timer's or a fault's node), so that a run leaves out, say, one node's timer or
    one node's deliveries and not every node's at once (Raft, 5 servers, the paper's Figure 8: two
    servers take turns as leaders while a third lags; per family alone, not found in 5,000 runs)."""
    node = label.kwargs.get("dst", label.kwargs.get("node"))
    return family(label) if node is None else f"{family(label)} at {node}"


def choose_with_faults(data: Any, labelled: list[tuple[ActionLabel, Any]], is_fault: Any, odds: int) -> tuple[ActionLabel, Any]:
    """One of the enabled steps: a fault one time in `odds` when faults and other steps are both
    enabled (the last of the drawn values, so shrinking goes towards no fault), else as `choose`."""
    split: dict[bool, list[tuple[ActionLabel, Any]]] = {True: [], False: []}
    for step in labelled:
        split[bool(is_fault(step[0]))].append(step)
    if not split[True] or not split[False]:
        return choose(data, labelled)
    return choose(data, split[data.draw(st.integers(0, odds - 1), label="fault?") == odds - 1])


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
    faulty: ClassVar[bool]                 # the model has faults (a budget, or actions its fairness calls faults)

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[Step] = []
        self.swarm: dict[str, bool] = {}  # the kinds of steps this run takes (swarm testing), drawn as met

    @initialize(data=st.data())
    def start(self, data: Any) -> None:
        """Begin at an initial state (drawn when there are several)."""
        starts = [s for s in self.view.init_states if self.view.within_boundary(s)]
        state = starts[data.draw(st.integers(0, len(starts) - 1), label="initial state")] if len(starts) > 1 else starts[0]
        self.steps = [Step(None, state)]
        self.odds = data.draw(st.sampled_from(FAULT_ODDS), label="fault odds") if self.faulty else 1
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
        inside = self._in_swarm(data, inside)
        label, nxt = choose_with_faults(data, inside, self.is_fault, self.odds) if self.faulty else choose(data, inside)
        self.steps.append(Step(label, nxt))
        self.counts["steps"] += 1
        self.counts["longest"] = max(self.counts["longest"], len(self.steps) - 1)
        for prop in self._of(Kind.TRANSITION):
            if not prop.check(state, label, nxt):
                self._fail(prop, prop.explanation(state, label, nxt))
        self._met(nxt)

    def _in_swarm(self, data: Any, steps: list[tuple[ActionLabel, Any]]) -> list[tuple[ActionLabel, Any]]:
        """The steps of the kinds this run takes (all of them when it takes none of these kinds).
        Swarm testing (Groce et al., 2012; Hypothesis does it for a machine's rules): each run
        leaves out some kinds of steps, the first time it meets each kind, so that runs differ
        in what they do and not only in the order they do it (Raft, 5 servers: a run that never
        delivers a heartbeat's Append keeps logs apart). Shrinking goes towards every kind."""
        kinds = [swarm_kind(label) for label, _ in steps]
        for kind in dict.fromkeys(kinds):
            if kind not in self.swarm:
                self.swarm[kind] = not data.draw(st.booleans(), label=f"leave out {kind}")
        kept = [step for step, kind in zip(steps, kinds) if self.swarm[kind]]
        return kept or steps

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
    def is_fault(cls, label: ActionLabel) -> bool:
        """True for a fault step (an actor system's faults; a plain model's actions its `fairness` calls faults)."""
        fairness_of = getattr(cls.view.model, "fairness_of", None)
        return fairness_of is not None and fairness_of(label) is Fairness.FAULT

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
    budget = getattr(model, "faults", None)
    faulty = bool(budget.items()) if hasattr(budget, "items") else "fault" in getattr(model, "fairness", {}).values()
    namespace: dict[str, Any] = {"view": view, "faulty": faulty, "witnessed": {}, "seen": set(), "counts": {"runs": 0, "steps": 0, "longest": 0},
                                 "properties_by_kind": by_kind, "__doc__": f"{view.title()}, as a Hypothesis state machine."}
    for prop in by_kind.get(Kind.ALWAYS, []):
        namespace[f"always_{prop.name}"] = invariant()(lambda self, p=prop: self.hold(p))
    options = getattr(model, "options", dict)()
    digest = fingerprint(tuple(sorted((k, str(v)) for k, v in options.items()))) & 0xFFFFFFFF
    return type(f"{type(model).__name__}Machine_{digest:08x}", (ModelMachine,), namespace)  # one database key per configuration
