"""Quorum intersection, for any number of nodes: if q1 + q2 > N, every set of at least q1 of N
nodes meets every set of at least q2 (majorities: 2(N//2 + 1) > N; read and write quorums:
R + W > N; Flexible Paxos's phase-1 and phase-2 quorums: Q1 + Q2 > N). Z3 proves it by induction
on N with counting defined recursively: the base case, the step from N to N + 1, and the
conclusion, each one query. When the sizes of a model's configuration do not intersect, Z3 finds
two quorums that share no node."""
import functools
import time

import attrs
import z3

from checker.prove import solving


class QuorumLemmaFailed(AssertionError):
    """A step of the intersection lemma's induction did not go through."""


@attrs.frozen
class QuorumSystem:
    """Quorums of a model: at least `q1` of `n` nodes must meet at least `q2` of them (`q1 == q2` for one kind)."""

    name: str  # a claim's name: read_write_quorums_intersect
    n: int
    q1: int
    q2: int
    nodes: str = "node"  # what the nodes are called: replica, acceptor
    kinds: tuple[str, str] = ("quorum", "quorum")  # what the two quorums are called: ("read quorum", "write quorum")


@attrs.frozen
class Intersection:
    """The verdict on one quorum system: proved at its size and for any size with the same slack,
    or two quorums of its sizes that share no node."""

    system: QuorumSystem
    proved: bool
    general: str  # the statement proved for any N ("" when the sizes do not intersect)
    disjoint: tuple[frozenset[int], frozenset[int]] | None
    queries: int
    seconds: float


def judge_quorums(system: QuorumSystem) -> Intersection:
    """Prove that the system's quorums intersect (for its N, and the general lemma for any N), or find two that do not."""
    started = time.perf_counter()
    disjoint = disjoint_quorums(system)
    if system.q1 + system.q2 > system.n and disjoint is None:
        queries = 1 + intersection_lemma()
        general = "for any N, sets of q1 and q2 of N nodes with q1 + q2 > N meet (proved by induction on N)"
        return Intersection(system, True, general, None, queries, time.perf_counter() - started)
    return Intersection(system, False, "", disjoint, 1, time.perf_counter() - started)


@functools.cache
def intersection_lemma(slack: int = 1) -> int:
    """Prove, by induction on N, that any two subsets of 0..N-1 whose sizes add up to at least
    N + slack share an element; return the number of queries (raises QuorumLemmaFailed where a
    step does not go through: with slack 0 the conclusion is false, and the suite checks that it fails)."""
    count, both = _counting()
    member = z3.ArraySort(z3.IntSort(), z3.BoolSort())
    a, b, n, i = z3.Const("a", member), z3.Const("b", member), z3.Int("n"), z3.Int("i")

    def sizes_add_up(k: z3.ArithRef) -> z3.BoolRef:  # inclusion and exclusion, as an inequality
        return count(a, k) + count(b, k) <= k + both(a, b, k)

    def witnessed(k: z3.ArithRef) -> z3.BoolRef:  # a common element counted is a common element
        return z3.Implies(both(a, b, k) >= 1, z3.Exists([i], z3.And(0 <= i, i < k, a[i], b[i])))

    q1, q2 = z3.Ints("q1 q2")
    goals = [
        sizes_add_up(z3.IntVal(0)), witnessed(z3.IntVal(0)),
        z3.Implies(z3.And(n >= 0, sizes_add_up(n)), sizes_add_up(n + 1)),
        z3.Implies(z3.And(n >= 0, witnessed(n)), witnessed(n + 1)),
        z3.Implies(z3.And(n >= 0, sizes_add_up(n), witnessed(n), count(a, n) >= q1, count(b, n) >= q2, q1 + q2 >= n + slack),
                   z3.Exists([i], z3.And(0 <= i, i < n, a[i], b[i]))),
    ]
    for goal in goals:
        if solving.check(z3.Solver(), z3.Not(goal), seconds=30.0) != z3.unsat:
            raise QuorumLemmaFailed(f"quorum intersection: Z3 did not prove {goal}")
    return len(goals)


@functools.cache
def _counting() -> tuple[z3.FuncDeclRef, z3.FuncDeclRef]:
    """count(x, n): the members of x below n; count_both(a, b, n): the common members below n.
    Recursive definitions, declared once (Z3 refuses a second definition of a name)."""
    member = z3.ArraySort(z3.IntSort(), z3.BoolSort())
    count = z3.RecFunction("count", member, z3.IntSort(), z3.IntSort())
    both = z3.RecFunction("count_both", member, member, z3.IntSort(), z3.IntSort())
    x, a, b, n = z3.Const("x", member), z3.Const("a", member), z3.Const("b", member), z3.Int("n")
    z3.RecAddDefinition(count, [x, n], z3.If(n <= 0, 0, count(x, n - 1) + z3.If(x[n - 1], 1, 0)))
    z3.RecAddDefinition(both, [a, b, n], z3.If(n <= 0, 0, both(a, b, n - 1) + z3.If(z3.And(a[n - 1], b[n - 1]), 1, 0)))
    return count, both


def disjoint_quorums(system: QuorumSystem) -> tuple[frozenset[int], frozenset[int]] | None:
    """Two quorums of the system's sizes that share no node, or None when there are none."""
    a = [z3.Bool(f"a{i}") for i in range(system.n)]
    b = [z3.Bool(f"b{i}") for i in range(system.n)]
    solver = z3.Solver()
    solver.add(z3.Sum([z3.If(x, 1, 0) for x in a]) == system.q1, z3.Sum([z3.If(x, 1, 0) for x in b]) == system.q2)
    solver.add([z3.Not(z3.And(x, y)) for x, y in zip(a, b)])
    if solver.check() != z3.sat:
        return None
    model = solver.model()
    return (frozenset(i for i, x in enumerate(a) if z3.is_true(model.eval(x))),
            frozenset(i for i, y in enumerate(b) if z3.is_true(model.eval(y))))
