"""Every bad invocation a new user tried: one clear line on stderr, the right exit code, no traceback.

Also the command line's behaviour at its edges: help for every model, output that cannot be
written, a reader that goes away, SIGTERM, empty fault budgets and exact limits.
"""
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from models import MODELS

REPO = Path(__file__).resolve().parents[1]


def run(*args, timeout=60, **kwargs):
    """`python cli.py ARGS` from the repository root: the real entry point."""
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, **kwargs)


def assert_one_line(proc, code):
    """Exit `code`, no traceback, exactly one `check: ...` line on stderr."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("check: "), proc.stderr
    return lines[0]


BAD = [
    (("nosuchmodel",), "unknown model 'nosuchmodel'"),
    (("2pc", "--nosuch"), "No such option"),
    (("2pc", "--rms", "0"), "--rms must be between 1 and 12 (got 0)"),
    (("2pc", "--rms", "13"), "--rms must be between 1 and 12 (got 13)"),
    (("2pc", "--rms", "three"), "'three' is not a valid integer"),
    (("2pc", "--bug", "nope"), "'nope' is not one of"),
    (("tcommit", "--bug", "x"), "No such option"),
    (("2pc", "--property", "nope"), "unknown property 'nope'"),
    (("2pc", "--strategy", "bogus"), "'bogus' is not one of"),
    (("2pc", "--max-depth", "0"), "--max-depth must be at least 1"),
    (("2pc", "--max-states", "0"), "--max-states must be at least 1"),
    (("2pc", "--max-states", "-5"), "--max-states must be at least 1"),
    (("2pc", "--time-limit", "0"), "--time-limit must be a positive number of seconds"),
    (("2pc", "--time-limit", "nan"), "--time-limit must be a positive number of seconds"),
    (("2pc", "--time-limit", "inf"), "--time-limit must be a positive number of seconds"),
    (("2pc", "--seed", "x"), "'x' is not a valid integer"),
    (("2pc", "--format", "xml"), "'xml' is not one of"),
    (("2pc", "--format", "mermaid"), "2pc is not an actor model"),
    (("2pc", "--trace-out", ""), "--trace-out needs a file name"),
    (("2pc", "--trace-out", "/nonexistent-dir/t.json", "--bug", "tm-commits-early"), "cannot write trace file"),
    (("2pc-actors", "--faults", "crash=1,crash=2"), "names crash twice"),
    (("2pc-actors", "--faults", "bogus=1"), "unknown fault 'bogus'"),
    (("2pc-actors", "--faults", "crash"), "needs a count for crash"),
    (("2pc-actors", "--faults", "crash=x"), "needs a count for crash"),
    (("2pc-actors", "--faults", "crash=21"), "use at most 20"),
    (("2pc-actors", "--faults", "partition=1"), "which 2pc-actors does not model"),
    (("raft", "--faults", "partition=1"), "which raft does not model"),
    (("raft", "--nodes", "1"), "--nodes must be between 2 and 5 (got 1)"),
    (("raft", "--max-log", "0"), "--max-log must be between 1 and 6 (got 0)"),
    (("raft", "--requests", "0"), "--requests must be between 1 and 6 (got 0)"),
    (("raft", "--max-term", "0"), "--max-term must be between 1 and 8 (got 0)"),
    (("raft", "--elections", "sometimes"), "'sometimes' is not one of"),
    (("3pc", "--participants", "0"), "--participants must be between 1 and 5 (got 0)"),
    (("list", "--format", "xml"), "'xml' is not one of"),
    (("replay",), "Missing argument"),
    (("replay", "/nonexistent/trace.json"), "cannot read trace file"),
    (("replay", "cli.py"), "is not a trace file"),
]


@pytest.mark.parametrize("args, says", BAD, ids=[" ".join(a) or "-" for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_two(args, says):
    """Each bad invocation: exit 2 and one line that says what is wrong."""
    line = assert_one_line(run(*args), 2)
    assert says in line, line


def test_no_arguments_is_a_usage_error():
    """Bare `check` prints how to use it, on stderr, and exits 2 (it did nothing)."""
    proc = run()
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Usage: check" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_help_lists_its_properties_and_faults(name, capsys):
    """`check MODEL --help` exits 0 and names every property with its kind, and the faults it models
    (in this process: the command's own startup is tested above)."""
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0, out
    model_cls = MODELS[name]
    for spec in model_cls.property_specs():
        assert spec.name in out and spec.kind.value in out, (spec.name, out)
    faults = getattr(model_cls, "allowed_faults", None)
    if faults is not None:
        assert "Faults it models" in out
        assert all(kind in out for kind in faults)


def test_list_as_json_describes_every_model():
    """`check list --format json`: every model, its options with defaults, bugs, properties with kinds."""
    proc = run("list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    models = {entry["name"]: entry for entry in json.loads(proc.stdout)}
    assert set(models) == set(MODELS)
    two = models["2pc"]
    assert {"name": "rms", "default": 3, "min": 1, "max": 12} .items() <= next(o for o in two["options"] if o["name"] == "rms").items()
    assert set(two["bugs"]) == {"rm-aborts-after-prepare", "tm-commits-early"}
    kinds = {p["name"]: p["kind"] for p in two["properties"]}
    assert kinds["consistent"] == "always" and kinds["deadlock_free"] == "deadlock"
    raft = models["raft"]
    assert raft["actor_model"] and "restart" in raft["faults"] and "partition" not in raft["faults"]
    assert "deadlock_free" not in {p["name"] for p in raft["properties"]}
    assert next(p for p in raft["properties"] if p["name"] == "reelected_after_crash")["needs"] == ["crash"]


# output that cannot be written, and readers that go away

def test_a_full_disk_is_one_line_and_exit_two():
    """`check 2pc > /dev/full`: one line on stderr, exit 2 (an error outside the model)."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "cli.py", "2pc"], cwd=REPO, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert_one_line(proc, 2)
    assert "cannot write the output: No space left on device" in proc.stderr


@pytest.mark.parametrize("args, code", [(("list",), 0), (("2pc", "--bug", "tm-commits-early"), 1), (("2pc",), 0)])
def test_a_reader_that_goes_away_is_not_an_error(args, code):
    """`check ... | head -n 0`: nothing on stderr, and the exit code is still the verdict's."""
    proc = subprocess.run(f"{sys.executable} cli.py {' '.join(args)} | head -n 0; echo \"rc=${{PIPESTATUS[0]}}\"",
                          shell=True, executable="/bin/bash", cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.stderr == "", proc.stderr
    assert proc.stdout.strip() == f"rc={code}"


def test_sigterm_stops_with_the_partial_result_and_exit_three():
    """SIGTERM (what `timeout` and CI cancellation send) is handled like Ctrl-C: the report so far, exit 3."""
    proc = subprocess.Popen([sys.executable, "cli.py", "raft", "--nodes", "3"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()  # the first progress line: the search is running
    assert "distinct" in first, first
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, (proc.returncode, err)
    assert "terminated (SIGTERM)" in out and "UNKNOWN" in out and "Traceback" not in err


# witnesses and faults

def test_a_witness_that_needs_a_fault_left_out_is_not_applicable():
    """2pc-actors without faults (`--faults none` or `''`): the recovery witness is NOT APPLICABLE; exit 0."""
    for budget in ("none", ""):
        proc = run("2pc-actors", "--participants", "2", "--faults", budget)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "recovered_after_crash" in proc.stdout and "NOT APPLICABLE" in proc.stdout
        assert "needs crash and restart faults" in proc.stdout


def test_an_unreached_witness_is_not_reached_and_names_the_bounds():
    """Raft with one term cannot re-elect after a crash: NOT REACHED, exit 1, the note names the bounds."""
    proc = run("raft", "--nodes", "2", "--max-term", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["reelected_after_crash"])
    row = " ".join(" ".join(lines[at:at + 2]).split())  # the note may wrap onto a second line
    assert "NOT REACHED" in row and "max_term=1" in row and "faults crash=1,restart=1) may be too small" in row


# limits, depth and the deadlock check as the report states them

def test_the_state_limit_is_exact():
    """`--max-states 1000` reports exactly 1,000 distinct states (exit 3: not exhaustive)."""
    proc = run("2pc", "--rms", "5", "--max-states", "1000")
    assert proc.returncode == 3, proc.stderr
    assert "1,000 distinct" in proc.stdout and "state limit reached" in proc.stdout


def test_the_report_says_when_the_deadlock_check_is_off():
    """Raft sets check_deadlock = False; selecting one property leaves the deadlock check out: both are said."""
    assert "deadlock check off: the model sets check_deadlock = False" in run("raft", "--nodes", "2", "--max-term", "1").stdout
    out = run("2pc", "--property", "consistent").stdout
    assert "deadlock check off: deadlock_free is not among the selected properties" in out
