"""fencing: pinned figures, the resource safe under pauses, fast clocks and leases that run out at any
moment, mutual exclusion of beliefs not promised (only when named), and the seed's per-process token's
shortest traces, with the storage's `<` and the seed's `<=`."""
import pytest

from checker import Verdict, check
from checker.faces.charts import chart
from checker.faces.trace_view import roles
from models.locks.fencing import Fencing

WITNESSES = ("write_accepted", "two_believers", "stale_write_rejected", "grant_after_expiry")


def acquires(client, grant):
    """The labels of `client` asking for the lock and being granted `grant`."""
    return [f"timeout(node={client}, timer='acquire')", f"deliver(src={client}, dst=n0, msg=Acquire())",
            f"deliver(src=n0, dst={client}, msg=Granted(grant={grant}))"]


def writes(client, token, grant):
    """The labels of `client` doing its work: its write with `token` arriving at the storage."""
    return [f"timeout(node={client}, timer='work')", f"deliver(src={client}, dst=n3, msg=Write(token={token}, grant={grant}))"]


def test_the_default_budget_is_survived_and_every_witness_is_reached():
    """crash, restart, drop, pause and skew: 13,126 states, depth 20; a stale write is rejected in 11 steps."""
    result = check(Fencing())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (13126, 20)
    assert {name: len(result[name].trace) for name in WITNESSES} == {
        "write_accepted": 5, "two_believers": 7, "stale_write_rejected": 11, "grant_after_expiry": 5}
    assert "exclusive" not in [p.name for p in result.properties]


def test_without_faults_no_lease_runs_out_and_the_witnesses_that_need_one_do_not_apply():
    """35 states: the lease outlives a working holder, so only a write is witnessed."""
    result = check(Fencing(faults="none"))
    result.assert_ok()
    assert result.stats.distinct == 35
    assert [result.verdict(name) for name in WITNESSES] == [Verdict.HOLDS] + [Verdict.NOT_APPLICABLE] * 3


def test_fencing_needs_no_timing_assumption():
    """--expiry anytime, no fault: leases run out under working holders, two believe at once, the storage stays safe."""
    result = check(Fencing(expiry="anytime", faults="none"))
    result.assert_ok()
    assert result.stats.distinct == 144 and len(result["stale_write_rejected"].trace) == 11


@pytest.mark.parametrize(("faults", "states", "fault_step"), [(None, 1638, "timeout_early(node=n0, timer='lease')"),
                                                             ("pause=1", 155, "pause(node=n1)")])
def test_exclusive_beliefs_are_not_promised_and_checked_only_when_named(faults, states, fault_step):
    """--property exclusive: a fast clock (7 steps) or a pause (8) leaves n1 believing while n2 holds grant 2."""
    result = check(Fencing(**({"faults": faults} if faults else {})), properties=["exclusive"])
    prop = result["exclusive"]
    assert prop.verdict is Verdict.VIOLATED and result.stats.distinct == states
    assert prop.trace.labels()[:3] == acquires("n1", 1) and prop.trace.labels()[3] == fault_step
    assert prop.trace.labels()[-3:] == acquires("n2", 2)[-3:]
    assert prop.explanation.endswith("both believe they hold the lock: fencing protects the resource, not beliefs")


SEED_WHY = ("the storage accepted a write of grant 1 with token 1 after one of grant 2 with token 1: tokens that do "
            "not grow with the grants cannot fence")


def test_the_seeds_token_lets_a_stale_write_through_at_the_defaults():
    """seed-token: n1's lease runs out early (skew), n2 writes with its own token 1, then n1's token 1 is accepted (11 steps)."""
    result = check(Fencing(bug="seed-token"))
    assert result.exit_code == 1 and result.stats.distinct == 6615
    result.assert_discovery("resource_safe", [*acquires("n1", 1), "timeout_early(node=n0, timer='lease')", writes("n1", 1, 1)[0],
                                              *acquires("n2", 2), *writes("n2", 1, 2), writes("n1", 1, 1)[1]])
    assert result["resource_safe"].explanation == SEED_WHY


def test_the_seeds_token_after_a_gc_pause():
    """--faults pause=1: Kleppmann's story in 13 steps, the pause and the resume each a step of the chart."""
    model = Fencing(bug="seed-token", faults="pause=1")
    result = check(model)
    result.assert_discovery("resource_safe", [*acquires("n1", 1), "pause(node=n1)", "timeout(node=n0, timer='lease')",
                                              *acquires("n2", 2), *writes("n2", 1, 2), "resume(node=n1)", *writes("n1", 1, 1)])
    drawn = chart(result["resource_safe"].trace, roles(model), width=200)
    assert "[pause]" in drawn and "[resume]" in drawn


def test_rejecting_equal_tokens_too_does_not_save_the_seeds_token():
    """--reject-equal (the seed's `<=`), two tries: n2 draws token 2 on a refused try, n1's counter restarts at 1
    after a crash, and grant 2's token 2 is accepted after grant 3's token 1 (19 steps)."""
    result = check(Fencing(bug="seed-token", reject_equal=True, attempts=2, faults="crash=1,restart=1,skew=1"))
    prop = result["resource_safe"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 19
    assert prop.trace.labels()[4:6] == ["deliver(src=n0, dst=n2, msg=Refused())", "crash(node=n1)"]
    assert prop.explanation == ("the storage accepted a write of grant 2 with token 2 after one of grant 3 with token 1: "
                                "tokens that do not grow with the grants cannot fence")


def test_the_correct_tokens_hold_with_the_seeds_storage_check_too():
    """Tokens from the service are never shared between grants, so `<=` and `<` agree: two tries, a pause, safe."""
    result = check(Fencing(reject_equal=True, attempts=2, faults="pause=1"))
    result.assert_ok()
    assert result.stats.distinct == 535


def test_the_swarm_grid_builds():
    """Every configuration of `check fencing --swarm` is a valid model."""
    assert all(Fencing(**options) for options in Fencing.swarm_grid())
