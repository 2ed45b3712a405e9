"""`check MODEL --strategy prove|bmc` on the command line: verdicts, exit codes, one-line refusals."""
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import cli

REPO = Path(__file__).resolve().parents[1]


def invoke(*args):
    """The click group in-process (its output; exit codes come from `run`)."""
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def run(*args):
    """The real entry point, for its exit code."""
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_prove_2pc_prints_proved_for_any_number_and_exits_zero():
    result = run("2pc", "--strategy", "prove")
    assert result.returncode == 0, result.stdout
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("consistent "))
    assert "PROVED" in line and "for 3 RMs and for any number" in line
    assert "NOT JUDGED" in result.stdout and "Z3 queries" in result.stdout


def test_prove_a_seeded_bug_exits_one_with_the_shortest_trace():
    result = run("2pc", "--bug", "rm-aborts-after-prepare", "--strategy", "prove")
    assert result.returncode == 1
    assert "a real bug (shortest trace, 9 steps, 3 RMs)" in " ".join(result.stdout.split())
    assert "rm_rcv_commit_msg(rm=1)" in result.stdout


def test_bmc_exits_one_and_its_trace_file_replays(tmp_path):
    path = tmp_path / "bmc.json"
    result = run("2pc", "--bug", "rm-aborts-after-prepare", "--strategy", "bmc", "--property", "consistent", "--trace-out", str(path))
    assert result.returncode == 1 and "counterexample of 9 steps, shortest (bounded model checking)" in result.stdout
    replayed = run("replay", str(path))
    assert replayed.returncode == 1 and "consistent" in replayed.stdout


def test_prove_as_json_names_the_verdicts():
    result = invoke("tcommit", "--strategy", "prove", "--format", "json")
    verdicts = {p["name"]: p["verdict"] for p in json.loads(result.stdout)["properties"]}
    assert verdicts["consistent"] == "PROVED" and verdicts["all_committed"] == "NOT JUDGED"


def test_a_model_without_a_symbolic_form_is_refused_in_one_line():
    proc = subprocess.run([sys.executable, "cli.py", "lock-ordering", "--strategy", "prove"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and "has no symbolic form" in proc.stderr


def test_prove_refuses_workers():
    proc = subprocess.run([sys.executable, "cli.py", "2pc", "--strategy", "prove", "--workers", "2"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "prove runs in one process" in proc.stderr


def test_quorums_that_cannot_meet_exit_one():
    result = run("quorum", "--r", "1", "--w", "1", "--strategy", "prove")
    assert result.returncode == 1 and "share no replica" in result.stdout


def test_ctrl_c_stops_a_proof_at_once_with_what_it_has():
    import signal
    import time
    proc = subprocess.Popen([sys.executable, "cli.py", "raft-election", "--nodes", "5", "--max-term", "5", "--strategy", "prove"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal's foreground job has it
    time.sleep(2.0)  # the proof for 5 servers takes longer than this
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 10 and "Traceback" not in err
    assert proc.returncode == 3 and "interrupted (Ctrl-C)" in out


def test_check_list_says_what_prove_judges_for_each_model():
    described = {m["name"]: m["prove"] for m in json.loads(invoke("list", "--format", "json").stdout)}
    assert described["2pc"] == ["invariants (symbolic form models.commit.twophase_proof:TwoPhaseProof)"]
    assert described["quorum"] == ["quorum intersection"] and described["lock-ordering"] == []
    assert "What --strategy prove judges (Z3)" in invoke("raft-election", "--help").stdout
