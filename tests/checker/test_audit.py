"""Shortcuts the engine trusts are checked by the engine: a false one stops the search (exit 4)
with the trace to the state where it was caught, instead of silently hiding behaviours."""
from typing import ClassVar

import attrs

from checker import Actor, ActorModel, FaultBudget, NodeId, Out, always, check, record, sometimes
from checker.actors.symmetry import permuted
from tiny_models import Lights


@record
class Hello:
    """A greeting from a client to the server."""


@record
class Counter:
    """The server's state: greetings counted."""

    seen: int


@record
class Client:
    """A client's state: whether it greeted."""

    greeted: bool


class CountingServer(Actor):
    """Counts greetings. `lie` makes obsolete() claim a greeting matters no more once one was
    counted, which is false: the second greeting is counted too."""

    role = "server"

    def __init__(self, lie: bool):
        self.lie = lie

    def on_start(self, me: NodeId, out: Out) -> Counter:
        return Counter(seen=0)

    def on_message(self, me, s, src, msg, out):
        return s.evolve(seen=s.seen + 1)

    def obsolete(self, me, s, src, msg) -> bool:
        return self.lie and s.seen >= 1


class Greeter(Actor):
    """Greets the server once, at start."""

    role = "client"

    def on_start(self, me: NodeId, out: Out) -> Client:
        out.send(NodeId(0), Hello())
        return Client(greeted=True)


@attrs.frozen
class Greetings(ActorModel):
    """Two clients greet a server that counts greetings; the count must stay below 2 (it does not)."""

    name: ClassVar[str] = "greetings"
    check_deadlock: ClassVar[bool] = False  # the greetings end
    lie: bool = False
    asymmetric: bool = False

    def actors(self):
        return [CountingServer(self.lie), Greeter(), Greeter()]

    def symmetric_groups(self):
        return [list(self.ids)] if self.asymmetric else [list(self.ids[1:])]

    @always
    def fewer_than_two(self, s) -> bool:
        """At most one greeting counted."""
        return s.nodes[0].seen < 2

    @sometimes
    def one_counted(self, s) -> bool:
        """A greeting is counted."""
        return s.nodes[0].seen == 1


def test_a_false_obsolete_claim_is_a_definition_error_with_its_trace():
    """The lying server makes the actor system discard the second greeting; the engine delivers it
    to check the claim, sees the count change, and stops with exit 4 naming message, node and change."""
    result = check(Greetings(lie=True))
    assert result.exit_code == 4
    failure = result.failure
    assert failure is not None and failure.error.startswith("FalseShortcut: CountingServer.obsolete() says Hello() from n")
    assert "can never matter to n0, but delivering it to n0 now changes: seen: 1 -> 2" in failure.error
    assert "(caught in the step deliver(src=n1, dst=n0, msg=Hello()) from the trace's last state)" in failure.error
    assert failure.trace.labels() == []


def test_the_honest_model_finds_the_violation_the_lie_hid():
    """Without the lie, the second greeting is delivered and fewer_than_two is VIOLATED in 2 steps;
    trusting the lie (trust_reductions) hides it, and the report says the reductions were trusted."""
    honest = check(Greetings())
    assert honest.exit_code == 1 and len(honest["fewer_than_two"].trace) == 2
    trusted = check(Greetings(lie=True, trust_reductions=True))
    assert trusted.exit_code == 0
    assert any("reductions trusted" in note for note in trusted.notes)


def test_nodes_declared_interchangeable_that_are_not_are_caught():
    """Declaring the server interchangeable with its clients is refused at the first state."""
    result = check(Greetings(asymmetric=True))
    assert result.exit_code == 4
    assert result.failure.action == "checking the model's shortcuts"
    assert "symmetric_groups() declares nodes interchangeable, but renaming them" in result.failure.error
    assert result.failure.trace.labels() == []


def test_a_renaming_moves_what_every_node_says_about_the_others():
    """Renaming clients rewrites the ids the server holds too (a node outside the groups may name
    nodes inside them); without that, representatives left their class."""
    model = Greetings()
    state = model.init()
    renamed = permuted(state, {NodeId(1): NodeId(2), NodeId(2): NodeId(1)}, model.net)
    assert {(e.src, e.dst) for e in renamed.network} == {(e.src, e.dst) for e in state.network}


@attrs.frozen
class FastLights(Lights):
    """Lights whose hand-written next_states forgets the last light."""

    def next_states(self, s):  # type: ignore[override]
        return [nxt for label, nxt in self.successors(s) if label.kwargs.get("i") != self.n - 1]


@attrs.frozen
class OffClassLights(Lights):
    """Lights whose representative turns every light off: not a member of the state's class."""

    def representative(self, s):
        return s.evolve(on=frozenset())


def test_a_fast_path_that_differs_from_the_successors_is_caught():
    """next_states missing a step is refused at the first state, with the difference named."""
    result = check(FastLights(n=3))
    assert result.exit_code == 4
    assert "next_states differs from successors here" in result.failure.error


def test_a_representative_outside_the_class_is_caught():
    """A representative with other property values than its state is refused."""
    result = check(OffClassLights(n=3))
    assert result.exit_code == 4
    assert "representative leaves the state's symmetry class" in result.failure.error


def test_a_budgeted_actor_model_still_checks_every_claim():
    """A fault budget does not switch the check off: the lie is caught under crashes too."""
    result = check(Greetings(lie=True, faults=FaultBudget.parse("crash=1")))
    assert result.exit_code == 4 and "FalseShortcut" in result.failure.error
