"""Correctness conditions of atomic commitment (2PC, 3PC, TCommit), over per-participant states.

A participant's state is a string; "committed" and "aborted" are its two decisions.
"""
from typing import Iterable, Sequence

COMMITTED, ABORTED = "committed", "aborted"


def consistent_decisions(states: Sequence[str]) -> bool:
    """Agreement: no participant has committed while another has aborted."""
    return COMMITTED not in states or ABORTED not in states


def all_decided(states: Iterable[str]) -> bool:
    """Every participant has reached a decision."""
    return all(s in (COMMITTED, ABORTED) for s in states)


def undecided(states: Sequence[str]) -> list[int]:
    """The positions of the participants that have not decided yet (for explaining a liveness failure)."""
    return [i for i, s in enumerate(states) if s not in (COMMITTED, ABORTED)]
