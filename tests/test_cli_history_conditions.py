"""`check history FILE --consistency sequential|read-your-writes|monotonic-reads`: verdicts, the
witness as text, exit codes 0/1/2 as for linearizability. In process through `cli._run`."""
import json
from pathlib import Path

import pytest

import cli

DATA = Path(__file__).resolve().parent / "data" / "histories"


def history(capsys, *args):
    """Run `check history ARGS` in process: (exit code, stdout, stderr)."""
    code = cli._run(["history", *args])
    out, err = capsys.readouterr()
    return code, out, err


def written(tmp_path, events):
    """A JSON history file of (process, type, f, value) tuples."""
    path = tmp_path / "h.json"
    path.write_text(json.dumps([{"process": p, "type": t, "f": f, "value": v} for p, t, f, v in events]))
    return str(path)


STALE = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", None)]
BACKWARDS = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (0, "invoke", "write", 2), (0, "ok", "write", 2),
             (1, "invoke", "read", None), (1, "ok", "read", 2), (1, "invoke", "read", None), (1, "ok", "read", 1)]
OWN = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
       (1, "invoke", "read", None), (1, "ok", "read", 1)]


def test_a_stale_read_by_another_process_is_sequential_but_not_linearizable(capsys, tmp_path):
    path = written(tmp_path, STALE)
    assert history(capsys, path, "--object", "register")[0] == 1
    code, out, _ = history(capsys, path, "--object", "register", "--consistency", "sequential")
    assert code == 0
    assert out.splitlines() == [f"{path}: json history of a register starting at nil, checked for sequential consistency",
                                out.splitlines()[1]]
    assert out.splitlines()[1].startswith("SEQUENTIALLY CONSISTENT: 2 operations (0 failed, 0 indeterminate), 2 processes")


def test_a_sequential_violation_exits_1_naming_and_drawing_the_stuck_operation(capsys, tmp_path):
    code, out, _ = history(capsys, written(tmp_path, BACKWARDS), "--object", "register", "--consistency", "sequential")
    assert code == 1
    lines = out.splitlines()
    assert lines[1].startswith("NOT SEQUENTIALLY CONSISTENT: 4 operations (0 failed, 0 indeterminate), 2 processes")
    assert lines[2].startswith("the longest legal order keeping each process's order has 3 operations and leaves the "
                               "register at 2; this one cannot come next")
    assert lines[3:7] == ["  p1 read -> 1 [6, 7]: refused by the specification there",
                          "the last 3 placed (=) and the stuck operations (-, ! refused), time left to right:",
                          "p0  [== write 1 ==][== write 2 ==]",
                          "p1                                [== read 2 ==][-- read 1 ! --]"]
    assert lines[7].startswith("the smallest set of operations that cannot be ordered: 3 operations")


def test_a_monotonic_reads_violation_exits_1_with_the_operations_involved(capsys, tmp_path):
    path = written(tmp_path, BACKWARDS)
    assert history(capsys, path, "--object", "register", "--consistency", "read-your-writes")[0] == 0
    code, out, _ = history(capsys, path, "--object", "register", "--consistency", "monotonic-reads")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith("checked for monotonic reads")
    assert lines[1].startswith("MONOTONIC READS VIOLATED: 4 operations")
    assert lines[2:] == [
        "1 read went back in time; the first:",
        "  p1 read -> 1 [6, 7] returned the value of p0 write 1 [0, 1]",
        "  after its session saw p0 write 2 [2, 3] (the value its read p1 read -> 2 [4, 5] returned), which comes after "
        "that write (it was invoked after that one completed)",
        "the operations involved (! the read), time left to right:",
        "p0  [-- write 1 --][-- write 2 --]",
        "p1                                [-- read 2 --][-- read 1 ! --]"]


def test_a_read_your_writes_violation_exits_1(capsys, tmp_path):
    path = written(tmp_path, OWN)
    assert history(capsys, path, "--object", "register", "--consistency", "monotonic-reads")[0] == 0
    code, out, _ = history(capsys, path, "--object", "register", "--consistency", "read-your-writes")
    assert code == 1
    assert out.splitlines()[1].startswith("READ YOUR WRITES VIOLATED: 3 operations")
    assert "  after its session saw p1 write 2 [2, 3] (its own write), which comes after that write" in out


def test_an_etcd_history_is_sequentially_consistent(capsys):
    code, out, _ = history(capsys, str(DATA / "etcd" / "etcd_000.log"), "--object", "cas-register", "--consistency", "sequential")
    assert code == 0
    assert "SEQUENTIALLY CONSISTENT: 85 operations (20 failed, 16 indeterminate), 19 processes" in out


@pytest.mark.parametrize("condition", ["read-your-writes", "monotonic-reads"])
def test_session_guarantees_refuse_repeated_values_as_one_line_and_exit_2(capsys, condition):
    code, out, err = history(capsys, str(DATA / "etcd" / "etcd_000.log"), "--object", "register", "--consistency", condition)
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("check: ") and "session guarantees" in err, err


def test_an_unknown_condition_is_a_usage_error(capsys, tmp_path):
    code, out, err = history(capsys, written(tmp_path, STALE), "--object", "register", "--consistency", "serializable")
    assert code == 2 and out == "" and "Invalid value for '--consistency'" in err


def test_causal_consistency_exits_0_for_a_stale_read_and_1_naming_the_bad_pattern(capsys, tmp_path):
    code, out, _ = history(capsys, written(tmp_path, STALE), "--object", "register", "--consistency", "causal")
    assert code == 0
    assert out.splitlines()[0].endswith("checked for causal consistency (causal memory)")
    assert out.splitlines()[1].startswith("CAUSALLY CONSISTENT (causal memory, CM): 2 operations")
    code, out, _ = history(capsys, written(tmp_path, BACKWARDS), "--object", "register", "--consistency", "causal")
    assert code == 1
    assert out.splitlines()[1].startswith("NOT CAUSALLY CONSISTENT (causal memory, CM): 4 operations")
    assert out.splitlines()[2].startswith("bad pattern WriteCORead: ")
    assert out.splitlines()[-2:] == ["p0  [-- write 1 --][-- write 2 --]",
                                     "p1                                [-- read 2 --][-- read 1 ! --]"]


def test_causal_consistency_refuses_repeated_values_as_one_line_and_exits_2(capsys):
    code, out, err = history(capsys, str(DATA / "etcd" / "etcd_000.log"), "--object", "register", "--consistency", "causal")
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("check: causal consistency ") and "not 'cas'" in err, err
