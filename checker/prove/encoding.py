"""A model's symbolic form, which a model opts into: its state as Z3 terms (one per field, an array
where a field is indexed by nodes or ballots), its initial condition, one transition relation per
action family (named as the model's action, guard and effect together, frame conditions generated
from the fields it leaves alone), its invariants (named as the model's `always` properties) and
the lemmas that strengthen them, and the map between explicit and symbolic states.

A subclass per model (see models/commit/tcommit_proof.py), which the model names in its class
attribute `symbolic_form` ("module:Class", imported only when a proof is asked for, so the model
file never imports its form): `setup` declares the domains and
fields, `init`, the `@step` methods, `invariants`, `lemmas`, `abstract` (an explicit state's
field values) and `concrete` (an explicit state from field values). Built with `parametric=True`,
node sets are uninterpreted sorts: what is proved holds for any number of nodes. An array's cells
outside its index ranges (an integer-indexed array beyond its range) hold the range's first value
(False for a flag); an initial condition pins whole arrays (`constant`), so they stay so.
"""
import importlib
import itertools
from typing import Any, Callable, ClassVar, Iterator, Mapping

import attrs
import z3

from checker.errors import DefinitionError
from checker.prove.domains import Domain, IntRange

Claim = Callable[["SymState"], z3.BoolRef]
FIELD_TYPES = "field_types"  # the generated lemma that every field holds values of its range


@attrs.frozen
class Field:
    """One state variable: a value of `range`, or (with `index`) a function from the index domains to it."""

    name: str
    range: Domain
    index: tuple[Domain, ...] = ()
    ghost: bool = False  # an auxiliary variable: written by steps, read only by claims and other ghosts (not in the model's state)

    @property
    def sort(self) -> z3.SortRef:
        if not self.index:
            return self.range.sort
        return z3.ArraySort(*[d.sort for d in self.index], self.range.sort)

    def indices(self) -> Iterator[tuple[Any, ...]]:
        """Every index, as Python values (finite index domains only)."""
        return itertools.product(*[d.python_values() for d in self.index])


class SymState:
    """One state's variables as Z3 constants, read as attributes: `s.rm_state`."""

    def __init__(self, fields: tuple[Field, ...], prefix: str):
        self.fields = fields
        self.terms = {f.name: z3.Const(f"{prefix}.{f.name}", f.sort) for f in fields}

    def __getattr__(self, name: str) -> z3.ExprRef:
        try:
            return self.__dict__["terms"][name]
        except KeyError:
            raise AttributeError(f"the symbolic state has no field {name!r}") from None


@attrs.frozen
class When:
    """A step's guard and effect together: the fields it sets, by name; the others keep their values."""

    guard: z3.BoolRef
    updates: Mapping[str, z3.ExprRef]


def when(guard: Any, **updates: z3.ExprRef) -> When:
    """`when(s.rm_state[rm] == WORKING, rm_state=Store(s.rm_state, rm, PREPARED))`."""
    return When(z3.BoolVal(guard) if isinstance(guard, bool) else guard, updates)


def step(**params: str) -> Callable[[Callable[..., When]], Callable[..., When]]:
    """Mark a method as the relation of the model's action of the same name; each parameter names
    the domain (an attribute of the encoding) it ranges over, as `@action` names the model's."""
    def mark(method: Callable[..., When]) -> Callable[..., When]:
        method.__step_params__ = dict(params)  # type: ignore[attr-defined]
        return method
    return mark


@attrs.frozen
class Relation:
    """One action family's transition relation between two symbolic states (its parameters free constants in it)."""

    action: str
    formula: z3.BoolRef


class Encoding:
    """A model's symbolic form (subclass per model; see the module's docstring)."""

    fields: tuple[Field, ...]
    for_any_size: ClassVar[bool] = True  # False: node domains are only ever of the given sizes (no proof for any number)

    def __init__(self, model: Any, parametric: bool = False):
        self.model, self.parametric = model, parametric
        self.setup()
        self._steps = self._collect_steps()
        self._check_names()

    # what a subclass writes
    def setup(self) -> None:
        """Declare the domains (attributes) and `self.fields`."""
        raise NotImplementedError

    def init(self, s: SymState) -> z3.BoolRef:
        """The initial condition."""
        raise NotImplementedError

    def invariants(self) -> dict[str, Claim]:
        """The model's `always` properties this encoding states, by the model's names."""
        raise NotImplementedError

    def lemmas(self) -> dict[str, Claim]:
        """The strengthening: claims that make the invariants inductive (none by default)."""
        return {}

    def claims(self) -> dict[str, tuple[Claim, bool]]:
        """Every claim of a proof, with whether it is a lemma: the invariants, the lemmas, and (where a
        field ranges over an integer interval) the generated `field_types`, proved like any lemma."""
        found = {name: (claim, False) for name, claim in self.invariants().items()}
        found.update({name: (claim, True) for name, claim in self.lemmas().items()})
        if any(isinstance(f.range, IntRange) for f in self.fields):
            found[FIELD_TYPES] = (self.field_types, True)
        return found

    def axioms(self) -> list[z3.BoolRef]:
        """What every query assumes: the axioms of the encoding's domains (quorums intersect)."""
        if "_axioms" not in vars(self):
            self._axioms = [axiom for domain in list(vars(self).values()) if isinstance(domain, Domain) for axiom in domain.axioms()]
        return self._axioms

    def constant(self, f: Field, value: Any) -> z3.ExprRef:
        """The value of field f whose every cell is `value` (an initial condition: every index, in range or not)."""
        return _constant_array(f, f.range.term(value)) if f.index else f.range.term(value)

    def solver(self) -> z3.Solver:
        """A solver that assumes the encoding's axioms (limits per query: checker/prove/solving.py)."""
        solver = z3.Solver()
        solver.add(*self.axioms())
        return solver

    def field_types(self, s: SymState) -> z3.BoolRef:
        """Every field holds values of its range (an integer interval constrains; other sorts are exact)."""
        parts = []
        for f in self.fields:
            term = getattr(s, f.name)
            if not f.index:
                parts.append(f.range.contains(term))
                continue
            parts.append(_for_every_index(f.index, lambda *i, term=term, f=f: f.range.contains(z3.Select(term, *i))))
        return z3.And(parts)

    def abstract(self, state: Any) -> dict[str, Any]:
        """An explicit state's field values: a plain value, or for an indexed field a function of its indices."""
        raise NotImplementedError

    def concrete(self, values: dict[str, Any]) -> Any:
        """The explicit state with these field values (an indexed field's value: a dict from index tuples)."""
        raise NotImplementedError

    def sizes(self) -> dict[str, int]:
        """The sizes of the node domains in the explicit model, by domain name."""
        return {}

    def instance(self, sizes: dict[str, int]) -> Any:
        """The explicit model for node domains of these sizes (for a counterexample found for any number)."""
        return self.model

    # what the engine uses
    @property
    def title(self) -> str:
        return type(self).__name__

    def state(self, prefix: str) -> SymState:
        """Fresh variables for one state."""
        return SymState(self.fields, prefix)

    def steps(self) -> list[str]:
        """The action families, in declaration order."""
        return list(self._steps)

    def relation(self, action: str, s: SymState, t: SymState) -> Relation:
        """The transition relation of one action family from s to t, frame conditions included."""
        method, params = self._steps[action]
        args = {name: (domain, domain.fresh(f"{action}.{name}")) for name, domain in params.items()}
        effect = method(s, **{name: term for name, (_d, term) in args.items()})
        unknown = set(effect.updates) - {f.name for f in self.fields}
        if unknown:
            raise DefinitionError(f"{self.title}.{action} sets {', '.join(sorted(unknown))}, which the state does not have")
        self._check_ghosts_unread(action, s, effect)
        parts = [d.contains(term) for d, term in args.values()] + [effect.guard]
        for f in self.fields:
            parts.append(getattr(t, f.name) == (effect.updates[f.name] if f.name in effect.updates else getattr(s, f.name)))
        return Relation(action, z3.And(parts))

    def equals(self, s: SymState, state: Any) -> z3.BoolRef:
        """The constraint that s is the given explicit state (ghost fields are left free)."""
        values = self.abstract(state)
        return z3.And([getattr(s, f.name) == self.term(f, values[f.name]) for f in self.fields if not f.ghost])

    def _check_ghosts_unread(self, action: str, s: SymState, effect: When) -> None:
        """A ghost field may be read by claims and by ghost updates only: were a guard or a real field's
        update to read one, the symbolic steps would depend on a value the model does not have."""
        ghosts = {getattr(s, f.name).get_id(): f.name for f in self.fields if f.ghost}
        if not ghosts:
            return
        real = [effect.guard] + [term for name, term in effect.updates.items() if not self._field(name).ghost]
        for term in real:
            read = _constants(term) & set(ghosts)
            if read:
                raise DefinitionError(f"{self.title}.{action} reads the ghost field {ghosts[read.pop()]} in its guard or in a "
                                      f"real field's update: a ghost is written by steps and read only by claims")

    def _field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def term(self, f: Field, value: Any) -> z3.ExprRef:
        """A field's Python value as a Z3 term (an indexed field's value: a function or a mapping)."""
        if not f.index:
            return f.range.term(value)
        at = value if callable(value) else (lambda *index: value[index])
        cells = [(index, at(*index)) for index in f.indices()]
        default = f.range.default()  # canonical outside the index ranges: False, the lowest, the first
        array = _constant_array(f, f.range.term(default))
        for index, cell in cells:
            if cell != default:
                array = z3.Store(array, *[d.term(i) for d, i in zip(f.index, index)], f.range.term(cell))
        return array

    def values(self, model: z3.ModelRef, s: SymState, universes: dict[str, list[z3.ExprRef]] | None = None) -> dict[str, Any]:
        """The field values of s in a Z3 model: plain values, or dicts from index tuples."""
        found: dict[str, Any] = {}
        for f in self.fields:
            term = getattr(s, f.name)
            if not f.index:
                found[f.name] = f.range.value(model.eval(term, model_completion=True))
                continue
            elements = [d.elements() if d.finite else (universes or {})[d.name] for d in f.index]
            cells = {}
            for combo in itertools.product(*elements):
                index = tuple(d.value(e, (universes or {}).get(d.name)) for d, e in zip(f.index, combo))
                cells[index] = f.range.value(model.eval(z3.Select(term, *combo), model_completion=True))
            found[f.name] = cells
        return found

    def _collect_steps(self) -> dict[str, tuple[Callable[..., When], dict[str, Domain]]]:
        steps = {}
        for name in _declared_order(type(self)):
            method = getattr(self, name)
            params = getattr(method, "__step_params__", None)
            if params is None:
                if any(hasattr(vars(klass).get(name), "__step_params__") for klass in type(self).__mro__):
                    raise DefinitionError(f"{self.title}.{name} overrides a step without @step: the action would silently "
                                          f"leave the relation (mark the override @step(...) as well)")
                continue
            domains = {}
            for param, domain_name in params.items():
                domain = getattr(self, domain_name, None)
                if not isinstance(domain, Domain):
                    raise DefinitionError(f"{self.title}.{name}: parameter {param} ranges over {domain_name!r}, which is not a domain of the encoding")
                domains[param] = domain
            steps[name] = (method, domains)
        return steps

    def _check_names(self) -> None:
        """Eagerly: every step names an action of the model, every invariant an `always` property."""
        actions = set(_action_names(self.model))
        if actions:
            unknown = [name for name in self._steps if name not in actions]
            if unknown:
                raise DefinitionError(f"{self.title}: step {unknown[0]!r} is not an action of {type(self.model).__name__} (its actions: {', '.join(sorted(actions))})")
        always = {p.name for p in self.model.properties() if p.kind.value == "always"}
        unknown = [name for name in self.invariants() if name not in always]
        if unknown:
            raise DefinitionError(f"{self.title}: invariant {unknown[0]!r} is not an always property of {type(self.model).__name__}")
        clash = set(self.invariants()) & set(self.lemmas())
        if clash:
            raise DefinitionError(f"{self.title}: {sorted(clash)[0]!r} is both an invariant and a lemma")


def _for_every_index(domains: tuple[Domain, ...], body: Callable[..., z3.BoolRef], bound: tuple[z3.ExprRef, ...] = ()) -> z3.BoolRef:
    """body over every combination of indices from `domains` (each domain quantifies its own way)."""
    if not domains:
        return body(*bound)
    return domains[0].forall(lambda x: _for_every_index(domains[1:], body, bound + (x,)))


def symbolic_form(model: Any, parametric: bool = False) -> "Encoding | None":
    """The model's symbolic form, built: its class attribute `symbolic_form` names the Encoding class
    ("module:Class", imported only now, or the class itself), None when it has none. `parametric`
    is honoured where the form is `for_any_size`."""
    named = getattr(model, "symbolic_form", None)
    if named is None:
        return None
    if isinstance(named, str):
        module, _, attribute = named.partition(":")
        named = getattr(importlib.import_module(module), attribute)
    return named(model, parametric and named.for_any_size)


def _constants(term: z3.ExprRef) -> set[int]:
    """The ids of the uninterpreted constants a term mentions."""
    found, seen, todo = set(), set(), [term]
    while todo:
        node = todo.pop()
        if node.get_id() in seen:
            continue
        seen.add(node.get_id())
        if z3.is_const(node) and node.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            found.add(node.get_id())
        elif z3.is_quantifier(node):
            todo.append(node.body())
        elif z3.is_app(node):
            todo.extend(node.children())
    return found


def _constant_array(f: Field, value: z3.ExprRef) -> z3.ExprRef:
    """The array of f's sort whose every cell is `value`."""
    if len(f.index) == 1:
        return z3.K(f.index[0].sort, value)
    return z3.Lambda([z3.Const(f"{f.name}.{i}", d.sort) for i, d in enumerate(f.index)], value)


def _declared_order(cls: type) -> list[str]:
    """Method names in declaration order, base classes first."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        names += [n for n in vars(klass) if n not in names]
    return names


def _action_names(model: Any) -> list[str]:
    """The names of the model's actions, when it declares them (authoring's ground actions)."""
    ground = getattr(model, "ground_actions", None)
    return sorted({label.name for label in ground()}) if callable(ground) else []
