"""Fencing tokens reduced to their safety: pinned counts, the seed's per-process token breaking the
resource in 7 steps, and the resource's safety proved with Z3 for any number of clients."""
import pytest

from checker import Verdict, check
from checker.prove import symbolic_form
from checker.prove.drift import drift
from checker.prove.run import check_with_bmc, check_with_prover
from models.locks.fencing_tokens import FencingTokens


@pytest.mark.parametrize(("clients", "states"), [(2, 53), (3, 571), (4, 8521)])
def test_counts(clients, states):
    result = check(FencingTokens(clients=clients))
    assert result.stats.distinct == states and result.exit_code == 0


def test_the_seed_token_accepts_an_older_grant_after_a_newer_one():
    found = check(FencingTokens(bug="seed-token"), properties=["resource_safe"])["resource_safe"]
    assert found.trace.labels() == ["acquire(c=0)", "expire()", "acquire(c=1)", "write(c=0)", "write(c=1)", "deliver(c=1)", "deliver(c=0)"]
    assert found.explanation == "client 0's write under grant 1 was accepted after client 1's under grant 2"


def test_the_resource_is_proved_safe_for_any_number_of_clients():
    result = check_with_prover(FencingTokens())
    assert result["resource_safe"].note == "inductive: holds at every depth for 3 clients and for any number"
    assert result.exit_code == 0


def test_the_seed_token_gives_a_reachable_counterexample_and_bmc_the_same_length():
    proved = check_with_prover(FencingTokens(bug="seed-token"))["resource_safe"]
    bounded = check_with_bmc(FencingTokens(bug="seed-token"), ["resource_safe"], max_depth=9)["resource_safe"]
    assert proved.verdict is Verdict.VIOLATED and len(proved.trace) == 7 and len(bounded.trace) == 7


@pytest.mark.parametrize("options", [dict(clients=2), dict(clients=2, bug="seed-token")], ids=str)
def test_the_encoding_does_not_drift(options):
    report = drift(symbolic_form(FencingTokens(**options)), lemmas="bug" not in options)
    assert (report.problems, report.states) == ((), 53)
