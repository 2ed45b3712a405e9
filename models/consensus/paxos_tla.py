"""Single-decree Paxos as in Paxos.tla: acceptors, ballots, and the set of every message sent.

Source: Lamport's Paxos.tla in the TLA+ Examples (specifications/Paxos), "a specification of
the Paxos algorithm without explicit leaders or learners", with Voting.tla (the abstract
algorithm it refines) and Consensus.tla (what Voting refines), model-checked there with
MCPaxos.tla and MCPaxos.cfg. This model reads beside Paxos.tla: one action method per TLA+
operator, guard and effect together, each `\\E` of the spec a parameter of the action.

The protocol: the leader of ballot b begins it (Phase1a). An acceptor that has promised nothing
as high promises b and reports its latest vote (Phase1b). Once a quorum's reports for b are in,
the leader proposes, once per ballot, a value that is safe at b: the value of the highest vote
reported, or any value when nobody in the quorum has voted (Phase2a). An acceptor votes for the
proposal unless it has promised a higher ballot (Phase2b). A value is chosen when a quorum has
voted for it in one ballot; learners, which would notice, are left out, as in the spec.

Actions (TLA+'s Next; the engine counts one generated state for each way an action formula is
satisfied, as TLC does, so the figures match TLC's, "generated" included):
- phase1a(b): Phase1a(b). Always enabled: sending a 1a message again changes nothing, but it is
  a step, which TLC counts (and which keeps TLC from seeing a deadlock: below);
- phase1b(a, m): Phase1b(a), with `\\E m \\in msgs` as the parameter m, whose domain is the state's
  messages (the method `msgs`); the guard picks the 1a messages of a ballot above maxBal[a];
- phase2a(b, v, q, m): Phase2a(b, v), with `\\E Q \\in Quorum` as q, and the disjunction
  `Q1bv = {} \\/ \\E m \\in Q1bv : ...` as m: None for the first disjunct (no acceptor of q reported
  a vote), a 1b message carrying a vote for the second (the highest-ballot vote reported, for v).
  Each witness is a step of its own, as in TLC. The conjunct `\\A a \\in Q : \\E m \\in Q1b :
  m.acc = a` has one witness per acceptor (an acceptor answers each ballot at most once,
  Phase1b's guard), so it multiplies nothing and is checked, not enumerated;
- phase2b(a, m): Phase2b(a), `\\E m \\in msgs` as m, the guard picking 2a messages of a ballot
  at least maxBal[a].

Constants (the options), as in MCPaxos.tla with the values its comments give: Acceptor is
0..acceptors-1 (a1, a2, a3 there), Value is v1..v{values}, Ballot is 0..ballots-1 (MCBallot,
0..MCMaxBallot; Paxos.tla's Ballot is Nat, which no model checker can enumerate), and Quorum
is every set of a bare majority of acceptors (MCQuorum: {{a1, a2}, {a1, a3}, {a2, a3}}; a
larger majority contains one of them, whose promises allow the value its own do, so it would
reach no other state, only add witnesses, and generated states). `--symmetry` reduces by
MCSymmetry, the permutations of acceptors and of values, each state to the least of its
renamings, so the count does not depend on the search order. 3 acceptors, 2 values, ballots
{0, 1}: 3,921 states, 23,563 generated, depth 17 (TLC's figures); with symmetry 443 states (TLC's
figure), 2,697 generated, depth 17. Three ballots: 17,153 states with symmetry (about 12 s).
MCPaxos.tla as committed (one acceptor, one value: `--acceptors 1 --values 1`): 25 states, 82
generated, depth 9, the figures its manifest records for TLC.

Abstractions (the spec's own): messages are the set of every message ever sent, so any message
may be received any number of times, in any order, or never, which covers loss and
duplication; no process crashes (nothing is lost, since acceptors keep maxBal, maxVBal and
maxVal); leaders and learners are not processes, only the ballots' actions.

State fields:
- max_bal[a]: maxBal[a], the highest ballot acceptor a has promised or voted in (-1: none);
- max_vbal[a], max_val[a]: maxVBal[a], maxVal[a], a's latest vote, ballot and value (-1, None:
  a has not voted);
- msgs: every message sent: Msg1a(bal), Msg1b(acc, bal, mbal, mval) (acc's promise for bal,
  reporting its latest vote), Msg2a(bal, val) (the proposal of ballot bal) and Msg2b(acc,
  bal, val) (acc's vote).

Properties: MCPaxos.cfg's invariants Inv1 to Inv4 (the conjuncts of Paxos.tla's Inv: type_ok,
last_vote_is_cast, messages_truthful, voting_invariant), Consensus's agreement under the
refinement mapping (consistency: at most one value is chosen), and its temporal PROPERTY
VotingSpecBar, that Paxos refines Voting (refines_voting, on every step: the mapping's Init
holds trivially, msgs being empty at first). Witnesses: a value is chosen, and an acceptor
votes in a later ballot for a value chosen in ballot 0 (any quorum of the later ballot includes
an acceptor that voted for it in ballot 0 before promising, and reports that vote, so the
leader had to propose it: Paxos's point).
No liveness: Paxos.tla states none (MCPaxos.tla's MCLiveness needs MCLSpec's fairness, which
the config leaves commented out).

Deadlock: MCPaxos.cfg leaves TLC's deadlock check on (it has no CHECK_DEADLOCK FALSE) and TLC
finds none, because Phase1a(b) is always enabled: a state where only 1a messages could be sent
again still has steps. The engine's deadlock check asks for a step to a different state, so
`may_stop` allows the states where every ballot has begun: there only the bound on ballots
stops the protocol (with Ballot = Nat, a new ballot could begin). Every state with no step to a
different state is one of those, so deadlock_free holds, as in TLC.
"""
import functools
import itertools
from typing import Any, ClassVar

import attrs

from checker import ProtocolModel, action, added, always, option, record, sometimes, transition, updated

NONE = None  # Paxos.tla's None: a value that is not a choosable value


@record
class Msg1a:
    """[type |-> "1a", bal |-> b]: the leader of ballot `bal` begins it."""

    bal: int


@record
class Msg1b:
    """[type |-> "1b", ...]: acceptor `acc` promises ballot `bal` and reports its latest vote (mbal, mval)."""

    acc: int
    bal: int
    mbal: int
    mval: str | None


@record
class Msg2a:
    """[type |-> "2a", ...]: the leader of ballot `bal` proposes `val`."""

    bal: int
    val: str


@record
class Msg2b:
    """[type |-> "2b", ...]: acceptor `acc` votes for `val` in ballot `bal`."""

    acc: int
    bal: int
    val: str


Message = Msg1a | Msg1b | Msg2a | Msg2b


@record
class State:
    """One state of Paxos.tla: maxBal, maxVBal and maxVal per acceptor, and msgs."""

    max_bal: tuple[int, ...]
    max_vbal: tuple[int, ...]
    max_val: tuple[str | None, ...]
    msgs: frozenset[Message]


class Voting:
    """Module Voting's definitions on one Paxos state, through the refinement mapping (V == INSTANCE Voting)."""

    def __init__(self, model: "PaxosTLA", s: State):
        self.model = model
        self.max_bal = s.max_bal
        self.votes = votes(s)
        self.voted_in = {(a, b) for a, b, _v in self.votes}

    def voted_for(self, a: int, b: int, v: str) -> bool:
        """VotedFor(a, b, v): a voted for v in ballot b."""
        return (a, b, v) in self.votes

    def did_not_vote_at(self, a: int, b: int) -> bool:
        """DidNotVoteAt(a, b): a cast no vote in ballot b."""
        return (a, b) not in self.voted_in

    def chosen_at(self, b: int, v: str) -> bool:
        """ChosenAt(b, v): some quorum all voted for v in ballot b."""
        return any(all(self.voted_for(a, b, v) for a in q) for q in self.model.Quorum)

    def chosen(self) -> set[str]:
        """chosen: the values chosen in some ballot (only a ballot and value someone voted for can be)."""
        return {v for b, v in {(b, v) for _a, b, v in self.votes} if self.chosen_at(b, v)}

    def cannot_vote_at(self, a: int, b: int) -> bool:
        """CannotVoteAt(a, b): a has passed ballot b without voting in it, so it never will."""
        return self.max_bal[a] > b and self.did_not_vote_at(a, b)

    def none_other_choosable_at(self, b: int, v: str) -> bool:
        """NoneOtherChoosableAt(b, v): some quorum voted for v in b or can no longer vote there."""
        return any(all(self.voted_for(a, b, v) or self.cannot_vote_at(a, b) for a in q) for q in self.model.Quorum)

    def safe_at(self, b: int, v: str) -> bool:
        """SafeAt(b, v): no value other than v is or can be chosen in a ballot below b."""
        return all(self.none_other_choosable_at(c, v) for c in range(b))

    def shows_safe_at(self, q: frozenset[int], b: int, v: str) -> bool:
        """ShowsSafeAt(Q, b, v): Q's promises and votes show that v is safe at b."""
        return all(self.max_bal[a] >= b for a in q) and any(
            (c == -1 or any(self.voted_for(a, c, v) for a in q))
            and all(self.did_not_vote_at(a, d) for d in range(c + 1, b) for a in q)
            for c in range(-1, b))

    def type_ok(self) -> bool:
        """Voting's TypeOK: votes are (ballot, value) pairs, maxBal a ballot or -1."""
        model = self.model
        return (all(b in model.Ballot and v in model.Value and a in model.Acceptor for a, b, v in self.votes)
                and all(bal == -1 or bal in model.Ballot for bal in self.max_bal))

    def votes_safe(self) -> bool:
        """VotesSafe: every vote is for a value safe at its ballot."""
        return all(self.safe_at(b, v) for _a, b, v in self.votes)

    def one_value_per_ballot(self) -> bool:
        """OneValuePerBallot: no two votes in one ballot are for different values."""
        return len({(b, v) for _a, b, v in self.votes}) == len({b for _a, b, _v in self.votes})

    def vote_for_enabled(self, a: int, b: int, v: str) -> bool:
        """The enabling conditions of VoteFor(a, b, v)."""
        return (self.max_bal[a] <= b and self.did_not_vote_at(a, b)
                and all(w == v for c, d, w in self.votes if d == b and c != a)
                and any(self.shows_safe_at(q, b, v) for q in self.model.Quorum))


def votes(s: State) -> frozenset[tuple[int, int, str]]:
    """The refinement mapping's votes, flattened: (a, b, v) for each 2b message (<<b, v>> \\in votes[a])."""
    return frozenset((m.acc, m.bal, m.val) for m in s.msgs if type(m) is Msg2b)


@functools.cache
def renamings(acceptors: int, values: tuple[str, ...]) -> tuple[tuple[tuple[int, ...], tuple[int, ...], dict], ...]:
    """MCSymmetry's permutations: (acceptor map, its inverse, value map) for every pair of permutations."""
    found = []
    for order in itertools.permutations(range(acceptors)):
        inverse = tuple(order.index(a) for a in range(acceptors))
        for image in itertools.permutations(values):
            found.append((order, inverse, {NONE: NONE, **dict(zip(values, image))}))
    return tuple(found)


def renamed(s: State, acc: tuple[int, ...], inverse: tuple[int, ...], val: dict) -> State:
    """The state with acceptor a renamed acc[a] and value v renamed val[v]."""
    return State(max_bal=tuple(s.max_bal[i] for i in inverse), max_vbal=tuple(s.max_vbal[i] for i in inverse),
                 max_val=tuple(val[s.max_val[i]] for i in inverse), msgs=frozenset(renamed_message(m, acc, val) for m in s.msgs))


def renamed_message(m: Message, acc: tuple[int, ...], val: dict) -> Message:
    """One message with its acceptor and value renamed."""
    kind = type(m)
    if kind is Msg1b:
        return Msg1b(acc[m.acc], m.bal, m.mbal, val[m.mval])
    if kind is Msg2a:
        return Msg2a(m.bal, val[m.val])
    if kind is Msg2b:
        return Msg2b(acc[m.acc], m.bal, val[m.val])
    return m


def renamed_key(s: State, acc: tuple[int, ...], inverse: tuple[int, ...], val: dict) -> tuple:
    """`renamed(s, ...)` as plain tuples (None as ""), one-to-one and totally ordered: compared to choose the least renaming."""
    return (tuple(s.max_bal[i] for i in inverse), tuple(s.max_vbal[i] for i in inverse), tuple(val[s.max_val[i]] or "" for i in inverse),
            tuple(sorted(message_key(m, acc, val) for m in s.msgs)))


def message_key(m: Message, acc: tuple[int, ...], val: dict) -> tuple:
    """One renamed message as a tuple that orders totally: its kind first."""
    kind = type(m)
    if kind is Msg1b:
        return 1, acc[m.acc], m.bal, m.mbal, val[m.mval] or ""
    if kind is Msg2a:
        return 2, -1, m.bal, -1, val[m.val]
    if kind is Msg2b:
        return 3, acc[m.acc], m.bal, -1, val[m.val]
    return 0, -1, m.bal, -1, ""


@attrs.frozen
class PaxosTLA(ProtocolModel):
    """Single-decree Paxos as in Paxos.tla (TLA+ Examples): TLC's state counts, exactly."""

    name: ClassVar[str] = "paxos-tla"
    symbolic_form: ClassVar[str] = "models.consensus.paxos_tla_proof:PaxosTLAProof"  # models/consensus/paxos_tla_proof.py: --strategy prove and bmc (for the given sizes only)
    acceptors: int = option(3, help="number of acceptors (Acceptor; quorums are bare majorities)", min=1, max=5)
    values: int = option(2, help="number of values (Value: v1, v2, ...)", min=1, max=4)
    ballots: int = option(2, help="number of ballots (Ballot = 0..ballots-1; at least 2, so a later ballot can keep a chosen value; "
                               "3 gives 17,153 states with --symmetry)", min=2, max=4)
    symmetry: bool = option(False, help="reduce by permutations of acceptors and of values (MCSymmetry)")

    @property
    def Acceptor(self) -> range:
        """Acceptor: the acceptors, numbered from 0."""
        return range(self.acceptors)

    @property
    def Value(self) -> tuple[str, ...]:
        """Value: v1, v2, ..."""
        return _value_names(self.values)

    @property
    def Ballot(self) -> range:
        """Ballot: 0..ballots-1 (MCBallot)."""
        return range(self.ballots)

    @property
    def Quorum(self) -> tuple[frozenset[int], ...]:
        """Quorum: every set of a bare majority of acceptors (MCQuorum)."""
        return _majorities(self.acceptors)

    def init(self) -> State:
        """Init: no acceptor has promised or voted, no message is sent."""
        n = self.acceptors
        return State(max_bal=(-1,) * n, max_vbal=(-1,) * n, max_val=(NONE,) * n, msgs=frozenset())

    def msgs(self, s: State) -> frozenset[Message]:
        """msgs, as the domain of `\\E m \\in msgs`."""
        return s.msgs

    def reported_votes(self, s: State) -> set[Msg1b | None]:
        """The domain of Phase2a's m: None (the disjunct Q1bv = {}), or a 1b message reporting a vote."""
        return {NONE} | {m for m in s.msgs if type(m) is Msg1b and m.mbal >= 0}

    @action(b="Ballot")
    def phase1a(self, s: State, b: int) -> State:
        """Phase1a(b): the leader of ballot b begins it, sending a 1a message."""
        return s.evolve(msgs=added(s.msgs, Msg1a(b)))

    @action(a="Acceptor", m="msgs")
    def phase1b(self, s: State, a: int, m: Message) -> State | None:
        """Phase1b(a): acceptor a promises a ballot above any it promised, reporting its latest vote."""
        if type(m) is Msg1a and m.bal > s.max_bal[a]:
            promise = Msg1b(acc=a, bal=m.bal, mbal=s.max_vbal[a], mval=s.max_val[a])
            return s.evolve(max_bal=updated(s.max_bal, a, m.bal), msgs=added(s.msgs, promise))
        return None

    @action(b="Ballot", v="Value", q="Quorum", m="reported_votes")
    def phase2a(self, s: State, b: int, v: str, q: frozenset[int], m: Msg1b | None) -> State | None:
        """Phase2a(b, v): once per ballot, on quorum q's promises, propose v, safe by the vote m (None: q never voted)."""
        if any(type(x) is Msg2a and x.bal == b for x in s.msgs):
            return None
        q1b = self.quorum_promises(s, b, q)
        if q1b is None:
            return None
        q1bv = [x for x in q1b if x.mbal >= 0]
        if m is NONE and not q1bv or m in q1bv and m.mval == v and all(m.mbal >= mm.mbal for mm in q1bv):
            return s.evolve(msgs=added(s.msgs, Msg2a(bal=b, val=v)))
        return None

    def quorum_promises(self, s: State, b: int, q: frozenset[int]) -> list[Msg1b] | None:
        """Q1b, the 1b messages of q's acceptors for ballot b, if every acceptor of q sent one (else None)."""
        q1b = [x for x in s.msgs if type(x) is Msg1b and x.bal == b and x.acc in q]
        return q1b if len({x.acc for x in q1b}) == len(q) else None

    @action(a="Acceptor", m="msgs")
    def phase2b(self, s: State, a: int, m: Message) -> State | None:
        """Phase2b(a): acceptor a votes for a proposal unless it promised a higher ballot."""
        if type(m) is Msg2a and m.bal >= s.max_bal[a]:
            return State(max_bal=updated(s.max_bal, a, m.bal), max_vbal=updated(s.max_vbal, a, m.bal),
                         max_val=updated(s.max_val, a, m.val), msgs=added(s.msgs, Msg2b(acc=a, bal=m.bal, val=m.val)))
        return None

    def may_stop(self, s: State) -> bool:
        """Every ballot has begun: only the bound on ballots stops the protocol here (TLC resends a 1a)."""
        return all(Msg1a(b) in s.msgs for b in self.Ballot)

    def representative(self, s: State) -> State:
        """The least renaming of s (by `renamed_key`), the same for every state of its orbit (the
        engine uses it only when the `symmetry` option is on)."""
        return renamed(s, *min(renamings(self.acceptors, self.Value), key=lambda r: renamed_key(s, *r)))

    def voting(self, s: State) -> Voting:
        """Module Voting on this state (V == INSTANCE Voting)."""
        return Voting(self, s)

    @always
    def type_ok(self, s: State) -> bool:
        """Inv1, TypeOK: every variable holds a value of its type, every message is a Message."""
        ballot = set(self.Ballot) | {-1}
        value = set(self.Value) | {NONE}
        return (all(x in ballot for x in s.max_bal + s.max_vbal) and all(x in value for x in s.max_val)
                and all(self.is_message(m) for m in s.msgs))

    def is_message(self, m: Any) -> bool:
        """m \\in Message."""
        kind, ballot, acceptor, value = type(m), self.Ballot, self.Acceptor, self.Value
        if kind is Msg1a:
            return m.bal in ballot
        if kind is Msg1b:
            return m.acc in acceptor and m.bal in ballot and (m.mbal == -1 or m.mbal in ballot) and (m.mval is NONE or m.mval in value)
        if kind in (Msg2a, Msg2b):
            return m.bal in ballot and m.val in value and (kind is Msg2a or m.acc in acceptor)
        return False

    @always
    def last_vote_is_cast(self, s: State) -> bool:
        """Inv2: maxVBal[a], maxVal[a] is a vote a cast (a 2b message), or -1, None."""
        voting = self.voting(s)
        return all(s.max_val[a] is NONE if s.max_vbal[a] == -1 else voting.voted_for(a, s.max_vbal[a], s.max_val[a])
                   for a in self.Acceptor)

    @always
    def messages_truthful(self, s: State) -> bool:
        """Inv3: a 1b message keeps its promise and reports a vote cast; a 2a proposes a value shown safe, one per ballot."""
        voting = self.voting(s)
        return all(self.truthful(s, voting, m) for m in s.msgs)

    def truthful(self, s: State, voting: Voting, m: Message) -> bool:
        """Inv3 on one message."""
        if type(m) is Msg1b:
            return s.max_bal[m.acc] >= m.bal and (m.mbal < 0 or voting.voted_for(m.acc, m.mbal, m.mval))
        if type(m) is Msg2a:
            return (any(voting.shows_safe_at(q, m.bal, m.val) for q in self.Quorum)
                    and all(mm.val == m.val for mm in s.msgs if type(mm) is Msg2a and mm.bal == m.bal))
        return True

    @always
    def voting_invariant(self, s: State) -> bool:
        """Inv4, V!Inv: Voting's TypeOK, VotesSafe and OneValuePerBallot under the refinement mapping."""
        voting = self.voting(s)
        return voting.type_ok() and voting.votes_safe() and voting.one_value_per_ballot()

    @always
    def consistency(self, s: State) -> bool:
        """At most one value is chosen (Consensus's Inv, chosen being V!chosen)."""
        return len(self.voting(s).chosen()) <= 1

    @consistency.explain
    def _why_inconsistent(self, s: State) -> str:
        """Which values are chosen, and by whose votes."""
        voting = self.voting(s)
        found = [f"{v} in ballot {b} by acceptors {sorted(q)}" for v in self.Value for b in self.Ballot for q in self.Quorum
                 if all(voting.voted_for(a, b, v) for a in q)]
        return "chosen: " + "; ".join(found)

    @transition
    def refines_voting(self, before: State, _step: Any, after: State) -> bool:
        """VotingSpecBar: each step is Voting's IncreaseMaxBal or VoteFor, or leaves votes and maxBal unchanged."""
        old, new = votes(before), votes(after)
        if new == old:
            return after.max_bal == before.max_bal or self.increases_max_bal(before.max_bal, after.max_bal)
        if not new > old or len(new - old) != 1:
            return False
        (a, b, v), = new - old
        return b in self.Ballot and after.max_bal == updated(before.max_bal, a, b) and self.voting(before).vote_for_enabled(a, b, v)

    def increases_max_bal(self, before: tuple[int, ...], after: tuple[int, ...]) -> bool:
        """IncreaseMaxBal(a, b) for some a and some ballot b: one acceptor's maxBal rises, to a ballot."""
        changed = [a for a in self.Acceptor if before[a] != after[a]]
        return len(changed) == 1 and before[changed[0]] < after[changed[0]] and after[changed[0]] in self.Ballot

    @sometimes
    def value_chosen(self, s: State) -> bool:
        """A value is chosen (V!chosen # {}, MCLiveness's goal)."""
        return bool(self.voting(s).chosen())

    @sometimes
    def chosen_value_voted_later(self, s: State) -> bool:
        """An acceptor votes in a later ballot for a value chosen in ballot 0: that ballot's leader had to propose it."""
        voting = self.voting(s)
        return any(b > 0 and voting.chosen_at(0, v) for _a, b, v in voting.votes)


@functools.cache
def _value_names(values: int) -> tuple[str, ...]:
    """v1, v2, ...: the values' names."""
    return tuple(f"v{i + 1}" for i in range(values))


@functools.cache
def _majorities(acceptors: int) -> tuple[frozenset[int], ...]:
    """Every set of floor(n/2)+1 acceptors: the bare majorities, any two of which intersect."""
    return tuple(frozenset(q) for q in itertools.combinations(range(acceptors), acceptors // 2 + 1))
