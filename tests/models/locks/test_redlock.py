"""redlock: pinned figures, the time abstraction (no lease runs out without a fault), each hazard's and
each bug's shortest trace, and the pause and the skew drawn as steps of their own in the chart."""
import pytest

from checker import Verdict, check
from checker.actors.faults import FaultBudget
from checker.faces.charts import chart
from checker.faces.trace_view import roles
from models.locks.redlock import Redlock


def set_(client, server, attempt=1, value=None):
    """The label of a SET delivered to a server."""
    value = value or f"Token(client={client}, attempt={attempt})"
    return f"deliver(src={client}, dst={server}, msg=Set(value={value}, attempt={attempt}))"


def reply(server, client, ok, attempt=1):
    """The label of a server's answer delivered to a client."""
    return f"deliver(src={server}, dst={client}, msg=Reply(attempt={attempt}, ok={ok}))"


N3_LOCKS = ["timeout(node=n3, timer='acquire')", set_("n3", "n0"), reply("n0", "n3", True), set_("n3", "n1"),
            reply("n1", "n3", True)]


def test_the_defaults_are_what_redlock_claims_to_tolerate():
    """crash=1,restart=1,drop=1 and one attempt; seed-acquire needs no fault and two attempts."""
    assert (Redlock().faults, Redlock().attempts) == (FaultBudget(crash=1, restart=1, drop=1), 1)
    assert (Redlock(bug="seed-acquire").faults, Redlock(bug="seed-acquire").attempts) == (FaultBudget(), 2)


def test_without_faults_everything_holds_and_no_lease_ever_runs_out():
    """385 states, depth 25; every state reached: no server's lease expired (a working holder outlives it)."""
    model = Redlock(faults="none")
    result = check(model)
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (385, 25)
    assert result.verdict("grant_after_expiry") is Verdict.NOT_APPLICABLE
    seen, frontier = set(), list(model.init_states())
    while frontier:
        state = frontier.pop()
        if state not in seen:
            seen.add(state)
            frontier += model.next_states(state)
    assert not any(server.expired for state in seen for server in state.nodes[:3])


def test_a_crash_and_a_restart_are_survived():
    """8,523 states: persisted keys come back (witness), and a crashed holder's lease runs out for the next client."""
    result = check(Redlock(faults="crash=1,restart=1"))
    result.assert_ok()
    assert result.stats.distinct == 8523
    assert len(result["key_survived_restart"].trace) == 4 and len(result["grant_after_expiry"].trace) == 9
    assert len(result["majority_failed"].trace) == 9 and len(result["write_accepted"].trace) == 7


def test_a_lost_message_is_survived_and_a_lease_runs_out_after_it():
    """drop=1: 3,084 states; grant_after_expiry needs any fault but a restart, a loss among them."""
    result = check(Redlock(faults="drop=1"))
    result.assert_ok()
    assert result.stats.distinct == 3084 and len(result["grant_after_expiry"].trace) == 14


SKEW = [*N3_LOCKS, "timeout_early(node=n0, timer='lease')", "timeout(node=n4, timer='acquire')", set_("n4", "n0"),
        reply("n0", "n4", True), set_("n4", "n1"), reply("n1", "n4", False), set_("n4", "n2"), reply("n2", "n4", True)]
PAUSE = [*N3_LOCKS, "pause(node=n3)", "timeout(node=n0, timer='lease')", "timeout(node=n1, timer='lease')",
         "timeout(node=n4, timer='acquire')", set_("n4", "n0"), reply("n0", "n4", True), set_("n4", "n1"), reply("n1", "n4", True)]


@pytest.mark.parametrize(("faults", "steps", "mark", "why"), [
    ("skew=1", SKEW, "[timer (early) lease]",
     "n3 (attempt 1, OK from {n0, n1}) and n4 (attempt 1, OK from {n0, n2}) both believe they hold the lock; "
     "the servers' keys: n0 n4#1, n1 n3#1, n2 n4#1"),
    ("pause=1", PAUSE, "[pause]",
     "n3 (attempt 1, OK from {n0, n1}, paused) and n4 (attempt 1, OK from {n0, n1}) both believe they hold the lock; "
     "the servers' keys: n0 n4#1, n1 n4#1, n2 None"),
])
def test_a_fast_clock_or_a_pause_lets_two_clients_believe_they_hold_the_lock(faults, steps, mark, why):
    """13 steps each: n3 locks n0 and n1; n0's key expires early (skew) or both expire under the paused n3; n4 locks a majority."""
    model = Redlock(faults=faults)
    result = check(model)
    assert result.exit_code == 1
    result.assert_discovery("exclusive", steps)
    assert result["exclusive"].explanation == why
    assert mark in chart(result["exclusive"].trace, roles(model), width=200)


def test_the_paused_holder_also_gets_its_stale_write_accepted():
    """pause=1, resource_safe alone (18 steps): the paused n3 wakes and writes after n4 did (no fencing token to refuse it)."""
    prop = check(Redlock(faults="pause=1"), properties=["resource_safe"])["resource_safe"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 18
    assert prop.trace.labels()[:13] == PAUSE and prop.trace.labels()[-3:] == [
        "resume(node=n3)", "timeout(node=n3, timer='work')", "deliver(src=n3, dst=n5, msg=Write(attempt=1))"]
    assert prop.explanation == "the storage accepted the write of n3#1 (grant 1) after the write of n4#1 (grant 2)"


def test_a_duplicated_write_lands_after_the_lock_moved_on():
    """duplicate=1: n3's write is repeated in the network and the copy arrives after n4's write (19 steps)."""
    prop = check(Redlock(faults="duplicate=1"))["resource_safe"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 19
    assert prop.trace.labels()[7] == "duplicate(src=n3, dst=n5, msg=Write(attempt=1))"
    assert prop.trace.labels()[-1] == "deliver(src=n3, dst=n5, msg=Write(attempt=1))"


SEED = [*(step.replace("Token(client=n3, attempt=1)", "'locked'") for step in N3_LOCKS), "timeout(node=n4, timer='acquire')",
        set_("n4", "n0", value="'locked'"), reply("n0", "n4", False), set_("n4", "n1", value="'locked'"), reply("n1", "n4", False),
        "deliver(src=n4, dst=n0, msg=Release(value=None))", "deliver(src=n4, dst=n1, msg=Release(value=None))",
        "timeout(node=n4, timer='acquire')", set_("n4", "n0", 2, "'locked'"), reply("n0", "n4", True, 2),
        set_("n4", "n1", 2, "'locked'"), reply("n1", "n4", True, 2)]


def test_the_seeds_acquire_deletes_the_holders_keys():
    """seed-acquire at its defaults: n4 fails, DELs n3's keys on n0 and n1, and its retry locks them (17 steps)."""
    result = check(Redlock(bug="seed-acquire"))
    assert result.exit_code == 1 and result.stats.distinct == 2800
    result.assert_discovery("exclusive", SEED)


def test_servers_without_persistence_forget_a_key_the_holder_counts_on():
    """volatile-keys: n1 crashes and restarts empty while n3 holds {n0, n1}; n4 locks n1 and n2 (14 steps)."""
    prop = check(Redlock(bug="volatile-keys", faults="crash=1,restart=1"))["exclusive"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 14
    assert prop.trace.labels()[7:9] == ["crash(node=n1)", "restart(node=n1)"]
    assert prop.explanation.endswith("the servers' keys: n0 n3#1, n1 n4#1, n2 n4#1")


def test_the_swarm_grid_builds():
    """Every configuration of `check redlock --swarm` is a valid model."""
    assert all(Redlock(**options) for options in Redlock.swarm_grid())
