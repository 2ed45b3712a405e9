"""An actor system compiled to an ordinary Model: the nodes' handlers plus the network, the
timers and the fault budget, all owned by the checker.

A model author writes `ActorModel` subclasses: the actors (node logic only), the properties
over `System` states, and which faults make sense. Every step of the system is one of:
deliver a message, fire a timer, or inject a fault from the budget (crash, restart, drop,
duplicate, partition, heal, pause, resume, early timer). Steps are listed in a fixed order
(deliveries in the network's canonical order, then timers by node and name, then faults), so
exploration is deterministic.
"""
from typing import Any, ClassVar, Iterator, NamedTuple, Sequence

import attrs

from checker.actors.actor import Actor, Envelope, NodeId, Out
from checker.authoring import ProtocolModel, option
from checker.errors import DefinitionError, FalseShortcut
from checker.fairness import Fairness
from checker.faces.values import diff, show
from checker.actors.faults import FaultBudget
from checker.model import ActionLabel
from checker.actors.network import NETWORKS, Network
from checker.record import record
from checker.actors.symmetry import permuted, representative, rewrite, swaps

TIMER_POLICIES = ("anytime", "when-idle", "when-quiet")
"""When an armed timer may fire: `anytime`; `when-idle`, once no message to its node is in
flight; `when-quiet`, once no message is in flight to any running node on its side of a
partition (timeouts longer than any message delay: a synchronous system). The skew fault lets
a waiting timer fire early."""


@record
class System:
    """The whole system: every node's state, the network, timers, faults in force, history."""

    nodes: tuple           # node states by NodeId (a crashed node keeps its state for DURABLE fields)
    network: tuple         # Envelopes in flight, in the network kind's canonical order
    timers: tuple          # per node, the frozenset of armed timer names
    down: frozenset        # crashed nodes
    paused: frozenset      # paused nodes
    side: frozenset        # during a partition, the nodes on the side of n0; empty when healed
    budget: tuple          # faults left, in FaultBudget.KINDS order
    history: tuple = ()    # client Events, in the order they happened

    def up(self, node: NodeId) -> bool:
        """True when the node is neither crashed nor paused."""
        return node not in self.down and node not in self.paused

    def reachable(self, src: NodeId, dst: NodeId) -> bool:
        """True unless a partition separates the two nodes."""
        return not self.side or (src in self.side) == (dst in self.side)


class Compiled(NamedTuple):
    """An actor model compiled once per instance: its actors, node ids, network kind, whether any
    actor declares obsolete messages, and the groups of interchangeable nodes."""

    actors: tuple
    ids: tuple
    net: Network
    collects: bool
    groups: tuple
    confirmed: set  # obsolete claims already confirmed (see ActorModel._obsolete)


def _label(name: str, **args: Any) -> ActionLabel:
    return ActionLabel(name, tuple(args.items()))


@attrs.frozen
class ActorModel(ProtocolModel):
    """Base class for actor models; subclasses define `actors()` and properties over System."""

    network_kind: ClassVar[str] = "bag"
    timer_policy: ClassVar[str] = "anytime"
    timer_policies: ClassVar[dict[str, str]] = {}
    allowed_faults: ClassVar[frozenset[str]] = frozenset(FaultBudget.KINDS)
    faults: FaultBudget = option(FaultBudget(), help="fault budget, as crash=1,restart=1,drop=2,partition=1")
    symmetry: bool = option(True, help="treat interchangeable nodes as one (symmetry reduction)")
    trust_reductions: bool = option(False, help="discard messages the actors declare obsolete without checking each "
                                                "claim by delivering the message (faster; the report says so)")
    discard_obsolete: bool = option(True, help="discard messages the actors declare obsolete; off, they stay in flight "
                                               "and are delivered like any other (a larger search, which also judges "
                                               "each claim in every later state, not only the receiver's current one)")
    _system: Any = attrs.field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "faults", FaultBudget.of(self.faults))  # its text form, from trace files and programs
        super().__attrs_post_init__()
        if self.network_kind not in NETWORKS:
            raise DefinitionError(f"{type(self).__name__}.network_kind must be one of {', '.join(NETWORKS)}")
        for timer, policy in {"timer_policy": self.timer_policy, **self.timer_policies}.items():
            if policy not in TIMER_POLICIES:
                raise DefinitionError(f"{type(self).__name__}: the policy of {timer!r} must be one of {', '.join(TIMER_POLICIES)} (got {policy!r})")
        allowed = self.allowed_faults - ({"duplicate"} if NETWORKS[self.network_kind].duplicates_itself else set())
        self.faults.check_allowed(self.name, allowed)
        actors = tuple(self.actors())
        collects = self.discard_obsolete and any(type(actor).obsolete is not Actor.obsolete for actor in actors)
        ids = tuple(NodeId(i) for i in range(len(actors)))
        object.__setattr__(self, "_system", Compiled(actors, ids, NETWORKS[self.network_kind], collects, (), set()))
        groups = tuple(tuple(group) for group in self.symmetric_groups())  # may read self.ids, set just above
        object.__setattr__(self, "_system", self._system._replace(groups=groups))

    @property
    def has_ground_table(self) -> bool:
        """False: an actor system's steps are deliveries, timers and faults, not a table of actions."""
        return False

    def _declared_fairness(self, actions: set[str]) -> dict[str, Fairness]:
        """The `fairness` table: keys are message classes, timers, and the recoveries (restart, heal,
        resume); a fault cannot be made fair (a run is never forced to inject one)."""
        faults = sorted(set(self.fairness) & FAULT_STEPS)
        if faults:
            raise DefinitionError(f"{type(self).__name__}.fairness names {', '.join(faults)}: faults are never forced "
                                  "(a run may always go on without one), so they take no fairness")
        return super()._declared_fairness(set(self.fairness))

    def fairness_of(self, label: ActionLabel) -> Fairness:
        """A delivery is fair by its message's class, a timer by its name, a recovery by its kind
        (weak unless `fairness` says otherwise); faults, an early timer included, are faults."""
        if label.name in FAULT_STEPS:
            return Fairness.FAULT
        declared = self._table[3]
        if label.name == "deliver":
            return declared.get(type(label.kwargs["msg"]).__name__, Fairness.WEAK)
        if label.name == "timeout":
            return declared.get(label.kwargs["timer"], Fairness.WEAK)
        return declared.get(label.name, Fairness.WEAK)

    def task_fixed(self, label: ActionLabel) -> bool:
        """True when renaming interchangeable nodes leaves the task unchanged (a coordinator's timer),
        so that it can be judged on symmetry representatives."""
        if not self.symmetry:
            return True
        return all(rewrite(label.args, mapping) == label.args for mapping in swaps(self._system.groups))

    def actors(self) -> Sequence[Actor]:
        """The actor of each node, in NodeId order."""
        raise DefinitionError(f"{type(self).__name__} must define actors()")

    def symmetric_groups(self) -> list[list[NodeId]]:
        """Groups of interchangeable nodes (for symmetry reduction); none by default."""
        return []

    @property
    def ids(self) -> tuple[NodeId, ...]:
        """Every node's id."""
        return self._system.ids

    @property
    def net(self) -> Network:
        """The kind of network this model runs on."""
        return self._system.net

    def role(self, node: NodeId) -> str:
        """The role name of a node, for charts."""
        return self._system.actors[node].role

    def init(self) -> System:
        """The initial state: every node started, their first messages in flight."""
        return self.init_states()[0]

    def init_states(self) -> list[System]:
        nodes, sends, timers, events = [], [], [], []
        for node, actor in zip(self.ids, self._system.actors):
            out = Out(node)
            nodes.append(actor.on_start(node, out))
            sends += out.sends
            timers.append(frozenset(out.timers_set) - frozenset(out.timers_cancelled))
            events += out.events
        budget = tuple(getattr(self.faults, kind) for kind in FaultBudget.KINDS)
        empty = System(tuple(nodes), (), tuple(timers), frozenset(), frozenset(), frozenset(), budget, tuple(events))
        return [empty.evolve(network=self.net.send((), sends))]

    def representative(self, state: System) -> System:
        """The state with interchangeable nodes renamed into a canonical order."""
        return representative(state, self._system.groups, self.net) if self.symmetry else state

    def check_symmetry(self, s: System) -> None:
        """Nodes declared interchangeable (`symmetric_groups`) must be: renaming them in a state
        renames its successors and changes no property. Checked by the engine on the first states
        of every run (checker/engine/audit.py); raises FalseShortcut naming the nodes."""
        if not self.symmetry:
            return
        successors = self.next_states(s)
        for mapping in swaps(self._system.groups):
            renamed = permuted(s, mapping, self.net)
            expected = {permuted(nxt, mapping, self.net) for nxt in successors}
            found = set(self.next_states(renamed))
            moved = ", ".join(f"{old}->{new}" for old, new in sorted(mapping.items()))
            if expected != found:
                raise FalseShortcut(
                    f"symmetric_groups() declares nodes interchangeable, but renaming them ({moved}) changes what can "
                    f"happen: {len(expected - found)} successors of the renamed state are missing and {len(found - expected)} "
                    "are new. Symmetry reduction would hide behaviours: declare only nodes whose actors and properties "
                    "treat them alike")
            for prop in self.properties():
                if prop.kind.value in ("always", "sometimes", "eventually", "leads_to") and _judged(prop, renamed) != _judged(prop, s):
                    raise FalseShortcut(f"symmetric_groups() declares nodes interchangeable, but renaming them ({moved}) "
                                        f"changes the property {prop.name}: it names particular nodes of a group")

    def successors(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        yield from self._deliveries(s)
        yield from self._timeouts(s)
        yield from self._faults(s)

    def next_states(self, s: System) -> list[System]:  # type: ignore[override]
        """The successors without labels, in `successors` order (deliveries, the hot part, unlabelled)."""
        out = [self._deliver(s, env) for env in self._deliverable(s)]
        out += [nxt for _label, nxt in self._timeouts(s)]
        out += [nxt for _label, nxt in self._faults(s)]
        return out

    def _deliverable(self, s: System) -> list[Envelope]:
        """The messages that can be delivered now: to a running node, not across a partition."""
        if not s.down and not s.paused and not s.side:
            return self.net.deliverable(s.network)
        return [e for e in self.net.deliverable(s.network) if s.up(e.dst) and s.reachable(e.src, e.dst)]

    def _deliveries(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        for env in self._deliverable(s):
            yield _label("deliver", src=env.src, dst=env.dst, msg=env.msg), self._deliver(s, env)

    def _deliver(self, s: System, env: Envelope) -> System:
        """The system after `env` is delivered and handled."""
        out = Out(env.dst)
        local = self._system.actors[env.dst].on_message(env.dst, s.nodes[env.dst], env.src, env.msg, out)
        return self._apply(s.evolve(network=self.net.delivered(s.network, env)), env.dst, local, out, cause=env)

    def _timeouts(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        for node in self.ids:
            if not s.up(node) or not s.timers[node]:
                continue
            actor = self._system.actors[node]
            for timer in sorted(s.timers[node]):
                waiting = self.timer_waits(s, node, timer)
                if waiting and not self._left(s, "skew"):
                    continue
                base = s.evolve(timers=_put(s.timers, node, s.timers[node] - {timer}))
                name = "timeout"
                if waiting:
                    base, name = self._spend(base, "skew"), "timeout_early"
                yield _label(name, node=node, timer=timer), self._handle(
                    base, node, lambda out, n=node, t=timer, a=actor, st=s.nodes[node]: a.on_timer(n, st, t, out))

    def timer_waits(self, s: System, node: NodeId, timer: str) -> bool:
        """True while the node's armed timer must wait, as its policy says; a model may add a
        condition of its own (a lease that waits while its holder still works under it: bounded
        clock drift), which the skew fault then breaks as it breaks the policy."""
        return self._waiting(s, node, self.timer_policies.get(timer, self.timer_policy))

    def _waiting(self, s: System, node: NodeId, policy: str) -> bool:
        """True when the timer policy says the timer must still wait for messages in flight."""
        if policy == "anytime" or not s.network:
            return False
        if policy == "when-idle":
            return any(e.dst == node and s.reachable(e.src, node) for e in s.network)
        return any(s.up(e.dst) and s.reachable(node, e.dst) and s.reachable(e.src, e.dst) for e in s.network)

    def _faults(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        net = self.net
        if self._left(s, "crash"):
            for node in self.ids:
                if node not in s.down:
                    lost = self._system.actors[node].crashed(node, s.nodes[node])
                    yield _label("crash", node=node), self._spend(s, "crash").evolve(
                        nodes=_put(s.nodes, node, lost), down=s.down | {node}, paused=s.paused - {node},
                        timers=_put(s.timers, node, frozenset()), network=net.without_node(s.network, node))
        if self._left(s, "restart"):
            for node in sorted(s.down):
                actor = self._system.actors[node]
                yield _label("restart", node=node), self._handle(
                    self._spend(s, "restart").evolve(down=s.down - {node}), node,
                    lambda out, n=node, a=actor: a.on_restart(n, s.nodes[n], out), reset_timers=True)
        for kind, change in (("drop", net.dropped), ("duplicate", net.duplicated)):
            if self._left(s, kind):
                for env in dict.fromkeys(s.network):
                    yield _label(kind, src=env.src, dst=env.dst, msg=env.msg), self._spend(s, kind).evolve(network=change(s.network, env))
        yield from self._partitions(s)
        yield from self._pauses(s)

    def _partitions(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        if s.side:
            yield _label("heal"), s.evolve(side=frozenset())
        elif self._left(s, "partition"):
            rest = self.ids[1:]
            for mask in range(0, 2 ** len(rest) - 1):
                side = frozenset([self.ids[0], *(n for i, n in enumerate(rest) if mask >> i & 1)])
                yield _label("partition", side=tuple(sorted(side))), self._spend(s, "partition").evolve(side=side)

    def _pauses(self, s: System) -> Iterator[tuple[ActionLabel, System]]:
        for node in sorted(s.paused):
            yield _label("resume", node=node), s.evolve(paused=s.paused - {node})
        if self._left(s, "pause"):
            for node in self.ids:
                if s.up(node):
                    yield _label("pause", node=node), self._spend(s, "pause").evolve(paused=s.paused | {node})

    def _handle(self, s: System, node: NodeId, handler: Any, reset_timers: bool = False) -> System:
        """Run one handler of `node` and apply its output buffer to the system."""
        out = Out(node)
        return self._apply(s, node, handler(out), out, reset_timers)

    def _apply(self, s: System, node: NodeId, local: Any, out: Out, reset_timers: bool = False, cause: Any = None) -> System:
        """The system with `node`'s new local state and its output buffer applied."""
        timers = frozenset() if reset_timers else s.timers[node]
        timers = (timers - frozenset(out.timers_cancelled)) | frozenset(out.timers_set)
        sends = [e for e in out.sends if e.dst not in s.down]
        network = s.network
        if self._system.collects:
            network, sends = self._without_obsolete(s, node, local, sends, timers, cause)
        return s.evolve(
            nodes=_put(s.nodes, node, local),
            timers=_put(s.timers, node, timers) if timers != s.timers[node] else s.timers,
            network=self.net.send(network, sends),
            history=s.history + tuple(out.events) if out.events else s.history,
        )

    def _without_obsolete(self, s: System, node: NodeId, local: Any, sends: list[Envelope], timers: frozenset,
                          cause: Any) -> tuple[tuple, list[Envelope]]:
        """Discard the messages that the actors say can no longer have any effect (Actor.obsolete):
        those in flight to `node` after its state changed, and new sends that are dead on arrival.
        Unless the model trusts its reductions, each claim is checked as it is used (`_confirm`)."""
        now = _Now(s, node, local, timers, cause)
        network = s.network
        if local is not s.nodes[node]:
            network = tuple(e for e in network if e.dst != node or not self._obsolete(e, now))
        return network, [e for e in sends if not self._obsolete(e, now)]

    def _obsolete(self, env: Envelope, now: "_Now", depth: int = 0) -> bool:
        """The actor's claim that `env` can never matter to its receiver as it is now; checked unless trusted."""
        state = now.state(env.dst)
        if not self._system.actors[env.dst].obsolete(env.dst, state, env.src, env.msg):
            return False
        if not self.trust_reductions:
            key = (env, state, now.timers(env.dst))
            confirmed = self._system.confirmed
            if key not in confirmed:
                if self._confirm(env, now, depth):
                    if len(confirmed) >= CONFIRMED_MEMO:
                        confirmed.clear()
                    confirmed.add(key)
        return True

    def _confirm(self, env: Envelope, now: "_Now", depth: int) -> bool:
        """Deliver a message declared obsolete to its receiver as it is now: it must change nothing
        and send nothing that is not itself obsolete, or the claim is false and the reduction would
        hide behaviours (a reply that is dead on arrival, like a refused vote, is no change)."""
        dst, state, timers = env.dst, now.state(env.dst), now.timers(env.dst)
        out = Out(dst)
        after = self._system.actors[dst].on_message(dst, state, env.src, env.msg, out)
        new_timers = (timers - frozenset(out.timers_cancelled)) | frozenset(out.timers_set)
        effects = [f"{path}: {old} -> {new}" if old else f"{path}: {new}" for path, old, new in diff(state, after)]
        effects += [f"it sends {show(e.msg)} to {e.dst}" for e in out.sends  # a send to a crashed node is lost
                    if e.dst not in now.system.down and (depth >= CONFIRM_DEPTH or not self._obsolete(e, now, depth + 1))]
        effects += [f"its timers {sorted(timers)} -> {sorted(new_timers)}"] if new_timers != timers else []
        effects += [f"it records {e.kind} {e.op}" for e in out.events]
        if effects:
            raise FalseShortcut(
                f"{type(self._system.actors[dst]).__name__}.obsolete() says {show(env.msg)} from {env.src} can never matter "
                f"to {dst}, but delivering it to {dst} now changes: {'; '.join(effects)}. The actor system discards "
                "obsolete messages, so this claim would hide behaviours: make obsolete() return False for such messages "
                f"(caught in the step {now.step()} from the trace's last state)")
        return not out.sends  # a verdict that does not depend on other nodes can be remembered

    @staticmethod
    def _left(s: System, kind: str) -> int:
        return s.budget[FaultBudget.KINDS.index(kind)]

    @staticmethod
    def _spend(s: System, kind: str) -> System:
        i = FaultBudget.KINDS.index(kind)
        return s.evolve(budget=s.budget[:i] + (s.budget[i] - 1,) + s.budget[i + 1:])


def _judged(prop: Any, state: System) -> Any:
    """A state property's value as judged: true or false, or (p, q) for leads_to."""
    return prop.liveness_pair(state) if prop.kind.is_liveness else bool(prop.check(state))


def _put(items: tuple, index: int, value: Any) -> tuple:
    if items[index] is value:
        return items
    out = list(items)
    out[index] = value
    return tuple(out)


FAULT_STEPS = frozenset({"crash", "drop", "duplicate", "partition", "pause", "timeout_early"})
"""The steps that inject a fault (restart, heal and resume are recoveries, weakly fair by default)."""

CONFIRM_DEPTH = 3  # replies to replies checked for obsolescence when confirming a claim
CONFIRMED_MEMO = 1 << 16  # claims confirmed without sends, remembered by (message, receiver's state, its timers)


class _Now(NamedTuple):
    """The system as a handler of `node` leaves it, before its sends are applied: whom obsolete
    claims are judged against."""

    system: System
    node: NodeId
    local: Any
    local_timers: frozenset
    cause: Any  # the Envelope delivered, or None for a timer or a restart

    def step(self) -> str:
        """The step being taken, as the trace labels it."""
        if isinstance(self.cause, Envelope):
            return str(_label("deliver", src=self.cause.src, dst=self.cause.dst, msg=self.cause.msg))
        return f"a timer or restart of {self.node}"

    def state(self, node: NodeId) -> Any:
        return self.local if node == self.node else self.system.nodes[node]

    def timers(self, node: NodeId) -> frozenset:
        return self.local_timers if node == self.node else self.system.timers[node]

