"""The atomic-commitment conditions on hand-made participant states."""
import pytest

from specs.atomic_commit import all_decided, consistent_decisions


@pytest.mark.parametrize("states", [
    (),
    ("working", "prepared"),
    ("committed", "committed", "prepared"),
    ("aborted", "working", "aborted"),
    ["committed", "committed"],
    ("committed",),
    ("aborted",),
])
def test_consistent_when_decisions_agree(states):
    """No commit beside an abort: consistent, whatever the undecided participants do."""
    assert consistent_decisions(states) is True


@pytest.mark.parametrize("states", [
    ("committed", "aborted"),
    ("aborted", "working", "committed"),
    ("prepared", "committed", "prepared", "aborted"),
    ["aborted", "committed", "committed"],
])
def test_inconsistent_when_one_commits_and_another_aborts(states):
    """A commit and an abort anywhere in the states: inconsistent."""
    assert consistent_decisions(states) is False


@pytest.mark.parametrize("states, expected", [
    ((), True),
    (("committed", "committed"), True),
    (("aborted", "aborted", "aborted"), True),
    (("committed", "aborted"), True),
    (("committed", "prepared"), False),
    (("working",), False),
    (("aborted", "aborted", "working"), False),
    (("Committed",), False),
])
def test_all_decided(states, expected):
    """Decided means every participant is committed or aborted; an empty group is vacuously decided."""
    assert all_decided(states) is expected


def test_all_decided_accepts_any_iterable():
    """all_decided reads a generator, not only a sequence."""
    assert all_decided(s for s in ["committed", "aborted"])
    assert not all_decided(iter(["committed", "working"]))
