"""Fingerprints must tell distinct states apart: no systematic collisions for ordinary values."""
import pytest

from checker import Verdict, check
from tiny_models import Account, Graph, chain

MINUS_ONE = pytest.mark.xfail(
    strict=True,
    reason="known limitation: fingerprints are Python's hash(), which maps -1 and -2 to the same value",
)


@MINUS_ONE
def test_states_minus_one_and_minus_two_are_distinct():
    """A chain 0 -> -1 -> -2 -> -3 has 4 distinct states (hash(-1) == hash(-2) in CPython)."""
    graph = Graph({0: [("dec", -1)], -1: [("dec", -2)], -2: [("dec", -3)], -3: []}, ends={-3})
    result = check(graph)
    assert result.stats.distinct == 4
    assert result.stats.depth == 4


@MINUS_ONE
def test_record_state_with_minus_two_is_reached():
    """Account: two withdrawals reach balance -2, violating overdraft_at_most_one with trace withdraw x 2."""
    result = check(Account(floor=-3))
    assert result.verdict("overdraft_at_most_one") is Verdict.VIOLATED
    result.assert_discovery("overdraft_at_most_one", ["withdraw()", "withdraw()"])


def test_distinct_small_integers_are_distinct_states():
    """A chain over 0..199 counts 200 distinct states (a control for the cases above)."""
    assert check(chain(200)).stats.distinct == 200
