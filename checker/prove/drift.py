"""The encoding cannot drift from the model: on a small instance, every reachable explicit state is
compared with the symbolic form. Each explicit step must satisfy its action's relation, the relation
must allow no successor the model lacks, the initial conditions must agree, each invariant must
say what the model's property says, each lemma must hold, and a state must survive the trip to
field values and back."""
import collections
from typing import Any

import attrs
import z3

from checker.model import ModelView
from checker.prove.encoding import Encoding

MAX_STATES = 20_000


@attrs.frozen
class DriftReport:
    """What the comparison covered and every disagreement found (empty: none)."""

    states: int
    steps: int
    queries: int
    problems: tuple[str, ...]


def drift(enc: Encoding, max_states: int = MAX_STATES, most_problems: int = 10, lemmas: bool = True) -> DriftReport:
    """Compare the encoding with its model on every reachable state (at most `max_states`); `lemmas`
    False skips checking that the lemmas hold (a bug variant breaks them, as it should)."""
    view = ModelView(enc.model)
    problems: list[str] = []
    s, t = enc.state("s"), enc.state("t")
    relations = {a: enc.relation(a, s, t) for a in enc.steps()}
    queries = _initial(enc, view, problems)
    seen, frontier, steps = set(view.init_states), collections.deque(view.init_states), 0
    properties = {p.name: p for p in view.all_properties}
    negated = {name: (z3.Not(claim(s)), lemma) for name, (claim, lemma) in enc.claims().items() if lemmas or not lemma}
    while frontier and len(problems) < most_problems:
        state = frontier.popleft()
        solver = enc.solver()
        solver.add(enc.equals(s, state))
        queries += _round_trip(enc, solver, s, state, problems)
        queries += _claims(solver, state, negated, properties, problems)
        successors = list(view.successors(state))
        for action, relation in relations.items():
            mine = [nxt for label, nxt in successors if label.name == action]
            for label, nxt in successors:
                if label.name == action:
                    steps += 1
                    queries += 1
                    answer = solver.check(relation.formula, enc.equals(t, nxt))
                    if answer != z3.sat:
                        unknown = f" (the solver could not tell: {solver.reason_unknown()})" if answer == z3.unknown else ""
                        problems.append(f"the step {label} from {state} is not allowed by the relation of {action}{unknown}")
            queries += 1
            answer = solver.check(relation.formula, *[z3.Not(enc.equals(t, nxt)) for nxt in mine])
            if answer == z3.sat:
                extra = enc.concrete(enc.values(solver.model(), t))
                where = " (it differs from the model's successor only in cells outside the index ranges)" if extra in mine else ""
                problems.append(f"the relation of {action} allows {extra} from {state}, which the model does not{where}")
            elif answer == z3.unknown:
                problems.append(f"the solver could not tell whether the relation of {action} allows more than the model from {state}")
        for _label, nxt in successors:
            if nxt not in seen and len(seen) < max_states:
                seen.add(nxt)
                frontier.append(nxt)
    return DriftReport(len(seen), steps, queries, tuple(problems))


def _initial(enc: Encoding, view: ModelView, problems: list[str]) -> int:
    """The initial states agree: each explicit one satisfies `init`, and `init` allows no other."""
    s = enc.state("s")
    solver = enc.solver()
    for state in view.init_states:
        if solver.check(enc.init(s), enc.equals(s, state)) != z3.sat:
            problems.append(f"the initial state {state} does not satisfy the encoding's initial condition")
    if solver.check(enc.init(s), *[z3.Not(enc.equals(s, state)) for state in view.init_states]) == z3.sat:
        problems.append(f"the encoding's initial condition allows {enc.concrete(enc.values(solver.model(), s))}, which the model does not")
    return len(view.init_states) + 1


def _round_trip(enc: Encoding, solver: z3.Solver, s: Any, state: Any, problems: list[str]) -> int:
    """The state, pinned symbolically and read back, is the same state."""
    if solver.check() != z3.sat:
        problems.append(f"the encoding cannot represent {state}")
        return 1
    back = enc.concrete(enc.values(solver.model(), s))
    if back != state:
        problems.append(f"{state} comes back from its field values as {back}")
    return 1


def _claims(solver: z3.Solver, state: Any, negated: dict[str, tuple[z3.BoolRef, bool]], properties: dict[str, Any],
            problems: list[str]) -> int:
    """Each invariant agrees with the model's property here, and each lemma holds (reachable states satisfy lemmas)."""
    for name, (negation, lemma) in negated.items():
        holds = solver.check(negation) == z3.unsat
        if lemma and not holds:
            problems.append(f"lemma {name} is false at the reachable state {state}")
        elif not lemma and holds != bool(properties[name].check(state)):
            problems.append(f"invariant {name} is {holds} symbolically but {not holds} in the model at {state}")
    return len(negated)
