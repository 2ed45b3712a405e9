"""Conformance of an LRU cache (tests/testing/lru_cache.py) to its model
(tests/testing/cache_model.py), driven in lockstep by checker/testing/conformance.py: the cache
with an off-by-one in its capacity check diverges on the first put into a full cache, and the
report names the step and the field; the correct cache conforms.
"""
import re

import pytest
from pathlib import Path

from cache_model import Cache, LRUModel
from checker import check
from checker.model import ActionLabel
from checker import record
from checker.testing.conformance import Divergence, conformance_test
from checker.trace import Step, Trace
from lru_cache import LRUCache, OffByOneLRUCache
from subprocess_runs import run_pytest

CAPACITY = 2


@record
class Keys:
    """A state with a set field (for the report's wording of a set that differs)."""

    keys: frozenset[int]


def adapter(cache_class: type, capacity: int = CAPACITY) -> type:
    """An adapter for caches of `cache_class` with this capacity: each model step is the same call on the cache;
    the cache's entries in recency order and the last get's result are its state as the model's."""

    class CacheAdapter:
        def start(self, state: Cache) -> None:
            self.cache, self.read = cache_class(capacity), state.read

        def apply(self, act: ActionLabel) -> None:
            if act.name == "put":
                self.cache.put(**act.kwargs)
            else:
                self.read = self.cache.get(**act.kwargs)

        def observe(self) -> Cache:
            return Cache(tuple(self.cache.items()), self.read)

    CacheAdapter.__name__ = f"{cache_class.__name__}Adapter"
    return CacheAdapter


def failure_of(cache_class: type, profile: str) -> str | None:
    """The conformance test's failure message for this cache (None: it conforms)."""
    test = conformance_test(LRUModel(capacity=CAPACITY), adapter(cache_class), profile=profile)
    try:
        test().runTest()
    except AssertionError as failure:
        return str(failure)
    return None


def test_the_model_holds_its_own_properties():
    result = check(LRUModel(capacity=CAPACITY))
    assert result.exit_code == 0, [(p.name, p.verdict) for p in result.properties]


def test_the_off_by_one_cache_diverges_on_the_first_put_into_a_full_cache():
    """Three puts of distinct keys into a cache of capacity 2: the model evicts the first key at
    step 3, the cache keeps all three. The message names the step and the field that differs."""
    message = failure_of(OffByOneLRUCache, "ci")
    assert message is not None, "the off-by-one cache conformed"
    assert message.startswith("the implementation diverged from the model after step 3 (put(key="), message
    assert re.search(r"^  entries: the model has \(\([a-c], \d\), \([a-c], \d\)\), "
                     r"the implementation \(\([a-c], \d\), \([a-c], \d\), \([a-c], \d\)\)$", message, re.MULTILINE), message
    table = message.split("the model's steps (each applied to the implementation too):")[1]
    assert re.findall(r"^\s+(\d+)\s+(put|get)\(", table, re.MULTILINE) == [("1", "put"), ("2", "put"), ("3", "put")]
    assert "Traceback" not in message and "checker/testing" not in message


def test_the_correct_cache_conforms():
    """Profile ci itself: a passing run has no explain phase to leave out."""
    assert failure_of(LRUCache, "ci") is None


def test_a_plain_pytest_run_shows_the_divergence(tmp_path):
    """As a user runs it: a TestCase made by conformance_test in a test module, run by pytest
    with profile ci (its explain phase included), fails with the divergence report and no
    traceback into the checker. The smallest cache (capacity 1, two keys, one value) keeps the
    explain phase short."""
    test_file = tmp_path / "test_lru_conformance.py"
    test_file.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from cache_model import LRUModel\n"
        "from checker.testing.conformance import conformance_test\n"
        "from lru_cache import OffByOneLRUCache\n"
        "from test_conformance_cache import adapter\n"
        "TestOffByOne = conformance_test(LRUModel(capacity=1, keys=2, values=1), adapter(OffByOneLRUCache, 1), profile='ci')\n")
    done = run_pytest(test_file)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout, done.stdout
    assert "the implementation diverged from the model after step 2 (put(key='b', value=0)):" in done.stdout, done.stdout
    assert "entries: the model has ((b, 0),), the implementation ((a, 0), (b, 0))" in done.stdout, done.stdout
    assert "checker/testing/conformance.py" not in done.stdout, done.stdout


def test_a_set_field_that_differs_is_shown_with_both_values():
    """A store that keeps its keys as a set: the report shows what the model has and what the implementation has."""
    trace = Trace((Step(None, Keys(frozenset({1}))),))
    report = Divergence(trace, Keys(frozenset({1, 2})), Keys(frozenset({1, 3}))).report()
    assert "  keys: the model has {1, 2}, the implementation {1, 3}" in report, report


def test_a_state_that_is_not_a_record_is_named():
    trace = Trace((Step(None, (1, 2)),))
    report = Divergence(trace, (1, 2), (1, 2, 3)).report()
    assert "\n  : " not in report, report
