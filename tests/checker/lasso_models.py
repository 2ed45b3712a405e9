"""Two tiny models with liveness counterexamples (lassos) for the faces' tests, each lasso walked by
hand through the model's own successors:

- `Signal` (a ProtocolModel): switched on, a traffic signal cycles red, green, yellow, red...
  forever, so it need never switch to flashing: `flashes` (eventually) fails on a 3-step cycle.
  A bulb may burn out at red, after which nothing can happen: `red_leads_to_green` (leads_to)
  fails on a run that stays in that dead end forever.
- `Pulse` (an ActorModel): a monitor pings an echo node on a timer and waits for its pong before
  arming the timer again, a 3-step cycle (timer, ping, pong); when the echo crashes with the ping
  in flight, the monitor waits forever: `ping_answered` (leads_to) fails there.

Like tiny_models.py, imported as a top-level module (a generated program imports it too).
"""
from typing import Any, ClassVar

import attrs

from checker import ProtocolModel, action, eventually, leads_to, record
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.authoring import option
from checker.trace import Step, Trace

NEXT_COLOUR = {"red": "green", "green": "yellow", "yellow": "red"}


@record
class Lamp:
    """The signal's light: "off", then "red", "green", "yellow"; "flashing" at night; "dark" once burnt out."""

    colour: str


@attrs.frozen
class Signal(ProtocolModel):
    """A traffic signal that cycles through its colours and may burn out at red."""

    name: ClassVar[str] = "signal"

    def init(self) -> Lamp:
        return Lamp("off")

    @action
    def power_on(self, s: Lamp) -> Lamp | None:
        """Off goes to red."""
        return s.evolve(colour="red") if s.colour == "off" else None

    @action
    def advance(self, s: Lamp) -> Lamp | None:
        """The next colour: red, green, yellow, red."""
        return s.evolve(colour=NEXT_COLOUR[s.colour]) if s.colour in NEXT_COLOUR else None

    @action
    def night(self, s: Lamp) -> Lamp | None:
        """At yellow, the signal may switch to flashing for the night."""
        return s.evolve(colour="flashing") if s.colour == "yellow" else None

    @action
    def burn_out(self, s: Lamp) -> Lamp | None:
        """The bulb burns out at red: the signal goes dark for good."""
        return s.evolve(colour="dark") if s.colour == "red" else None

    @eventually
    def flashes(self, s: Lamp) -> bool:
        """The signal eventually flashes (false: it may cycle forever)."""
        return s.colour == "flashing"

    @leads_to
    def red_leads_to_green(self, s: Lamp) -> tuple[bool, bool]:
        """Red is followed by green (false: the bulb may burn out at red)."""
        return s.colour == "red", s.colour == "green"


@record
class Monitor:
    """The monitor's phase: "starting", "waiting" for a pong, or "idle" until its timer fires."""

    phase: str


@record
class Echo:
    """The echo node: whether it has answered a ping."""

    answered: bool


@record
class Ping:
    """Monitor -> echo: are you there?"""


@record
class Pong:
    """Echo -> monitor: yes."""


class MonitorActor(Actor):
    role = "monitor"

    def on_start(self, me: NodeId, out: Out) -> Monitor:
        out.set_timer("beat")
        return Monitor("starting")

    def on_timer(self, me: NodeId, s: Monitor, timer: str, out: Out) -> Monitor:
        out.send(NodeId(1), Ping())
        return s.evolve(phase="waiting")

    def on_message(self, me: NodeId, s: Monitor, src: NodeId, msg: Any, out: Out) -> Monitor:
        out.set_timer("beat")
        return s.evolve(phase="idle")


class EchoActor(Actor):
    role = "echo"

    def on_start(self, me: NodeId, out: Out) -> Echo:
        return Echo(False)

    def on_message(self, me: NodeId, s: Echo, src: NodeId, msg: Any, out: Out) -> Echo:
        out.send(src, Pong())
        return s.evolve(answered=True)


@attrs.frozen
class Pulse(ActorModel):
    """A monitor pings an echo node, forever."""

    name: ClassVar[str] = "pulse"
    faults: FaultBudget = option(FaultBudget(crash=1), help="fault budget")

    def actors(self) -> list[Actor]:
        return [MonitorActor(), EchoActor()]

    @leads_to
    def ping_answered(self, s: System) -> tuple[bool, bool]:
        """A monitor waiting for a pong gets it."""
        return s.nodes[0].phase == "waiting", s.nodes[0].phase == "idle"


def walk(model: Any, labels: list[str], loop_start: int) -> Trace:
    """The lasso that takes the steps `labels` (as the report prints them) from the initial state."""
    steps = [Step(None, next(iter(model.init_states())))]
    for wanted in labels:
        label, state = next((label, nxt) for label, nxt in model.successors(steps[-1].state) if str(label) == wanted)
        steps.append(Step(label, state))
    return Trace(tuple(steps), loop_start)


def signal_cycle() -> Trace:
    """Signal: on, then red, green, yellow, red forever (steps 2..4 repeat; step 4 is step 1 again)."""
    return walk(Signal(), ["power_on()", "advance()", "advance()", "advance()"], 1)


def signal_dark() -> Trace:
    """Signal: on, the bulb burns out at red, and the signal stays dark forever (no step is enabled)."""
    return walk(Signal(), ["power_on()", "burn_out()"], 2)


PULSE_ROUND = ["timeout(node=n0, timer='beat')", "deliver(src=n0, dst=n1, msg=Ping())", "deliver(src=n1, dst=n0, msg=Pong())"]


def pulse_cycle() -> Trace:
    """Pulse: a first round, then rounds forever (steps 4..6 repeat; step 6 is step 3 again)."""
    return walk(Pulse(), PULSE_ROUND + PULSE_ROUND, 3)


def pulse_crash() -> Trace:
    """Pulse: the monitor pings, the echo crashes with the ping in flight, and nothing can happen any more."""
    return walk(Pulse(), [PULSE_ROUND[0], "crash(node=n1)"], 2)
