"""multi-paxos: the defaults pinned and holding, each bug's shortest trace at the defaults, the durability and
retransmission the defaults depend on, the obsolete-message reduction and the canonical representative checked
state by state, the spec functions, and the command line."""
import functools
import itertools

import attrs
import pytest

from checker import Verdict, check
from checker.actors.actor import Actor, NodeId
from checker.actors.faults import FaultBudget
from checker.actors.symmetry import permuted
from models.consensus.multi_paxos import (Acceptor, Ballot, MultiPaxos, PValue, ProposerActor, Proposer, free_slot, higher,
                                takes_requests)
from specs.replicated_log import chosen_values, learned_conflict

SAFETY = ("log_matching", "state_machine_safety", "learned_only_chosen")
LIVENESS = ("leader_elected_eventually", "proposals_learned_eventually", "replicas_learn_eventually")
WITNESSES = ("every_slot_chosen", "value_reproposed", "learned_everywhere", "learned_without_a_crashed_acceptor")
B0, B1 = "Ballot(round=1, leader=n0)", "Ballot(round=1, leader=n1)"
NONE2 = "accepted=(None, None)"


def verdicts(result):
    return {p.name: p.verdict for p in result.properties}


def test_the_defaults_are_exhaustive_and_every_property_holds():
    """`check multi-paxos`: 2 proposers, 3 acceptors, 2 slots, one round, crash=1,restart=1,drop=1: 52,495 states,
    safety and liveness hold, every witness is reached (the bar: under a minute on two cores)."""
    model = MultiPaxos()
    assert model.faults == FaultBudget(crash=1, restart=1, drop=1)
    result = check(model, workers=2)
    result.assert_ok()
    assert result.stop.is_complete and (result.stats.distinct, result.stats.depth) == (52495, 34)
    assert set(verdicts(result)) == {*SAFETY, *LIVENESS, *WITNESSES}
    witnesses = {name: len(result[name].trace) for name in WITNESSES}
    assert witnesses == {"every_slot_chosen": 19, "value_reproposed": 12, "learned_everywhere": 22,
                         "learned_without_a_crashed_acceptor": 10}
    assert "129 where a run would stay forever but for the model's bound" in result["leader_elected_eventually"].note


def test_the_new_leader_proposes_again_what_the_old_one_got_accepted():
    """The witness of a leader change, without faults: n1's phase 1 hears of a1 (accepted by n2 alone in b1.n0, n0's
    other Accepts still in flight) and n1 proposes it again in b1.n1: 14 steps."""
    result = check(MultiPaxos(faults="none"), properties=["value_reproposed"])
    labels = result["value_reproposed"].trace.labels()
    assert len(labels) == 14
    assert f"deliver(src=n2, dst=n1, msg=Promise(ballot={B1}, accepted=(PValue(ballot={B0}, value='a1'), None)))" in labels
    leader = result["value_reproposed"].trace.steps[-1].state.nodes[1]
    assert (leader.phase, leader.proposals) == ("leading", ("a1", None))


@pytest.mark.parametrize(("symmetry", "distinct"), [(True, 882), (False, 4165)])
def test_without_faults_symmetry_keeps_every_verdict(symmetry, distinct):
    """No faults: every property holds with and without symmetry (4.7x fewer states with it), same witness lengths."""
    result = check(MultiPaxos(faults="none", symmetry=symmetry))
    assert result.stop.is_complete and result.stats.distinct == distinct
    assert {name for name, verdict in verdicts(result).items() if verdict is not Verdict.HOLDS} == {"learned_without_a_crashed_acceptor"}
    assert result.verdict("learned_without_a_crashed_acceptor") is Verdict.NOT_APPLICABLE  # it needs a crash
    assert {name: len(result[name].trace) for name in WITNESSES[:3]} == {"every_slot_chosen": 21, "value_reproposed": 14,
                                                                         "learned_everywhere": 24}


@pytest.mark.parametrize(("options", "distinct"), [
    (dict(slots=1, faults="crash=1,restart=1", max_in_flight=4), (3502, 16911)),
    (dict(slots=1, faults="crash=1", max_in_flight=4, bug="minority-commit"), (1339, 6103)),
])
def test_with_faults_symmetry_keeps_every_verdict_and_trace_length(options, distinct):
    """Crash and restart (everything holds), and a bug (violations and lassos): the same verdicts and trace lengths
    with and without symmetry, liveness included; about 4.7x fewer states with it."""
    results = [check(MultiPaxos(symmetry=symmetry, **options), stop_on_first_violation=False) for symmetry in (True, False)]
    on, off = ({p.name: (p.verdict, len(p.trace) if p.trace else None) for p in r.properties} for r in results)
    assert on == off and tuple(r.stats.distinct for r in results) == distinct


def test_skip_phase1_chooses_a_second_value_in_a_slot():
    """skip-phase1 at the defaults: a1 is chosen (all three accept it), n1 takes over without phase 1 while n0 crashes
    before it hears, and n1's own b1 is chosen in the same slot: 14 steps."""
    result = check(MultiPaxos(bug="skip-phase1"))
    result.assert_discovery("state_machine_safety", [
        f"deliver(src=n0, dst=n2, msg=Prepare(ballot={B0}))", f"deliver(src=n0, dst=n3, msg=Prepare(ballot={B0}))",
        f"deliver(src=n0, dst=n4, msg=Prepare(ballot={B0}))",
        f"deliver(src=n2, dst=n0, msg=Promise(ballot={B0}, {NONE2}))", f"deliver(src=n3, dst=n0, msg=Promise(ballot={B0}, {NONE2}))",
        "timeout(node=n0, timer='client')",
        f"deliver(src=n0, dst=n2, msg=Accept(ballot={B0}, slot=1, value='a1'))",
        f"deliver(src=n0, dst=n3, msg=Accept(ballot={B0}, slot=1, value='a1'))",
        f"deliver(src=n0, dst=n4, msg=Accept(ballot={B0}, slot=1, value='a1'))",
        "timeout(node=n1, timer='election')", "crash(node=n0)", "timeout(node=n1, timer='client')",
        f"deliver(src=n1, dst=n2, msg=Accept(ballot={B1}, slot=1, value='b1'))",
        f"deliver(src=n1, dst=n3, msg=Accept(ballot={B1}, slot=1, value='b1'))",
    ])
    assert result["state_machine_safety"].explanation == "slot 1: a1 was chosen in b1.n0 and b1 in b1.n1 (each accepted by a majority)"


def test_minority_commit_learns_what_was_never_chosen():
    """minority-commit at the defaults: n0 learns a1 from n2's Accepted alone: 8 steps."""
    result = check(MultiPaxos(bug="minority-commit"))
    result.assert_discovery("learned_only_chosen", [
        f"deliver(src=n0, dst=n2, msg=Prepare(ballot={B0}))", f"deliver(src=n0, dst=n3, msg=Prepare(ballot={B0}))",
        f"deliver(src=n0, dst=n4, msg=Prepare(ballot={B0}))",
        f"deliver(src=n2, dst=n0, msg=Promise(ballot={B0}, {NONE2}))", f"deliver(src=n3, dst=n0, msg=Promise(ballot={B0}, {NONE2}))",
        "timeout(node=n0, timer='client')",
        f"deliver(src=n0, dst=n2, msg=Accept(ballot={B0}, slot=1, value='a1'))",
        f"deliver(src=n2, dst=n0, msg=Accepted(ballot={B0}, slot=1))",
    ])
    assert result["learned_only_chosen"].explanation == "n0 learned a1 in slot 1, which no majority accepted in one ballot (1 of 3 accepted it)"


def test_minority_commit_makes_replicas_disagree():
    """minority-commit, log matching alone: n1 leads b1.n1 and learns b1 (its Decision to n0 lost), while n0, thinking
    it still leads, learns a1 from n4 alone, which restarted after missing n1's Prepare: 19 steps."""
    result = check(MultiPaxos(bug="minority-commit"), properties=["log_matching"])
    prop = result["log_matching"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 19
    assert prop.explanation == "n0 learned a1 in slot 1, n1 learned b1"
    labels = prop.trace.labels()
    assert "drop(src=n1, dst=n0, msg=Decision(slot=1, value='b1'))" in labels
    assert labels[-1] == f"deliver(src=n4, dst=n0, msg=Accepted(ballot={B0}, slot=1))"


@pytest.mark.parametrize(("forgotten", "options", "steps"), [
    ("accepted", dict(slots=1, faults="crash=1,restart=1"), 22),
    ("promised", dict(slots=1, faults="crash=1,restart=1", clients="anytime"), 18),  # the defaults find it too (20 steps, a drop)
])
def test_a_crash_and_a_restart_notice_an_acceptor_that_forgets(monkeypatch, forgotten, options, steps):
    """An acceptor whose accepted values (or promise) a crash loses lets a second value be chosen in a slot. Found with a
    crash and a restart: the accepted value of n2 (lost) never reaches n1's phase 1; n4 forgets its promise to b1.n1
    and accepts a1 from n0."""
    monkeypatch.setattr(Acceptor, "DURABLE", tuple(f for f in Acceptor.DURABLE if f != forgotten))
    result = check(MultiPaxos(**options))
    prop = result["state_machine_safety"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == steps
    assert prop.explanation == "slot 1: a1 was chosen in b1.n0 and b1 in b1.n1 (each accepted by a majority)"
    assert {"crash", "restart"} <= {label.split("(")[0] for label in prop.trace.labels()}


def test_liveness_needs_the_retries(monkeypatch):
    """Without the retry timer's resends, a lost Decision is never made up for: one slot, drop=1."""
    monkeypatch.setattr(ProposerActor, "_resend", lambda self, me, s, out: None)
    result = check(MultiPaxos(slots=1, faults="drop=1"), properties=list(LIVENESS))
    assert verdicts(result) == {"leader_elected_eventually": Verdict.HOLDS, "proposals_learned_eventually": Verdict.HOLDS,
                                "replicas_learn_eventually": Verdict.VIOLATED}
    prop = result["replicas_learn_eventually"]
    assert prop.trace.stays_forever and len(prop.trace) == 18
    assert prop.explanation == "n0 never learns slot 1 (n1 learned b1)"
    assert result.stats.distinct == 4744


def test_with_the_retries_one_slot_under_loss_is_live():
    """The same configuration with the retries: every liveness property holds."""
    result = check(MultiPaxos(slots=1, faults="drop=1"), properties=list(LIVENESS))
    assert set(verdicts(result).values()) == {Verdict.HOLDS} and result.stats.distinct == 4744


def test_a_preempted_leader_that_never_tries_again_leaves_no_leader(monkeypatch):
    """With two rounds, a proposer that gives up its ballot and never arms its election timer again: after n1 preempts
    n0 and crashes (its restart spent), nobody leads, before the round bound could excuse it."""
    monkeypatch.setattr(ProposerActor, "_await_election", lambda self, s, out: None)
    result = check(MultiPaxos(slots=1, max_round=2, faults="crash=1"), properties=["leader_elected_eventually"])
    prop = result["leader_elected_eventually"]
    assert prop.verdict is Verdict.VIOLATED and prop.trace.stays_forever
    assert prop.explanation.startswith("no leader: n0 idle in round 1 (no election timer)")


def test_runs_the_round_bound_cuts_are_counted_not_violated():
    """A crash with no restart: when n1 crashes after preempting n0, only a ballot beyond round 1 would bring a leader
    back; the verdict holds within the bounds and says how many such runs it did not judge."""
    result = check(MultiPaxos(slots=1, faults="crash=1"), properties=["leader_elected_eventually"])
    prop = result["leader_elected_eventually"]
    assert prop.verdict is Verdict.HOLDS
    assert "where a run would stay forever but for the model's bound (no leader holds the highest ballot promised" in prop.note


class KeepsEveryMessage(ProposerActor):
    """A proposer that never calls a message obsolete."""

    obsolete = Actor.obsolete


@attrs.frozen
class MultiPaxosKeepingEveryMessage(MultiPaxos):
    """Multi-Paxos without the obsolete-message reduction."""

    def actors(self):
        return [*(KeepsEveryMessage(self) for _ in range(self.proposers)), *super().actors()[self.proposers:]]


SMALL = dict(slots=1, faults="crash=1,restart=1", max_in_flight=4, symmetry=False)


@functools.lru_cache(maxsize=None)
def reachable(model):
    """Every reachable state within the model's constraint (no symmetry), by a plain search (once per model)."""
    seen, frontier = set(), list(model.init_states())
    while frontier:
        state = frontier.pop()
        if state not in seen and model.within_boundary(state):
            seen.add(state)
            frontier += [after for _label, after in model.successors(state)]
    return seen


def test_obsolete_messages_change_nothing_and_stay_obsolete():
    """On every reachable state without the reduction (one slot, a crash and a restart): delivering a message a
    proposer calls obsolete changes nothing and sends nothing, and the message stays obsolete along every step."""
    model, judge = MultiPaxosKeepingEveryMessage(**SMALL), ProposerActor(MultiPaxos(**SMALL))
    states, tried = reachable(model), 0
    proposers = range(model.proposers)
    for state in states:
        dead = {e for e in state.network if e.dst in proposers and judge.obsolete(e.dst, state.nodes[e.dst], e.src, e.msg)}
        for label, after in model.successors(state):
            if label.name == "deliver" and any((e.src, e.dst, e.msg) == (label.kwargs["src"], label.kwargs["dst"], label.kwargs["msg"])
                                               for e in dead):
                tried += 1
                assert after.nodes == state.nodes and after.timers == state.timers, label
                assert len(after.network) == len(state.network) - 1, label
            for env in dead & set(after.network):
                assert judge.obsolete(env.dst, after.nodes[env.dst], env.src, env.msg), (label, env)
    assert (len(states), tried) == (26022, 11811)


def test_the_reduction_loses_no_node_configuration():
    """Every configuration of the nodes (states and timers) reachable without the reduction is reachable with it; with it
    the in-flight bound, no longer filled by dead messages, lets the search go further."""
    full, reduced = reachable(MultiPaxosKeepingEveryMessage(**SMALL)), reachable(MultiPaxos(**SMALL))
    assert (len(full), len(reduced)) == (26022, 16911)
    assert {(s.nodes, s.timers) for s in full} <= {(s.nodes, s.timers) for s in reduced}


def test_the_representative_is_canonical_and_the_acceptors_interchangeable():
    """On a sample of the reachable states of a small configuration: every renaming of the acceptors has the same
    representative (a class has one fingerprint, which rebuilding a liveness lasso relies on), and renaming them renames
    the successors."""
    model = MultiPaxos(**{**SMALL, "symmetry": True})
    states = sorted(reachable(MultiPaxos(**SMALL)), key=repr)[::25]
    acceptors = list(model.ids[model.proposers:])
    for state in states:
        wanted = model.representative(state)
        for order in itertools.permutations(acceptors):
            renamed = permuted(state, dict(zip(acceptors, order)), model.net)
            assert model.representative(renamed) == wanted
        model.check_symmetry(state)
    assert len(states) == 677


def test_spec_functions_for_a_log_with_holes():
    """learned_conflict finds two logs that differ where both learned; chosen_values counts votes per ballot."""
    assert learned_conflict([("a1", None), (None, "b1"), ("a1", "b1")]) == ()
    assert learned_conflict([("a1", None), (None, "b1"), ("c1", None)]) == (0, 2, 1)
    b1, b2 = Ballot(1, NodeId(0)), Ballot(1, NodeId(1))
    votes = [{(1, b1, "a1")}, {(1, b1, "a1"), (1, b2, "b1")}, {(1, b2, "b1")}]
    assert chosen_values(votes, 2) == {(1, b1, "a1"), (1, b2, "b1")}
    assert chosen_values(votes, 3) == frozenset()
    assert higher(PValue(b1, "a1"), PValue(b2, "b1")) == PValue(b2, "b1") and higher(None, PValue(b1, "a1")) == PValue(b1, "a1")


def test_a_leader_takes_requests_into_free_slots_only():
    """A slot with a proposal or a learned value is not free; a leader takes at most its requests."""
    p = Proposer(round=1, phase="leading", promised_by=frozenset(), adopted=(None, None), proposals=("a1", None),
                 accepts=frozenset(), taken=1, learned=(None, None))
    assert free_slot(p) == 2 and takes_requests(p, 2) and not takes_requests(p, 1)
    assert free_slot(p.evolve(learned=(None, "b1"))) is None


def test_cli_finds_each_bug_and_refuses_partitions(capsys):
    """`check multi-paxos --bug ...` exits 1 with a sequence chart; a partition, which the model does not model, exits 2."""
    import cli
    for argv, code in ((["multi-paxos", "--bug", "minority-commit", "--workers", "1"], 1),
                       (["multi-paxos", "--bug", "skip-phase1", "--workers", "1"], 1),
                       (["multi-paxos", "--faults", "partition=1"], 2)):
        with pytest.raises(SystemExit) as done:
            cli.main(argv)
        assert done.value.code == code, argv
    out, err = capsys.readouterr()
    assert "learned_only_chosen is violated" in out and "Accepted b1.n0 s1" in out
    assert "state_machine_safety is violated" in out and "Accept b1.n1 s1=b1" in out
    assert "--faults names partition, which multi-paxos does not model" in err
