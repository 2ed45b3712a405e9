"""The HTML drawing of a history (specs/consistency/faces/html.py): a well-formed page whose SVG has a
line per process with a bar per operation, the order numbered when the history holds, the core
outlined when it does not, values escaped, and a layout that keeps bars apart."""
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from specs.consistency import Event, object_named, pair, read_history
from specs.consistency.faces.html import history_page
from specs.consistency.faces.report import judge

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"
SVG = "{http://www.w3.org/2000/svg}"
STALE = [(0, "invoke", "write", 1), (0, "ok", "write", 1), (1, "invoke", "write", 2), (1, "ok", "write", 2),
         (2, "invoke", "read", None), (2, "ok", "read", 1), (3, "invoke", "write", 3), (3, "info", "write", 3),
         (0, "invoke", "cas", [5, 6]), (0, "fail", "cas", [5, 6])]


def page_of(ops, obj="register", condition="linearizable", initial=None):
    """The page, parsed as XML, and the judgement it draws."""
    judgement = judge(ops, object_named(obj, initial), condition)
    text = history_page(ops, judgement, "a history <of> 'tests' & more")
    return ET.fromstring(text), judgement, text


def chart(root, name):
    """The timeline SVG of the chart called `name` (alone or whole)."""
    div = next(d for d in root.iter("div") if d.get("class") == f"chart {name}")
    return next(svg for svg in div.iter(f"{SVG}svg") if svg.get("class") == "timeline")


def bars(svg):
    """Each operation's group in a timeline: {index: (process, classes, group)}."""
    found = {}
    for lane in svg.iter(f"{SVG}g"):
        if lane.get("class") == "lane":
            for group in lane.findall(f"{SVG}g"):
                found[int(group.get("data-index"))] = (lane.get("data-process"), group.get("class").split(), group)
    return found


def test_the_page_is_one_well_formed_document_without_scripts_or_links():
    root, _, text = page_of(pair(Event(*e) for e in STALE))
    assert root.tag == "html" and text.startswith("<!DOCTYPE html>")
    assert root.find("head/style") is not None
    assert not list(root.iter("script")) and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    parser = HTMLParser()
    parser.feed(text)
    parser.close()


def test_each_process_has_a_line_with_a_bar_per_operation():
    ops = pair(Event(*e) for e in STALE)
    root, _, _ = page_of(ops)
    drawn = bars(chart(root, "whole"))
    assert sorted(drawn) == [op.index for op in ops]
    for op in ops:
        process, _, group = drawn[op.index]
        assert process == f"p{op.process}"
        assert group.find(f"{SVG}title").text.splitlines()[0] == op.describe()
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert names[-4:] == ["p0", "p1", "p2", "p3"]


def test_a_violation_outlines_the_core_and_marks_the_stuck_operations():
    ops = pair(Event(*e) for e in STALE)
    root, judgement, _ = page_of(ops)
    core = judgement.core.indices()
    drawn = bars(chart(root, "whole"))
    assert {i for i, (_, classes, _) in drawn.items() if "core" in classes} == core == {0, 1, 2}
    assert {i for i, (_, classes, _) in drawn.items() if "refused" in classes} == {2}
    assert {i for i, (_, classes, _) in drawn.items() if "timed-out" in classes} == {3}
    assert {i for i, (_, classes, _) in drawn.items() if "failed" in classes} == {4}
    alone = bars(chart(root, "alone"))
    assert {i for i, (_, classes, _) in alone.items() if "core" in classes} == core
    assert all("timed-out" in classes for i, (_, classes, _) in alone.items() if i not in core)
    assert [li.text for li in root.iter("li")] == [op.describe() for op in judgement.core.operations]
    assert any(line.get("class") == "stuck-at" for line in chart(root, "whole").iter(f"{SVG}line"))
    verdict = next(p for p in root.iter("p") if "verdict" in (p.get("class") or ""))
    assert verdict.text.startswith("NOT LINEARIZABLE: 5 operations")


def numbers(svg):
    """The order numbers on the bars: {index: number}."""
    return {i: int(next(t for t in g.iter(f"{SVG}text") if t.get("class") == "number").text)
            for i, (_, classes, g) in bars(svg).items() if "in-order" in classes}


def test_a_holding_history_numbers_its_order_and_joins_its_points():
    ops = pair(Event(*e) for e in STALE[:4] + [(2, "invoke", "read", None), (2, "ok", "read", 2)])
    root, judgement, _ = page_of(ops)
    svg = chart(root, "whole")
    assert judgement.holds and numbers(svg) == {op.index: n for n, op in enumerate(judgement.order, 1)}
    assert [op.index for op in judgement.order] == [0, 1, 2]
    assert len([p for p in svg.iter(f"{SVG}polyline") if p.get("class") == "order"]) == 1
    assert not any("core" in classes for _, classes, _ in bars(svg).values())


def test_a_sequential_order_is_numbered_without_a_line_through_time():
    ops = pair(Event(*e) for e in STALE[:6])
    root, judgement, _ = page_of(ops, condition="sequential")
    svg = chart(root, "whole")
    assert judgement.holds and sorted(numbers(svg).values()) == [1, 2, 3]
    assert not list(svg.iter(f"{SVG}polyline"))


def test_a_session_violation_outlines_the_operations_involved():
    ops = pair(Event(*e) for e in [(0, "invoke", "write", 1), (0, "ok", "write", 1), (0, "invoke", "write", 2),
                                   (0, "ok", "write", 2), (1, "invoke", "read", None), (1, "ok", "read", 2),
                                   (1, "invoke", "read", None), (1, "ok", "read", 1)])
    root, judgement, _ = page_of(ops, condition="monotonic-reads")
    outlined = {i for i, (_, classes, _) in bars(chart(root, "whole")).items() if "core" in classes}
    assert not judgement.holds and outlined == {op.index for op in judgement.involved}


def test_values_and_names_are_escaped():
    odd = "<b>&\"x'</b>"
    ops = pair([Event(odd, "invoke", "put", odd, "k<"), Event(odd, "ok", "put", odd, "k<"),
                Event("q", "invoke", "get", None, "k<"), Event("q", "ok", "get", "<i>", "k<")])
    root, _, text = page_of(ops, "kv")
    assert "<b>" not in text and "<i>" not in text
    drawn = bars(chart(root, "whole"))
    assert drawn[0][0] == odd
    labels = [t.text for t in drawn[0][2].iter(f"{SVG}text")]
    assert labels[0].startswith("put 'k<'")
    assert root.find("head/title").text == "a history <of> 'tests' & more"


def rects(svg):
    """Each bar's (row y, x, right end) in a timeline."""
    return {i: (float(g.find(f"{SVG}rect").get("y")), float(g.find(f"{SVG}rect").get("x")),
                float(g.find(f"{SVG}rect").get("x")) + float(g.find(f"{SVG}rect").get("width")))
            for i, (_, _, g) in bars(svg).items()}


def test_a_real_history_is_laid_out_in_time_with_bars_apart():
    _, ops = read_history((DATA / "etcd" / "etcd_000.log").read_text())
    root, judgement, _ = page_of(ops, "cas-register")
    svg = chart(root, "whole")
    placed = rects(svg)
    assert len(placed) == len(ops) == 85
    by_index = {op.index: op for op in ops}
    rows: dict[float, list] = {}
    for i, (y, left, right) in placed.items():
        rows.setdefault(y, []).append((left, right))
    for spans in rows.values():  # no two bars of a row overlap
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    for a in ops:  # x follows the event positions
        for b in ops:
            if a.invoked < b.invoked:
                assert placed[a.index][1] < placed[b.index][1]
    width = float(svg.get("width"))
    open_ends = [right for i, (_, _, right) in placed.items() if by_index[i].completed == float("inf")]
    assert open_ends and all(abs(right - (width - 8)) < 1 for right in open_ends)  # timed out: to the right edge
    alone = bars(chart(root, "alone"))
    assert judgement.core is not None and len(alone) == len(judgement.core.operations) + len(judgement.core.placed_among())
