"""TwoPhase's symbolic form, for `check 2pc --strategy prove` and `--strategy bmc`.

Consistency is not inductive on its own (a state where an RM aborted on its own while the TM holds
its Prepared message would let the TM commit); these lemmas make it so (with the model's other
invariant, commit_needs_all_prepared: Commit exists only when every RM sent Prepared), each an
invariant of the protocol, and Z3 proves the whole for the given RMs and for any number of them:
- prepared_sent: an RM whose Prepared message exists is no longer working;
- tm_heard: the TM has received Prepared only from RMs that sent it;
- decided_once: the TM's decision messages exist only once it is done, and never both;
- committed_by_tm: an RM commits only on the TM's Commit;
- aborted_unprepared: an aborted RM either never sent Prepared or received the TM's Abort.
With `--bug rm-aborts-after-prepare` the last is false: its counterexample to induction is
reachable, and the explicit engine gives the shortest trace.

State fields: rm_state and tm_prepared as arrays over RMs; msgs split by kind: prepared[rm] (a
Prepared message from rm exists), commit and abort (the decision messages exist).
"""
from typing import Any

import attrs
import z3

from checker.prove import Booleans, Encoding, Enumeration, Field, Nodes, SymState, step, when
from models.commit.twophase import ABORT, ABORTED, COMMIT, COMMITTED, PREPARED, WORKING, Prepared, State

DONE, INIT = "done", "init"


class TwoPhaseProof(Encoding):
    """TwoPhase.tla as Z3 terms: the RMs' and the TM's states, and the messages by kind."""

    def setup(self) -> None:
        self.RM = Nodes("RM", None if self.parametric else self.model.rms)
        self.RMState = Enumeration("RMState", (WORKING, PREPARED, COMMITTED, ABORTED))
        self.TMState = Enumeration("TMState", (INIT, DONE))
        flag = Booleans()
        self.fields = (Field("rm_state", self.RMState, (self.RM,)), Field("tm_state", self.TMState),
                       Field("tm_prepared", flag, (self.RM,)), Field("prepared", flag, (self.RM,)),
                       Field("commit", flag), Field("abort", flag))

    def is_(self, s: SymState, rm: z3.ExprRef, *states: str) -> z3.BoolRef:
        """rm's state is one of `states`."""
        return z3.Or([s.rm_state[rm] == self.RMState.term(x) for x in states])

    def set_rm(self, s: SymState, rm: z3.ExprRef, state: str) -> z3.ExprRef:
        return z3.Store(s.rm_state, rm, self.RMState.term(state))

    def init(self, s: SymState) -> z3.BoolRef:
        return z3.And(self.RM.forall(lambda rm: z3.And(self.is_(s, rm, WORKING), z3.Not(s.tm_prepared[rm]), z3.Not(s.prepared[rm]))),
                      s.tm_state == self.TMState.term(INIT), z3.Not(s.commit), z3.Not(s.abort))

    @step(rm="RM")
    def tm_rcv_prepared(self, s: SymState, rm: z3.ExprRef):
        return when(z3.And(s.tm_state == self.TMState.term(INIT), s.prepared[rm]), tm_prepared=z3.Store(s.tm_prepared, rm, True))

    @step()
    def tm_commit(self, s: SymState):
        everyone = z3.BoolVal(True) if self.model.has_bug("tm-commits-early") else self.RM.forall(lambda rm: s.tm_prepared[rm])
        return when(z3.And(s.tm_state == self.TMState.term(INIT), everyone), tm_state=self.TMState.term(DONE), commit=z3.BoolVal(True))

    @step()
    def tm_abort(self, s: SymState):
        return when(s.tm_state == self.TMState.term(INIT), tm_state=self.TMState.term(DONE), abort=z3.BoolVal(True))

    @step(rm="RM")
    def rm_prepare(self, s: SymState, rm: z3.ExprRef):
        return when(self.is_(s, rm, WORKING), rm_state=self.set_rm(s, rm, PREPARED), prepared=z3.Store(s.prepared, rm, True))

    @step(rm="RM")
    def rm_choose_to_abort(self, s: SymState, rm: z3.ExprRef):
        may = (WORKING, PREPARED) if self.model.has_bug("rm-aborts-after-prepare") else (WORKING,)
        return when(self.is_(s, rm, *may), rm_state=self.set_rm(s, rm, ABORTED))

    @step(rm="RM")
    def rm_rcv_commit_msg(self, s: SymState, rm: z3.ExprRef):
        return when(s.commit, rm_state=self.set_rm(s, rm, COMMITTED))

    @step(rm="RM")
    def rm_rcv_abort_msg(self, s: SymState, rm: z3.ExprRef):
        return when(s.abort, rm_state=self.set_rm(s, rm, ABORTED))

    def invariants(self) -> dict[str, Any]:
        some = self.RM.exists
        return {
            "consistent": lambda s: z3.Not(z3.And(some(lambda r: self.is_(s, r, COMMITTED)), some(lambda r: self.is_(s, r, ABORTED)))),
            "commit_needs_all_prepared": lambda s: z3.Implies(s.commit, self.RM.forall(lambda r: s.prepared[r])),
        }

    def lemmas(self) -> dict[str, Any]:
        every, done = self.RM.forall, self.TMState.term(DONE)
        return {
            "prepared_sent": lambda s: every(lambda r: z3.Implies(s.prepared[r], z3.Not(self.is_(s, r, WORKING)))),
            "tm_heard": lambda s: every(lambda r: z3.Implies(s.tm_prepared[r], s.prepared[r])),
            "decided_once": lambda s: z3.And(z3.Implies(z3.Or(s.commit, s.abort), s.tm_state == done), z3.Not(z3.And(s.commit, s.abort))),
            "committed_by_tm": lambda s: every(lambda r: z3.Implies(self.is_(s, r, COMMITTED), s.commit)),
            "aborted_unprepared": lambda s: every(lambda r: z3.Implies(self.is_(s, r, ABORTED), z3.Or(z3.Not(s.prepared[r]), s.abort))),
        }

    def abstract(self, state: State) -> dict[str, Any]:
        return {"rm_state": lambda rm: state.rm_state[rm], "tm_state": state.tm_state,
                "tm_prepared": lambda rm: rm in state.tm_prepared, "prepared": lambda rm: Prepared(rm) in state.msgs,
                "commit": COMMIT in state.msgs, "abort": ABORT in state.msgs}

    def concrete(self, values: dict[str, Any]) -> State:
        rms = range(self.model.rms)
        msgs = {Prepared(rm) for rm in rms if values["prepared"][(rm,)]}
        msgs |= {COMMIT} if values["commit"] else set()
        msgs |= {ABORT} if values["abort"] else set()
        return State(rm_state=tuple(values["rm_state"][(rm,)] for rm in rms), tm_state=values["tm_state"],
                     tm_prepared=frozenset(rm for rm in rms if values["tm_prepared"][(rm,)]), msgs=frozenset(msgs))

    def sizes(self) -> dict[str, int]:
        return {"RM": self.model.rms}

    def instance(self, sizes: dict[str, int]) -> Any:
        return attrs.evolve(self.model, rms=sizes["RM"])
