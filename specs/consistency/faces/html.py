"""A history and its verdict as one self-contained HTML page (inline SVG and CSS; no script, no
network), drawn as Porcupine and Knossos draw histories: one line per process, time left to
right, each operation a bar from its invocation to its completion labelled with its function and
values; a timed-out operation's bar is dashed and runs off to the right. Hovering over a bar
shows the operation described in full (an SVG <title>).

When the history holds, the bars carry the order found, numbered (for linearizability, a line
through the bars joins each operation's point in the order: per key for a kv store). When it
does not, the longest linearized (or placed) prefix is numbered the same way, the operations
stuck after it are marked (those the specification refuses there with `!`), a dashed line marks
where the search got stuck, and the smallest set of operations that cannot be ordered (the core,
minimal.py) is outlined in red, and drawn again above the whole history with the timed-out
operations its witness places among them. For a session guarantee's violation, the operations
involved are outlined. A checkbox fades everything else.

Positions along x are the history's event positions in order, spread just enough for each bar to
hold its label, so hundreds of operations stay readable: the drawing scrolls sideways while the
process names stay in place.
"""
from dataclasses import dataclass
from html import escape
from typing import Any, Hashable, Iterable

from checker.errors import CheckerError
from specs.consistency.faces.draw import label
from specs.consistency.history import FAILED, INDETERMINATE, NEVER, READS, Operation, process_name
from specs.consistency.faces.report import Judgement

CHAR = 7.4        # the width of a character of the 12px monospace font, about
TEXT_PAD = 8      # space each side of a label in its bar
GAP = 14          # the least space between two consecutive instants
BAR = 22          # a bar's height
ROW = 40          # from one row to the next (room above a bar for its number)
TOP = 28          # above the first row (room for the stuck line's label)
OPEN = 60         # how far a timed-out bar runs past its label, at least
LABEL = 28        # characters of a label on a bar, at most
NAMES = {"linearizable": "linearized", "sequential": "placed"}

STYLE = """
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 16px; margin: 0 0 4px; }
p { margin: 4px 0; }
.verdict { font-weight: bold; }
.verdict.violated { color: #b71c1c; }
.verdict.holds { color: #1b5e20; }
h2 { font-size: 14px; margin: 16px 0 4px; }
.chart { display: flex; border: 1px solid #ddd; background: #fff; }
.names { flex: none; border-right: 1px solid #ddd; background: #fafafa; }
.scroll { overflow-x: auto; flex: auto; }
svg text { font: 12px ui-monospace, Menlo, Consolas, monospace; dominant-baseline: central; }
.lane-line { stroke: #e4e4e4; }
.op rect { fill: #e8eef7; stroke: #7a8ca8; stroke-width: 1; }
.op.in-order rect { fill: #dcefdc; stroke: #4c9a4a; }
.op.stuck rect { fill: #fff2c4; stroke: #c99a00; }
.op.refused rect { fill: #ffdcd8; stroke: #c62828; }
.op.failed rect { fill: #f4f4f4; stroke: #aaa; stroke-dasharray: 2 3; }
.op.failed text { fill: #888; }
.op.timed-out rect { stroke-dasharray: 6 4; }
.op.core rect { stroke: #c62828; stroke-width: 3; }
.op:hover rect { stroke-width: 3; }
.number { font-size: 10px; fill: #2e6b2c; text-anchor: middle; }
.point { fill: #2e6b2c; }
.order { fill: none; stroke: #4c9a4a; stroke-width: 1.5; stroke-opacity: 0.7; }
.stuck-at { stroke: #c62828; stroke-dasharray: 4 4; }
.stuck-label { fill: #c62828; font-size: 11px; }
#fade:checked ~ .whole .op:not(.core) { opacity: 0.25; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 8px 0; font-size: 13px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { width: 34px; height: 16px; }
ol.core { font: 12px ui-monospace, Menlo, Consolas, monospace; }
"""


@dataclass(frozen=True)
class _Marks:
    """What to mark on a drawing: the numbered operations in their order, the stuck and refused
    ones, the outlined set, the position where the search got stuck, and whether the order is
    drawn through time (linearizability) or only numbered."""

    order: tuple[Operation, ...] = ()
    stuck: frozenset[int] = frozenset()
    refused: frozenset[int] = frozenset()
    outlined: frozenset[int] = frozenset()
    stuck_at: float | None = None
    timed: bool = True


def history_page(ops: Iterable[Operation], judgement: Judgement, title: str) -> str:
    """The HTML page for a history and the judgement on it."""
    ops = sorted(ops, key=lambda op: op.invoked)
    placed = NAMES.get(judgement.condition, "placed")
    timed = judgement.condition == "linearizable"
    core = judgement.core
    outlined = frozenset(core.indices()) if core is not None else frozenset(op.index for op in judgement.involved)
    parts = [f"<h1>{escape(title)}</h1>",
             f'<p class="verdict {"holds" if judgement.holds else "violated"}">{escape(judgement.headline)}</p>']
    witness = judgement.witness
    if judgement.holds:
        marks = _Marks(order=judgement.order, timed=timed)
        if judgement.order:
            parts.append(f"<p>The bars are numbered in the order found: each operation {placed} in turn"
                         f"{' (per key for a kv store)' if timed else ''}.</p>")
    else:
        marks = _Marks(order=witness.prefix if witness else (),
                       stuck=frozenset(op.index for op in witness.stuck) if witness else frozenset(),
                       refused=frozenset(op.index for op in witness.refused) if witness else frozenset(),
                       outlined=outlined, stuck_at=_stuck_at(ops, witness) if witness and timed else None, timed=timed)
        parts.extend(_violation_intro(judgement, placed))
    parts.append(_legend(judgement, bool(outlined), placed, marks.stuck_at is not None))
    if core is not None and not judgement.holds:
        alone = _Marks(order=core.witness.prefix, stuck=frozenset(op.index for op in core.witness.stuck),
                       refused=frozenset(op.index for op in core.witness.refused), outlined=outlined, timed=timed)
        among = core.placed_among()
        parts.append(f"<h2>{'The smallest set' if core.minimal else 'A smaller set'} of operations that cannot be "
                     f"ordered ({len(core.operations)}, outlined), with every other operation timed out"
                     + (f": {len(among)} of those {placed} among them (dashed)" if among else "") + "</h2>")
        parts.append(_figure([*core.operations, *among], alone, "alone"))
    if outlined and not judgement.holds:
        parts.append('<input type="checkbox" id="fade"/> <label for="fade">fade the operations outside the outlined '
                     'set</label>')
    parts.append(f"<h2>The whole history ({len(ops)} operations)</h2>")
    parts.append(_figure(ops, marks, "whole"))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<title>{escape(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write_page(path: str, page: str) -> None:
    """Write a page to a file; a CheckerError (one line on the command line, exit 2) when it cannot be."""
    if not path.strip():
        raise CheckerError("--html needs a file name (got an empty one)")
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as error:
        raise CheckerError(f"cannot write {path}: {error.strerror or error}") from None


def _violation_intro(judgement: Judgement, placed: str) -> list[str]:
    """The paragraphs above a violation's drawings: the witness's figures and the core's operations."""
    parts = []
    witness, core = judgement.witness, judgement.core
    if witness is not None:
        key = witness.stuck[0].key if witness.stuck else None
        scope = "" if key is None or judgement.condition != "linearizable" else f"On key {key!r}, t"
        longest = ("he longest linearizable prefix" if judgement.condition == "linearizable" else
                   "he longest legal order keeping each process's order")
        parts.append(f"<p>{escape(scope or 'T')}{longest} has {len(witness.prefix)} operations (numbered); "
                     f"{len(witness.stuck)} operation{'s' * (len(witness.stuck) != 1)} cannot come next "
                     f"({len(witness.refused)} refused by the specification there, marked !).</p>")
    if core is not None:
        what = ("the smallest set of operations that cannot be ordered" if core.minimal else
                f"a smaller set of operations that cannot be ordered, found within {core.budget:g} s (not known to be "
                "the smallest)")
        parts.append(f"<p>Outlined in red, {what}: {len(core.operations)} of the {core.considered} completed "
                     f"operations, even if every other operation had timed out (found in {core.seconds:.3f} s, "
                     f"{core.checks} checks).</p>")
        parts.append('<ol class="core">' + "".join(f"<li>{escape(op.describe())}</li>" for op in core.operations)
                     + "</ol>")
    elif judgement.involved:
        parts.append("<p>Outlined in red, the operations of the first violation.</p>")
    return parts


def _stuck_at(ops: list[Operation], witness: Any) -> float | None:
    """Where the linearizability search got stuck: the earliest completion among the operations of
    the stuck part it could not linearize."""
    placed = {op.index for op in witness.prefix}
    key = witness.stuck[0].key if witness.stuck else None
    ends = [op.completed for op in ops if op.index not in placed and op.status != FAILED and op.key == key
            and not (op.status == INDETERMINATE and op.f in READS)]
    finite = [end for end in ends if end != NEVER]
    return min(finite) if finite else None


def _legend(judgement: Judgement, outlined: bool, placed: str, stuck_at: bool) -> str:
    """The key to the bars' looks (only what the drawings show)."""
    items = []
    if judgement.holds and judgement.order:
        items.append(("in-order", f"{placed} (numbered in the order found)"))
    if judgement.witness is not None:
        items += [("in-order", f"in the longest {placed} prefix (numbered)"), ("stuck", "cannot come next"),
                  ("refused", "refused by the specification there (!)")]
    if outlined:
        items.append(("core", "in the set that cannot be ordered"))
    items += [("plain", "other"), ("timed-out", "timed out (may have taken effect after its invocation, or never)"),
              ("failed", "failed (did not happen)")]
    spans = []
    for css, words in items:
        swatch = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 34 16"><g class="op {css}">'
                  f'<rect x="2" y="2" width="30" height="12" rx="3"/></g></svg>')
        spans.append(f"<span>{swatch}{escape(words)}</span>")
    if stuck_at:
        spans.append('<span><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 34 16"><line class="stuck-at" x1="17" '
                     'y1="0" x2="17" y2="16"/></svg>where the search got stuck</span>')
    return '<div class="legend">' + "".join(spans) + "</div>"


def _positions(ops: list[Operation]) -> dict[float, float]:
    """The x of each finite instant: in time order, at least GAP apart, each bar wide enough for its label."""
    ending: dict[float, list[Operation]] = {}
    for op in ops:
        ending.setdefault(op.completed, []).append(op)
    instants = sorted({op.invoked for op in ops} | {op.completed for op in ops if op.completed != NEVER})
    x: dict[float, float] = {}
    at = 0.0
    for n, instant in enumerate(instants):
        at = at + GAP if n else 0.0
        for op in ending.get(instant, ()):
            at = max(at, x[op.invoked] + _width(op))
        x[instant] = at
    return x


def _width(op: Operation) -> float:
    """The width a bar needs for its label."""
    return (len(_text(op)) + 2) * CHAR + 2 * TEXT_PAD  # room for a mark: ` !` or ` …`


def _text(op: Operation) -> str:
    """The label on an operation's bar, a long one cut (hovering shows it whole)."""
    text = label(op)
    if len(text) > LABEL:
        text = text[:LABEL - 1] + "…"
    return text + (" (failed)" if op.status == FAILED else "")


def _rows(ops: list[Operation], x: dict[float, float], right: float) -> tuple[dict[Hashable, list[int]], dict[int, int]]:
    """Each process's rows (one, or more where its bars overlap: a timed-out operation's runs on) and
    each operation's row, rows numbered from the top, processes in order of first appearance."""
    lanes: dict[Hashable, list[list[float]]] = {}  # per process, per row, where its last bar ends
    placed: dict[int, tuple[Hashable, int]] = {}
    for op in ops:
        rows = lanes.setdefault(op.process, [])
        start, end = x[op.invoked], _end(op, x, right)
        row = next((k for k, last in enumerate(rows) if last[0] <= start), None)
        if row is None:
            rows.append([end])
            row = len(rows) - 1
        rows[row][0] = end
        placed[op.index] = (op.process, row)
    first: dict[Hashable, list[int]] = {}
    count = 0
    for process, rows in lanes.items():
        first[process] = list(range(count, count + len(rows)))
        count += len(rows)
    return first, {index: first[process][row] for index, (process, row) in placed.items()}


def _end(op: Operation, x: dict[float, float], right: float) -> float:
    """Where an operation's bar ends: at its completion, or the right edge for a timed-out one."""
    return right if op.completed == NEVER else x[op.completed]


def _figure(ops: list[Operation], marks: _Marks, name: str) -> str:
    """One drawing: the process names, fixed, beside the scrolling SVG of the bars."""
    if not ops:
        return f'<div class="chart {name}"><p>(no operations)</p></div>'
    ops = sorted(ops, key=lambda op: op.invoked)
    x = _positions(ops)
    right = max([*x.values(), *(x[op.invoked] + _width(op) + OPEN for op in ops if op.completed == NEVER)]) + TEXT_PAD
    lanes, row = _rows(ops, x, right)
    rows = sum(len(r) for r in lanes.values())
    height = TOP + rows * ROW
    width = right + 2 * TEXT_PAD
    name_width = max(len(process_name(p)) for p in lanes) * CHAR + 2 * TEXT_PAD
    names = [f'<svg xmlns="http://www.w3.org/2000/svg" class="names" width="{name_width:.0f}" height="{height}">']
    for process, numbers in lanes.items():
        names.append(f'<text x="{name_width - TEXT_PAD:.0f}" y="{_middle(numbers[0]):.0f}" text-anchor="end">'
                     f"{escape(process_name(process))}</text>")
    names.append("</svg>")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width:.0f}" height="{height}">']
    for y in range(rows):
        svg.append(f'<line class="lane-line" x1="0" y1="{_middle(y):.0f}" x2="{width:.0f}" y2="{_middle(y):.0f}"/>')
    if marks.stuck_at is not None and marks.stuck_at in x:
        at = x[marks.stuck_at] + TEXT_PAD
        svg.append(f'<line class="stuck-at" x1="{at:.1f}" y1="12" x2="{at:.1f}" y2="{height}"/>'
                   f'<text class="stuck-label" x="{at + 4:.1f}" y="12">stuck here</text>')
    shown = {op.index for op in ops}
    order = tuple(op for op in marks.order if op.index in shown)
    number = {op.index: n for n, op in enumerate(order, 1)}
    points = _points(order, x, right) if marks.timed else {}
    by_process: dict[Hashable, list[Operation]] = {}
    for op in ops:
        by_process.setdefault(op.process, []).append(op)
    for process, mine in by_process.items():
        svg.append(f'<g class="lane" data-process="{escape(process_name(process))}">')
        svg.extend(_bar(op, x, right, row[op.index], marks, number.get(op.index), points.get(op.index)) for op in mine)
        svg.append("</g>")
    svg.extend(_order_lines(order, points, row))
    svg.append("</svg>")
    return (f'<div class="chart {name}">' + "".join(names) + '<div class="scroll">' + "\n".join(svg)
            + "</div></div>")


def _middle(row: int) -> float:
    """The y of the middle of a row's bars."""
    return TOP + row * ROW + ROW - BAR / 2 - 4


def _points(order: tuple[Operation, ...], x: dict[float, float], right: float) -> dict[int, float]:
    """For an order through time (linearizability), a point inside each bar, in order per key."""
    points: dict[int, float] = {}
    last: dict[Any, float] = {}
    for op in order:
        start, end = x[op.invoked] + TEXT_PAD + 2, _end(op, x, right) + TEXT_PAD - 2
        at = max(start, last[op.key] + 6) if op.key in last else start
        points[op.index] = last[op.key] = min(at, max(start, end))
    return points


def _order_lines(order: tuple[Operation, ...], points: dict[int, float], row: dict[int, int]) -> list[str]:
    """A line per key through the points of the operations in order."""
    keys: dict[Any, list[str]] = {}
    for op in order:
        if op.index in points and op.index in row:
            keys.setdefault(op.key, []).append(f"{points[op.index]:.1f},{_middle(row[op.index]) - BAR / 2:.1f}")
    return [f'<polyline class="order" points="{" ".join(line)}"/>' for line in keys.values() if len(line) > 1]


def _bar(op: Operation, x: dict[float, float], right: float, row: int, marks: _Marks, number: int | None,
         point: float | None) -> str:
    """One operation's bar: its rectangle, label, hover text, and number in the order."""
    classes = ["op"]
    if number is not None:
        classes.append("in-order")
    if op.index in marks.stuck:
        classes.append("stuck")
    if op.index in marks.refused:
        classes.append("refused")
    if op.index in marks.outlined:
        classes.append("core")
    if op.status == INDETERMINATE:
        classes.append("timed-out")
    if op.status == FAILED:
        classes.append("failed")
    start = x[op.invoked] + TEXT_PAD
    width = _end(op, x, right) - x[op.invoked]
    top = _middle(row) - BAR / 2
    text = _text(op) + (" !" if op.index in marks.refused else "") + (" …" if op.completed == NEVER else "")
    hover = _hover(op, marks, number)
    parts = [f'<g class="{" ".join(classes)}" data-index="{op.index}">', f"<title>{escape(hover)}</title>",
             f'<rect x="{start:.1f}" y="{top:.1f}" width="{width:.1f}" height="{BAR}" rx="4"/>',
             f'<text x="{start + TEXT_PAD:.1f}" y="{_middle(row):.1f}">{escape(text)}</text>']
    if number is not None:
        at = point if point is not None else start + 8
        parts.append(f'<circle class="point" cx="{at:.1f}" cy="{top:.1f}" r="3"/>'
                     f'<text class="number" x="{at:.1f}" y="{top - 9:.1f}">{number}</text>')
    parts.append("</g>")
    return "".join(parts)


def _hover(op: Operation, marks: _Marks, number: int | None) -> str:
    """What hovering over a bar says."""
    lines = [op.describe()]
    if op.status == FAILED:
        lines.append("failed: it did not happen")
    elif op.status == INDETERMINATE:
        lines.append("timed out: it may have taken effect once, at any time after its invocation, or never")
    if number is not None:
        lines.append(f"number {number} in the order")
    if op.index in marks.refused:
        lines.append("cannot come next: refused by the specification there")
    elif op.index in marks.stuck:
        lines.append("cannot come next: accepted there, but then the rest cannot follow")
    if op.index in marks.outlined:
        lines.append("in the set of operations that cannot be ordered")
    return "\n".join(lines)
