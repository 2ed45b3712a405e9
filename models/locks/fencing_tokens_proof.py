"""Fencing tokens' symbolic form, for `check fencing-tokens --strategy prove`: the resource is safe
(the grants of accepted writes never go back) for the given clients and for any number of them,
with no timing assumption: a lease may run out at any moment.

Clients are a node sort (uninterpreted for any number); tokens, grants and positions are integers
(bounded by the number of clients when it is given, unbounded otherwise). The storage's accepted
writes, a sequence in the model, are per client here: acc[c] (c's write was accepted) and pos[c]
(its position in the order of acceptance, -1 if none) and acc_grant[c] (the grant it was made
under, 0 if none), with writes the number accepted.

Why it holds (the lemmas, each an invariant of the model):
- token_is_grant: a client's token is its grant (the service numbers both);
- grants_issued: a client not yet granted has grant and token 0, a granted one a grant in 1..issued;
- accepted_not_above_highest: an accepted write's grant is at most the highest token accepted;
- accepted_grant_kept: an accepted write's grant is its client's grant (0 for a write not accepted);
- accepted_in_place: an accepted write has a position below `writes`, others position -1, and its
  client is done;
- one_holder: at most one client holds the lease.
A write is accepted only with a token at least the highest, which is at least every earlier
accepted grant: so grants never go back. With `--bug seed-token` token_is_grant fails, and the
counterexample is reachable (7 steps).
"""
from typing import Any

import attrs
import z3

from checker.prove import Booleans, Encoding, Enumeration, Field, IntRange, Nodes, SymState, step, when
from models.locks.fencing_tokens import DONE, HOLDING, IDLE, WRITING, State


class FencingTokensProof(Encoding):
    """Fencing tokens as Z3 terms: the lease, each client's phase, token and grant, the storage's highest and accepted writes."""

    def setup(self) -> None:
        n = None if self.parametric else self.model.clients
        self.Client = Nodes("client", n)
        self.Token = IntRange("Token", 0, None)  # unbounded: a bound would need the count of granted clients
        self.Position = IntRange("Position", -1, None)
        self.Phase = Enumeration("FencePhase", (IDLE, HOLDING, WRITING, DONE))
        flag, c, token = Booleans(), self.Client, self.Token
        self.fields = (Field("issued", token), Field("holds", flag, (c,)), Field("phase", self.Phase, (c,)),
                       Field("token", token, (c,)), Field("grant", token, (c,)), Field("counter", token, (c,)),
                       Field("highest", token), Field("writes", token), Field("acc", flag, (c,)), Field("pos", self.Position, (c,)),
                       Field("acc_grant", token, (c,)))

    def in_phase(self, s: SymState, c: z3.ExprRef, phase: str) -> z3.BoolRef:
        return s.phase[c] == self.Phase.term(phase)

    def init(self, s: SymState) -> z3.BoolRef:
        fields = {f.name: f for f in self.fields}
        zero = [getattr(s, name) == self.constant(fields[name], 0) for name in ("token", "grant", "counter", "acc_grant")]
        return z3.And(s.issued == 0, s.highest == 0, s.writes == 0, s.holds == self.constant(fields["holds"], False),
                      s.phase == self.constant(fields["phase"], IDLE), s.acc == self.constant(fields["acc"], False),
                      s.pos == self.constant(fields["pos"], -1), *zero)

    @step(c="Client")
    def acquire(self, s: SymState, c: z3.ExprRef):
        grant = s.issued + 1
        seed = self.model.has_bug("seed-token")
        mine = s.counter[c] + 1 if seed else grant
        free = self.Client.forall(lambda d: z3.Not(s.holds[d]))
        return when(z3.And(self.in_phase(s, c, IDLE), free), issued=grant, holds=z3.Store(s.holds, c, True),
                    phase=z3.Store(s.phase, c, self.Phase.term(HOLDING)), token=z3.Store(s.token, c, mine),
                    grant=z3.Store(s.grant, c, grant), counter=z3.Store(s.counter, c, mine if seed else 0))

    @step()
    def expire(self, s: SymState):
        return when(self.Client.exists(lambda d: s.holds[d]), holds=self.constant(self.fields[1], False))

    @step(c="Client")
    def write(self, s: SymState, c: z3.ExprRef):
        return when(self.in_phase(s, c, HOLDING), phase=z3.Store(s.phase, c, self.Phase.term(WRITING)))

    @step(c="Client")
    def deliver(self, s: SymState, c: z3.ExprRef):
        accept = s.token[c] >= s.highest
        return when(self.in_phase(s, c, WRITING), phase=z3.Store(s.phase, c, self.Phase.term(DONE)),
                    highest=z3.If(accept, s.token[c], s.highest), acc=z3.Store(s.acc, c, z3.Or(accept, s.acc[c])),
                    pos=z3.Store(s.pos, c, z3.If(accept, s.writes, s.pos[c])), writes=z3.If(accept, s.writes + 1, s.writes),
                    acc_grant=z3.Store(s.acc_grant, c, z3.If(accept, s.grant[c], s.acc_grant[c])))

    @step(c="Client")
    def release(self, s: SymState, c: z3.ExprRef):
        return when(z3.And(self.in_phase(s, c, DONE), s.holds[c]), holds=z3.Store(s.holds, c, False))

    def invariants(self) -> dict[str, Any]:
        every = self.Client.forall
        return {"resource_safe": lambda s: every(lambda c: every(lambda d: z3.Implies(
            z3.And(s.acc[c], s.acc[d], s.pos[c] < s.pos[d]), s.acc_grant[c] <= s.acc_grant[d])))}

    def lemmas(self) -> dict[str, Any]:
        every = self.Client.forall
        return {
            "token_is_grant": lambda s: every(lambda c: s.token[c] == s.grant[c]),
            "grants_issued": lambda s: every(lambda c: z3.If(self.in_phase(s, c, IDLE), z3.And(s.grant[c] == 0, s.token[c] == 0),
                                                             z3.And(1 <= s.grant[c], s.grant[c] <= s.issued))),
            "accepted_not_above_highest": lambda s: every(lambda c: z3.Implies(s.acc[c], s.acc_grant[c] <= s.highest)),
            "accepted_grant_kept": lambda s: every(lambda c: z3.If(s.acc[c], s.acc_grant[c] == s.grant[c], s.acc_grant[c] == 0)),
            "accepted_in_place": lambda s: every(lambda c: z3.If(s.acc[c], z3.And(0 <= s.pos[c], s.pos[c] < s.writes,
                                                                                  self.in_phase(s, c, DONE)), s.pos[c] == -1)),
            "one_holder": lambda s: every(lambda c: every(lambda d: z3.Implies(z3.And(s.holds[c], s.holds[d]), c == d))),
        }

    def abstract(self, state: State) -> dict[str, Any]:
        order = [c for c, _g in state.accepted]
        return {"issued": state.issued, "holds": lambda c: state.holder == c, "phase": lambda c: state.phase[c],
                "token": lambda c: state.token[c], "grant": lambda c: state.grant[c], "counter": lambda c: state.counter[c],
                "highest": state.highest, "writes": len(order), "acc": lambda c: c in order,
                "pos": lambda c: order.index(c) if c in order else -1, "acc_grant": lambda c: dict(state.accepted).get(c, 0)}

    def concrete(self, values: dict[str, Any]) -> State:
        clients = range(self.model.clients)
        per = {name: tuple(values[name][(c,)] for c in clients) for name in ("phase", "token", "grant", "counter")}
        holders = [c for c in clients if values["holds"][(c,)]]
        accepted = sorted((values["pos"][(c,)], c) for c in clients if values["acc"][(c,)])
        return State(issued=values["issued"], holder=holders[0] if holders else None, highest=values["highest"],
                     accepted=tuple((c, values["acc_grant"][(c,)]) for _p, c in accepted), **per)

    def sizes(self) -> dict[str, int]:
        return {"client": self.model.clients}

    def instance(self, sizes: dict[str, int]) -> Any:
        return attrs.evolve(self.model, clients=sizes["client"])
