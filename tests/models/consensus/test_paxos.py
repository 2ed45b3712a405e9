"""paxos: pinned figures, each bug's shortest trace at the defaults, flexible quorums (unsafe exactly
when Q1 + Q2 <= N), the stable leader's liveness and the leaderless duel's lasso, the runs the round
bound cuts, the obsolete-message claims judged in every later state, and the renumbering of rounds
that makes the duel a cycle, checked to change nothing Paxos can do."""
import pytest

from checker import Verdict, check
from checker.actors.faults import FaultBudget
from checker.errors import OptionError
from models.consensus.paxos import Paxos, _shifted_message, _shifted_node
from specs.consensus import chosen, disagreement

SAFETY = ("agreement", "validity", "learned_is_chosen")
LIVENESS = "value_chosen_eventually"


def verdicts(result):
    return {p.name: p.verdict for p in result.properties}


def liveness(model, **options):
    return check(model, properties=[LIVENESS], **options).properties[0]


# --- the correct protocol, with a stable leader ---------------------------------------------------

@pytest.mark.parametrize(("symmetry", "distinct"), [(True, 1204), (False, 4974)])
def test_without_faults_every_property_holds_and_the_figures_are_pinned(symmetry, distinct):
    """Two proposers, three acceptors, no fault: exhaustive, safe, live, every witness reached."""
    result = check(Paxos(faults="none", symmetry=symmetry))
    result.assert_ok()
    assert result.stats.distinct == distinct and result.stats.depth == 28
    assert result[LIVENESS].note == "on every fair run once faults stop"


def test_crash_and_restart_of_any_node_are_survived():
    """crash=1,restart=1: 17,474 states; promises, accepted values and proposers' ballots are durable."""
    result = check(Paxos(faults="crash=1,restart=1"))
    result.assert_ok()
    assert result.stats.distinct == 17474


def test_loss_and_duplication_are_survived():
    """drop=1,duplicate=1 (duplication is in no default), one round: 28,808 states, every property holds."""
    result = check(Paxos(faults="drop=1,duplicate=1", max_round=1))
    result.assert_ok()
    assert result.stats.distinct == 28808


def test_the_defaults_depend_on_the_leader_option():
    """A stable leader loses a message, crashes and restarts by default; the duel needs no fault, and relative rounds."""
    stable, none = Paxos(), Paxos(leader="none")
    assert (stable.faults, stable.rounds, stable.phase1_quorum, stable.phase2_quorum) == (
        FaultBudget(crash=1, restart=1, drop=1), "absolute", 2, 2)
    assert (none.faults, none.rounds) == (FaultBudget(), "relative")
    assert (Paxos(bug="non-majority-quorum").phase1_quorum, Paxos(bug="non-majority-quorum").phase2_quorum) == (1, 1)


def test_a_quorum_larger_than_the_acceptors_is_refused():
    with pytest.raises(OptionError, match="phase2_quorum"):
        Paxos(phase2_quorum=4)


def test_chosen_means_a_quorum_voted_for_the_value_in_one_ballot():
    """specs.consensus: votes in different ballots do not add up; two values chosen are the first disagreement."""
    votes = [("a0", {(1, "a")}), ("a1", {(1, "a"), (2, "b")}), ("a2", {(2, "b"), (3, "a")})]
    assert chosen(votes, 2) == ((1, "a", frozenset({"a0", "a1"})), (2, "b", frozenset({"a1", "a2"})))
    assert disagreement(chosen(votes, 2)) == chosen(votes, 2)
    assert chosen(votes, 3) == () and disagreement(chosen(votes, 1)[:1]) == ()


# --- the bugs ---------------------------------------------------------------------------------------

NON_MAJORITY = [
    "timeout(node=n0, timer='propose')", "deliver(src=n0, dst=n2, msg=Prepare(ballot=1))",
    "deliver(src=n2, dst=n0, msg=Promise(ballot=1, accepted=0, value=None))", "deliver(src=n0, dst=n2, msg=Accept(ballot=1, value='a'))",
    "timeout(node=n1, timer='suspect')", "deliver(src=n1, dst=n3, msg=Prepare(ballot=2))",
    "deliver(src=n3, dst=n1, msg=Promise(ballot=2, accepted=0, value=None))", "deliver(src=n1, dst=n3, msg=Accept(ballot=2, value='b'))",
]
WHY = {
    "ignore-promised-value": ("a was chosen in ballot 1 by {n2, n3} and b in ballot 2 by {n2, n3}: ballot 2's phase-1 quorum "
                              "{n2, n3} reported a accepted in ballot 1, yet it proposed b"),
    "accept-lower-ballot": ("a was chosen in ballot 1 by {n2, n3} and b in ballot 2 by {n3, n4}: {n3} promised ballot 2, "
                            "reporting nothing accepted in ballot 1 or later, and then accepted the lower ballot 1"),
    "non-majority-quorum": ("a was chosen in ballot 1 by {n2} and b in ballot 2 by {n3}: phase-1 quorum {n3} of ballot 2 "
                            "and phase-2 quorum {n2} of ballot 1 share no acceptor"),
}


@pytest.mark.parametrize(("bug", "steps"), [("ignore-promised-value", 14), ("accept-lower-ballot", 14), ("non-majority-quorum", 8)])
@pytest.mark.parametrize("faults", [None, "none"])
def test_each_bug_breaks_agreement_with_its_shortest_trace(bug, steps, faults):
    """At the defaults, and without faults (where the correct protocol holds, above): the same shortest trace."""
    result = check(Paxos(bug=bug, faults=faults))
    assert result.exit_code == 1
    prop = result["agreement"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == steps
    assert prop.explanation == WHY[bug]
    if bug == "non-majority-quorum":
        result.assert_discovery("agreement", NON_MAJORITY)


@pytest.mark.parametrize(("bug", "steps"), [("ignore-promised-value", 14), ("accept-lower-ballot", 14), ("non-majority-quorum", 8)])
def test_symmetry_reduction_does_not_change_what_the_bugs_show(bug, steps):
    """Without symmetry reduction (no faults): the same verdict, trace length and explanation."""
    prop = check(Paxos(bug=bug, faults="none", symmetry=False))["agreement"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == steps and prop.explanation == WHY[bug]


# --- flexible quorums -------------------------------------------------------------------------------

@pytest.mark.parametrize("q1", [1, 2, 3])
@pytest.mark.parametrize("q2", [1, 2, 3])
def test_quorums_are_safe_exactly_when_every_phase1_quorum_meets_every_phase2_quorum(q1, q2):
    """Three acceptors, a lost message: agreement fails for Q1 + Q2 <= 3, and the explanation names the quorums."""
    prop = check(Paxos(phase1_quorum=q1, phase2_quorum=q2, faults="drop=1"), properties=["agreement"]).properties[0]
    if q1 + q2 > 3:
        assert prop.verdict is Verdict.HOLDS
    else:
        assert prop.verdict is Verdict.VIOLATED
        assert prop.explanation.endswith("share no acceptor")


def test_the_explanation_names_the_quorums_that_missed_each_other():
    """Q1 = 1, Q2 = 2: n1's phase 1 asks only n4, which never heard of ballot 1, chosen by n2 and n3."""
    prop = check(Paxos(phase1_quorum=1, phase2_quorum=2, faults="none"), properties=["agreement"]).properties[0]
    assert len(prop.trace) == 10
    assert prop.explanation == ("a was chosen in ballot 1 by {n2, n3} and b in ballot 2 by {n2, n3}: phase-1 quorum {n4} of "
                                "ballot 2 and phase-2 quorum {n2, n3} of ballot 1 share no acceptor")


# --- liveness ---------------------------------------------------------------------------------------------

def test_a_leader_that_stays_down_leaves_the_value_unchosen():
    """crash=1 without a restart: n0, the eventual leader by fiat, crashes first; a non-leader proposes only on a suspicion (a fault)."""
    for symmetry in (True, False):
        prop = liveness(Paxos(faults="crash=1", symmetry=symmetry))
        assert prop.verdict is Verdict.VIOLATED
        assert prop.trace.labels() == ["crash(node=n0)"] and prop.trace.stays_forever
        assert prop.explanation == "no value chosen: n0 (the leader) is down; n1 has not started; the acceptors promised n2 0, n3 0, n4 0"


def test_runs_the_round_bound_cuts_are_counted_not_violated():
    """One round: a leader whose only ballot is lost or pre-empted cannot retry; those runs are counted in the note."""
    prop = liveness(Paxos(faults="drop=1", max_round=1))
    assert prop.verdict is Verdict.HOLDS
    assert prop.note == ("on every fair run once faults stop within the bounds; runs the bounds cut, not judged: 22 where a "
                         "run would stay forever but for the model's bound (a proposer that needs another ballot has no "
                         "round left after round 1)")


DUEL = [
    "timeout(node=n1, timer='propose')", "timeout(node=n0, timer='propose')", "deliver(src=n0, dst=n2, msg=Prepare(ballot=1))",
    "deliver(src=n1, dst=n2, msg=Prepare(ballot=2))", "deliver(src=n2, dst=n0, msg=Promise(ballot=1, accepted=0, value=None))",
    "deliver(src=n0, dst=n2, msg=Accept(ballot=1, value='a'))", "deliver(src=n2, dst=n0, msg=Nack(ballot=1, promised=2))",
    "deliver(src=n0, dst=n2, msg=Prepare(ballot=3))", "deliver(src=n2, dst=n1, msg=Promise(ballot=2, accepted=0, value=None))",
    "deliver(src=n1, dst=n2, msg=Accept(ballot=2, value='b'))", "deliver(src=n2, dst=n1, msg=Nack(ballot=2, promised=3))",
]


def test_without_a_leader_two_proposers_duel_forever():
    """--leader none, one acceptor: n1's ballot 2 pre-empts n0's 1, n0's 3 pre-empts n1's 2, and n1 takes 4, which the
    relative rounds renumber to 2: the cycle repeats steps 4..11, each turn one round higher."""
    prop = liveness(Paxos(leader="none", acceptors=1))
    assert prop.verdict is Verdict.VIOLATED
    assert prop.trace.labels() == DUEL and prop.trace.loop_start == 3
    assert prop.explanation == ("no value chosen: n0 is preparing ballot 1; n1 is preparing ballot 2; the acceptors promised "
                                "n2 1; rounds are relative, so each time a cycle comes back here every ballot is higher than "
                                "the last time")


@pytest.mark.parametrize("symmetry", [True, False])
def test_the_duel_with_two_acceptors_has_the_same_lasso_with_symmetry_or_without(symmetry):
    """Two acceptors: an 18-step lasso (a cycle of 14) with symmetry reduction (6,595 states) or without (12,626)."""
    result = check(Paxos(leader="none", acceptors=2, symmetry=symmetry))
    assert result.stats.distinct == (6595 if symmetry else 12626)
    assert all(result.verdict(name) is Verdict.HOLDS for name in SAFETY)
    prop = result[LIVENESS]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 18 and prop.trace.loop_start == 4
    assert result.exit_code == 1


def test_with_absolute_rounds_the_bound_hides_the_duel():
    """--rounds absolute: the highest ballot is never pre-empted, so every bounded run chooses a value, and no run is even cut."""
    prop = liveness(Paxos(leader="none", acceptors=2, rounds="absolute"))
    assert prop.verdict is Verdict.HOLDS and prop.note == "on every fair run once faults stop"


def test_without_a_leader_faults_are_survived_too():
    """--leader none, one live round, a crash and a restart: safe; liveness holds within the round bound (runs cut counted)."""
    result = check(Paxos(leader="none", max_round=1, faults="crash=1,restart=1"))
    assert result.stats.distinct == 14154
    assert all(result.verdict(name) is Verdict.HOLDS for name in (*SAFETY, LIVENESS))
    assert "30 where a run would stay forever but for the model's bound" in result[LIVENESS].note


# --- the reductions ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "distinct", "live"), [
    (dict(faults="none"), 4851, Verdict.HOLDS),
    (dict(leader="none", acceptors=1, faults="crash=1,restart=1,drop=1"), 3492, Verdict.VIOLATED),
])
def test_obsolete_claims_hold_in_every_later_state(options, distinct, live):
    """Obsolete messages kept in flight and delivered like any other: no claim is refuted, and the verdicts stay."""
    result = check(Paxos(**options, discard_obsolete=False))
    assert result.stats.distinct == distinct
    assert all(result.verdict(name) is Verdict.HOLDS for name in SAFETY)
    assert result.verdict(LIVENESS) is live


def raised(model, state):
    """The state with every ballot one round higher (what renumbering undoes)."""
    by = -model.proposers
    return state.evolve(nodes=tuple(_shifted_node(node, by) for node in state.nodes),
                        network=model.net.send((), [e.evolve(msg=_shifted_message(e.msg, by)) for e in state.network]))


def test_renumbering_rounds_changes_nothing_paxos_can_do():
    """The claim behind relative rounds: on reachable states where every proposer has started, raising every ballot
    by a round and then stepping gives the same states as stepping and then raising (absolute rounds, a bound no step meets)."""
    model = Paxos(leader="none", acceptors=2, rounds="absolute", max_round=4, symmetry=False, faults="crash=1,restart=1")
    seen, frontier, compared = set(), list(model.init_states()), 0
    while frontier and len(seen) < 3000:
        state = frontier.pop(0)
        if state in seen:
            continue
        seen.add(state)
        successors = model.next_states(state)
        frontier += successors
        if all(p.ballot for p in state.nodes[:2]) and max(p.ballot for p in state.nodes[:2]) <= 4:
            assert {raised(model, nxt) for nxt in successors} == set(model.next_states(raised(model, state)))
            compared += 1
    assert compared > 1000


def test_the_swarm_grid_builds():
    """Every configuration of `check paxos --swarm` is a valid model."""
    assert all(Paxos(**options) for options in Paxos.swarm_grid())
