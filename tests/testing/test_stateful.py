"""The stateful bridge (checker/testing/) on real models: a two-line test module fails with a
readable trace and passes on the correct model; seeded bugs are found fast and shown with the
explorer's shortest trace; actor models fail with a sequence chart; witnesses are recorded;
invariants, transition properties and deadlocks fail as they should; the `check_model` fixture;
`check MODEL --strategy hypothesis`; --checker-seed.

Deterministic: profile "ci" (derandomized, no database) unless a test is about another profile,
and then seeded; pytest and the command line run in subprocesses working in tmp_path, so no
Hypothesis database is written in the repository.
"""
import json
import re
from pathlib import Path

import pytest
from hypothesis import settings as Settings

from checker import Kind, check
from checker.registry import build
from checker.testing import StatefulFailure, run_stateful, stateful_test
from checker.testing import profiles
from checker.testing.profiles import chosen
from stateful_models import Mutex, Odometer, Philosophers
from subprocess_runs import run_cli, run_pytest

HERE = Path(__file__).resolve().parent


def failure_of(test_class: type) -> str | None:
    """Run a TestCase made by stateful_test in this process: its failure message, or None."""
    try:
        test_class().runTest()
    except StatefulFailure as failure:
        return str(failure)
    return None


def shortest(model, prop: str) -> int:
    """The length of the explorer's trace for `prop` (a breadth-first search: the shortest)."""
    found = check(model, properties=[prop])[prop]
    assert found.trace is not None, found
    return len(found.trace)


# A two-line test module, run by pytest ------------------------------------------------------

def test_a_two_line_module_fails_with_the_trace_and_passes_on_the_correct_model(tmp_path):
    buggy, correct = tmp_path / "test_buggy_2pc.py", tmp_path / "test_correct_2pc.py"
    buggy.write_text("from checker.testing import stateful_test\n"
                     "TestTwoPhase = stateful_test('2pc', rms=3, bug='rm-aborts-after-prepare', profile='ci')\n")
    correct.write_text("from checker.testing import stateful_test\n"
                       "TestTwoPhase = stateful_test('2pc', rms=3, profile='ci')\n")
    done = run_pytest(buggy, correct.name, "-rA")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "1 failed, 1 passed" in out, out
    assert re.search(r"^PASSED test_correct_2pc.py::TestTwoPhase::runTest", out, re.MULTILINE), out
    assert re.search(r"^FAILED test_buggy_2pc.py::TestTwoPhase::runTest", out, re.MULTILINE), out
    failure = out.split("TestTwoPhase.runTest")[1]
    assert "consistent is violated (always)" in failure
    assert "why: RMs [1] committed while RMs [0] aborted" in failure
    assert "the shortest trace, 9 steps, from the explorer" in failure
    assert re.search(r"step\s+action\s+changes", failure) and "rm_choose_to_abort(rm=0)" in failure
    assert "a program that reproduces it" in failure
    assert "checker/testing/run.py" not in out and "checker/testing/testcase.py" not in out, out
    assert "Traceback" not in out and "raise StatefulFailure" not in out, out


# Seeded bugs: found fast, shown as short as the explorer's ----------------------------------

@pytest.mark.parametrize("bug", ["rm-aborts-after-prepare", "tm-commits-early"])
def test_seeded_2pc_bugs_are_found_fast_with_the_explorers_trace(bug):
    """The quick profile (seeded; without the database, so an earlier run's saved failure is not
    replayed first): found in under 10 s, and the trace shown is the explorer's shortest."""
    model = build("2pc", rms=3, bug=bug)
    outcome = run_stateful(model, settings=Settings(chosen("quick"), database=None), seed=1)
    assert outcome.violation is not None, f"{bug} not found"
    assert outcome.seconds < 10, outcome.seconds
    assert outcome.source == "explorer"
    assert len(outcome.shown) == shortest(model, outcome.violation.prop.name)
    assert len(outcome.shown) <= len(outcome.violation.trace)  # never longer than Hypothesis's run


def test_every_2pc_bug_is_covered():
    """The test above names every seeded bug of 2pc."""
    assert sorted(build("2pc").bugs) == ["rm-aborts-after-prepare", "tm-commits-early"]


# Actor models: a sequence chart ------------------------------------------------------------

def chart_lines(message: str) -> list[str]:
    """The lines of a message sequence chart: arrows between lifelines."""
    return [line for line in message.splitlines() if re.search(r"\|-+.*-+>\||\|<-+.*-+\|", line)]


def test_2pc_actors_fails_with_a_sequence_chart():
    test = stateful_test("2pc-actors", bug="skip-failed-commit", profile="quick", seed=1)  # seeds 0 and 2 miss it in 200 runs
    message = failure_of(test)
    assert message is not None
    assert message.startswith("atomicity is violated (always)"), message
    assert re.search(r"^\s+n0 coordinator\s+n1 participant\s+n2 participant\s+n3 participant\s*$", message, re.MULTILINE), message
    assert chart_lines(message) and "Prepare()" in message and "[CRASH]" in message, message
    model = build("2pc-actors", bug="skip-failed-commit")
    assert f"the shortest trace, {shortest(model, 'atomicity')} steps, from the explorer" in message


def test_raft_without_faults_fails_with_a_sequence_chart():
    """Raft, 3 servers, votes granted without the log check, no faults: the quick profile's runs
    reach the violation (seeds 0 to 3 all do, in 5 to 13 s; with the default faults only some
    seeds do), and the explorer's shortest trace, 12 steps, is shown."""
    model = build("raft", nodes=3, bug="no-log-check", faults="none")
    test = stateful_test(model, profile="quick", seed=2)
    message = failure_of(test)
    assert message is not None
    assert message.startswith("leader_completeness is violated (always)"), message
    assert f"the shortest trace, {shortest(model, 'leader_completeness')} steps, from the explorer" in message
    assert "the shortest trace, 12 steps" in message
    assert re.search(r"^\s+n0 server\s+n1 server\s+n2 server\s*$", message, re.MULTILINE), message
    assert any("RequestVote" in line for line in chart_lines(message)), message


# Witnesses --------------------------------------------------------------------------------

def test_sometimes_witnesses_are_recorded():
    model = Mutex()
    outcome = run_stateful(model, settings=chosen("ci"))
    assert outcome.violation is None
    assert set(outcome.witnessed) == {"held"}  # everyone_holds needs the bug
    trace = outcome.witnessed["held"]
    assert len(trace) == 1 and len(trace.steps[-1].state.holders) == 1


def test_2pc_witnesses_are_recorded():
    outcome = run_stateful(build("2pc", rms=2), settings=chosen("ci"))
    assert outcome.violation is None
    assert {"aborted_after_prepare", "all_committed"} <= set(outcome.witnessed)
    committed = outcome.witnessed["all_committed"].steps[-1].state
    assert set(committed.rm_state) == {"committed"}


# Each kind of property fails as it should --------------------------------------------------

@pytest.mark.parametrize("model, prop, kind, steps", [
    (Mutex(bug="no-check"), "mutual_exclusion", Kind.ALWAYS, ["acquire(client=0)", "acquire(client=1)"]),
    (Odometer(bug="rollback"), "never_decreases", Kind.TRANSITION, ["advance()", "rollback()"]),
    (Philosophers(), "deadlock_free", Kind.DEADLOCK, ["take_left(p=0)", "take_left(p=1)"]),
], ids=["invariant", "transition", "deadlock"])
def test_each_kind_of_property_fails(model, prop, kind, steps):
    outcome = run_stateful(model, settings=chosen("ci"))
    assert outcome.violation is not None, f"{prop} not violated"
    assert (outcome.violation.prop.name, outcome.violation.prop.kind) == (prop, kind)
    assert outcome.source == "explorer"
    assert [str(step.action) for step in outcome.shown.steps[1:]] == steps
    message = failure_of(stateful_test(model, profile="ci"))
    assert message is not None and message.startswith(f"{prop} is violated ({kind.value})"), message
    assert re.search(rf"the shortest trace, {len(steps)} steps?, from the explorer", message), message


@pytest.mark.parametrize("model", [Mutex(), Odometer(), Philosophers(ordered=True), Philosophers(philosophers=3, ordered=True)],
                         ids=["mutex", "odometer", "ordered-philosophers", "three-ordered-philosophers"])
def test_the_correct_variants_pass(model):
    assert failure_of(stateful_test(model, profile="ci")) is None


def test_a_deadlock_at_a_state_that_may_stop_is_no_failure():
    """The odometer stops at its top reading, which it declares (may_stop): runs reach it, and no deadlock is reported."""
    outcome = run_stateful(Odometer(top=1), settings=chosen("ci"))
    assert outcome.violation is None and outcome.longest == 1


# The check_model fixture --------------------------------------------------------------------

@pytest.fixture
def ci_profile(monkeypatch):
    """The profile the plugin's --checker-profile would choose, set to ci for this test."""
    monkeypatch.setitem(profiles.current, "profile", profiles.CI)
    monkeypatch.setitem(profiles.current, "seed", None)


@pytest.mark.parametrize("strategy", ["bfs", "hypothesis"])
def test_check_model_expects_a_violation(check_model, ci_profile, strategy):
    found = check_model("2pc", strategy=strategy, rms=3, bug="rm-aborts-after-prepare", expect_violation=True)
    if strategy == "bfs":
        assert [p.name for p in found.violations] == ["consistent"] and len(found["consistent"].trace) == 9
    else:
        assert found.violation.prop.name == "consistent" and len(found.shown) == 9


@pytest.mark.parametrize("strategy", ["bfs", "hypothesis"])
def test_check_model_passes_a_correct_model(check_model, ci_profile, strategy):
    check_model(Mutex(), strategy=strategy, properties=["mutual_exclusion"] if strategy == "bfs" else None)


@pytest.mark.parametrize("strategy", ["bfs", "hypothesis"])
def test_check_model_fails_on_an_unexpected_violation(check_model, ci_profile, strategy):
    with pytest.raises(pytest.fail.Exception) as failed:
        check_model(Mutex(bug="no-check"), strategy=strategy)
    assert "mutual_exclusion is violated" in str(failed.value)
    assert "acquire(client=0)" in str(failed.value) and "acquire(client=1)" in str(failed.value)


@pytest.mark.parametrize("strategy", ["bfs", "hypothesis"])
def test_check_model_fails_when_an_expected_violation_is_missing(check_model, ci_profile, strategy):
    with pytest.raises(pytest.fail.Exception) as failed:
        check_model(Odometer(), strategy=strategy, expect_violation=True)
    assert "never_decreases" in str(failed.value) if strategy == "bfs" else "no violation found" in str(failed.value)


def test_check_model_hypothesis_checks_only_the_properties_named(check_model, ci_profile):
    """Odometer with its bug violates never_decreases only; naming deadlock_free alone, bfs passes
    and so should hypothesis."""
    check_model(Odometer(bug="rollback"), strategy="bfs", properties=["deadlock_free"])
    check_model(Odometer(bug="rollback"), strategy="hypothesis", properties=["deadlock_free"])


def test_check_model_in_a_pytest_run_with_the_plugins_options(tmp_path):
    """The fixture from the entry-point plugin, with --checker-profile ci: a failing check shows
    the report (bfs) or the trace (hypothesis), never a traceback into the checker."""
    test_file = tmp_path / "test_with_fixture.py"
    test_file.write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('strategy', ['bfs', 'hypothesis'])\n"
        "def test_expected(check_model, strategy):\n"
        "    check_model('2pc', strategy=strategy, rms=3, bug='tm-commits-early', expect_violation=True)\n"
        "@pytest.mark.parametrize('strategy', ['bfs', 'hypothesis'])\n"
        "def test_unexpected(check_model, strategy):\n"
        "    check_model('2pc', strategy=strategy, rms=3, bug='tm-commits-early')\n")
    done = run_pytest(test_file, "--checker-profile", "ci", "-rA")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "2 failed, 2 passed" in out, out
    bfs_failure = out.split("test_unexpected[bfs]")[1].split("test_unexpected[hypothesis]")[0]
    assert "commit_needs_all_prepared" in bfs_failure and "VIOLATED" in bfs_failure, out
    hypothesis_failure = out.split("test_unexpected[hypothesis]")[1]
    assert "commit_needs_all_prepared is violated (always)" in hypothesis_failure
    assert re.search(r"the shortest trace, 1 steps?, from the explorer", hypothesis_failure), hypothesis_failure
    assert "checker/testing/" not in out and "Traceback" not in out, out


# The command line -------------------------------------------------------------------------

def test_check_with_strategy_hypothesis_twice(tmp_path):
    """The 2pc bug found from the command line, with the explorer's shortest trace; the same --seed
    in the same directory gives the same report (timings aside)."""
    def report(done):  # the verdicts' table, spaces collapsed
        table = done.stdout.split("  property ")[1].split("\n\n")[0]
        return [" ".join(line.split()) for line in table.splitlines()]
    first, second = (run_cli(tmp_path, "2pc", "--bug", "rm-aborts-after-prepare", "--strategy", "hypothesis", "--seed", "1")
                     for _ in range(2))
    assert first.returncode == 1, first.stdout + first.stderr
    assert re.search(r"consistent\s+always\s+VIOLATED\s+counterexample of 9 steps \(shortest, from the explorer\)", first.stdout), first.stdout
    assert "consistent is violated: counterexample of 9 steps (shortest, from the explorer)" in first.stdout
    assert re.search(r"search\s+hypothesis", first.stdout), first.stdout
    assert report(first) == report(second)


# --checker-seed ---------------------------------------------------------------------------

SEEDED_MODULE = """\
import json, sys
sys.path.insert(0, {here!r})
from hypothesis import settings
from checker.testing import stateful_test
from checker.testing.profiles import chosen
from checker.testing.testcase import last_outcome
from stateful_models import Mutex

TestMutex = stateful_test(Mutex(), settings=settings(chosen("quick"), max_examples=50))

def test_record_the_runs():
    with open("runs.json", "w") as out:
        json.dump(figures(last_outcome(TestMutex)), out)

def figures(outcome):
    return [outcome.runs, outcome.steps, outcome.longest, outcome.distinct, sorted(outcome.witnessed)]
"""


def figures(outcome) -> list:
    return [outcome.runs, outcome.steps, outcome.longest, outcome.distinct, sorted(outcome.witnessed)]


def test_checker_seed_gives_the_same_runs_twice(tmp_path):
    """The quick profile (the default; 50 runs here instead of 200, to save time), seeded by
    --checker-seed, makes the same runs in two pytest runs (in two processes, where string hashes differ)."""
    test_file = tmp_path / "test_seeded.py"
    test_file.write_text(SEEDED_MODULE.format(here=str(HERE)))
    runs = []
    for _ in range(2):
        done = run_pytest(test_file, "--checker-seed", "7")
        assert done.returncode == 0, done.stdout + done.stderr
        runs.append(json.loads((tmp_path / "runs.json").read_text()))
    assert runs[0] == runs[1] and runs[0][0] >= 50 and runs[0][1] > 250, runs