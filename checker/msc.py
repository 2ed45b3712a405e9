"""Message sequence charts of actor traces: one lane per node, in the terminal and as Mermaid.

Each step is a row: a delivery is an arrow from sender to receiver (drawn when the message
arrives), a dropped message an arrow ending in x, a timer firing, crash, restart, pause or
resume a mark on the node's lane, a partition or heal a line across every lane. Beside each
row, the fields that changed at the node that stepped.
"""
from typing import Any

from checker.trace import Trace
from checker.values import diff, show

LANE = 22          # the narrowest lane; lanes widen (up to LANE_MAX) to fit the longest message
LANE_MAX = 44
WIDTH = 160        # rows longer than this carry their changes on continuation rows
CHANGES = 56       # columns kept for the changes beside the lanes
MARKS = {"timeout": "timer", "timeout_early": "timer (early)", "crash": "CRASH", "restart": "restart",
         "pause": "pause", "resume": "resume"}


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


def _canvas(lanes: int, lane: int) -> list[str]:
    row = [" "] * (lanes * lane)
    for number in range(lanes):
        row[number * lane + lane // 2] = "|"
    return row


def _arrow(row: list[str], lane: int, src: int, dst: int, text: str, end: str) -> None:
    a, b = src * lane + lane // 2, dst * lane + lane // 2
    lo, hi = min(a, b), max(a, b)
    for x in range(lo + 1, hi):
        row[x] = "-"
    row[b - 1 if b > a else b + 1] = end if end != ">" else (">" if b > a else "<")
    label = f" {text} "[: max(0, hi - lo - 3)]
    start = lo + 1 + max(0, (hi - lo - len(label)) // 2)
    row[start:start + len(label)] = list(label)


def _mark(row: list[str], lane: int, node: int, text: str) -> None:
    x = node * lane + lane // 2
    label = f"[{text}]"
    start = max(0, x - len(label) // 2)
    row[start:start + len(label)] = list(label)


def _lane_width(trace: Trace, lanes: int, width: int) -> int:
    """Wide enough for the longest message between neighbouring lanes, within LANE..LANE_MAX,
    leaving CHANGES columns of `width` for the changes."""
    labels = [len(show(step.action.kwargs["msg"])) + 8 for step in trace.steps[1:] if "msg" in step.action.kwargs]
    return max(LANE, min(LANE_MAX, max(labels, default=0) + 5, (width - 6 - CHANGES) // max(lanes, 1)))


def chart(trace: Trace, roles: list[str], width: int = WIDTH) -> str:
    """The trace as a text sequence chart; changes that do not fit beside a row go on rows below it."""
    lanes = len(roles)
    lane = _lane_width(trace, lanes, width)
    lines = ["      " + "".join(f"n{i} {role}".center(lane) for i, role in enumerate(roles))]
    bars = "      " + "".join(_canvas(lanes, lane)).rstrip() + "   "
    for number, (before, step) in enumerate(zip(trace.steps, trace.steps[1:]), start=1):
        row, node = _draw(_canvas(lanes, lane), lane, step.action)
        head = f"{number:>4}  " + "".join(row).rstrip() + "   "
        changes = _node_changes(before.state, step.state, node).split("; ")
        lines += _beside(head, bars, [c for c in changes if c], width)
    return "\n".join(lines)


def _beside(head: str, bars: str, changes: list[str], width: int) -> list[str]:
    """`head` followed by the changes, continued on rows of bare lanes when they do not fit."""
    start = max(len(head), len(bars))
    rows, current = [], head.ljust(start)
    for change in changes:
        if len(current) > start and len(current) + len(change) + 2 > width:
            rows.append(current.rstrip("; "))
            current = bars.ljust(start)
        current += change + "; "
    rows.append(current.rstrip("; ").rstrip())
    return rows


def _draw(row: list[str], lane: int, action: Any) -> tuple[list[str], int | None]:
    args = action.kwargs
    if action.name in ("deliver", "drop", "duplicate"):
        end = {"deliver": ">", "drop": "x", "duplicate": "2"}[action.name]
        label = show(args["msg"]) + (" (lost)" if action.name == "drop" else " (dup)" if action.name == "duplicate" else "")
        _arrow(row, lane, int(args["src"]), int(args["dst"]), label, end)
        return row, int(args["dst"]) if action.name == "deliver" else None
    if action.name in MARKS:
        node = int(args["node"])
        _mark(row, lane, node, MARKS[action.name] + (f" {args['timer']}" if "timer" in args else ""))
        return row, node
    text = f"~~ partition: {{{', '.join(map(str, args['side']))}}} | the rest ~~" if action.name == "partition" else "~~ heal ~~"
    row = list(text.center(len(row), "~" if action.name == "heal" else " "))
    return row, None


def mermaid(trace: Trace, roles: list[str]) -> str:
    """The trace as a Mermaid sequence diagram."""
    lines = ["sequenceDiagram"]
    lines += [f"    participant n{i} as n{i} {role}" for i, role in enumerate(roles)]
    everyone = f"n0,n{len(roles) - 1}" if len(roles) > 1 else "n0"
    for before, step in zip(trace.steps, trace.steps[1:]):
        action, args = step.action, step.action.kwargs
        if action.name in ("deliver", "drop", "duplicate"):
            arrow = {"deliver": "->>", "drop": "-x", "duplicate": "->>"}[action.name]
            suffix = {"deliver": "", "drop": " (lost)", "duplicate": " (duplicated)"}[action.name]
            lines.append(f"    {args['src']}{arrow}{args['dst']}: {show(args['msg'])}{suffix}")
            node = int(args["dst"]) if action.name == "deliver" else None
        elif action.name in MARKS:
            node = int(args["node"])
            lines.append(f"    Note over n{node}: {MARKS[action.name]}{' ' + args['timer'] if 'timer' in args else ''}")
        else:
            node = None
            side = ", ".join(map(str, args.get("side", ())))
            lines.append(f"    Note over {everyone}: {'partition {' + side + '} | rest' if action.name == 'partition' else 'heal'}")
        changes = _node_changes(before.state, step.state, node)
        if changes and node is not None:
            lines.append(f"    Note right of n{node}: {changes.replace(';', ',')}")
    return "\n".join(lines) + "\n"
