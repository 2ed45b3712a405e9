"""cap: pinned figures; CP linearizable and available on the majority side of a partition, refusing the
minority; AP answering everyone and breaking linearizability under a partition only; the refusal that
is not certain (refuse-after-store); availability lost to early timeouts."""
import pytest

from checker import Verdict, check
from checker.errors import OptionError
from models.replication.cap import Cap

WITNESSES = ("minority_refused", "write_during_partition", "minority_caught_up", "read_sees_write")
V0 = "Version(count=0, writer=None)"
V1 = "Version(count=1, writer=n0)"


def write_round(*, query_to="n1", store_to="n2"):
    """n0's write of 1: the query answered by one replica, the store by one (a majority with n0 itself)."""
    return ["timeout(node=n0, timer='write')", f"deliver(src=n0, dst={query_to}, msg=Query(req=1))",
            f"deliver(src={query_to}, dst=n0, msg=Reply(req=1, version={V0}, value=0))",
            f"deliver(src=n0, dst={store_to}, msg=Store(req=1, version={V1}, value=1))"]


@pytest.fixture(scope="module")
def defaults():
    """`check cap` at its defaults, searched once for the tests that read it."""
    return check(Cap())


def test_cp_at_the_defaults_is_linearizable_and_available_on_the_majority_side(defaults):
    """3 replicas, clients on n0 (a write) and n1 (a read), partition=1: 10,701 states, every witness reached."""
    result = defaults
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (10701, 17)
    assert result.verdict("majority_side_available") is Verdict.HOLDS
    assert {name: len(result[name].trace) for name in WITNESSES} == {
        "minority_refused": 3, "write_during_partition": 8, "minority_caught_up": 10, "read_sees_write": 7}
    names = [p.name for p in result.properties]
    assert "all_sides_available" not in names and "minority_answered" not in names


def test_the_witnesses_tell_the_partition_story(defaults):
    """n0 is refused alone; n1 is cut off and refused while n0 and n2 answer a write; after the heal n1 gets it."""
    result = defaults
    assert result["minority_refused"].trace.labels() == [
        "timeout(node=n0, timer='write')", "partition(side=(n0,))", "timeout(node=n0, timer='timeout')"]
    assert result["write_during_partition"].trace.labels() == [
        *write_round(), "timeout(node=n1, timer='read')", "partition(side=(n0, n2))", "timeout(node=n1, timer='timeout')",
        "deliver(src=n2, dst=n0, msg=Stored(req=1))"]
    assert result["minority_caught_up"].trace.labels()[-3:] == [
        "timeout(node=n1, timer='timeout')", "heal()", f"deliver(src=n0, dst=n1, msg=Store(req=1, version={V1}, value=1))"]


def test_cp_refuses_the_minority_so_availability_on_both_sides_fails():
    """--property all_sides_available: n0, alone on its side, is refused in 3 steps, the refusal last."""
    result = check(Cap(), properties=["all_sides_available"])
    prop = result["all_sides_available"]
    assert result.exit_code == 1 and prop.verdict is Verdict.VIOLATED and result.stats.distinct == 55
    assert prop.trace.labels() == ["timeout(node=n0, timer='write')", "partition(side=(n0,))",
                                   "timeout(node=n0, timer='timeout')"]
    assert prop.explanation == ("n0's write of 1 was refused: n0 cannot reach a majority (partition n0 | n1 n2); "
                                "CP gives up availability to stay consistent")


def test_ap_answers_the_minority_and_is_not_linearizable():
    """--mode ap: n0, cut off, writes 1 into its own copy and answers; n1, on the majority side, then reads 0 (6 steps)."""
    result = check(Cap(mode="ap"))
    prop = result["linearizable"]
    assert result.exit_code == 1 and prop.verdict is Verdict.VIOLATED and result.stats.distinct == 730
    assert prop.trace.labels() == [
        "timeout(node=n0, timer='write')", "partition(side=(n0,))", "timeout(node=n0, timer='timeout')",
        "timeout(node=n1, timer='read')", "deliver(src=n1, dst=n2, msg=Query(req=1))",
        f"deliver(src=n2, dst=n1, msg=Reply(req=1, version={V0}, value=0))"]
    assert prop.trace.steps[-1].state.history[-1].value == 0
    assert "n1 read -> 0 [2, 3]: refused by the specification there" in prop.explanation
    assert result.verdict("minority_answered") is Verdict.HOLDS and len(result["minority_answered"].trace) == 3


def test_ap_without_a_partition_is_linearizable():
    """The modes differ only when a majority is out of reach: with no fault, AP is ABD and linearizable."""
    result = check(Cap(mode="ap", faults="none"))
    result.assert_ok()
    assert result.stats.distinct == 1925
    assert result.verdict("minority_answered") is Verdict.NOT_APPLICABLE


def test_ap_refuses_no_one():
    """AP keeps availability on both sides, the property CP breaks: one client, cut off, is answered from its own copy
    (and alone, it reads its own write: linearizable)."""
    result = check(Cap(mode="ap", clients=1, ops=2), properties=["all_sides_available", "minority_answered", "linearizable"])
    result.assert_ok()
    assert result.stats.distinct == 1462 and len(result["minority_answered"].trace) == 3


def test_refusing_after_the_store_round_began_is_not_linearizable():
    """refuse-after-store: n0's write reaches n1, n1 reads 1, the partition holds n1's ack, and n0 refuses the write."""
    result = check(Cap(bug="refuse-after-store"))
    prop = result["linearizable"]
    assert prop.verdict is Verdict.VIOLATED and result.stats.distinct == 4798
    assert prop.trace.labels() == [
        *write_round(store_to="n1"), "timeout(node=n1, timer='read')", "deliver(src=n1, dst=n0, msg=Query(req=1))",
        f"deliver(src=n0, dst=n1, msg=Reply(req=1, version={V1}, value=1))", "partition(side=(n0,))",
        "timeout(node=n0, timer='timeout')"]
    assert "n1 read -> 1 [1, 2]: refused by the specification there" in prop.explanation
    assert "1 failed" in prop.explanation


def test_an_early_timeout_refuses_the_majority_side():
    """--faults partition=1,skew=1 (one client): n0, with n1 on its side, times out early and is refused; the partition
    never heals, so its request is never answered (a lasso that stays at its last state)."""
    result = check(Cap(clients=1, faults="partition=1,skew=1"), properties=["majority_side_available"])
    prop = result["majority_side_available"]
    assert prop.verdict is Verdict.VIOLATED and result.stats.distinct == 118
    assert prop.trace.labels() == ["partition(side=(n0, n1))", "timeout(node=n0, timer='write')",
                                   "timeout_early(node=n0, timer='timeout')", "deliver(src=n0, dst=n1, msg=Query(req=1))"]
    assert prop.trace.stays_forever
    assert prop.explanation == "on the majority side of the partition n0 n1 | n2, n0 was refused, and the partition never heals"


@pytest.mark.parametrize(("options", "flag"), [(dict(nodes=4), "nodes"), (dict(clients=4), "clients")])
def test_bad_options_are_refused(options, flag):
    """An even replica count has no majority on either side of an even split; clients live on replicas."""
    with pytest.raises(OptionError) as error:
        Cap(**options)
    assert error.value.option == flag
