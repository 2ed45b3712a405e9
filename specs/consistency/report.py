"""The verdict on a history as text: the figures, and for a violation the operations that
cannot be ordered, named and drawn (what `check history` prints)."""
from typing import Any

from specs.consistency.draw import draw
from specs.consistency.history import show
from specs.consistency.linearizability import Linearizability, Witness

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
    which = "this one cannot" if len(witness.stuck) == 1 else f"none of these {len(witness.stuck)} can"
    lines = [f"{scope}the longest linearizable prefix has {len(witness.prefix)} operations and leaves the {spec.name} "
             f"at {show(witness.state)}; {which} come next ([invoked, completed] as event numbers from 0):"]
    for op in witness.stuck:
        why = "refused by the specification there" if op in witness.refused else "accepted there, but then the rest cannot follow"
        lines.append(f"  {op.describe()}: {why}")
    shown = witness.prefix[-CONTEXT:] + witness.stuck
    lines.append(f"the last {min(CONTEXT, len(witness.prefix))} linearized (=) and the stuck operations (-, ! refused), "
                 "time left to right:")
    lines.append(draw(shown, witness.prefix, witness.refused))
    return "\n".join(lines)


def report(result: Linearizability, spec: Any) -> str:
    """The whole text: the verdict line, and the witness when there is one."""
    if result.witness is None:
        return verdict(result)
    return verdict(result) + "\n" + explain(result.witness, spec)
