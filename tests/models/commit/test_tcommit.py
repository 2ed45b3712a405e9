"""The TCommit specification: TLC's figures and its witnesses."""
import pytest

from checker import Kind, StopReason, UsageError, Verdict, check
from models.commit.tcommit import TCommit


def test_three_rms_reproduces_tlc_figures():
    """TCommit with 3 RMs: 34 distinct, 94 generated, depth 7, exhaustive, all HOLDS (TLC)."""
    result = check(TCommit(rms=3))
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (34, 94, 7)
    assert result.stop is StopReason.EXHAUSTED
    assert result.verdict("consistent") is Verdict.HOLDS


def test_every_sometimes_property_is_witnessed():
    """all_committed and all_aborted are both witnessed by shortest traces."""
    model = TCommit(rms=3)
    result = check(model)
    assert {p.name for p in result.properties if p.kind is Kind.SOMETIMES} == {"all_committed", "all_aborted"}
    result.assert_discovery("all_committed", [
        "prepare(rm=0)", "prepare(rm=1)", "prepare(rm=2)",
        "decide_commit(rm=0)", "decide_commit(rm=1)", "decide_commit(rm=2)",
    ])  # commit needs every RM prepared first: 3 + 3 steps
    result.assert_discovery("all_aborted", ["decide_abort(rm=0)", "decide_abort(rm=1)", "decide_abort(rm=2)"])
    assert model.all_committed(result["all_committed"].trace.last)
    assert model.all_aborted(result["all_aborted"].trace.last)


def test_decided_states_are_final_not_deadlocks():
    """A state where every RM decided has no successor, and the model says it may stop there."""
    model = TCommit(rms=3)
    done = model.init().evolve(rm_state=("committed",) * 3)
    assert list(model.successors(done)) == []
    assert model.may_stop(done)
    assert not model.may_stop(model.init())
    assert check(model).verdict("deadlock_free") is Verdict.HOLDS


def test_commit_waits_for_every_rm_to_prepare():
    """decide_commit is disabled while some RM is still working."""
    model = TCommit(rms=3)
    state = model.init().evolve(rm_state=("prepared", "prepared", "working"))
    assert model.decide_commit(state, rm=0) is None
    assert model.decide_commit(state.evolve(rm_state=("prepared",) * 3), rm=0).rm_state == ("committed", "prepared", "prepared")


def test_dfs_agrees():
    """DFS gives the same figures and verdicts as BFS."""
    result = check(TCommit(rms=3), strategy="dfs")
    result.assert_ok()
    assert (result.stats.distinct, result.stats.generated) == (34, 94)


@pytest.mark.parametrize("kwargs", [{"rms": 0}, {"rms": 15}, {"bug": "anything"}])
def test_bad_parameters_are_refused(kwargs):
    """An out-of-range RM count, or any bug name (TCommit has none), is a UsageError."""
    with pytest.raises(UsageError):
        TCommit(**kwargs)
