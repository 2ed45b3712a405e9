"""The Redis lock (models/locks/redis_lock.py): the safe design holds under crashes, the seed's lock and a
pause past the lease are caught, each with its shortest trace, and every witness is reached."""
import pytest

from checker import StopReason, Verdict, check
from checker.errors import OptionError
from models.locks.redis_lock import CRASHED, DONE, HOLDS, WANTS, WROTE, RedisLock

WITNESSES = {"every_write_accepted": 9, "acquired_after_expiry": 4, "late_release": 5, "acquired_after_crash": 4}

# The seed's lock, no fault needed: c0's lease runs out after its write, before its release; c1
# acquires; c0's DEL deletes c1's lock. Five steps, and no fewer: c0 must acquire, write (a release
# comes after the work) and release, its lease must run out, and c1 must acquire in between.
SEED_DEL = ["acquire(client=0)", "write(client=0)", "expire()", "acquire(client=1)", "release(client=0)"]
SEED_TWO_HOLDERS = SEED_DEL + ["acquire(client=2)"]  # c1 and c2 both at work under the lock
SEED_STALE_WRITE = SEED_TWO_HOLDERS + ["write(client=2)", "write(client=1)"]  # grant 2's write after grant 3's

# The safe design under one pause: c0 pauses at work, its lease runs out, c1 acquires.
PAUSE_TWO_HOLDERS = ["acquire(client=0)", "pause(client=0)", "expire()", "acquire(client=1)"]
PAUSE_STALE_WRITE = PAUSE_TWO_HOLDERS + ["write(client=1)", "resume(client=0)", "write(client=0)"]


def test_declared_bugs_and_defaults():
    assert set(RedisLock.bugs) == {"seed-lock"}
    model = RedisLock()
    assert (model.clients, str(model.faults)) == (3, "crash=1")


def test_the_safe_design_holds_under_a_crash():
    """`check redis-lock`: every property holds, exhaustively, and every witness is reached with its shortest trace."""
    result = check(RedisLock())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth, result.stop) == (1_096, 13, StopReason.EXHAUSTED)
    assert {p.name: len(p.trace) for p in result.properties if p.kind.value == "sometimes" and p.trace} == WITNESSES
    assert result.verdict("resumed_after_expiry") is Verdict.NOT_APPLICABLE  # needs a pause, which the default leaves out


def test_the_seed_lock_deletes_another_clients_lock():
    """--bug seed-lock at its defaults: a release deletes the next holder's lock, in 5 steps."""
    result = check(RedisLock(bug="seed-lock"))
    assert result.exit_code == 1 and result.stop is StopReason.FIRST_VIOLATION
    result.assert_discovery("release_own_lock", SEED_DEL)
    assert result["release_own_lock"].explanation == "c0's release deleted c1's lock (grant 2); c0 (grant 1, lease expired) had lost the lock"
    end = result["release_own_lock"].trace.steps[-1].state
    assert (end.lock, end.status) == (None, (DONE, HOLDS, WANTS))


def test_then_two_holders_and_a_stale_write():
    """After the seed's DEL a third client acquires while c1 works (6 steps), and the storage takes
    c1's write after c2's (8 steps)."""
    result = check(RedisLock(bug="seed-lock"), stop_on_first_violation=False)
    assert result.stats.distinct == 1_552
    result.assert_discovery("exclusive", SEED_TWO_HOLDERS)
    result.assert_discovery("resource_safe", SEED_STALE_WRITE)
    assert result["exclusive"].explanation == "c1 (grant 2) and c2 (grant 3) both believe they hold the lock, their write to do"
    assert result["resource_safe"].explanation == "the storage accepted c1's write under grant 2 after c2's under grant 3"


def test_the_same_steps_are_safe_with_the_token():
    """The seed's five steps in the safe design: c0's compare-and-delete finds c1's token and leaves the lock."""
    model, state = RedisLock(), RedisLock().init()
    for label in SEED_DEL:
        state = next(nxt for step, nxt in model.successors(state) if str(step) == label)
    assert (state.lock, state.status, state.granted) == ("t2", (DONE, HOLDS, WANTS), (0, 1))


def test_a_pause_past_the_lease_breaks_the_safe_design():
    """--faults pause=1: c0, paused at work, still believes it holds the lock when c1 acquires (4
    steps); later it resumes and writes under its expired grant after c1's write (7 steps)."""
    result = check(RedisLock(faults="pause=1"), stop_on_first_violation=False)
    assert result.exit_code == 1
    result.assert_discovery("exclusive", PAUSE_TWO_HOLDERS)
    assert result["exclusive"].explanation == ("c0 (grant 1, paused, lease expired) and c1 (grant 2) both believe "
                                               "they hold the lock, their write to do")
    result.assert_discovery("resource_safe", PAUSE_STALE_WRITE)
    assert result["resource_safe"].explanation == "the storage accepted c0's write under grant 1 after c1's under grant 2"
    assert result.verdict("release_own_lock") is Verdict.HOLDS  # the token still protects the next holder's lock
    assert len(result["resumed_after_expiry"].trace) == 5
    assert result.stats.distinct == 1_912


def test_the_first_violation_under_a_pause_is_the_two_holders():
    result = check(RedisLock(faults="pause=1"))
    assert result.stop is StopReason.FIRST_VIOLATION and result.violations[0].name == "exclusive"
    assert len(result["exclusive"].trace) == 4


@pytest.mark.parametrize("options", [dict(clients=2, faults="none"), dict(clients=2, faults="crash=2"), dict(faults="crash=2")])
def test_other_correct_configurations_hold(options):
    """A few of the swarm's configurations (`check redis-lock --swarm` runs them all, up to 4 clients)."""
    assert check(RedisLock(**options)).exit_code == 0


def test_a_crashed_holders_lease_lets_the_next_client_in():
    """The witness of the crash the design tolerates: c0 crashes holding the lock, it expires, c1 acquires."""
    trace = check(RedisLock(), properties=["acquired_after_crash"])["acquired_after_crash"].trace
    assert trace.labels() == ["acquire(client=0)", "crash(client=0)", "expire()", "acquire(client=1)"]
    assert trace.steps[-1].state.status == (CRASHED, HOLDS, WANTS)


def test_expiry_waits_for_the_holder_to_stop_working():
    """The time abstraction: the lease does not run out while its holder works unpaused."""
    model = RedisLock()
    acquired = model.acquire(model.init(), 0)
    assert model.expire(acquired) is None
    assert model.expire(model.write(acquired, 0)).lock is None
    assert model.write(acquired, 0).status[0] == WROTE


def test_faults_the_model_does_not_know_are_refused():
    with pytest.raises(OptionError, match="drop"):
        RedisLock(faults="drop=1")
    with pytest.raises(OptionError):
        RedisLock(clients=1)
