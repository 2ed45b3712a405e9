"""Sequential consistency: hand-made histories with answers worked out by hand, the search against
the definition on small random histories, and the shared histories (every linearizable one is
sequentially consistent; so are all sixteen non-linearizable etcd ones)."""
import itertools
import random
from pathlib import Path

import pytest

from specs.consistency import FAILED, INDETERMINATE, REFUSED, Event, check_linearizable, object_named, pair, read_history
from specs.consistency.history import READS
from specs.consistency.sequential import check_sequential
from tests.specs.random_histories import legal, random_history

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"
VERDICTS = dict(line.split() for line in (DATA / "etcd" / "verdicts.txt").read_text().splitlines() if line.strip())


def run(events, obj="register", initial=None):
    """The sequential-consistency result of a hand-made history: (process, kind, f, value[, key]) tuples in time order."""
    return check_sequential(pair(Event(*event) for event in events), object_named(obj, initial))


def test_a_stale_read_by_another_process_is_sequential_but_not_linearizable():
    # p0 writes 1 and completes; afterwards p1 reads nil. In real time the read follows the write,
    # but p1's read may be ordered first: [read nil, write 1] keeps each process's order.
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", None)]
    ops = pair(Event(*event) for event in events)
    assert not check_linearizable(ops, object_named("register")).linearizable
    result = run(events)
    assert result.consistent and result.witness is None
    assert [op.describe() for op in result.order] == ["p1 read -> nil [2, 3]", "p0 write 1 [0, 1]"]


def test_a_process_that_reads_its_writes_out_of_order_is_not_sequential():
    # p0 writes 1 then 2; p1 reads 2 then 1: 2 must be written after 1, so p1 cannot read 1 after 2.
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (0, "invoke", "write", 2), (0, "ok", "write", 2),
              (1, "invoke", "read", None), (1, "ok", "read", 2), (1, "invoke", "read", None), (1, "ok", "read", 1)]
    result = run(events)
    assert not result.consistent and result.order == ()
    witness = result.witness
    assert [op.describe() for op in witness.prefix] == ["p0 write 1 [0, 1]", "p0 write 2 [2, 3]", "p1 read -> 2 [4, 5]"]
    assert witness.state == 2
    assert [op.describe() for op in witness.stuck] == ["p1 read -> 1 [6, 7]"] == [op.describe() for op in witness.refused]


def test_program_order_binds_a_process_even_when_real_time_would_not():
    # p1 reads 1 then nil, nothing else writes: no order keeps p1's order (write 1 must precede read 1).
    events = [(0, "invoke", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", 1), (0, "ok", "write", 1),
              (1, "invoke", "read", None), (1, "ok", "read", None)]
    assert not run(events).consistent
    # reversed reads are fine: nil first, then the write, then 1
    events[2], events[5] = (1, "ok", "read", None), (1, "ok", "read", 1)
    assert run(events).consistent


def test_an_indeterminate_write_may_take_effect_after_its_process_moves_on_or_never():
    # p0's write 5 never completes; p0 then writes 6 (a new operation: the old one is closed by info).
    events = [(0, "invoke", "write", 5), (0, "info", "write", 5), (0, "invoke", "write", 6), (0, "ok", "write", 6),
              (1, "invoke", "read", None), (1, "ok", "read", 6), (1, "invoke", "read", None), (1, "ok", "read", 5)]
    assert run(events).consistent  # write 5 took effect after write 6
    events[-1] = (1, "ok", "read", None)
    assert not run(events).consistent  # nil cannot follow 6: nothing writes nil


def test_a_failed_write_did_not_happen():
    events = [(0, "invoke", "cas", [None, 1]), (0, "fail", "cas", [None, 1]), (1, "invoke", "read", None), (1, "ok", "read", 1)]
    result = run(events, "cas-register")
    assert not result.consistent and result.failed == 1


def test_a_kv_store_is_checked_as_one_object_not_key_by_key():
    # each key alone is sequentially consistent, the whole is not (sequential consistency is not local):
    # p0 puts x=1 then reads y empty; p1 puts y=1 then reads x empty. Some put comes first in any order,
    # and the other process's read comes after it.
    events = [(0, "invoke", "put", "1", "x"), (1, "invoke", "put", "1", "y"), (0, "ok", "put", "1", "x"),
              (1, "ok", "put", "1", "y"), (0, "invoke", "get", None, "y"), (1, "invoke", "get", None, "x"),
              (0, "ok", "get", "", "y"), (1, "ok", "get", "", "x")]
    result = run(events, "kv")
    assert not result.consistent
    assert result.witness.state == {"x": "1", "y": "1"} and len(result.witness.prefix) == 3
    assert [op.describe() for op in result.witness.refused] == ["p1 get 'x' -> '' [5, 7]"]
    for key in ("x", "y"):
        alone = [event for event in events if event[4] == key]
        assert run(alone, "kv").consistent


def by_definition(ops, spec):
    """Whether some subset of the indeterminate operations and some order of the rest with it keeps each
    process's order (an indeterminate one after its process's earlier ones) and the specification."""
    happened = [op for op in ops if op.status != FAILED and not (op.status == INDETERMINATE and op.f in READS)]
    sure = [op for op in happened if op.status != INDETERMINATE]
    maybe = [op for op in happened if op.status == INDETERMINATE]
    for size in range(len(maybe) + 1):
        for chosen in itertools.combinations(maybe, size):
            for order in itertools.permutations(sure + list(chosen)):
                where = {op.index: n for n, op in enumerate(order)}
                if any(a.status != INDETERMINATE and a.process == b.process and a.invoked < b.invoked
                       and where[a.index] > where[b.index] for a in order for b in order):
                    continue
                if legal(order, spec):
                    return True
    return False


def test_the_search_agrees_with_the_definition_on_random_histories():
    rng, spec, verdicts = random.Random(7), object_named("cas-register", 0), set()
    for _ in range(200):
        ops = random_history(rng)
        expected = by_definition(ops, spec)
        assert check_sequential(ops, spec).consistent == expected, [op.describe() for op in ops]
        verdicts.add(expected)
    assert verdicts == {True, False}


def test_every_linearizable_history_is_sequentially_consistent():
    for name in ("c01-ok.txt",) + tuple(f"etcd/{n}" for n, word in VERDICTS.items() if word == "linearizable"):
        _, ops = read_history((DATA / name).read_text())
        obj = "kv" if name.endswith(".txt") else "cas-register"
        assert check_linearizable(ops, object_named(obj)).linearizable
        assert check_sequential(ops, object_named(obj)).consistent, name


@pytest.mark.parametrize("name", sorted(n for n, word in VERDICTS.items() if word != "linearizable"))
def test_the_non_linearizable_etcd_histories_are_all_sequentially_consistent(name):
    _, ops = read_history((DATA / "etcd" / name).read_text())
    result = check_sequential(ops, object_named("cas-register"))
    assert result.consistent and result.witness is None
    placed = [op for op in result.order if op.status != INDETERMINATE]
    assert len(placed) == sum(op.status == "ok" for op in ops)
    for process in {op.process for op in placed}:  # the order found keeps each process's order...
        own = [op.invoked for op in placed if op.process == process]
        assert own == sorted(own)
    state = object_named("cas-register").init()
    for op in result.order:  # ...and is legal
        state = object_named("cas-register").step(state, op)
        assert state is not REFUSED


def test_the_shared_non_linearizable_kv_and_knossos_histories_are_not_sequential_either():
    for name, obj, initial in (("c01-bad.txt", "kv", None), ("bad-analysis.edn", "cas-register", 0)):
        _, ops = read_history((DATA / name).read_text())
        assert not check_sequential(ops, object_named(obj, initial)).consistent, name
