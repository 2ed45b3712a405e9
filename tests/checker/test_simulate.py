"""Random simulation: deterministic for a seed, never exhaustive, with minimised counterexamples."""
import os
import pathlib
import subprocess
import sys

import pytest

from checker import StopReason, Verdict, check
from tiny_models import Counter, Graph, Lights, Noisy, dead_ends, verdicts

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent

DETOURS = Graph({0: [("a", 1), ("c", 2)], 1: [("b", 9), ("back", 0)], 2: [("d", 9), ("back", 0)], 9: []}, bad={9}, ends={9})


@pytest.mark.parametrize("seed", range(5))
def test_counterexample_is_minimised(seed):
    """Random walks on Noisy wander (toggles, resets) but the counterexample shown is inc() x 3."""
    result = check(Noisy(limit=3), strategy="simulate", seed=seed, time_limit=10)
    result.assert_discovery("below_limit", ["inc()", "inc()", "inc()"])
    assert result["below_limit"].note == "counterexample of 3 steps (4 states), minimised"
    assert result.stop is StopReason.FIRST_VIOLATION
    assert result.exit_code == 1


@pytest.mark.parametrize("seed", range(10))
def test_same_seed_same_run(seed):
    """Two runs with one seed give the same trace and the same figures."""
    first, second = (check(DETOURS, strategy="simulate", seed=seed, time_limit=10) for _ in range(2))
    assert first["never_bad"].trace == second["never_bad"].trace
    assert first["never_bad"].trace.labels() in (["a()", "b()"], ["c()", "d()"])
    figures = [(r.stats.generated, r.stats.distinct, r.stats.depth) for r in (first, second)]
    assert figures[0] == figures[1]


def test_same_seed_same_figures_under_a_state_bound():
    """With max_states as the budget, a seed fixes the number of walks and so every figure."""
    runs = [check(Noisy(limit=4), strategy="simulate", seed=3, max_states=10) for _ in range(2)]
    assert runs[0].stop is runs[1].stop is StopReason.STATE_LIMIT
    first, second = ((r.stats.generated, r.stats.distinct, r.stats.depth) for r in runs)
    assert first == second


def test_invariant_never_holds_under_simulation():
    """Simulation of a correct model leaves its invariant UNKNOWN; a reached witness still HOLDS."""
    result = check(Noisy(limit=4), strategy="simulate", seed=1, time_limit=0.2)
    assert result.stop is StopReason.TIME_LIMIT
    assert verdicts(result) == {"below_limit": "UNKNOWN", "both_flipped": "HOLDS", "deadlock_free": "UNKNOWN"}
    assert result.exit_code == 3


def test_state_bound_stops_simulation_unknown():
    """A state bound ends a simulation with STATE_LIMIT and no HOLDS for the invariant."""
    result = check(Noisy(limit=4), strategy="simulate", seed=0, max_states=10)
    assert result.stop is StopReason.STATE_LIMIT
    assert result.verdict("below_limit") is Verdict.UNKNOWN
    assert result.stats.distinct >= 10


def test_depth_bound_is_the_walk_length():
    """On the infinite counter, walks of max_depth=5 states see exactly the states 0..4."""
    result = check(Counter(), strategy="simulate", seed=0, max_depth=5, time_limit=0.2)
    assert (result.stats.distinct, result.stats.depth) == (5, 5)
    assert result.verdict("not_bad") is Verdict.UNKNOWN


@pytest.mark.parametrize("seed", range(3))
def test_simulation_finds_deadlocks(seed):
    """A deadlock found by a random walk is reported with a minimised trace ending in a dead state."""
    result = check(dead_ends(), strategy="simulate", seed=seed, time_limit=10)
    assert result.verdict("deadlock_free") is Verdict.VIOLATED
    assert result["deadlock_free"].trace.labels() in (["a()", "c()"], ["b()", "e()", "f()"])


@pytest.mark.parametrize("seed", range(3))
def test_simulation_finds_transition_violations(seed):
    """never_off fails on the first switch_off; the minimised trace switches one light on, then off."""
    result = check(Lights(n=3), strategy="simulate", seed=seed, time_limit=10, properties=["never_off"])
    labels = result["never_off"].trace.labels()
    assert len(labels) == 2
    assert labels[0].startswith("switch_on(") and labels[1] == labels[0].replace("switch_on", "switch_off")


def test_state_bound_above_the_reachable_states_still_terminates():
    """Simulating a 3-state cycle with max_states=10 (never reached) ends on the default time budget."""
    program = (
        "import importlib\n"
        "from tiny_models import cycle\n"
        "engine = importlib.import_module('checker.check')\n"
        "engine.SIMULATION_SECONDS = 0.3\n"
        "print(engine.check(cycle(), strategy='simulate', max_states=10).stop.name)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    try:
        done = subprocess.run([sys.executable, "-c", program], cwd=HERE, env=env, capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("check(cycle(), strategy='simulate', max_states=10) was still running after 5 s")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "TIME_LIMIT"
