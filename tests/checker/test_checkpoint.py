"""Checkpoints (checker/engine/checkpoint.py): a search stopped anywhere, even by SIGKILL, resumes
to the counts, verdicts and trace lengths of an uninterrupted run; other runs' checkpoints are
refused with one line; a finished run shows its stored result."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker import FaultBudget, check
from checker.engine import checkpoint as checkpoint_module
from checker.engine.checkpoint import CheckpointError
from checker.engine import frontier as frontier_module
from checker.engine.parallel import coordinator as parallel
from checker.errors import UsageError
from models.consensus.raft import Raft
from models.commit.twophase import TwoPhase
from models.commit.twophase_actors import TwoPhaseActors
from tiny_models import verdicts

REPO = Path(__file__).resolve().parents[2]


def outcome(result):
    """What a resumed run must share with an uninterrupted one."""
    return (result.stats.distinct, result.stats.generated, result.stats.depth, result.stop, verdicts(result),
            {p.name: len(p.trace) for p in result.properties if p.trace is not None})


CASES = {
    "2pc": lambda: TwoPhase(rms=4),
    "2pc-bug": lambda: TwoPhase(rms=4, bug="rm-aborts-after-prepare"),
    "raft": lambda: Raft(nodes=3, max_term=1, faults=FaultBudget(crash=1)),  # its liveness properties hold
    "2pc-actors-blocking": lambda: TwoPhaseActors(participants=2, faults=FaultBudget(crash=1)),  # a liveness lasso
}
WHOLE: dict[str, tuple] = {}  # each case's uninterrupted outcome, computed once


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("stop_after", [1, 40, 700])
@pytest.mark.parametrize("workers", [1, 2])
def test_resumed_search_ends_as_an_uninterrupted_one(tmp_path, monkeypatch, case, stop_after, workers):
    """Stopped by the state limit after `stop_after` states (the checkpoint is the last level's
    end before it), then resumed without a limit: the same counts, verdicts and trace lengths.
    With 2 workers the first levels are split at once, so that the workers write checkpoints."""
    monkeypatch.setattr(parallel, "SPLIT_AT", 1)
    make = CASES[case]
    if case not in WHOLE:
        WHOLE[case] = outcome(check(make(), stop_on_first_violation=False))
    first = check(make(), checkpoint=tmp_path, checkpoint_every=0, max_states=stop_after, stop_on_first_violation=False, workers=workers)
    if workers > 1 and stop_after > 1:  # one generation of worker files: the older ones are removed
        files = sorted(p.name for p in tmp_path.glob("worker-*.ckpt"))
        assert len(files) == 2 and files[0].split(".")[1] == files[1].split(".")[1], files
    resumed = check(make(), checkpoint=tmp_path, resume=True, stop_on_first_violation=False, workers=workers)
    assert outcome(resumed) == WHOLE[case]
    if first.stats.distinct < WHOLE[case][0]:
        assert any(note.startswith(f"resumed from {tmp_path}") for note in resumed.notes)


def test_packed_frontier_resumes_alike(tmp_path, monkeypatch):
    """Levels large enough to be packed (here: beyond 50 states) are saved and resumed packed."""
    monkeypatch.setattr(frontier_module, "PACK_AT", 50)
    whole = check(TwoPhase(rms=5))
    check(TwoPhase(rms=5), checkpoint=tmp_path, checkpoint_every=0, max_states=4000)
    assert outcome(check(TwoPhase(rms=5), checkpoint=tmp_path, resume=True)) == outcome(whole)


def test_checkpoints_at_most_every_interval(tmp_path, monkeypatch):
    """After the first level, a checkpoint is written only when the interval has passed."""
    writes = []
    original = checkpoint_module.Checkpoints._write
    monkeypatch.setattr(checkpoint_module.Checkpoints, "_write", lambda self, name, content: (writes.append(name), original(self, name, content)))
    check(TwoPhase(rms=4), checkpoint=tmp_path, checkpoint_every=3600)
    assert writes == ["search.ckpt", "result.ckpt"]


def test_finished_run_shows_stored_result(tmp_path):
    whole = check(TwoPhase(rms=3), checkpoint=tmp_path)
    again = check(TwoPhase(rms=3), checkpoint=tmp_path, resume=True)
    assert outcome(again) == outcome(whole)
    assert again.notes[-1] == f"the result of a finished run, stored in {tmp_path}: nothing was searched"


def test_resume_from_empty_directory_starts_afresh(tmp_path):
    fresh = check(TwoPhase(rms=3), checkpoint=tmp_path / "new", resume=True)
    assert outcome(fresh) == outcome(check(TwoPhase(rms=3)))
    assert sorted(os.listdir(tmp_path / "new")) == ["result.ckpt", "search.ckpt"]


def test_checkpoint_of_another_run_is_refused(tmp_path):
    check(TwoPhase(rms=3), checkpoint=tmp_path, max_states=50)
    with pytest.raises(CheckpointError, match=r"a checkpoint of another run: options bug=None, rms=3 \(this run: bug=None, rms=4\)"):
        check(TwoPhase(rms=4), checkpoint=tmp_path, resume=True)
    with pytest.raises(CheckpointError, match="a checkpoint of another run: properties"):
        check(TwoPhase(rms=3), checkpoint=tmp_path, resume=True, properties=["consistent"])
    with pytest.raises(CheckpointError, match="a checkpoint of another run: max depth"):
        check(TwoPhase(rms=3), checkpoint=tmp_path, resume=True, max_depth=4)
    with pytest.raises(CheckpointError, match="holds a checkpoint already: --resume"):
        check(TwoPhase(rms=3), checkpoint=tmp_path)


def test_fingerprints_that_changed_are_refused(tmp_path, monkeypatch):
    """A resumed level is fingerprinted again: a model whose values hash differently in the new
    process (enums under another PYTHONHASHSEED) would otherwise count states twice."""
    check(TwoPhase(rms=4), checkpoint=tmp_path, checkpoint_every=0, max_states=200)
    monkeypatch.setattr("checker.model.value_fingerprint", lambda value: 7)
    with pytest.raises(CheckpointError, match="fingerprint differently in this process.*PYTHONHASHSEED=0"):
        check(TwoPhase(rms=4), checkpoint=tmp_path, resume=True)


def test_damaged_checkpoint_is_one_line(tmp_path):
    check(TwoPhase(rms=3), checkpoint=tmp_path, max_states=50)
    (tmp_path / "search.ckpt").write_bytes(b"not a pickle")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        check(TwoPhase(rms=3), checkpoint=tmp_path, resume=True)


def test_checkpoints_need_breadth_first_and_the_same_workers(tmp_path, monkeypatch):
    with pytest.raises(UsageError, match="breadth-first search only"):
        check(TwoPhase(rms=3), checkpoint=tmp_path, strategy="dfs")
    monkeypatch.setattr(parallel, "SPLIT_AT", 1)
    check(TwoPhase(rms=4), checkpoint=tmp_path / "two", workers=2, max_states=100)
    with pytest.raises(CheckpointError, match="the checkpoint was made by 2 workers: resume it with --workers 2"):
        check(TwoPhase(rms=4), checkpoint=tmp_path / "two", resume=True)
    check(TwoPhase(rms=4), checkpoint=tmp_path / "one", max_states=100)
    with pytest.raises(CheckpointError, match="the checkpoint was made by one process: resume it with --workers 1"):
        check(TwoPhase(rms=4), checkpoint=tmp_path / "one", resume=True, workers=2)


def cli(*args, **kwargs):
    return subprocess.Popen([sys.executable, "cli.py", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def counts(stdout):
    result = json.loads(stdout)
    return result["stats"]["distinct"], result["stats"]["generated"], result["stats"]["depth"], result["stop"], \
        [(p["name"], p["verdict"]) for p in result["properties"]]


def no_process_left(token, wait=5.0):
    """True once no process has `token` in its command line (forked workers keep their parent's)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if subprocess.run(["pgrep", "-f", token], capture_output=True).returncode == 1:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigkill_mid_search_then_resume(tmp_path, workers):
    """`kill -9` a checkpointing run in the middle of its search (with 2 workers: the coordinator,
    whose workers then die with it); --resume ends as a whole run does (2pc, 7 RMs: pinned)."""
    directory = tmp_path / "ckpt"
    options = ["2pc", "--rms", "7", "--workers", workers, "--format", "json"]
    run = cli(*options, "--checkpoint", str(directory), "--checkpoint-every", "0")
    saved = directory / "search.ckpt"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not saved.exists() or saved.stat().st_size < 50_000):
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    assert not (directory / "result.ckpt").exists()
    assert no_process_left(str(directory)), "a worker outlived its coordinator"
    resumed = cli(*options, "--resume", str(directory))
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    verdicts = [("consistent", "HOLDS"), ("commit_needs_all_prepared", "HOLDS"), ("all_committed", "HOLDS"),
                ("aborted_after_prepare", "HOLDS"), ("deadlock_free", "HOLDS")]
    assert counts(out) == (296448, 2744706, 23, "EXHAUSTED", verdicts)
    assert json.loads(out)["notes"][0].startswith(f"resumed from {directory} at depth ")
    assert json.loads(out)["stats"]["workers"] == int(workers)


def test_command_line_refusals_are_one_line(tmp_path):
    done = subprocess.run([sys.executable, "cli.py", "2pc", "--rms", "3", "--checkpoint", str(tmp_path), "--max-states", "20"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 3
    for args, message in [
        (("2pc", "--rms", "4", "--resume", str(tmp_path)), "a checkpoint of another run: options bug=None, rms=3 (this run: bug=None, rms=4)"),
        (("2pc", "--rms", "3", "--checkpoint", str(tmp_path)), "holds a checkpoint already"),
        (("2pc", "--rms", "3", "--checkpoint", str(tmp_path / "a"), "--resume", str(tmp_path / "b")), "--resume continues the checkpoints in its own directory"),
        (("2pc", "--rms", "3", "--resume", str(tmp_path), "--strategy", "simulate"), "breadth-first search only"),
    ]:
        proc = subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True)
        assert "Traceback" not in proc.stderr
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("check: ") and message in lines[0], proc.stderr


def test_parallel_checkpoint_before_the_split(tmp_path):
    """Before the split every worker holds the same states: the first worker alone writes them,
    and every worker resumes from its file (then the search splits as it would have)."""
    whole = check(TwoPhase(rms=5))
    check(TwoPhase(rms=5), checkpoint=tmp_path, checkpoint_every=0, max_states=300, workers=2)
    assert [p.name.split(".")[0] for p in tmp_path.glob("worker-*.ckpt")] == ["worker-0"]
    resumed = check(TwoPhase(rms=5), checkpoint=tmp_path, resume=True, workers=2)
    assert outcome(resumed) == outcome(whole)
    assert resumed.stats.workers == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_resume_goes_on_with_the_workers_that_made_it(tmp_path, workers):
    """Without --workers, --resume uses as many workers as made the checkpoint (the default, one
    per core, would be refused for a one-process checkpoint)."""
    first = subprocess.run([sys.executable, "cli.py", "2pc", "--rms", "4", "--checkpoint", str(tmp_path), "--workers", workers,
                            "--max-states", "100", "--checkpoint-every", "0"], cwd=REPO, capture_output=True, text=True)
    assert first.returncode == 3, first.stderr
    resumed = subprocess.run([sys.executable, "cli.py", "2pc", "--rms", "4", "--resume", str(tmp_path), "--format", "json"],
                             cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["stats"]["workers"] == int(workers) and result["stats"]["distinct"] == 1568
    assert result["notes"][0].startswith(f"resumed from {tmp_path}")


class Drifting(tuple):
    """A state that pickles to a different value (its counter one higher): a broken __reduce__."""

    def __reduce__(self):
        return (Drifting, ((self[0] + 1, self[1]),))


class DriftingModel:
    """Counts two counters up to 30 each; its states do not survive pickling."""

    check_deadlock = False

    def init_states(self):
        return [Drifting((0, 0))]

    def successors(self, state):
        from checker.model import ActionLabel
        a, b = state
        return [(ActionLabel(name), Drifting(nxt)) for name, nxt in (("a", (a + 1, b)), ("b", (a, b + 1))) if max(nxt) <= 30]

    def properties(self):
        return []


def test_states_that_change_when_packed_stop_the_search(monkeypatch):
    """The engine fingerprints the first state of every chunk it reads back from a packed level
    against its record: a state class that does not pickle to an equal value is a model error."""
    monkeypatch.setattr(frontier_module, "PACK_AT", 4)
    result = check(DriftingModel())
    assert result.stop.name == "MODEL_ERROR"
    assert "changed when its level was packed" in result.failure.error
    monkeypatch.setattr(frontier_module, "PACK_AT", 1 << 30)
    assert check(DriftingModel()).stats.distinct == 31 * 31
