"""Causal consistency (specs/consistency/causal.py): a hand-made history for each bad pattern, with
the witness and the verdict of each variant worked out by hand (and checked by brute force in
test_causal_brute.py); causal but not sequentially consistent; read-your-writes but not causal;
failed and indeterminate operations; the refusals; the report; and against the stronger conditions
on random histories (linearizable or sequentially consistent implies causal)."""
import random

import pytest

from specs.consistency import Event, HistoryError, check_linearizable, check_sequential, object_named, pair
from specs.consistency.causal import PATTERNS, check_causal
from specs.consistency.faces.report import causal_report
from specs.consistency.sessions import check_monotonic_reads, check_read_your_writes


def w(process, value, key=None):
    """A write (a put on a key) that completes at once."""
    f = "write" if key is None else "put"
    return [(process, "invoke", f, value, key), (process, "ok", f, value, key)]


def r(process, value, key=None):
    """A read (a get on a key) that completes at once, returning `value`."""
    f = "read" if key is None else "get"
    return [(process, "invoke", f, None, key), (process, "ok", f, value, key)]


def ops_of(events):
    return pair(Event(*event) for event in events)


def run(events, obj="register", variant="CM"):
    return check_causal(ops_of(events), object_named(obj), variant)


# name: (events, object, (CM, CCv, CC) verdicts, the pattern CM reports, the witness as described operations)
EXAMPLES = {
    # p0 reads a value nobody wrote
    "ThinAirRead": (r(0, 5), "register", (False, False, False), "ThinAirRead", ["p0 read -> 5 [0, 1]"]),
    # each process reads the value the other writes after its read
    "CyclicCO": ([(0, "invoke", "read", None), (1, "invoke", "read", None), (0, "ok", "read", 2), (1, "ok", "read", 1),
                  *w(0, 1), *w(1, 2)], "register", (False, False, False), "CyclicCO",
                 ["p0 read -> 2 [0, 2]", "p1 read -> 1 [1, 3]", "p0 write 1 [4, 5]", "p1 write 2 [6, 7]"]),
    # x=1 reaches p1, which then writes y; p2 sees y but not x: the chain crosses keys
    "WriteCOInitRead": (w(0, "1", "x") + r(1, "1", "x") + w(1, "2", "y") + r(2, "2", "y") + r(2, "", "x"), "kv",
                        (False, False, False), "WriteCOInitRead",
                        ["p0 put 'x' '1' [0, 1]", "p1 get 'x' -> '1' [2, 3]", "p1 put 'y' '2' [4, 5]",
                         "p2 get 'y' -> '2' [6, 7]", "p2 get 'x' -> '' [8, 9]"]),
    # p1 overwrites the 1 it read; p2 reads that 2, then 1 again
    "WriteCORead": (w(0, 1) + r(1, 1) + w(1, 2) + r(2, 2) + r(2, 1), "register", (False, False, False), "WriteCORead",
                    ["p0 write 1 [0, 1]", "p1 read -> 1 [2, 3]", "p1 write 2 [4, 5]", "p2 read -> 2 [6, 7]",
                     "p2 read -> 1 [8, 9]"]),
    # two concurrent writes seen in opposite orders by two readers: causal memory, neither sequential nor convergent
    "CyclicCF": (w(0, 1) + w(1, 2) + r(2, 1) + r(2, 2) + r(3, 2) + r(3, 1), "register", (True, False, True), None, []),
    # one reader sees two concurrent writes as 1, 2, 1: each read alone is explained (CC), its view is not
    "CyclicHB": (w(0, 1) + w(1, 2) + r(2, 1) + r(2, 2) + r(2, 1), "register", (False, False, True), "CyclicHB",
                 ["p0 write 1 [0, 1]", "p1 write 2 [2, 3]", "p2 read -> 1 [4, 5]", "p2 read -> 2 [6, 7]",
                  "p2 read -> 1 [8, 9]"]),
    # Bouajjani et al.'s history that is convergent but not causal memory: p1 reads x=2 (its own) after
    # p0's y=1, so in its view x=1 comes before x=2, which it wrote before reading z empty; p0 wrote z first
    "WriteHBInitRead": (w(0, "1", "z") + w(0, "1", "x") + w(0, "1", "y") + w(1, "2", "x") + r(1, "", "z")
                        + r(1, "1", "y") + r(1, "2", "x"), "kv", (False, True, True), "WriteHBInitRead",
                        ["p0 put 'z' '1' [0, 1]", "p0 put 'x' '1' [2, 3]", "p0 put 'y' '1' [4, 5]",
                         "p1 put 'x' '2' [6, 7]", "p1 get 'z' -> '' [8, 9]", "p1 get 'y' -> '1' [10, 11]",
                         "p1 get 'x' -> '2' [12, 13]"]),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_bad_pattern_on_its_smallest_history(name):
    events, obj, verdicts, pattern, witness = EXAMPLES[name]
    assert tuple(run(events, obj, variant).holds for variant in ("CM", "CCv", "CC")) == verdicts
    result = run(events, obj)
    assert [found.pattern for found in result.violations[:1]] == ([pattern] if pattern else [])
    if pattern:
        assert [op.describe() for op in result.violations[0].operations()] == witness


def test_a_cyclic_causal_order_also_puts_writes_between_a_write_and_its_reads():
    events, obj, *_ = EXAMPLES["CyclicCO"]
    assert [found.pattern for found in run(events, obj).violations] == ["CyclicCO", "WriteCORead"]


def test_the_convergence_pattern_names_both_forced_orders():
    events, obj, *_ = EXAMPLES["CyclicCF"]
    found = run(events, obj, "CCv").violations[0]
    assert found.pattern == "CyclicCF" and found.read is None and found.process is None
    assert [(s.before.describe(), s.after.describe(), s.why, s.read.describe()) for s in found.chain] == [
        ("p0 write 1 [0, 1]", "p1 write 2 [2, 3]", "forced", "p2 read -> 2 [6, 7]"),
        ("p1 write 2 [2, 3]", "p0 write 1 [0, 1]", "forced", "p3 read -> 1 [10, 11]")]
    # each forced order with the chain that put the first write before the read
    assert [[(s.before.describe(), s.why) for s in step.via] for step in found.chain] == [
        [("p0 write 1 [0, 1]", "reads from"), ("p2 read -> 1 [4, 5]", "program order")],
        [("p1 write 2 [2, 3]", "reads from"), ("p3 read -> 2 [8, 9]", "program order")]]
    assert len(found.operations()) == 6


def test_the_view_patterns_name_the_process():
    events, obj, *_ = EXAMPLES["CyclicHB"]
    found = run(events, obj).violations[0]
    assert found.process == 2 and found.read is None
    events, obj, *_ = EXAMPLES["WriteHBInitRead"]
    found = run(events, obj).violations[0]
    assert found.process == 1 and found.read.describe() == "p1 get 'z' -> '' [8, 9]"
    assert [op.describe() for op in found.writes] == ["p0 put 'z' '1' [0, 1]"]
    assert [step.why for step in found.chain] == ["program order", "forced", "program order"]


def test_causal_but_not_sequentially_consistent():
    events, obj, *_ = EXAMPLES["CyclicCF"]
    ops = ops_of(events)
    assert check_causal(ops, object_named(obj)).holds
    assert not check_sequential(ops, object_named(obj)).consistent


def test_read_your_writes_and_monotonic_reads_but_not_causal():
    events, obj, *_ = EXAMPLES["WriteCOInitRead"]
    ops, spec = ops_of(events), object_named(obj)
    assert check_read_your_writes(ops, spec).holds and check_monotonic_reads(ops, spec).holds
    assert not check_causal(ops, spec).holds


def test_causal_order_is_program_order_not_real_time():
    # p1 reads nil after p0's write completed: stale in real time, causal (nothing orders them)
    assert run(w(0, 1) + r(1, None)).holds
    # but a process that wrote does not read back the initial value
    found = run(w(0, 1) + r(0, None)).violations
    assert [(f.pattern, [op.describe() for op in f.operations()]) for f in found] == [
        ("WriteCOInitRead", ["p0 write 1 [0, 1]", "p0 read -> nil [2, 3]"])]


def test_a_failed_write_did_not_happen_and_a_failed_read_is_left_out():
    events = [(0, "invoke", "write", 1), (0, "fail", "write", 1)] + r(1, 1)
    result = run(events)
    assert [f.pattern for f in result.violations] == ["ThinAirRead"] and result.failed == 1
    assert run(w(0, 1) + [(0, "invoke", "read", None), (0, "fail", "read", None)]).holds


def test_an_indeterminate_write_happened_when_read_after_its_process_earlier_operations():
    # p0 writes y=1, then x=2 times out; p1 reads x=2, so that write happened, after y=1: y cannot be empty
    events = w(0, "1", "y") + [(0, "invoke", "put", "2", "x"), (0, "info", "put", "2", "x")] + r(1, "2", "x") + r(1, "", "y")
    result = run(events, "kv")
    assert [f.pattern for f in result.violations] == ["WriteCOInitRead"] and result.indeterminate == 1
    assert [op.describe() for op in result.violations[0].operations()] == [
        "p0 put 'y' '1' [0, 1]", "p0 put 'x' '2' [2, inf)", "p1 get 'x' -> '2' [4, 5]", "p1 get 'y' -> '' [6, 7]"]


def test_an_indeterminate_write_may_take_effect_after_its_process_moves_on_or_never():
    timed_out = [(0, "invoke", "write", 1), (0, "info", "write", 1)]
    assert run(timed_out + r(0, None)).holds  # it may take effect after the read
    assert run(timed_out + r(0, None) + r(1, None) + r(1, 1)).holds  # another process may see it late
    assert not run(w(0, 1) + r(0, None)).holds  # a completed one comes before the read


def test_an_indeterminate_read_constrains_nothing():
    result = run(w(0, 1) + [(0, "invoke", "read", None), (0, "info", "read", None)])
    assert result.holds and result.indeterminate == 1 and result.operations == 2


def test_a_kv_history_is_one_history_whose_causal_order_spans_keys():
    events, obj, *_ = EXAMPLES["WriteCOInitRead"]
    ops = ops_of(events)
    for key in ("x", "y"):  # each key alone is causal
        assert check_causal([op for op in ops if op.key == key], object_named(obj)).holds
    assert not check_causal(ops, object_named(obj)).holds


def test_list_values_are_matched_to_their_writes():
    assert run(w(0, [1, 2]) + r(1, [1, 2])).holds
    assert not run(w(0, [1, 2]) + r(0, [1])).holds


def test_a_register_may_start_elsewhere():
    ops = ops_of(w(0, 1) + r(1, 0))
    assert check_causal(ops, object_named("register", 0)).holds
    assert [f.pattern for f in check_causal(ops, object_named("register")).violations] == ["ThinAirRead"]


@pytest.mark.parametrize("events, obj, words", [
    (w(0, 1) + w(1, 1), "register",
     r"needs writes of unique values: p1 write 1 \[2, 3\] writes 1, also written by p0 write 1 \[0, 1\]"),
    (w(0, None), "register", "writes nil, the initial value"),
    (w(0, "", "x"), "kv", "writes '', the initial value"),
    ([(0, "invoke", "cas", [None, 1]), (0, "ok", "cas", [None, 1])], "cas-register", "not 'cas'"),
    ([(0, "invoke", "cas", [None, 1]), (0, "info", "cas", [None, 1])], "cas-register", "not 'cas'"),
    ([(0, "invoke", "append", "a", "k"), (0, "ok", "append", "a", "k")], "kv", "not 'append'"),
    (w(0, 1, "x"), "register", "a register has no operation 'put'"),
])
def test_histories_causal_consistency_cannot_judge_are_refused_in_one_line(events, obj, words):
    with pytest.raises(HistoryError, match=words) as caught:
        run(events, obj)
    assert "\n" not in str(caught.value)


def test_the_same_value_on_two_keys_and_a_failed_cas_are_accepted():
    assert run(w(0, "1", "x") + w(1, "1", "y") + r(2, "1", "y") + r(2, "1", "x"), "kv").holds
    failed_cas = [(0, "invoke", "cas", [None, 1]), (0, "fail", "cas", [None, 1])]
    assert run(failed_cas + w(1, 2) + r(0, 2), "cas-register").holds


def test_an_unknown_variant_is_refused():
    with pytest.raises(HistoryError, match="unknown causal consistency variant 'PRAM'"):
        run([], variant="PRAM")


def test_the_report_of_a_violation_names_the_pattern_explains_the_chain_and_draws_it():
    events, obj, *_ = EXAMPLES["WriteCORead"]
    lines = causal_report(run(events, obj)).splitlines()
    assert lines[0].startswith("NOT CAUSALLY CONSISTENT (causal memory, CM): 5 operations (0 failed, 0 indeterminate), "
                               "3 processes, checked in ")
    assert lines[1:] == [
        f"bad pattern WriteCORead: {PATTERNS['WriteCORead']}:",
        "  p2 read -> 1 [8, 9] returned the value of p0 write 1 [0, 1], but p1 write 2 [4, 5] comes after that write "
        "and before the read:",
        "    p0 write 1 [0, 1]",
        "    -> p1 read -> 1 [2, 3] (reads from)",
        "    -> p1 write 2 [4, 5] (program order)",
        "    -> p2 read -> 2 [6, 7] (reads from)",
        "    -> p2 read -> 1 [8, 9] (program order)",
        "the operations involved (! the read), time left to right:",
        "p0  [-- write 1 --]",
        "p1                 [-- read 1 --][-- write 2 --]",
        "p2                                              [-- read 2 --][-- read 1 ! --]"]


def test_the_report_of_a_forced_order_shows_its_reason_indented():
    events, obj, *_ = EXAMPLES["CyclicHB"]
    lines = causal_report(run(events, obj)).splitlines()
    assert lines[1:8] == [
        f"bad pattern CyclicHB: {PATTERNS['CyclicHB']}:",
        "  the cycle in p2's view:",
        "    p0 write 1 [0, 1]",
        "    -> p1 write 2 [2, 3] (forced: p2 read -> 2 [6, 7] returned this write's value after the write above had come "
        "before it:",
        "         p0 write 1 [0, 1]",
        "         -> p2 read -> 1 [4, 5] (reads from)",
        "         -> p2 read -> 2 [6, 7] (program order))"]
    assert lines[-4] == "the operations involved, time left to right:"


def test_the_report_of_a_causal_history_is_one_line():
    events, obj, *_ = EXAMPLES["CyclicCF"]
    text = causal_report(run(events, obj))
    assert text.startswith("CAUSALLY CONSISTENT (causal memory, CM): 6 operations (0 failed, 0 indeterminate), 4 processes")
    assert "\n" not in text
    assert causal_report(run(events, obj, "CCv")).startswith("NOT CAUSALLY CONSISTENT (causal convergence, CCv)")


def test_linearizable_and_sequentially_consistent_histories_are_causal():
    rng, spec, seen = random.Random(5), object_named("register"), set()
    for _ in range(300):
        events, open_ops, value = [], {}, 0
        for _ in range(12):
            process = rng.randrange(3)
            if process not in open_ops:
                f = rng.choice(("read", "write"))
                value += f == "write"
                open_ops[process] = (f, value if f == "write" else None)
                events.append(Event(process, "invoke", f, open_ops[process][1]))
            else:
                f, written = open_ops.pop(process)
                read = rng.choice([None, *range(1, value + 1)])
                events.append(Event(process, rng.choice(("ok", "ok", "ok", "info", "fail")), f, read if f == "read" else written))
        ops = pair(events)
        linearizable = check_linearizable(ops, spec).linearizable
        sequential = check_sequential(ops, spec).consistent
        causal = {variant: check_causal(ops, spec, variant).holds for variant in ("CM", "CCv", "CC")}
        if sequential:
            assert all(causal.values()), [op.describe() for op in ops]
        seen.add((linearizable, sequential, causal["CM"]))
    assert {(True, True, True), (False, True, True), (False, False, False)} <= seen, seen
