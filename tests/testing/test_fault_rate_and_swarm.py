"""How a stateful run picks its steps: faults at a rate each run draws (not one step in two, which
spent a run's budget at its start), and swarm testing (each run leaves out some kinds of steps).
Checked with scripted draws on tiny step lists, and end to end on a model whose violation needs
a fault late in the run."""
from typing import ClassVar

import attrs
from hypothesis import settings as Settings

from checker import ActionLabel, ProtocolModel, action, always, record
from checker.testing.machine import FAULT_ODDS, choose_with_faults, family, state_machine, swarm_kind
from checker.testing.profiles import chosen
from checker.testing.run import run_stateful


class Scripted:
    """Stands in for Hypothesis's data: each draw returns the next scripted value, and is logged."""

    def __init__(self, *values):
        self.values, self.labels = list(values), []

    def draw(self, strategy, label=None):
        self.labels.append(label)
        return self.values.pop(0)


def steps(*names):
    return [(ActionLabel(name), name) for name in names]


def is_crash(label):
    return label.name == "crash"


def test_a_fault_is_taken_only_on_the_last_of_the_odds():
    """Where faults and other steps are both enabled, one draw says fault or not (odds - 1: fault)."""
    enabled = steps("work", "crash", "rest")
    assert choose_with_faults(Scripted(15, 0), enabled, is_crash, 16)[1] == "crash"
    assert choose_with_faults(Scripted(14, 1), enabled, is_crash, 16)[1] == "rest"
    assert choose_with_faults(Scripted(0, 0), enabled, is_crash, 16)[1] == "work"


def test_without_a_choice_between_faults_and_steps_no_odds_are_drawn():
    data = Scripted(1)
    assert choose_with_faults(data, steps("crash", "crash2"), lambda label: True, 4)[1] == "crash2"
    assert data.labels == ["step"]


def test_kinds_of_steps():
    """A delivery by its message's class, a timer by its name, anything else by its action."""

    class Vote:
        pass

    assert family(ActionLabel("deliver", (("src", 0), ("dst", 1), ("msg", Vote())))) == "deliver Vote"
    assert family(ActionLabel("timeout", (("node", 0), ("timer", "election")))) == "timeout election"
    assert family(ActionLabel("crash", (("node", 2),))) == "crash"


def test_swarm_kinds_are_kinds_at_a_node():
    """Swarm testing leaves out a kind of step at one node: a delivery at its destination, a timer or
    a fault at its node; a step at no node is its kind alone."""

    class Vote:
        pass

    assert swarm_kind(ActionLabel("deliver", (("src", 0), ("dst", 1), ("msg", Vote())))) == "deliver Vote at 1"
    assert swarm_kind(ActionLabel("timeout", (("node", 2), ("timer", "election")))) == "timeout election at 2"
    assert swarm_kind(ActionLabel("crash", (("node", 2),))) == "crash at 2"
    assert swarm_kind(ActionLabel("work")) == "work"


def test_a_run_leaves_out_a_kind_at_one_node_only():
    """Leaving out elections at one node keeps the other nodes' elections."""
    machine = state_machine(LateCrash())()
    at = [(ActionLabel("timeout", (("node", n), ("timer", "election"))), n) for n in range(3)]
    assert machine._in_swarm(Scripted(False, True, False), at) == [at[0], at[2]]


@record
class Work:
    """Work done, and how much had been done when the crash came (None: no crash yet)."""

    done: int
    crashed_at: int | None = None


@attrs.frozen
class LateCrash(ProtocolModel):
    """Work goes on up to 12 units; a crash (a fault, at most one) after 10 units breaks the
    invariant. Were a fault one step in two, a run would keep its crash past 10 units with odds
    of 2^-10; at a rate of one in 4 to 64 most runs do."""

    name: ClassVar[str] = "late-crash"
    fairness: ClassVar[dict[str, str]] = {"crash": "fault"}

    def init(self) -> Work:
        return Work(0)

    @action
    def work(self, s: Work) -> Work | None:
        return s.evolve(done=s.done + 1) if s.done < 12 else None

    @action
    def crash(self, s: Work) -> Work | None:
        return s.evolve(crashed_at=s.done) if s.crashed_at is None else None

    @always
    def no_late_crash(self, s: Work) -> bool:
        """No crash after 10 units of work."""
        return s.crashed_at is None or s.crashed_at < 10


def test_actions_a_model_calls_faults_are_faults():
    machine = state_machine(LateCrash())
    assert machine.faulty and machine.is_fault(ActionLabel("crash")) and not machine.is_fault(ActionLabel("work"))


def test_a_late_fault_is_found():
    """Ten runs find the late crash (the explorer shows its 11 steps)."""
    outcome = run_stateful(LateCrash(), settings=Settings(chosen("ci"), max_examples=10), seed=1)
    assert outcome.violation is not None and outcome.source == "explorer" and len(outcome.shown) == 11
    assert len(FAULT_ODDS) == 3 and min(FAULT_ODDS) >= 4


def test_a_run_leaves_out_the_kinds_it_drew_once_each():
    """Each kind is drawn the first time a run meets it; when every enabled kind is left out, the run
    takes any step rather than stop."""
    machine = state_machine(LateCrash())()
    data = Scripted(True, False)
    assert machine._in_swarm(data, steps("work", "crash", "work")) == steps("crash")
    assert data.labels == ["leave out work", "leave out crash"]
    assert machine._in_swarm(Scripted(), steps("work")) == steps("work")
    machine.swarm["crash"] = False
    assert machine._in_swarm(Scripted(), steps("crash")) == steps("crash")
