"""checker.faces.values: JSON forms, short text and field-by-field differences of states."""
import enum

from checker import ActionLabel, record
from checker.actors.actor import Envelope, NodeId
from checker.faces.values import diff, show, to_json
from tiny_models import Point


@record
class Node:
    """A state with a tuple, a set and a dict."""

    roles: tuple[str, ...]
    msgs: frozenset
    votes: dict


class Color(enum.Enum):
    RED = 1


def test_to_json_of_records_and_containers():
    """Records become tagged objects, tuples lists, sets sorted lists, string-keyed dicts objects."""
    assert to_json(Point(1, 2)) == {"_type": "Point", "x": 1, "y": 2}
    assert to_json((1, "a", None, True)) == [1, "a", None, True]
    assert to_json(frozenset({3, 1, 2})) == [1, 2, 3]
    assert to_json({"a": (1, 2)}) == {"a": [1, 2]}
    assert to_json(Color.RED) == "RED"


def test_to_json_of_sets_and_dicts_is_stable():
    """Sets of records sort by their JSON; dicts with non-string keys become sorted pairs."""
    assert to_json(frozenset({Point(2), Point(1)})) == [{"_type": "Point", "x": 1, "y": 0}, {"_type": "Point", "x": 2, "y": 0}]
    assert to_json({2: "b", 1: "a"}) == [[1, "a"], [2, "b"]]


def test_to_json_of_action_labels():
    """An action label is its name and its arguments by name."""
    assert to_json(ActionLabel("send", (("to", 1), ("msg", Point(0))))) == {
        "name": "send",
        "args": {"to": 1, "msg": {"_type": "Point", "x": 0, "y": 0}},
    }
    assert to_json(ActionLabel("tick")) == {"name": "tick", "args": {}}


def test_show_is_short_text():
    """Strings unquoted, one-tuples with a comma, sets sorted, records with field names."""
    assert show("working") == "working"
    assert show(("a",)) == "(a,)"
    assert show(("a", "b")) == "(a, b)"
    assert show(frozenset({"b", "a"})) == "{a, b}"
    assert show(frozenset()) == "{}"
    assert show(Point(1, 2)) == "Point(x=1, y=2)"
    assert show({"k": (1, 2)}) == "{k: (1, 2)}"
    assert show(Color.RED) == "RED"
    assert show(None) == "None"
    assert show([1, "x"]) == "[1, x]"


def test_diff_of_equal_values_is_empty():
    """No changes between equal states."""
    state = Node(("w",), frozenset(), {})
    assert list(diff(state, state)) == []


def test_diff_names_changed_record_fields():
    """Only the changed field is listed, with old and new short text."""
    assert list(diff(Point(1, 2), Point(1, 3))) == [("y", "2", "3")]


def test_diff_goes_into_tuples_sets_and_dicts():
    """Tuple items by index, set additions and removals, dict entries by key."""
    before = Node(("w", "w"), frozenset({Point(0)}), {"a": 1, "b": 2})
    after = Node(("w", "p"), frozenset({Point(1)}), {"a": 1, "b": 3})
    assert list(diff(before, after)) == [
        ("roles[1]", "w", "p"),
        ("msgs", "", "+{Point(x=1, y=0)} -{Point(x=0, y=0)}"),
        ("votes.b", "2", "3"),
    ]


def test_diff_of_sets_only_added_or_only_removed():
    """A set that only grew shows +{...}; one that only shrank shows -{...}."""
    assert list(diff(frozenset({1}), frozenset({1, 2, 3}))) == [("", "", "+{2, 3}")]
    assert list(diff(frozenset({1, 2}), frozenset())) == [("", "", "-{1, 2}")]


def test_diff_of_different_shapes_shows_both_values():
    """Records of different classes, tuples of different lengths, dicts with different keys: whole values."""
    assert list(diff(Point(1), Node((), frozenset(), {}))) == [("", "Point(x=1, y=0)", "Node(roles=(), msgs={}, votes={})")]
    assert list(diff((1,), (1, 2))) == [("", "(1,)", "(1, 2)")]  # a sequence (a log) is shown whole
    ping, pong = Envelope(NodeId(0), NodeId(1), "ping"), Envelope(NodeId(1), NodeId(0), "pong")
    assert list(diff((ping,), (ping, pong))) == [("", "", "+{Envelope(src=n1, dst=n0, msg=pong)}")]  # messages in flight: a multiset
    assert list(diff({"a": 1}, {"b": 1})) == [("", "{a: 1}", "{b: 1}")]
