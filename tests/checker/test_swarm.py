"""Swarm verification (`check MODEL --swarm`): a grid of configurations on worker processes."""
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from checker.engine.swarm import RunStatus, RunVerdict, SwarmRun, SwarmStop, judge_witnesses, run_swarm
from checker.faces.report import to_text
from checker.faces.swarm_report import command_line, save_first_violation, swarm_report
from checker.properties import Kind
from checker.verdict import StopReason, Verdict
from models.commit.tcommit import TCommit
from models.commit.twophase import TwoPhase

REPO = Path(__file__).resolve().parents[2]
BUG = "rm-aborts-after-prepare"


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def children_of(pid):
    """The pids of the live processes whose parent is `pid` (a /proc scan; zombies count as gone)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def assert_no_workers_left():
    assert multiprocessing.active_children() == []
    assert children_of(os.getpid()) == []


def test_a_bug_is_found_in_the_smallest_configuration_that_has_it_and_its_trace_replays(tmp_path):
    result = run_swarm("2pc", TwoPhase, TwoPhase.swarm_grid(BUG), bug=BUG, time_limit=30)
    assert_no_workers_left()
    assert result.exit_code == 1 and result.stop is SwarmStop.FIRST_VIOLATION
    first = result.first_violation
    assert first is not None and first.options == {"rms": 2} and [v.name for v in first.violated] == ["consistent"]
    assert result.runs[0].exhaustive and result.runs[0].stats.distinct == 15  # 1 RM cannot disagree with itself
    assert command_line("2pc", TwoPhase, first, BUG) == "check 2pc --rms 2 --bug rm-aborts-after-prepare"
    assert first.violation.trace is not None and len(first.violation.trace) == 7  # rebuilt by replaying the worker's document
    text = to_text(swarm_report(result, TwoPhase, 120), 120)
    assert "consistent is violated in configuration 2" in text and "reproduce: check 2pc --rms 2 --bug" in text
    assert "rm_choose_to_abort(rm=0)" in text
    path = tmp_path / "violation.json"
    assert save_first_violation(result, str(path)) == "consistent"
    replayed = cli("replay", str(path))
    assert replayed.returncode == 1, replayed.stderr
    assert "consistent is violated at step 7" in replayed.stdout


def test_the_correct_models_hold_in_every_configuration_with_exact_counts():
    result = run_swarm("2pc", TwoPhase, TwoPhase.swarm_grid()[:5], time_limit=30)
    assert_no_workers_left()
    assert result.exit_code == 0 and result.stop is SwarmStop.COMPLETE, [r.note for r in result.runs]
    assert [run.stats.distinct for run in result.runs] == [12, 56, 288, 1568, 8832]
    assert all(run.exhaustive and run.status is RunStatus.RAN for run in result.runs)
    assert all(w.verdict is Verdict.HOLDS for w in result.witnesses)
    text = to_text(swarm_report(result, TwoPhase, 120), 120)
    rows = [line.split() for line in text.splitlines() if line.strip()[:1].isdigit() and "all hold" in line]
    assert [row[:3] for row in rows] == [["1", "1", "12"], ["2", "2", "56"], ["3", "3", "288"], ["4", "4", "1,568"], ["5", "5", "8,832"]]

    proc = cli("tcommit", "--swarm", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert [run["options"] for run in runs] == [{"rms": n} for n in range(1, 11)]
    assert [run["stats"]["distinct"] for run in runs][:4] == [4, 12, 34, 96]
    assert all(run["exhaustive"] and run["outcome"] == "all hold" for run in runs)
    assert "every property holds in all 10 configurations" in proc.stderr


def test_a_tiny_time_limit_leaves_configurations_not_run_and_exits_3():
    started = time.monotonic()
    result = run_swarm("2pc", TwoPhase, TwoPhase.swarm_grid()[4:] + TwoPhase.swarm_grid()[:2], time_limit=0.3)
    assert time.monotonic() - started < 10
    assert_no_workers_left()
    assert result.exit_code == 3 and result.stop is SwarmStop.TIME_LIMIT
    statuses = [run.status for run in result.runs]
    assert RunStatus.NOT_RUN in statuses and not any(run.violated for run in result.runs)
    assert any(run.stop is StopReason.TIME_LIMIT for run in result.runs if run.status is RunStatus.RAN)  # rms=6 and 7 need longer
    text = to_text(swarm_report(result, TwoPhase, 120), 120)
    assert "not run" in text and "time limit" in text


class DyingTCommit(TCommit):
    """tcommit whose worker dies (SIGKILL) when built with 2 RMs, and which refuses 0 RMs as tcommit does."""

    def __attrs_post_init__(self) -> None:
        if self.rms == 2 and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        super().__attrs_post_init__()


def test_a_dead_worker_and_a_refused_configuration_are_reported_not_waited_for():
    result = run_swarm("tcommit", DyingTCommit, [{"rms": 0}, {"rms": 1}, {"rms": 2}, {"rms": 3}], time_limit=20)
    assert_no_workers_left()
    statuses = [run.status for run in result.runs]
    assert statuses == [RunStatus.REFUSED, RunStatus.RAN, RunStatus.DIED, RunStatus.RAN]
    assert "rms" in result.runs[0].note and "signal 9" in result.runs[2].note
    assert result.runs[3].stats.distinct == 34
    assert result.exit_code == 3  # a configuration died: nothing is known of it


def test_witnesses_are_judged_across_the_swarm():
    def run(index, verdict, stop=StopReason.EXHAUSTED):
        verdicts = (RunVerdict("safe", Kind.ALWAYS, Verdict.HOLDS), RunVerdict("reached", Kind.SOMETIMES, verdict))
        return SwarmRun(index, {"n": index}, RunStatus.RAN, verdicts=verdicts, stop=stop)

    somewhere = judge_witnesses([run(0, Verdict.NOT_REACHED), run(1, Verdict.HOLDS)])
    assert [(w.verdict, w.reached_in) for w in somewhere] == [(Verdict.HOLDS, 1)]
    nowhere = judge_witnesses([run(0, Verdict.NOT_REACHED), run(1, Verdict.NOT_REACHED)])
    assert nowhere[0].verdict is Verdict.NOT_REACHED
    unfinished = judge_witnesses([run(0, Verdict.NOT_REACHED), run(1, Verdict.UNKNOWN, StopReason.TIME_LIMIT)])
    assert unfinished[0].verdict is Verdict.UNKNOWN
    skipped = judge_witnesses([run(0, Verdict.NOT_APPLICABLE), SwarmRun(1, {}, RunStatus.REFUSED)])
    assert skipped[0].verdict is Verdict.NOT_APPLICABLE


def test_model_options_given_with_swarm_are_refused_in_one_line():
    proc = cli("raft", "--swarm", "--nodes", "3", "--strategy", "dfs")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "--nodes" in proc.stderr and "--strategy" in proc.stderr


def test_sigterm_stops_a_raft_swarm_with_a_partial_table_and_no_worker_left():
    proc = subprocess.Popen([sys.executable, "cli.py", "raft", "--swarm", "--time-limit", "120"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not children_of(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)  # the workers are searching
        workers = children_of(proc.pid)
        assert workers, "no worker started"
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=15)
        assert time.monotonic() - sent < 8
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 3, err
    assert "terminated (SIGTERM)" in out and "not run" in out and "states" in out
    assert all(not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
               for pid in workers)
