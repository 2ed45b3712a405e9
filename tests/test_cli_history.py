"""`check history FILE --object ...`: verdicts, figures and drawings, exit codes 0/1/2, and bad
input as one clear line. In process through `cli._run` (the real error mapping), plus one run
of the real entry point."""
import subprocess
import sys
from pathlib import Path

import pytest

import cli

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "histories"


def history(capsys, *args):
    """Run `check history ARGS` in process: (exit code, stdout, stderr)."""
    code = cli._run(["history", *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, words):
    """Exit 2, nothing on stdout, one `check: ...` line on stderr that says `words`."""
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    assert len(err.splitlines()) == 1 and err.startswith("check: ") and words in err, err


def test_a_linearizable_history_exits_0_with_its_figures(capsys):
    code, out, _ = history(capsys, str(DATA / "etcd" / "etcd_005.log"), "--object", "cas-register")
    assert code == 0
    assert "etcd history of a cas-register starting at nil, checked for linearizability" in out
    assert "LINEARIZABLE: 79 operations (19 failed, 14 indeterminate), 18 processes, checked in" in out


def test_a_violation_exits_1_naming_and_drawing_the_stuck_operations(capsys):
    code, out, _ = history(capsys, str(DATA / "bad-analysis.edn"), "--object", "cas-register")
    assert code == 1
    lines = out.splitlines()
    assert lines[1].startswith("NOT LINEARIZABLE: 9 operations (0 failed, 2 indeterminate), 9 processes")
    assert "leaves the cas-register at 1; none of these 2 can come next" in lines[2]
    assert lines[3:5] == ["  p22 read -> 3 [12, 15]: refused by the specification there",
                          "  p21 read -> 2 [13, 14]: refused by the specification there"]
    at = lines.index("p21" + " " * 46 + "[-- read 2 ! --]")
    assert lines[at - 1:at + 1] == ["p22                                             [-- read 3 ! ----]",
                                    "p21                                              [-- read 2 ! --]"]
    assert lines[at + 1].startswith("the smallest set of operations that cannot be ordered: 1 operation")
    assert lines[at + 2:] == ["  p22 read -> 3 [12, 15]",
                              "these operations (linearized =, the rest -, ! refused, with every other operation timed out), "
                              "time left to right:", "p22  [-- read 3 ! --]"]


def test_the_initial_value_is_an_option(capsys):
    path = DATA / "bad-analysis.edn"
    assert "starting at 0" in history(capsys, str(path), "--object", "cas-register")[1]
    code, out, _ = history(capsys, str(path), "--object", "cas-register", "--initial", "nil", "--format", "edn")
    assert code == 1 and "starting at nil" in out


def test_a_kv_violation_names_its_key(capsys):
    code, out, _ = history(capsys, str(DATA / "c01-bad.txt"), "--object", "kv")
    assert code == 1 and "on key '7', the longest linearizable prefix has 3 operations and leaves the kv at 'x 0 0 yx 0 3 y'" in out


def test_the_json_history_is_read(capsys, tmp_path):
    path = tmp_path / "h.json"
    path.write_text('[{"process": 0, "type": "invoke", "f": "write", "value": 1},'
                    ' {"process": 0, "type": "ok", "f": "write", "value": 1},'
                    ' {"process": 1, "type": "invoke", "f": "read", "value": null},'
                    ' {"process": 1, "type": "ok", "f": "read", "value": 1}]')
    code, out, _ = history(capsys, str(path), "--object", "register")
    assert code == 0 and "json history of a register" in out


@pytest.mark.parametrize("content, args, words", [
    ("hello\n", (), "cannot tell the history's format"),
    ("INFO  jepsen.util - 0 :ok\n", (), "line 1: not a Jepsen log line"),
    ('[{"process": 0, "type": "invoke", "f": "get", "key": "k"}]', ("--object", "register"), "a register has no operation 'get'"),
    ("[1]", ("--initial", "1 2"), "--initial takes one EDN value"),
    ("[]", ("--object", "queue"), "Invalid value for '--object'"),
    ("[]", ("--format", "yaml"), "Invalid value for '--format'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content, args, words):
    path = tmp_path / "h.txt"
    path.write_text(content)
    options = args if "--object" in args else ("--object", "cas-register", *args)
    assert_one_line_error(*history(capsys, str(path), *options), words)


def test_a_missing_file_or_object_is_a_usage_error(capsys, tmp_path):
    assert_one_line_error(*history(capsys, str(tmp_path / "none.log"), "--object", "kv"), "does not exist")
    assert_one_line_error(*history(capsys, str(DATA / "c01-ok.txt")), "missing --object (register, cas-register, kv)")


def test_a_file_that_is_not_text_is_refused(capsys, tmp_path):
    path = tmp_path / "h.bin"
    path.write_bytes(b"\xff\xfe\x00")
    assert_one_line_error(*history(capsys, str(path), "--object", "kv"), "cannot read")


def test_the_real_entry_point_exits_1_on_an_etcd_violation():
    proc = subprocess.run([sys.executable, "cli.py", "history", str(DATA / "etcd" / "etcd_000.log"), "--object",
                           "cas-register"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and proc.stderr == ""
    assert "NOT LINEARIZABLE: 85 operations (20 failed, 16 indeterminate), 19 processes" in proc.stdout
    assert "  p11 read -> 2 [84, 85]: refused by the specification there" in proc.stdout
