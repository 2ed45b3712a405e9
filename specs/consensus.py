"""Correctness conditions of single-decree consensus, judged on acceptors' vote histories (plain data).

A vote is (ballot, value): an acceptor accepted value in ballot (Paxos.tla's `votes`). A value is
chosen when a quorum of acceptors voted for it in one ballot. Each function returns what a model
needs to judge a state and to explain a violation with the same call: the chosen ballots, or the
first two that disagree, or () when there are none. Single-decree Paxos uses them.
"""
from typing import Any, Iterable, Sequence


def chosen(votes: Sequence[tuple[Any, Iterable[tuple[int, Any]]]], quorum: int) -> tuple[tuple[int, Any, frozenset], ...]:
    """(ballot, value, voters) for each (ballot, value) that at least `quorum` acceptors voted for, lowest
    ballot first; `votes` pairs each acceptor's id with every (ballot, value) it ever accepted."""
    voters: dict[tuple[int, Any], set] = {}
    for acceptor, mine in votes:
        for vote in mine:
            voters.setdefault(vote, set()).add(acceptor)
    return tuple(sorted(((b, v, frozenset(ids)) for (b, v), ids in voters.items() if len(ids) >= quorum),
                        key=lambda c: (c[0], repr(c[1]))))


def disagreement(choices: Sequence[tuple[int, Any, frozenset]]) -> tuple:
    """Agreement: ((b1, v1, voters1), (b2, v2, voters2)), the lowest chosen ballot and the lowest one that
    chose another value, when two values are chosen; () when at most one is."""
    for later in choices[1:]:
        if later[1] != choices[0][1]:
            return choices[0], later
    return ()
