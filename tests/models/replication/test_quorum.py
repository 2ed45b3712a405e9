"""quorum: pinned figures, ABD linearizable at the defaults (a replica crash, two writers, restarts), R + W <= N's
stale read and the new-old inversion without write-back (or with async repair) as exact shortest traces, and the
options' validation."""
import pytest

from checker import Verdict, check
from checker.actors.faults import FaultBudget
from checker.errors import OptionError
from models.replication.quorum import Quorum, Store

WITNESSES = ("read_sees_open_write", "read_repaired", "survives_a_replica_crash")


def query(client, replica, op=1):
    """The labels of `client`'s query `op` delivered to `replica`, and of the answer coming back."""
    return [f"deliver(src={client}, dst={replica}, msg=Query(op={op}))",
            f"deliver(src={replica}, dst={client}, msg=Current(op={op}, stamp=Stamp(counter=0, writer=None), value=0))"]


NEW = "stamp=Stamp(counter=1, writer=n3), value=31"


def unorderable(explanation):
    """The operations the linearizability report names as the smallest set that cannot be ordered."""
    lines = explanation.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("the smallest set")) + 1
    return [line.strip() for line in lines[start:] if line.startswith("  ")][:2]


def test_r_and_w_default_to_a_majority_and_the_budget_to_one_crash():
    """N=3: R=W=2; N=5: R=W=3; the default budget is a single crash."""
    assert (Quorum().r, Quorum().w, Quorum().faults) == (2, 2, FaultBudget(crash=1))
    assert (Quorum(n=5).r, Quorum(n=5).w) == (3, 3)


@pytest.mark.parametrize(("option", "what"), [("r", "a query"), ("w", "a store")])
def test_a_quorum_larger_than_n_is_one_clear_error(option, what):
    """R or W above N is refused by name, with the reason."""
    with pytest.raises(OptionError) as error:
        Quorum(**{option: 4})
    assert error.value.for_command_line() == (f"--{option} must be at most the number of replicas, n=3: {what} cannot "
                                              "wait for more replicas than there are (got 4)")


def test_the_defaults_are_linearizable_and_survive_a_replica_crash():
    """One write, two reads, crash=1: 27,564 states, depth 25; every witness reached."""
    result = check(Quorum())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (27564, 25)
    assert {name: len(result[name].trace) for name in WITNESSES} == {
        "read_sees_open_write": 12, "read_repaired": 12, "survives_a_replica_crash": 20}
    repair = result["read_repaired"].trace
    assert repair.labels()[-1] == f"deliver(src=n4, dst=n2, msg=Store(op=1, {NEW}, repair=True))"
    assert repair.last.nodes[2].repaired and repair.last.nodes[2].value == 31


def step(model, state, label):
    """The successor of `state` by the step labelled `label`."""
    return next(nxt for action, nxt in model.successors(state) if str(action) == label)


def test_a_restarted_client_records_its_open_operation_as_indeterminate():
    """The writer crashes with its write open and restarts: the write is recorded as Jepsen's `info` (it may take
    effect at any time, or never), and the history stays linearizable; on one replica, 1,653 states."""
    model = Quorum(faults="crash=1,restart=1")
    state = step(model, model.init(), "timeout(node=n3, timer=Invoke(skip=n0))")
    for label in ("crash(node=n3)", "restart(node=n3)"):
        state = step(model, state, label)
    assert [(e.node, e.kind, e.op) for e in state.history] == [(3, "invoke", "write"), (3, "info", "write")]
    assert state.nodes[3].phase == "done" and model.linearizable(state)
    result = check(Quorum(n=1, faults="crash=1,restart=1"))
    result.assert_ok()
    assert result.stats.distinct == 1653


def test_two_writers_order_their_writes_by_the_stamps_they_query():
    """On one replica: n2's write, invoked after n1's stored, queries stamp 1.n1 and stores 21 under 2.n2; two
    writers and a reader, 2,884 states, linearizable."""
    model = Quorum(n=1, writers=2, reads=1, faults="none")
    state = model.init()
    for writer, seen in (("n1", "Stamp(counter=0, writer=None), value=0"), ("n2", "Stamp(counter=1, writer=n1), value=11")):
        state = step(model, state, f"timeout(node={writer}, timer=Invoke(skip=()))")
        state = step(model, state, f"deliver(src={writer}, dst=n0, msg=Query(op=1))")
        state = step(model, state, f"deliver(src=n0, dst={writer}, msg=Current(op=1, stamp={seen}))")
        state = next(nxt for action, nxt in model.successors(state) if action.kwargs.get("dst") == 0)  # the store
    assert (state.nodes[0].stamp.counter, state.nodes[0].stamp.writer, state.nodes[0].value) == (2, 2, 21)
    result = check(model)
    result.assert_ok()
    assert result.stats.distinct == 2884
    assert [p.name for p in result.properties] == ["linearizable", "read_sees_open_write"]


STALE_READ = ["timeout(node=n3, timer=Invoke(skip=(n0, n1)))", *query("n3", "n2"),
              f"deliver(src=n3, dst=n2, msg=Store(op=1, {NEW}, repair=False))", "deliver(src=n2, dst=n3, msg=Stored(op=1))",
              "timeout(node=n4, timer=Invoke(skip=(n0, n2)))", *query("n4", "n1")]


def test_r_plus_w_at_most_n_returns_a_stale_read():
    """--r 1 --w 1: the write completes at n2 alone, the read asks n1 and returns 0 after it (8 steps, 2,790 states)."""
    result = check(Quorum(r=1, w=1))
    assert result.exit_code == 1 and result.stats.distinct == 2790
    result.assert_discovery("linearizable", STALE_READ)
    assert unorderable(result["linearizable"].explanation) == ["n3 write 31 [0, 1]", "n4 read -> 0 [2, 3]"]


FIRST_READ_NEW = ["timeout(node=n3, timer=Invoke(skip=n0))", *query("n3", "n1"), *query("n3", "n2"),
                  f"deliver(src=n3, dst=n1, msg=Store(op=1, {NEW}, repair=False))",
                  "timeout(node=n4, timer=Invoke(skip=n0))", "deliver(src=n4, dst=n1, msg=Query(op=1))",
                  f"deliver(src=n1, dst=n4, msg=Current(op=1, {NEW}))", *query("n4", "n2"),
                  "timeout(node=n4, timer=Invoke(skip=n1))", *query("n4", "n0", op=2), *query("n4", "n2", op=2)]


@pytest.mark.parametrize(("repair", "states"), [("none", 6370), ("async", 7767)])
def test_without_write_back_a_read_sees_the_new_value_and_a_later_one_the_old(repair, states):
    """The write's store reaches n1 only; the first read asks n1 and n2 and returns 31, the second asks n0 and n2 and
    returns 0 (16 steps). An async repair is no better: it is still on its way to n2 when the second read asks."""
    result = check(Quorum(read_repair=repair, faults="none"))
    assert result.exit_code == 1 and result.stats.distinct == states
    result.assert_discovery("linearizable", FIRST_READ_NEW)
    prop = result["linearizable"]
    assert unorderable(prop.explanation) == ["n4 read -> 31 [1, 2]", "n4 read -> 0 [3, 4]"]
    in_flight = [e for e in prop.trace.last.network if isinstance(e.msg, Store) and e.msg.repair]
    assert [(e.dst, e.msg.value, e.msg.repair) for e in in_flight] == ([] if repair == "none" else [(2, 31, True)])


def test_witnesses_that_the_options_cannot_reach_are_left_out():
    """No repair without read repair (or with W = 1); no crash survived when a quorum needs every replica."""
    def names(**options):
        return [p.name for p in Quorum(**options).properties()]
    assert names() == ["linearizable", *WITNESSES]
    assert names(read_repair="none") == names(w=1) == ["linearizable", "read_sees_open_write", "survives_a_replica_crash"]
    assert names(r=3, w=1) == ["linearizable", "read_sees_open_write"]
    assert names(writers=0) == ["linearizable", "survives_a_replica_crash"]


def test_searching_on_after_the_stale_read_decides_every_property():
    """--continue with R + W <= N: linearizability VIOLATED, the overlapping read witnessed, the crash witness not
    applicable (no crash in the budget)."""
    result = check(Quorum(r=1, w=1, faults="none"), stop_on_first_violation=False)
    assert {p.name: p.verdict for p in result.properties} == {
        "linearizable": Verdict.VIOLATED, "read_sees_open_write": Verdict.HOLDS,
        "survives_a_replica_crash": Verdict.NOT_APPLICABLE}
    assert result.stats.distinct == 615  # the search stops once every property is decided


def test_the_swarm_grid_builds():
    """Every configuration of `check quorum --swarm` is a valid model."""
    assert all(Quorum(**options) for options in Quorum.swarm_grid())
