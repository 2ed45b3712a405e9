"""The drawing of operations: one line per process, bars from invocation to completion."""
from specs.consistency import Event, pair
from specs.consistency.faces.draw import draw, label
from specs.consistency.faces.report import report
from specs.consistency import check_linearizable, object_named


def test_a_stale_read_is_drawn_after_the_write_it_missed():
    ops = pair([Event(0, "invoke", "write", 1), Event(0, "ok", "write", 1), Event(1, "invoke", "read"),
                Event(1, "ok", "read", 0), Event(2, "invoke", "cas", [1, 2])])
    assert draw(ops, linearized=ops[:1], refused=ops[1:2]) == (
        "p0  [== write 1 ==]\n"
        "p1                 [-- read 0 ! --]\n"
        "p2                                 [-- cas 1->2 --------...")


def test_labels_name_the_function_and_values():
    write, read = pair([Event(0, "invoke", "put", "v", "k"), Event(0, "ok", "put", "v", "k"),
                        Event(0, "invoke", "get", None, "k"), Event(0, "ok", "get", "v", "k")])
    assert (label(write), label(read)) == ("put 'k' 'v'", "get 'k' 'v'")


def test_the_report_of_a_violation_names_the_stuck_operation():
    ops = pair([Event(0, "invoke", "write", 1), Event(0, "ok", "write", 1), Event(1, "invoke", "read"),
                Event(1, "ok", "read", 0)])
    spec = object_named("register", 0)
    text = report(check_linearizable(ops, spec), spec)
    assert text.startswith("NOT LINEARIZABLE: 2 operations (0 failed, 0 indeterminate), 2 processes")
    assert "leaves the register at 1; this one cannot come next" in text
    assert "\n  p1 read -> 0 [2, 3]: refused by the specification there\n" in text
