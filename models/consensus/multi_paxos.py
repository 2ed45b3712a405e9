"""Multi-Paxos as actors: a replicated log of a few slots, a distinguished leader and leader change.

Sources: Lamport, "Paxos Made Simple" (2001), section 2 (the synod algorithm: prepare and
promise, accept and accepted, and its safety requirements) and section 3 (a state machine: one
instance per log slot, a leader that runs phase 1 once for all instances); van Renesse and
Altinbuken, "Paxos Made Moderately Complex" (ACM Computing Surveys, 2015), whose roles this model
keeps apart: leaders (here proposers, each with a replica that learns the log) and acceptors. A
leader's scout is its phase 1, its commanders are its phase 2, a vote is their pvalue, and a
leader that hears of a higher ballot is preempted.

The protocol. Proposers (n0, n1, ...) propose, acceptors (the nodes after them) vote, and every
proposer's replica learns the log.
- Ballots are (round, proposer) pairs ordered by round, then by proposer, so no two proposers
  share one. A proposer that takes over picks a round above every round it has seen.
- Phase 1, once for all slots: the proposer sends Prepare(ballot) to every acceptor. An acceptor
  that has promised no higher ballot promises this one (never to accept a lower one) and answers
  Promise(ballot, accepted): the (ballot, value) it last accepted in each slot.
- Promises from a majority make the proposer leader. In each slot it adopts the value of the
  highest ballot the promises reported (that value may have been chosen: it must be proposed
  again), and its clients' requests go to the slots left free.
- Phase 2, per slot: the leader sends Accept(ballot, slot, value) to every acceptor. An acceptor
  that has promised no higher ballot accepts (and promises the ballot) and answers
  Accepted(ballot, slot).
- Learning: a value is chosen in a slot once a majority of acceptors accepted it in one ballot.
  The leader learns it from a majority of Accepted replies of its ballot and sends
  Decision(slot, value) to the other replicas.
- Preemption: an acceptor answers a Prepare or Accept of a ballot below its promise with
  Nack(promise); the proposer gives up its ballot, remembers the round, and waits for its
  election timer.

What is abstracted away, and the bounds (model options):
- Leader election is a timer. n0, the distinguished leader, runs phase 1 at start; a proposer
  with no ballot in progress has an `election` timer whose firing starts a higher ballot (it
  suspects the leader, or it was preempted). With `--elections anytime` the timer fires at any
  moment, racing the messages in flight, so proposers duel and an old leader's messages arrive
  after a new leader's; with `when-quiet`, only once no message is in flight.
- Client requests are the leader's `client` timer: each proposer takes at most `requests`
  requests in the whole run, each into the first free slot. A value names its proposer and
  request (`a1` is n0's first, `b1` n1's first), so no two requests carry one value, even across
  a restart. By default (`--clients when-quiet`) a request reaches the leader only once no
  message is in flight: the races that matter to Paxos are between ballots, which elections
  race; `--clients anytime` races requests too (more states). A slot left without a request
  stays empty (real leaders fill holes with no-ops; nothing here needs one).
- The `retry` timer of a proposer in phase 1 or 2 resends what is unanswered: Prepare to the
  acceptors that have not promised, Accept to those that have not accepted, every Decision (a
  replica that has it discards it). It fires only once no message is in flight (`when-quiet`), so
  a lost message is resent but retries never fill the network.
- Messages that can never matter again are discarded as soon as they are dead
  (`ProposerActor.obsolete`): a Promise or Accepted its proposer no longer waits for, a Nack of a
  ballot it knows beaten, a Decision for a slot its replica learned. Acceptors answer every
  message (a refusal with a Nack), so nothing sent to them is obsolete. What a leader is done with
  is forgotten (the promises once it leads, the accept counts of a slot once learned), so states
  that differ only there are one state.
- Bounds: no ballot beyond round `max_round`; each proposer takes at most `requests` requests;
  the log has `slots` slots; at most `max_in_flight` messages are in flight (a state constraint:
  states with more are not explored, so a broadcast to three acceptors needs room for three).
  With one round (the default) each proposer owns one ballot, n0's b1.n0 and n1's higher b1.n1:
  one leader change, with n1 re-proposing what n0 got accepted and filling the other slot.
- Faults (--faults): crash and restart of any node, message loss and duplication, clock skew;
  the network is a bag, so messages are reordered freely. Durable: an acceptor's promise,
  accepted values and votes; a proposer's round (a ballot is never reused), the requests it took
  and its replica's log. Volatile: a proposer's phase, promises, adopted values, proposals and
  accept counts. The default budget crashes a node, restarts it and loses a message
  (crash=1,restart=1,drop=1): 52,495 states, 15 to 25 s on two shared cores, liveness included.
  Losing an acceptor's promise or accepted values, or a proposer's round, in a crash breaks
  state machine safety at these bounds (the tests check the acceptor's two).
- Symmetry: the acceptors are interchangeable (ballots name proposers, so proposers are not). A
  state is explored through a canonical representative (`MultiPaxos.representative`): acceptors
  in the order of their footprints (local state, timers, the messages to and from them, where the
  proposers name them). Every message and every proposer field names at most one acceptor, so
  acceptors with equal footprints are interchangeable and the order gives one member per class.
  (The engine's generic representative sorts by local state alone and breaks ties by node id, so
  a class can get several fingerprints, and rebuilding a liveness counterexample then fails.)

Safety, Paxos Made Simple's requirements and Raft's Figure 3 for a log: replicas never learn
different values for one slot (log matching); at most one value is chosen in a slot (state
machine safety); a replica learns a value only once it is chosen. Witnesses: every slot chosen,
a new leader proposing again a value accepted in an older ballot, every replica learning every
slot, and a value learned without an acceptor that is down.

Liveness, once faults stop (judged on fair runs: every step that stays enabled is eventually
taken, a message in flight is delivered, an armed timer fires, a crashed node with a restart left
in the budget restarts; faults are never forced): some running proposer eventually leads a ballot
no running acceptor has promised to beat; every value a running leader proposes is eventually
learned by it, unless it is preempted; a slot a running replica learned is eventually learned by
every running replica. Election timers are fair, so leaders change until the round bound stops
them, and the properties judge the leader the bound leaves in place (Paxos promises progress
with a stable leader). A run that would stay forever with no leader of the highest ballot only
because a bound stops the step that would change that (an idle proposer at `max_round` starting
another ballot, or a preempted leader's next client request, beyond `requests` or `slots`,
meeting a Nack) is cut by the bounds, counted in the verdict's note, never reported as a
violation (`cut_by_bounds`), and so is a run whose next fair step would put more than
`max_in_flight` messages in flight.

Known bugs (--bug):
- skip-phase1: a proposer that takes over skips phase 1: it leads its new ballot at once and
  proposes its client's value in the first slot it has not learned, without asking the
  acceptors what they accepted there, so a value already chosen is chosen over (state machine
  safety, 14 steps at the defaults).
- minority-commit: the leader counts a slot chosen on the first Accepted reply (a minority),
  learns it and announces it, so a replica learns a value that was never chosen (8 steps at the
  defaults; replicas learn different values in 19).

State fields. An acceptor (`Acceptor`): `promised` (the highest ballot it promised; b0, none),
`accepted` (per slot, the (ballot, value) it last accepted, or None) and `votes` (every (slot,
ballot, value) it ever accepted: a history field, like `votes` in Lamport's TLA+ Paxos, for the
properties: a value is chosen when a majority voted for it in one ballot). A proposer
(`Proposer`): `round` (the highest round it used or heard of), `phase` (idle, preparing or
leading), `promised_by` (the acceptors that promised its ballot, in phase 1), `adopted` (per slot,
the highest (ballot, value) the promises reported, in phase 1), `proposals` (per slot, the value
it proposes in its ballot and has not learned), `accepts` (the (slot, acceptor) pairs that
accepted a proposal not yet learned), `taken` (the client requests it took, ever) and `learned`
(its replica's log: per slot, the value learned, or None).
"""
import functools
from collections import Counter
from typing import Any, ClassVar

import attrs

from checker import always, eventually, leads_to, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.symmetry import permuted
from checker.actors.system import ActorModel, System
from checker.fingerprint import fingerprint
from specs.replicated_log import applied_conflict, chosen_values, learned_conflict

IDLE, PREPARING, LEADING = "idle", "preparing", "leading"
LETTERS = "abcdefgh"
DEFAULT_FAULTS = FaultBudget(crash=1, restart=1, drop=1)


@record
class Ballot:
    """A ballot: a round and the proposer that owns it, ordered by round, then by proposer."""

    round: int
    leader: NodeId

    def __show__(self) -> str:
        return f"b{self.round}.{self.leader}" if self.round else "b0"


ZERO = Ballot(0, NodeId(0))  # below every real ballot: an acceptor that has promised nothing


@record
class PValue:
    """A vote (the paper's pvalue, without its slot): a value and the ballot in which it was accepted."""

    ballot: Ballot
    value: str

    def __show__(self) -> str:
        return f"{self.value}@{self.ballot.__show__()}"


@record
class Prepare:
    """Proposer -> acceptor (phase 1a): promise me `ballot`."""

    ballot: Ballot

    def __show__(self) -> str:
        return f"Prepare {self.ballot.__show__()}"


@record
class Promise:
    """Acceptor -> proposer (phase 1b): `ballot` promised; per slot, what I last accepted."""

    ballot: Ballot
    accepted: tuple

    def __show__(self) -> str:
        votes = " ".join(f"s{slot}={v.__show__()}" for slot, v in enumerate(self.accepted, start=1) if v)
        return f"Promise {self.ballot.__show__()}" + (f" [{votes}]" if votes else "")


@record
class Accept:
    """Leader -> acceptor (phase 2a): accept `value` in `slot` in `ballot`."""

    ballot: Ballot
    slot: int
    value: str

    def __show__(self) -> str:
        return f"Accept {self.ballot.__show__()} s{self.slot}={self.value}"


@record
class Accepted:
    """Acceptor -> leader (phase 2b): I accepted your value in `slot` in `ballot`."""

    ballot: Ballot
    slot: int

    def __show__(self) -> str:
        return f"Accepted {self.ballot.__show__()} s{self.slot}"


@record
class Nack:
    """Acceptor -> proposer: your ballot is beaten; I promised `promised`."""

    promised: Ballot

    def __show__(self) -> str:
        return f"Nack {self.promised.__show__()}"


@record
class Decision:
    """Leader -> replica: `value` was chosen in `slot`."""

    slot: int
    value: str

    def __show__(self) -> str:
        return f"Decision s{self.slot}={self.value}"


@record
class Acceptor:
    """One acceptor (see the module docstring for each field); everything survives a crash."""

    DURABLE = ("promised", "accepted", "votes")
    promised: Ballot
    accepted: tuple
    votes: frozenset


@record
class Proposer:
    """One proposer and its replica (see the module docstring for each field)."""

    DURABLE = ("round", "taken", "learned")
    round: int
    phase: str
    promised_by: frozenset
    adopted: tuple
    proposals: tuple
    accepts: frozenset
    taken: int
    learned: tuple

    def ballot(self, me: NodeId) -> Ballot:
        """The ballot of this proposer's current round (ZERO before its first)."""
        return Ballot(self.round, me) if self.round else ZERO


@functools.lru_cache(maxsize=1 << 16)
def _chosen(votes: tuple, quorum: int) -> frozenset:
    """`chosen_values`, memoised by the acceptors' vote histories (the same ones recur across many states)."""
    return chosen_values(votes, quorum)


def higher(a: PValue | None, b: PValue | None) -> PValue | None:
    """The vote of the higher ballot (None counts as no vote)."""
    if a is None or b is not None and b.ballot > a.ballot:
        return b
    return a


def put(items: tuple, index: int, value: Any) -> tuple:
    """`items` with position `index` replaced by `value`."""
    return items[:index] + (value,) + items[index + 1:]


def free_slot(p: Proposer) -> int | None:
    """The first slot (1-based) where the proposer has no proposal and its replica has learned nothing."""
    return next((i for i, (value, learned) in enumerate(zip(p.proposals, p.learned), start=1)
                 if value is None and learned is None), None)


def takes_requests(p: Proposer, requests: int) -> bool:
    """True when a leader can take another client request: one of its `requests` left, and a free slot."""
    return p.taken < requests and free_slot(p) is not None


def without_ballot(p: Proposer) -> Proposer:
    """The proposer with the volatile state of its ballot cleared (promises, adopted votes, proposals, counts)."""
    empty = (None,) * len(p.learned)
    return p.evolve(promised_by=frozenset(), adopted=empty, proposals=empty, accepts=frozenset())


class AcceptorActor(Actor):
    """An acceptor's handlers: Paxos Made Simple's phase 1b and 2b."""

    role = "acceptor"

    def __init__(self, model: "MultiPaxos"):
        self.slots = model.slots

    def on_start(self, me: NodeId, out: Out) -> Acceptor:
        """An acceptor starts with no promise and no vote."""
        return Acceptor(promised=ZERO, accepted=(None,) * self.slots, votes=frozenset())

    def on_message(self, me: NodeId, s: Acceptor, src: NodeId, msg: Any, out: Out) -> Acceptor:
        """A Prepare or an Accept from a proposer."""
        if isinstance(msg, Prepare):
            return self._on_prepare(s, src, msg, out)
        return self._on_accept(s, src, msg, out)

    def _on_prepare(self, s: Acceptor, src: NodeId, m: Prepare, out: Out) -> Acceptor:
        """Promise a ballot at least as high as any promised (again, for a resent Prepare); refuse a lower one."""
        if m.ballot < s.promised:
            out.send(src, Nack(s.promised))
            return s
        out.send(src, Promise(m.ballot, s.accepted))
        return s.evolve(promised=m.ballot)

    def _on_accept(self, s: Acceptor, src: NodeId, m: Accept, out: Out) -> Acceptor:
        """Accept unless a higher ballot was promised: the vote is recorded and acknowledged."""
        if m.ballot < s.promised:
            out.send(src, Nack(s.promised))
            return s
        vote = PValue(m.ballot, m.value)
        out.send(src, Accepted(m.ballot, m.slot))
        return s.evolve(promised=m.ballot, accepted=put(s.accepted, m.slot - 1, vote),
                        votes=s.votes | {(m.slot, m.ballot, m.value)})


class ProposerActor(Actor):
    """A proposer's handlers (phases 1a and 2a, the leader's learning) and its replica's."""

    role = "proposer"

    def __init__(self, model: "MultiPaxos"):
        self.proposers = tuple(NodeId(i) for i in range(model.proposers))
        self.acceptors = tuple(NodeId(i) for i in range(model.proposers, model.proposers + model.acceptors))
        self.majority = model.acceptors // 2 + 1
        self.slots, self.requests, self.max_round = model.slots, model.requests, model.max_round
        self.bug = model.bug

    def fresh(self) -> Proposer:
        """A proposer with no ballot, no request taken and nothing learned."""
        empty = (None,) * self.slots
        return Proposer(round=0, phase=IDLE, promised_by=frozenset(), adopted=empty, proposals=empty,
                        accepts=frozenset(), taken=0, learned=empty)

    def on_start(self, me: NodeId, out: Out) -> Proposer:
        """n0, the distinguished leader, starts phase 1; the others wait for their election timer."""
        if me == self.proposers[0]:
            return self._prepare(me, self.fresh(), out)
        out.set_timer("election")
        return self.fresh()

    def crashed(self, me: NodeId, state: Proposer) -> Proposer:
        """What survives a crash: the DURABLE fields (round, requests taken, learned log), with no ballot in progress."""
        return self.fresh().evolve(**{name: getattr(state, name) for name in Proposer.DURABLE})

    def on_restart(self, me: NodeId, state: Proposer, out: Out) -> Proposer:
        """A restarted proposer holds no ballot: it waits for its election timer (its old ballot is never reused)."""
        s = self.crashed(me, state)
        self._await_election(s, out)
        return s

    def obsolete(self, me: NodeId, s: Proposer, src: NodeId, msg: Any) -> bool:
        """Dead for good: a reply to a phase it has left (rounds only grow), counted, or of a learned slot; a Nack it knows; a Decision it has."""
        if isinstance(msg, Decision):
            return s.learned[msg.slot - 1] is not None
        if isinstance(msg, Nack):
            return msg.promised.round <= s.round and (s.phase == IDLE or msg.promised <= s.ballot(me))
        if isinstance(msg, Promise):
            return s.phase != PREPARING or msg.ballot != s.ballot(me) or src in s.promised_by
        return (s.phase != LEADING or msg.ballot != s.ballot(me) or (msg.slot, src) in s.accepts
                or s.learned[msg.slot - 1] is not None)

    # --- timers -------------------------------------------------------------------------

    def on_timer(self, me: NodeId, s: Proposer, timer: str, out: Out) -> Proposer:
        """The election timeout, a client request, or the retry timer."""
        if timer == "election":
            return self._take_over(me, s, out)
        if timer == "client" and s.phase == LEADING:
            return self._client_request(me, s, out)
        if timer == "retry" and s.phase != IDLE:
            out.set_timer("retry")
            self._resend(me, s, out)
        return s

    def _take_over(self, me: NodeId, s: Proposer, out: Out) -> Proposer:
        """Election timeout: start a higher ballot (its phase 1), unless the round bound stops it."""
        if s.phase != IDLE or s.round >= self.max_round:
            return s  # the round bound: no ballot beyond max_round
        if self.bug == "skip-phase1":  # the bug: lead the new ballot at once, no Prepare, nothing adopted
            s = s.evolve(round=s.round + 1)
            return self._lead(me, s, out)
        return self._prepare(me, s, out)

    def _prepare(self, me: NodeId, s: Proposer, out: Out) -> Proposer:
        """Phase 1a: a new ballot, sent to every acceptor."""
        s = without_ballot(s).evolve(round=s.round + 1, phase=PREPARING)
        out.cancel_timer("election")
        out.set_timer("retry")
        out.broadcast(self.acceptors, Prepare(s.ballot(me)))
        return s

    def _client_request(self, me: NodeId, s: Proposer, out: Out) -> Proposer:
        """A client's request reaches the leader: propose it in the first free slot."""
        if not takes_requests(s, self.requests):
            return s
        slot, value = free_slot(s), f"{LETTERS[me]}{s.taken + 1}"
        s = s.evolve(taken=s.taken + 1, proposals=put(s.proposals, slot - 1, value))
        if takes_requests(s, self.requests):
            out.set_timer("client")
        out.broadcast(self.acceptors, Accept(s.ballot(me), slot, value))
        return s

    def _resend(self, me: NodeId, s: Proposer, out: Out) -> None:
        """The retry timer: Prepare to silent acceptors, Accept where unanswered, every Decision again."""
        if s.phase == PREPARING:
            out.broadcast([a for a in self.acceptors if a not in s.promised_by], Prepare(s.ballot(me)))
            return
        for slot, value in enumerate(s.proposals, start=1):
            if value is not None:
                out.broadcast([a for a in self.acceptors if (slot, a) not in s.accepts], Accept(s.ballot(me), slot, value))
        self._announce(me, s, out)

    def _announce(self, me: NodeId, s: Proposer, out: Out) -> None:
        """Send every learned slot to the other replicas (those that have it discard it: obsolete)."""
        for slot, value in enumerate(s.learned, start=1):
            if value is not None:
                out.broadcast([p for p in self.proposers if p != me], Decision(slot, value))

    # --- messages -----------------------------------------------------------------------

    def on_message(self, me: NodeId, s: Proposer, src: NodeId, msg: Any, out: Out) -> Proposer:
        """An acceptor's Promise, Accepted or Nack, or another leader's Decision."""
        if isinstance(msg, Promise):
            return self._on_promise(me, s, src, msg, out)
        if isinstance(msg, Accepted):
            return self._on_accepted(me, s, src, msg, out)
        if isinstance(msg, Nack):
            return self._on_nack(me, s, msg, out)
        return self._on_decision(s, msg)

    def _on_promise(self, me: NodeId, s: Proposer, src: NodeId, m: Promise, out: Out) -> Proposer:
        """Phase 1b at the proposer: keep the highest vote per slot; a majority makes it leader."""
        if s.phase != PREPARING or m.ballot != s.ballot(me) or src in s.promised_by:
            return s
        adopted = tuple(higher(mine, theirs) for mine, theirs in zip(s.adopted, m.accepted))
        s = s.evolve(promised_by=s.promised_by | {src}, adopted=adopted)
        return self._lead(me, s, out) if len(s.promised_by) >= self.majority else s

    def _lead(self, me: NodeId, s: Proposer, out: Out) -> Proposer:
        """Phase 1 done: propose the adopted value of every slot again (phase 2a), then take client requests."""
        proposals = tuple(v.value if v and learned is None else None for v, learned in zip(s.adopted, s.learned))
        s = s.evolve(phase=LEADING, promised_by=frozenset(), proposals=proposals, adopted=(None,) * self.slots)
        out.cancel_timer("election")
        out.set_timer("retry")
        for slot, value in enumerate(proposals, start=1):
            if value is not None:
                out.broadcast(self.acceptors, Accept(s.ballot(me), slot, value))
        if takes_requests(s, self.requests):
            out.set_timer("client")
        return s

    def _on_accepted(self, me: NodeId, s: Proposer, src: NodeId, m: Accepted, out: Out) -> Proposer:
        """Phase 2b at the leader: a majority of its ballot's acceptors chose the slot's value; learn it, announce it."""
        if s.phase != LEADING or m.ballot != s.ballot(me) or s.learned[m.slot - 1] is not None:
            return s
        s = s.evolve(accepts=s.accepts | {(m.slot, src)})
        count = sum(1 for slot, _a in s.accepts if slot == m.slot)
        needed = 1 if self.bug == "minority-commit" else self.majority  # the bug: one acceptor is enough
        if count < needed:
            return s
        value = s.proposals[m.slot - 1]
        out.broadcast([p for p in self.proposers if p != me], Decision(m.slot, value))
        return self._learn(s, m.slot, value)

    def _learn(self, s: Proposer, slot: int, value: str) -> Proposer:
        """The replica learns `value` in `slot`; the leader's proposal and count there are done with (forgotten)."""
        return s.evolve(learned=put(s.learned, slot - 1, value), proposals=put(s.proposals, slot - 1, None),
                        accepts=frozenset(pair for pair in s.accepts if pair[0] != slot))

    def _on_nack(self, me: NodeId, s: Proposer, m: Nack, out: Out) -> Proposer:
        """Preempted: a higher ballot exists; give up this one, remember its round, wait to time out."""
        if m.promised <= s.ballot(me) or s.phase == IDLE and m.promised.round <= s.round:
            return s
        s = without_ballot(s).evolve(round=max(s.round, m.promised.round), phase=IDLE)
        out.cancel_timer("retry")
        out.cancel_timer("client")
        self._await_election(s, out)
        return s

    def _await_election(self, s: Proposer, out: Out) -> None:
        """Arm the election timer, unless the round bound leaves this proposer no ballot to start."""
        if s.round < self.max_round:
            out.set_timer("election")

    def _on_decision(self, s: Proposer, m: Decision) -> Proposer:
        """A replica learns a chosen value."""
        if s.learned[m.slot - 1] is not None:
            return s
        return self._learn(s, m.slot, m.value)


@attrs.frozen
class MultiPaxos(ActorModel):
    """Multi-Paxos: a log of slots chosen by proposers and acceptors that crash, restart and lose messages."""

    name: ClassVar[str] = "multi-paxos"
    bugs: ClassVar[dict[str, str]] = {
        "skip-phase1": "a proposer that takes over skips phase 1 and proposes its own value in a slot it has not learned",
        "minority-commit": "the leader counts a slot chosen on one Accepted reply, a minority",
    }
    network_kind: ClassVar[str] = "bag"
    check_deadlock: ClassVar[bool] = False  # reactive: a quiet system waiting for its timers is not stuck
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop", "duplicate", "skew"})
    proposers: int = option(2, help="number of proposers (each also a replica); n0 is the distinguished leader", min=1, max=3)
    acceptors: int = option(3, help="number of acceptors", min=1, max=5)
    slots: int = option(2, help="number of log slots", min=1, max=4)
    requests: int = option(1, help="the most client requests each proposer takes in the whole run", min=1, max=4)
    max_round: int = option(1, help="no ballot beyond this round (with 1, each proposer owns one ballot)", min=1, max=4)
    elections: str = option("anytime", help="when an election timer may fire: anytime (racing messages in flight), "
                                            "or when-quiet (once no message is in flight)", choices=("anytime", "when-quiet"))
    clients: str = option("when-quiet", help="when a client request may reach the leader: when-quiet (once no message is "
                                             "in flight), or anytime (racing its own messages in flight)",
                          choices=("anytime", "when-quiet"))
    max_in_flight: int = option(5, help="the most messages in flight at once", min=1, max=40)
    faults: FaultBudget = option(DEFAULT_FAULTS, help="fault budget, as crash=1,restart=1,drop=1,duplicate=1")

    @property
    def timer_policies(self) -> dict[str, str]:  # type: ignore[override]
        """Retries only once the network is quiet; elections and client requests as the options say."""
        return {"retry": "when-quiet", "election": self.elections, "client": self.clients}

    def quorum_systems(self) -> list[Any]:
        """For `--strategy prove`: any two majorities of acceptors meet (promises and acceptances)."""
        from checker.prove.quorums import QuorumSystem  # Z3: imported only when a proof is asked for
        majority = self.acceptors // 2 + 1
        return [QuorumSystem("majorities_intersect", self.acceptors, majority, majority, "acceptor")]

    def actors(self) -> list[Actor]:
        """Proposers n0 .. n(proposers-1), then the acceptors."""
        return [ProposerActor(self) for _ in range(self.proposers)] + [AcceptorActor(self) for _ in range(self.acceptors)]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The acceptors are interchangeable (ballots name proposers, so proposers are not)."""
        return [list(self.ids[self.proposers:])]

    def representative(self, state: System) -> System:
        """The canonical member of the class: acceptors renamed in the order of their footprints (equal ones are interchangeable)."""
        if not self.symmetry:
            return state
        group = self.ids[self.proposers:]
        order = sorted(group, key=lambda n: (self._footprint(state, n), n))
        if all(old == new for old, new in zip(order, group)):
            return state
        return permuted(state, dict(zip(order, group)), self.net)

    def _footprint(self, s: System, node: NodeId) -> int:
        """The fingerprint of all a state says of one acceptor but its id: local state, timers, messages, where proposers name it."""
        traffic = Counter((e.dst == node, e.src if e.dst == node else e.dst, e.msg) for e in s.network if node in (e.src, e.dst))
        named = tuple((node in p.promised_by, frozenset(slot for slot, a in p.accepts if a == node)) for p in s.nodes[:self.proposers])
        return fingerprint((s.nodes[node], s.timers[node], node in s.down, node in s.paused, frozenset(traffic.items()), named))

    def within_boundary(self, s: System) -> bool:
        """at most {max_in_flight} messages in flight: states with more are not explored"""
        return len(s.network) <= self.max_in_flight

    def cut_by_bounds(self, s: System) -> bool:
        """no leader holds the highest ballot promised, and only a ballot beyond round {max_round}, or a client request beyond the bounds to show a leader it was preempted, would change that"""
        return self._leader(s) is None and any(n not in s.down and self._stopped_by_bounds(p) for n, p in self._proposers(s))

    def _stopped_by_bounds(self, p: Proposer) -> bool:
        """True when a bound, not the protocol, keeps this proposer still: idle at the last round, or leading with no request it may take."""
        if p.phase == IDLE:
            return p.round >= self.max_round
        return p.phase == LEADING and not takes_requests(p, self.requests)

    # --- views of a state ---------------------------------------------------------------

    def _proposers(self, s: System) -> enumerate:
        """(node, state) of every proposer."""
        return enumerate(s.nodes[:self.proposers])

    def _acceptors(self, s: System) -> enumerate:
        """(node, state) of every acceptor."""
        return enumerate(s.nodes[self.proposers:], start=self.proposers)

    def _chosen(self, s: System) -> frozenset:
        """(slot, ballot, value) voted for by a majority of acceptors in one ballot."""
        return _chosen(tuple(a.votes for a in s.nodes[self.proposers:]), self.acceptors // 2 + 1)

    # --- safety: Paxos Made Simple's requirements, Raft's Figure 3 for a log -------------

    @always
    def log_matching(self, s: System) -> bool:
        """No two replicas learn different values for one slot."""
        return not learned_conflict([p.learned for _n, p in self._proposers(s)])

    @log_matching.explain
    def _why_logs_differ(self, s: System) -> str:
        a, b, slot = learned_conflict([p.learned for _n, p in self._proposers(s)])
        return f"n{a} learned {s.nodes[a].learned[slot - 1]} in slot {slot}, n{b} learned {s.nodes[b].learned[slot - 1]}"

    @always
    def state_machine_safety(self, s: System) -> bool:
        """At most one value is chosen in each slot."""
        return not applied_conflict((slot, value) for slot, _b, value in sorted(self._chosen(s)))

    @state_machine_safety.explain
    def _why_two_chosen(self, s: System) -> str:
        slot, first, second = applied_conflict((slot, value) for slot, _b, value in sorted(self._chosen(s)))
        ballots = {value: b for sl, b, value in self._chosen(s) if sl == slot}
        return (f"slot {slot}: {first} was chosen in {ballots[first].__show__()} and {second} in "
                f"{ballots[second].__show__()} (each accepted by a majority)")

    @always
    def learned_only_chosen(self, s: System) -> bool:
        """A replica learns a value only once it has been chosen."""
        return not self._unchosen(s)

    @learned_only_chosen.explain
    def _why_unchosen(self, s: System) -> str:
        node, slot, value = self._unchosen(s)[0]
        voters = sum(1 for _n, a in self._acceptors(s) if any(v[0] == slot and v[2] == value for v in a.votes))
        return f"n{node} learned {value} in slot {slot}, which no majority accepted in one ballot ({voters} of {self.acceptors} accepted it)"

    def _unchosen(self, s: System) -> list[tuple[int, int, str]]:
        """(replica, slot, value) for each learned value that was not chosen."""
        chosen = {(slot, value) for slot, _b, value in self._chosen(s)}
        return [(n, slot, value) for n, p in self._proposers(s) for slot, value in enumerate(p.learned, start=1)
                if value is not None and (slot, value) not in chosen]

    # --- liveness, once faults stop ------------------------------------------------------

    @eventually(once_faults_stop=True)
    def leader_elected_eventually(self, s: System) -> bool:
        """Once faults stop, some running proposer eventually leads a ballot no running acceptor has promised to beat."""
        return self._leader(s) is not None

    @leader_elected_eventually.explain
    def _why_no_leader(self, s: System) -> str:
        return "no leader: " + ", ".join(f"n{n} {p.phase} in round {p.round}" + ("" if "election" in s.timers[n] else " (no election timer)")
                                          for n, p in self._proposers(s) if n not in s.down)

    def _leader(self, s: System) -> int | None:
        """The running proposer that leads the highest ballot any running acceptor promised, if any."""
        top = max((a.promised for n, a in self._acceptors(s) if n not in s.down), default=ZERO)
        return next((n for n, p in self._proposers(s) if n not in s.down and p.phase == LEADING
                     and p.ballot(NodeId(n)) >= top), None)

    @leads_to(once_faults_stop=True)
    def proposals_learned_eventually(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, every value a running leader proposes is eventually learned by it, unless it is preempted."""
        waiting = bool(self._unlearned(s))
        return waiting, not waiting

    @proposals_learned_eventually.explain
    def _why_unlearned(self, s: System) -> str:
        return "; ".join(f"n{n}, leader of {s.nodes[n].ballot(NodeId(n)).__show__()}, never learns {value} in slot {slot}"
                         for n, slot, value in self._unlearned(s))

    def _unlearned(self, s: System) -> list[tuple[int, int, str]]:
        """(leader, slot, value) for each proposal of a running leader that it has not learned."""
        return [(n, slot, value) for n, p in self._proposers(s) if n not in s.down and p.phase == LEADING
                for slot, value in enumerate(p.proposals, start=1) if value is not None and p.learned[slot - 1] is None]

    @leads_to(once_faults_stop=True)
    def replicas_learn_eventually(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, a slot a running replica learned is eventually learned by every running replica."""
        behind = bool(self._behind(s))
        return behind, not behind

    @replicas_learn_eventually.explain
    def _why_behind(self, s: System) -> str:
        return "; ".join(f"n{b} never learns slot {slot} (n{a} learned {s.nodes[a].learned[slot - 1]})" for a, b, slot in self._behind(s))

    def _behind(self, s: System) -> list[tuple[int, int, int]]:
        """(replica, other, slot) where a running replica learned a slot that another running replica lacks."""
        running = [(n, p) for n, p in self._proposers(s) if n not in s.down]
        return [(a, b, slot) for a, p in running for b, q in running for slot in range(1, self.slots + 1)
                if p.learned[slot - 1] is not None and q.learned[slot - 1] is None]

    # --- witnesses: the bounds reach the interesting states -------------------------------

    @sometimes
    def every_slot_chosen(self, s: System) -> bool:
        """A value is chosen in every slot."""
        return len({slot for slot, _b, _v in self._chosen(s)}) == self.slots

    @sometimes
    def value_reproposed(self, s: System) -> bool:
        """After a leader change, the new leader proposes again a value accepted in an older ballot."""
        votes = {vote for _n, a in self._acceptors(s) for vote in a.votes}
        return any(p.phase == LEADING and any(p.proposals[slot - 1] == value and ballot < p.ballot(NodeId(n))
                                              for slot, ballot, value in votes)
                   for n, p in self._proposers(s))

    @sometimes
    def learned_everywhere(self, s: System) -> bool:
        """Every replica learned every slot."""
        return all(None not in p.learned for _n, p in self._proposers(s))

    @sometimes(needs="crash")
    def learned_without_a_crashed_acceptor(self, s: System) -> bool:
        """A replica learns a value that an acceptor, now down, never accepted: a majority sufficed without it."""
        down = [a for n, a in self._acceptors(s) if n in s.down]
        return any(value is not None and all((slot, value) not in {(v[0], v[2]) for v in a.votes} for a in down)
                   for _n, p in self._proposers(s) for slot, value in enumerate(p.learned, start=1)) and bool(down)
