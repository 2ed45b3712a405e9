"""Result helpers: assert_ok, assert_discovery, lookups by name, exit codes, and the JSON form."""
import json

import pytest

from checker import Kind, Verdict, check
from checker.result import Bounds
from checker.faces.trace_io import result_to_json
from tiny_models import Lights, chain, dead_ends, two_roads


def test_assert_ok_passes_when_everything_holds():
    """assert_ok returns quietly when every property HOLDS."""
    check(chain(3)).assert_ok()


def test_assert_ok_raises_with_the_report():
    """assert_ok raises AssertionError whose message is the report, counterexample included."""
    with pytest.raises(AssertionError) as failure:
        check(two_roads()).assert_ok()
    message = str(failure.value)
    assert message.startswith("the check did not pass:")
    assert "never_bad" in message and "VIOLATED" in message
    assert "d()" in message and "e()" in message


def test_assert_ok_raises_on_unknown():
    """A search cut by a bound is not ok either."""
    with pytest.raises(AssertionError, match="depth limit reached"):
        check(chain(5), max_depth=2).assert_ok()


def test_assert_discovery_accepts_the_right_actions():
    """assert_discovery passes with exactly the trace's actions, or with no actions given."""
    result = check(two_roads())
    result.assert_discovery("never_bad", ["d()", "e()"])
    result.assert_discovery("never_bad")


def test_assert_discovery_with_wrong_actions_raises():
    """Other actions, a prefix, or a longer list all fail, showing what was discovered."""
    result = check(two_roads())
    for wrong in (["a()", "b()", "c()"], ["d()"], ["d()", "e()", "f()"], []):
        with pytest.raises(AssertionError, match=r"discovered \['d\(\)', 'e\(\)'\]"):
            result.assert_discovery("never_bad", wrong)


def test_assert_discovery_without_a_discovery_raises():
    """A property with nothing discovered fails assert_discovery with its verdict."""
    with pytest.raises(AssertionError, match="nothing discovered"):
        check(chain(3)).assert_discovery("never_bad")
    with pytest.raises(AssertionError, match="UNKNOWN"):
        check(dead_ends()).assert_discovery("never_bad")


def test_lookup_by_name():
    """result[name] gives the property's result; verdict(name) its verdict; unknown names are KeyErrors."""
    result = check(dead_ends())
    assert result["deadlock_free"].name == "deadlock_free"
    assert result["deadlock_free"].kind is Kind.DEADLOCK
    assert result["deadlock_free"].discovered
    assert not result["never_bad"].discovered
    assert result.verdict("deadlock_free") is Verdict.VIOLATED
    with pytest.raises(KeyError, match="never_bad"):
        result["nope"]
    with pytest.raises(KeyError):
        result.verdict("nope")


def test_violations_and_exit_codes():
    """violations lists VIOLATED properties in order; exit codes are 0 ok, 1 violation, 3 unknown."""
    result = check(Lights(n=2), stop_on_first_violation=False)
    assert [p.name for p in result.violations] == ["not_all_on", "never_off"]
    assert result.exit_code == 1
    assert check(chain(3)).exit_code == 0
    assert check(chain(3), max_depth=2).exit_code == 3


def test_bounds_describe():
    """Bounds describe themselves in one line, or 'none'."""
    assert Bounds().describe() == "none"
    assert Bounds(max_depth=5, max_states=10000, time_limit=1.5, state_constraint="at most 3 messages").describe() == (
        "depth <= 5, states <= 10,000, time <= 1.5 s, the model's state constraint (at most 3 messages)"
    )


def test_result_as_json():
    """The JSON form carries verdicts, traces, figures and the exit code, and is serialisable."""
    document = result_to_json(check(two_roads()), "two_roads")
    json.dumps(document)
    assert document["exit_code"] == 1
    assert document["stop"] == "FIRST_VIOLATION"
    assert document["exhaustive"] is False
    never_bad = document["properties"][0]
    assert never_bad["verdict"] == "VIOLATED"
    assert [step["state"] for step in never_bad["trace"]] == [0, 3, 9]
    assert [step["action"] for step in never_bad["trace"]] == [None, {"name": "d", "args": {}}, {"name": "e", "args": {}}]
