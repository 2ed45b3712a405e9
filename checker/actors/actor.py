"""Actors: a node written as handlers for start, message and timer, emitting into an output buffer.

    class Participant(Actor):
        def on_start(self, me, out):            return PState(phase="working")
        def on_message(self, me, s, src, msg, out):
            if isinstance(msg, Prepare):
                out.send(src, Vote(yes=True))
                return s.evolve(phase="prepared")
            return s
        def on_timer(self, me, s, timer, out):  return s

A handler returns the node's new state (the same object when nothing changes) and puts its
sends, timer changes and client-history events into `out`. The actor system
(checker/actors/system.py) owns the network, the timers and every fault; an actor never sees
them. Node state classes list the fields that survive a crash in `DURABLE`; the rest is lost.
"""
from typing import Any, Iterable

from checker.record import record


class NodeId(int):
    """A node's identity: an int printed as n0, n1, ..., which symmetry reduction rewrites."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"n{int(self)}"

    __str__ = __repr__


@record
class Envelope:
    """A message in flight from `src` to `dst`."""

    src: NodeId
    dst: NodeId
    msg: Any


@record
class Event:
    """One entry of the client history: an operation invoked, or its result returned."""

    node: NodeId
    kind: str
    op: str
    value: Any = None


class Out:
    """The output buffer a handler writes into: sends, timer changes and history events."""

    __slots__ = ("me", "sends", "timers_set", "timers_cancelled", "events")

    def __init__(self, me: NodeId):
        self.me = me
        self.sends: list[Envelope] = []
        self.timers_set: list[str] = []
        self.timers_cancelled: list[str] = []
        self.events: list[Event] = []

    def send(self, dst: NodeId, msg: Any) -> None:
        """Send `msg` to node `dst`."""
        self.sends.append(Envelope(self.me, dst, msg))

    def broadcast(self, dsts: Iterable[NodeId], msg: Any) -> None:
        """Send `msg` to each of `dsts` (in sorted order, so runs are deterministic)."""
        for dst in sorted(dsts):
            self.send(dst, msg)

    def set_timer(self, name: str) -> None:
        """Arm the timer `name`; it may fire later (see the actor system's timer policy)."""
        self.timers_set.append(name)

    def cancel_timer(self, name: str) -> None:
        """Disarm the timer `name`."""
        self.timers_cancelled.append(name)

    def invoke(self, op: str, value: Any = None) -> None:
        """Record in the history that this (client) node invoked an operation."""
        self.events.append(Event(self.me, "invoke", op, value))

    def respond(self, op: str, value: Any = None) -> None:
        """Record in the history the result this (client) node got for an operation."""
        self.events.append(Event(self.me, "return", op, value))

    def fail(self, op: str, value: Any = None) -> None:
        """Record in the history that the operation was refused: it did not happen (Jepsen's `fail`)."""
        self.events.append(Event(self.me, "fail", op, value))

    def info(self, op: str, value: Any = None) -> None:
        """Record that the open operation's outcome is unknown (Jepsen's `info`): it may take effect later, or never."""
        self.events.append(Event(self.me, "info", op, value))


class Actor:
    """A node's behaviour. Subclasses override the handlers they need."""

    role: str = "node"

    def on_start(self, me: NodeId, out: Out) -> Any:
        """The node's initial state; may send messages and set timers."""
        raise NotImplementedError(f"{type(self).__name__} must define on_start(me, out)")

    def on_message(self, me: NodeId, state: Any, src: NodeId, msg: Any, out: Out) -> Any:
        """Handle one delivered message; return the new state."""
        return state

    def on_timer(self, me: NodeId, state: Any, timer: str, out: Out) -> Any:
        """Handle a timer firing; return the new state."""
        return state

    def obsolete(self, me: NodeId, state: Any, src: NodeId, msg: Any) -> bool:
        """True when delivering `msg` to this node, in this state or any later one, would change
        nothing and send nothing (a reply from a term the node has left, when terms only grow).
        The actor system discards such messages, so states that differ only by dead messages in
        flight are one state. Say True only when certain: a wrong True hides behaviours."""
        return False

    def on_restart(self, me: NodeId, state: Any, out: Out) -> Any:
        """After a crash: a fresh start with the durable fields of the crashed state kept. This
        runs on_start again, its sends and timers included; override it when a restarting node
        should recover from its log instead (as the commit protocols' nodes do)."""
        return _keep_durable(self.on_start(me, out), state)

    def crashed(self, me: NodeId, state: Any) -> Any:
        """What is left of a node when it crashes: its DURABLE fields, the rest as at a fresh start
        (so crashed nodes that differ only in lost volatile state are one state)."""
        return _keep_durable(self.on_start(me, Out(me)), state)


def _keep_durable(fresh: Any, old: Any) -> Any:
    """`fresh` with the fields `old`'s class lists in DURABLE copied from `old`."""
    durable = getattr(type(old), "DURABLE", ())
    return fresh.evolve(**{name: getattr(old, name) for name in durable}) if durable else fresh
