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

from checker.actors.actor import NodeId
from checker.order import canonical


def rewrite(value: Any, mapping: dict[int, NodeId]) -> Any:
    """`value` with every NodeId inside it renamed by `mapping`."""
    kind = type(value)
    if kind is NodeId:
        return mapping.get(value, value)
    if kind in _ATOMS or not value and kind in (tuple, frozenset):
        return value
    if hasattr(kind, "__record_fields__"):
        return tuple.__new__(kind, (value[0], *[rewrite(v, mapping) for v in value[1:]]))
    if isinstance(value, tuple):
        return tuple([rewrite(v, mapping) for v in value])
    if isinstance(value, frozenset):
        return frozenset([rewrite(v, mapping) for v in value])
    return value


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _local_key(state: Any, node: NodeId) -> tuple:
    """A deterministic sort key for one node's local situation."""
    key = _canonical_node(state.nodes[node], state.timers[node])
    return key if not state.down and not state.paused else (key, node in state.down, node in state.paused)


@functools.lru_cache(maxsize=1 << 18)
def _canonical_node(local: Any, timers: frozenset) -> Any:
    """`canonical` of one node's state and timers, memoised: the same ones recur across many
    system states (measured: canonical was a third of a symmetric 2pc-actors search)."""
    return canonical(local), tuple(sorted(timers))


def renaming(state: Any, groups: Sequence[Sequence[NodeId]]) -> dict[int, NodeId]:
    """The renaming that sorts each group's nodes by their local states."""
    mapping: dict[int, NodeId] = {}
    for group in groups:
        keyed = sorted([(_local_key(state, node), node) for node in group])
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
    for old, local in enumerate(state.nodes):  # every node: one outside the groups may name nodes inside them
        new = mapping.get(old, old)
        nodes[new] = _rewrite_part(local, key)
        timers[new] = state.timers[old]
    side = rewrite(state.side, mapping)
    if side and NodeId(0) not in side:  # `side` names the side of n0: after a renaming, that is the other side
        side = frozenset(NodeId(i) for i in range(len(nodes))) - side
    return state.evolve(
        nodes=tuple(nodes),
        timers=tuple(timers),
        network=network.send((), [_rewrite_part(e, key) for e in state.network]),
        down=rewrite(state.down, mapping),
        paused=rewrite(state.paused, mapping),
        side=side,
        history=rewrite(state.history, mapping),
    )


def swaps(groups: Sequence[Sequence[NodeId]]) -> list[dict[int, NodeId]]:
    """Renamings that generate each group's permutations: swapping its first two nodes, and
    rotating it (together they generate every permutation of the group)."""
    out = []
    for group in groups:
        if len(group) >= 2:
            out.append({group[0]: group[1], group[1]: group[0]})
        if len(group) >= 3:
            out.append({old: group[(i + 1) % len(group)] for i, old in enumerate(group)})
    return out


def representative(state: Any, groups: Sequence[Sequence[NodeId]], network: Any) -> Any:
    """The canonical member of the state's symmetry class."""
    if not groups:
        return state
    mapping = renaming(state, groups)
    if all(old == new for old, new in mapping.items()):
        return state
    return permuted(state, mapping, network)
