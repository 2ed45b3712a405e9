"""raft: pinned figures, each bug's shortest trace at the defaults, the obsolete-message reduction
checked state by state, and the log rules. The longest searches (the 3-node defaults, Figure 8 at
commit-old-term's four terms, the correct protocol at a bug's bounds, the 5-node defaults) are
pinned in bench/pinned.py, outside the suite's time budget."""
import attrs
import pytest

from checker import Verdict, check
from checker.actors.actor import Actor
from checker.actors.faults import FaultBudget
from cli import main
from models.consensus.raft import Entry, Raft, RaftServer, Server, merged

SMALL = dict(nodes=3, max_term=2, max_log=1, requests=1, faults=FaultBudget(), elections="anytime", max_in_flight=3)
SAFETY = ("election_safety", "leader_append_only", "log_matching", "leader_completeness", "state_machine_safety")
RV1 = "RequestVote(term=1, last_term=0, last_index=0)"


def verdicts(result):
    return {p.name: p.verdict.value for p in result.properties}


def assert_safe_and_exhaustive(result):
    assert result.stop.is_complete, result.stop
    assert all(result.verdict(name) is Verdict.HOLDS for name in SAFETY), verdicts(result)


@pytest.mark.parametrize(("symmetry", "distinct"), [(True, 4227), (False, 18283)])
def test_small_cluster_without_faults_is_safe_and_pinned(symmetry, distinct):
    """3 nodes, 2 terms, one entry, no faults: exhaustive, safe, a commit everywhere; no crash, so no re-election after one."""
    result = check(Raft(**SMALL, symmetry=symmetry), stop_on_first_violation=False)
    assert_safe_and_exhaustive(result)
    assert result.stats.distinct == distinct and result.stats.depth == 23
    assert result.verdict("committed_everywhere") is Verdict.HOLDS
    assert result.verdict("reelected_after_crash") is Verdict.NOT_APPLICABLE  # it needs a crash, which this budget leaves out


def test_two_nodes_at_their_defaults_reach_every_witness():
    """2 nodes (3 terms, 2 entries, crash and restart): exhaustive, 18,053 states, every property and witness holds."""
    result = check(Raft(nodes=2))
    result.assert_ok()
    assert result.stats.distinct == 18053


def test_five_nodes_one_term_is_pinned():
    """5 nodes, when-quiet elections, one term, 6 in flight, no faults: 3,701 states, safe, an entry committed on all five."""
    result = check(Raft(nodes=5, max_term=1, max_in_flight=6, faults=FaultBudget()), stop_on_first_violation=False)
    assert_safe_and_exhaustive(result)
    assert result.stats.distinct == 3701
    assert result.verdict("committed_everywhere") is Verdict.HOLDS


def test_no_log_check_lets_a_leader_lack_a_committed_entry():
    """no-log-check: n1's election races n0's lost heartbeat; n0 commits 1:a with n2, and n2 votes for n1 (empty log) in term 2."""
    result = check(Raft(nodes=3, bug="no-log-check"))
    result.assert_discovery("leader_completeness", [
        "timeout(node=n0, timer='election')", f"deliver(src=n0, dst=n1, msg={RV1})", f"deliver(src=n0, dst=n2, msg={RV1})",
        "deliver(src=n1, dst=n0, msg=Vote(term=1, granted=True))", "timeout(node=n1, timer='election')",
        "drop(src=n0, dst=n2, msg=AppendEntries(term=1, prev=0, prev_term=0, entries=(), commit=0))",
        "timeout(node=n0, timer='client')",
        "deliver(src=n0, dst=n2, msg=AppendEntries(term=1, prev=0, prev_term=0, entries=(Entry(term=1, value='a'),), commit=0))",
        "deliver(src=n1, dst=n2, msg=RequestVote(term=2, last_term=0, last_index=0))",
        "deliver(src=n2, dst=n0, msg=Appended(term=1, success=True, match=1))",
        "deliver(src=n2, dst=n1, msg=Vote(term=2, granted=True))",
    ])
    assert result["leader_completeness"].explanation == "1:a was committed at index 1 in term 1, but n1, leader of term 2, has no entry there"


def test_volatile_vote_elects_two_leaders_in_one_term():
    """volatile-vote: n1 votes for n0, crashes, forgets, and votes for itself with n2 (n0's request to n2 lost): two leaders of term 1."""
    result = check(Raft(nodes=3, bug="volatile-vote"))
    result.assert_discovery("election_safety", [
        "timeout(node=n0, timer='election')", f"deliver(src=n0, dst=n1, msg={RV1})",
        "deliver(src=n1, dst=n0, msg=Vote(term=1, granted=True))",
        "deliver(src=n0, dst=n2, msg=AppendEntries(term=1, prev=0, prev_term=0, entries=(), commit=0))",
        "deliver(src=n2, dst=n0, msg=Appended(term=1, success=True, match=0))",
        "crash(node=n1)", "restart(node=n1)", "timeout(node=n1, timer='election')",
        f"deliver(src=n1, dst=n2, msg={RV1})", f"drop(src=n0, dst=n2, msg={RV1})", "deliver(src=n2, dst=n1, msg=Vote(term=1, granted=True))",
    ])
    assert result["election_safety"].explanation == "n0 and n1 were both elected leader in term 1"


def test_seeds_append_entries_breaks_log_matching():
    """seed-append-entries: 1:b arrives first and lands at index 1 on n1, where n0 holds 1:a."""
    result = check(Raft(nodes=3, bug="seed-append-entries"))
    result.assert_discovery("log_matching", [
        "timeout(node=n0, timer='election')", f"deliver(src=n0, dst=n1, msg={RV1})",
        "deliver(src=n1, dst=n0, msg=Vote(term=1, granted=True))", "crash(node=n2)",
        "timeout(node=n0, timer='client')", "timeout(node=n0, timer='client')",
        "deliver(src=n0, dst=n1, msg=AppendEntries(term=1, prev=1, prev_term=0, entries=(Entry(term=1, value='b'),), commit=0))",
    ])
    assert result["log_matching"].explanation == "n0 and n1 both hold a term-1 entry at index 1, but their logs differ up to it"


class KeepsEveryMessage(RaftServer):
    """A server that never calls a message obsolete: the network keeps everything sent."""

    obsolete = Actor.obsolete


@attrs.frozen
class RaftKeepingEveryMessage(Raft):
    """Raft without the obsolete-message reduction."""

    def actors(self):
        return [KeepsEveryMessage(self) for _ in range(self.nodes)]


def reachable(model):
    """Every reachable state within the model's constraint (no symmetry), by a plain search."""
    seen, frontier = set(), list(model.init_states())
    while frontier:
        state = frontier.pop()
        if state not in seen and model.within_boundary(state):
            seen.add(state)
            frontier += [after for _label, after in model.successors(state)]
    return seen


def test_obsolete_messages_change_nothing_and_stay_obsolete():
    """On every reachable state without the reduction: delivering a message Raft calls obsolete changes nothing
    and sends nothing, and a message stays obsolete along every step."""
    options = dict(SMALL, symmetry=False)
    model, judge = RaftKeepingEveryMessage(**options), RaftServer(Raft(**options))
    states, tried = reachable(model), 0
    for state in states:
        dead = {e for e in state.network if judge.obsolete(e.dst, state.nodes[e.dst], e.src, e.msg)}
        for label, after in model.successors(state):
            delivered = (label.kwargs.get("src"), label.kwargs.get("dst"), label.kwargs.get("msg"))
            if label.name == "deliver" and any((e.src, e.dst, e.msg) == delivered for e in dead):
                tried += 1
                assert after.nodes == state.nodes and len(after.network) == len(state.network) - 1, label
            for env in dead & set(after.network):
                assert judge.obsolete(env.dst, after.nodes[env.dst], env.src, env.msg), (label, env)
    assert (len(states), tried) == (10690, 4770)


def test_the_reduction_loses_no_server_configuration():
    """Every configuration of the servers (states and timers) reachable without the reduction is reachable with it;
    with it the in-flight bound, no longer filled by dead messages, lets the search go further (18,283 against 10,690)."""
    options = dict(SMALL, symmetry=False)
    full, reduced = reachable(RaftKeepingEveryMessage(**options)), reachable(Raft(**options))
    assert (len(full), len(reduced)) == (10690, 18283)
    assert {(s.nodes, s.timers) for s in full} <= {(s.nodes, s.timers) for s in reduced}


def test_merged_truncates_conflicts_only():
    """A conflicting entry goes with all after it; entries already held stay (a stale message truncates nothing)."""
    a1, a2, b2, c3 = Entry(1, "a"), Entry(1, "b"), Entry(2, "b"), Entry(3, "c")
    assert merged((a1, a2), 1, (b2,)) == (a1, b2)            # conflict at index 2: replaced
    assert merged((a1, a2, c3), 0, (a1,)) == (a1, a2, c3)    # already held: nothing truncated
    assert merged((a1,), 1, (b2, c3)) == (a1, b2, c3)        # beyond the end: appended
    assert merged((a1, a2), 2, ()) == (a1, a2)               # a heartbeat changes nothing


def test_cli_finds_a_bug_and_refuses_what_raft_does_not_model(capsys):
    """`check raft --bug ...` exits 1 with a sequence chart; partitions and unknown election policies exit 2 with one line."""
    for argv, code in ((["raft", "--nodes", "3", "--bug", "seed-append-entries"], 1),
                       (["raft", "--faults", "partition=1"], 2), (["raft", "--elections", "sometimes"], 2)):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == code, argv
    out, err = capsys.readouterr()
    assert "log_matching is violated" in out and "Append t1 [1:b] after 1@t0 commit=0" in out
    refusals = [line for line in err.strip().splitlines() if not line.rstrip().endswith("states/s")]  # progress, on a slow machine
    assert "--faults names partition, which raft does not model" in err and len(refusals) == 2, err


def test_every_default_crashes_and_restarts_a_server_and_three_nodes_lose_a_message():
    """The faults Raft claims to survive are in the defaults: restart everywhere, a lost message with 3 nodes
    (`check raft`); 5 nodes leave drop and duplicate to --faults (see the module docstring)."""
    for nodes in (2, 3, 4, 5):
        faults = Raft(nodes=nodes).faults
        assert faults.crash >= 1 and faults.restart >= 1, (nodes, faults)
    assert Raft(nodes=3).faults == FaultBudget(crash=1, restart=1, drop=1) == Raft().faults
    assert Raft(nodes=5).faults == FaultBudget(crash=1, restart=1)


def test_the_defaults_notice_a_log_that_is_not_persisted(monkeypatch):
    """With the log left out of what survives a crash, `check raft` finds a leader lacking a committed entry:
    n0 commits 1:a with n1, n1 crashes and forgets it, restarts, and votes for n2 in term 2."""
    monkeypatch.setattr(Server, "DURABLE", tuple(f for f in Server.DURABLE if f != "log"))
    result = check(Raft(nodes=3))
    prop = result["leader_completeness"]
    assert prop.verdict is Verdict.VIOLATED and len(prop.trace) == 13
    assert prop.explanation == "1:a was committed at index 1 in term 1, but n2, leader of term 2, has no entry there"
    assert "crash(node=n1)" in prop.trace.labels() and "restart(node=n1)" in prop.trace.labels()
