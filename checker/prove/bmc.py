"""Bounded model checking: Z3 unrolls the transition relation k steps from the initial condition,
k = 0, 1, 2, ..., and asks for a state breaking an invariant at the last step; the first k that
gives one is the length of a shortest counterexample. The run it finds is decoded and replayed on
the explicit model step by step (a step the model does not take means the encoding drifted)."""
import time
from typing import Any, Callable

import attrs
import z3

from checker.model import ModelView
from checker.prove import solving
from checker.prove.encoding import Encoding, SymState
from checker.prove.reach import EncodingDrift
from checker.trace import Step, Trace


@attrs.frozen
class Bounded:
    """What bounded model checking found for each invariant: a trace, or none within `depth` steps."""

    traces: dict[str, Trace]
    depth: int  # the deepest unrolling checked
    complete: bool  # every invariant was checked at every depth up to `depth` (no timeout, no interruption)
    queries: int
    seconds: float
    stopped: str = ""  # why it stopped early ("" when it did not)


def bmc(enc: Encoding, invariants: list[str], max_depth: int, timeout_seconds: float = 60.0,
        progress: Callable[[int], None] | None = None) -> Bounded:
    """Look for a shortest run, of at most `max_depth` steps, that breaks each invariant."""
    started, queries = time.perf_counter(), 0
    claims = {name: enc.invariants()[name] for name in invariants}
    states = [enc.state("s0")]
    solver = enc.solver()
    solver.add(enc.init(states[0]))
    chosen: list[dict[str, z3.BoolRef]] = []
    traces: dict[str, Trace] = {}
    for depth in range(max_depth + 1):
        if progress is not None:
            progress(depth)
        if depth:
            states.append(enc.state(f"s{depth}"))
            taken = {a: z3.Bool(f"took.{depth}.{a}") for a in enc.steps()}
            for action, flag in taken.items():
                solver.add(z3.Implies(flag, enc.relation(action, states[-2], states[-1]).formula))
            solver.add(z3.Or(list(taken.values())))
            chosen.append(taken)
        for name, claim in claims.items():
            if name in traces:
                continue
            queries += 1
            answer = solving.check(solver, z3.Not(claim(states[-1])), seconds=timeout_seconds)
            if answer == z3.unknown:
                return Bounded(traces, depth, False, queries, time.perf_counter() - started, f"no answer within {timeout_seconds:g} s at depth {depth}")
            if answer == z3.sat:
                traces[name] = replay(enc, solver.model(), states, chosen)
        if len(traces) == len(claims):
            break
    return Bounded(traces, depth, True, queries, time.perf_counter() - started)


def replay(enc: Encoding, model: z3.ModelRef, states: list[SymState], chosen: list[dict[str, z3.BoolRef]]) -> Trace:
    """The solver's run as a trace of the explicit model: each step found among the model's own successors."""
    view = ModelView(enc.model)
    decoded = [enc.concrete(enc.values(model, s)) for s in states]
    if decoded[0] not in view.init_states:
        raise EncodingDrift(f"the encoding's initial condition allows {decoded[0]}, which is not an initial state of the model")
    steps = [Step(None, decoded[0])]
    for before, after, taken in zip(decoded, decoded[1:], chosen):
        actions = [a for a, flag in taken.items() if z3.is_true(model.eval(flag, model_completion=True))]
        label = next((label for label, nxt in view.successors(before) if label.name in actions and nxt == after), None)
        if label is None:
            raise EncodingDrift(f"the symbolic relation ({' or '.join(actions)}) leads from {before} to {after}, a step the model "
                                f"does not take: the encoding has drifted from the model")
        steps.append(Step(label, after))
    return Trace(tuple(steps))
