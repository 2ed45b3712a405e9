"""A lasso made of real states: the model re-executed along the route the graph gave, and the
result checked as a counterexample before anyone sees it.

The graph holds fingerprints only (of symmetry classes, under symmetry), so the route is
re-executed from an initial state, choosing at each hop the successor with the fingerprint (and,
where the task matters, the task) the route names. The lasso is then judged on its concrete
states alone, as the property and the fairness define it: the engine trusts no shortcut of its
own (symmetry, the graph's bookkeeping) for a verdict of VIOLATED.
"""
from typing import Any, Callable

from checker.errors import NondeterministicModel
from checker.fairness import Fairness
from checker.model import ModelView
from checker.properties import Kind, Property
from checker.trace import Step, Trace


class NotRealized(Exception):
    """A route of symmetry classes has no concrete counterpart from the state reached (the model's
    representative is not canonical: one orbit has several fingerprints)."""


def realize(view: ModelView, start: Any, fingerprints: list[int], tasks: list[int | None],
            fingerprint: Callable[[Any], int], no_faults_after: int | None = None) -> list[Step]:
    """Re-execute the model from `start` through states with the given fingerprints (the first is
    the start's), taking steps of the given tasks (None: any task; no fault from hop
    `no_faults_after` on). A route of symmetry classes that cannot be followed raises NotRealized."""
    steps = [Step(None, start)]
    state = start
    for hop, (wanted, task) in enumerate(zip(fingerprints[1:], tasks)):
        for label, nxt in view.successors(state):
            if fingerprint(nxt) != wanted:
                continue
            task_of = view.task_fingerprint(label)
            if task is not None and task_of != task:
                continue
            if no_faults_after is not None and hop >= no_faults_after and view.tasks[task_of].fairness is Fairness.FAULT:
                continue
            steps.append(Step(label, nxt))
            state = nxt
            break
        else:
            if fingerprint is view.fingerprint and view.has_symmetry:
                raise NotRealized(hop)
            raise NondeterministicModel(f"rebuilding a liveness counterexample at step {hop + 1}: re-running the model gave "
                                        "other successors than during the search; " + NondeterministicModel.USUAL_CAUSES)
    return steps


def initial_state(view: ModelView, fingerprint_wanted: int, fingerprint: Callable[[Any], int]) -> Any:
    """The initial state with this fingerprint."""
    return next(state for state in view.init_states if fingerprint(state) == fingerprint_wanted)


def check_lasso(view: ModelView, prop: Property, trace: Trace, entry: int) -> None:
    """The lasso violates the property on a fair run, judged on its states alone; an engine bug otherwise."""
    states = [step.state for step in trace.steps]
    loop = trace.loop_start
    assert loop is not None
    p, _q = prop.liveness_pair(states[entry])
    _require(p, f"{prop.name}'s p does not hold where the run is said to enter it (step {entry})")
    _require(all(not prop.liveness_pair(s)[1] for s in states[entry:]),
             f"{prop.name} holds on the run after step {entry}" if prop.kind is Kind.EVENTUALLY else f"{prop.name}'s q holds after step {entry}")
    if prop.once_faults_stop:
        _require(all(view.tasks[view.task_fingerprint(step.action)].fairness is not Fairness.FAULT for step in trace.steps[entry + 1:]),
                 "a fault is injected after the run's entry, where the property judges a run without faults")
    if trace.stays_forever:
        _require(not _forced_enabled(view, states[-1]) and not view.cut_by_bounds(states[-1]),
                 "the run is said to stay in its last state forever, but a fair step is enabled there")
        return
    _require(states[-1] == states[loop], f"the cycle does not return to step {loop}")
    _require(_fair(view, states[loop:-1], [step.action for step in trace.steps[loop + 1:]]), "the cycle is not fair")


def _forced_enabled(view: ModelView, state: Any) -> set[int]:
    """The forced (weakly or strongly fair) tasks with a step that changes the state."""
    states, tasks = view.steps(state)
    return {task for nxt, task in zip(states, tasks) if nxt != state and view.tasks[task].fairness.forced}


def _fair(view: ModelView, cycle_states: list[Any], actions: list[Any]) -> bool:
    """One turn of a cycle (its states, and the actions leading from each to the next) is fair."""
    taken = {view.task_fingerprint(action) for action in actions}
    enabled = [_forced_enabled(view, state) for state in cycle_states]
    everywhere = set.intersection(*enabled) if enabled else set()
    anywhere = set.union(*enabled) if enabled else set()
    weak_missed = {t for t in everywhere - taken if view.tasks[t].fairness is Fairness.WEAK}
    strong_missed = {t for t in anywhere - taken if view.tasks[t].fairness is Fairness.STRONG}
    cut_throughout = all(view.cut_by_bounds(state) for state in cycle_states)
    return not weak_missed and not strong_missed and not cut_throughout


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f"liveness: a counterexample failed its own check: {what} (an engine bug: please report it)")
