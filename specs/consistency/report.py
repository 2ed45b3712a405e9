"""The verdict on a history as text: the figures, and for a violation the operations that
cannot be ordered, named and drawn (what `check history` prints), for linearizability,
sequential consistency and the session guarantees."""
from typing import Any

from specs.consistency.draw import draw
from specs.consistency.history import show
from specs.consistency.linearizability import Linearizability, Witness, check_linearizable
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


def check_condition(ops: list[Any], spec: Any, condition: str) -> tuple[bool, str]:
    """Check the operations for a condition (linearizable, sequential, read-your-writes or
    monotonic-reads): whether it holds, and the report."""
    if condition == "linearizable":
        result = check_linearizable(ops, spec)
        return result.linearizable, report(result, spec)
    if condition == "sequential":
        consistency = check_sequential(ops, spec)
        return consistency.consistent, sequential_report(consistency, spec)
    if condition in GUARANTEES:
        session = check_session(ops, spec, condition)
        return session.holds, session_report(session)
    raise ValueError(f"unknown consistency condition {condition!r}")
