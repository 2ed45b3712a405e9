"""Consistency of an actor model's recorded client history, as a model's property: the verdict on
`System.history` (a tuple of the actor layer's `Event`s) for a condition, memoised, and its
explanation for a violation.

    class MyStore(ActorModel):
        linearizable = history_invariant(Register(initial=0))
        read_your_writes = history_invariant(Register(initial=0), "read-your-writes")

(or, written out, `@always def linearizable(self, s): return history_holds(s.history, REGISTER)`
with `history_explained` as its explanation).

A state's history is a prefix of every later one's, and the conditions here are prefix-closed
(an operation still open may have taken effect or not), so checking each state's history finds
the first state where the clients saw something no legal order explains. Many states share one
history, so verdicts are memoised by the history value; the report (with the smallest set of
operations that cannot be ordered) is made only for the violation shown.
"""
from typing import Any

from checker.properties import PropertySpec, always
from specs.consistency.history import pair
from specs.consistency.formats.readers import events_from_actor
from specs.consistency.faces.report import check_condition, holds

SAYS = {  # each condition as a property's one line
    "linearizable": "Every client's reads and writes fit one order that respects real time (linearizability).",
    "sequential": "Every client's reads and writes fit one order that keeps each client's own order (sequential consistency).",
    "causal": "Every client sees the writes in an order that respects causality (causal memory).",
    "read-your-writes": "No client reads a value older than its own last acknowledged write (read-your-writes).",
    "monotonic-reads": "No client reads a value older than one it has read before (monotonic reads).",
}
CONDITIONS = tuple(SAYS)
_MEMO_LIMIT = 1 << 18  # verdicts kept before the memo starts afresh (histories are small values)
_memo: dict[tuple, bool] = {}


def history_holds(history: tuple, spec: Any, condition: str = "linearizable") -> bool:
    """Whether the recorded history satisfies the condition for the object `spec` (objects.py)."""
    key = (history, spec, condition)
    found = _memo.get(key)
    if found is None:
        _known(condition)
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        found = _memo[key] = holds(pair(events_from_actor(history)), spec, condition)
    return found


def history_explained(history: tuple, spec: Any, condition: str = "linearizable") -> str:
    """The report on the recorded history: the verdict line and, for a violation, the operations
    that cannot be ordered, drawn on per-client lines."""
    _known(condition)
    return check_condition(pair(events_from_actor(history)), spec, condition)[1]


def history_invariant(spec: Any, condition: str = "linearizable", *, by_default: bool = True) -> PropertySpec:
    """An actor model's invariant, named after the condition (`read_your_writes`): its recorded history
    satisfies the condition for the object `spec`; a violation is explained by the history's report."""
    _known(condition)

    def holds(model: Any, s: Any) -> bool:
        return history_holds(s.history, spec, condition)

    def explained(model: Any, s: Any) -> str:
        return history_explained(s.history, spec, condition)

    holds.__name__ = holds.__qualname__ = condition.replace("-", "_")
    holds.__doc__ = SAYS[condition]
    invariant = always(by_default=by_default)(holds)
    invariant.explain(explained)
    return invariant


def _known(condition: str) -> None:
    """Refuse a condition this module does not know, naming the ones it does."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown consistency condition {condition!r} (known: {', '.join(CONDITIONS)})")
