"""Small helpers for building next states from immutable values, as TLA+'s EXCEPT does."""
from typing import TypeVar

T = TypeVar("T")


def updated(seq: tuple[T, ...], index: int, value: T) -> tuple[T, ...]:
    """The tuple with one position replaced: TLA+'s [seq EXCEPT ![index] = value].

    Returns `seq` itself when nothing changes, so that a step which changes nothing (a
    self-loop, a third of 2pc's steps) allocates nothing: `Record.evolve` then returns the
    state itself too.
    """
    if seq[index] == value:
        return seq
    items = list(seq)  # faster than slicing twice (measured: 0.18 us against 0.27 us for 7 items)
    items[index] = value
    return tuple(items)


def added(items: frozenset[T], item: T) -> frozenset[T]:
    """The set with one more element: TLA+'s items \\cup {item} (the same object if already there)."""
    return items if item in items else items | {item}
