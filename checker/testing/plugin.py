"""The pytest plugin (registered by the `pytest11` entry point): profile and seed options for the
stateful tests, and the `check_model` fixture, which checks a registered model from a test and
fails with the report and trace, not a traceback into the engine.

    def test_raft_bug_is_found(check_model):
        result = check_model("raft", nodes=3, bug="no-log-check", expect_violation=True)

    pytest --checker-profile deep --checker-seed 7
"""
from typing import Any, Callable

import pytest

from checker.check import check, select_properties
from checker.model import ModelView
from checker.faces.report import render_text
from checker.registry import build
from checker.testing.failure import failure_message
from checker.testing.profiles import PROFILES, chosen, current
from checker.testing.run import run_stateful
from checker.testing.testcase import FINISHED


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("protocol-checker", "protocol checker (stateful tests of models)")
    group.addoption("--checker-profile", choices=sorted(PROFILES), default="quick",
                    help="Hypothesis profile of stateful tests: quick (every run), deep (long runs), ci (deterministic)")
    group.addoption("--checker-seed", type=int, default=None, help="seed every stateful test's runs (reproducible)")


def pytest_configure(config: Any) -> None:
    current["profile"] = PROFILES[config.getoption("--checker-profile")]
    current["seed"] = config.getoption("--checker-seed")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """After the tests: each stateful test's runs, and the `sometimes` witnesses its runs reached and did not."""
    if not FINISHED:
        return
    terminalreporter.section("stateful tests (protocol checker)")
    for name, model, outcome in FINISHED:
        witnesses = [p.name for p in ModelView(model).all_properties if p.kind.value == "sometimes" and p.by_default]
        reached = [w for w in witnesses if w in outcome.witnessed]
        missed = [w for w in witnesses if w not in outcome.witnessed]
        line = f"{name}: {outcome.runs} runs, {outcome.steps} steps, {outcome.distinct} distinct states"
        line += f"; witnesses reached: {', '.join(reached) or 'none'}" + (f"; not reached: {', '.join(missed)}" if missed else "")
        terminalreporter.write_line(line)


@pytest.fixture
def check_model() -> Callable[..., Any]:
    """Check a model (a registered name with options, or an instance) with a strategy: bfs, dfs,
    simulate or hypothesis. Anything but every property holding fails the test with the report
    and its traces; with `expect_violation`, finding no violation fails it. Returns the
    CheckResult (or, for hypothesis, the StatefulOutcome)."""
    def run(model: Any, *, strategy: str = "bfs", properties: list[str] | None = None, expect_violation: bool = False,
            **options: Any) -> Any:
        __tracebackhide__ = True
        instance = build(model, **options) if isinstance(model, str) else model
        if strategy == "hypothesis":
            selected = select_properties(ModelView(instance), properties) if properties else None
            outcome = run_stateful(instance, settings=chosen(), seed=current["seed"], properties=selected)
            if (outcome.violation is not None) != expect_violation:
                pytest.fail(failure_message(instance, outcome) if outcome.violation else
                            f"no violation found in {outcome.runs} Hypothesis runs ({outcome.steps} steps)", pytrace=False)
            return outcome
        result = check(instance, strategy=strategy, properties=properties)
        failed = bool(result.violations) if expect_violation else result.exit_code != 0
        if failed != expect_violation:
            pytest.fail(render_text(result, width=150), pytrace=False)
        return result
    return run
