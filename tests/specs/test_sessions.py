"""Session guarantees (read-your-writes, monotonic reads) on hand-made histories with answers
worked out by hand, the refusals (values written twice, functions other than read/write, get/put),
and against linearizability: a linearizable history keeps both."""
import random
from pathlib import Path

import pytest

from specs.consistency import Event, HistoryError, check_linearizable, object_named, pair, read_history
from specs.consistency.sessions import check_monotonic_reads, check_read_your_writes, check_session

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"


def ops_of(events):
    """The operations of (process, kind, f, value[, key]) tuples in time order."""
    return pair(Event(*event) for event in events)


def both(events, obj="register", initial=None):
    """(read-your-writes result, monotonic-reads result)."""
    ops, spec = ops_of(events), object_named(obj, initial)
    return check_read_your_writes(ops, spec), check_monotonic_reads(ops, spec)


def described(violation):
    return (violation.read.describe(), violation.since.describe(), violation.newer.describe(),
            violation.older.describe() if violation.older is not None else None)


def test_reading_an_older_value_after_ones_own_write_breaks_read_your_writes():
    # p0 writes 1 and completes; p1 then writes 2 and reads 1: write 1 completed before write 2 began
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
              (1, "invoke", "read", None), (1, "ok", "read", 1)]
    ryw, mr = both(events)
    assert not ryw.holds and mr.holds
    assert [described(v) for v in ryw.violations] == [
        ("p1 read -> 1 [4, 5]", "p1 write 2 [2, 3]", "p1 write 2 [2, 3]", "p0 write 1 [0, 1]")]
    assert [op.describe() for op in ryw.violations[0].operations()] == [
        "p0 write 1 [0, 1]", "p1 write 2 [2, 3]", "p1 read -> 1 [4, 5]"]


def test_reading_the_initial_value_after_ones_own_write_breaks_read_your_writes():
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (0, "invoke", "read", None), (0, "ok", "read", None)]
    ryw, mr = both(events)
    assert [described(v) for v in ryw.violations] == [("p0 read -> nil [2, 3]", "p0 write 1 [0, 1]", "p0 write 1 [0, 1]", None)]
    assert mr.holds


def test_a_concurrent_or_unfinished_write_may_be_the_newer_one():
    # write 1 overlaps write 2, so it may come after it: reading 1 after one's own write 2 is allowed
    concurrent = [(0, "invoke", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2), (0, "ok", "write", 1),
                  (1, "invoke", "read", None), (1, "ok", "read", 1)]
    assert all(result.holds for result in both(concurrent))
    # a write that never completed may take effect at any time
    unfinished = [(0, "invoke", "write", 1), (0, "info", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
                  (1, "invoke", "read", None), (1, "ok", "read", 1)]
    assert all(result.holds for result in both(unfinished))


def test_other_processes_writes_do_not_bind_a_reader():
    # p1 writes 2 after p0's write 1; p0 still reads its own 1: allowed by both guarantees
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
              (0, "invoke", "read", None), (0, "ok", "read", 1)]
    assert all(result.holds for result in both(events))


def test_reading_an_older_value_after_a_newer_one_breaks_monotonic_reads():
    # p0 writes 1 then 2; p1 reads 2 then 1
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (0, "invoke", "write", 2), (0, "ok", "write", 2),
              (1, "invoke", "read", None), (1, "ok", "read", 2), (1, "invoke", "read", None), (1, "ok", "read", 1)]
    ryw, mr = both(events)
    assert ryw.holds and not mr.holds
    assert [described(v) for v in mr.violations] == [
        ("p1 read -> 1 [6, 7]", "p1 read -> 2 [4, 5]", "p0 write 2 [2, 3]", "p0 write 1 [0, 1]")]
    # reading them the other way round is fine
    events[5], events[7] = (1, "ok", "read", 1), (1, "ok", "read", 2)
    assert all(result.holds for result in both(events))


def test_monotonic_reads_with_concurrent_writes_holds():
    events = [(0, "invoke", "write", 1), (2, "invoke", "write", 2), (2, "ok", "write", 2), (0, "ok", "write", 1),
              (1, "invoke", "read", None), (1, "ok", "read", 2), (1, "invoke", "read", None), (1, "ok", "read", 1)]
    assert both(events)[1].holds


def test_kv_keys_are_judged_apart():
    # the same values on two keys are fine; going back on key x is a violation naming x
    events = [(0, "invoke", "put", "a", "x"), (0, "ok", "put", "a", "x"), (0, "invoke", "put", "b", "x"),
              (0, "ok", "put", "b", "x"), (0, "invoke", "put", "a", "y"), (0, "ok", "put", "a", "y"),
              (1, "invoke", "get", None, "x"), (1, "ok", "get", "b", "x"), (1, "invoke", "get", None, "y"),
              (1, "ok", "get", "a", "y"), (1, "invoke", "get", None, "x"), (1, "ok", "get", "a", "x")]
    ryw, mr = both(events, "kv")
    assert ryw.holds
    assert [v.read.describe() for v in mr.violations] == ["p1 get 'x' -> 'a' [10, 11]"]


def test_failed_writes_and_indeterminate_reads_are_left_out():
    events = [(0, "invoke", "write", 1), (0, "fail", "write", 1), (1, "invoke", "write", 1), (1, "ok", "write", 1),
              (1, "invoke", "read", None), (1, "info", "read", None)]
    ryw, mr = both(events)
    assert ryw.holds and mr.holds and ryw.failed == 1 and ryw.indeterminate == 1


def test_list_values_are_matched_to_their_writes():
    events = [(0, "invoke", "write", [1, 2]), (0, "ok", "write", [1, 2]), (0, "invoke", "write", [3]),
              (0, "ok", "write", [3]), (0, "invoke", "read", None), (0, "ok", "read", [1, 2])]
    ryw, mr = both(events)
    assert [v.older.describe() for v in ryw.violations] == ["p0 write [1 2] [0, 1]"] and mr.holds


@pytest.mark.parametrize("events, obj, words", [
    ([(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 1), (1, "ok", "write", 1)], "register",
     "writes of unique values: p1 write 1 [2, 3] writes 1, also written by p0 write 1 [0, 1]"),
    ([(0, "invoke", "write", None), (0, "ok", "write", None)], "register", "writes nil, the initial value"),
    ([(0, "invoke", "cas", [None, 1]), (0, "ok", "cas", [None, 1])], "cas-register", "not 'cas'"),
    ([(0, "invoke", "append", "a", "k"), (0, "ok", "append", "a", "k")], "kv", "not 'append'"),
])
def test_histories_the_guarantees_cannot_judge_are_refused(events, obj, words):
    with pytest.raises(HistoryError, match=words.replace("[", r"\[")):
        both(events, obj)


def test_an_unknown_guarantee_is_refused():
    with pytest.raises(HistoryError, match="unknown session guarantee"):
        check_session([], object_named("register"), "writes-follow-reads")


def test_the_etcd_histories_are_refused_their_values_repeat():
    _, ops = read_history((DATA / "etcd" / "etcd_000.log").read_text())
    with pytest.raises(HistoryError):
        check_read_your_writes(ops, object_named("register"))


def test_linearizable_histories_keep_both_guarantees():
    rng, spec, seen = random.Random(11), object_named("register"), set()
    for _ in range(300):
        events, open_ops, value = [], {}, 0
        for _ in range(10):
            process = rng.randrange(3)
            if process not in open_ops:
                value += 1
                f = rng.choice(("read", "write"))
                open_ops[process] = (f, value if f == "write" else None)
                events.append(Event(process, "invoke", f, open_ops[process][1]))
            else:
                f, written = open_ops.pop(process)
                read = rng.choice([None, *range(1, value + 1)])
                events.append(Event(process, rng.choice(("ok", "ok", "info")), f, read if f == "read" else written))
        ops = pair(events)
        linearizable = check_linearizable(ops, spec).linearizable
        ryw, mr = check_read_your_writes(ops, spec).holds, check_monotonic_reads(ops, spec).holds
        if linearizable:
            assert ryw and mr, [op.describe() for op in ops]
        seen.add((linearizable, ryw, mr))
    assert (True, True, True) in seen and (False, False, True) in seen and (False, True, False) in seen
