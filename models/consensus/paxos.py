"""Single-decree Paxos as actors: proposers and acceptors choose one value under crashes, loss and duplication.

Sources: Lamport, "Paxos Made Simple" (ACM SIGACT News 32(4), 2001), sections 2.2 to 2.4 (the
two phases, learning a chosen value, progress through a distinguished proposer), and Lamport's
TLA+ specification Paxos.tla (whose `votes` history this model keeps); for the quorums, Howard,
Malkhi and Spiegelman, "Flexible Paxos: Quorum Intersection Revisited" (OPODIS 2016).

The protocol. Proposers n0, n1, ... each propose their own value (n0 `a`, n1 `b`, ...); the
acceptors come after them. A ballot is a number that belongs to one proposer: of P proposers,
proposer i uses (round - 1) * P + i + 1, so with two n0 owns 1, 3, 5, ... and n1 owns 2, 4, 6, ...
(ballots are ordered as (round, proposer) pairs are, and no two proposers share one).
- Phase 1: a proposer starts ballot b by sending Prepare(b) to every acceptor. An acceptor that has
  promised a lower ballot (Paxos.tla's `b > maxBal`) promises b and answers Promise(b) with the
  highest ballot it has accepted and that ballot's value. A Prepare of a ballot it has promised or
  passed is ignored.
- Phase 2: with promises from a phase-1 quorum, the proposer sends Accept(b, v) to the acceptors
  that promised (the paper: "to each of those acceptors"; to every acceptor when a phase-2 quorum
  is larger), where v is the value of the highest ballot the promises reported, or its own value
  when they reported none. An acceptor accepts unless it has promised a higher ballot, and
  answers Accepted(b, v).
- A value is chosen when a phase-2 quorum of acceptors has accepted it in one ballot. The
  proposer of that ballot counts the Accepted answers and so learns it (the paper's learners are
  the proposers here). The properties judge "chosen" on the acceptors' histories, so it does not
  depend on an answer arriving.
- Quorums: `--phase1-quorum` and `--phase2-quorum` acceptors (default: a majority each). Flexible
  Paxos: agreement needs only that every phase-1 quorum meets every phase-2 quorum, which for
  quorums by size is Q1 + Q2 > N acceptors; with Q1 + Q2 <= N agreement fails, and the
  explanation names a phase-1 and a phase-2 quorum that share no acceptor.

Progress, and `--leader`. Paxos is always safe, and live only with a distinguished proposer: two
proposers that keep starting higher ballots can pre-empt each other forever (the paper's duel).
A proposer acts on its timers:
- `propose` (anytime): its client's request arrives; it starts its first ballot;
- `retry` (when-quiet: once no message is in flight anywhere, a timeout longer than any message
  delay, as once the network has stabilised; the skew fault fires one early): its ballot went
  nowhere (messages lost, or a higher ballot silently refused it); it starts its next ballot.
`--leader stable` (default): n0 is the distinguished proposer, as a Multi-Paxos leader once leader
election has settled (the paper's section 2.4; Omega, the eventual leader detector). n0 proposes
and retries as above. Every other proposer trusts n0 and starts a ballot of its own only when it
suspects n0: its `suspect` timer (anytime), at most `--suspicions` ballots. Suspecting a leader
that works is the failure detector's mistake, and Omega makes only finitely many, so the timer's
fairness is "fault" (checker/fairness.py): it is never forced, and the liveness property, declared
once_faults_stop, judges each run after its last suspicion, crash or loss. Before that the
non-leaders may pre-empt n0 as often as the bounds allow; after it only n0 starts ballots, and a
value is chosen. The eventual leader is n0 by fiat: with a crash of n0 and no restart in the
budget nobody proposes again, and the checker says so with a lasso (Omega would pick another
leader; this model does not model that choice).
`--leader none`: every proposer proposes and retries like n0. Two proposers whose retry timeouts
were both longer than any message delay (when-quiet) would never overlap, which no two
independent timers guarantee; instead, a refused Accept is answered with Nack(b, promised)
(the paper's optimisation: the acceptor tells the proposer to abandon its proposal) and a
pre-empted proposer starts its next ballot above the promised one at once. With a stable leader
Nacks are left out: the leader's `retry` does the same job, and leaving them out keeps the search
small. Then two proposers can pre-empt each other forever, which the checker shows as a lasso:
n0's Accepts meet n1's higher promises, n0 prepares higher, n1's Accepts meet those, and so on.

Bounds, and relative rounds. A proposer has `max_round` rounds (a non-leader: `suspicions`); one
that needs another ballot beyond them stops (phase `stopped`), and `cut_by_bounds` marks those
states, so a run that would stay forever only because of the bound is counted in the verdict's
note, never reported as a violation. With numbered ballots a duel cannot go on forever: the
highest ballot there is is never pre-empted, so every fault-free run of the bounded model ends
with a value chosen, and the duel stays invisible (`--leader none --rounds absolute`: HOLDS, no
run cut). But Paxos only compares ballots and takes "my next ballot above b": raising every ballot
in the system (nodes, messages, histories) by whole rounds at once changes nothing it can do.
`--rounds relative` (the default with `--leader none`) therefore renumbers the rounds after every
step so that the oldest round present anywhere is round 1 (not while a proposer has yet to start:
its first ballot is round 1), and `max_round` bounds the rounds live at once, not the rounds ever
used. A run that raises the ballots forever, each exchange like the one before, is then a cycle
of states: the duel's lasso. In its chart the renumbering hides inside the step that retires the
oldest round (every ballot drops by P there, and a chart shows only the stepping node's changes),
so a proposer seems to take the ballot it just left: it took the next one. Renumbering is exact
for safety and for a VIOLATED liveness verdict (the cycle lifts to an infinite fair run of the
real protocol: every message in flight is delivered within a few turns of it). A HOLDS verdict is
weaker: fairness is judged on message labels, and a message's label changes when it is
renumbered, so `--leader stable` keeps absolute rounds by default.

Faults (--faults; default crash=1,restart=1,drop=1 with a stable leader, none with `--leader
none`, whose duel needs none): crash and restart (an acceptor keeps `promised`, `accepted`,
`value` and its votes; a proposer keeps its ballot, so it never reuses one, and what it learned),
message loss and duplication, partitions and clock skew; the network is a bag, so messages are
reordered freely. Duplication is in no default: added to the default budget it takes the search
from 106,349 states to 573,966 (about 95 s on two cores); the tests check it at smaller
bounds. Crashes hit proposers too (the engine cannot restrict a fault to some nodes), which Paxos
survives as well. Acceptors are interchangeable (symmetry reduction): no property names one.

Properties (chosen and agreement from specs/consensus.py). Safety: `agreement` (at most one value
is chosen), `validity` (a chosen value is the value of a proposer that started a ballot),
`learned_is_chosen` (a proposer learns only a chosen value). Liveness: `value_chosen_eventually`
(once faults stop, a value is chosen). Witnesses: a value is chosen; a proposer proposes the value
of an earlier ballot its promises reported (with two proposers, the other one's); a proposer learns.

Known bugs (--bug), each an agreement violation with its shortest trace at the defaults (none needs
larger bounds; none needs a fault either, and the tests check the correct protocol without them):
- ignore-promised-value: the proposer ignores the values in promises and proposes its own;
- accept-lower-ballot: an acceptor accepts an Accept below the ballot it promised;
- non-majority-quorum: quorums of N // 2 acceptors (one of three), smaller than a majority.

State fields. Proposer: `ballot` (its current ballot, 0 before the first), `phase` (idle,
preparing, accepting, stopped), `promises` (the acceptors that promised `ballot`: its phase-1
quorum once complete), `highest` and `highest_value` (the highest accepted ballot those promises
reported, 0 for none, and its value), `value` (the value it proposed in phase 2), `accepts` (the
acceptors that accepted `ballot`), `learned` (the value it learned was chosen). Acceptor:
`promised`, `accepted` and `value` (Paxos.tla's maxBal, maxVBal, maxVal), and the history field
`votes` (every (ballot, value) it ever accepted, Paxos.tla's `votes`), from which "chosen" is
judged; it survives crashes, and nothing the acceptor does depends on it.
"""
import functools
from typing import Any, ClassVar, Iterable, Iterator

import attrs

from checker import always, eventually, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.errors import OptionError
from checker.model import ActionLabel
from specs.consensus import chosen as chosen_ballots, disagreement

IDLE, PREPARING, ACCEPTING, STOPPED = "idle", "preparing", "accepting", "stopped"
VALUES = "abcde"
FAULTS = {"stable": FaultBudget(crash=1, restart=1, drop=1), "none": FaultBudget()}


@record
class Prepare:
    """Proposer -> acceptor (phase 1a): promise me ballot `ballot`."""

    ballot: int

    def __show__(self) -> str:
        return f"Prepare {self.ballot}"


@record
class Promise:
    """Acceptor -> proposer (phase 1b): promised `ballot`; the highest ballot it accepted (0: none) and its value."""

    ballot: int
    accepted: int
    value: Any

    def __show__(self) -> str:
        return f"Promise {self.ballot}" + (f" (accepted {self.accepted}:{self.value})" if self.accepted else "")


@record
class Accept:
    """Proposer -> acceptor (phase 2a): accept `value` in ballot `ballot`."""

    ballot: int
    value: Any

    def __show__(self) -> str:
        return f"Accept {self.ballot}:{self.value}"


@record
class Accepted:
    """Acceptor -> proposer (phase 2b): accepted `value` in ballot `ballot`."""

    ballot: int
    value: Any

    def __show__(self) -> str:
        return f"Accepted {self.ballot}:{self.value}"


@record
class Nack:
    """Acceptor -> proposer: `ballot` is refused, as this acceptor promised the higher `promised`."""

    ballot: int
    promised: int

    def __show__(self) -> str:
        return f"Nack {self.ballot} (promised {self.promised})"


@record
class Proposer:
    """One proposer (see the module docstring for each field)."""

    DURABLE = ("ballot", "learned")
    ballot: int
    phase: str
    promises: frozenset
    highest: int
    highest_value: Any
    value: Any
    accepts: frozenset
    learned: Any


@record
class Acceptor:
    """One acceptor; everything it knows is durable."""

    DURABLE = ("promised", "accepted", "value", "votes")
    promised: int
    accepted: int
    value: Any
    votes: frozenset


MESSAGE_BALLOTS = {Prepare: ("ballot",), Promise: ("ballot", "accepted"), Accept: ("ballot",), Accepted: ("ballot",),
                   Nack: ("ballot", "promised")}


def round_of(ballot: int, proposers: int) -> int:
    """The round of a ballot (0 for no ballot)."""
    return (ballot - 1) // proposers + 1 if ballot > 0 else 0


def ballot_above(ballot: int, index: int, proposers: int) -> int:
    """Proposer `index`'s smallest ballot above `ballot`."""
    return ballot + 1 + (index - ballot) % proposers


def shown(nodes: Iterable[Any]) -> str:
    """A set of nodes as `{n2, n3}`."""
    return "{" + ", ".join(str(n) for n in sorted(nodes)) + "}"


class ProposerActor(Actor):
    """A proposer: phase 1, phase 2, learning from Accepted answers, and when to start a ballot."""

    def __init__(self, model: "Paxos", index: int):
        """The proposer's index, value, acceptors, quorums, role and round limit, from the model."""
        self.index, self.proposers, self.own = index, model.proposers, VALUES[index]
        self.acceptors = model.acceptor_ids
        self.q1, self.q2 = model.phase1_quorum, model.phase2_quorum
        self.leads = model.leader == "none" or index == 0  # proposes and retries: the leader, or all when there is none
        self.eager = model.leader == "none"  # a Nack makes it retry at once
        self.last_round = model.max_round if self.leads else model.suspicions
        self.role = "leader" if model.leader == "stable" and index == 0 else "proposer"
        self.ignore_promised = model.has_bug("ignore-promised-value")

    def on_start(self, me: NodeId, out: Out) -> Proposer:
        """Idle before its first ballot: a leader (without one, every proposer) awaits its client, a non-leader a suspicion."""
        if self.leads or self.last_round:
            out.set_timer("propose" if self.leads else "suspect")
        return Proposer(ballot=0, phase=IDLE, promises=frozenset(), highest=0, highest_value=None, value=None,
                        accepts=frozenset(), learned=None)

    def on_restart(self, me: NodeId, state: Proposer, out: Out) -> Proposer:
        """Back with its ballot and what it learned; one that has not learned starts again (a non-leader: suspects again)."""
        fresh = self.on_start(me, Out(me)).evolve(ballot=state.ballot, learned=state.learned)
        if state.learned is None and self.leads:
            out.set_timer("retry" if state.ballot else "propose")
        elif state.learned is None and round_of(state.ballot, self.proposers) < self.last_round:
            out.set_timer("suspect")
        return fresh

    def obsolete(self, me: NodeId, s: Proposer, src: NodeId, msg: Any) -> bool:
        """An answer this proposer no longer waits for: it has learned, the ballot is not its current
        one (ballots only grow), or the phase it belongs to is over or already counted it."""
        if s.learned is not None or msg.ballot != s.ballot:
            return True
        if isinstance(msg, Promise):
            return s.phase != PREPARING or src in s.promises
        if isinstance(msg, Accepted):
            return s.phase != ACCEPTING or src in s.accepts
        return not self.eager or s.phase not in (PREPARING, ACCEPTING)  # a Nack

    def on_timer(self, me: NodeId, s: Proposer, timer: str, out: Out) -> Proposer:
        """Its client's request, a retry or a suspicion: the next ballot (a non-leader may suspect again later)."""
        if s.learned is not None or s.phase == STOPPED:
            return s
        started = self._start(me, s, s.ballot, out)
        if timer == "suspect" and started is not s and round_of(started.ballot, self.proposers) < self.last_round:
            out.set_timer("suspect")  # it may suspect the leader again, with a higher ballot
        return started

    def _start(self, me: NodeId, s: Proposer, above: int, out: Out) -> Proposer:
        """Phase 1a: my next ballot above `above` (and my own), sent to every acceptor."""
        ballot = ballot_above(max(above, s.ballot), self.index, self.proposers)
        if round_of(ballot, self.proposers) > self.last_round:
            if not self.leads:
                return s
            out.cancel_timer("retry")
            return s.evolve(phase=STOPPED)  # the round bound (cut_by_bounds)
        out.broadcast(self.acceptors, Prepare(ballot))
        if self.leads:
            out.set_timer("retry")
        return s.evolve(ballot=ballot, phase=PREPARING, promises=frozenset(), highest=0, highest_value=None, value=None,
                        accepts=frozenset())

    def on_message(self, me: NodeId, s: Proposer, src: NodeId, msg: Any, out: Out) -> Proposer:
        """A Promise, an Accepted or (--leader none) a Nack for its current ballot; anything else is obsolete."""
        if self.obsolete(me, s, src, msg):
            return s
        if isinstance(msg, Promise):
            return self._on_promise(me, s, src, msg, out)
        if isinstance(msg, Accepted):
            return self._on_accepted(me, s, src, msg, out)
        return self._start(me, s, msg.promised, out)  # a Nack (--leader none): pre-empted, retry at once above it

    def _on_promise(self, me: NodeId, s: Proposer, src: NodeId, msg: Promise, out: Out) -> Proposer:
        """Phase 1b counted; with a phase-1 quorum, phase 2a: the reported value of the highest ballot, or my own."""
        s = s.evolve(promises=s.promises | {src})
        if msg.accepted > s.highest:
            s = s.evolve(highest=msg.accepted, highest_value=msg.value)
        if len(s.promises) < self.q1:
            return s
        value = s.highest_value if s.highest and not self.ignore_promised else self.own
        out.broadcast(s.promises if len(s.promises) >= self.q2 else self.acceptors, Accept(s.ballot, value))
        return s.evolve(phase=ACCEPTING, value=value)

    def _on_accepted(self, me: NodeId, s: Proposer, src: NodeId, msg: Accepted, out: Out) -> Proposer:
        """Phase 2b counted; with a phase-2 quorum the value is chosen, and this proposer learns it."""
        s = s.evolve(accepts=s.accepts | {src})
        if len(s.accepts) < self.q2:
            return s
        out.cancel_timer("retry")
        out.cancel_timer("suspect")
        return s.evolve(learned=s.value)


class AcceptorActor(Actor):
    """An acceptor: promises and accepts by ballot, and refuses what its promise forbids."""

    role = "acceptor"

    def __init__(self, model: "Paxos"):
        """Whether refusals are answered (--leader none) and whether this is the accept-lower-ballot bug."""
        self.accept_lower = model.has_bug("accept-lower-ballot")
        self.nacks = model.leader == "none"  # refusals are answered only where proposers act on them

    def on_start(self, me: NodeId, out: Out) -> Acceptor:
        """Nothing promised, nothing accepted."""
        return Acceptor(promised=0, accepted=0, value=None, votes=frozenset())

    def obsolete(self, me: NodeId, s: Acceptor, src: NodeId, msg: Any) -> bool:
        """A Prepare of a ballot this acceptor has promised or passed, or, when refusals go unanswered, an
        Accept below its promise: ignored now and later, as promises only grow."""
        if isinstance(msg, Prepare):
            return msg.ballot <= s.promised
        return msg.ballot < s.promised and not self.nacks and not self.accept_lower

    def on_message(self, me: NodeId, s: Acceptor, src: NodeId, msg: Any, out: Out) -> Acceptor:
        """Phase 1b for a Prepare above its promise; phase 2b for an Accept at or above it, or a Nack."""
        if self.obsolete(me, s, src, msg):
            return s  # a late or duplicate Prepare, or a refused Accept nobody needs to hear of
        if isinstance(msg, Prepare):
            out.send(src, Promise(msg.ballot, s.accepted, s.value))
            return s.evolve(promised=msg.ballot)
        if msg.ballot >= s.promised or self.accept_lower:  # an Accept (again, if duplicated: the same answer)
            out.send(src, Accepted(msg.ballot, msg.value))
            return s.evolve(promised=max(s.promised, msg.ballot), accepted=msg.ballot, value=msg.value,
                            votes=s.votes | {(msg.ballot, msg.value)})
        out.send(src, Nack(msg.ballot, s.promised))  # refused (--leader none)
        return s


@attrs.frozen
class Paxos(ActorModel):
    """Single-decree Paxos: proposers and acceptors choose one value under crashes, loss and duplication."""

    name: ClassVar[str] = "paxos"
    bugs: ClassVar[dict[str, str]] = {
        "ignore-promised-value": "the proposer ignores the values in promises and proposes its own",
        "accept-lower-ballot": "an acceptor accepts a ballot lower than the one it promised",
        "non-majority-quorum": "quorums of N // 2 acceptors, smaller than a majority",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {"propose": "anytime", "suspect": "anytime", "retry": "when-quiet"}
    fairness: ClassVar[dict[str, str]] = {"suspect": "fault"}  # a non-leader's suspicion is a failure detector's mistake
    check_deadlock: ClassVar[bool] = False  # a decided system rests; progress is the liveness property's
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop", "duplicate", "partition", "skew"})
    proposers: int = option(2, help="number of proposers, n0 .. (each proposes its own value: a, b, ...)", min=1, max=3)
    acceptors: int = option(3, help="number of acceptors (after the proposers)", min=1, max=5)
    leader: str = option("stable", choices=("stable", "none"),
                         help="stable: n0 is the distinguished proposer, and the others start ballots only on a suspicion, "
                              "which is a fault (it stops once faults stop); none: every proposer proposes and retries")
    max_round: int = option(2, help="the rounds the leader (with --leader none: every proposer) may use; with relative "
                                    "rounds, the rounds live at once", min=1, max=6)
    suspicions: int = option(1, help="the ballots a non-leader may start on suspicion of the leader (--leader stable)",
                             min=0, max=4)
    rounds: str | None = option(None, type=str, choices=("absolute", "relative"),
                                help="ballots as numbered, or renumbered from the oldest round still present, so that a duel "
                                     "can be a cycle [default: absolute with --leader stable, relative with --leader none]")
    phase1_quorum: int | None = option(None, type=int, min=1, max=5,
                                       help="acceptors in a phase-1 quorum [default: a majority; N // 2 for non-majority-quorum]")
    phase2_quorum: int | None = option(None, type=int, min=1, max=5,
                                       help="acceptors in a phase-2 quorum [default: a majority; N // 2 for non-majority-quorum]")
    faults: FaultBudget | None = option(None, type=FaultBudget,
                                        help="fault budget [default: crash=1,restart=1,drop=1 with --leader stable; none with "
                                             "--leader none, whose duel needs no fault]")

    def quorum_systems(self) -> list[Any]:
        """For `--strategy prove`: every phase-1 quorum must meet every phase-2 quorum (Flexible Paxos)."""
        from checker.prove.quorums import QuorumSystem  # Z3: imported only when a proof is asked for
        return [QuorumSystem("phase_quorums_intersect", self.acceptors, self.phase1_quorum, self.phase2_quorum, "acceptor",
                             ("phase-1 quorum", "phase-2 quorum"))]

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check paxos --swarm`: 1 to 3 proposers, 3 to 5 acceptors, flexible quorums that intersect,
        two suspicions, every fault the model knows, and `--leader none` with absolute rounds (whose
        bounded runs all choose a value, so its Nack path is checked under faults without the duel
        being reported), cheapest first (measured: under a second to about 25 s each). Two keep
        obsolete messages in flight (`--no-discard-obsolete`), judging every claim in every later state."""
        return [
            dict(faults="none"),
            dict(proposers=1, faults="crash=1,restart=1,drop=1,duplicate=1"),
            dict(faults="none", discard_obsolete=False),
            dict(acceptors=4, faults="none"),
            dict(leader="none", rounds="absolute", acceptors=2, faults="none"),
            dict(faults="crash=1,restart=1"),
            dict(suspicions=2, faults="none"),
            dict(leader="none", rounds="absolute", max_round=1, faults="crash=1,restart=1"),
            dict(phase1_quorum=3, phase2_quorum=1, faults="crash=1,restart=1,drop=1"),
            dict(faults="partition=1"),
            dict(acceptors=5, faults="none"),
            dict(faults="drop=1,duplicate=1"),
            dict(faults="drop=1,skew=1"),
            dict(faults="crash=1,restart=1", discard_obsolete=False),
            dict(proposers=3, faults="none"),
            dict(phase1_quorum=1, phase2_quorum=3, faults="duplicate=1"),
            dict(phase1_quorum=2, phase2_quorum=3, faults="crash=1,restart=1"),
            dict(suspicions=2, faults="crash=1,restart=1"),
        ]

    def __attrs_post_init__(self) -> None:
        """Resolve the defaults that depend on the leader option and the bug, then check the quorums fit."""
        quorum = self.acceptors // 2 if self.bug == "non-majority-quorum" else self.acceptors // 2 + 1
        defaults = dict(phase1_quorum=max(quorum, 1), phase2_quorum=max(quorum, 1),
                        rounds="relative" if self.leader == "none" else "absolute", faults=FAULTS[self.leader])
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        super().__attrs_post_init__()
        for name in ("phase1_quorum", "phase2_quorum"):
            if getattr(self, name) > self.acceptors:
                raise OptionError(name, f"must be at most the number of acceptors, {self.acceptors} (got {getattr(self, name)})")

    @property
    def acceptor_ids(self) -> tuple[NodeId, ...]:
        """The acceptors' node ids (after the proposers')."""
        return tuple(NodeId(i) for i in range(self.proposers, self.proposers + self.acceptors))

    def actors(self) -> list[Actor]:
        """The proposers n0 .. n(P-1), then the acceptors."""
        return [*(ProposerActor(self, i) for i in range(self.proposers)), *(AcceptorActor(self) for _ in range(self.acceptors))]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The acceptors are interchangeable: no property or proposer singles one out."""
        return [list(self.acceptor_ids)]

    def cut_by_bounds(self, s: System) -> bool:
        """a proposer that needs another ballot has no round left after round {max_round}"""
        return any(p.phase == STOPPED and n not in s.down for n, p in enumerate(s.nodes[:self.proposers]))

    # --- relative rounds ---------------------------------------------------------------------

    def successors(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        """The actor system's steps, with relative rounds renumbered after each."""
        if self.rounds == "absolute":
            yield from super().successors(s)
            return
        for label, nxt in super().successors(s):
            yield label, self.renumbered(nxt)

    def next_states(self, s: System) -> list[System]:  # type: ignore[override]
        """The successors without labels, renumbered likewise."""
        if self.rounds == "absolute":
            return super().next_states(s)
        return [self.renumbered(nxt) for nxt in super().next_states(s)]

    def renumbered(self, s: System) -> System:
        """The state with every round lowered so that the oldest round present anywhere is round 1."""
        shift = self._oldest_round(s) - 1
        if shift <= 0:
            return s
        by = shift * self.proposers
        nodes = tuple(_shifted_node(node, by) for node in s.nodes)
        network = self.net.send((), [e.evolve(msg=_shifted_message(e.msg, by)) for e in s.network])
        return s.evolve(nodes=nodes, network=network)

    def _oldest_round(self, s: System) -> int:
        """The lowest round of any ballot in a node or message; a proposer that has not started counts as round 0."""
        if not all(node.ballot for node in s.nodes[:self.proposers]):
            return 0
        low = min(min(map(_lowest_ballot, s.nodes)), min(map(_lowest_ballot, (e.msg for e in s.network)), default=NONE))
        return round_of(low, self.proposers)

    # --- what the acceptors' histories say ---------------------------------------------------

    def chosen(self, s: System) -> tuple[tuple[int, Any, frozenset], ...]:
        """(ballot, value, acceptors) for each ballot a phase-2 quorum of acceptors accepted, lowest ballot first."""
        return _chosen(s.nodes[self.proposers:], self.proposers, self.phase2_quorum)

    def owner(self, ballot: int) -> NodeId:
        """The proposer a ballot belongs to."""
        return NodeId((ballot - 1) % self.proposers)

    # --- safety --------------------------------------------------------------------------------

    @always
    def agreement(self, s: System) -> bool:
        """At most one value is chosen."""
        return not disagreement(self.chosen(s))

    @agreement.explain
    def _why_two_values(self, s: System) -> str:
        """The two chosen ballots, and the quorums that failed to meet or the step that broke the rule."""
        (b1, v1, voters1), (b2, v2, voters2) = disagreement(self.chosen(s))
        head = f"{v1} was chosen in ballot {b1} by {shown(voters1)} and {v2} in ballot {b2} by {shown(voters2)}"
        proposer = s.nodes[self.owner(b2)]
        quorum = proposer.promises
        if proposer.ballot != b2 or len(quorum) < self.phase1_quorum:
            return f"{head}; {self.owner(b2)} has left ballot {b2}, so its phase-1 quorum is not known"
        if not quorum & voters1:
            return (f"{head}: phase-1 quorum {shown(quorum)} of ballot {b2} and phase-2 quorum {shown(voters1)} "
                    f"of ballot {b1} share no acceptor")
        if proposer.highest < b1:
            return (f"{head}: {shown(quorum & voters1)} promised ballot {b2}, reporting nothing accepted in ballot {b1} "
                    f"or later, and then accepted the lower ballot {b1}")
        if proposer.value != proposer.highest_value:
            return (f"{head}: ballot {b2}'s phase-1 quorum {shown(quorum)} reported {proposer.highest_value} accepted in "
                    f"ballot {proposer.highest}, yet it proposed {proposer.value}")
        return f"{head}: ballot {b2} adopted {proposer.highest_value} from ballot {proposer.highest}"

    @always
    def validity(self, s: System) -> bool:
        """A chosen value was proposed: it is the own value of a proposer that has started a ballot."""
        proposed = {VALUES[i] for i, p in enumerate(s.nodes[:self.proposers]) if p.ballot}
        return all(v in proposed for _b, v, _voters in self.chosen(s))

    @always
    def learned_is_chosen(self, s: System) -> bool:
        """A proposer learns only a value that is chosen."""
        values = {v for _b, v, _voters in self.chosen(s)}
        return all(p.learned is None or p.learned in values for p in s.nodes[:self.proposers])

    # --- liveness --------------------------------------------------------------------------------

    @eventually(once_faults_stop=True)
    def value_chosen_eventually(self, s: System) -> bool:
        """Once faults stop (crashes, losses and, with a stable leader, suspicions), a value is eventually chosen."""
        return bool(self.chosen(s))

    @value_chosen_eventually.explain
    def _why_nothing_chosen(self, s: System) -> str:
        """Where each proposer stands and what the acceptors promised, in the lasso's loop state."""
        leader = " (the leader)" if self.leader == "stable" else ""
        proposers = "; ".join(f"n{n}{leader if n == 0 else ''} {_situation(p, n in s.down)}"
                              for n, p in enumerate(s.nodes[:self.proposers]))
        acceptors = ", ".join(f"{n} {s.nodes[n].promised}" for n in self.acceptor_ids)
        relative = ("; rounds are relative, so each time a cycle comes back here every ballot is higher than the last time"
                    if self.rounds == "relative" else "")
        return f"no value chosen: {proposers}; the acceptors promised {acceptors}{relative}"

    # --- witnesses -----------------------------------------------------------------------------

    @sometimes
    def value_chosen(self, s: System) -> bool:
        """Some value is chosen."""
        return bool(self.chosen(s))

    @sometimes
    def value_adopted(self, s: System) -> bool:
        """A proposer proposes, in phase 2, the value of an earlier ballot that its promises reported."""
        return any(p.phase == ACCEPTING and p.highest > 0 for p in s.nodes[:self.proposers])

    @sometimes
    def value_learned(self, s: System) -> bool:
        """A proposer learns the chosen value."""
        return any(p.learned is not None for p in s.nodes[:self.proposers])


def _situation(p: Proposer, down: bool) -> str:
    """A proposer's situation, in words."""
    if down:
        return "is down"
    if not p.ballot:
        return "has not started"
    if p.phase == STOPPED:
        return f"has no round left after ballot {p.ballot}"
    return f"is {p.phase} ballot {p.ballot}" + (f" with {p.value}" if p.phase == ACCEPTING else "")


NONE = 1 << 30  # above every ballot


@functools.lru_cache(maxsize=1 << 16)
def _lowest_ballot(part: Any) -> int:
    """The lowest ballot (above 0) a node state or a message holds, or NONE."""
    if isinstance(part, Proposer):
        ballots = (part.ballot, part.highest)
    elif isinstance(part, Acceptor):
        ballots = (part.promised, part.accepted, *(b for b, _v in part.votes))
    else:
        ballots = tuple(getattr(part, name) for name in MESSAGE_BALLOTS[type(part)])
    return min((b for b in ballots if b > 0), default=NONE)


@functools.lru_cache(maxsize=1 << 16)
def _chosen(acceptors: tuple, first: int, quorum: int) -> tuple[tuple[int, Any, frozenset], ...]:
    """specs.consensus.chosen of the acceptors n`first`, ... (memoised: the acceptors' states recur across many states)."""
    if sum(len(a.votes) for a in acceptors) < quorum:
        return ()
    return chosen_ballots([(NodeId(i), a.votes) for i, a in enumerate(acceptors, start=first)], quorum)


def _lower(ballot: int, by: int) -> int:
    """A ballot lowered by `by` (whole rounds); no ballot (0) stays none."""
    return ballot - by if ballot > 0 else 0


def _shifted_node(node: Any, by: int) -> Any:
    """A node state with every ballot lowered by `by`."""
    if isinstance(node, Proposer):
        return node.evolve(ballot=_lower(node.ballot, by), highest=_lower(node.highest, by))
    return node.evolve(promised=_lower(node.promised, by), accepted=_lower(node.accepted, by),
                       votes=frozenset((_lower(b, by), v) for b, v in node.votes))


def _shifted_message(msg: Any, by: int) -> Any:
    """A message with every ballot lowered by `by`."""
    return msg.evolve(**{name: _lower(getattr(msg, name), by) for name in MESSAGE_BALLOTS[type(msg)]})
