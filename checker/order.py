"""A total order on state values, the same in every run: for sorting domains and symmetric nodes.

Python orders frozensets by inclusion (a partial order), so `sorted` of a set of quorums is not
deterministic; `canonical` maps any value to a totally ordered stand-in instead.
"""
from typing import Any, Iterable


def canonical(value: Any) -> Any:
    """A totally ordered stand-in for a value, the same in every run: each part tagged with its
    kind (so None, numbers and text compare) and sets turned into sorted tuples."""
    if isinstance(value, (frozenset, set)):
        return (5, tuple(sorted(canonical(v) for v in value)))
    if isinstance(value, tuple):
        return (4, tuple(canonical(v) for v in value))
    if value is None:
        return (0,)
    if isinstance(value, (bool, int, float)):
        return (1, value)
    if isinstance(value, str):
        return (3, value)
    return (6, repr(value))


def in_order(values: Iterable[Any]) -> list[Any]:
    """The values sorted by their canonical stand-ins (sets of sets included)."""
    return sorted(values, key=canonical)
