"""Message sequence charts of actor traces: one lane per node, in the terminal and as Mermaid.

Each step is a row: a delivery is an arrow from sender to receiver (drawn when the message
arrives), a dropped message an arrow ending in x, a timer firing, crash, restart, pause or
resume a mark on the node's lane, a partition or heal a line across every lane. Beside each
row, the fields that changed at the node that stepped. A liveness counterexample (a lasso) has
two more lines across the lanes: "cycle: steps 4..6" above the cycle's first row, and after the
last row "loops back to step 3" (or "stays at step 2 forever" when no fair step is enabled).
In Mermaid, the cycle is a `loop` block.

Nothing is ever cut. Lanes are as wide as the longest message needs to sit on its arrow on one
line; when `width` cannot hold those lanes and a changes column of CHANGES_MIN, the lanes are
the narrowest (LANE, or a mark's or header's width) and a long message wraps onto rows above
its arrow. The changes column
takes the rest of `width`: changes that do not fit go on rows of bare lanes below, and a
change longer than the column wraps inside itself (at ", " or a space, continued two columns
in). Narrower than the narrowest lanes need, `chart` raises ChartTooWide.
"""
import math
import textwrap
from typing import Any

from checker.trace import Step, Trace
from checker.faces.lasso import NO_FAIR_STEP, after_last_step, cycle_steps, loop_back
from checker.faces.values import diff, show

LANE = 22          # the narrowest lane
CHANGES_MIN = 24   # the narrowest changes column a chart is drawn with
WIDTH = 160        # the default width
GAP = 3            # columns between the lanes and the changes
PAD = 7            # arrow columns beside a label: a bar, two dashes (one the head) and a space each side
MARKS = {"timeout": "timer", "timeout_early": "timer (early)", "crash": "CRASH", "restart": "restart",
         "pause": "pause", "resume": "resume"}


class ChartTooWide(ValueError):
    """The chart cannot be drawn in `width` columns without cutting; it needs `needed`."""

    def __init__(self, needed: int, width: int):
        self.needed, self.width = needed, width
        super().__init__(f"the sequence chart needs {needed} columns and has {width}: widen the terminal, "
                         f"or set COLUMNS={needed}, or pipe the output, or use --format mermaid")


def _node_changes(before: Any, after: Any, node: int | None) -> str:
    """What changed at `node` (its state, timers, up/down), or everywhere but the network."""
    changes = []
    for path, old, new in diff(before, after):
        if path.startswith(("network", "budget")):
            continue
        if node is not None and path.startswith(("nodes[", "timers[")) and not path.startswith((f"nodes[{node}]", f"timers[{node}]")):
            continue
        text = f"{path}: {old} -> {new}" if old else f"{path}: {new}"
        changes.append(text.replace(f"nodes[{node}].", f"n{node}.").replace(f"timers[{node}]", f"n{node} timers"))
    return "; ".join(changes)


def _arrow_label(action: Any) -> str:
    """The text on a delivery's arrow."""
    suffix = {"drop": " (lost)", "duplicate": " (dup)"}.get(action.name, "")
    return show(action.kwargs["msg"]) + suffix


def _mark_label(action: Any) -> str:
    args = action.kwargs
    return f"[{MARKS[action.name]}{' ' + str(args['timer']) if 'timer' in args else ''}]"


def _line_label(action: Any) -> str:
    if action.name == "partition":
        return f"~~ partition: {{{', '.join(map(str, action.kwargs['side']))}}} | the rest ~~"
    return "~~ heal ~~"


def _canvas(lanes: int, lane: int) -> list[str]:
    row = [" "] * (lanes * lane)
    for number in range(lanes):
        row[number * lane + lane // 2] = "|"
    return row


def _put(row: list[str], start: int, text: str) -> None:
    """Write `text` into `row` from `start`, growing the row rather than losing any of it."""
    if start + len(text) > len(row):
        row.extend(" " * (start + len(text) - len(row)))
    row[start:start + len(text)] = list(text)


def _arrow(lanes: int, lane: int, src: int, dst: int, text: str, end: str) -> list[list[str]]:
    """An arrow from lane `src` to lane `dst` with `text` centred on it; text longer than the arrow
    has room for goes, wrapped at spaces, on rows of bare lanes above it."""
    a, b = src * lane + lane // 2, dst * lane + lane // 2
    lo, hi = min(a, b), max(a, b)
    room = max(1, hi - lo - PAD)
    lines = textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]
    rows = [_canvas(lanes, lane) for _ in lines]
    arrow = rows[-1]
    for x in range(lo + 1, hi):
        arrow[x] = "-"
    arrow[b - 1 if b > a else b + 1] = end if end != ">" else (">" if b > a else "<")
    for row, line in zip(rows, lines):
        label = f" {line} " if row is arrow else line
        _put(row, lo + 1 + max(0, (hi - lo - len(label)) // 2), label)
    return rows


def _mark(row: list[str], lane: int, node: int, label: str) -> None:
    _put(row, max(0, node * lane + lane // 2 - len(label) // 2), label)


def _draw(lanes: int, lane: int, action: Any) -> tuple[list[list[str]], int | None]:
    """The rows of one step (a message's wrapped label above its arrow), and the node that stepped."""
    args = action.kwargs
    if action.name in ("deliver", "drop", "duplicate"):
        src, dst = int(args["src"]), int(args["dst"])
        node = dst if action.name == "deliver" else None
        if src == dst:
            row = _canvas(lanes, lane)
            _mark(row, lane, src, f"[to itself: {_arrow_label(action)}]")
            return [row], node
        end = {"deliver": ">", "drop": "x", "duplicate": "2"}[action.name]
        return _arrow(lanes, lane, src, dst, _arrow_label(action), end), node
    if action.name in MARKS:
        row = _canvas(lanes, lane)
        _mark(row, lane, int(args["node"]), _mark_label(action))
        return [row], int(args["node"])
    return [_across(lanes, lane, _line_label(action), "~" if action.name == "heal" else " ")], None


def _across(lanes: int, lane: int, text: str, fill: str) -> list[str]:
    """A line across every lane, to the last lane's bar, with `text` centred on it (longer text overruns it, uncut)."""
    span = (lanes - 1) * lane + lane // 2 + 1
    return list(text.center(span, fill))


def _lasso_line(lanes: int, lane: int, text: str) -> str:
    """A lasso's line across the lanes: where its cycle starts, or where its last step goes on."""
    return "".join(_across(lanes, lane, f" {text} ", "=")).rstrip()


def _lane_widths(trace: Trace, roles: list[str]) -> tuple[int, int]:
    """The narrowest lane (LANE, or wider for a mark or a header), and the lane every message fits
    on its arrow on one line (the longest label over the lanes its arrow spans)."""
    narrowest = max([LANE] + [len(f"n{i} {role}") + 2 for i, role in enumerate(roles)]
                    + [len(_mark_label(step.action)) + 1 for step in trace.steps[1:] if step.action.name in MARKS])
    needs = [math.ceil((len(_arrow_label(step.action)) + PAD) / abs(int(step.action.kwargs["dst"]) - int(step.action.kwargs["src"])))
             for step in trace.steps[1:]
             if step.action.name in ("deliver", "drop", "duplicate") and step.action.kwargs["src"] != step.action.kwargs["dst"]]
    return narrowest, max([narrowest] + needs)


def _layout(trace: Trace, roles: list[str], lane: int) -> tuple[list[str], list[tuple[list[str], list[str]]], int]:
    """The header, each step's lane rows (the first numbered) with its changes, and the column the changes start at."""
    lanes, digits = len(roles), len(str(len(trace.steps)))
    prefix = " " * (max(4, digits) + 2)
    header = prefix + "".join(f"n{i} {role}".center(lane) for i, role in enumerate(roles)).rstrip()
    steps = []
    for number, (before, step) in enumerate(zip(trace.steps, trace.steps[1:]), start=1):
        if number == _cycle_start(trace):
            steps.append(([prefix + _lasso_line(lanes, lane, f"cycle: {cycle_steps(trace)}")], []))
        rows, node = _draw(lanes, lane, step.action)
        heads = [(f"{number:>{len(prefix) - 2}}  " if i == 0 else prefix) + "".join(row).rstrip() for i, row in enumerate(rows)]
        changes = [c for c in _node_changes(before.state, step.state, node).split("; ") if c]
        steps.append((heads, changes))
    if trace.is_lasso:
        steps.append(([prefix + _lasso_line(lanes, lane, loop_back(trace))], [after_last_step(trace)]))
    bars = prefix + "".join(_canvas(lanes, lane)).rstrip()
    start = max([len(header), len(bars)] + [len(head) for heads, _ in steps for head in heads]) + GAP
    return [header, bars], steps, start


def chart(trace: Trace, roles: list[str], width: int = WIDTH) -> str:
    """The trace as a text sequence chart no line of which is longer than `width`; raises
    ChartTooWide when even the narrowest lanes and CHANGES_MIN columns of changes do not fit."""
    narrowest, widest = _lane_widths(trace, roles)
    needed = []
    for lane in dict.fromkeys((widest, narrowest)):  # every label on one line if that fits, else the narrowest lanes
        (header, bars), steps, start = _layout(trace, roles, lane)
        if start + CHANGES_MIN <= width:
            break
        needed.append(start + CHANGES_MIN)
    else:
        raise ChartTooWide(min(needed), width)
    lines = [header]
    for heads, changes in steps:
        texts = _wrap_changes(changes, width - start)
        heads += [bars] * (len(texts) - len(heads))
        texts += [""] * (len(heads) - len(texts))
        lines += [(head.ljust(start) + text).rstrip() if text else head for head, text in zip(heads, texts)]
    return "\n".join(lines)


def _wrap_changes(changes: list[str], room: int) -> list[str]:
    """The changes as lines of at most `room` columns: whole changes joined by "; " where they fit,
    a change longer than a line broken at ", " or a space (never mid-word unless one word is longer
    than a line), its continuation lines two columns in. Joining the lines with spaces gives back
    every change."""
    lines, current = [], ""
    for i, change in enumerate(changes):
        piece = change + (";" if i < len(changes) - 1 else "")
        if current and len(current) + 1 + len(piece) <= room:
            current += " " + piece
            continue
        if current:
            lines.append(current)
        parts = _split(piece, room)
        lines += parts[:-1]
        current = parts[-1]
    if current:
        lines.append(current)
    return lines


def _split(text: str, room: int) -> list[str]:
    """`text` in lines of at most `room` columns, continuations indented by two."""
    parts, indent = [], ""
    while len(indent) + len(text) > room:
        fits = room - len(indent)
        comma, space = text.rfind(", ", 0, fits), text.rfind(" ", 0, fits + 1)
        if comma >= fits // 2:
            head, text = text[:comma + 1], text[comma + 2:]
        elif space > 0:
            head, text = text[:space], text[space + 1:]
        else:
            head, text = text[:fits], text[fits:]
        parts.append(indent + head)
        indent = "  "
    return parts + [indent + text]


def _cycle_start(trace: Trace) -> int | None:
    """The number of a lasso's first step in its cycle (None without a cycle: not a lasso, or one that stays put)."""
    return None if not trace.is_lasso or trace.stays_forever else trace.loop_start + 1


def _mermaid_text(text: str) -> str:
    """Text Mermaid shows whole: its parser ends a message or note at ";" or "#", so those go as entity codes."""
    return text.replace("#", "#35;").replace(";", "#59;")


def mermaid(trace: Trace, roles: list[str]) -> str:
    """The trace as a Mermaid sequence diagram (no width: Mermaid lays it out, and no label is cut);
    a lasso's cycle is a `loop` block, and a run that stays in its last state ends in a note saying so."""
    lines = ["sequenceDiagram"]
    lines += [f"    participant n{i} as n{i} {_mermaid_text(role)}" for i, role in enumerate(roles)]
    everyone = f"n0,n{len(roles) - 1}" if len(roles) > 1 else "n0"
    indent = "    "
    for number, (before, step) in enumerate(zip(trace.steps, trace.steps[1:]), start=1):
        if number == _cycle_start(trace):
            lines.append(f"    loop repeats forever (back to step {trace.loop_start})")
            indent = "        "
        lines += [indent + line for line in _mermaid_step(before, step, everyone)]
    if _cycle_start(trace) is not None:
        lines.append("    end")
    if trace.stays_forever:
        lines.append(f"    Note over {everyone}: stays here forever ({NO_FAIR_STEP})")
    return "\n".join(lines) + "\n"


def _mermaid_step(before: Step, step: Step, everyone: str) -> list[str]:
    """One step's Mermaid lines: its arrow or note, then what changed at the node that stepped."""
    action, args = step.action, step.action.kwargs
    if action.name in ("deliver", "drop", "duplicate"):
        arrow = {"deliver": "->>", "drop": "-x", "duplicate": "->>"}[action.name]
        suffix = {"deliver": "", "drop": " (lost)", "duplicate": " (duplicated)"}[action.name]
        lines = [f"{args['src']}{arrow}{args['dst']}: {_mermaid_text(show(args['msg']) + suffix)}"]
        node = int(args["dst"]) if action.name == "deliver" else None
    elif action.name in MARKS:
        node = int(args["node"])
        lines = [f"Note over n{node}: {_mermaid_text(MARKS[action.name] + (' ' + str(args['timer']) if 'timer' in args else ''))}"]
    else:
        node = None
        side = ", ".join(map(str, args.get("side", ())))
        lines = [f"Note over {everyone}: {'partition {' + side + '} | rest' if action.name == 'partition' else 'heal'}"]
    changes = _node_changes(before.state, step.state, node)
    if changes and node is not None:
        lines.append(f"Note right of n{node}: {_mermaid_text(changes.replace(';', ','))}")
    return lines
