"""The sets a symbolic encoding ranges over: node sets (a given number, or any number as an
uninterpreted sort), enumerations of Python values, and ranges of integers; each knows its Z3 sort,
how to quantify over it, and how a Python value and a Z3 value correspond."""
import itertools
from typing import Any, Callable, Hashable, Sequence

import z3

_ENUMS: dict[tuple[str, tuple[str, ...]], tuple[z3.SortRef, list[z3.ExprRef]]] = {}
_fresh = itertools.count()


def enum_sort(name: str, names: Sequence[str]) -> tuple[z3.SortRef, list[z3.ExprRef]]:
    """Z3's enumeration sort, declared once per name and elements (Z3 refuses a second declaration)."""
    key = (name, tuple(names))
    if key not in _ENUMS:
        _ENUMS[key] = z3.EnumSort(f"{name}_{len(_ENUMS)}" if any(k[0] == name for k in _ENUMS) else name, list(names))
    return _ENUMS[key]


class Domain:
    """A set a state field is indexed by or ranges over."""

    name: str
    sort: z3.SortRef
    finite: bool = True

    def elements(self) -> list[z3.ExprRef]:
        """Every element, as Z3 terms (finite domains only)."""
        raise NotImplementedError

    def term(self, value: Any) -> z3.ExprRef:
        """The Z3 term of a Python value."""
        raise NotImplementedError

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> Any:
        """The Python value of a Z3 value (a model's evaluation of a term)."""
        raise NotImplementedError

    def contains(self, term: z3.ExprRef) -> z3.BoolRef:
        """The constraint that a term of this sort is an element (integer ranges constrain)."""
        return z3.BoolVal(True)

    def fresh(self, hint: str) -> z3.ExprRef:
        """A new constant of this sort, for a step's parameter or a bound variable."""
        return z3.Const(f"{hint}!{next(_fresh)}", self.sort)

    def forall(self, body: Callable[[z3.ExprRef], z3.BoolRef]) -> z3.BoolRef:
        """For every element, body: a conjunction over the elements of a finite domain."""
        if self.finite:
            return z3.And([body(e) for e in self.elements()])
        x = self.fresh(self.name.lower())
        return z3.ForAll([x], z3.Implies(self.contains(x), body(x)))

    def exists(self, body: Callable[[z3.ExprRef], z3.BoolRef]) -> z3.BoolRef:
        """For some element, body: a disjunction over the elements of a finite domain."""
        if self.finite:
            return z3.Or([body(e) for e in self.elements()])
        x = self.fresh(self.name.lower())
        return z3.Exists([x], z3.And(self.contains(x), body(x)))

    def axioms(self) -> list[z3.BoolRef]:
        """What every proof over this domain assumes (none, but for quorums)."""
        return []

    def python_values(self) -> list[Any]:
        """Every element, as Python values (finite domains only)."""
        return [self.value(e) for e in self.elements()]

    def default(self) -> Any:
        """The value an array's cells hold outside its index ranges: the first element (False for a flag)."""
        return self.python_values()[0]


class Nodes(Domain):
    """Nodes numbered 0..n-1: a sort of exactly n elements, or any number when `n` is None (an
    uninterpreted sort: what is proved over it holds for every non-empty set of nodes)."""

    def __init__(self, name: str, n: int | None):
        self.name, self.n, self.finite = name, n, n is not None
        if n is None:
            self.sort = z3.DeclareSort(name)
        else:
            self.sort, self._elements = enum_sort(f"{name}{n}", [f"{name.lower()}{i}" for i in range(n)])

    def elements(self) -> list[z3.ExprRef]:
        if not self.finite:
            raise TypeError(f"{self.name} is any number of nodes: it has no list of elements")
        return self._elements

    def term(self, value: int) -> z3.ExprRef:
        return self.elements()[value]

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> int:
        elements = self._elements if self.finite else list(universe or ())
        for index, element in enumerate(elements):
            if z3.eq(element, term):
                return index
        raise ValueError(f"{term} is not an element of {self.name}")


class Enumeration(Domain):
    """A finite set of Python values (RM states, proposal values, None), as a Z3 enumeration sort."""

    def __init__(self, name: str, values: Sequence[Hashable]):
        self.name, self.values = name, tuple(values)
        self.sort, self._elements = enum_sort(name, [_identifier(v) for v in self.values])
        self._index = {v: i for i, v in enumerate(self.values)}

    def elements(self) -> list[z3.ExprRef]:
        return self._elements

    def term(self, value: Hashable) -> z3.ExprRef:
        return self._elements[self._index[value]]

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> Hashable:
        for value, element in zip(self.values, self._elements):
            if z3.eq(element, term):
                return value
        raise ValueError(f"{term} is not an element of {self.name}")


class IntRange(Domain):
    """The integers lo..hi (ballots, terms, tokens), as Z3 integers constrained to the range; with
    `hi` None, every integer from lo (quantified, not listed: tokens for any number of clients)."""

    def __init__(self, name: str, lo: int, hi: int | None):
        self.name, self.lo, self.hi, self.sort, self.finite = name, lo, hi, z3.IntSort(), hi is not None

    def elements(self) -> list[z3.ExprRef]:
        if self.hi is None:
            raise TypeError(f"{self.name} has no upper bound: it has no list of elements")
        return [z3.IntVal(i) for i in range(self.lo, self.hi + 1)]

    def default(self) -> int:
        return self.lo

    def term(self, value: int) -> z3.ExprRef:
        return z3.IntVal(value)

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> int:
        return term.as_long()

    def contains(self, term: z3.ExprRef) -> z3.BoolRef:
        return self.lo <= term if self.hi is None else z3.And(self.lo <= term, term <= self.hi)


class Booleans(Domain):
    """True and False (a set's membership, a flag)."""

    def __init__(self, name: str = "Bool"):
        self.name, self.sort = name, z3.BoolSort()

    def elements(self) -> list[z3.ExprRef]:
        return [z3.BoolVal(False), z3.BoolVal(True)]

    def term(self, value: bool) -> z3.ExprRef:
        return z3.BoolVal(bool(value))

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> bool:
        return z3.is_true(term)


def _identifier(value: Hashable) -> str:
    """A Z3 name for a Python value: its text, or `none` for None."""
    return "none" if value is None else str(value).replace(" ", "_")


class Quorums(Domain):
    """The quorums of a node domain: for n nodes, every set of `size` of them (an enumeration, with
    membership computed); for any number of nodes, an uninterpreted sort with a membership relation
    and the axiom that any two quorums share a node, which checker/prove/quorums.py proves for any N
    by induction when the sizes are majorities (2q > N). `axioms()` gives what a proof must assume."""

    def __init__(self, name: str, nodes: Nodes, size: int | None):
        self.name, self.nodes, self.finite = name, nodes, nodes.finite
        if nodes.finite:
            assert size is not None
            self.sets = tuple(frozenset(c) for c in itertools.combinations(range(nodes.n), size))
            self.sort, self._elements = enum_sort(f"{name}{nodes.n}_{size}", [f"{name.lower()}{i}" for i in range(len(self.sets))])
        else:
            self.sort = z3.DeclareSort(name)
            self._member = z3.Function(f"{name.lower()}_member", nodes.sort, self.sort, z3.BoolSort())

    def elements(self) -> list[z3.ExprRef]:
        if not self.finite:
            raise TypeError(f"{self.name} of any number of nodes has no list of elements")
        return self._elements

    def term(self, value: frozenset[int]) -> z3.ExprRef:
        return self._elements[self.sets.index(value)]

    def value(self, term: z3.ExprRef, universe: Sequence[z3.ExprRef] | None = None) -> Any:
        if not self.finite:
            return f"a quorum ({term})"
        for quorum, element in zip(self.sets, self._elements):
            if z3.eq(element, term):
                return quorum
        raise ValueError(f"{term} is not an element of {self.name}")

    def member(self, node: z3.ExprRef, quorum: z3.ExprRef) -> z3.BoolRef:
        """node belongs to quorum."""
        if not self.finite:
            return self._member(node, quorum)
        nodes = self.nodes.elements()
        return z3.Or([z3.And(quorum == q, node == nodes[i]) for q, members in zip(self._elements, self.sets) for i in sorted(members)])

    def axioms(self) -> list[z3.BoolRef]:
        """Any two quorums share a node: assumed for any number of nodes, true by construction (and checked) for n."""
        return [self.forall(lambda a: self.forall(lambda b: self.nodes.exists(lambda n: z3.And(self.member(n, a), self.member(n, b)))))]
