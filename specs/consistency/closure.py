"""The transitive closure of a directed graph, as bitsets of each node's ancestors, by Tarjan's strongly
connected components (the causal order of a history, where a cycle is itself a violation)."""
from typing import Callable, Iterable, Iterator


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def closure(nodes: Iterable[int], succ: Callable[[int], list[int]], n: int) -> tuple[list[int], list[int]]:
    """The transitive closure of a graph on `nodes` (of 0..n-1) as bitsets of each node's ancestors (a
    node is its own only on a cycle), by Tarjan's strongly connected components; and the nodes on cycles."""
    index, low, on_stack = [-1] * n, [0] * n, [False] * n
    nexts_of: dict[int, list[int]] = {}
    stack: list[int] = []
    components: list[list[int]] = []  # in reverse topological order
    counter = 0
    for root in nodes:
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        nexts_of[root] = succ(root)
        work = [(root, iter(nexts_of[root]))]
        while work:
            v, nexts = work[-1]
            for u in nexts:
                if index[u] < 0:
                    index[u] = low[u] = counter
                    counter += 1
                    stack.append(u)
                    on_stack[u] = True
                    nexts_of[u] = succ(u)
                    work.append((u, iter(nexts_of[u])))
                    break
                if on_stack[u]:
                    low[v] = min(low[v], index[u])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        u = stack.pop()
                        on_stack[u] = False
                        component.append(u)
                        if u == v:
                            break
                    components.append(component)
    anc, cycles = [0] * n, []
    for component in reversed(components):
        past = mask = 0
        for v in component:
            past |= anc[v]
            mask |= 1 << v
        if len(component) > 1:  # (no node is its own successor)
            past |= mask
            cycles.extend(component)
        after = past | mask
        for v in component:
            anc[v] = past
        for v in component:
            for u in nexts_of[v]:
                if not mask >> u & 1:
                    anc[u] |= after
    return anc, sorted(cycles)
