"""A tiny model with symbolic forms whose proofs, counterexamples and traces are known by hand.

`Hops` starts at x = 0 and adds 2 while x + 2 <= top (top = 4: states 0, 2, 4). By hand:
- even (x is even) is inductive on its own;
- not_three (x != 3) holds in every reachable state but is not inductive alone: from x = 1,
  which no run reaches, a hop gives 3; with `even` as a lemma it is inductive;
- below_top (x < 4) is false: 0 -> 2 -> 4, two hops.
The encodings below are right, or wrong in one way each, for the drift check to catch.
"""
from typing import Any, ClassVar

import attrs
import z3

from checker import ProtocolModel, action, always, option, record, sometimes
from checker.prove import Encoding, Field, IntRange, step, when


@record
class Spot:
    """Where the hopper is."""

    x: int


@attrs.frozen
class Hops(ProtocolModel):
    """x hops by 2 from 0 up to `top`."""

    name: ClassVar[str] = "hops"
    symbolic_form: ClassVar[Any] = None  # HopsProof, set below (a class, not a "module:Class" name)
    top: int = option(4, help="the highest x", min=0, max=20)

    def init(self) -> Spot:
        return Spot(0)

    def may_stop(self, s: Spot) -> bool:
        return s.x + 2 > self.top

    @action
    def hop(self, s: Spot) -> Spot | None:
        """x grows by 2, up to top."""
        return Spot(s.x + 2) if s.x + 2 <= self.top else None

    @always
    def even(self, s: Spot) -> bool:
        return s.x % 2 == 0

    @always
    def not_three(self, s: Spot) -> bool:
        return s.x != 3

    @always(by_default=False)
    def below_top(self, s: Spot) -> bool:
        return s.x < 4

    @sometimes
    def at_top(self, s: Spot) -> bool:
        return s.x == self.top



class HopsProof(Encoding):
    """The right encoding: every invariant of Hops, no lemma."""

    def setup(self) -> None:
        self.X = IntRange("X", 0, self.model.top)
        self.fields = (Field("x", self.X),)

    def init(self, s: Any) -> z3.BoolRef:
        return s.x == 0

    @step()
    def hop(self, s: Any) -> Any:
        return when(s.x + 2 <= self.model.top, x=s.x + 2)

    def invariants(self) -> dict[str, Any]:
        return {"even": lambda s: s.x % 2 == 0, "not_three": lambda s: s.x != 3, "below_top": lambda s: s.x < 4}

    def abstract(self, state: Spot) -> dict[str, Any]:
        return {"x": state.x}

    def concrete(self, values: dict[str, Any]) -> Spot:
        return Spot(values["x"])


Hops.symbolic_form = HopsProof


class NotThreeAlone(HopsProof):
    """Only not_three: not inductive (x = 1 hops to 3)."""

    def invariants(self) -> dict[str, Any]:
        return {"not_three": lambda s: s.x != 3}


class NotThreeWithLemma(NotThreeAlone):
    """not_three, strengthened by the lemma that x is even."""

    def lemmas(self) -> dict[str, Any]:
        return {"x_even": lambda s: s.x % 2 == 0}


class WrongLemma(NotThreeAlone):
    """A lemma that reachable states break (x = 4 is reachable)."""

    def lemmas(self) -> dict[str, Any]:
        return {"x_small": lambda s: s.x <= 2}


class GuardTooStrong(HopsProof):
    """Drift: the relation refuses the hop from 2 to 4, which the model takes."""

    @step()
    def hop(self, s: Any) -> Any:
        return when(s.x + 2 < self.model.top, x=s.x + 2)


class GuardMissing(HopsProof):
    """Drift: the relation hops from 4 to 6, which the model does not (and beyond the range)."""

    def setup(self) -> None:
        self.X = IntRange("X", 0, self.model.top + 2)
        self.fields = (Field("x", self.X),)

    @step()
    def hop(self, s: Any) -> Any:
        return when(s.x + 2 <= self.model.top + 2, x=s.x + 2)


class OddClaim(HopsProof):
    """Drift: the symbolic `even` says the opposite of the model's."""

    def invariants(self) -> dict[str, Any]:
        return {"even": lambda s: s.x % 2 == 1}


class WrongInit(HopsProof):
    """Drift: the initial condition allows x = 2 as well."""

    def init(self, s: Any) -> z3.BoolRef:
        return z3.Or(s.x == 0, s.x == 2)
