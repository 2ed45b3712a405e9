"""Tiny models for the liveness engine's tests (test_liveness.py): every verdict, lasso and count is
computed by hand in the test that uses it.

- `Live` implements the bare Model contract over an explicit labelled graph with the liveness
  hooks: each action's fairness, states the model's own bounds cut, a state constraint, and one
  liveness property (`eventually` a goal, or `p ~> q`).
- `Ring` is a bare model with symmetry: three interchangeable nodes pass a token around a ring and
  each must be served once while it holds the token; `representative` rotates the token to node 0.
- `Switches` is a ProtocolModel with 2**13 + 2 states, big enough for the parallel search to split
  (its 6th level has C(13, 5) = 1,287 states): every switch is turned on, then a ping-pong cycle
  with an exit enabled only half of the time.

Like tiny_models.py, imported as a top-level module (tests/checker has no __init__.py).
"""
from typing import Any, ClassVar, Iterable

import attrs

from checker import ActionLabel, Kind, Property, ProtocolModel, action, eventually, record
from checker.fairness import Fairness


class Live:
    """A plain Model over an explicit labelled graph, with one liveness property.

    edges: state -> [(action name, next state), ...]; fair: action name -> "weak" (the default),
    "strong", "unfair" or "fault"; goal: the states of `eventually reach` (checked when `leads`
    is None); leads: (p states, q states) of `p_leads_to_q`; cut: the states where the model's own
    bounds cut a step; inside: the state constraint (defined only when given);
    once_faults_stop: the property's option.
    """

    check_deadlock = False

    def __init__(self, edges: dict[Any, list[tuple[str, Any]]], *, goal: Iterable[Any] = (),
                 leads: tuple[Iterable[Any], Iterable[Any]] | None = None, fair: dict[str, str] | None = None,
                 init: Iterable[Any] = (0,), cut: Iterable[Any] = (), inside: Iterable[Any] | None = None,
                 once_faults_stop: bool = False):
        self.edges = edges
        self.goal = set(goal)
        self.leads = None if leads is None else (set(leads[0]), set(leads[1]))
        self.fair = dict(fair or {})
        self.init = list(init)
        self.cut = set(cut)
        self.once_faults_stop = once_faults_stop
        if inside is not None:
            inside_set = set(inside)

            def within_boundary(state: Any) -> bool:
                """the listed states"""
                return state in inside_set

            self.within_boundary = within_boundary

    def init_states(self) -> list[Any]:
        return list(self.init)

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]:
        for name, nxt in self.edges.get(state, ()):
            yield ActionLabel(name), nxt

    def fairness_of(self, label: ActionLabel) -> Fairness:
        return Fairness(self.fair.get(label.name, "weak"))

    def cut_by_bounds(self, state: Any) -> bool:
        """the last round"""
        return state in self.cut

    def properties(self) -> list[Property]:
        if self.leads is not None:
            p, q = self.leads
            return [Property("p_leads_to_q", Kind.LEADS_TO, lambda s: (s in p, s in q), once_faults_stop=self.once_faults_stop)]
        return [Property("reach", Kind.EVENTUALLY, lambda s: s in self.goal, once_faults_stop=self.once_faults_stop)]


class Ring:
    """Three nodes on a ring pass a token (`pass_token(i)` at the holder i) and each must be served once
    (`serve(i)`, enabled while node i holds the token and is not yet served): `all_served` holds when
    serving is strongly fair and fails when it is weakly fair (the token may go round forever), or
    when passing the token is unfair (it may stay at node 0 once node 0 is served).
    A state is (holder, served flags); with symmetry, its representative is its rotation that puts
    the token at node 0 (8 classes of 24 states)."""

    check_deadlock = False
    N = 3

    def __init__(self, serve: str = "weak", pass_token: str = "weak"):
        self.serve = Fairness(serve)
        self.pass_token = Fairness(pass_token)

    def init_states(self) -> list[Any]:
        return [(0, (False,) * self.N)]

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]:
        holder, served = state
        if not served[holder]:
            yield ActionLabel("serve", (("i", holder),)), (holder, served[:holder] + (True,) + served[holder + 1:])
        yield ActionLabel("pass_token", (("i", holder),)), ((holder + 1) % self.N, served)

    def fairness_of(self, label: ActionLabel) -> Fairness:
        return self.serve if label.name == "serve" else self.pass_token

    def properties(self) -> list[Property]:
        return [Property("all_served", Kind.EVENTUALLY, lambda s: all(s[1]))]


class SymmetricRing(Ring):
    """The ring with rotation symmetry."""

    def representative(self, state: Any) -> Any:
        holder, served = state
        return 0, served[holder:] + served[:holder]


@record
class Panel:
    """Which switches are on, and the phase once they all are: "ping", "pong" or "done"."""

    on: frozenset
    phase: str


@attrs.frozen
class Switches(ProtocolModel):
    """13 switches are turned on, one at a time; then the panel plays ping-pong, and from "pong" it
    may finish. `finishes` fails when `finish` is weakly fair (it is enabled only at "pong") and
    holds when it is strongly fair."""

    name: ClassVar[str] = "switches"
    check_deadlock: ClassVar[bool] = False
    N: ClassVar[int] = 13

    @property
    def SWITCH(self) -> range:
        return range(self.N)

    def init(self) -> Panel:
        return Panel(frozenset(), "ping")

    @action(i="SWITCH")
    def turn_on(self, s: Panel, i: int) -> Panel | None:
        """Switch i goes on (and stays on)."""
        return s.evolve(on=s.on | {i}) if i not in s.on else None

    @action
    def ping(self, s: Panel) -> Panel | None:
        """All on: ping goes to pong."""
        return s.evolve(phase="pong") if len(s.on) == self.N and s.phase == "ping" else None

    @action
    def pong(self, s: Panel) -> Panel | None:
        """Pong goes back to ping."""
        return s.evolve(phase="ping") if s.phase == "pong" else None

    @action
    def finish(self, s: Panel) -> Panel | None:
        """From pong, the panel may finish."""
        return s.evolve(phase="done") if s.phase == "pong" else None

    @eventually
    def finishes(self, s: Panel) -> bool:
        """The panel eventually finishes."""
        return s.phase == "done"


@attrs.frozen
class StrongSwitches(Switches):
    """The same panel with `finish` strongly fair."""

    name: ClassVar[str] = "strong_switches"
    fairness: ClassVar[dict[str, str]] = {"finish": "strong"}


class TaggedRing(SymmetricRing):
    """The symmetric ring with a constant tag in every state, (holder, served flags, tag): the tag changes
    nothing but the states' fingerprints (with tag 24, the 3 states of no node served all fingerprint
    below 0)."""

    def __init__(self, tag: int, serve: str = "weak"):
        super().__init__(serve)
        self.tag = tag

    def init_states(self) -> list[Any]:
        return [state + (self.tag,) for state in super().init_states()]

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]:
        for label, nxt in super().successors(state[:2]):
            yield label, nxt + (self.tag,)

    def representative(self, state: Any) -> Any:
        return super().representative(state[:2]) + (self.tag,)
