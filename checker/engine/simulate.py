"""Seeded random simulation: many random walks from the initial states, never exhaustive.

For models too big to exhaust. Each walk picks uniformly among the enabled steps up to the
walk length (the depth limit, default 100). Counterexamples found this way are minimised
(checker/minimise.py) before they are shown. The same seed gives the same walks.
"""
import random
from typing import Any

from checker.engine.minimise import first_event, minimise
from checker.model import is_stuck, no_way_forward
from checker.properties import Kind
from checker.engine.search import Discovery, ModelRaised, Search
from checker.trace import Step, Trace

DEFAULT_WALK = 100


def simulate(search: Search, seed: int) -> set[int]:
    """Random walks until a limit stops the search; returns the fingerprints seen."""
    view = search.view
    rng = random.Random(seed)
    starts = [s for s in view.init_states if view.within_boundary(s)]
    walk_length = search.limits.max_depth or DEFAULT_WALK
    seen: set[int] = set()
    search.depth = 1 if starts else 0
    while starts:
        _walk(search, rng, rng.choice(starts), walk_length, seen)
        search.tick()
    return seen


def _walk(search: Search, rng: random.Random, state: Any, walk_length: int, seen: set[int]) -> None:
    view = search.view
    steps = [Step(None, state)]
    search.generated += 1
    _note(search, seen, state, steps)
    for depth in range(2, walk_length + 1):
        snapshot = tuple(steps)
        try:
            enabled = list(view.successors(state))
        except Exception as error:  # noqa: BLE001 - a model's own bug, reported with its trace
            raise ModelRaised(error, "computing successors", lambda: Trace(snapshot)) from error
        search.generated += len(enabled)
        view_fp = search.view.fingerprint
        if no_way_forward(view_fp(state), (view_fp(nxt) for _label, nxt in enabled)):
            search.judge_stuck(state, depth - 1, lambda: Trace(snapshot))
        if not enabled:
            return
        inside = [(label, nxt) for label, nxt in enabled if view.within_boundary(nxt)]
        if not inside:
            return
        label, nxt = rng.choice(inside)
        steps.append(Step(label, nxt))
        if search.step_checks:
            search.judge_step(state, label, nxt, depth, lambda done=tuple(steps): Trace(done))
        _note(search, seen, nxt, steps)
        search.depth = max(search.depth, depth)
        state = nxt
        if len(seen) % 1024 == 0:
            search.tick()


def _note(search: Search, seen: set[int], state: Any, steps: list[Step]) -> None:
    fingerprint = search.view.fingerprint(state)
    if fingerprint not in seen:
        search.stop_at_state_limit()
        seen.add(fingerprint)
        search.distinct = len(seen)
    done = tuple(steps)
    search.judge_states([state], len(steps), lambda _i: (lambda: Trace(done)))


def minimised(search: Search, name: str, discovery: Discovery) -> Discovery:
    """The discovery with its trace minimised for the property it belongs to."""
    view = search.view
    kind = next(p.kind for p in view.all_properties if p.name == name)
    prop = next(p for p in view.all_properties if p.name == name)
    if kind is Kind.ALWAYS:
        event = first_event(view, lambda _b, _a, after: not prop.check(after))
    elif kind is Kind.SOMETIMES:
        event = first_event(view, lambda _b, _a, after: bool(prop.check(after)))
    elif kind is Kind.TRANSITION:
        event = first_event(view, lambda before, action, after: action is not None and not prop.check(before, action, after))
    else:
        event = first_event(view, lambda _b, _a, after: is_stuck(view, after) and not view.may_stop(after))
    trace = minimise(view, discovery.trace(), event)
    return Discovery(len(trace) + 1, lambda: trace, discovery.explanation)
