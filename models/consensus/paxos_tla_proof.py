"""Paxos.tla's symbolic form, for `check paxos-tla --strategy prove` and `--strategy bmc`: Z3
proves agreement (consistency) for the given acceptors, values and ballots, with Paxos.tla's
invariant Inv (the model's four `always` properties Inv1-Inv4: type_ok, last_vote_is_cast,
messages_truthful, voting_invariant) strengthened by three lemmas.

Inv alone is not inductive (Paxos.tla says only that TLC checks it; the TLAPS proof in the TLA+
Examples, Paxos/PaxosProof, strengthens it with MsgInv and AccInv, and the lemmas are the
conjuncts of those that Inv lacks). Z3 needs each of them: drop one and some of the claims have
counterexamples to induction (as below, at the default sizes; without any lemma, `--strategy
prove` finds that no run reaches them):
- promise_reports_latest_vote: a 1b message for ballot b reports a vote below b, and its acceptor
  voted in no ballot between that vote and b. Without it a quorum's 1b messages may report "no
  vote" (or a stale vote) while an acceptor of the quorum did vote below b, and Phase2a then
  proposes a value that ShowsSafeAt does not show safe (messages_truthful breaks, then
  voting_invariant and consistency by Phase2b);
- vote_follows_proposal: a vote for v in b (a 2b message) answers the 2a message of b proposing v,
  and its acceptor has promised b (maxBal[a] >= b). Without it a state may hold a vote for a
  value no 2a of its ballot proposes, and a second vote in that ballot, for the proposal,
  breaks OneValuePerBallot (voting_invariant, consistency by Phase2b);
- last_vote_is_latest: maxVBal[a] <= maxBal[a], and a voted in no ballot above maxVBal[a].
  Without it Phase1b may report a vote that is not a's latest, so promise_reports_latest_vote
  itself is not inductive, and the rest falls with it.
The checker adds its generated lemma field_types (maxBal and maxVBal in -1..ballots-1).

Finite sizes only. Every quantifier over acceptors, ballots, values and quorums is expanded in
Python (And/Or over the elements; quorums are the model's `Quorum`, a list of frozensets), so the
encoding is for the model's sizes (`for_any_size = False`), and the model's `symbolic` hook
builds this one whatever `parametric` says.

State fields (the explicit State, with msgs split by message type into boolean arrays):
- max_bal[acc], max_vbal[acc]: integers, -1..ballots-1 (type_ok says so); max_val[acc]: a
  value or None (an enumeration sort holding None, v1, v2, ...);
- m1a[bal]: Msg1a(bal) was sent; m1b[acc, bal, mbal, mval]: Msg1b(acc, bal, mbal, mval) was
  sent (mbal in -1..ballots-1, mval a value or None); m2a[bal, val]: Msg2a(bal, val);
  m2b[acc, bal, val]: Msg2b(acc, bal, val), the votes.
The ballot indices are Z3 integers, so these arrays have cells outside the ballot range; no claim
and no step reads them (every claim reads the cells of in-range ballots, a step's ballot
parameter is constrained to the range, and Phase1b's store at maxVBal[a] is in range under
type_ok). They are False in an explicit state's form and in the initial condition, so each state
has one symbolic form.

Steps (the model's actions; its parameters m, the message received, become the message's fields):
phase1a(b); phase1b(a, b) (the 1a message of ballot b); phase2a(b, v) (the quorum is expanded as
a disjunction, and so is the 1b message m of the highest vote reported); phase2b(a, b, v) (the 2a
message of ballot b proposing v).

The explicit model's `symmetry` option plays no part here.
"""
from typing import Any, Callable, ClassVar

import z3

from checker.prove import Booleans, Encoding, Enumeration, Field, IntRange, Nodes, SymState, step, when
from models.consensus.paxos_tla import NONE, Msg1a, Msg1b, Msg2a, Msg2b, State


class PaxosTLAProof(Encoding):
    """Paxos.tla as Z3 terms: maxBal, maxVBal and maxVal per acceptor, and the messages by type."""

    for_any_size: ClassVar[bool] = False  # quorums are the given majorities, expanded in Python

    def setup(self) -> None:
        model = self.model
        self.Acceptor = Nodes("Acceptor", model.acceptors)
        self.Val = Enumeration("PaxosValue", (NONE, *model.Value))  # a value or None
        self.Ballot = IntRange("Ballot", 0, model.ballots - 1)
        self.MaybeBallot = IntRange("MaybeBallot", -1, model.ballots - 1)  # a ballot or -1
        flag = Booleans()
        a, b, v = self.Acceptor, self.Ballot, self.Val
        self.fields = (Field("max_bal", self.MaybeBallot, (a,)), Field("max_vbal", self.MaybeBallot, (a,)),
                       Field("max_val", v, (a,)),
                       Field("m1a", flag, (b,)), Field("m1b", flag, (a, b, self.MaybeBallot, v)),
                       Field("m2a", flag, (b, v)), Field("m2b", flag, (a, b, v)))
        # the finite elements every quantifier expands over
        self.accs = a.elements()
        self.ballots = list(model.Ballot)  # Python ints
        self.vals = v.elements()  # None included
        self.none = v.term(NONE)
        self.quorums = [[self.accs[i] for i in sorted(q)] for q in model.Quorum]

    # Voting's definitions, on a symbolic state (ballots c, d as Python ints)
    def voted_for(self, s: SymState, a: z3.ExprRef, c: int, v: z3.ExprRef) -> z3.BoolRef:
        """VotedFor(a, c, v)."""
        return s.m2b[a, c, v]

    def did_not_vote_at(self, s: SymState, a: z3.ExprRef, c: int) -> z3.BoolRef:
        """DidNotVoteAt(a, c)."""
        return z3.And([z3.Not(s.m2b[a, c, w]) for w in self.vals])

    def chosen_at(self, s: SymState, b: int, v: z3.ExprRef) -> z3.BoolRef:
        """ChosenAt(b, v)."""
        return z3.Or([z3.And([self.voted_for(s, a, b, v) for a in q]) for q in self.quorums])

    def chosen(self, s: SymState, v: z3.ExprRef) -> z3.BoolRef:
        """v \\in chosen."""
        return z3.Or([self.chosen_at(s, b, v) for b in self.ballots])

    def none_other_choosable_at(self, s: SymState, c: int, v: z3.ExprRef) -> z3.BoolRef:
        """NoneOtherChoosableAt(c, v): some quorum voted for v in c or can no longer vote there (CannotVoteAt)."""
        return z3.Or([z3.And([z3.Or(self.voted_for(s, a, c, v), z3.And(s.max_bal[a] > c, self.did_not_vote_at(s, a, c)))
                              for a in q]) for q in self.quorums])

    def safe_at(self, s: SymState, b: int, v: z3.ExprRef) -> z3.BoolRef:
        """SafeAt(b, v)."""
        return z3.And([self.none_other_choosable_at(s, c, v) for c in range(b)])

    def shows_safe_at(self, s: SymState, q: list[z3.ExprRef], b: int, v: z3.ExprRef) -> z3.BoolRef:
        """ShowsSafeAt(Q, b, v)."""
        some_c = [z3.And(z3.BoolVal(True) if c == -1 else z3.Or([self.voted_for(s, a, c, v) for a in q]),
                         z3.And([self.did_not_vote_at(s, a, d) for d in range(c + 1, b) for a in q]))
                  for c in range(-1, b)]
        return z3.And(z3.And([s.max_bal[a] >= b for a in q]), z3.Or(some_c))

    def in_range(self, x: z3.ExprRef) -> z3.BoolRef:
        """x \\in Ballot \\cup {-1}."""
        return self.MaybeBallot.contains(x)

    # the relations
    def init(self, s: SymState) -> z3.BoolRef:
        """Init, each array as a whole (so no cell outside the ballot range is left free)."""
        asort, messages = self.Acceptor.sort, ("m1a", "m1b", "m2a", "m2b")
        fields = {f.name: f for f in self.fields}
        return z3.And(s.max_bal == z3.K(asort, z3.IntVal(-1)), s.max_vbal == z3.K(asort, z3.IntVal(-1)), s.max_val == z3.K(asort, self.none),
                      *[getattr(s, name) == self.constant(fields[name], False) for name in messages])

    @step(b="Ballot")
    def phase1a(self, s: SymState, b: z3.ExprRef):
        return when(True, m1a=z3.Store(s.m1a, b, True))

    @step(a="Acceptor", b="Ballot")
    def phase1b(self, s: SymState, a: z3.ExprRef, b: z3.ExprRef):
        """Receive Msg1a(b) with b > maxBal[a]: promise b, reporting a's latest vote."""
        return when(z3.And(s.m1a[b], b > s.max_bal[a]), max_bal=z3.Store(s.max_bal, a, b),
                    m1b=z3.Store(s.m1b, a, b, s.max_vbal[a], s.max_val[a], True))

    @step(b="Ballot", v="Val")
    def phase2a(self, s: SymState, b: z3.ExprRef, v: z3.ExprRef):
        """No 2a of ballot b yet, and some quorum's 1b messages for b show v safe: propose v."""
        votes = self.ballots  # the ballots a 1b message can report a vote in (mbal >= 0)

        def reported(a: z3.ExprRef, c: int) -> z3.BoolRef:  # a reported a vote in ballot c, for some value
            return z3.Or([s.m1b[a, b, c, w] for w in self.vals])

        def allowed(q: list[z3.ExprRef]) -> z3.BoolRef:
            promised = z3.And([z3.Or([s.m1b[a, b, c, w] for c in [-1, *votes] for w in self.vals]) for a in q])
            no_votes = z3.And([z3.Not(reported(a, c)) for a in q for c in votes])
            highest = z3.Or([z3.And(s.m1b[a, b, c, v], *[z3.Not(reported(x, d)) for x in q for d in votes if d > c])
                             for a in q for c in votes])
            return z3.And(promised, z3.Or(no_votes, highest))

        fresh = z3.And([z3.Not(s.m2a[b, w]) for w in self.vals])
        return when(z3.And(v != self.none, fresh, z3.Or([allowed(q) for q in self.quorums])), m2a=z3.Store(s.m2a, b, v, True))

    @step(a="Acceptor", b="Ballot", v="Val")
    def phase2b(self, s: SymState, a: z3.ExprRef, b: z3.ExprRef, v: z3.ExprRef):
        """Receive Msg2a(b, v) with b >= maxBal[a]: vote for it."""
        return when(z3.And(s.m2a[b, v], b >= s.max_bal[a]), max_bal=z3.Store(s.max_bal, a, b), max_vbal=z3.Store(s.max_vbal, a, b),
                    max_val=z3.Store(s.max_val, a, v), m2b=z3.Store(s.m2b, a, b, v, True))

    # the claims
    def invariants(self) -> dict[str, Callable[[SymState], z3.BoolRef]]:
        return {"type_ok": self.type_ok, "last_vote_is_cast": self.last_vote_is_cast, "messages_truthful": self.messages_truthful,
                "voting_invariant": self.voting_invariant, "consistency": self.consistency}

    def lemmas(self) -> dict[str, Callable[[SymState], z3.BoolRef]]:
        return {"promise_reports_latest_vote": self.promise_reports_latest_vote, "vote_follows_proposal": self.vote_follows_proposal,
                "last_vote_is_latest": self.last_vote_is_latest}

    def promise_reports_latest_vote(self, s: SymState) -> z3.BoolRef:
        """A 1b message for b reports a vote below b, and its acceptor cast none between that vote and b."""
        return z3.And([z3.Implies(s.m1b[a, b, mb, mv], z3.And(*[self.did_not_vote_at(s, a, c) for c in range(mb + 1, b)]))
                       if mb < b else z3.Not(s.m1b[a, b, mb, mv])
                       for a in self.accs for b in self.ballots for mb in [-1, *self.ballots] for mv in self.vals])

    def vote_follows_proposal(self, s: SymState) -> z3.BoolRef:
        """A vote for v in b answers the 2a message of b proposing v, and its acceptor has promised b."""
        return z3.And([z3.Implies(s.m2b[a, b, v], z3.And(s.m2a[b, v], s.max_bal[a] >= b))
                       for a in self.accs for b in self.ballots for v in self.vals])

    def last_vote_is_latest(self, s: SymState) -> z3.BoolRef:
        """maxVBal[a] <= maxBal[a], and a cast no vote in a ballot above maxVBal[a]."""
        return z3.And([z3.And(s.max_vbal[a] <= s.max_bal[a],
                              *[z3.Implies(s.max_vbal[a] < c, self.did_not_vote_at(s, a, c)) for c in self.ballots])
                       for a in self.accs])

    def type_ok(self, s: SymState) -> z3.BoolRef:
        """Inv1: maxBal and maxVBal in Ballot \\cup {-1}; no 2a or 2b message carries None (the rest is in the sorts)."""
        return z3.And(z3.And([z3.And(self.in_range(s.max_bal[a]), self.in_range(s.max_vbal[a])) for a in self.accs]),
                      z3.And([z3.Not(s.m2a[b, self.none]) for b in self.ballots]),
                      z3.And([z3.Not(s.m2b[a, b, self.none]) for a in self.accs for b in self.ballots]))

    def last_vote_is_cast(self, s: SymState) -> z3.BoolRef:
        """Inv2: maxVBal[a] = -1 and maxVal[a] = None, or a voted for maxVal[a] in maxVBal[a]."""
        return z3.And([z3.If(s.max_vbal[a] == -1, s.max_val[a] == self.none,
                             z3.Or([z3.And(s.max_vbal[a] == c, self.voted_for(s, a, c, s.max_val[a])) for c in self.ballots]))
                       for a in self.accs])

    def messages_truthful(self, s: SymState) -> z3.BoolRef:
        """Inv3: a 1b message keeps its promise and reports a vote cast; a 2a proposes a value shown safe, one per ballot."""
        ones = [z3.Implies(s.m1b[a, b, mb, mv], z3.And(s.max_bal[a] >= b, z3.BoolVal(True) if mb < 0 else self.voted_for(s, a, mb, mv)))
                for a in self.accs for b in self.ballots for mb in [-1, *self.ballots] for mv in self.vals]
        twos = [z3.Implies(s.m2a[b, v], z3.And(z3.Or([self.shows_safe_at(s, q, b, v) for q in self.quorums]),
                                               *[z3.Not(s.m2a[b, w]) for w in self.vals if not z3.eq(w, v)]))
                for b in self.ballots for v in self.vals]
        return z3.And(ones + twos)

    def voting_invariant(self, s: SymState) -> z3.BoolRef:
        """Inv4, V!Inv: Voting's TypeOK, VotesSafe and OneValuePerBallot."""
        type_ok = z3.And(z3.And([self.in_range(s.max_bal[a]) for a in self.accs]),
                         z3.And([z3.Not(s.m2b[a, b, self.none]) for a in self.accs for b in self.ballots]))
        votes_safe = z3.And([z3.Implies(s.m2b[a, b, v], self.safe_at(s, b, v)) for a in self.accs for b in self.ballots for v in self.vals])
        one_value = z3.And([z3.Not(z3.And(z3.Or([s.m2b[a, b, v] for a in self.accs]), z3.Or([s.m2b[a, b, w] for a in self.accs])))
                            for b in self.ballots for i, v in enumerate(self.vals) for w in self.vals[i + 1:]])
        return z3.And(type_ok, votes_safe, one_value)

    def consistency(self, s: SymState) -> z3.BoolRef:
        """At most one value is chosen."""
        return z3.And([z3.Not(z3.And(self.chosen(s, v), self.chosen(s, w))) for i, v in enumerate(self.vals) for w in self.vals[i + 1:]])

    # explicit and symbolic states
    def abstract(self, state: State) -> dict[str, Any]:
        msgs = state.msgs
        return {"max_bal": lambda a: state.max_bal[a], "max_vbal": lambda a: state.max_vbal[a], "max_val": lambda a: state.max_val[a],
                "m1a": lambda b: Msg1a(b) in msgs, "m1b": lambda a, b, mb, mv: Msg1b(a, b, mb, mv) in msgs,
                "m2a": lambda b, v: Msg2a(b, v) in msgs, "m2b": lambda a, b, v: Msg2b(a, b, v) in msgs}

    def concrete(self, values: dict[str, Any]) -> State:
        accs = range(self.model.acceptors)
        msgs = {Msg1a(*i) for i, on in values["m1a"].items() if on} | {Msg1b(*i) for i, on in values["m1b"].items() if on}
        msgs |= {Msg2a(*i) for i, on in values["m2a"].items() if on} | {Msg2b(*i) for i, on in values["m2b"].items() if on}
        return State(max_bal=tuple(values["max_bal"][(a,)] for a in accs), max_vbal=tuple(values["max_vbal"][(a,)] for a in accs),
                     max_val=tuple(values["max_val"][(a,)] for a in accs), msgs=frozenset(msgs))

    def sizes(self) -> dict[str, int]:
        return {"acceptor": self.model.acceptors, "value": self.model.values, "ballot": self.model.ballots}
