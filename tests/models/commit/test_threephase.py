"""3pc: pinned figures, every property under crashes, non-blocking termination, the partition trace, the CLI."""
from collections import deque

import pytest

import cli
from checker import Verdict, check
from checker.actors.faults import FaultBudget
from models.commit.threephase import ThreePhase

VOTES = [
    "deliver(src=n0, dst=n1, msg=CanCommit())", "deliver(src=n0, dst=n2, msg=CanCommit())",
    "deliver(src=n1, dst=n0, msg=Vote(yes=True))", "deliver(src=n2, dst=n0, msg=Vote(yes=True))",
]
PARTITION = VOTES + [
    "deliver(src=n0, dst=n1, msg=PreCommit())", "deliver(src=n1, dst=n0, msg=Ack())",
    "partition(side=(n0, n1))",
    "timeout(node=n0, timer='timeout')", "deliver(src=n0, dst=n1, msg=DoCommit())",
    "timeout(node=n2, timer='timeout')", "timeout(node=n2, timer='decide')",
]
NON_BLOCKING = VOTES + [
    "deliver(src=n0, dst=n1, msg=PreCommit())", "deliver(src=n0, dst=n2, msg=PreCommit())",
    "crash(node=n0)",
    "timeout(node=n1, timer='timeout')", "deliver(src=n1, dst=n2, msg=StateReq())",
    "deliver(src=n2, dst=n1, msg=StateRep(phase='precommitted'))", "timeout(node=n1, timer='decide')",
    "timeout(node=n2, timer='timeout')", "deliver(src=n2, dst=n1, msg=StateReq())",
    "deliver(src=n1, dst=n2, msg=StateRep(phase='committed'))", "timeout(node=n2, timer='decide')",
]


def budget(text):
    return FaultBudget.parse(text)


@pytest.mark.parametrize(("participants", "symmetry", "distinct", "depth"), [
    (1, True, 34, 7), (2, True, 196, 16), (2, False, 333, 16), (3, True, 1202, 29), (3, False, 4253, 29),
])
def test_one_crash_pinned_and_every_property_holds(participants, symmetry, distinct, depth):
    """crash=1: exhaustive, every property HOLDS (deadlock_free included), counts pinned."""
    result = check(ThreePhase(participants=participants, faults=budget("crash=1"), symmetry=symmetry))
    result.assert_ok()
    assert result.stop.is_complete and result.verdict("deadlock_free") is Verdict.HOLDS
    assert (result.stats.distinct, result.stats.depth) == (distinct, depth)


def test_the_default_budget_is_what_3pc_survives():
    """The default is a crash, a restart and a lost message (what 3PC claims to survive), not a partition (which breaks it)."""
    assert ThreePhase().faults == budget("crash=1,restart=1,drop=1")


@pytest.mark.parametrize(("participants", "symmetry", "distinct", "depth"), [
    (1, True, 301, 12), (2, True, 7396, 24), (2, False, 14435, 24),
])
def test_default_faults_pinned_and_every_property_holds(participants, symmetry, distinct, depth):
    """crash=1,restart=1,drop=1 (the default): exhaustive, every property HOLDS (deadlock_free included); 3 participants in the CLI test."""
    result = check(ThreePhase(participants=participants, symmetry=symmetry))
    result.assert_ok()
    assert result.stop.is_complete and result.verdict("deadlock_free") is Verdict.HOLDS
    assert (result.stats.distinct, result.stats.depth) == (distinct, depth)


@pytest.mark.parametrize(("faults", "distinct"), [
    ("crash=2", 310), ("crash=1,restart=1", 1536), ("crash=2,restart=1", 3755), ("crash=1,drop=1", 1141),
])
def test_more_crashes_restarts_and_a_lost_message_are_survived(faults, distinct):
    """Two participants: two crashes, recovery after a restart, and up to two lost messages keep every property."""
    result = check(ThreePhase(participants=2, faults=budget(faults)))
    result.assert_ok()
    assert result.stats.distinct == distinct


def test_participants_decide_after_the_coordinator_crashed():
    """The non-blocking witness: n0 crashes after precommitting, and the participants commit by asking each other."""
    result = check(ThreePhase(participants=2, faults=budget("crash=1")), stop_on_first_violation=False)
    result.assert_discovery("decided_without_coordinator", NON_BLOCKING)
    last = result["decided_without_coordinator"].trace.steps[-1].state
    assert last.down == {0} and [n.phase for n in last.nodes] == ["precommitted", "committed", "committed"]


def reachable(model, state):
    """Every state reachable from `state` by the model's own steps (no engine, no symmetry)."""
    seen, queue = {state}, deque([state])
    while queue:
        for _label, nxt in model.successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_the_state_that_blocks_2pc_does_not_block_3pc():
    """Both participants prepared, then the coordinator crashes (2pc-actors' blocking trace): every
    run from there ends with both participants aborted, by the termination protocol."""
    model = ThreePhase(participants=2, faults=budget("crash=1"))
    state = model.init_states()[0]
    for label in ["deliver(src=n0, dst=n1, msg=CanCommit())", "deliver(src=n0, dst=n2, msg=CanCommit())", "crash(node=n0)"]:
        state = next(nxt for lab, nxt in model.successors(state) if str(lab) == label)
    assert model.phases(state) == ("prepared", "prepared")
    ends = [s for s in reachable(model, state) if not list(model.successors(s))]
    assert ends and all(model.phases(s) == ("aborted", "aborted") for s in ends)


@pytest.mark.parametrize("symmetry", [True, False])
def test_a_partition_breaks_atomicity(symmetry):
    """partition=1: the shortest trace cuts n2 off after n1 acked; n0 commits on its timeout, n2 aborts alone."""
    result = check(ThreePhase(participants=2, faults=budget("partition=1"), symmetry=symmetry))
    result.assert_discovery("atomicity", PARTITION)
    assert result["atomicity"].explanation == "n1 committed while n2 aborted"
    assert result.exit_code == 1


def test_lost_messages_that_cut_a_participant_off_act_as_a_partition():
    """drop=2 is survived; drop=3 loses a PreCommit and both of n2's StateReqs: n2 aborts alone while n1 commits."""
    survived = check(ThreePhase(participants=2, faults=budget("drop=2")), properties=["atomicity", "commit_needs_all_yes", "deadlock_free"])
    survived.assert_ok()
    assert survived.stats.distinct == 1077
    result = check(ThreePhase(participants=2, faults=budget("drop=3")))
    result.assert_discovery("atomicity")
    labels = result["atomicity"].trace.labels()
    assert len(labels) == 13 and sum(label.startswith("drop(") for label in labels) == 3
    assert result["atomicity"].explanation == "n1 committed while n2 aborted"


def test_after_a_total_failure_a_restarted_participant_can_only_wait():
    """Every node crashes; n1 restarts in doubt, asks, hears no decision: a state with no way forward."""
    result = check(ThreePhase(participants=2, faults=budget("crash=3,restart=1")), properties=["deadlock_free"])
    result.assert_discovery("deadlock_free", [
        "deliver(src=n0, dst=n1, msg=CanCommit())", "crash(node=n0)", "crash(node=n1)", "crash(node=n2)", "restart(node=n1)",
    ])


def run_cli(capsys, *args):
    """`check ARGS` through the real entry point `cli.main`, in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        cli.main(list(args))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_cli_3pc_holds_and_a_partition_draws_a_sequence_chart(capsys):
    """`check 3pc --participants 2` (the default faults: a crash, a restart and a lost message) exits 0 with every
    verdict HOLDS (3 participants, 176,978 states, is the CLI's own run); with a partition it exits 1 and draws the trace."""
    code, out, _err = run_cli(capsys, "3pc", "--participants", "2")
    assert code == 0, out
    assert "faults   crash=1,restart=1,drop=1" in out and "exhaustive" in out and "7,396 distinct" in out
    for name in ("atomicity", "commit_needs_all_yes", "all_committed", "decided_without_coordinator", "deadlock_free"):
        assert any(line.split()[:1] == [name] and "HOLDS" in line for line in out.splitlines()), (name, out)

    code, out, _err = run_cli(capsys, "3pc", "--participants", "2", "--faults", "partition=1")
    assert code == 1, out
    assert "atomicity is violated: counterexample of 11 steps (12 states), shortest" in out
    assert "why: n1 committed while n2 aborted" in out
    chart = out[out.index("n0 coordinator"):]
    for mark in ("n1 participant", "CanCommit()", "Vote(yes=True)", "PreCommit()", "Ack()", "~~ partition: {n0, n1} | the rest ~~",
                 "[timer timeout]", "DoCommit()", "[timer decide]", "n2.phase: prepared -> aborted"):
        assert mark in chart, (mark, out)


def test_cli_refuses_faults_3pc_does_not_model(capsys):
    """A pause breaks the timing assumption, so 3pc does not take it: one line and exit 2."""
    code, out, err = run_cli(capsys, "3pc", "--faults", "pause=1")
    assert code == 2 and out == ""
    assert err.strip() == "check: --faults names pause, which 3pc does not model (it allows: crash, restart, drop, partition)"
