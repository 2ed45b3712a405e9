"""The Model contract the engines see, and a view that resolves its optional hooks once.

A model is anything with `init_states()`, `successors(state)` (the enabled steps as
`(ActionLabel, next_state)` pairs, in a stable order) and `properties()`. Optional hooks:
`next_states(state)` (the same successors without labels, for the hot loop),
`within_boundary(state)` (a state constraint, like TLC's CONSTRAINT), `representative(state)`
(symmetry; off when the model's `symmetry` option is False), `may_stop(state)` (a state with no successors that is a legitimate end, not a
deadlock), `cut_by_bounds(state)` (a bound of the model's own, such as a last term, stops a
step the protocol would take here: a liveness property cannot judge the runs through it),
`fairness_of(label)` and `task_fixed(label)` (liveness: checker/fairness.py), and `title()` /
`options()` for reports.
"""
import copy
from typing import Any, Callable, Iterable, Protocol, Sequence

import attrs

from checker.fairness import Fairness, Task
from checker.fingerprint import fingerprint as value_fingerprint
from checker.properties import Kind, Property


@attrs.frozen
class ActionLabel:
    """The name and arguments of one step, as shown in traces: `rm_prepare(rm=0)`."""

    name: str
    args: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        inner = ", ".join(f"{key}={value!r}" for key, value in self.args)
        return f"{self.name}({inner})"

    @property
    def kwargs(self) -> dict[str, Any]:
        """The arguments as keyword arguments."""
        return dict(self.args)


class Model(Protocol):
    """What every engine needs from a model."""

    def init_states(self) -> Iterable[Any]: ...

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]: ...

    def properties(self) -> Sequence[Property]: ...


FINGERPRINT_MEMO = 1 << 21  # concrete-state fingerprints remembered with their class's (about 200 MiB at most)


def _describe_boundary(model: Any, hook: str = "within_boundary") -> str:
    """The first line of a bound's docstring (`within_boundary`, `cut_by_bounds`), with {option} names filled in from the model."""
    doc = (getattr(model, hook).__doc__ or "").strip()
    line = doc.splitlines()[0].rstrip(".") if doc else hook
    options = getattr(model, "options", None)
    try:
        return line.format_map(options() if callable(options) else {})
    except (KeyError, ValueError, IndexError):
        return line


def _always_true(_state: Any) -> bool:
    return True


def _identity(state: Any) -> Any:
    return state


class ModelView:
    """A model with its optional hooks resolved to plain callables, ready for an engine."""

    def __init__(self, model: Any):
        self.model = model
        self.init_states: list[Any] = _distinct(model.init_states())
        self.successors: Callable[[Any], Iterable[tuple[ActionLabel, Any]]] = model.successors
        fast = getattr(model, "next_states", None)
        self.next_states: Callable[[Any], list[Any]] = fast or self._labelled_next_states
        self.has_fast_path = fast is not None
        self.within_boundary: Callable[[Any], bool] = getattr(model, "within_boundary", None) or _always_true
        self.has_boundary = hasattr(model, "within_boundary")
        self.boundary_doc = _describe_boundary(model) if self.has_boundary else ""
        self.has_symmetry = hasattr(model, "representative") and getattr(model, "symmetry", True) is not False
        self.representative: Callable[[Any], Any] = model.representative if self.has_symmetry else _identity
        self._fingerprints: dict[int, int] = {}
        if not self.has_symmetry:  # the plain function, without a method call per state
            self.fingerprint: Callable[[Any], int] = value_fingerprint
        self.may_stop: Callable[[Any], bool] = getattr(model, "may_stop", None) or (lambda _s: False)
        self.cut_by_bounds: Callable[[Any], bool] = getattr(model, "cut_by_bounds", None) or (lambda _s: False)
        self.cut_doc = _describe_boundary(model, "cut_by_bounds") if hasattr(model, "cut_by_bounds") else ""
        self.tasks: dict[int, Task] = {}  # liveness: every task met, by its fingerprint
        self._task_fingerprints: dict[ActionLabel, int] = {}
        self._ground_tasks: list[int] | None = None
        self.all_properties: tuple[Property, ...] = tuple(model.properties()) + self._deadlock_property()

    @property
    def checks_deadlock(self) -> bool:
        """A model may set the class attribute `check_deadlock = False` when a state with no way
        forward is a legitimate end (a reactive system at rest); TLC's `-deadlock` flag does the same."""
        return bool(getattr(self.model, "check_deadlock", True))

    def missing_faults(self, prop: Property) -> list[str]:
        """The faults a witness needs (`@sometimes(needs=...)`) that the model's fault budget leaves out."""
        budget = getattr(self.model, "faults", None)
        return [kind for kind in prop.needs if not getattr(budget, kind, 0)]

    def _deadlock_property(self) -> tuple[Property, ...]:
        """TLC's deadlock check as a property, unless the model sets `check_deadlock = False`."""
        if not self.checks_deadlock:
            return ()
        doc = "every reachable state has a step to a different state, unless the model says it may end there (may_stop)"
        return (Property("deadlock_free", Kind.DEADLOCK, self.may_stop, None, doc),)

    def _labelled_next_states(self, state: Any) -> list[Any]:
        return [nxt for _label, nxt in self.successors(state)]

    def fingerprint(self, state: Any) -> int:
        """The 64-bit fingerprint (checker/fingerprint.py) of a state's symmetry class;
        without symmetry, of the state itself (the instance then holds the plain function).
        Memoised by the state's own fingerprint: interleavings reach the same concrete state many
        times (measured on raft with 5 nodes: 249,355 successors, 98,765 of them distinct), and a
        representative costs far more than a fingerprint. A clash of two states' own fingerprints
        merges them, like any fingerprint collision."""
        if not self.has_symmetry:
            return value_fingerprint(state)
        return self.class_fingerprint(state, value_fingerprint(state))

    def class_fingerprint(self, state: Any, own: int) -> int:
        """The fingerprint of the state's symmetry class, given the state's own fingerprint."""
        found = self._fingerprints.get(own)
        if found is None:
            if len(self._fingerprints) >= FINGERPRINT_MEMO:
                self._fingerprints.clear()
            found = self._fingerprints[own] = value_fingerprint(self.representative(state))
        return found

    def without_symmetry(self) -> "ModelView":
        """The same model seen without symmetry reduction (liveness falls back to it when a cycle
        found on representatives cannot be made concrete)."""
        view = copy.copy(self)
        view.has_symmetry, view.representative, view.fingerprint = False, _identity, value_fingerprint
        view._fingerprints, view.tasks, view._task_fingerprints, view._ground_tasks = {}, {}, {}, None
        return view

    def task_fingerprint(self, label: ActionLabel) -> int:
        """The fingerprint of the task a step belongs to (its label), the same in every process;
        the task's fairness is registered in `tasks` the first time it is met."""
        found = self._task_fingerprints.get(label)
        if found is None:
            found = value_fingerprint((label.name, label.args))
            fairness = getattr(self.model, "fairness_of", None)
            fixed = getattr(self.model, "task_fixed", None)
            self.tasks[found] = Task(fairness(label) if fairness else Fairness.WEAK,
                                     fixed(label) if fixed else not self.has_symmetry, str(label))
            self._task_fingerprints[label] = found
        return found

    def steps(self, state: Any) -> tuple[list[Any], list[int]]:
        """The successors (in `successors` order) and the fingerprint of each one's task: what the
        liveness engine records. Authored models use their compiled table (when every action is
        ground: no domain depends on the state); others their labels."""
        indexed = getattr(self.model, "indexed_next_states", None) if getattr(self.model, "has_ground_table", False) else None
        if indexed is None:
            labelled = list(self.successors(state))
            return [nxt for _label, nxt in labelled], [self.task_fingerprint(label) for label, _nxt in labelled]
        if self._ground_tasks is None:
            self._ground_tasks = [self.task_fingerprint(label) for label in self.model.ground_actions()]
        states, positions = indexed(state)
        ground = self._ground_tasks
        return states, [ground[i] for i in positions]

    def title(self) -> str:
        """One line naming the model for report headers."""
        title = getattr(self.model, "title", None)
        return title() if callable(title) else type(self.model).__name__

    def options(self) -> dict[str, Any]:
        """The model's parameters, for report headers and trace files."""
        options = getattr(self.model, "options", None)
        return dict(options()) if callable(options) else {}

    def of_kind(self, *kinds: Kind) -> list[Property]:
        """The model's properties of the given kinds, in declaration order."""
        return [prop for prop in self.all_properties if prop.kind in kinds]


def _distinct(states: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for state in states:
        if state not in seen:
            seen.add(state)
            out.append(state)
    return out


def no_way_forward(here: int, successor_fingerprints: Iterable[int]) -> bool:
    """No step leads anywhere else: no successor, or only to the state itself (up to symmetry)."""
    return all(fingerprint == here for fingerprint in successor_fingerprints)


def is_stuck(view: ModelView, state: Any) -> bool:
    """`no_way_forward` for one state, computing its successors."""
    return no_way_forward(view.fingerprint(state), (view.fingerprint(nxt) for _label, nxt in view.successors(state)))
