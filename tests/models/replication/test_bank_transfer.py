"""bank-transfer: pinned figures; the outbox and the idempotent credit survive crashes, losses and duplicates,
every witness reached; the seed's transfer loses money in a crash between debit and credit, or goes quiet half
applied after a lost credit; a credit without the transfer id check creates money."""
import pytest

from checker import Verdict, check
from checker.actors.actor import Event
from models.replication.bank_transfer import BankTransfer

WITNESSES = ("all_settled", "crash_recovered", "repeat_ignored")
DEBIT_T1 = "timeout(node=n0, timer='debit t1')"
SEND_T1 = "timeout(node=n0, timer='credit t1')"
CREDIT_T1 = "deliver(src=n0, dst=n1, msg=Credit(tid='t1', amount=10))"
ACK_T1 = "deliver(src=n1, dst=n0, msg=Ack(tid='t1'))"
INVOKED_T1 = Event(node=0, kind="invoke", op="transfer", value="t1")
TOLD_T1 = Event(node=0, kind="return", op="transfer", value="t1")


def test_the_default_budget_is_survived_and_every_witness_is_reached():
    """crash, restart, drop and duplicate: 7,678 states, depth 17, money conserved, transfers live."""
    result = check(BankTransfer())
    result.assert_ok()
    assert (result.stats.distinct, result.stats.depth) == (7678, 17)
    assert result.verdict("transfers_credited_eventually") is Verdict.HOLDS
    assert {name: len(result[name].trace) for name in WITNESSES} == {"all_settled": 8, "crash_recovered": 6, "repeat_ignored": 5}


def test_a_crash_between_debit_and_send_is_recovered_from_the_outbox():
    """The witness: n0 debits t1, crashes before sending, reads t1 back from its outbox, sends, and the client is told."""
    result = check(BankTransfer(transfers=1))
    result.assert_ok()
    assert result.stats.distinct == 233
    result.assert_discovery("crash_recovered", [DEBIT_T1, "crash(node=n0)", "restart(node=n0)", SEND_T1, CREDIT_T1, ACK_T1])
    last = result["crash_recovered"].trace.last
    assert (last.nodes[0].balance, last.nodes[1].balance, last.history) == (90, 110, (INVOKED_T1, TOLD_T1))


def test_a_repeated_credit_is_acknowledged_and_not_applied_again():
    """The duplicated Credit arrives twice; n1 credits 10 once."""
    result = check(BankTransfer(transfers=1))
    result.assert_discovery("repeat_ignored", [DEBIT_T1, SEND_T1, CREDIT_T1.replace("deliver", "duplicate"), CREDIT_T1, CREDIT_T1])
    assert result["repeat_ignored"].trace.last.nodes[1].balance == 110


def test_without_faults_the_fault_witnesses_do_not_apply():
    """51 states; only the settled witness applies."""
    result = check(BankTransfer(faults="none"))
    result.assert_ok()
    assert result.stats.distinct == 51
    assert [result.verdict(name) for name in WITNESSES] == [Verdict.HOLDS] + [Verdict.NOT_APPLICABLE] * 2


def test_a_destination_down_for_good_leaves_the_transfer_in_transit():
    """--faults crash=1: n1 never comes back, n0 retries in vain (a 3-step lasso); no money is lost meanwhile."""
    result = check(BankTransfer(faults="crash=1"))
    prop = result["transfers_credited_eventually"]
    assert prop.verdict is Verdict.VIOLATED and prop.trace.stays_forever
    assert prop.trace.labels() == ["crash(node=n1)", DEBIT_T1, SEND_T1]
    assert prop.explanation == "t1 (10) debited at n0 and never credited at n1 (down)"
    assert result.verdict("money_conserved") is Verdict.HOLDS and result.verdict("no_half_transfer") is Verdict.HOLDS


def test_the_seeds_transfer_loses_the_money_in_a_crash_between_debit_and_credit():
    """no-recovery-log: n0 debits t1 and crashes with the credit still to send in memory (2 steps); the client is never told."""
    result = check(BankTransfer(bug="no-recovery-log"))
    assert result.exit_code == 1 and result.stats.distinct == 14
    result.assert_discovery("money_conserved", [DEBIT_T1, "crash(node=n0)"])
    prop = result["money_conserved"]
    assert prop.explanation == ("t1 (10) was debited at n0 but nothing records that n1 is owed it: balances 190 + "
                                "in transit 0 = 190, not 200")
    assert prop.trace.last.history == (INVOKED_T1,)


def test_the_seeds_transfer_goes_quiet_half_applied_after_a_lost_credit():
    """no-recovery-log, --faults drop=1: the Credit is lost, nothing resends it (3 steps), and the transfer never completes."""
    model = BankTransfer(bug="no-recovery-log", faults="drop=1")
    result = check(model)
    result.assert_discovery("no_half_transfer", [DEBIT_T1, SEND_T1, CREDIT_T1.replace("deliver", "drop")])
    assert result["no_half_transfer"].explanation == ("the system is quiet, yet t1 (10) debited at its source will never "
                                                      "be credited: nothing is left to send it")
    live = check(model, properties=["transfers_credited_eventually"])["transfers_credited_eventually"]
    assert live.verdict is Verdict.VIOLATED and live.trace.stays_forever and len(live.trace) == 7
    assert live.explanation == "t2 (20) debited at n1 and never credited at n0"


@pytest.mark.parametrize(("faults", "states", "repeat"), [
    (None, 246, ["duplicate(src=n0, dst=n1, msg=Credit(tid='t1', amount=10))", CREDIT_T1, CREDIT_T1]),
    ("drop=1", 87, [CREDIT_T1, "drop(src=n1, dst=n0, msg=Ack(tid='t1'))", "timeout(node=n0, timer='retry t1')", CREDIT_T1]),
])
def test_a_credit_without_the_id_check_creates_money(faults, states, repeat):
    """non-idempotent-credit: a duplicated Credit (5 steps) or a retry after a lost ack (6) is credited twice."""
    result = check(BankTransfer(bug="non-idempotent-credit", **({"faults": faults} if faults else {})))
    assert result.exit_code == 1 and result.stats.distinct == states
    result.assert_discovery("money_conserved", [DEBIT_T1, SEND_T1, *repeat])
    prop = result["money_conserved"]
    assert prop.explanation == ("n1 credited t1 (10) again when its Credit arrived a second time: balances 210 + "
                                "in transit 0 = 210, not 200")
    assert prop.trace.last.nodes[1].balance == 120


def test_the_non_idempotent_credit_breaks_no_liveness():
    """The money is created, but every transfer still completes and nothing stays half applied."""
    result = check(BankTransfer(bug="non-idempotent-credit", transfers=1, faults="duplicate=1"), stop_on_first_violation=False)
    verdicts = {p.name: p.verdict for p in result.properties}
    assert verdicts["money_conserved"] is Verdict.VIOLATED
    assert verdicts["no_half_transfer"] is verdicts["transfers_credited_eventually"] is Verdict.HOLDS


def test_the_swarm_grid_builds():
    """Every configuration of `check bank-transfer --swarm` is a valid model."""
    assert all(BankTransfer(**options) for options in BankTransfer.swarm_grid())
