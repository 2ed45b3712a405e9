"""The actor layer: networks, the fault budget, faults as steps, symmetry, sequence charts."""
import pytest

from checker import UsageError, check
from checker.actors.actor import Envelope, NodeId
from checker.actors.faults import FaultBudget
from checker.faces.charts import chart, mermaid
from checker.actors.network import NETWORKS
from checker.actors.symmetry import representative, rewrite
from ping_pong import Ping, PingPong, PingPongIdle, Pong

A, B = NodeId(0), NodeId(1)


def labels(model, state):
    return [str(label) for label, _ in model.successors(state)]


def test_bag_delivers_each_message_once():
    """A bag keeps duplicates as separate copies and removes one per delivery."""
    bag = NETWORKS["bag"]
    net = bag.send((), [Envelope(A, B, Ping()), Envelope(A, B, Ping())])
    assert len(net) == 2 and bag.deliverable(net) == [Envelope(A, B, Ping())]
    assert bag.delivered(net, Envelope(A, B, Ping())) == (Envelope(A, B, Ping()),)


def test_set_network_keeps_delivered_messages():
    """TLA+'s set of messages: delivering leaves the message deliverable."""
    net = NETWORKS["set"].send((), [Envelope(A, B, Ping()), Envelope(A, B, Ping())])
    assert net == (Envelope(A, B, Ping()),)
    assert NETWORKS["set"].delivered(net, net[0]) == net


def test_fifo_delivers_the_head_of_each_channel():
    """FIFO: only the oldest message of a channel can be delivered."""
    fifo = NETWORKS["fifo"]
    net = fifo.send((), [Envelope(A, B, Pong()), Envelope(A, B, Ping()), Envelope(B, A, Ping())])
    assert fifo.deliverable(net) == [Envelope(A, B, Pong()), Envelope(B, A, Ping())]


def test_fault_budget_parses_and_refuses():
    """`crash=1,drop=2` parses; unknown faults and missing counts are one clear error."""
    assert FaultBudget.parse("crash=1, drop=2") == FaultBudget(crash=1, drop=2)
    assert FaultBudget.parse("crash=1,drop=2").describe() == "crash=1, drop=2"
    for bad in ("crash", "boom=1", "drop=x", "drop=99"):
        with pytest.raises(UsageError):
            FaultBudget.parse(bad)


def test_no_faults_means_ping_then_pong():
    """Without faults: {timer armed, fired} x {ping in flight, pong in flight, pong received} = 6 states, depth 4."""
    result = check(PingPong())
    assert (result.stats.distinct, result.stats.depth) == (6, 4)
    result.assert_discovery("ponged", ["deliver(src=n0, dst=n1, msg=Ping())", "deliver(src=n1, dst=n0, msg=Pong())"])


def test_drop_loses_the_ping():
    """With drop=1 a run can lose the ping, and the budget is spent."""
    model = PingPong(faults=FaultBudget(drop=1))
    start = model.init_states()[0]
    assert "drop(src=n0, dst=n1, msg=Ping())" in labels(model, start)
    dropped = dict((str(l), s) for l, s in model.successors(start))["drop(src=n0, dst=n1, msg=Ping())"]
    assert dropped.network == () and "drop" not in " ".join(labels(model, dropped))


def test_duplicate_breaks_at_most_one_pong():
    """A duplicated pong arrives twice: the shortest violation is ping, duplicate pong, pong, pong."""
    result = check(PingPong(faults=FaultBudget(duplicate=1)))
    result.assert_discovery("at_most_one_pong", [
        "deliver(src=n0, dst=n1, msg=Ping())", "duplicate(src=n1, dst=n0, msg=Pong())",
        "deliver(src=n1, dst=n0, msg=Pong())", "deliver(src=n1, dst=n0, msg=Pong())",
    ])


def test_crash_loses_messages_to_the_node_and_restart_keeps_durable_fields():
    """Crashing n1 loses the ping in flight to it; restarting n0 keeps `sent` but not `pongs`."""
    model = PingPong(faults=FaultBudget(crash=2, restart=1))
    start = model.init_states()[0]
    after = dict((str(l), s) for l, s in model.successors(start))
    assert after["crash(node=n1)"].network == ()
    crashed = after["crash(node=n0)"]
    assert crashed.down == {A} and crashed.timers[0] == frozenset()
    restarted = dict((str(l), s) for l, s in model.successors(crashed))["restart(node=n0)"]
    assert restarted.down == frozenset() and restarted.nodes[0].sent == 1 and restarted.timers[0] == {"give_up"}


def test_partition_holds_messages_until_heal():
    """Across a partition nothing is delivered; after heal the ping goes through."""
    model = PingPong(faults=FaultBudget(partition=1))
    start = model.init_states()[0]
    cut = dict((str(l), s) for l, s in model.successors(start))["partition(side=(n0,))"]
    assert [l for l in labels(model, cut) if l.startswith("deliver")] == []
    healed = dict((str(l), s) for l, s in model.successors(cut))["heal()"]
    assert "deliver(src=n0, dst=n1, msg=Ping())" in labels(model, healed)


def test_pause_stops_a_node_until_resume():
    """A paused node receives nothing and fires no timer."""
    model = PingPong(faults=FaultBudget(pause=1))
    paused = dict((str(l), s) for l, s in model.successors(model.init_states()[0]))["pause(node=n1)"]
    assert "deliver(src=n0, dst=n1, msg=Ping())" not in labels(model, paused)
    assert "resume(node=n1)" in labels(model, paused)


def test_when_idle_timers_wait_unless_the_clock_skews():
    """With the when-idle policy n0's timer waits for the pong; skew=1 lets it fire early."""
    start = PingPongIdle().init_states()[0]
    after_ping = dict((str(l), s) for l, s in PingPongIdle().successors(start))["deliver(src=n0, dst=n1, msg=Ping())"]
    assert not any(l.startswith("timeout") for l in labels(PingPongIdle(), after_ping))
    skewed = PingPongIdle(faults=FaultBudget(skew=1))
    assert "timeout_early(node=n0, timer='give_up')" in labels(skewed, after_ping.evolve(budget=skewed.init_states()[0].budget))


def test_faults_a_model_does_not_allow_are_refused():
    """A set network duplicates by itself, so a duplicate budget is refused for it."""
    from models.commit.twophase_actors import TwoPhaseActors

    with pytest.raises(UsageError, match="names partition, which 2pc-actors does not model"):
        TwoPhaseActors(faults=FaultBudget(partition=1))


def test_rewrite_renames_node_ids_everywhere():
    """NodeIds inside records, tuples and frozensets are renamed; other ints are not."""
    value = (Envelope(A, B, Ping()), frozenset({A}), 0, 1)
    assert rewrite(value, {0: B, 1: A}) == (Envelope(B, A, Ping()), frozenset({B}), 0, 1)


def test_representative_is_shared_by_symmetric_states():
    """Two states that differ by swapping interchangeable participants share a representative."""
    from models.commit.twophase_actors import TwoPhaseActors

    model = TwoPhaseActors(participants=2)
    start = model.init_states()[0]
    steps = dict((str(l), s) for l, s in model.successors(start))
    one = steps["deliver(src=n0, dst=n1, msg=Prepare())"]
    two = steps["deliver(src=n0, dst=n2, msg=Prepare())"]
    assert one != two
    assert model.representative(one) == model.representative(two)
    assert representative(one, [], model.net) is one


def test_charts_show_arrows_marks_and_changes():
    """The text chart has a lane per node, an arrow per delivery and the changed fields; Mermaid too."""
    result = check(PingPong(faults=FaultBudget(duplicate=1)))
    trace = result["at_most_one_pong"].trace
    text = chart(trace, ["pinger", "ponger"])
    assert "n0 pinger" in text and "Pong() (dup)" in text and "n0.pongs: 1 -> 2" in text
    diagram = mermaid(trace, ["pinger", "ponger"])
    assert diagram.startswith("sequenceDiagram") and "n1->>n0: Pong()" in diagram
