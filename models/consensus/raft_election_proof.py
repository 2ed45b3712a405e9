"""Raft election's symbolic form, for `check raft-election --strategy prove`: Election Safety (at
most one leader per term) proved for the given servers and for any number of them.

Servers are a node sort (uninterpreted for any number); majorities are a quorum domain, whose
axiom for any number (two quorums share a server) is the quorum lemma checker/prove/quorums.py
proves by induction on N, and which the report shows as `majorities_intersect`. Sets are boolean
arrays: voted_for[n, c] (at most one c), granted[n, m], requests[t, c], votes[t, n, c],
elected[t, n]; terms are the integers 0..max_term.

Why it holds (the lemmas, each an invariant of the model; the proof needs all of them):
- elected_by_quorum: the quorum that elected term t's leader (leader_quorum[t]) all voted for
  every server elected in t.
leader_quorum is a ghost field (an auxiliary variable: become_leader records the quorum whose
votes it counted; no guard reads it, which the encoding checks, and the model has no such
field). With it every claim is universal; stated with "some quorum voted" instead, the solver's
search for any number of servers did not end (a function from servers to quorums beside the
axiom's from quorums to servers) or ended only by luck.
- one_vote_per_term: a server votes for one candidate per term;
- votes_not_ahead: a server's votes are for terms up to its own;
- vote_remembered: a vote in a server's current term is the one it remembers (votedFor);
- one_remembered: a server remembers one vote at most;
- counted_votes_cast: a candidate counts only votes cast for it in its current term;
- leader_was_elected: a leader was elected in its current term.
Two leaders of one term would hold votes from two quorums, which share a server, which votes
once per term. With `--bug volatile-vote` vote_remembered fails, and its counterexample is
reachable: a restart forgets the vote, and the server votes again.
"""
from typing import Any

import attrs
import z3

from checker.prove import Booleans, Encoding, Enumeration, Field, IntRange, Nodes, Quorums, SymState, step, when
from models.consensus.raft_election import CANDIDATE, FOLLOWER, LEADER, State


class RaftElectionProof(Encoding):
    """Raft's election as Z3 terms: terms, roles and votes per server; the messages and the elected as sets."""

    def setup(self) -> None:
        model = self.model
        self.Server = Nodes("Server", None if self.parametric else model.nodes)
        self.Majority = Quorums("Majority", self.Server, None if self.parametric else model.majority)
        self.Term = IntRange("Term", 0, model.max_term)
        self.Role = Enumeration("Role", (FOLLOWER, CANDIDATE, LEADER))
        flag, server, term = Booleans(), self.Server, self.Term
        self.fields = (Field("term", term, (server,)), Field("role", self.Role, (server,)),
                       Field("voted_for", flag, (server, server)), Field("granted", flag, (server, server)),
                       Field("requests", flag, (term, server)), Field("votes", flag, (term, server, server)),
                       Field("elected", flag, (term, server)),
                       Field("leader_quorum", self.Majority, (term,), ghost=True))

    def row(self, array: z3.ExprRef, n: z3.ExprRef, value: Any) -> z3.ExprRef:
        """`array` with the row of n replaced: value(c) for each c (a store per server for given servers)."""
        if self.Server.finite:
            for c in self.Server.elements():
                array = z3.Store(array, n, c, value(c))
            return array
        x, c = self.Server.fresh("x"), self.Server.fresh("c")
        return z3.Lambda([x, c], z3.If(x == n, value(c), array[x, c]))

    def role_is(self, s: SymState, n: z3.ExprRef, role: str) -> z3.BoolRef:
        return s.role[n] == self.Role.term(role)

    def init(self, s: SymState) -> z3.BoolRef:
        fields = {f.name: f for f in self.fields}
        empty = [getattr(s, name) == self.constant(fields[name], False) for name in ("voted_for", "granted", "requests", "votes", "elected")]
        return z3.And(s.term == self.constant(fields["term"], 0), s.role == self.constant(fields["role"], FOLLOWER), *empty)

    @step(n="Server")
    def timeout(self, s: SymState, n: z3.ExprRef):
        t = s.term[n] + 1
        return when(z3.And(z3.Not(self.role_is(s, n, LEADER)), s.term[n] < self.model.max_term),
                    term=z3.Store(s.term, n, t), role=z3.Store(s.role, n, self.Role.term(CANDIDATE)),
                    voted_for=self.row(s.voted_for, n, lambda c: c == n), granted=self.row(s.granted, n, lambda c: c == n),
                    requests=z3.Store(s.requests, t, n, True), votes=z3.Store(s.votes, t, n, n, True))

    @step(n="Server", t="Term", c="Server")
    def grant_vote(self, s: SymState, n: z3.ExprRef, t: z3.ExprRef, c: z3.ExprRef):
        newer = t > s.term[n]
        unvoted = self.Server.forall(lambda x: z3.Not(s.voted_for[n, x]))
        free = z3.Or(newer, unvoted, s.voted_for[n, c], z3.BoolVal(self.model.has_bug("vote-any-request")))
        guard = z3.And(s.requests[t, c], c != n, t >= s.term[n], free, z3.Not(z3.And(s.votes[t, n, c], z3.Not(newer))))
        return when(guard, term=z3.Store(s.term, n, t), role=z3.Store(s.role, n, z3.If(newer, self.Role.term(FOLLOWER), s.role[n])),
                    voted_for=self.row(s.voted_for, n, lambda x: x == c),
                    granted=self.row(s.granted, n, lambda x: z3.And(z3.Not(newer), s.granted[n, x])),
                    votes=z3.Store(s.votes, t, n, c, True))

    @step(n="Server", t="Term", v="Server")
    def count_vote(self, s: SymState, n: z3.ExprRef, t: z3.ExprRef, v: z3.ExprRef):
        guard = z3.And(s.votes[t, v, n], self.role_is(s, n, CANDIDATE), t == s.term[n], z3.Not(s.granted[n, v]))
        return when(guard, granted=z3.Store(s.granted, n, v, True))

    @step(n="Server", q="Majority")
    def become_leader(self, s: SymState, n: z3.ExprRef, q: z3.ExprRef):
        voted = self.Server.forall(lambda m: z3.Implies(self.Majority.member(m, q), s.granted[n, m]))
        return when(z3.And(self.role_is(s, n, CANDIDATE), voted), role=z3.Store(s.role, n, self.Role.term(LEADER)),
                    elected=z3.Store(s.elected, s.term[n], n, True), leader_quorum=z3.Store(s.leader_quorum, s.term[n], q))

    @step(n="Server")
    def restart(self, s: SymState, n: z3.ExprRef):
        forget = self.model.has_bug("volatile-vote")
        some = self.Server.exists
        changes = z3.Or(z3.Not(self.role_is(s, n, FOLLOWER)), some(lambda c: s.granted[n, c]),
                        z3.And(z3.BoolVal(forget), some(lambda c: s.voted_for[n, c])))
        return when(changes, role=z3.Store(s.role, n, self.Role.term(FOLLOWER)), granted=self.row(s.granted, n, lambda c: z3.BoolVal(False)),
                    voted_for=self.row(s.voted_for, n, lambda c: z3.And(z3.BoolVal(not forget), s.voted_for[n, c])))

    def invariants(self) -> dict[str, Any]:
        every, terms = self.Server.forall, self.Term.forall
        return {"election_safety": lambda s: terms(lambda t: every(lambda a: every(lambda b: z3.Implies(
            z3.And(s.elected[t, a], s.elected[t, b]), a == b))))}

    def lemmas(self) -> dict[str, Any]:
        every, terms, member = self.Server.forall, self.Term.forall, self.Majority.member
        return {
            "elected_by_quorum": lambda s: terms(lambda t: every(lambda c: z3.Implies(
                s.elected[t, c], every(lambda n: z3.Implies(member(n, s.leader_quorum[t]), s.votes[t, n, c]))))),
            "one_vote_per_term": lambda s: terms(lambda t: every(lambda n: every(lambda c: every(lambda d: z3.Implies(
                z3.And(s.votes[t, n, c], s.votes[t, n, d]), c == d))))),
            "votes_not_ahead": lambda s: terms(lambda t: every(lambda n: every(lambda c: z3.Implies(s.votes[t, n, c], t <= s.term[n])))),
            "vote_remembered": lambda s: terms(lambda t: every(lambda n: every(lambda c: z3.Implies(
                z3.And(s.votes[t, n, c], s.term[n] == t), s.voted_for[n, c])))),
            "one_remembered": lambda s: every(lambda n: every(lambda c: every(lambda d: z3.Implies(
                z3.And(s.voted_for[n, c], s.voted_for[n, d]), c == d)))),
            "counted_votes_cast": lambda s: every(lambda c: every(lambda n: z3.Implies(s.granted[c, n], s.votes[s.term[c], n, c]))),
            "leader_was_elected": lambda s: every(lambda c: z3.Implies(self.role_is(s, c, LEADER), s.elected[s.term[c], c])),
        }

    def abstract(self, state: State) -> dict[str, Any]:
        return {"term": lambda n: state.term[n], "role": lambda n: state.role[n],
                "voted_for": lambda n, c: state.voted_for[n] == c, "granted": lambda n, c: c in state.granted[n],
                "requests": lambda t, c: (t, c) in state.requests, "votes": lambda t, n, c: (t, n, c) in state.votes,
                "elected": lambda t, n: (t, n) in state.elected}

    def concrete(self, values: dict[str, Any]) -> State:
        nodes, terms = range(self.model.nodes), range(self.model.max_term + 1)
        voted = [[c for c in nodes if values["voted_for"][(n, c)]] for n in nodes]
        return State(term=tuple(values["term"][(n,)] for n in nodes), role=tuple(values["role"][(n,)] for n in nodes),
                     voted_for=tuple(v[0] if v else None for v in voted),
                     granted=tuple(frozenset(c for c in nodes if values["granted"][(n, c)]) for n in nodes),
                     requests=frozenset((t, c) for t in terms for c in nodes if values["requests"][(t, c)]),
                     votes=frozenset((t, n, c) for t in terms for n in nodes for c in nodes if values["votes"][(t, n, c)]),
                     elected=frozenset((t, n) for t in terms for n in nodes if values["elected"][(t, n)]))

    def sizes(self) -> dict[str, int]:
        return {"Server": self.model.nodes}

    def instance(self, sizes: dict[str, int]) -> Any:
        return attrs.evolve(self.model, nodes=sizes["Server"])
