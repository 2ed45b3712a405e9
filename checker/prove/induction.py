"""Induction with Z3: a vacuity check, then initiation and consecution of every claim per action
family, keeping the largest set of claims that is inductive together (Houdini: a claim that fails
is dropped and the others are checked again without it, so a wrong lemma takes down only what
rests on it)."""
import time
from typing import Any

import attrs
import z3

from checker.prove import solving
from checker.prove.domains import Nodes, Quorums
from checker.prove.encoding import Claim, Encoding, SymState

PROVED, COUNTEREXAMPLE, UNKNOWN = "proved", "counterexample", "unknown"


@attrs.frozen
class Counterexample:
    """A state where the claims hold and a step of `action` to one where `claim` does not (a
    counterexample to induction), or, with `action` None, an initial state where it does not."""

    claim: str
    action: str | None
    before: dict[str, Any]
    after: dict[str, Any] | None
    sizes: dict[str, int]  # the node domains' sizes in the counterexample


@attrs.frozen
class ClaimVerdict:
    """One claim's outcome: proved, a counterexample, or unknown (the solver gave up)."""

    name: str
    lemma: bool
    status: str
    counterexample: Counterexample | None = None
    reason: str = ""


@attrs.frozen
class Proof:
    """The outcome of induction on one encoding."""

    claims: tuple[ClaimVerdict, ...]
    parametric: bool
    queries: int
    seconds: float
    vacuous: str = ""  # why the encoding proves nothing (an unsatisfiable initial condition or claim set), or ""
    never_enabled: tuple[str, ...] = ()  # action families no state satisfying the claims can take (asked for given sizes only:
    # for any number, finding a state is a search for a model with quantifiers, slow where proving is fast)

    def __getitem__(self, name: str) -> ClaimVerdict:
        return next(c for c in self.claims if c.name == name)


def prove(enc: Encoding, invariants: list[str], timeout_seconds: float = 30.0) -> Proof:
    """Check `invariants` (names of the encoding's invariants) and every lemma for induction."""
    started = time.perf_counter()
    every = enc.claims()
    claims = {name: claim for name, claim in every.items() if claim[1] or name in invariants}
    prover = _Prover(enc, timeout_seconds)
    s, t = enc.state("s"), enc.state("t")
    vacuous = prover.vacuity(s, [c for c, _ in claims.values()])
    if vacuous:
        verdicts = tuple(ClaimVerdict(n, lemma, UNKNOWN, None, vacuous) for n, (_c, lemma) in claims.items())
        return Proof(verdicts, enc.parametric, prover.queries, time.perf_counter() - started, vacuous)
    outcome: dict[str, ClaimVerdict] = {}
    for name, (claim, lemma) in claims.items():
        failed = prover.initiation(s, name, claim)
        if failed is not None:
            outcome[name] = attrs.evolve(failed, lemma=lemma)
    relations = {a: enc.relation(a, s, t) for a in enc.steps()}
    active = [n for n in claims if n not in outcome]
    never = () if enc.parametric else tuple(a for a, r in relations.items() if prover.never_enabled(s, [claims[n][0] for n in active], r.formula))
    while True:
        failures = {}
        for name in active:
            failed = prover.consecution(s, t, name, claims[name][0], [(n, claims[n][0]) for n in active], relations)
            if failed is not None:
                failures[name] = attrs.evolve(failed, lemma=claims[name][1])
        if not failures:
            break
        outcome.update(failures)
        active = [n for n in active if n not in failures]
    for name in active:
        outcome[name] = ClaimVerdict(name, claims[name][1], PROVED)
    return Proof(tuple(outcome[n] for n in claims), enc.parametric, prover.queries, time.perf_counter() - started, "", never)


class _Prover:
    """The solver queries of one proof, counted."""

    def __init__(self, enc: Encoding, timeout_seconds: float):
        self.enc, self.seconds, self.queries = enc, timeout_seconds, 0

    def check(self, solver: z3.Solver, *extra: z3.BoolRef) -> z3.CheckSatResult:
        self.queries += 1
        return solving.check(solver, *extra, seconds=self.seconds)

    def gave_up(self, solver: z3.Solver) -> str:
        """Why the solver answered unknown: the time limit, or its own reason."""
        reason = solver.reason_unknown()
        return f"no answer within {self.seconds:g} s" if reason in ("canceled", "timeout") else reason

    def vacuity(self, s: SymState, claims: list[Claim]) -> str:
        """Why the encoding would prove anything (no initial state, or no state satisfies the claims), or ""."""
        solver = self.enc.solver()
        if not self.enc.parametric:  # for given sizes the axioms are facts: checked, not assumed
            for axiom in self.enc.axioms():
                if self.check(z3.Solver(), z3.Not(axiom)) != z3.unsat:
                    return f"an axiom of the encoding does not hold for the given sizes: {axiom}"
        empty = (z3.unsat,) if self.enc.parametric else (z3.unsat, z3.unknown)  # for any number, finding a model may not end
        if self.check(solver, self.enc.init(s)) in empty:
            return "vacuous: no state satisfies the initial condition (or the solver could not find one)"
        if self.check(solver, z3.And([c(s) for c in claims])) in empty:
            return "vacuous: no state satisfies the invariants and lemmas together (or the solver could not find one)"
        return ""

    def initiation(self, s: SymState, name: str, claim: Claim) -> ClaimVerdict | None:
        """A verdict when an initial state breaks the claim (or the solver cannot tell), else None."""
        solver = self.enc.solver()
        answer = self.check(solver, self.enc.init(s), z3.Not(claim(s)))
        if answer == z3.unsat:
            return None
        if answer == z3.unknown:
            return ClaimVerdict(name, False, UNKNOWN, None, f"initiation: the solver gave up ({self.gave_up(solver)})")
        model = solver.model()
        universes = _universes(self.enc, model)
        cex = Counterexample(name, None, self.enc.values(model, s, universes), None, _sizes(self.enc, universes))
        return ClaimVerdict(name, False, COUNTEREXAMPLE, cex, "an initial state breaks it")

    def never_enabled(self, s: SymState, claims: list[Claim], relation: z3.BoolRef) -> bool:
        """True when no state satisfying the claims can take this action (worth a note: a claim may be too strong)."""
        return self.check(self.enc.solver(), z3.And([c(s) for c in claims]), relation) == z3.unsat

    def consecution(self, s: SymState, t: SymState, name: str, claim: Claim, active: list[tuple[str, Claim]],
                    relations: dict[str, Any]) -> ClaimVerdict | None:
        """A verdict when some action leads from a state satisfying the active claims to one breaking this claim, else None."""
        solver = self.enc.solver()
        solver.add(*[c(s) for _n, c in active])
        for action, relation in relations.items():
            answer = self.check(solver, relation.formula, z3.Not(claim(t)))
            if answer == z3.unknown:
                return ClaimVerdict(name, False, UNKNOWN, None, f"consecution by {action}: the solver gave up ({self.gave_up(solver)})")
            if answer == z3.sat:
                model = solver.model()
                universes = _universes(self.enc, model)
                cex = Counterexample(name, action, self.enc.values(model, s, universes), self.enc.values(model, t, universes),
                                     _sizes(self.enc, universes))
                return ClaimVerdict(name, False, COUNTEREXAMPLE, cex, f"a step of {action} breaks it")
        return None


def node_domains(enc: Encoding) -> list[Nodes]:
    """The encoding's node domains (its attributes that are Nodes)."""
    return [d for d in vars(enc).values() if isinstance(d, Nodes)]


def quorum_domains(enc: Encoding) -> list[Quorums]:
    """The encoding's quorum domains, whose intersection a proof for any number of nodes assumes."""
    return [d for d in vars(enc).values() if isinstance(d, Quorums)]


def _universes(enc: Encoding, model: z3.ModelRef) -> dict[str, list[z3.ExprRef]]:
    """The elements a Z3 model gives each node domain of any size (at least one each)."""
    found = {}
    for domain in node_domains(enc):
        if not domain.finite:
            found[domain.name] = list(model.get_universe(domain.sort) or []) or [domain.fresh(domain.name.lower())]
    return found


def _sizes(enc: Encoding, universes: dict[str, list[z3.ExprRef]]) -> dict[str, int]:
    """Each node domain's size in a counterexample: the given size, or the size of its universe."""
    return {d.name: (d.n if d.finite else len(universes[d.name])) for d in node_domains(enc)}
