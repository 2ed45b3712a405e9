"""Sequence charts fit the width they are given without cutting anything: every message label
whole on (or wrapped above) its arrow, every change whole in the changes column, and a clear
ChartTooWide, with the width needed, when the lanes alone do not fit."""
import re
from functools import cache

import pytest

from checker import check
from checker.actors.faults import FaultBudget
from checker.faces.charts import ChartTooWide, chart, mermaid
from checker.faces.values import show
from models.consensus.raft import Raft
from models.commit.threephase import ThreePhase

WIDTHS = (100, 120, 160, 200)
NUMBERED = re.compile(r"^ *(\d+)  ")
ARROW_ART = re.compile(r"[|<>x2-]*[|-][|<>x2-]*")  # bars, dashes and heads: "|-----", "---->|", "|<--", "--x|"


@cache
def counterexample(name: str):
    """(trace, roles) of the first violation: raft's no-log-check, and 3pc with a partition."""
    model = Raft(nodes=3, bug="no-log-check", max_term=4, elections="anytime", faults=FaultBudget.parse("crash=1")) if name == "raft" else ThreePhase(participants=2, faults=FaultBudget.parse("partition=1"))
    result = check(model)
    violation = next(p for p in result.violations if p.trace is not None)
    return violation.trace, [model.role(node) for node in model.ids]


def labels(trace) -> list[str]:
    """What each delivery's arrow says, as the chart prints it (`show(msg)`, plus (lost) or (dup))."""
    suffix = {"deliver": "", "drop": " (lost)", "duplicate": " (dup)"}
    return [show(step.action.kwargs["msg"]) + suffix[step.action.name] for step in trace.steps[1:] if step.action.name in suffix]


def changes_column(lines: list[str]) -> int:
    """The column every change starts at: past the last lane bar, after three blank columns in every line."""
    last_bar = max(line.rfind("|") for line in lines[1:])
    for column in range(last_bar + 4, max(map(len, lines)) + 1):
        if all(not line[column - 3:column].strip() for line in lines) and any(line[column:column + 1].strip() for line in lines):
            return column
    return max(map(len, lines)) + 1


def blocks(text: str) -> list[tuple[list[str], str]]:
    """Each step's lines: the lane part (step number dropped) and its changes joined back into one string."""
    lines = text.splitlines()
    start = changes_column(lines)
    steps: list[tuple[list[str], list[str]]] = []
    for line in lines[1:]:
        if NUMBERED.match(line):
            steps.append(([], []))
        steps[-1][0].append(line[6:start])
        steps[-1][1].append(line[start:])
    return [(lanes, " ".join(" ".join(changes).split())) for lanes, changes in steps]


def label_text(lanes: list[str]) -> str:
    """The words of a step's lane part that are not lane art: a message label, wrapped or not."""
    return " ".join(word for line in lanes for word in line.split() if not ARROW_ART.fullmatch(word))


@pytest.mark.parametrize("name", ["raft", "3pc"])
@pytest.mark.parametrize("width", WIDTHS)
def test_chart_fits_the_width_and_keeps_every_label_and_change(name, width):
    """At 100 to 200 columns: no line longer than the width, each arrow's label whole, each step's changes whole."""
    trace, roles = counterexample(name)
    text = chart(trace, roles, width)
    assert max(map(len, text.splitlines())) <= width, text
    wide = blocks(chart(trace, roles, 1000))  # nothing wraps: every change whole, one line a step
    steps = blocks(text)
    assert len(steps) == len(wide) == len(trace.steps) - 1
    assert [changes for _lanes, changes in steps] == [changes for _lanes, changes in wide]
    arrows = iter(labels(trace))
    for step, (lanes, _changes) in zip(trace.steps[1:], steps):
        if step.action.name in ("deliver", "drop", "duplicate"):
            assert label_text(lanes) == next(arrows), "\n".join(lanes)


def test_raft_labels_sit_whole_on_their_arrows_when_the_width_allows():
    """At 160 and 200 columns every raft label is on one line, verbatim; at 100 the long ones wrap above their arrow."""
    trace, roles = counterexample("raft")
    for width in (160, 200):
        text = chart(trace, roles, width)
        for label in labels(trace):
            assert f" {label} " in text, (label, text)
    narrow = chart(trace, roles, 100)
    assert any(f" {label} " not in narrow for label in labels(trace)), "at 100 columns some label wraps above its arrow"


def test_raft_changes_are_the_ones_the_checker_found():
    """The changes are whole, including the long ones a narrow column wraps, and continue on rows of bare lanes."""
    trace, roles = counterexample("raft")
    steps = blocks(chart(trace, roles, 100))
    changes = [c for _lanes, text in steps for c in text.split("; ")]
    for change in ("n0.term: 0 -> 1", "n0.role: follower -> candidate", "n1.log: () -> (1:a,)",
                   "n0.progress: +{n1: next=1 match=-1, n2: next=1 match=-1}", "n0.commits: +{(1, 1:a, 1)}",
                   "n2 timers: +{client, heartbeat} -{election}"):
        assert change in changes, (change, changes)


@pytest.mark.parametrize("name", ["raft", "3pc"])
def test_too_narrow_says_the_width_needed_and_draws_at_exactly_that(name):
    """Below the width the narrowest lanes need, ChartTooWide says how many columns and how to get them."""
    trace, roles = counterexample(name)
    with pytest.raises(ChartTooWide) as raised:
        chart(trace, roles, 60)
    needed = raised.value.needed
    assert 60 < needed <= 100 and isinstance(raised.value, ValueError)
    assert f"needs {needed} columns" in str(raised.value) and f"COLUMNS={needed}" in str(raised.value)
    assert "--format mermaid" in str(raised.value)
    with pytest.raises(ChartTooWide):
        chart(trace, roles, needed - 1)
    text = chart(trace, roles, needed)
    assert max(map(len, text.splitlines())) <= needed
    assert [c for _l, c in blocks(text)] == [c for _l, c in blocks(chart(trace, roles, 1000))]


def test_mermaid_keeps_every_label_whole():
    """Mermaid ends a message at ";" or "#", so those are entity codes; every label is there in full."""
    trace, roles = counterexample("raft")
    diagram = mermaid(trace, roles)
    for label in labels(trace):
        assert f": {label.replace('#', '#35;').replace(';', '#59;')}\n" in diagram, label
    assert "n0->>n1: Append t1 [1:a] after 0@t0 commit=0\n" in diagram
