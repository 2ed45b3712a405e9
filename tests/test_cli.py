"""The `check` command line: output through click's CliRunner, exit codes through the real entry point."""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from models import MODELS

REPO = Path(__file__).resolve().parents[1]
BUG = "rm-aborts-after-prepare"


def run(*args, timeout=30):
    """Run `python cli.py ARGS` from the repository root: the real entry point `cli.main`."""
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def invoke(*args):
    """Run the click group in-process and return its result (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def flat(text):
    """The text with every run of whitespace made one space (for wrapped help)."""
    return " ".join(text.split())


def assert_one_line_error(proc, code=2):
    """Exit `code`, nothing on stdout, exactly one `check: ...` line on stderr and no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("check: "), proc.stderr


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory):
    """A trace file saved by `check 2pc --bug rm-aborts-after-prepare --trace-out FILE`."""
    path = tmp_path_factory.mktemp("traces") / "consistent.json"
    proc = run("2pc", "--rms", "3", "--bug", BUG, "--trace-out", str(path))
    assert proc.returncode == 1, proc.stderr
    assert f"written to {path}" in proc.stderr
    return path


# check list

def test_list_shows_models_and_their_bugs():
    """`check list` has a row for 2pc with both bug variants and one for tcommit with none."""
    out = invoke("list").stdout
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if line.split()[:1] and line.split()[0] in MODELS] + [len(lines)]
    rows = {lines[a].split()[0]: "\n".join(lines[a:b]) for a, b in zip(starts, starts[1:])}
    assert {"2pc", "tcommit"} <= set(rows), out
    assert "rm-aborts-after-prepare" in rows["2pc"] and "tm-commits-early" in rows["2pc"]
    assert "--rms 3" in rows["2pc"]
    assert re.search(r"--rms 3\s+-\s*$", rows["tcommit"].splitlines()[0]), rows["tcommit"]
    assert "rm-aborts-after-prepare" not in rows["tcommit"]


def test_list_exits_zero():
    """`check list` through the real entry point exits 0."""
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    assert "tcommit" in proc.stdout


# check 2pc: the correct model

def test_correct_model_report():
    """`check 2pc --rms 3` prints the header, every verdict HOLDS, and TLC's figures."""
    out = invoke("2pc", "--rms", "3").stdout
    assert re.search(r"^model\s+2pc: Two-phase commit", out, re.M), out
    assert re.search(r"^options\s+rms=3", out, re.M), out
    assert re.search(r"^search\s+bfs; bounds: none", out, re.M), out
    for name, kind in [("consistent", "always"), ("commit_needs_all_prepared", "always"),
                       ("all_committed", "sometimes"), ("aborted_after_prepare", "sometimes"),
                       ("deadlock_free", "deadlock")]:
        assert re.search(rf"^\s*{name}\s+{kind}\s+HOLDS\b", out, re.M), name
    assert "288 distinct, 1,146 generated, depth 11" in out
    assert "(exhaustive)" in out and "not exhaustive" not in out
    assert "UNKNOWN" not in out and "VIOLATED" not in out


def test_correct_model_exits_zero():
    """`check 2pc --rms 3` exits 0 when every property holds."""
    proc = run("2pc", "--rms", "3")
    assert proc.returncode == 0, proc.stderr
    assert "288 distinct" in proc.stdout


def test_cold_start_is_fast():
    """`check 2pc --rms 3` as a fresh process finishes in under 2 s (4 s allowed on a loaded machine)."""
    start = time.perf_counter()
    proc = run("2pc", "--rms", "3")
    elapsed = time.perf_counter() - start
    print(f"cold start of `check 2pc --rms 3`: {elapsed:.2f} s")
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 4.0, f"took {elapsed:.2f} s"


def test_tcommit_exits_zero_with_its_figures():
    """`check tcommit` exits 0 with 34 distinct, 94 generated, depth 7."""
    proc = run("tcommit")
    assert proc.returncode == 0, proc.stderr
    assert "34 distinct, 94 generated, depth 7" in proc.stdout


# check 2pc --bug: a violation

def test_bug_report_shows_the_step_table():
    """The bug's report marks consistent VIOLATED and prints why and the 9-step table."""
    out = invoke("2pc", "--rms", "3", "--bug", BUG).stdout
    assert re.search(r"^\s*consistent\s+always\s+VIOLATED\s+counterexample of 9 steps \(10 states\), shortest", out, re.M), out
    assert "consistent is violated" in out
    assert "why: RMs [1] committed while RMs [0] aborted" in out
    assert re.search(r"^\s*8\s+rm_choose_to_abort\(rm=0\)\s+rm_state\[0\]: prepared -> aborted", out, re.M), out
    assert re.search(r"^\s*9\s+rm_rcv_commit_msg\(rm=1\)\s+rm_state\[1\]: prepared -> committed", out, re.M), out
    assert re.search(r"^\s*0\s+\(initial state\)", out, re.M)


def test_bug_exits_one():
    """A violation makes the real entry point exit 1."""
    proc = run("2pc", "--rms", "3", "--bug", BUG)
    assert proc.returncode == 1, proc.stderr
    assert "rm_choose_to_abort(rm=0)" in proc.stdout and "why:" in proc.stdout


def test_continue_decides_every_property():
    """`--continue` on the bug exhausts the search: nothing is left UNKNOWN, and it still exits 1."""
    proc = run("2pc", "--bug", BUG, "--continue")
    assert proc.returncode == 1, proc.stderr
    assert "UNKNOWN" not in proc.stdout
    assert re.search(r"^\s*commit_needs_all_prepared\s+always\s+HOLDS", proc.stdout, re.M)


def test_property_selection_checks_only_that_property():
    """`--property consistent` on tm-commits-early reports only consistent, with its 3-step trace."""
    out = invoke("2pc", "--bug", "tm-commits-early", "--property", "consistent").stdout
    assert "commit_needs_all_prepared" not in out
    assert "counterexample of 3 steps (4 states), shortest" in out


# bounds: UNKNOWN

def test_depth_limit_exits_three():
    """`--max-depth 5` cuts the search: invariants are UNKNOWN, exit 3, and the bound is shown."""
    proc = run("2pc", "--rms", "3", "--max-depth", "5")
    assert proc.returncode == 3, proc.stderr
    assert re.search(r"^\s*consistent\s+always\s+UNKNOWN\s+depth limit reached", proc.stdout, re.M), proc.stdout
    assert "bounds: depth <= 5" in proc.stdout
    assert re.search(r"^\s*commit_needs_all_prepared\s+always\s+UNKNOWN", proc.stdout, re.M)
    assert not re.search(r"^\s*\w+\s+(always|deadlock)\s+HOLDS", proc.stdout, re.M)
    assert "not exhaustive" in proc.stdout


def test_state_limit_exits_three():
    """`--max-states 10` stops early with exit 3 and never says an invariant HOLDS."""
    proc = run("2pc", "--max-states", "10")
    assert proc.returncode == 3, proc.stderr
    assert re.search(r"^\s*consistent\s+always\s+UNKNOWN\s+state limit reached", proc.stdout, re.M), proc.stdout


# --format json and program

def test_json_format():
    """`--format json` is JSON with every verdict, TLC's figures and the stop reason."""
    proc = run("2pc", "--rms", "3", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model"] == "2pc" and doc["options"]["rms"] == 3
    assert {p["name"]: p["verdict"] for p in doc["properties"]} == {
        "consistent": "HOLDS", "commit_needs_all_prepared": "HOLDS", "all_committed": "HOLDS",
        "aborted_after_prepare": "HOLDS", "deadlock_free": "HOLDS",
    }
    assert (doc["stats"]["distinct"], doc["stats"]["generated"], doc["stats"]["depth"]) == (288, 1146, 11)
    assert doc["exhaustive"] is True and doc["stop"] == "EXHAUSTED" and doc["exit_code"] == 0


def test_json_format_of_a_violation_carries_its_trace():
    """`--format json` with the bug has consistent VIOLATED with 10 steps (initial + 9) and exits 1."""
    proc = run("2pc", "--bug", BUG, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    consistent = next(p for p in doc["properties"] if p["name"] == "consistent")
    assert consistent["verdict"] == "VIOLATED"
    assert len(consistent["trace"]) == 10
    assert consistent["trace"][8]["action"] == {"name": "rm_choose_to_abort", "args": {"rm": 0}}
    assert doc["exit_code"] == 1


def test_program_format_reproduces_the_violation(tmp_path):
    """`--format program` prints a program that, run on its own, fails with the property's AssertionError."""
    proc = run("2pc", "--rms", "3", "--bug", BUG, "--format", "program")
    assert proc.returncode == 1, proc.stderr
    assert "model = TwoPhase(rms=3, bug='rm-aborts-after-prepare')" in proc.stdout
    program = tmp_path / "reproduce.py"
    program.write_text(proc.stdout)
    compile(proc.stdout, str(program), "exec")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    ran = subprocess.run([sys.executable, str(program)], cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert ran.returncode != 0
    assert "AssertionError: consistent is violated: RMs [1] committed while RMs [0] aborted" in ran.stderr, ran.stderr


def test_program_format_without_a_violation_says_so():
    """`--format program` on the correct model prints no program and one line on stderr."""
    proc = run("2pc", "--format", "program")
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert "no violation found" in proc.stderr


# --trace-out and replay

def test_replay_reports_the_violation_at_step_nine(trace_file):
    """`check replay FILE` of the saved trace exits 1 and says consistent is violated at step 9."""
    proc = run("replay", str(trace_file))
    assert proc.returncode == 1, proc.stderr
    assert "consistent is violated at step 9: RMs [1] committed while RMs [0] aborted" in proc.stdout
    assert "9 steps" in proc.stdout
    assert "rm_choose_to_abort(rm=0)" in proc.stdout


def test_trace_file_is_a_json_document(trace_file):
    """The saved trace names its model, options and property, and holds the initial state plus 9 steps."""
    doc = json.loads(trace_file.read_text())
    assert doc["model"] == "2pc" and doc["options"] == {"rms": 3, "bug": BUG}
    assert doc["property"] == "consistent" and doc["verdict"] == "VIOLATED"
    assert len(doc["steps"]) == 10 and doc["steps"][0]["action"] is None


def test_replay_of_an_edited_trace_is_refused_naming_the_step(trace_file, tmp_path):
    """An edited state or a trace cut short: exit 2, one line naming the first step that does not
    match (tests/checker/test_replay.py has every kind of damage)."""
    doc = json.loads(trace_file.read_text())
    doc["steps"][3]["state"]["rm_state"][2] = "aborted"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    proc = run("replay", str(edited))
    assert_one_line_error(proc, code=2)
    assert "edited or truncated" in proc.stderr and "step 3 does not match" in proc.stderr
    doc = json.loads(trace_file.read_text())
    doc["steps"] = doc["steps"][:5]
    edited.write_text(json.dumps(doc))
    proc = run("replay", str(edited))
    assert_one_line_error(proc, code=2)
    assert "match 2pc up to step 4, where the file ends" in proc.stderr


def test_replay_format_program_prints_a_program(trace_file):
    """`check replay FILE --format program` prints the reproducing program, not the step table."""
    proc = run("replay", str(trace_file), "--format", "program")
    assert "Traceback" not in proc.stderr
    assert "from models.commit.twophase import TwoPhase" in proc.stdout, proc.stdout[:300]
    assert "assert model.consistent(state)" in proc.stdout


# help

def test_model_help_shows_rms_with_help_and_default():
    """`check 2pc --help` shows --rms with its help text and default 3."""
    result = invoke("2pc", "--help")
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert re.search(r"--rms INTEGER number of resource managers \(3 gives 288 states, 7 gives 296,448\) \[default: 3\]", text), text
    assert "rm-aborts-after-prepare" in text and "tm-commits-early" in text


# bad input (the full list is tests/test_cli_inputs.py)

@pytest.mark.parametrize("document", [{"a": 1}, [1, 2], "trace", None])
def test_replay_of_json_that_is_not_a_trace(tmp_path, document):
    """Replaying JSON that is not a trace document: one line, exit 2."""
    path = tmp_path / "other.json"
    path.write_text(json.dumps(document))
    proc = run("replay", str(path))
    assert_one_line_error(proc)
    assert "not a trace file" in proc.stderr


@pytest.mark.parametrize("damage", ["no-steps", "empty-steps", "action-not-an-object", "unknown-model", "unknown-property", "rms-out-of-range"])
def test_replay_of_a_damaged_trace(trace_file, tmp_path, damage):
    """A trace file with a damaged field: one line on stderr, exit 2, never a traceback."""
    doc = json.loads(trace_file.read_text())
    if damage == "no-steps":
        del doc["steps"]
    elif damage == "empty-steps":
        doc["steps"] = []
    elif damage == "action-not-an-object":
        doc["steps"][5]["action"] = "rm_prepare"
    elif damage == "unknown-model":
        doc["model"] = "raft"
    elif damage == "unknown-property":
        doc["property"] = "nope"
    else:
        doc["options"]["rms"] = 1000
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(doc))
    assert_one_line_error(run("replay", str(path)))


def test_unwritable_trace_out_is_one_line(tmp_path):
    """`--trace-out` into a directory that does not exist: one line on stderr and exit 2, no traceback."""
    proc = run("2pc", "--bug", BUG, "--trace-out", str(tmp_path / "no-such-dir" / "t.json"))
    assert "Traceback" not in proc.stderr, proc.stderr[-400:]
    assert proc.returncode == 2
    assert [line for line in proc.stderr.splitlines() if line.startswith("check: ")], proc.stderr


def test_simulate_with_an_unreachable_state_limit_still_ends():
    """`--strategy simulate --max-states 1000` on a 288-state model ends (help: simulate's time limit defaults to 10 s)."""
    start = time.perf_counter()
    try:
        proc = run("2pc", "--strategy", "simulate", "--max-states", "1000", timeout=14)
    except subprocess.TimeoutExpired:
        pytest.fail("simulation with --max-states above the reachable count ran for 14 s without stopping")
    print(f"simulate with --max-states 1000 ended after {time.perf_counter() - start:.1f} s")
    assert proc.returncode == 3, proc.stderr


def test_actor_model_prints_a_sequence_chart_for_the_blocking_trace():
    """`check 2pc-actors --participants 2 --faults crash=1` exits 1 and draws the blocking trace as a chart."""
    result = subprocess.run([sys.executable, "cli.py", "2pc-actors", "--participants", "2", "--faults", "crash=1"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "faults   crash=1" in result.stdout
    assert "n0 coordinator" in result.stdout and "[CRASH]" in result.stdout and "Prepare()" in result.stdout


def test_actor_model_as_mermaid_and_faults_it_does_not_allow():
    """--format mermaid draws the chart; a fault the model does not model is one line and exit 2."""
    chart = subprocess.run([sys.executable, "cli.py", "2pc-actors", "--participants", "2", "--bug", "skip-failed-commit",
                            "--format", "mermaid"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert chart.returncode == 1 and chart.stdout.startswith("sequenceDiagram")
    refused = subprocess.run([sys.executable, "cli.py", "2pc-actors", "--faults", "partition=1"],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == ["check: --faults names partition, which 2pc-actors does not model (it allows: crash, restart, drop)"]


def test_no_symmetry_flag_gives_the_same_verdict_over_more_states():
    """--no-symmetry explores more states and reaches the same verdicts."""
    runs = [subprocess.run([sys.executable, "cli.py", "2pc-actors", "--participants", "2", flag, "--format", "json"],
                           cwd=REPO, capture_output=True, text=True, timeout=60) for flag in ("--symmetry", "--no-symmetry")]
    reports = [json.loads(run.stdout) for run in runs]
    assert [[p["verdict"] for p in r["properties"]] for r in reports][0] == [[p["verdict"] for p in r["properties"]] for r in reports][1]
    assert (reports[0]["stats"]["distinct"], reports[1]["stats"]["distinct"]) == (1609, 2913)
