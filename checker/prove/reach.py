"""The explicit engine judges a counterexample to induction: a breadth-first search of the model
(at the counterexample's sizes) for its state, and for a violation of the claim, tells a real bug
(with the shortest trace) from a state no run reaches (the invariant needs strengthening)."""
from typing import Any

import attrs
import z3

from checker.engine.explore import bfs
from checker.engine.search import Limits, Search, StopSearch
from checker.engine.signals import Terminated, sigterm_stops_search
from checker.engine.store import VisitedStore
from checker.errors import DefinitionError
from checker.model import ActionLabel, ModelView
from checker.properties import Kind, Property
from checker.prove.encoding import Encoding
from checker.prove.induction import Counterexample
from checker.trace import Step, Trace
from checker.verdict import StopReason

REACH_STATES = 200_000
REACH_SECONDS = 20.0
TARGET = "counterexample_state"


class EncodingDrift(DefinitionError):
    """The symbolic relation allows a step the explicit model does not take: the encoding has drifted."""


@attrs.frozen
class Judged:
    """What the explicit engine says of a counterexample to induction."""

    step: Trace  # the counterexample as a trace of one step (its first state is not an initial state)
    reached: Trace | None  # a shortest trace to the counterexample's first state, if reachable
    violation: Trace | None  # a shortest trace to a state breaking the claim, if the claim is the model's and breakable
    explanation: str
    exhaustive: bool  # the search saw every reachable state
    states: int
    stop: StopReason


def as_states(enc: Encoding, cex: Counterexample) -> tuple[Encoding, Trace]:
    """The counterexample in the explicit model of its sizes: a trace of its step (or of its initial state)."""
    sized = type(enc)(enc.instance(cex.sizes), parametric=False)
    before = sized.concrete(cex.before)
    if cex.action is None:
        return sized, Trace((Step(None, before),))
    after = sized.concrete(cex.after)
    return sized, Trace((Step(None, before), Step(_explicit_step(sized.model, before, cex.action, after), after)))


def _explicit_step(model: Any, before: Any, action: str, after: Any) -> ActionLabel:
    """The model's own label for the step the relation took; none at all means the encoding drifted."""
    for label, nxt in model.successors(before):
        if label.name == action and nxt == after:
            return label
    raise EncodingDrift(f"the symbolic relation of {action} leads from {before} to {after}, a step the model does not take: "
                        f"the encoding has drifted from the model")


def symbolic_claim(enc: Encoding, name: str) -> Property:
    """A lemma as a property of explicit states (the encoding judges each state: lemmas exist only symbolically)."""
    claim = enc.claims()[name][0]
    s = enc.state("e")
    solver = enc.solver()

    def holds(state: Any) -> bool:
        return solver.check(enc.equals(s, state), z3.Not(claim(s))) == z3.unsat
    return Property(name, Kind.ALWAYS, holds)


def judge(enc: Encoding, cex: Counterexample, max_states: int = REACH_STATES, seconds: float = REACH_SECONDS) -> Judged:
    """Search the model at the counterexample's sizes for its first state and for the claim's violation."""
    sized, step = as_states(enc, cex)
    view = ModelView(sized.model)
    target = view.fingerprint(step.steps[0].state)
    properties = [Property(TARGET, Kind.SOMETIMES, lambda s: view.fingerprint(s) == target)]
    claim = next((p for p in view.all_properties if p.name == cex.claim and p.kind is Kind.ALWAYS), None)
    properties.append(claim if claim is not None else symbolic_claim(sized, cex.claim))
    search = Search(view, properties, Limits(None, max_states, seconds, stop_on_first_violation=True))  # a violation is the answer
    try:
        with sigterm_stops_search():
            bfs(search, VisitedStore())
        stop = StopReason.EXHAUSTED
    except StopSearch as stopped:
        stop = stopped.reason
    except KeyboardInterrupt as stopped:  # Ctrl-C, or SIGTERM (Terminated)
        stop = StopReason.TERMINATED if isinstance(stopped, Terminated) else StopReason.INTERRUPTED
    reached = search.found[TARGET].trace() if TARGET in search.found else None
    violated = search.found.get(cex.claim)
    exhaustive = stop is StopReason.EXHAUSTED and not search.depth_cut
    return Judged(step, reached, violated.trace() if violated else None, violated.explanation if violated else "",
                  exhaustive, search.distinct, stop)
