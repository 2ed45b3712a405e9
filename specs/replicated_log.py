"""Correctness conditions of a replicated log (the Raft paper's Figure 3), over plain data.

A log is a sequence of entries, each with a `.term`; indexes are 1-based. Each function returns
the first witness of a violation as a tuple, or () when the condition holds, so that a model can
judge a state and explain a violation with one call. Raft uses them; a Multi-Paxos log can too.
"""
from typing import Any, Iterable, Sequence


def two_leaders(led: Sequence[Iterable[int]]) -> tuple:
    """Election safety: (a, b, term) when servers a and b were both elected in one term; `led[i]`
    holds the terms server i was elected in."""
    seen: dict[int, int] = {}
    for server, terms in enumerate(led):
        for term in sorted(terms):
            if term in seen:
                return seen[term], server, term
            seen[term] = server
    return ()


def log_mismatch(logs: Sequence[Sequence[Any]]) -> tuple:
    """Log matching: (a, b, index) when logs a and b hold entries of one term at `index` but differ
    somewhere up to it."""
    if len(set(logs)) <= 1:  # the common case: every log the same
        return ()
    for a in range(len(logs)):
        for b in range(a + 1, len(logs)):
            for index in range(min(len(logs[a]), len(logs[b])), 0, -1):
                if logs[a][index - 1].term == logs[b][index - 1].term:
                    if logs[a][:index] != logs[b][:index]:
                        return a, b, index
                    break
    return ()


def missing_commit(leaders: Iterable[tuple[int, int, Sequence[Any]]], commits: Iterable[tuple[int, Any, int]]) -> tuple:
    """Leader completeness: (leader, (index, entry, term)) when an entry committed at `index` in
    `term` is missing from the log of a leader of a later term; `leaders` are (server, term, log)."""
    facts = list(commits)
    for server, leader_term, log in leaders:
        for index, entry, term in facts:
            if term < leader_term and (len(log) < index or log[index - 1] != entry):
                return server, (index, entry, term)
    return ()


def applied_conflict(applied: Iterable[tuple[int, Any]]) -> tuple:
    """State machine safety: (index, first, second) when two different entries were applied at
    one index; `applied` lists (index, entry) pairs from every server."""
    seen: dict[int, Any] = {}
    for index, entry in applied:
        if seen.setdefault(index, entry) != entry:
            return index, seen[index], entry
    return ()


def learned_conflict(logs: Sequence[Sequence[Any]]) -> tuple:
    """Log matching for logs with holes (None where nothing was learned): (a, b, slot) when logs a
    and b hold different values at one slot (1-based)."""
    for a in range(len(logs)):
        for b in range(a + 1, len(logs)):
            for slot, (x, y) in enumerate(zip(logs[a], logs[b]), start=1):
                if x is not None and y is not None and x != y:
                    return a, b, slot
    return ()


def chosen_values(votes: Sequence[Iterable[tuple[int, Any, Any]]], quorum: int) -> frozenset:
    """Paxos's chosen: the (slot, ballot, value) votes cast by at least `quorum` acceptors; `votes[i]`
    holds every (slot, ballot, value) acceptor i ever accepted (a value is chosen in a slot once a
    quorum accepted it in one ballot)."""
    counts: dict[tuple[int, Any, Any], int] = {}
    for mine in votes:
        for vote in mine:
            counts[vote] = counts.get(vote, 0) + 1
    return frozenset(vote for vote, count in counts.items() if count >= quorum)
