"""Fingerprints must tell distinct states apart: no systematic collisions for ordinary values."""
import itertools
import os
import pathlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import Verdict, check, record
from checker.actors.actor import NodeId
from checker import fingerprint as fingerprints
from checker.fingerprint import fingerprint, python_fingerprint
from checker.model import ModelView
from tiny_models import Account, Graph, chain

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def test_states_minus_one_and_minus_two_are_distinct():
    """A chain 0 -> -1 -> -2 -> -3 has 4 distinct states (hash(-1) == hash(-2) in CPython)."""
    graph = Graph({0: [("dec", -1)], -1: [("dec", -2)], -2: [("dec", -3)], -3: []}, ends={-3})
    result = check(graph)
    assert result.stats.distinct == 4
    assert result.stats.depth == 4


def test_record_state_with_minus_two_is_reached():
    """Account: two withdrawals reach balance -2, violating overdraft_at_most_one with trace withdraw x 2."""
    result = check(Account(floor=-3))
    assert result.verdict("overdraft_at_most_one") is Verdict.VIOLATED
    result.assert_discovery("overdraft_at_most_one", ["withdraw()", "withdraw()"])


def test_distinct_small_integers_are_distinct_states():
    """A chain over 0..199 counts 200 distinct states (a control for the cases above)."""
    assert check(chain(200)).stats.distinct == 200


@record
class Pair:
    """A record for the fingerprint tests."""

    left: object
    right: object


@pytest.mark.parametrize("implementation", [python_fingerprint, fingerprint], ids=["python", "default"])
def test_equal_values_have_equal_fingerprints(implementation):
    """Values equal under Python equality share a fingerprint, whatever their types."""
    groups = [
        [1, 1.0, True, NodeId(1), complex(1, 0)],
        [0, 0.0, -0.0, False, NodeId(0)],
        [2**70, 2.0**70],
        [-(2**63), float(-(2**63))],
        [frozenset({1, 2}), {2, 1}, frozenset({1.0, True + 1})],
        [Pair(1, "a"), tuple(Pair(1, "a")), (Pair(1, "a")[0], 1.0, "a")],
        [(NodeId(0), (NodeId(1),)), (0, (1,)), (0.0, (True,))],
    ]
    for group in groups:
        assert len({implementation(value) for value in group}) == 1, group
        assert all(value == group[0] for value in group)


def test_frozenset_fingerprint_ignores_insertion_order():
    """{1, 9, 17} collide in a small hash table, so insertion order changes iteration order."""
    for items in ([1, 9, 17], [1, 9, 17, 25, -1, -2], ["a", "b", (1, 2), None, 3.5]):
        built = [frozenset(order) for order in itertools.permutations(items)]
        built += [set(order) for order in itertools.permutations(items)]
        assert len({fingerprint(value) for value in built}) == 1
        assert len({python_fingerprint(value) for value in built}) == 1
    grown = frozenset(range(100)) - frozenset(range(2, 100))
    assert fingerprint(grown) == fingerprint(frozenset({0, 1}))


@pytest.mark.parametrize("implementation", [python_fingerprint, fingerprint], ids=["python", "default"])
def test_values_hash_merges_are_distinct(implementation):
    """hash() merges -1 with -2 and integers equal modulo 2**61 - 1; fingerprints keep them apart."""
    pairs = [
        (-1, -2),
        (0, 2**61 - 1),
        (1, 2**61),
        (-1, 2**61 - 2),
        (2**64, 0),
        (2**63, -(2**63)),
        ((-1,), (-2,)),
        (Pair(-1, 0), Pair(-2, 0)),
        (frozenset({-1}), frozenset({-2})),
        ((1, 2), frozenset({1, 2})),
        ((1, 2), (2, 1)),
        ((), frozenset()),
        ((), None),
        ("", b""),
        ("ab", b"ab"),
        (0.5, 0),
        (float("inf"), float("-inf")),
        (((1, 2), 3), (1, (2, 3))),
        (frozenset({frozenset({1}), frozenset({2})}), frozenset({frozenset({1, 2})})),
    ]
    for a, b in pairs:
        assert implementation(a) != implementation(b), (a, b)
    small = [implementation(i) for i in range(-5000, 5000)]
    assert len(set(small)) == len(small)


def test_fingerprints_are_signed_64_bit():
    for value in (0, -1, "x", (1, "y"), frozenset({2}), 2**100, None, 3.25):
        assert -(2**63) <= fingerprint(value) < 2**63
        assert type(fingerprint(value)) is int


def test_unhashable_values_are_refused():
    """A list in a state is an error, as it is for hash()."""
    with pytest.raises(TypeError):
        fingerprint((1, [2]))
    with pytest.raises(TypeError):
        python_fingerprint((1, [2]))


VALUES = ["", "working", "models.commit.twophase.Prepared", "h\u00e9llo \u65e5\u672c", "a\ud800b", b"bytes\x00", -1, -2,
          2**61 - 1, 2**64 + 5, -(2**80), 1.5, None, True, (1, ("a", frozenset({"b", 3}))), Pair(-1, "z")]


def test_fingerprints_are_the_same_in_every_process():
    """Strings included: the fingerprint does not depend on PYTHONHASHSEED."""
    here = [fingerprint(value) for value in VALUES]
    script = (
        "from test_fingerprints import VALUES\n"
        "from checker.fingerprint import fingerprint, python_fingerprint\n"
        "print([fingerprint(v) for v in VALUES]); print([python_fingerprint(v) for v in VALUES])\n"
    )
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "checker")])}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
        assert done.stdout.splitlines() == [repr(here), repr(here)]


def test_pure_python_fallback_without_the_extension():
    """With the C extension unavailable, the module falls back to the pure-Python function (same results)."""
    script = (
        "import sys; sys.modules['checker._fingerprint'] = None\n"
        "from test_fingerprints import VALUES\n"
        "from checker import fingerprint as f\n"
        "print(f.IMPLEMENTATION); print([f.fingerprint(v) for v in VALUES])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "checker")])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == ["python", repr([fingerprint(value) for value in VALUES])]


def test_view_fingerprints_states_with_the_value_fingerprint():
    """Without symmetry the view's fingerprint is the value fingerprint itself (no hash())."""
    view = ModelView(chain(3))
    assert view.fingerprint(-1) == fingerprint(-1) != view.fingerprint(-2)


SCALARS = (
    st.integers()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(), max_size=20)
    | st.binary(max_size=20)
    | st.booleans()
    | st.none()
    | st.builds(NodeId, st.integers(min_value=0, max_value=9))
    | st.complex_numbers(allow_nan=False)
)
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.tuples(inner, inner)
    | st.lists(inner, max_size=4).map(tuple)
    | st.frozensets(inner, max_size=4)
    | st.sets(inner, max_size=4).map(frozenset)
    | st.builds(Pair, inner, inner),
    max_leaves=25,
)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.skipif(fingerprints.c_fingerprint is None, reason="the optional C extension checker._fingerprint is not built")
@settings(max_examples=400, deadline=None)
@given(NESTED)
def test_c_and_python_implementations_agree(value):
    assert fingerprints.c_fingerprint(value) == python_fingerprint(value)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(max_examples=200, deadline=None)
@given(NESTED)
def test_equal_nested_values_agree(value):
    """A value and a rebuilt copy (plain tuples for records, fresh frozensets) share a fingerprint."""
    def plain(v):
        if isinstance(v, tuple):
            return tuple(plain(item) for item in v)
        if isinstance(v, frozenset):
            return frozenset(plain(item) for item in v)
        return v
    copy = plain(value)
    assert copy == value
    assert fingerprint(copy) == fingerprint(value)
    assert python_fingerprint(copy) == python_fingerprint(value)
    if isinstance(value, frozenset):
        assert fingerprint(set(value)) == fingerprint(value)
