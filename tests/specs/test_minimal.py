"""The smallest set of operations that cannot be ordered (specs/consistency/minimal.py): hand-made
histories whose core is known, the shared histories' cores pinned, and on random histories the
property that defines a core (it cannot be ordered even with every other operation timed out, nor
alone; with any one of its operations timed out too, it can), the leaving-out of timed-out
operations that cannot matter checked against not leaving them out, and the time budget."""
import random
import time
from pathlib import Path

import pytest

import specs.consistency.minimal as minimal
from specs.consistency import FAILED, INDETERMINATE, Event, check_linearizable, object_named, pair, read_history
from specs.consistency.minimal import check, minimal_core, relaxed, timed_out
from specs.consistency.faces.report import core_lines
from tests.specs.random_histories import random_history

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"
CONDITIONS = ("linearizable", "sequential")


def history(*events):
    """Operations from (process, kind, f, value[, key]) tuples in time order."""
    return pair(Event(*event) for event in events)


def core_of(ops, obj="register", condition="linearizable", initial=None):
    """The descriptions of the core's operations, and whether it is known minimal."""
    core = minimal_core(ops, object_named(obj, initial), condition, budget=30)
    return [op.describe() for op in core.operations], core.minimal


STALE = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
         (2, "invoke", "read", None), (2, "ok", "read", 1)]


def test_a_stale_read_needs_both_writes_and_the_read():
    assert core_of(history(*STALE)) == (["p0 write 1 [0, 1]", "p1 write 2 [2, 3]", "p2 read -> 1 [4, 5]"], True)


def test_operations_that_do_not_take_part_are_left_out():
    noise = [(3, "invoke", "read", None), (3, "ok", "read", None), (4, "invoke", "write", 7), (4, "fail", "write", 7),
             (5, "invoke", "write", 9), (5, "info", "write", 9)]
    later = [(3, "invoke", "write", 3), (3, "ok", "write", 3), (4, "invoke", "read", None), (4, "ok", "read", 3)]
    ops = history(*noise, *STALE, *later)
    assert core_of(ops) == (["p0 write 1 [6, 7]", "p1 write 2 [8, 9]", "p2 read -> 1 [10, 11]"], True)


def test_a_read_of_a_value_nobody_wrote_is_a_core_alone():
    ops = history((0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", 5))
    assert core_of(ops) == (["p1 read -> 5 [2, 3]"], True)


def test_a_write_that_timed_out_explains_a_read_so_it_is_no_core():
    ops = history((0, "invoke", "write", 1), (0, "info", "write", 1), *STALE[2:])
    assert check_linearizable(ops, object_named("register")).linearizable
    assert minimal_core(ops, object_named("register")) is None


def test_a_kv_core_stays_on_its_key():
    ops = history((0, "invoke", "put", "a", "x"), (0, "ok", "put", "a", "x"), (1, "invoke", "append", "b", "x"),
                  (1, "ok", "append", "b", "x"), (2, "invoke", "get", None, "x"), (2, "ok", "get", "a", "x"),
                  (3, "invoke", "put", "c", "y"), (3, "ok", "put", "c", "y"), (2, "invoke", "get", None, "y"),
                  (2, "ok", "get", "c", "y"))
    assert core_of(ops, "kv") == (["p0 put 'x' 'a' [0, 1]", "p1 append 'x' 'b' [2, 3]", "p2 get 'x' -> 'a' [4, 5]"],
                                  True)


def test_a_sequential_core_is_a_process_reading_its_writes_out_of_order():
    ops = history((0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", 1),
                  (0, "invoke", "write", 2), (0, "ok", "write", 2), (0, "invoke", "read", None), (0, "ok", "read", 1))
    assert core_of(ops, condition="sequential") == (["p0 write 1 [0, 1]", "p0 write 2 [4, 5]", "p0 read -> 1 [6, 7]"],
                                                    True)


@pytest.mark.parametrize("name, obj, initial, condition, expected", [
    ("bad-analysis.edn", "cas-register", 0, "linearizable", ["p22 read -> 3 [12, 15]"]),
    ("bad-analysis.edn", "cas-register", 0, "sequential", ["p22 read -> 3 [12, 15]"]),
    ("c01-bad.txt", "kv", None, "linearizable", ["p0 append '7' 'x 0 3 y' [54, 55]", "p0 get '7' -> 'x 0 0 y' [58, 59]"]),
    ("etcd/etcd_016.log", "cas-register", None, "linearizable",
     ["p0 cas [3 4] [40, 41]", "p4 write 3 [42, 43]", "p1 read -> 4 [44, 45]"]),
])
def test_the_cores_of_shared_histories_are_pinned(name, obj, initial, condition, expected):
    _, ops = read_history((DATA / name).read_text())
    assert core_of(ops, obj, condition, initial) == (expected, True)


def assert_is_core(ops, spec, condition, core):
    """The definition: the core cannot be ordered with the rest timed out, nor alone; with any one of
    its operations timed out too, the history can be ordered."""
    strict = core.indices()
    assert check(relaxed(ops, strict, condition), spec, condition) is not None
    assert check(list(core.operations), spec, condition) is not None
    assert core.witness is not None
    for op in core.operations:
        assert check(relaxed(ops, strict - {op.index}, condition), spec, condition) is None, op.describe()
    assert all(op.status not in (FAILED, INDETERMINATE) for op in core.operations)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_core_found_on_random_histories_is_one(condition):
    rng, spec, found = random.Random(11), object_named("cas-register", 0), 0
    for _ in range(150):
        ops = random_history(rng)
        core = minimal_core(ops, spec, condition, budget=30)
        if core is None:
            assert check(ops, spec, condition) is None
            continue
        found += 1
        assert core.minimal
        assert_is_core(ops, spec, condition, core)
    assert found > 20


def random_kv_history(rng):
    """Up to six kv operations on two keys by three processes, some failed or timed out."""
    events, open_ops = [], {}
    for _ in range(12):
        process = rng.randrange(3)
        if process not in open_ops:
            f, key = rng.choice(("get", "put", "append", "append")), rng.choice("kl")
            value = None if f == "get" else rng.choice(("a", "b", "ab"))
            open_ops[process] = (f, key, value)
            events.append(Event(process, "invoke", f, value, key))
        else:
            f, key, value = open_ops.pop(process)
            kind = rng.choice(("ok", "ok", "ok", "info", "fail"))
            events.append(Event(process, kind, f, rng.choice(("", "a", "ab", "ba")) if f == "get" else value, key))
    return pair(events)


@pytest.mark.parametrize("obj, make", [("cas-register", random_history), ("kv", random_kv_history)])
@pytest.mark.parametrize("condition", CONDITIONS)
def test_leaving_out_timed_out_operations_that_cannot_matter_changes_no_verdict(obj, make, condition):
    rng, spec = random.Random(5), object_named(obj, 0 if obj != "kv" else None)
    for _ in range(150):
        ops = make(rng)
        happened = [op for op in ops if op.status != FAILED]
        strict = {op.index for op in happened if op.status != INDETERMINATE and rng.random() < 0.6}
        whole = [op if op.index in strict else timed_out(op) for op in happened]
        assert (check(relaxed(ops, strict, condition), spec, condition) is None) == \
            (check(whole, spec, condition) is None), [op.describe() for op in ops]


def test_a_spent_budget_gives_a_smaller_set_not_called_the_smallest():
    ops = history(*STALE, (3, "invoke", "write", 3), (3, "ok", "write", 3))
    core = minimal_core(ops, object_named("register"), budget=0)
    assert not core.minimal and len(core.operations) == 4
    assert check(list(core.operations), object_named("register"), "linearizable") is not None
    text = "\n".join(core_lines(core, "linearized"))
    assert text.startswith("a smaller set of operations that cannot be ordered, found within 0 s (not known to be the "
                           "smallest): 4 operations of the 4 completed")
    assert "smallest set" not in text


def test_a_test_that_runs_past_its_time_is_stopped(monkeypatch):
    real = minimal.check

    def slow(ops, spec, condition):
        began = time.process_time()
        while any(op.status == INDETERMINATE for op in ops) and time.process_time() - began < 2:
            sum(range(1000))  # the tests with timed-out operations spin, 2 s of CPU if not stopped
        return real(ops, spec, condition)

    ops = history(*STALE, (3, "invoke", "write", 3), (3, "ok", "write", 3))
    spec = object_named("register")
    witness = check_linearizable(ops, spec).witness
    monkeypatch.setattr(minimal, "check", slow)
    started = time.process_time()
    core = minimal_core(ops, spec, budget=0.2, witness=witness)
    assert time.process_time() - started < 1.5
    assert not core.minimal and len(core.operations) >= 3
