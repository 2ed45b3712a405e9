"""multi-leader: pinned figures; last-writer-wins converges under loss, duplication, partitions, pauses and
skew; the lost update (only when named), the older write that wins under skew, and replicas that apply
writes in arrival order and never converge, each with its shortest trace and its words."""
import pytest

from checker import Verdict, check
from models.replication.multi_leader import MultiLeader

WITNESSES = ("own_write_overwritten", "concurrent_writes_resolved", "loss_repaired_by_retransmission")
SAFETY_AND_LIVENESS = ("converged_when_quiet", "later_write_wins", "replicas_converge")


def replicate(src, dst, clock, value, over=0):
    """The label of a replicated write arriving."""
    return f"deliver(src={src}, dst={dst}, msg=Replicate(write=Write(clock={clock}, origin={src[1:]}, value={value}, over={over})))"


def acked(src, dst, clock, origin, value, over=0):
    """The label of an acknowledgement arriving."""
    return f"deliver(src={src}, dst={dst}, msg=Acked(write=Write(clock={clock}, origin={origin}, value={value}, over={over})))"


def timer(node, name, early=False):
    return f"timeout{'_early' if early else ''}(node={node}, timer='{name}')"


def test_the_defaults_survive_loss_and_duplication_and_reach_every_witness():
    """drop=1,duplicate=1: 3,469 states, depth 13; a loss repaired by retransmission in 6 steps."""
    result = check(MultiLeader())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (3469, 13)
    assert [result.verdict(name) for name in SAFETY_AND_LIVENESS] == [Verdict.HOLDS] * 3
    assert {name: len(result[name].trace) for name in WITNESSES} == {
        "own_write_overwritten": 4, "concurrent_writes_resolved": 9, "loss_repaired_by_retransmission": 6}
    result.assert_discovery("loss_repaired_by_retransmission", [
        timer("n0", "write"), timer("n0", "ack"), replicate("n0", "n1", 1, 1).replace("deliver", "drop"),
        timer("n0", "resend"), replicate("n0", "n1", 1, 1), acked("n1", "n0", 1, 0, 1)])
    assert "no_lost_update" not in [p.name for p in result.properties]


@pytest.mark.parametrize(("options", "states"), [(dict(faults="none"), 235), (dict(faults="partition=1"), 705),
                                                 (dict(faults="pause=1"), 940)])
def test_other_budgets_hold_too(options, states):
    """No fault, a partition, a pause: every property holds; the retransmission witness needs a loss."""
    result = check(MultiLeader(**options))
    result.assert_ok()
    assert result.stats.distinct == states
    assert result.verdict("loss_repaired_by_retransmission") is Verdict.NOT_APPLICABLE


def test_concurrent_writes_are_resolved_to_one():
    """n1 writes 11 without having seen n0's 1; both cross, both are acknowledged, both replicas keep 11."""
    result = check(MultiLeader(faults="none"))
    result.assert_discovery("concurrent_writes_resolved", [
        timer("n0", "write"), timer("n0", "ack"), timer("n1", "tick"), timer("n1", "write"),
        replicate("n0", "n1", 1, 1), acked("n1", "n0", 1, 0, 1), replicate("n1", "n0", 2, 11),
        acked("n0", "n1", 2, 1, 11), timer("n1", "ack")])


LOST = ("n0's write 1 was acknowledged but no replica holds it: n0 replaced it with 11 @(2, n1), a concurrent write "
        "(made over 0, never having seen 1, and invoked before 1 was acknowledged): last-writer-wins silently "
        "discards one of two concurrent writes")


def test_the_lost_update_is_checked_only_when_named():
    """--property no_lost_update: n0's write is overwritten by n1's concurrent one, then acknowledged (5 steps)."""
    result = check(MultiLeader(), properties=["no_lost_update"])
    assert result.exit_code == 1 and result.stats.distinct == 249
    result.assert_discovery("no_lost_update", [timer("n0", "write"), timer("n1", "tick"), timer("n1", "write"),
                                               replicate("n1", "n0", 2, 11), timer("n0", "ack")])
    assert result["no_lost_update"].explanation == LOST
    history = result["no_lost_update"].trace.last.history
    assert [(e.node, e.kind, e.value) for e in history] == [(0, "invoke", 1), (1, "invoke", 11), (0, "return", 1)]


OVERTAKEN = ("n0's write 1 was invoked after n1's write 11 was acknowledged, but its stamp (1, n0) is older than "
             "(1, n1): n0's clock was behind real time, and last-writer-wins will keep 11 and discard 1")


def test_a_clock_behind_lets_an_older_write_win():
    """--faults skew=1: n1 writes 11 and is acknowledged; n0's clock, behind, stamps its later write older (3 steps)."""
    result = check(MultiLeader(faults="skew=1"))
    assert result.exit_code == 1 and result.stats.distinct == 54
    result.assert_discovery("later_write_wins", [timer("n1", "write"), timer("n1", "ack"), timer("n0", "write", early=True)])
    assert result["later_write_wins"].explanation == OVERTAKEN


def test_skew_breaks_real_time_order_but_not_convergence():
    """LWW still converges with a clock behind: 1,684 states, both convergence properties hold."""
    result = check(MultiLeader(faults="skew=1"), properties=["converged_when_quiet", "replicas_converge"])
    result.assert_ok()
    assert result.stats.distinct == 1684


DIVERGED = "replicas differ: n0 holds 11 @(2, n1); n1 holds 1 @(1, n0)"


def test_applying_writes_in_arrival_order_never_converges():
    """arrival-order: n0's 1 reaches n1 after n1 wrote 11; each replica ends with the other's write (9 steps)."""
    result = check(MultiLeader(bug="arrival-order"))
    assert result.exit_code == 1 and result.stats.distinct == 2945
    result.assert_discovery("converged_when_quiet", [
        timer("n0", "write"), timer("n0", "ack"), timer("n1", "tick"), timer("n1", "write"), replicate("n0", "n1", 1, 1),
        acked("n1", "n0", 1, 0, 1), replicate("n1", "n0", 2, 11), acked("n0", "n1", 2, 1, 11), timer("n1", "ack")])
    assert result["converged_when_quiet"].explanation == f"nothing is in flight, yet {DIVERGED}: they will never agree"


def test_the_liveness_lasso_of_arrival_order_stays_apart_forever():
    """replicas_converge alone, no fault: a fair run of 9 steps that stays where the replicas differ."""
    result = check(MultiLeader(bug="arrival-order", faults="none"), properties=["replicas_converge"])
    prop = result["replicas_converge"]
    assert prop.verdict is Verdict.VIOLATED and result.stats.distinct == 235
    assert prop.trace.stays_forever and len(prop.trace) == 9
    assert prop.trace.labels()[-2:] == [replicate("n0", "n1", 1, 1), acked("n1", "n0", 1, 0, 1)]
    assert prop.explanation == DIVERGED


def test_the_swarm_grid_builds():
    """Every configuration of `check multi-leader --swarm` is a valid model."""
    assert all(MultiLeader(**options) for options in MultiLeader.swarm_grid())
