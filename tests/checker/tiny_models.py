"""Tiny models for the checker's own tests: every count, verdict and trace is computed by hand.

Two authoring styles are covered:
- `Graph` implements the bare Model contract (init_states, successors, properties) over an
  explicit labelled graph, with the optional hooks (may_stop, within_boundary,
  check_deadlock) present only when asked for;
- the other models are `ProtocolModel` subclasses written as models/ are.

This directory has no __init__.py on purpose (a package named `checker` here would shadow the
real one); pytest puts it on sys.path, so tests import this module as `tiny_models`, and a
subprocess does the same with PYTHONPATH set (see test_program.py).
"""
from typing import Any, ClassVar, Iterable

import attrs

from checker import (
    ActionLabel,
    Kind,
    Property,
    ProtocolModel,
    action,
    always,
    eventually,
    leads_to,
    option,
    record,
    sometimes,
    transition,
)


class Graph:
    """A plain Model: an explicit labelled graph over hashable states.

    edges: state -> [(action name, next state), ...] in the order `successors` yields them;
    bad: states failing the invariant `never_bad`; goal: states witnessing `reach_goal`
    (the property exists only when goal is given); bad_steps: (before, after) pairs failing
    the transition property `good_step` (exists only when given); ends: states where a run
    may end (`may_stop`, defined only when given); deadlock=False sets check_deadlock = False;
    inside: the state constraint `within_boundary` (defined only when given).
    """

    def __init__(
        self,
        edges: dict[Any, list[tuple[str, Any]]],
        *,
        init: Iterable[Any] = (0,),
        bad: Iterable[Any] = (),
        goal: Iterable[Any] | None = None,
        bad_steps: Iterable[tuple[Any, Any]] | None = None,
        ends: Iterable[Any] | None = None,
        deadlock: bool = True,
        inside: Iterable[Any] | None = None,
    ):
        self.edges = edges
        self.init = list(init)
        self.bad = set(bad)
        self.goal = None if goal is None else set(goal)
        self.bad_steps = None if bad_steps is None else set(bad_steps)
        self.check_deadlock = deadlock
        if ends is not None:
            end_set = set(ends)
            self.may_stop = lambda state: state in end_set
        if inside is not None:
            inside_set = set(inside)
            self.within_boundary = lambda state: state in inside_set

    def init_states(self) -> list[Any]:
        return list(self.init)

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]:
        for name, nxt in self.edges.get(state, ()):
            yield ActionLabel(name), nxt

    def properties(self) -> list[Property]:
        props = [Property("never_bad", Kind.ALWAYS, lambda s: s not in self.bad)]
        if self.bad_steps is not None:
            props.append(Property("good_step", Kind.TRANSITION, lambda b, _a, t: (b, t) not in self.bad_steps))
        if self.goal is not None:
            props.append(Property("reach_goal", Kind.SOMETIMES, lambda s: s in self.goal))
        return props


# Hand-computed graphs. Counting convention (TLC's): generated = initial states + every
# successor computed; distinct = distinct states; depth = BFS levels, initial states at 1.

def cycle() -> Graph:
    """0 -a-> 1 -b-> 2 -c-> 0: generated 4, distinct 3, depth 3, no deadlock."""
    return Graph({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 0)]})


def diamond() -> Graph:
    """0 -left-> 1 -down-> 3 and 0 -right-> 2 -down-> 3; 3 may end: generated 5, distinct 4, depth 3."""
    return Graph({0: [("left", 1), ("right", 2)], 1: [("down", 3)], 2: [("down", 3)], 3: []}, ends={3})


def self_loop() -> Graph:
    """0 -stay-> 0, 0 -go-> 1, 1 -stay-> 1 (1 may end): generated 4, distinct 2, depth 2."""
    return Graph({0: [("stay", 0), ("go", 1)], 1: [("stay", 1)]}, ends={1})


def dead_ends(**kwargs: Any) -> Graph:
    """Dead states 3 (after a, c) and 5 (after b, e, f): the shortest deadlock trace is a(), c()."""
    edges = {0: [("b", 2), ("a", 1)], 1: [("c", 3)], 2: [("e", 4)], 3: [], 4: [("f", 5)], 5: []}
    return Graph(edges, **kwargs)


def two_roads(**kwargs: Any) -> Graph:
    """Bad state 9 by a long road (a, b, c: tried first) and a short one (d, e); 9 may end."""
    edges = {0: [("a", 1), ("d", 3)], 1: [("b", 2)], 2: [("c", 9)], 3: [("e", 9)], 9: []}
    return Graph(edges, bad={9}, ends={9}, **kwargs)


def chain(length: int, **kwargs: Any) -> Graph:
    """0 -step-> 1 -step-> ... -> length-1, which may end: `length` states, depth `length`."""
    edges = {i: [("step", i + 1)] for i in range(length - 1)}
    edges[length - 1] = []
    return Graph(edges, ends={length - 1}, **kwargs)


# ProtocolModel models.

@record
class Count:
    """A single counter."""

    x: int


@attrs.frozen
class Counter(ProtocolModel):
    """Counts up from 0 by one, forever: an infinite chain."""

    name: ClassVar[str] = "counter"
    bad: int = option(-1, help="the value the invariant forbids (-1: none)")
    goal: int = option(-1, help="the value the witness looks for (-1: none)")

    def init(self) -> Count:
        return Count(0)

    @action
    def inc(self, s: Count) -> Count:
        """Always enabled."""
        return s.evolve(x=s.x + 1)

    @always
    def not_bad(self, s: Count) -> bool:
        """x never equals `bad`."""
        return s.x != self.bad

    @sometimes
    def reaches_goal(self, s: Count) -> bool:
        """x reaches `goal`."""
        return s.x == self.goal


@attrs.frozen
class BoundedCounter(Counter):
    """The infinite counter under a state constraint x <= limit."""

    name: ClassVar[str] = "bounded_counter"
    limit: int = option(3, help="the state constraint: x <= limit")

    def within_boundary(self, s: Count) -> bool:
        return s.x <= self.limit


@record
class Lamps:
    """Which lights are on."""

    on: frozenset[int]


@attrs.frozen
class Lights(ProtocolModel):
    """n lights, each switched on and off freely: 2**n states, each with n successors."""

    name: ClassVar[str] = "lights"
    n: int = option(3, help="number of lights", min=1, max=6)

    @property
    def LIGHT(self) -> range:
        return range(self.n)

    def init(self) -> Lamps:
        return Lamps(frozenset())

    @action(i="LIGHT")
    def switch_on(self, s: Lamps, i: int) -> Lamps | None:
        """Light i goes on."""
        if i not in s.on:
            return s.evolve(on=s.on | {i})
        return None

    @action(i="LIGHT")
    def switch_off(self, s: Lamps, i: int) -> Lamps | None:
        """Light i goes off."""
        if i in s.on:
            return s.evolve(on=s.on - {i})
        return None

    @always
    def not_all_on(self, s: Lamps) -> bool:
        """Some light is off (false: reachable with n switch_on steps)."""
        return len(s.on) < self.n

    @not_all_on.explain
    def _all_on(self, s: Lamps) -> str:
        return f"all {self.n} lights are on"

    @always
    def at_most_n(self, s: Lamps) -> bool:
        """At most n lights are on (true)."""
        return len(s.on) <= self.n

    @transition
    def never_off(self, before: Lamps, act: ActionLabel, after: Lamps) -> bool:
        """No light is ever switched off (false: switch_on then switch_off)."""
        return before.on <= after.on

    @sometimes
    def some_on(self, s: Lamps) -> bool:
        """Some light is on."""
        return bool(s.on)


@attrs.frozen
class SymmetricLights(Lights):
    """Lights with full symmetry: a state is represented by how many lights are on (n + 1 classes)."""

    name: ClassVar[str] = "symmetric_lights"

    def representative(self, s: Lamps) -> int:
        return len(s.on)


@attrs.frozen
class Stuck(ProtocolModel):
    """Counts 0, 1, 2 and then has no step, and no may_stop: a deadlock after two inc()."""

    name: ClassVar[str] = "stuck"

    def init(self) -> Count:
        return Count(0)

    @action
    def inc(self, s: Count) -> Count | None:
        return s.evolve(x=s.x + 1) if s.x < 2 else None

    @always
    def small(self, s: Count) -> bool:
        """x stays at most 2 (true)."""
        return s.x <= 2


@attrs.frozen
class Fragile(ProtocolModel):
    """Counts 0..4; the model's own code raises at x == 2 in the place `where` names."""

    name: ClassVar[str] = "fragile"
    where: str = option("action", help="action, invariant, transition or witness")

    def init(self) -> Count:
        return Count(0)

    def may_stop(self, s: Count) -> bool:
        return s.x == 4

    def _boom(self, place: str, x: int) -> None:
        if self.where == place and x == 2:
            raise RuntimeError(f"boom in {place} at x=2")

    @action
    def inc(self, s: Count) -> Count | None:
        self._boom("action", s.x)
        return s.evolve(x=s.x + 1) if s.x < 4 else None

    @always
    def small(self, s: Count) -> bool:
        """x stays at most 4 (true)."""
        self._boom("invariant", s.x)
        return s.x <= 4

    @transition
    def by_one(self, before: Count, act: ActionLabel, after: Count) -> bool:
        """Each step adds one (true)."""
        self._boom("transition", before.x)
        return after.x == before.x + 1

    @sometimes
    def reaches_four(self, s: Count) -> bool:
        """x reaches 4."""
        self._boom("witness", s.x)
        return s.x == 4


class Flaky:
    """A plain model whose successors of "start" come in a different order on every call."""

    def __init__(self) -> None:
        self.calls = 0

    def init_states(self) -> list[str]:
        return ["start"]

    def successors(self, state: str) -> list[tuple[ActionLabel, str]]:
        if state != "start":
            return []
        self.calls += 1
        steps = [(ActionLabel("go_x"), "x"), (ActionLabel("go_y"), "y")]
        return steps if self.calls % 2 else steps[::-1]

    def may_stop(self, state: str) -> bool:
        return True

    def properties(self) -> list[Property]:
        return [Property("never_y", Kind.ALWAYS, lambda s: s != "y")]


@attrs.frozen
class Live(ProtocolModel):
    """Counts 0, 1, 2 and ends; has liveness properties besides an invariant."""

    name: ClassVar[str] = "live"

    def init(self) -> Count:
        return Count(0)

    def may_stop(self, s: Count) -> bool:
        return s.x == 2

    @action
    def inc(self, s: Count) -> Count | None:
        return s.evolve(x=s.x + 1) if s.x < 2 else None

    @always
    def in_range(self, s: Count) -> bool:
        """0 <= x <= 2."""
        return 0 <= s.x <= 2

    @eventually
    def finishes(self, s: Count) -> bool:
        """x eventually reaches 2."""
        return s.x == 2

    @leads_to
    def start_leads_to_end(self, s: Count) -> tuple[bool, bool]:
        """x == 0 leads to x == 2."""
        return s.x == 0, s.x == 2


@record
class Balance:
    """An account balance (negative when overdrawn)."""

    amount: int


@attrs.frozen
class Account(ProtocolModel):
    """Withdraw one at a time from 0 down to `floor`; the invariant allows an overdraft of one."""

    name: ClassVar[str] = "account"
    floor: int = option(-3, help="the lowest balance")

    def init(self) -> Balance:
        return Balance(0)

    def may_stop(self, s: Balance) -> bool:
        return s.amount == self.floor

    @action
    def withdraw(self, s: Balance) -> Balance | None:
        return s.evolve(amount=s.amount - 1) if s.amount > self.floor else None

    @always
    def overdraft_at_most_one(self, s: Balance) -> bool:
        """The balance never goes below -1 (false: two withdrawals)."""
        return s.amount >= -1


@record
class Noise:
    """A counter and two bits that matter to no property but the witness."""

    x: int
    a: bool = False
    b: bool = False


@attrs.frozen
class Noisy(ProtocolModel):
    """A counter to `top` with a reset and two toggles: random walks wander a lot before x == top."""

    name: ClassVar[str] = "noisy"
    top: int = option(3, help="the counter's maximum")
    limit: int = option(3, help="the invariant: x < limit")

    def init(self) -> Noise:
        return Noise(0)

    @action
    def inc(self, s: Noise) -> Noise | None:
        return s.evolve(x=s.x + 1) if s.x < self.top else None

    @action
    def reset(self, s: Noise) -> Noise | None:
        return s.evolve(x=0) if s.x > 0 else None

    @action
    def flip_a(self, s: Noise) -> Noise:
        return s.evolve(a=not s.a)

    @action
    def flip_b(self, s: Noise) -> Noise:
        return s.evolve(b=not s.b)

    @always
    def below_limit(self, s: Noise) -> bool:
        """x < limit."""
        return s.x < self.limit

    @sometimes
    def both_flipped(self, s: Noise) -> bool:
        """Both bits are set."""
        return s.a and s.b


# Records for test_record.py (module level, so that pickle finds them).

@record
class Point:
    """A record with a default."""

    x: int
    y: int = 0


@record
class Other:
    """The same fields as Point, a different class."""

    x: int
    y: int = 0


@record
class Empty:
    """A record without fields: a singleton."""


def verdicts(result: Any) -> dict[str, str]:
    """A result's verdicts by property name, as strings: {"never_bad": "HOLDS", ...}."""
    return {p.name: p.verdict.value for p in result.properties}
