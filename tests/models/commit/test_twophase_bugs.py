"""The known-bug variants of two-phase commit: each is caught, with its shortest counterexample."""
import pytest

from checker import StopReason, Verdict, check
from models.commit.twophase import TwoPhase

# rm-aborts-after-prepare breaks `consistent` in 9 steps, and no fewer:
# - an RM becomes "committed" only by rm_rcv_commit_msg, which needs the Commit message;
# - Commit is sent only by tm_commit, which (without tm-commits-early) needs tm_prepared to hold
#   all 3 RMs: 3 tm_rcv_prepared steps, each after that RM's rm_prepare: 6 steps, + tm_commit = 7;
# - then one rm_rcv_commit_msg (8), and another RM must become "aborted" in a step of its own:
#   no Abort message can exist (tm_abort and tm_commit exclude each other), so it is
#   rm_choose_to_abort on an RM that already prepared, which is exactly the bug (9).
# BFS tries actions in table order, so of the 9-step traces it returns the one below.
RM_ABORTS_TRACE = [
    "rm_prepare(rm=0)",
    "tm_rcv_prepared(rm=0)",
    "rm_prepare(rm=1)",
    "tm_rcv_prepared(rm=1)",
    "rm_prepare(rm=2)",
    "tm_rcv_prepared(rm=2)",
    "tm_commit()",
    "rm_choose_to_abort(rm=0)",
    "rm_rcv_commit_msg(rm=1)",
]

# tm-commits-early breaks `consistent` in 3 steps, and no fewer: the Commit message (tm_commit),
# a committed RM (rm_rcv_commit_msg) and an aborted RM (rm_choose_to_abort; no Abort message can
# coexist with Commit) are three facts, and each step establishes at most one of them.
TM_EARLY_CONSISTENT_TRACE = ["tm_commit()", "rm_choose_to_abort(rm=0)", "rm_rcv_commit_msg(rm=1)"]


def final_state(model, labels):
    """The state reached by taking `labels` from the initial state, failing if one is not enabled."""
    state = model.init()
    for label in labels:
        state = next(nxt for lab, nxt in model.successors(state) if str(lab) == label)
    return state


def test_declared_bugs():
    """2pc declares exactly the two bug variants of the catalog."""
    assert set(TwoPhase.bugs) == {"rm-aborts-after-prepare", "tm-commits-early"}


def test_rm_aborts_after_prepare_violates_consistent_in_nine_steps():
    """rm-aborts-after-prepare: consistent is VIOLATED by the pinned 9-step shortest trace."""
    result = check(TwoPhase(rms=3, bug="rm-aborts-after-prepare"))
    result.assert_discovery("consistent", RM_ABORTS_TRACE)
    assert result.verdict("consistent") is Verdict.VIOLATED
    assert result.stop is StopReason.FIRST_VIOLATION
    assert result.exit_code == 1
    assert result["consistent"].explanation == "RMs [1] committed while RMs [0] aborted"


def test_rm_aborts_trace_is_real():
    """The pinned trace is a real run of the buggy model whose last state is inconsistent."""
    model = TwoPhase(rms=3, bug="rm-aborts-after-prepare")
    end = final_state(model, RM_ABORTS_TRACE)
    assert not model.consistent(end)
    assert end.rm_state == ("aborted", "committed", "prepared")
    with pytest.raises(StopIteration):  # the same trace is impossible without the bug
        final_state(TwoPhase(rms=3), RM_ABORTS_TRACE)


def test_no_rm_aborts_counterexample_shorter_than_nine_steps():
    """Every path of at most 8 steps keeps consistent; 9 steps are needed and enough."""
    model = TwoPhase(rms=3, bug="rm-aborts-after-prepare")
    short = check(model, properties=["consistent"], max_depth=9)  # depth 9 = 8 steps
    assert short.verdict("consistent") is Verdict.UNKNOWN
    assert short.stop is StopReason.DEPTH_LIMIT
    enough = check(model, properties=["consistent"], max_depth=10)
    enough.assert_discovery("consistent", RM_ABORTS_TRACE)


def test_tm_commits_early_violates_commit_needs_all_prepared_at_once():
    """tm-commits-early: commit_needs_all_prepared fails after the single step tm_commit()."""
    result = check(TwoPhase(rms=3, bug="tm-commits-early"))
    result.assert_discovery("commit_needs_all_prepared", ["tm_commit()"])
    assert result.verdict("commit_needs_all_prepared") is Verdict.VIOLATED


def test_tm_commits_early_also_violates_consistent():
    """tm-commits-early, checking only consistent: the pinned 3-step shortest trace."""
    model = TwoPhase(rms=3, bug="tm-commits-early")
    result = check(model, properties=["consistent"])
    result.assert_discovery("consistent", TM_EARLY_CONSISTENT_TRACE)
    assert [p.name for p in result.properties] == ["consistent"]
    assert not model.consistent(final_state(model, TM_EARLY_CONSISTENT_TRACE))
    shorter = check(model, properties=["consistent"], max_depth=3)  # at most 2 steps
    assert shorter.verdict("consistent") is Verdict.UNKNOWN


@pytest.mark.parametrize("bug, violated", [
    ("rm-aborts-after-prepare", {"consistent"}),
    ("tm-commits-early", {"consistent", "commit_needs_all_prepared"}),
])
def test_continuing_after_a_violation_decides_every_verdict(bug, violated):
    """With stop_on_first_violation=False the search exhausts and every other property HOLDS."""
    result = check(TwoPhase(rms=3, bug=bug), stop_on_first_violation=False)
    assert result.stop is StopReason.EXHAUSTED
    verdicts = {p.name: p.verdict for p in result.properties}
    assert {n for n, v in verdicts.items() if v is Verdict.VIOLATED} == violated
    assert all(v is Verdict.HOLDS for n, v in verdicts.items() if n not in violated), verdicts
    for name in violated:
        assert result[name].discovered
    assert result.exit_code == 1


def test_rm_aborts_after_prepare_shortest_trace_is_kept_when_continuing():
    """Continuing past the first violation keeps the same shortest counterexample."""
    result = check(TwoPhase(rms=3, bug="rm-aborts-after-prepare"), stop_on_first_violation=False)
    result.assert_discovery("consistent", RM_ABORTS_TRACE)


def test_dfs_also_catches_each_bug():
    """DFS finds a counterexample (not necessarily shortest) for each bug's named property."""
    for bug, prop in (("rm-aborts-after-prepare", "consistent"), ("tm-commits-early", "commit_needs_all_prepared")):
        model = TwoPhase(rms=3, bug=bug)
        result = check(model, strategy="dfs", properties=[prop])
        assert result.verdict(prop) is Verdict.VIOLATED, bug
        assert not getattr(model, prop)(final_state(model, result[prop].trace.labels()))
