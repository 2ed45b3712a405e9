"""Symmetry reduction for actor systems, with no per-model code.

Nodes a model declares interchangeable can be renamed without changing what can happen. A
state is explored through its representative: each group of interchangeable nodes is renamed
so that their local states come in a canonical order, and every NodeId inside node states,
messages, timers, faults and history is rewritten to match (records, tuples and frozensets
are walked generically). Any choice of representative within the state's orbit is sound for
properties that do not name particular nodes of a group; sorting by local state makes most
symmetric states meet at one representative.

Node-indexed data inside a node's own state must be keyed by NodeId (a frozenset of ids, or
of (NodeId, value) pairs), not stored by position: positions are not rewritten. A NodeId
equals the plain int of the same value, so a field that holds node ids must always hold
NodeIds, never bare ints (states, fingerprints and the rewrite cache all rely on it).
"""
import functools
from typing import Any, Sequence

from checker.actor import NodeId
from checker.record import is_record


def rewrite(value: Any, mapping: dict[int, NodeId]) -> Any:
    """`value` with every NodeId inside it renamed by `mapping`."""
    if isinstance(value, NodeId):
        return mapping.get(value, value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if is_record(value):
        return tuple.__new__(type(value), (value[0], *(rewrite(v, mapping) for v in value[1:])))
    if isinstance(value, tuple):
        return tuple(rewrite(v, mapping) for v in value)
    if isinstance(value, frozenset):
        return frozenset(rewrite(v, mapping) for v in value)
    return value


def canonical(value: Any) -> Any:
    """A value with its sets turned into sorted tuples, so it orders the same in every run."""
    if isinstance(value, (frozenset, set)):
        items = [canonical(v) for v in value]
        try:
            return ("{}", *sorted(items))
        except TypeError:
            return ("{}", *sorted(items, key=repr))
    if isinstance(value, tuple) and not isinstance(value, NodeId):
        return tuple(canonical(v) for v in value)
    return value


def _local_key(state: Any, node: NodeId) -> tuple:
    """A deterministic sort key for one node's local situation."""
    return (_canonical_node(state.nodes[node]), _canonical_timers(state.timers[node]), node in state.down, node in state.paused)


@functools.lru_cache(maxsize=1 << 18)
def _canonical_node(local: Any) -> Any:
    """`canonical` of one node state, memoised: the same node states recur across many system
    states (measured: canonical was a third of a symmetric 2pc-actors search)."""
    return canonical(local)


@functools.lru_cache(maxsize=1 << 12)
def _canonical_timers(timers: frozenset) -> tuple:
    return tuple(sorted(timers))


def renaming(state: Any, groups: Sequence[Sequence[NodeId]]) -> dict[int, NodeId]:
    """The renaming that sorts each group's nodes by their local states."""
    mapping: dict[int, NodeId] = {}
    for group in groups:
        keyed = [(_local_key(state, node), node) for node in group]
        try:
            keyed.sort()
        except TypeError:  # local states whose fields do not compare: order by their text
            keyed.sort(key=repr)
        mapping.update({old: NodeId(new) for (_key, old), new in zip(keyed, sorted(group))})
    return mapping


@functools.lru_cache(maxsize=1 << 18)
def _rewrite_part(value: Any, renaming_key: tuple[tuple[int, NodeId], ...]) -> Any:
    """`rewrite` of one node state or envelope, memoised: the same ones recur across many states
    (measured: rewriting was 60% of a symmetric 2pc-actors search)."""
    return rewrite(value, dict(renaming_key))


def permuted(state: Any, mapping: dict[int, NodeId], network: Any) -> Any:
    """The system state with nodes renamed: positions moved and every NodeId rewritten."""
    key = tuple(sorted(mapping.items()))
    nodes, timers = list(state.nodes), list(state.timers)
    for old, new in mapping.items():
        nodes[new] = _rewrite_part(state.nodes[old], key)
        timers[new] = state.timers[old]
    return state.evolve(
        nodes=tuple(nodes),
        timers=tuple(timers),
        network=network.send((), [_rewrite_part(e, key) for e in state.network]),
        down=rewrite(state.down, mapping),
        paused=rewrite(state.paused, mapping),
        side=rewrite(state.side, mapping),
        history=rewrite(state.history, mapping),
    )


def representative(state: Any, groups: Sequence[Sequence[NodeId]], network: Any) -> Any:
    """The canonical member of the state's symmetry class."""
    if not groups:
        return state
    mapping = renaming(state, groups)
    if all(old == new for old, new in mapping.items()):
        return state
    return permuted(state, mapping, network)
