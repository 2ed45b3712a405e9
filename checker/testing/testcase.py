"""One line turns a model into a pytest test: a unittest.TestCase that runs the model's state
machine under the chosen Hypothesis profile and fails with the trace, not a traceback.

    from checker.testing import stateful_test
    TestRaft = stateful_test("raft", nodes=3, bug="no-log-check")
"""
import unittest
from typing import Any

from hypothesis import settings as Settings

from checker.registry import build
from checker.testing.failure import failure_message
from checker.testing.profiles import chosen, current
from checker.testing.run import StatefulOutcome, run_stateful


class StatefulFailure(AssertionError):
    """A stateful test found a violation; its message is the trace."""


FINISHED: list[tuple[str, Any, StatefulOutcome]] = []  # (test name, model, outcome) of every stateful test run here


def stateful_test(model: Any, *, profile: str | None = None, settings: Settings | None = None, seed: int | None = None,
                  **options: Any) -> type[unittest.TestCase]:
    """A TestCase for a model instance, or a registered model's name and options; `profile` is
    quick, deep or ci (by default the one chosen with pytest's --checker-profile, else quick), or
    `settings` gives Hypothesis's settings outright; `seed` (or pytest's --checker-seed) fixes the runs."""
    instance = build(model, **options) if isinstance(model, str) else model

    def runTest(self: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
        __tracebackhide__ = True  # pytest: show the trace, not this frame
        outcome = run_stateful(instance, settings=settings or chosen(profile), seed=seed if seed is not None else current["seed"])
        type(self).outcome = outcome
        FINISHED.append((type(self).__name__, instance, outcome))
        if outcome.violation is not None:
            raise StatefulFailure(failure_message(instance, outcome)) from None

    name = "".join(part.capitalize() for part in str(getattr(instance, "name", type(instance).__name__)).replace("-", "_").split("_"))
    doc = f"Stateful test of {getattr(instance, 'title', lambda: type(instance).__name__)()}"
    return type(f"Test{name}", (unittest.TestCase,), {"runTest": runTest, "__doc__": doc, "outcome": None})


def last_outcome(test_class: type[unittest.TestCase]) -> StatefulOutcome | None:
    """What the last run of a stateful TestCase found (None before it ran)."""
    return getattr(test_class, "outcome", None)
