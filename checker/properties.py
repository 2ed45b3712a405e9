"""Named correctness properties: invariants, transition checks, reachability witnesses, liveness."""
import enum
import functools
import types
from typing import Any, Callable

import attrs

from checker.errors import DefinitionError


class Kind(enum.Enum):
    """How a property is judged: over states, over steps, as a witness, or over infinite runs."""

    ALWAYS = "always"
    TRANSITION = "transition"
    SOMETIMES = "sometimes"
    EVENTUALLY = "eventually"
    LEADS_TO = "leads_to"
    DEADLOCK = "deadlock"
    LEMMA = "lemma"  # a claim of a proof's strengthening (checker/prove/), shown beside the properties it supports

    @property
    def is_liveness(self) -> bool:
        """Liveness kinds need the fairness engine, not a reachability search."""
        return self in (Kind.EVENTUALLY, Kind.LEADS_TO)


@attrs.frozen
class Property:
    """A property bound to one model instance; `check` takes a state (or before, action, after)."""

    name: str
    kind: Kind
    check: Callable[..., bool]
    explain: Callable[[Any], str] | None = None
    doc: str = ""
    needs: tuple[str, ...] = ()  # for witnesses: the faults without which no run can reach it
    once_faults_stop: bool = False  # liveness judged on the part of a run after its last fault
    by_default: bool = True  # checked when no property is named; False: only when selected by name

    def liveness_pair(self, state: Any) -> tuple[bool, bool]:
        """(p, q) of a liveness property at a state: `eventually P` is `initial ~> P`, so its p is True."""
        if self.kind is Kind.EVENTUALLY:
            return True, bool(self.check(state))
        p, q = self.check(state)
        return bool(p), bool(q)

    def explanation(self, *args: Any) -> str:
        """The model's own words on why this property fails at the given state, or ''."""
        if self.explain is None:
            return ""
        return str(self.explain(*args))


def validate_name(name: str) -> str:
    """Property names are identifiers, so the command line can select them."""
    if not name.isidentifier():
        raise DefinitionError(f"property name {name!r} is not an identifier")
    return name


class PropertySpec:
    """A property written as a model method; binds to each model instance."""

    def __init__(self, kind: Kind, fn: Callable[..., bool], needs: tuple[str, ...] = (), once_faults_stop: bool = False,
                 by_default: bool = True):
        self.kind = kind
        self.fn = fn
        self.needs = needs
        self.once_faults_stop = once_faults_stop
        self.by_default = by_default
        self.name = validate_name(fn.__name__)
        self.explain_fn: Callable[..., str] | None = None
        self.doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        functools.update_wrapper(self, fn)

    def explain(self, fn: Callable[..., str]) -> Callable[..., str]:
        """Decorator: the method that says, in the model's words, why a violating state is bad."""
        self.explain_fn = fn
        return fn

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return types.MethodType(self.fn, instance)

    def bind(self, model: Any) -> Property:
        """The property as a value for this model instance."""
        explain = types.MethodType(self.explain_fn, model) if self.explain_fn else None
        return Property(self.name, self.kind, types.MethodType(self.fn, model), explain, self.doc, self.needs,
                        self.once_faults_stop, self.by_default)


def always(fn: Callable[..., bool] | None = None, *, by_default: bool = True) -> Any:
    """An invariant: `fn(self, state)` is true in every reachable state. `by_default=False` checks
    it only when named (`--property`): one the design does not promise, kept to show that it fails."""
    if fn is not None:
        return PropertySpec(Kind.ALWAYS, fn)
    return lambda f: PropertySpec(Kind.ALWAYS, f, by_default=by_default)


def transition(fn: Callable[..., bool]) -> PropertySpec:
    """A step property: `fn(self, before, action, after)` is true for every reachable step."""
    return PropertySpec(Kind.TRANSITION, fn)


def sometimes(fn: Callable[..., bool] | None = None, *, needs: str | tuple[str, ...] = ()) -> Any:
    """A witness: some reachable state satisfies `fn(self, state)`, so a HOLDS is never vacuous.

    `@sometimes(needs="crash")` (or a tuple of fault kinds) says the witness cannot be reached
    without those faults: when the run's fault budget leaves one out, the witness is reported
    as not applicable instead of NOT REACHED, and fails nothing.

    A witness is also how to mark a state that is expected to be reachable only through a bug,
    like TLA+'s `NotSolved` trick: `@sometimes def solved(self, s): ...` is reported HOLDS with
    its trace (`--witnesses` prints it) when the search reaches such a state.
    """
    wanted = (needs,) if isinstance(needs, str) else tuple(needs)
    if fn is not None:
        return PropertySpec(Kind.SOMETIMES, fn)
    return lambda f: PropertySpec(Kind.SOMETIMES, f, wanted)


def eventually(fn: Callable[..., bool] | None = None, *, once_faults_stop: bool = False, by_default: bool = True) -> Any:
    """Liveness: every fair run reaches a state where `fn(self, state)` is true.

    `@eventually(once_faults_stop=True)`: every fair run with finitely many faults reaches such a
    state after its last fault ("once the faults stop, a leader is eventually elected"); faults
    may happen before, never in the part of the run that is judged. `by_default=False` checks it
    only when selected by name (`--property`), for models whose default runs must stay as they are.
    Fairness is the model's (`fairness`: by default every protocol step that stays enabled is
    eventually taken, and no fault is ever forced)."""
    if fn is not None:
        return PropertySpec(Kind.EVENTUALLY, fn)
    return lambda f: PropertySpec(Kind.EVENTUALLY, f, (), once_faults_stop, by_default)


def leads_to(fn: Callable[..., tuple[bool, bool]] | None = None, *, once_faults_stop: bool = False, by_default: bool = True) -> Any:
    """Liveness: `fn(self, state)` returns (p, q); on every fair run, whenever p holds, q holds
    then or later (TLA+'s p ~> q). The options are `eventually`'s: with once_faults_stop, a p
    after the last fault must be followed by q."""
    if fn is not None:
        return PropertySpec(Kind.LEADS_TO, fn)
    return lambda f: PropertySpec(Kind.LEADS_TO, f, (), once_faults_stop, by_default)
