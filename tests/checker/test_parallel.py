"""Parallel breadth-first search (checker/engine/parallel/coordinator.py): the same counts, verdicts and
shortest traces with 1, 2 and 3 workers; exact limits; model errors with their traces; clean
stops on SIGTERM and Ctrl-C; a worker that dies is reported, never a hang."""
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import time

import pytest

from checker import FaultBudget, StopReason, check
from checker.engine.parallel import coordinator as parallel
from checker.engine.parallel.exchange import WorkerLost
from checker.engine.parallel.worker import ModelSpec
from checker.errors import UsageError
from checker.faces.replay import failing_step
from checker.model import ModelView
from models.consensus.raft import Raft
from models.commit.tcommit import TCommit
from models.commit.threephase import ThreePhase
from models.commit.twophase import TwoPhase
from models.commit.twophase_actors import TwoPhaseActors
from tiny_models import (BoundedCounter, Counter, Fragile, Graph, Lights, Noisy, SymmetricLights, chain, cycle,
                         dead_ends, diamond, self_loop, two_roads, verdicts)

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = [sys.executable, "-c", "import cli; cli.main()"]


def outcome(result):
    """What must not depend on the number of workers."""
    return (result.stats.distinct, result.stats.generated, result.stats.depth, result.stop, verdicts(result),
            {p.name: len(p.trace) for p in result.properties if p.trace is not None},
            None if result.failure is None else (result.failure.error, len(result.failure.trace)))


def same_with_workers(make, split_at=(1, parallel.SPLIT_AT), **options):
    """Check with 1, 2 and 3 workers, the workers splitting the search at the first level of
    `split_at` states (1: at once, after the initial states; by default SPLIT_AT); the outcomes
    must be equal. Returns the results with 1, 2 and 3 workers."""
    single = check(make(), **options)
    for states in split_at:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(parallel, "SPLIT_AT", states)
            results = [single] + [check(make(), workers=workers, **options) for workers in (2, 3)]
        assert outcome(results[1]) == outcome(results[0])
        assert outcome(results[2]) == outcome(results[0])
        assert [r.stats.workers for r in results] == [1, 2, 3]
    return results


TINY = {
    "cycle": cycle,
    "diamond": diamond,
    "self_loop": self_loop,
    "single_state": lambda: chain(1),
    "chain4": lambda: chain(4),
    "two_initial": lambda: Graph({0: [("a", 1)], 5: [("b", 1)], 1: []}, init=(0, 5), ends={1}),
    "dead_ends": dead_ends,
    "dead_ends_5": lambda: dead_ends(ends={3}),
    "two_roads": two_roads,
    "lights": lambda: Lights(n=3),
    "symmetric_lights": lambda: SymmetricLights(n=4),
    "bounded_counter": lambda: BoundedCounter(limit=5),
    "noisy": lambda: Noisy(top=3, limit=9),
}


@pytest.mark.parametrize("make", list(TINY.values()), ids=list(TINY))
def test_tiny_models_same_outcome(make):
    same_with_workers(make)


def test_tiny_models_with_every_property_decided():
    """--continue: every property searched to the end (witnesses, a transition property)."""
    results = same_with_workers(lambda: Lights(n=3), stop_on_first_violation=False)
    assert results[0].stop is StopReason.EXHAUSTED


@pytest.mark.parametrize(("make", "distinct"), [
    (lambda: TwoPhase(rms=3), 288),
    (lambda: TwoPhase(rms=5), 8832),
    (lambda: TCommit(), None),
    (lambda: TwoPhaseActors(participants=2), None),
    (lambda: ThreePhase(participants=2), None),
], ids=["2pc-3", "2pc-5", "tcommit", "2pc-actors-2", "3pc-2"])
def test_protocols_same_counts(make, distinct):
    results = same_with_workers(make, split_at=(16,))
    assert results[0].stop is StopReason.EXHAUSTED
    if distinct is not None:
        assert results[0].stats.distinct == distinct


def test_raft_same_counts():
    """Raft, 3 nodes, terms up to 2: symmetry (whose classes depend on the order of the search),
    obsolete messages, faults, a state constraint."""
    model = Raft(nodes=3, max_term=2, elections="when-quiet", faults=FaultBudget.parse("crash=1,restart=1,drop=1"))
    results = [check(model, workers=workers) for workers in (1, 2)]
    assert outcome(results[1]) == outcome(results[0])
    assert results[0].stop is StopReason.EXHAUSTED and results[0].stats.distinct == 37360


def test_work_is_shared():
    """Every worker keeps part of the states (the first levels are split by fingerprint)."""
    store = parallel.PartitionedStore(2)
    search = _search_of(TwoPhase(rms=5))
    parallel.parallel_bfs(search, store)
    assert search.distinct == 8832 and all(seconds > 0.05 for seconds in store.cpu_seconds), store.cpu_seconds


def _search_of(model):
    from checker.check import select_properties
    from checker.engine.search import Limits, Search
    view = ModelView(model)
    return Search(view, select_properties(view, None), Limits())


def replays(model, prop_name, trace):
    """The trace is a path of the model from an initial state, and shows its property's discovery at its end."""
    view = ModelView(model)
    assert trace.steps[0].state in view.init_states
    for before, step in zip(trace.steps, trace.steps[1:]):
        assert (step.action, step.state) in list(view.successors(before.state))
    prop = next(p for p in view.all_properties if p.name == prop_name)
    return failing_step(view, prop, trace) == len(trace.steps) - 1


@pytest.mark.parametrize("bug", ["rm-aborts-after-prepare", "tm-commits-early"])
def test_counterexample_is_shortest_and_replays(bug):
    single = check(TwoPhase(rms=3, bug=bug))
    violated = single.violations[0].name
    for workers in (2, 3):
        result = check(TwoPhase(rms=3, bug=bug), workers=workers)
        assert [p.name for p in result.violations] == [violated]
        assert len(result[violated].trace) == len(single[violated].trace)
        assert replays(TwoPhase(rms=3, bug=bug), violated, result[violated].trace)
        assert result.exit_code == 1


def test_deadlock_and_transition_counterexamples_are_shortest():
    result = check(dead_ends(), workers=2)
    result.assert_discovery("deadlock_free", ["a()", "c()"])
    result = check(Lights(n=3), workers=3, properties=["never_off"])
    assert len(result["never_off"].trace) == 2
    assert replays(Lights(n=3), "never_off", result["never_off"].trace)


@pytest.mark.parametrize("limit", [1, 7, 1000, 8831, 8832, 9000])
def test_state_limit_is_exact(limit, monkeypatch):
    for split_at in (1, 1024):
        monkeypatch.setattr(parallel, "SPLIT_AT", split_at)
        for workers in (1, 2, 3):
            result = check(TwoPhase(rms=5), max_states=limit, workers=workers)
            assert result.stats.distinct == min(limit, 8832)
            assert result.stop is (StopReason.EXHAUSTED if limit >= 8832 else StopReason.STATE_LIMIT)


@pytest.mark.parametrize("depth", [1, 2, 5, 11])
def test_depth_limit_same_outcome(depth):
    same_with_workers(lambda: TwoPhase(rms=3), max_depth=depth)
    same_with_workers(lambda: Counter(), max_depth=depth)


def test_time_limit_stops_with_the_partial_result():
    result = check(Counter(), time_limit=0.5, workers=2, properties=["not_bad"])
    assert result.stop is StopReason.TIME_LIMIT
    assert result.exit_code == 3 and result.stats.distinct > 0


@pytest.mark.parametrize("where", ["action", "invariant", "transition", "witness"])
def test_model_error_is_reported_with_its_trace(where):
    single = check(Fragile(where=where))
    result = check(Fragile(where=where), workers=2)
    assert result.exit_code == 4 and result.stop is StopReason.MODEL_ERROR
    assert result.failure.error == single.failure.error
    assert result.failure.action == single.failure.action
    assert result.failure.trace.labels() == single.failure.trace.labels()


def test_other_strategies_refuse_workers():
    with pytest.raises(UsageError, match="breadth-first"):
        check(TwoPhase(rms=3), strategy="dfs", workers=2)


def test_model_spec_travels_as_its_factory():
    """Pickled (spawn, a cluster), a spec carries only the model's class and options."""
    spec = pickle.loads(pickle.dumps(ModelSpec(Raft(nodes=3, max_term=2))))
    assert spec.model is None and spec.build() == Raft(nodes=3, max_term=2)


class Doomed(Graph):
    """A chain whose successor function kills the worker process computing it at state 3."""

    def __init__(self, main_pid):
        super().__init__({i: [("step", i + 1)] for i in range(10)}, ends={10})
        self.main_pid = main_pid

    def successors(self, state):
        if state == 3 and os.getpid() != self.main_pid:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().successors(state)


def test_a_worker_killed_is_reported_not_a_hang():
    started = time.monotonic()
    with pytest.raises(WorkerLost, match="killed by SIGKILL"):
        check(Doomed(os.getpid()), workers=2)
    assert time.monotonic() - started < 30
    assert not _children(os.getpid())


def _children(pid):
    """Live (not zombie) child processes of `pid`."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
                found.append(int(entry.name))
    return found


def _alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


def _ctrl_c_as_in_a_terminal():
    """Ctrl-C's default action in the child, as a terminal's foreground job has it: a suite started in the
    background by a non-interactive shell (`pytest ... &`, as some CI runners do) inherits SIGINT ignored,
    and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_raft():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*CHECK, "raft", "--nodes", "3", "--workers", "2"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 30
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _children(process.pid)
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.5)  # well into the search (the full search takes minutes)
    return process, workers


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_stopped_run_reports_partial_result_and_leaves_no_worker(how):
    process, workers = _start_raft()
    if how == "SIGTERM":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
    out, err = process.communicate(timeout=30)
    assert process.returncode == 3, err
    assert ("terminated (SIGTERM)" if how == "SIGTERM" else "interrupted (Ctrl-C)") in out
    assert "2 workers" in out
    assert not any(_alive(pid) for pid in workers)


def test_killed_worker_on_the_command_line_is_one_line():
    process, workers = _start_raft()
    os.kill(workers[1], signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 3
    lines = [line for line in err.splitlines() if line.startswith("check:")]
    assert len(lines) == 1 and "worker 2 of 2 was killed by SIGKILL" in lines[0], err
    assert not any(_alive(pid) for pid in workers)
