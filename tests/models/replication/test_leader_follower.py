"""leader-follower: pinned figures; sync and semi-sync survive a leader crash with every witness reached;
async loses an acknowledged write at failover; follower reads are stale (not linearizable, read-your-writes
broken); semi-sync loses a write to a careless promotion or a second crash, sync does not."""
import pytest

from checker import Verdict, check
from checker.errors import OptionError
from models.replication.leader_follower import LeaderFollower

WITNESSES = ("write_acknowledged", "failover", "read_after_failover")
WRITE = ["timeout(node=n3, timer='op')", "deliver(src=n3, dst=n0, msg=Write(value=31))"]
ACK = "deliver(src=n0, dst=n3, msg=WriteOk(value=31))"
REPLICATED_TO_N1 = ["deliver(src=n0, dst=n1, msg=Replicate(epoch=0, log=(31,)))",
                    "deliver(src=n1, dst=n0, msg=Ack(epoch=0, length=1))"]
LOST = "the write of 31 was acknowledged to n3, but the leader of epoch 1, {}, has log []: the acknowledged write is lost (it is left only on {})"


def test_the_defaults_survive_a_leader_crash_and_reach_every_witness():
    """sync, leader reads, crash=1: 24,595 states; failover in 2 steps, a fresh read after it in 11."""
    result = check(LeaderFollower())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (24595, 27)
    assert {name: len(result[name].trace) for name in WITNESSES} == {
        "write_acknowledged": 7, "failover": 2, "read_after_failover": 11}
    assert result["read_after_failover"].trace.labels()[:2] == ["crash(node=n0)", "timeout(node=n1, timer='failover')"]


def test_without_faults_there_is_no_failover_and_its_witnesses_do_not_apply():
    """1,229 states; the witnesses that need a crash are not applicable, not unreached."""
    result = check(LeaderFollower(faults="none"))
    result.assert_ok()
    assert result.stats.distinct == 1229
    assert [result.verdict(name) for name in WITNESSES] == [Verdict.HOLDS, Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE]


@pytest.mark.parametrize(("ack", "states"), [("sync", 120), ("semi-sync", 177), ("async", None)])
def test_one_client_per_ack_mode(ack, states):
    """One client: sync and semi-sync hold (120 and 177 states), async loses the write."""
    result = check(LeaderFollower(ack=ack, clients=1))
    if states is None:
        assert result.exit_code == 1 and result.verdict("durable") is Verdict.VIOLATED
    else:
        result.assert_ok()
        assert result.stats.distinct == states


def test_semi_sync_survives_one_crash_with_three_operations():
    """One client writing, reading and writing again: 376 states, every property and witness holds."""
    result = check(LeaderFollower(ack="semi-sync", clients=1, ops=3))
    result.assert_ok()
    assert result.stats.distinct == 376


def test_async_loses_an_acknowledged_write_at_failover():
    """The leader acknowledges at once and crashes before any follower has the write (5 steps)."""
    result = check(LeaderFollower(ack="async"))
    assert result.exit_code == 1 and result.stats.distinct == 305
    result.assert_discovery("durable", [*WRITE, ACK, "crash(node=n0)", "timeout(node=n1, timer='failover')"])
    assert result["durable"].explanation == LOST.format("n1", "n0 (down) and a Replicate in flight to n2")


@pytest.mark.parametrize("condition", ["linearizable", "read_your_writes"])
def test_async_loss_shows_in_a_read_at_the_new_leader(condition):
    """The client learns of the new leader and reads the initial value back (9 steps)."""
    prop = check(LeaderFollower(ack="async", clients=1), properties=[condition])[condition]
    assert prop.verdict is Verdict.VIOLATED
    assert prop.trace.labels() == [*WRITE, ACK, "crash(node=n0)", "timeout(node=n1, timer='failover')",
                                   "deliver(src=n1, dst=n3, msg=NewLeader(epoch=1))", "timeout(node=n3, timer='op')",
                                   "deliver(src=n3, dst=n1, msg=Read())", "deliver(src=n1, dst=n3, msg=ReadOk(value=0, epoch=1))"]


def test_follower_reads_are_stale_even_with_sync_acks():
    """The follower has acknowledged the write but not applied it: n3 reads 0 after its write of 31 (10 steps)."""
    result = check(LeaderFollower(reads="follower"), stop_on_first_violation=False, properties=["linearizable", "read_your_writes"])
    for name in ("linearizable", "read_your_writes"):
        assert result.verdict(name) is Verdict.VIOLATED
        labels = result[name].trace.labels()
        assert len(labels) == 10 and labels[-1] == "deliver(src=n1, dst=n3, msg=ReadOk(value=0, epoch=0))"
        assert "deliver(src=n0, dst=n3, msg=WriteOk(value=31))" in labels and "timeout(node=n1, timer='apply')" not in labels
    assert "n3 read -> 0 [2, 3]: refused by the specification there" in result["linearizable"].explanation
    assert "n3 read -> 0 [2, 3] returned the initial value" in result["read_your_writes"].explanation


def test_follower_reads_with_semi_sync():
    """One follower's ack suffices, so the stale read comes sooner (8 steps)."""
    prop = check(LeaderFollower(reads="follower", ack="semi-sync"))["linearizable"]
    assert prop.verdict is Verdict.VIOLATED
    assert prop.trace.labels() == [*WRITE, *REPLICATED_TO_N1, ACK, "timeout(node=n3, timer='op')",
                                   "deliver(src=n3, dst=n1, msg=Read())", "deliver(src=n1, dst=n3, msg=ReadOk(value=0, epoch=0))"]


def test_semi_sync_needs_the_newest_follower_promoted():
    """--promote any: n1 acknowledged the write, the leader crashes, and n2, without it, is promoted (7 steps)."""
    result = check(LeaderFollower(ack="semi-sync", promote="any"))
    result.assert_discovery("durable", [*WRITE, *REPLICATED_TO_N1, ACK, "crash(node=n0)", "timeout(node=n2, timer='failover')"])
    assert result["durable"].explanation == LOST.format("n2", "n0 (down) and n1")


def test_sync_promotes_any_follower_safely():
    """Every follower has every committed write, so promoting any of them loses nothing (one client, 120 states)."""
    result = check(LeaderFollower(promote="any", clients=1))
    result.assert_ok()
    assert result.stats.distinct == 120


def test_two_crashes_sync_survives_them_semi_sync_does_not():
    """crash=2: sync holds (one client, 414 states); semi-sync loses the write when the follower that
    acknowledged it crashes with the leader (8 steps)."""
    result = check(LeaderFollower(clients=1, faults="crash=2"))
    result.assert_ok()
    assert result.stats.distinct == 414
    result = check(LeaderFollower(ack="semi-sync", clients=1, faults="crash=2"))
    result.assert_discovery("durable", [*WRITE, *REPLICATED_TO_N1, ACK, "crash(node=n0)", "crash(node=n1)",
                                        "timeout(node=n2, timer='failover')"])


def test_symmetry_between_followers_keeps_every_verdict():
    """Leader reads: the followers are interchangeable (one client: 120 states with symmetry, 209 without)."""
    on, off = (check(LeaderFollower(clients=1, symmetry=flag)) for flag in (True, False))
    assert (on.stats.distinct, off.stats.distinct) == (120, 209)
    assert [p.verdict for p in on.properties] == [p.verdict for p in off.properties]


@pytest.mark.parametrize(("options", "message"), [
    (dict(ack="quorum"), "must be one of sync, semi-sync, async"),
    (dict(faults="restart=1"), "names restart, which leader-follower does not model"),
    (dict(ops=1), "ops"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(OptionError, match=message):
        LeaderFollower(**options)


def test_the_swarm_grid_builds():
    """Every configuration of `check leader-follower --swarm` is a valid model."""
    assert all(LeaderFollower(**options) for options in LeaderFollower.swarm_grid())
