"""Operations drawn in the terminal as bars on per-process lines, time running left to right, like
Porcupine's visualisation in text: each operation a bar from its invocation to its completion.

    p19  [== read 0 ==]
    p20   [== write 1 =====================...
    p21                  [-- read 2 ! --]
Bars of operations already linearized are drawn with `=`, the others with `-`; `!` marks an
operation the specification refuses where it would have to come next; an operation that never
completed runs off to the right (`...`).
"""
from typing import Hashable, Iterable

from specs.consistency.history import NEVER, READS, Operation, process_name, show

GAP = 1  # columns between consecutive instants


def label(op: Operation) -> str:
    """An operation's short name on its bar: `write 4`, `read 3`, `cas 3->0`, `get '7' 'x'`."""
    key = f" {op.key!r}" if op.key is not None else ""
    if op.f in READS:
        return f"{op.f}{key} {show(op.output)}"
    if op.f == "cas" and isinstance(op.input, tuple):
        return f"cas{key} {show(op.input[0])}->{show(op.input[1])}"
    return f"{op.f}{key} {show(op.input)}"


def _columns(ops: list[Operation], marked: set[int]) -> dict[float, int]:
    """The column of each finite instant: in time order, each bar wide enough for its label."""
    starts = {op.index: op.invoked for op in ops}
    instants = sorted({op.invoked for op in ops} | {op.completed for op in ops if op.completed != NEVER})
    ending = {op.completed: op for op in ops}
    column, x = {}, 0
    for instant in instants:
        x = x + GAP if column else 0
        op = ending.get(instant)
        if op is not None:
            x = max(x, column[starts[op.index]] + len(label(op)) + 7 + 2 * (op.index in marked))
        column[instant] = x
    return column


def _bar(op: Operation, column: dict[float, int], right: int, done: bool, refused: bool) -> tuple[int, str]:
    """Where an operation's bar starts and how it looks."""
    fill = "=" if done else "-"
    start = column[op.invoked]
    text = f"{fill * 2} {label(op)}{' !' if refused else ''} "
    if op.completed == NEVER:
        body = "[" + text + fill * max(2, right - start - len(text) - 4) + "..."
        return start, body
    inner = column[op.completed] - start - 1
    return start, "[" + text + fill * max(0, inner - len(text)) + "]"


def draw(ops: Iterable[Operation], linearized: Iterable[Operation] = (), refused: Iterable[Operation] = ()) -> str:
    """The operations as bars on one line per process (in order of first appearance)."""
    ops = sorted(ops, key=lambda op: op.invoked)
    if not ops:
        return ""
    done, bad = {op.index for op in linearized}, {op.index for op in refused}
    column = _columns(ops, bad)
    right = max([*column.values(), *(column[op.invoked] + len(label(op)) + 16 for op in ops)])
    lanes: dict[Hashable, list[str]] = {}
    for op in ops:
        lane = lanes.setdefault(op.process, [])
        start, body = _bar(op, column, right, op.index in done, op.index in bad)
        lane.append(" " * max(0, start - len("".join(lane))) + body)
    width = max(len(process_name(process)) for process in lanes)
    return "\n".join(f"{process_name(process):<{width}}  " + "".join(parts).rstrip() for process, parts in lanes.items())
