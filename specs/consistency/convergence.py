"""Convergence, the safety half of eventual consistency: replicas that have nothing left to exchange hold the same state.

Sources: Vogels, "Eventually Consistent" (CACM 2009): "if no new updates are made to the object,
eventually all accesses will return the last updated value"; Shapiro, Preguica, Baquero, Zawirski,
"Conflict-free Replicated Data Types" (SSS 2011): strong eventual consistency, whose convergence says
replicas that have delivered the same updates have equal state; the seed document's table of
consistency levels ("Eventual: nodes converge over time").

Stated over plain values, so that every replication model says it the same way:
- `converged(replicas)`: the replicas (a mapping from a replica's name to the state it holds: a value
  with its stamp, a log, a map) are all equal;
- `quiescent(in_flight, history)`: nothing is left to exchange: no replication message in flight
  (`in_flight` counts what the model counts: messages, retransmissions still owed) and no client
  operation open in the recorded history (an actor model's `System.history`);
- `converged_when_quiescent(replicas, quiet)`: the invariant, an always-property: every quiescent
  state is converged;
- the liveness half, once faults stop replicas that differ eventually agree, is a model's
  `@leads_to(once_faults_stop=True)` returning `(not converged(r), converged(r))`;
- `divergence(replicas)` and `explain_divergence(replicas)`: the replicas that differ and their
  values, grouped by value, for a violation's explanation.
"""
from typing import Any, Callable, Hashable, Iterable, Mapping

from checker.faces.values import show


def converged(replicas: Mapping[Hashable, Any]) -> bool:
    """All replicas hold equal states (true of none or one)."""
    states = iter(replicas.values())
    first = next(states, None)
    return all(state == first for state in states)


def open_operations(history: Iterable[Any]) -> list[Any]:
    """The client operations invoked and not completed yet: each node's last `invoke` event not
    followed by its `return`, `ok`, `fail` or `info` (events of the actor layer: node, kind, op, value)."""
    open_ops: dict[Hashable, Any] = {}
    for event in history:
        if event.kind == "invoke":
            open_ops[event.node] = event
        else:
            open_ops.pop(event.node, None)
    return list(open_ops.values())


def quiescent(in_flight: Any, history: Iterable[Any] = ()) -> bool:
    """Nothing left to exchange: `in_flight` is empty (or zero or false) and no client operation is open."""
    return not in_flight and not open_operations(history)


def converged_when_quiescent(replicas: Mapping[Hashable, Any], quiet: bool) -> bool:
    """The convergence invariant: a quiescent state is converged."""
    return not quiet or converged(replicas)


def divergence(replicas: Mapping[Hashable, Any]) -> list[tuple[Any, list[Hashable]]]:
    """The states held, each with the replicas holding it, in order of first appearance: one
    entry when they agree, two or more when they differ."""
    groups: dict[Any, list[Hashable]] = {}
    for name, state in replicas.items():
        groups.setdefault(state, []).append(name)
    return list(groups.items())


def explain_divergence(replicas: Mapping[Hashable, Any], describe: Callable[[Any], str] = show) -> str:
    """In words: `replicas differ: n0 holds 11; n1 and n2 hold 1`, or `all 3 replicas hold 11`."""
    groups = divergence(replicas)
    if len(groups) <= 1:
        held = describe(groups[0][0]) if groups else "nothing"
        return f"all {len(replicas)} replicas hold {held}"
    parts = [f"{_names(names)} {'holds' if len(names) == 1 else 'hold'} {describe(state)}" for state, names in groups]
    return "replicas differ: " + "; ".join(parts)


def _names(names: list[Hashable]) -> str:
    """`n0`, `n0 and n1`, `n0, n1 and n2`."""
    shown = [str(name) for name in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
