"""A tiny actor model for the actor-layer tests: n0 pings n1, which answers pong."""
from typing import ClassVar

import attrs

from checker import always, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.system import ActorModel, System
from checker.actors.faults import FaultBudget


@record
class Ping:
    """n0 -> n1."""


@record
class Pong:
    """n1 -> n0."""


@record
class Pinger:
    """n0's state: pongs received; `sent` survives a crash."""

    DURABLE = ("sent",)
    sent: int
    pongs: int


@record
class Ponger:
    """n1's state: pings answered."""

    pings: int


class PingActor(Actor):
    role = "pinger"

    def on_start(self, me: NodeId, out: Out) -> Pinger:
        out.send(NodeId(1), Ping())
        out.set_timer("give_up")
        return Pinger(sent=1, pongs=0)

    def on_message(self, me, s, src, msg, out):
        return s.evolve(pongs=s.pongs + 1)

    def on_timer(self, me, s, timer, out):
        return s


class PongActor(Actor):
    role = "ponger"

    def on_start(self, me: NodeId, out: Out) -> Ponger:
        return Ponger(pings=0)

    def on_message(self, me, s, src, msg, out):
        out.send(src, Pong())
        return s.evolve(pings=s.pings + 1)


@attrs.frozen
class PingPong(ActorModel):
    """Ping and pong between two nodes."""

    name: ClassVar[str] = "ping-pong"
    check_deadlock: ClassVar[bool] = False
    kind: ClassVar[str] = "bag"
    faults: FaultBudget = option(FaultBudget(), help="faults")

    def actors(self):
        return [PingActor(), PongActor()]

    @always
    def at_most_one_pong(self, s: System) -> bool:
        """Without duplication, one ping gets at most one pong."""
        return s.nodes[0].pongs <= 1

    @sometimes
    def ponged(self, s: System) -> bool:
        """The pong arrives."""
        return s.nodes[0].pongs == 1


@attrs.frozen
class PingPongIdle(PingPong):
    """The same, with timers that wait for messages in flight (a synchrony assumption)."""

    timer_policy: ClassVar[str] = "when-idle"
