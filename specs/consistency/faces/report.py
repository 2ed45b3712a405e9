"""The verdict on a history as text: the figures, and for a violation the operations that
cannot be ordered, named and drawn (what `check history` prints), for linearizability,
sequential consistency, causal consistency and the session guarantees; for the first two, after
the search's witness, the smallest set of operations that cannot be ordered (minimal.py), also drawn.
`judge` keeps what the text says as data too (the order, the witness, that set), for the HTML
drawing (html.py)."""
from dataclasses import dataclass
from typing import Any

from specs.consistency.causal import FORCED, PATTERNS, VARIANTS, BadPattern, CausalConsistency, Step, check_causal
from specs.consistency.faces.draw import draw
from specs.consistency.history import Operation, process_name, show
from specs.consistency.linearizability import Linearizability, Witness, check_linearizable
from specs.consistency.minimal import BUDGET, Core, minimal_core
from specs.consistency.sequential import check_sequential
from specs.consistency.sessions import GUARANTEES, check_session

CONTEXT = 4  # operations of the linearized prefix drawn before the stuck ones


def figures(result: Linearizability) -> str:
    """One line of figures: operations, processes, failed and indeterminate ones, seconds."""
    return (f"{result.operations} operations ({result.failed} failed, {result.indeterminate} indeterminate), "
            f"{result.processes} process{'es' * (result.processes != 1)}, checked in {result.seconds:.3f} s")


def verdict(result: Linearizability) -> str:
    """LINEARIZABLE or NOT LINEARIZABLE, with the figures."""
    word = "LINEARIZABLE" if result.linearizable else "NOT LINEARIZABLE"
    return f"{word}: {figures(result)}"


def explain(witness: Witness, spec: Any) -> str:
    """The witness in words and as a drawing: the prefix, the state it leaves, what cannot follow."""
    key = witness.stuck[0].key
    scope = f"on key {key!r}, " if key is not None else ""
    prefix = f"{scope}the longest linearizable prefix has {len(witness.prefix)} operations and leaves the {spec.name} at {show(witness.state)}"
    return "\n".join(_stuck_lines(witness, prefix, "", "linearized"))


def _stuck_lines(witness: Witness, prefix: str, note: str, placed: str) -> list[str]:
    """A witness's prefix sentence, each stuck operation and why, and the drawing of the last placed and the stuck."""
    which = "this one cannot" if len(witness.stuck) == 1 else f"none of these {len(witness.stuck)} can"
    lines = [f"{prefix}; {which} come next ({note}[invoked, completed] as event numbers from 0):"]
    for op in witness.stuck:
        why = "refused by the specification there" if op in witness.refused else "accepted there, but then the rest cannot follow"
        lines.append(f"  {op.describe()}: {why}")
    shown = witness.prefix[-CONTEXT:] + witness.stuck
    lines.append(f"the last {min(CONTEXT, len(witness.prefix))} {placed} (=) and the stuck operations (-, ! refused), "
                 "time left to right:")
    lines.append(draw(shown, witness.prefix, witness.refused))
    return lines


def report(result: Linearizability, spec: Any) -> str:
    """The whole text: the verdict line, and the witness when there is one."""
    if result.witness is None:
        return verdict(result)
    return verdict(result) + "\n" + explain(result.witness, spec)


def sequential_report(result: Any, spec: Any) -> str:
    """The verdict on sequential consistency, and for a violation the longest legal prefix that keeps
    every process's order, the state it leaves and the operations none of which can come next."""
    word = "SEQUENTIALLY CONSISTENT" if result.consistent else "NOT SEQUENTIALLY CONSISTENT"
    head = f"{word}: {figures(result)}"
    witness = result.witness
    if witness is None:
        return head
    prefix = (f"the longest legal order keeping each process's order has {len(witness.prefix)} operations and "
              f"leaves the {spec.name} at {_state(witness.state)}")
    return "\n".join([head, *_stuck_lines(witness, prefix, "each process's next operation; ", "placed")])


def _state(state: Any) -> str:
    """A state in Jepsen's notation; a kv store's as key=value pairs."""
    if isinstance(state, dict):
        return "{" + ", ".join(f"{key!r}={show(value)}" for key, value in state.items()) + "}"
    return show(state)


def session_report(result: Any) -> str:
    """The verdict on a session guarantee, and each violation: the read, the operation of its own
    session it went behind, and the writes involved, drawn."""
    name = result.guarantee.upper().replace("-", " ")
    head = f"{name} {'HOLDS' if result.holds else 'VIOLATED'}: {figures(result)}"
    if result.holds:
        return head
    count = len(result.violations)
    lines = [head, f"{count} read{'s' * (count != 1)} went back in time; the first:"]
    first = result.violations[0]
    older = "the initial value" if first.older is None else f"the value of {first.older.describe()}"
    lines.append(f"  {first.read.describe()} returned {older}")
    how = "its own write" if first.since is first.newer else f"the value its read {first.since.describe()} returned"
    lines.append(f"  after its session saw {first.newer.describe()} ({how}), which comes after "
                 + ("the initial value" if first.older is None else "that write (it was invoked after that one completed)"))
    lines.append("the operations involved (! the read), time left to right:")
    lines.append(draw(first.operations(), (), (first.read,)))
    return "\n".join(lines)


def causal_report(result: CausalConsistency) -> str:
    """The verdict on causal consistency, and for a violation its bad pattern: what it means, the
    chain of operations that shows it, each step with its reason, and those operations drawn."""
    word = "CAUSALLY CONSISTENT" if result.holds else "NOT CAUSALLY CONSISTENT"
    head = f"{word} ({VARIANTS[result.variant]}, {result.variant}): {figures(result)}"
    if result.holds:
        return head
    first, others = result.violations[0], [found.pattern for found in result.violations[1:]]
    also = f" (also found: {', '.join(others)})" if others else ""
    lines = [head, f"bad pattern {first.pattern}{also}: {PATTERNS[first.pattern]}:", *_explained(first)]
    marked = (first.read,) if first.read is not None else ()
    lines.append(f"the operations involved{' (! the read)' if marked else ''}, time left to right:")
    lines.append(draw(first.operations(), (), marked))
    return "\n".join(lines)


def _explained(found: BadPattern) -> list[str]:
    """The pattern's read (if any) and chain in words."""
    read, pattern = found.read, found.pattern
    view = f" in {process_name(found.process)}'s view" if found.process is not None else ""
    if pattern == "ThinAirRead":
        return [f"  {read.describe()} returned {show(read.output)}, which no write that happened wrote"]
    if pattern in ("WriteCOInitRead", "WriteHBInitRead"):
        head = (f"  {read.describe()} returned the initial value, but {found.writes[0].describe()} comes before "
                f"it{view}:")
    elif pattern == "WriteCORead":
        head = (f"  {read.describe()} returned the value of {found.writes[0].describe()}, but "
                f"{found.writes[1].describe()} comes after that write and before the read:")
    else:
        head = f"  the cycle{view}:"
    return [head, *_chain_lines(found.chain, "    ")]


def _chain_lines(chain: tuple[Step, ...], indent: str) -> list[str]:
    """A chain of steps, one operation a line, each with the reason it follows the one before."""
    lines = [indent + chain[0].before.describe()]
    for step in chain:
        if step.why != FORCED:
            lines.append(f"{indent}-> {step.after.describe()} ({step.why})")
            continue
        lines.append(f"{indent}-> {step.after.describe()} (forced: {step.read.describe()} returned this write's "
                     "value after the write above had come before it:")
        lines.extend(_chain_lines(step.via, indent + "     "))
        lines[-1] += ")"
    return lines


def core_lines(core: Core, placed: str) -> list[str]:
    """The smallest set of operations that cannot be ordered (or, when the budget ran out, the
    smaller one found), each operation, and the set drawn alone."""
    count = f"{len(core.operations)} operation{'s' * (len(core.operations) != 1)}"
    if core.minimal:
        head = (f"the smallest set of operations that cannot be ordered: {count}, even if every other operation had "
                f"timed out (had {'it' if len(core.operations) == 1 else 'any one of these'} timed out too, the history could be "
                f"ordered; found in {core.seconds:.3f} s):")
    else:
        head = (f"a smaller set of operations that cannot be ordered, found within {core.budget:g} s (not known to be "
                f"the smallest): {count} of the {core.considered} completed, even if every other operation had timed out:")
    lines = [head, *(f"  {op.describe()}" for op in core.operations)]
    among = len(core.placed_among())
    also = f": {among} of those {placed} among them" if among else ""
    lines.append(f"these operations ({placed} =, the rest -, ! refused, with every other operation timed out{also}), "
                 "time left to right:")
    lines.append(draw(core.operations, core.witness.prefix, core.witness.refused))
    return lines


@dataclass(frozen=True)
class Judgement:
    """A history judged for one condition: whether it holds, the verdict line and the whole text;
    the order found (linearizability, sequential consistency) when it holds, else the search's
    witness and the core; for a session guarantee's violation, the operations of the first one."""

    condition: str
    holds: bool
    headline: str
    text: str
    order: tuple[Operation, ...] = ()
    witness: Witness | None = None
    core: Core | None = None
    involved: tuple[Operation, ...] = ()


def judge(ops: list[Operation], spec: Any, condition: str, budget: float = BUDGET) -> Judgement:
    """Check the operations for a condition (linearizable, sequential, causal, read-your-writes or
    monotonic-reads); for a violation of the first two, look for the core within `budget` seconds."""
    if condition == "linearizable":
        result = check_linearizable(ops, spec)
        core = None if result.witness is None else minimal_core(ops, spec, condition, budget, result.witness)
        text = report(result, spec) + ("" if core is None else "\n" + "\n".join(core_lines(core, "linearized")))
        return Judgement(condition, result.linearizable, verdict(result), text, result.linearization,
                         result.witness, core)
    if condition == "sequential":
        consistency = check_sequential(ops, spec)
        witness = consistency.witness
        core = None if witness is None else minimal_core(ops, spec, condition, budget, witness)
        text = sequential_report(consistency, spec) + ("" if core is None else "\n" + "\n".join(core_lines(core, "placed")))
        return Judgement(condition, consistency.consistent, text.splitlines()[0], text, consistency.order, witness, core)
    if condition == "causal":
        causal = check_causal(ops, spec)
        text = causal_report(causal)
        involved = causal.violations[0].operations() if causal.violations else ()
        return Judgement(condition, causal.holds, text.splitlines()[0], text, involved=involved)
    if condition in GUARANTEES:
        session = check_session(ops, spec, condition)
        text = session_report(session)
        involved = session.violations[0].operations() if session.violations else ()
        return Judgement(condition, session.holds, text.splitlines()[0], text, involved=involved)
    raise ValueError(f"unknown consistency condition {condition!r}")


_VERDICTS = {  # the verdict alone, for callers that need no text (a model's property, judged on every state)
    "linearizable": lambda ops, spec: check_linearizable(ops, spec).linearizable,
    "sequential": lambda ops, spec: check_sequential(ops, spec).consistent,
    "causal": lambda ops, spec: check_causal(ops, spec).holds,
    **{name: (lambda guarantee: lambda ops, spec: check_session(ops, spec, guarantee).holds)(name) for name in GUARANTEES},
}


def holds(ops: list[Operation], spec: Any, condition: str) -> bool:
    """Whether the operations satisfy the condition: the verdict of `judge` without its text or core."""
    if condition not in _VERDICTS:
        raise ValueError(f"unknown consistency condition {condition!r}")
    return _VERDICTS[condition](ops, spec)


def check_condition(ops: list[Any], spec: Any, condition: str) -> tuple[bool, str]:
    """Check the operations for a condition (linearizable, sequential, causal, read-your-writes or
    monotonic-reads): whether it holds, and the report."""
    judgement = judge(ops, spec, condition)
    return judgement.holds, judgement.text
