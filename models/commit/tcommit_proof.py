"""TCommit's symbolic form, for `check tcommit --strategy prove`: consistency is inductive on its
own (deciding commit needs every RM prepared or committed, so none has aborted; deciding abort
needs none committed), and Z3 proves it for the given RMs and for any number of them.

rm_state is an array from RMs to RM states; with `parametric`, RM is an uninterpreted sort.
"""
from typing import Any

import attrs
import z3

from checker.prove import Encoding, Enumeration, Field, Nodes, SymState, step, when
from models.commit.tcommit import ABORTED, COMMITTED, PREPARED, WORKING, State


class TCommitProof(Encoding):
    """TCommit.tla as Z3 terms: one array, three action families."""

    def setup(self) -> None:
        self.RM = Nodes("RM", None if self.parametric else self.model.rms)
        self.RMState = Enumeration("RMState", (WORKING, PREPARED, COMMITTED, ABORTED))
        self.fields = (Field("rm_state", self.RMState, (self.RM,)),)

    def is_(self, s: SymState, rm: z3.ExprRef, *states: str) -> z3.BoolRef:
        """rm's state is one of `states`."""
        return z3.Or([s.rm_state[rm] == self.RMState.term(x) for x in states])

    def init(self, s: SymState) -> z3.BoolRef:
        return self.RM.forall(lambda rm: self.is_(s, rm, WORKING))

    @step(rm="RM")
    def prepare(self, s: SymState, rm: z3.ExprRef):
        return when(self.is_(s, rm, WORKING), rm_state=z3.Store(s.rm_state, rm, self.RMState.term(PREPARED)))

    @step(rm="RM")
    def decide_commit(self, s: SymState, rm: z3.ExprRef):
        return when(z3.And(self.is_(s, rm, PREPARED), self.RM.forall(lambda r: self.is_(s, r, PREPARED, COMMITTED))),
                    rm_state=z3.Store(s.rm_state, rm, self.RMState.term(COMMITTED)))

    @step(rm="RM")
    def decide_abort(self, s: SymState, rm: z3.ExprRef):
        return when(z3.And(self.is_(s, rm, WORKING, PREPARED), z3.Not(self.RM.exists(lambda r: self.is_(s, r, COMMITTED)))),
                    rm_state=z3.Store(s.rm_state, rm, self.RMState.term(ABORTED)))

    def invariants(self) -> dict[str, Any]:
        return {"consistent": lambda s: z3.Not(z3.And(self.RM.exists(lambda r: self.is_(s, r, COMMITTED)),
                                                      self.RM.exists(lambda r: self.is_(s, r, ABORTED))))}

    def abstract(self, state: State) -> dict[str, Any]:
        return {"rm_state": lambda rm: state.rm_state[rm]}

    def concrete(self, values: dict[str, Any]) -> State:
        cells = values["rm_state"]
        return State(rm_state=tuple(cells[(rm,)] for rm in range(self.model.rms)))

    def sizes(self) -> dict[str, int]:
        return {"RM": self.model.rms}

    def instance(self, sizes: dict[str, int]) -> Any:
        return attrs.evolve(self.model, rms=sizes["RM"])
