"""Lock ordering: figures at the defaults, the deadlock of the opposite order with its shortest trace,
every verdict, the starvation a weakly fair wake allows and what rules it out (strong fairness, FIFO)."""
from typing import ClassVar

import pytest

from checker import Kind, StopReason, UsageError, Verdict, check
from models.locks.lock_ordering import LockOrdering

ACQUIRES = ["p0_acquires", "p1_acquires", "p2_acquires"]
DEADLOCK = ["acquire(p=0, lock='A')", "acquire(p=1, lock='B')", "acquire(p=0, lock='B')",
            "acquire(p=2, lock='C')", "acquire(p=1, lock='C')", "acquire(p=2, lock='A')"]


class WeakWake(LockOrdering):
    """Lock ordering with every action weakly fair, the waiters' wake included."""

    fairness: ClassVar[dict[str, str]] = {}


def verdicts(result):
    """Each property's verdict, by name."""
    return {p.name: p.verdict for p in result.properties}


def test_defaults_hold_with_their_figures():
    """3 processes, 3 locks in a ring, 2 each, repeating forever: 60 states, every property HOLDS."""
    model = LockOrdering()
    assert [model.order(p) for p in model.P] == [(0, 1), (1, 2), (0, 2)]  # p2 takes A before C: the global order
    assert LockOrdering.fairness == {"wake": "strong"}
    result = check(model)
    result.assert_ok()
    assert result.stop is StopReason.EXHAUSTED
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (60, 146, 9)
    assert verdicts(result) == dict.fromkeys(["mutual_exclusion", "no_wait_cycle", "contention", "wait_chain",
                                              *ACQUIRES, "deadlock_free"], Verdict.HOLDS)
    assert {result[name].kind for name in ACQUIRES} == {Kind.LEADS_TO}
    assert result["p0_acquires"].note == "on every fair run"


def test_witnesses_are_reached_by_shortest_traces():
    """A process blocks on a lock another holds; a chain of two waits (p2 -> p0 -> p1), never a cycle."""
    result = check(LockOrdering())
    result.assert_discovery("contention", ["acquire(p=0, lock='A')", "acquire(p=2, lock='A')"])
    result.assert_discovery("wait_chain", ["acquire(p=0, lock='A')", "acquire(p=1, lock='B')",
                                           "acquire(p=0, lock='B')", "acquire(p=2, lock='A')"])
    assert LockOrdering().waits_for(result["wait_chain"].trace.last) == {0: 1, 2: 0}


def test_finite_rounds_finish_and_may_stop():
    """rounds=1: every process finishes (a legitimate end, not a deadlock), eventually on every fair run."""
    result = check(LockOrdering(rounds=1))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (94, 167, 10)
    assert result["every_process_finishes"].kind is Kind.EVENTUALLY
    assert verdicts(result)["every_process_finishes"] is Verdict.HOLDS
    result.assert_discovery("all_finished", [
        "acquire(p=0, lock='A')", "acquire(p=0, lock='B')", "release(p=0)", "acquire(p=1, lock='B')",
        "acquire(p=1, lock='C')", "acquire(p=2, lock='A')", "release(p=1)", "acquire(p=2, lock='C')", "release(p=2)"])
    assert LockOrdering(rounds=1).may_stop(result["all_finished"].trace.last)


def test_properties_follow_the_configuration():
    """Finishing is judged only with rounds; a wait chain only with three processes and an open ring; pN_acquires per process."""
    assert "all_finished" not in {p.name for p in LockOrdering().properties()}
    names = [p.name for p in LockOrdering(processes=2, locks=2).properties()]
    assert names == ["mutual_exclusion", "no_wait_cycle", "contention", "p0_acquires", "p1_acquires"]
    result = check(LockOrdering(processes=2, locks=2))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (11, 5)
    with pytest.raises(UsageError, match="all_finished"):
        check(LockOrdering(), properties=["all_finished"])


def test_opposite_order_deadlocks_in_six_steps():
    """The dining philosophers: each holds its first lock and blocks on the next one's; exit 1, the cycle named."""
    result = check(LockOrdering(bug="opposite-order"))
    assert result.exit_code == 1
    assert [p.name for p in result.violations] == ["no_wait_cycle"]
    result.assert_discovery("no_wait_cycle", DEADLOCK)
    assert result["no_wait_cycle"].explanation == ("deadlock: p0 waits for B, held by p1; p1 waits for C, held by p2; "
                                                   "p2 waits for A, held by p0")
    assert list(LockOrdering(bug="opposite-order").successors(result["no_wait_cycle"].trace.last)) == []


def test_opposite_order_judged_on_everything():
    """Searching on: the deadlock check fails at the same state, and every process starves there forever."""
    result = check(LockOrdering(bug="opposite-order"), stop_on_first_violation=False)
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (75, 187, 10)
    assert verdicts(result) == {"mutual_exclusion": Verdict.HOLDS, "no_wait_cycle": Verdict.VIOLATED,
                                "contention": Verdict.HOLDS, "wait_chain": Verdict.HOLDS,
                                **dict.fromkeys(ACQUIRES, Verdict.VIOLATED), "deadlock_free": Verdict.VIOLATED}
    result.assert_discovery("deadlock_free", DEADLOCK)
    prop = result["p2_acquires"]
    assert (len(prop.trace), prop.trace.loop_start, prop.trace.stays_forever) == (6, 6, True)
    assert prop.explanation == "p2 never holds all of C, A: it is in the wait-for cycle p0 -> p1 -> p2 -> p0"


def test_two_processes_deadlock_in_four_steps():
    """The classic: p0 takes A, p1 takes B, then each blocks on the other's."""
    result = check(LockOrdering(processes=2, locks=2, bug="opposite-order"), stop_on_first_violation=False)
    trace = ["acquire(p=0, lock='A')", "acquire(p=1, lock='B')", "acquire(p=0, lock='B')", "acquire(p=1, lock='A')"]
    result.assert_discovery("no_wait_cycle", trace)
    result.assert_discovery("deadlock_free", trace)
    assert result["no_wait_cycle"].explanation == "deadlock: p0 waits for B, held by p1; p1 waits for A, held by p0"
    assert {result.verdict(name) for name in ACQUIRES[:2]} == {Verdict.VIOLATED}


def test_the_bug_needs_the_ring_to_close():
    """Two locks each and more locks than processes: the last process shares one lock, no cycle, a checked HOLDS."""
    check(LockOrdering(processes=2, locks=3, bug="opposite-order")).assert_ok()


def test_weakly_fair_wake_lets_a_waiter_starve():
    """Weak fairness only: p0 waits for A while p1 takes it, works, releases and takes it again, forever."""
    result = check(WeakWake(processes=2, locks=2), properties=["p0_acquires"])
    prop = result["p0_acquires"]
    assert prop.verdict is Verdict.VIOLATED
    assert prop.trace.labels() == ["acquire(p=1, lock='A')", "acquire(p=0, lock='A')",
                                   "acquire(p=1, lock='B')", "release(p=1)", "acquire(p=1, lock='A')"]
    assert (len(prop.trace), prop.trace.loop_start, prop.trace.stays_forever) == (5, 2, False)
    assert prop.note == ("a fair run of 5 steps that repeats steps 3..5 forever (loops back to step 2); "
                         "p holds at step 0, q never after")
    assert prop.explanation == "p0 never holds all of A, B: it waits for A, held by p1"
    freed = prop.trace.steps[4].state  # after p1's release: p0's wake is enabled here, and only here
    assert freed.holder == (None, None) and WeakWake(processes=2, locks=2).wake(freed, 0, "A") is not None


def test_default_ring_starves_under_weak_fairness_too():
    """Every process of the default ring can starve when wake is only weakly fair."""
    result = check(WeakWake(), properties=ACQUIRES)
    assert {result.verdict(name) for name in ACQUIRES} == {Verdict.VIOLATED}


@pytest.mark.parametrize(("options", "distinct"), [({"grant": "fifo"}, 77), ({"rounds": 2}, 601)], ids=["fifo", "rounds-2"])
def test_what_rules_starvation_out_without_strong_fairness(options, distinct):
    """Weak fairness suffices with FIFO grants (a free lock's first waiter alone may take it) or finite rounds (no cycle)."""
    result = check(WeakWake(**options))
    result.assert_ok()
    assert result.stats.distinct == distinct


def test_fifo_queues_newcomers_behind_waiters():
    """Under fifo a caller finding a free lock with waiters queues behind them, and only the first is woken."""
    model = LockOrdering(processes=3, locks=2, grant="fifo")
    s = model.init().evolve(waiters=((2, 1), ()))  # A free, p2 then p1 waiting for it
    assert model.acquire(s, 0, "A").waiters == ((2, 1, 0), ())
    assert model.wake(s, 1, "A") is None
    woken = model.wake(s, 2, "A")
    assert (woken.holder, woken.waiters, woken.pc) == ((2, None), ((1,), ()), (0, 0, 1))
    assert LockOrdering(processes=3, locks=2).acquire(s, 0, "A").holder == (0, None)  # barging under grant any


def test_mutual_exclusion_explains_a_shared_lock():
    """A state where two processes believe they hold A violates mutual_exclusion, and says so."""
    model = LockOrdering()
    shared = model.init().evolve(pc=(1, 0, 1))
    prop = next(p for p in model.properties() if p.name == "mutual_exclusion")
    assert not prop.check(shared) and prop.explanation(shared) == "lock A is held by p0 and p2"


@pytest.mark.parametrize("options", [{"span": 4}, {"span": 1}, {"processes": 6}, {"rounds": 3}, {"grant": "lifo"},
                                     {"bug": "anything"}])
def test_bad_options_are_refused(options):
    """More locks per process than there are, fewer than two, too many processes or rounds, an unknown grant or bug."""
    with pytest.raises(UsageError):
        LockOrdering(**options)
