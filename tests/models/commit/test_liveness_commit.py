"""Liveness of the commit models under fairness: every RM (tcommit, 2pc) or running participant
(3pc) eventually decides. The verdicts, the lassos that show what each property rests on, and
their explanations; tcommit's and 2pc's default runs stay TLC's; 3pc agrees with symmetry on and off."""
from typing import ClassVar

import pytest

import cli
from checker import Kind, Verdict, check, eventually
from checker.actors.faults import FaultBudget
from click.testing import CliRunner
from models.commit.tcommit import TCommit
from models.commit.threephase import ThreePhase
from models.commit.twophase import TwoPhase

DECIDES = "every_rm_decides"
NON_BLOCKING = "running_participants_decide"


class TCommitAbortUnfair(TCommit):
    """TCommit whose spontaneous abort is never forced."""

    fairness: ClassVar[dict[str, str]] = {"decide_abort": "unfair"}


class TCommitCommitUnfair(TCommit):
    """TCommit whose commit is never forced."""

    fairness: ClassVar[dict[str, str]] = {"decide_commit": "unfair"}


class TCommitPrepareUnfair(TCommit):
    """TCommit whose RMs are never forced to prepare."""

    fairness: ClassVar[dict[str, str]] = {"prepare": "unfair"}


class TwoPhaseNoTimeout(TwoPhase):
    """2PC whose TM never has to abort (no timeout forces it)."""

    fairness: ClassVar[dict[str, str]] = {"tm_abort": "unfair"}


class TwoPhaseOnlyTimeoutAndReceipts(TwoPhase):
    """2PC where only the TM's abort and the RMs' receipt of the decision are fair."""

    fairness: ClassVar[dict[str, str]] = {"rm_prepare": "unfair", "rm_choose_to_abort": "unfair",
                                          "tm_rcv_prepared": "unfair", "tm_commit": "unfair"}


class ThreePhaseWeakTimers(ThreePhase):
    """3PC with its when-quiet timers weakly fair (what an actor model gets unless it says otherwise)."""

    fairness: ClassVar[dict[str, str]] = {"restart": "unfair"}


class ThreePhaseEventually(ThreePhase):
    """3PC with the non-blocking property written as a plain `eventually` (too weak: see below)."""

    @eventually
    def eventually_running_decided(self, s):
        """Some state has every running participant decided."""
        return not self.undecided_running(s)


def budget(text):
    return FaultBudget.parse(text)


def judged(model, name, **options):
    """The result of checking only the property `name`, exhaustively."""
    result = check(model, properties=[name], **options)
    assert result.stop.is_complete
    return result, result[name]


def assert_lasso(prop, length, loop_start, stays_forever, explanation):
    """A VIOLATED liveness property with a lasso of that shape and that explanation."""
    assert prop.verdict is Verdict.VIOLATED
    trace = prop.trace
    assert (len(trace), trace.loop_start, trace.stays_forever) == (length, loop_start, stays_forever)
    assert trace.last == trace.steps[loop_start].state
    assert prop.explanation == explanation


# tcommit and 2pc: only when selected

@pytest.mark.parametrize(("model", "figures"), [(TCommit(), (34, 94, 7)), (TwoPhase(), (288, 1146, 11))],
                         ids=["tcommit", "2pc"])
def test_default_runs_leave_the_liveness_property_out(model, figures):
    """Without a selection, every_rm_decides is not checked, TLC's figures stay, and a note names it."""
    result = check(model)
    result.assert_ok()
    assert DECIDES not in {p.name for p in result.properties}
    assert all(not p.kind.is_liveness for p in result.properties)
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == figures
    assert f"not checked by default: {DECIDES} (--property NAME checks it)" in result.notes


@pytest.mark.parametrize(("model", "distinct"), [
    (TCommit(), 34), (TCommit(rms=5), 274), (TwoPhase(), 288), (TwoPhase(rms=4), 1568),
    (TwoPhase(bug="rm-aborts-after-prepare"), 459), (TwoPhase(bug="tm-commits-early"), 623),
], ids=["tcommit-3", "tcommit-5", "2pc-3", "2pc-4", "2pc-rm-aborts-after-prepare", "2pc-tm-commits-early"])
def test_every_rm_decides_under_weak_fairness(model, distinct):
    """Selected, every_rm_decides HOLDS with every action weakly fair; the bugs break safety, not this."""
    result, prop = judged(model, DECIDES)
    assert (prop.kind, prop.verdict, prop.note) == (Kind.EVENTUALLY, Verdict.HOLDS, "on every fair run")
    assert result.stats.distinct == distinct


@pytest.mark.parametrize("model", [TCommitPrepareUnfair(), TwoPhaseOnlyTimeoutAndReceipts()], ids=["tcommit", "2pc"])
def test_what_the_property_does_not_rest_on(model):
    """No fairness is needed for tcommit's prepare, nor for 2pc's RM choices, vote receipts and commit."""
    assert judged(model, DECIDES)[1].verdict is Verdict.HOLDS


def test_tcommit_rests_on_the_spontaneous_abort():
    """decide_abort unfair: RM 2 aborts, the others prepare, and nothing makes them abort."""
    prop = judged(TCommitAbortUnfair(), DECIDES)[1]
    assert_lasso(prop, 3, 3, True, "RM 0 prepared and RM 1 prepared stay undecided forever: RM 2 aborted, "
                                   "which rules out commit, and no abort is ever taken")
    assert prop.trace.labels() == ["decide_abort(rm=2)", "prepare(rm=1)", "prepare(rm=0)"]
    assert prop.note == "a fair run of 3 steps that stays at step 3 forever (no fair step is enabled there)"


def test_tcommit_rests_on_the_commit():
    """decide_commit unfair: RM 0 commits, and the others, prepared, never follow."""
    prop = judged(TCommitCommitUnfair(), DECIDES)[1]
    assert_lasso(prop, 4, 4, True, "RM 1 prepared and RM 2 prepared stay undecided forever: RM 0 committed, "
                                   "which rules out abort, and no commit is ever taken")
    assert prop.trace.labels() == ["prepare(rm=2)", "prepare(rm=1)", "prepare(rm=0)", "decide_commit(rm=0)"]


def test_2pc_rests_on_the_tm_timeout():
    """tm_abort unfair: two RMs abort on their own, and the TM waits forever for their votes (blocking without a crash)."""
    prop = judged(TwoPhaseNoTimeout(), DECIDES)[1]
    assert_lasso(prop, 4, 4, True, "RM 0 prepared stays undecided forever: the TM never decides (it has Prepared from RMs [0] of 3)")
    assert prop.trace.labels() == ["rm_choose_to_abort(rm=2)", "rm_choose_to_abort(rm=1)", "rm_prepare(rm=0)", "tm_rcv_prepared(rm=0)"]


def test_selecting_it_on_the_command_line():
    """`check 2pc --property every_rm_decides` and the same for tcommit: HOLDS, exit 0, 2pc's figures unchanged."""
    for model, figures in [("2pc", "288 distinct, 1,146 generated, depth 11"), ("tcommit", "34 distinct, 94 generated, depth 7")]:
        out = CliRunner().invoke(cli.cli, [model, "--property", DECIDES, "--workers", "1"], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        assert f"{DECIDES}    eventually    HOLDS      on every fair run" in out.output
        assert figures in out.output


# 3pc: checked by default

def test_3pc_checks_it_by_default_with_its_fairness():
    """running_participants_decide is a leads-to in the default run; the when-quiet timers are strong, restart unfair."""
    assert ThreePhase.fairness == {"timeout": "strong", "decide": "strong", "recover": "strong", "restart": "unfair"}
    result = check(ThreePhase(participants=2))
    result.assert_ok()
    assert result[NON_BLOCKING].kind is Kind.LEADS_TO


@pytest.mark.parametrize(("participants", "faults", "symmetry", "distinct"), [
    (2, "crash=1,restart=1,drop=1", True, 7396), (2, "crash=1,restart=1,drop=1", False, 14435),
    (3, "crash=1", True, 1202), (3, "crash=1", False, 4253),
    (2, "crash=2,restart=1", True, 3755), (2, "crash=2,restart=1", False, 7304),
])
def test_3pc_does_not_block(participants, faults, symmetry, distinct):
    """Crashes (the coordinator's included, which may never come back), a restart, a lost message: every running participant decides."""
    result, prop = judged(ThreePhase(participants=participants, faults=budget(faults), symmetry=symmetry), NON_BLOCKING)
    assert prop.verdict is Verdict.HOLDS and prop.note.startswith("on every fair run")
    assert result.stats.distinct == distinct


WEAK_TIMER_CYCLE = [
    "deliver(src=n1, dst=n0, msg=StateReq())", "deliver(src=n1, dst=n2, msg=StateReq())",
    "deliver(src=n0, dst=n1, msg=StateRep(phase='waiting'))", "deliver(src=n2, dst=n1, msg=StateRep(phase='prepared'))",
    "timeout(node=n1, timer='recover')",
]


@pytest.mark.parametrize("symmetry", [True, False])
def test_3pc_under_weak_timers_a_recovering_participant_starves_the_timeouts(symmetry):
    """Weakly fair when-quiet timers: n2's vote is lost, n1 crashes and restarts in doubt, and its asking
    again and again keeps every other timer (the coordinator's timeout) from being enabled for good."""
    prop = judged(ThreePhaseWeakTimers(participants=2, symmetry=symmetry), NON_BLOCKING)[1]
    assert_lasso(prop, 11, 6, False, "n1 prepared and n2 prepared wait forever undecided; the coordinator n0 is waiting")
    labels = prop.trace.labels()
    assert labels[6:] == WEAK_TIMER_CYCLE
    assert sorted(labels[:3]) == sorted(["deliver(src=n0, dst=n1, msg=CanCommit())", "deliver(src=n0, dst=n2, msg=CanCommit())",
                                         "drop(src=n2, dst=n0, msg=Vote(yes=True))"])
    assert labels[3:6] == ["crash(node=n1)", "restart(node=n1)", "deliver(src=n1, dst=n0, msg=Vote(yes=True))"]
    assert prop.note == ("a fair run of 11 steps that repeats steps 7..11 forever (loops back to step 6); "
                         "p holds at step 0, q never after")


@pytest.mark.parametrize("symmetry", [True, False])
def test_3pc_blocks_after_a_total_failure(symmetry):
    """crash=3,restart=1: n1 restarts in doubt, then n2 and the coordinator crash for good; n1 can only wait."""
    prop = judged(ThreePhase(participants=2, faults=budget("crash=3,restart=1"), symmetry=symmetry), NON_BLOCKING)[1]
    assert_lasso(prop, 5, 5, True, "n1 prepared waits forever undecided; the coordinator n0 is down, n2 is down")
    assert prop.trace.labels() == ["deliver(src=n0, dst=n1, msg=CanCommit())", "crash(node=n1)", "restart(node=n1)",
                                   "crash(node=n2)", "crash(node=n0)"]


@pytest.mark.parametrize("symmetry", [True, False])
def test_a_plain_eventually_would_miss_a_blocked_participant(symmetry):
    """One participant, crash=2,restart=1: n1 restarts in doubt and the coordinator crashes. `eventually`
    counts the moment n1 was down (no running participant undecided) and HOLDS; the leads-to does not."""
    model = ThreePhaseEventually(participants=1, faults=budget("crash=2,restart=1"), symmetry=symmetry)
    result = check(model, properties=[NON_BLOCKING, "eventually_running_decided"], stop_on_first_violation=False)
    assert result.verdict("eventually_running_decided") is Verdict.HOLDS
    prop = result[NON_BLOCKING]
    assert_lasso(prop, 4, 4, True, "n1 prepared waits forever undecided; the coordinator n0 is down")
    assert prop.trace.labels() == ["deliver(src=n0, dst=n1, msg=CanCommit())", "crash(node=n1)", "restart(node=n1)", "crash(node=n0)"]
    assert prop.note.endswith("p holds at step 3, q never after")
