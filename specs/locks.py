"""Correctness conditions of locks and leases (a Redis lock, Redlock, fencing tokens, lock
ordering), over plain values so that every lock model states them the same way.

- Mutual exclusion of believed holders: at most one client believes it holds a lock at a time
  (what a client believes is what it acts on, whatever the lock service thinks).
- Safety of the protected resource: the storage never accepts a write from a holder older than
  one whose write it already accepted. Writes are identified by the grant they were made
  under: the position of that acquisition in the order the lock was granted (a history value
  the model keeps, like a TLA+ history variable, not something the protocol can read).
- No waiter stuck forever: a process waiting for a lock eventually gets it; a cycle in the
  wait-for graph is the deadlock that stops it for good.
"""
from typing import Hashable, Iterable, Mapping, Sequence


def exclusive(believers: Iterable[Hashable]) -> bool:
    """Mutual exclusion: at most one client believes it holds the lock."""
    return len(set(believers)) <= 1


def stale_writes(accepted: Sequence[int]) -> list[tuple[int, int]]:
    """The accepted writes (by position) made under an older grant than a write accepted before
    them, each with the position of that earlier, newer write: empty when the resource is safe."""
    found, newest, where = [], None, -1
    for position, grant in enumerate(accepted):
        if newest is not None and grant < newest:
            found.append((position, where))
        elif newest is None or grant > newest:
            newest, where = grant, position
    return found


def resource_safe(accepted: Sequence[int]) -> bool:
    """Safety of the protected resource: the grants of the accepted writes never go back."""
    return not stale_writes(accepted)


def wait_cycle(waits_for: Mapping[Hashable, Hashable]) -> list[Hashable]:
    """A cycle of processes each waiting for a lock the next one holds (a deadlock), or [] when the
    wait-for graph (waiter -> the holder it waits for) has none."""
    for start in sorted(waits_for, key=repr):
        path, node = [], start
        while node in waits_for and node not in path:
            path.append(node)
            node = waits_for[node]
        if node in path:
            return path[path.index(node):]
    return []


def waiting(wants: Mapping[Hashable, Iterable[Hashable]], holds: Mapping[Hashable, Iterable[Hashable]]) -> list[Hashable]:
    """The processes that want a lock they do not hold yet (liveness: each must eventually get it)."""
    return sorted((p for p, locks in wants.items() if set(locks) - set(holds.get(p, ()))), key=repr)
