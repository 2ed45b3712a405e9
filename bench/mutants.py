"""Mutation benchmark: seeded implementer bugs in the Raft, 3PC and 2PC-actors models, checked at the defaults.

    python bench/mutants.py                                  # every mutant, 60 s each, then the correct models
    python bench/mutants.py --models raft --time-limit 30
    python bench/mutants.py --only raft-counts-denied-votes,2pc-commit-on-first-yes
    python bench/mutants.py --swarm                          # then the misses again with `run_swarm` (the --swarm mode)
    python bench/mutants.py --list                           # the catalogue only

A checker's worst answer is HOLDS for a broken protocol. Each mutant below is one small,
realistic mistake (a vote counted twice, a log not persisted, a wrong termination rule, ...),
written WITHOUT touching models/: it subclasses the model's actor class and overrides one
handler (or helper, or `crashed` for "not persisted" bugs), and a subclass of the model class
swaps its actors for the mutant ones (`_mutant_model`). Every interchangeable node gets the
mutant, so the models' symmetry declarations stay true.

Each mutant is checked with `check(MutantModel())`: the model's CURRENT defaults (bounds and
fault budget), breadth-first, with a per-mutant time limit, in a child process (a hard timeout
stops a child that overruns). The outcome is one of:
- VIOLATED <property>: a safety property (or deadlock_free) has a counterexample;
- NOT REACHED <witness>: an exhaustive search never reached a `sometimes` witness (exit 1);
- FalseShortcut: the model's own shortcut is wrong, e.g. `RaftServer.obsolete()` declares a
  message dead that the mutant acts on; the actor system checks each claim by delivering the
  message and stops with a definition error (exit 4). Counted as found, reported apart;
- HOLDS: exhaustive within the bounds; UNKNOWN: the time limit (or a signal) cut the search;
- model error: the mutant raised.

With `--swarm`, each mutant missed at the defaults is run again through the swarm mode's Python
API (checker/engine/swarm.py `run_swarm`, on the grid the mutant inherits from its model's
`swarm_grid`; `check MODEL --swarm` cannot name a mutant), `--swarm-time-limit` seconds each.

`expected` says what the bug can break: `safety`, `liveness` (only progress: found only if a
witness goes unreached or a state is stuck), or `nothing` (a harmless slip: HOLDS is right).
A mutant that declares what it `needs` (a fault or a bound the defaults may lack) gets, when
missed, a second run with exactly those options added, and the correct model at the same
options, so the report shows the cause of the miss rather than guessing it (`--no-explain`
skips this). The correct models run last: they must still exit 0 (a larger time limit).
"""
import argparse
import datetime
import inspect
import multiprocessing
import os
import pathlib
import platform
import subprocess
import sys
import time
import traceback
from typing import Any, Callable

import attrs

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import check  # noqa: E402
from checker.actors.actor import Out  # noqa: E402
from checker.actors.faults import FaultBudget  # noqa: E402
from checker.verdict import Verdict  # noqa: E402
from models import raft as R  # noqa: E402
from models import threephase as T  # noqa: E402
from models import twophase_actors as P  # noqa: E402

MODELS = {"raft": R.Raft, "3pc": T.ThreePhase, "2pc-actors": P.TwoPhaseActors}
SAFETY, LIVENESS, NOTHING = "safety", "liveness", "nothing"


# =====================================================================================
# The catalogue
# =====================================================================================

@attrs.frozen
class Mutant:
    """One seeded bug: its model, the mutant actor classes, and what it should break."""

    name: str
    model: str                     # "raft", "3pc", "2pc-actors"
    description: str
    expected: str                  # safety / liveness / nothing
    actors: dict                   # base actor class -> mutant actor class
    needs: dict = attrs.field(factory=dict)   # options a bug needs that defaults may lack (faults "crash=1,restart=1", max_log 2)
    obsolete: bool = False         # the bug acts on a message the model's obsolete() declares dead
    cause: str = ""                # why the defaults may miss it (printed with a miss)

    def model_class(self) -> type:
        return _mutant_model(MODELS[self.model], self.actors, self.name, self.description)


def _mutant_model(base: type, swaps: dict, name: str, description: str) -> type:
    """A subclass of `base` whose actors() returns the mutant actors instead of the correct ones."""

    def actors(self: Any) -> list:
        out = []
        for actor in base.actors(self):
            mutant = swaps.get(type(actor))
            if mutant is not None:
                actor.__class__ = mutant  # the mutant adds no state of its own, only overrides
            out.append(actor)
        return out

    cls = type(f"Mutant_{name.replace('-', '_')}", (base,), {
        "__doc__": f"{base.summary()} MUTANT {name}: {description}",
        "__module__": __name__,
        "actors": actors,
    })
    return attrs.frozen(cls)


CATALOGUE: list[Mutant] = []


def mutant(name: str, model: str, expected: str, description: str, needs: dict | None = None,
           obsolete: bool = False, cause: str = "") -> Callable[[type], type]:
    """Register the decorated actor class (a subclass of one of the model's actors) as a mutant."""
    def register(cls: type) -> type:
        base = next(b for b in cls.__mro__[1:] if b.__module__ != __name__)
        CATALOGUE.append(Mutant(name, model, description, expected, {base: cls}, needs or {}, obsolete, cause))
        return cls
    return register


# ------------------------------------------------------------------------------------- Raft

@mutant("raft-self-vote-counted-twice", "raft", SAFETY,
        "the candidate counts its own vote twice (votes=1 initially, and itself in the set too)")
class RaftSelfVoteTwice(R.RaftServer):
    def _start_election(self, me, s, out):
        if s.role == R.LEADER or s.term >= self.max_term:
            return s
        s = s.evolve(term=s.term + 1, role=R.CANDIDATE, voted_for=me, votes=frozenset({me}))
        out.set_timer("election")
        for peer in self.peers_of[me]:
            out.send(peer, R.RequestVote(s.term, R.last_term(s.log), len(s.log)))
        return self._become_leader(me, s, out) if len(s.votes) + 1 >= self.majority else s  # BUG: +1

    def _on_vote(self, me, s, src, m, out):
        if s.role != R.CANDIDATE or not m.granted:
            return s
        s = s.evolve(votes=s.votes | {src})
        return self._become_leader(me, s, out) if len(s.votes) + 1 >= self.majority else s  # BUG: +1


@mutant("raft-counts-denied-votes", "raft", SAFETY,
        "the candidate counts every Vote reply, granted or not", obsolete=True)
class RaftCountsDeniedVotes(R.RaftServer):
    def _on_vote(self, me, s, src, m, out):
        if s.role != R.CANDIDATE:  # BUG: m.granted never read
            return s
        s = s.evolve(votes=s.votes | {src})
        return self._become_leader(me, s, out) if len(s.votes) >= self.majority else s


@mutant("raft-counts-old-term-votes", "raft", SAFETY,
        "the candidate counts a granted Vote from an older term (no stale-term check on votes)", obsolete=True,
        needs={"elections": "anytime"},
        cause='with when-quiet elections (a timeout fires only once no message is in flight) and no skew fault, no server moves to a newer term while a reply of its older term is in flight, so the stale reply the bug acts on is never delivered and the obsolete claim is never tested on it')
class RaftCountsOldTermVotes(R.RaftServer):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, R.Vote) and msg.term < s.term:  # BUG: the stale-reply check skipped for votes
            return self._on_vote(me, s, src, msg, out)
        return super().on_message(me, s, src, msg, out)


@mutant("raft-acts-on-old-term-appended", "raft", SAFETY,
        "the leader acts on an Appended reply from an older term (updates matchIndex, may commit)", obsolete=True,
        needs={"elections": "anytime"},
        cause='with when-quiet elections (a timeout fires only once no message is in flight) and no skew fault, no server moves to a newer term while a reply of its older term is in flight, so the stale reply the bug acts on is never delivered and the obsolete claim is never tested on it')
class RaftActsOnOldAppended(R.RaftServer):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, R.Appended) and msg.term < s.term:  # BUG: the stale-reply check skipped for Appended
            return self._on_appended(me, s, src, msg, out)
        return super().on_message(me, s, src, msg, out)


@mutant("raft-grants-second-vote", "raft", SAFETY,
        "a server grants its vote without checking votedFor: two votes in one term", obsolete=True)
class RaftGrantsSecondVote(R.RaftServer):
    def _on_request_vote(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        up_to_date = m.last_term > R.last_term(s.log) or m.last_term == R.last_term(s.log) and m.last_index >= len(s.log)
        grant = m.term == s.term and up_to_date  # BUG: `and s.voted_for in (None, src)` forgotten
        out.send(src, R.Vote(s.term, grant))
        return s.evolve(voted_for=src) if grant else s


@mutant("raft-follower-accepts-old-term-append", "raft", SAFETY,
        "a follower accepts AppendEntries from an older term's leader", obsolete=True)
class RaftAcceptsOldAppend(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if s.role == R.CANDIDATE and m.term == s.term:
            s = s.evolve(role=R.FOLLOWER, votes=frozenset())
        # BUG: `if m.term < s.term: return s` is missing
        if m.prev > len(s.log) or R.term_at(s.log, m.prev) != m.prev_term:
            out.send(src, R.Appended(s.term, False, 0))
            return s
        log = R.merged(s.log, m.prev, m.entries)
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))


@mutant("raft-commit-on-minority", "raft", SAFETY,
        "the leader's commit rule counts the leader twice (off by one): it commits on a minority")
class RaftCommitOnMinority(R.RaftServer):
    def _advance_commit(self, me, s, out):
        matches = sorted((max(p.match, 0) for p in s.progress), reverse=True)
        held = ([len(s.log)] + matches)[max(self.majority - 2, 0)]  # BUG: majority - 2
        if held <= s.commit or R.term_at(s.log, held) != s.term:
            return s
        facts = frozenset((i, s.log[i - 1], s.term) for i in range(s.commit + 1, held + 1))
        s = s.evolve(commit=held, commits=s.commits | facts)
        for p in sorted(s.progress):
            self._replicate(me, s, p.peer, p.next, out)
        return s


@mutant("raft-match-set-to-log-length", "raft", SAFETY,
        "on a successful Appended the leader sets matchIndex to its own log length, not the reply's match",
        needs={"elections": "anytime"},
        cause='the leader commits before the follower holds the entry, but with when-quiet elections the entry reaches the follower before any election can start; an election racing the message in flight breaks leader completeness')
class RaftMatchIsLogLength(R.RaftServer):
    def _on_appended(self, me, s, src, m, out):
        if s.role != R.LEADER:
            return s
        old = R.progress_of(s, src)
        nxt, match = old.next, old.match
        if m.success and m.match <= match:
            return s
        if m.success:
            match = max(match, len(s.log))  # BUG: len(s.log) instead of m.match
            nxt = max(nxt, match + 1)
        else:
            nxt = max(1, nxt - 1)
        s = s.evolve(progress=s.progress - {old} | {R.Progress(src, nxt, match)})
        if not m.success or nxt <= len(s.log):
            self._replicate(me, s, src, nxt, out)
        return self._advance_commit(me, s, out)


@mutant("raft-uptodate-term-only", "raft", SAFETY,
        "the up-to-date check compares last terms only (a shorter log of the same last term wins votes)",
        needs={"max_log": 2, "requests": 2},
        cause="with one entry per log, a log's last term decides everything: comparing lengths matters only for two logs of 1+ entries ending in the same term")
class RaftUpToDateTermOnly(R.RaftServer):
    def _on_request_vote(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        up_to_date = m.last_term >= R.last_term(s.log)  # BUG: the log length is not compared
        grant = m.term == s.term and up_to_date and s.voted_for in (None, src)
        out.send(src, R.Vote(s.term, grant))
        return s.evolve(voted_for=src) if grant else s


@mutant("raft-uptodate-length-only", "raft", SAFETY,
        "the up-to-date check compares log lengths only (an older but longer log wins votes)")
class RaftUpToDateLengthOnly(R.RaftServer):
    def _on_request_vote(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        up_to_date = m.last_index >= len(s.log)  # BUG: the last term is not compared
        grant = m.term == s.term and up_to_date and s.voted_for in (None, src)
        out.send(src, R.Vote(s.term, grant))
        return s.evolve(voted_for=src) if grant else s


@mutant("raft-no-consistency-check", "raft", SAFETY,
        "the follower skips AppendEntries' consistency check on prevLogIndex/prevLogTerm")
class RaftNoConsistencyCheck(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        if s.role == R.CANDIDATE:
            s = s.evolve(role=R.FOLLOWER, votes=frozenset())
        prev = min(m.prev, len(s.log))  # BUG: no check of the entry at prev
        log = R.merged(s.log, prev, m.entries)
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))


def _merged_without_truncation(log: tuple, prev: int, entries: tuple) -> tuple:
    """The BUG: entries the follower already has an entry for are skipped, conflicting or not."""
    have = len(log) - prev
    return log + entries[have:] if have < len(entries) else log


@mutant("raft-keeps-conflicting-entries", "raft", SAFETY,
        "the follower never deletes a conflicting entry: it only appends past its log's end, and says success")
class RaftKeepsConflicts(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        if s.role == R.CANDIDATE:
            s = s.evolve(role=R.FOLLOWER, votes=frozenset())
        if m.prev > len(s.log) or R.term_at(s.log, m.prev) != m.prev_term:
            out.send(src, R.Appended(s.term, False, 0))
            return s
        log = _merged_without_truncation(s.log, m.prev, m.entries)  # BUG
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))


@mutant("raft-truncates-on-every-append", "raft", SAFETY,
        "the follower truncates its log after prevLogIndex on every AppendEntries, so a stale one deletes entries")
class RaftTruncatesAlways(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        if s.role == R.CANDIDATE:
            s = s.evolve(role=R.FOLLOWER, votes=frozenset())
        if m.prev > len(s.log) or R.term_at(s.log, m.prev) != m.prev_term:
            out.send(src, R.Appended(s.term, False, 0))
            return s
        log = s.log[:m.prev] + m.entries  # BUG: truncates even when every entry matches
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))


@mutant("raft-commit-index-not-capped", "raft", NOTHING,
        "the follower sets commitIndex = leaderCommit, not min(leaderCommit, index of last new entry) (harmless HERE: "
        "this model's leader always sends its whole log suffix, so leaderCommit <= the last new entry)")
class RaftCommitNotCapped(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        if s.role == R.CANDIDATE:
            s = s.evolve(role=R.FOLLOWER, votes=frozenset())
        if m.prev > len(s.log) or R.term_at(s.log, m.prev) != m.prev_term:
            out.send(src, R.Appended(s.term, False, 0))
            return s
        log = R.merged(s.log, m.prev, m.entries)
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, m.commit))  # BUG: not capped at last_new


@mutant("raft-vote-not-persisted", "raft", SAFETY,
        "votedFor is not persisted (term and log are): a restarted server votes again in the same term",
        needs={"faults": "crash=1,restart=1", "elections": "anytime", "max_term": 2},
        cause="the restart is in the default budget, but a second candidate in the same term needs an election timer racing the first candidate's RequestVote (elections=anytime, or skew); max_term=2 only keeps that search small")
class RaftVoteNotPersisted(R.RaftServer):
    def crashed(self, me, state):
        fresh = self.on_start(me, Out(me))
        return fresh.evolve(term=state.term, log=state.log, led=state.led, commits=state.commits)  # BUG: no voted_for


@mutant("raft-log-not-persisted", "raft", SAFETY,
        "the log is not persisted (term and votedFor are): a restarted server has lost committed entries",
        needs={"faults": "crash=1,restart=1", "max_term": 3})
class RaftLogNotPersisted(R.RaftServer):
    def crashed(self, me, state):
        fresh = self.on_start(me, Out(me))
        return fresh.evolve(term=state.term, voted_for=state.voted_for, led=state.led, commits=state.commits)  # BUG: no log


@mutant("raft-commit-index-never-sent", "raft", LIVENESS,
        "the leader always sends leaderCommit=0: followers never learn that an entry is committed")
class RaftCommitNeverSent(R.RaftServer):
    def _replicate(self, me, s, peer, nxt, out):
        prev = nxt - 1
        out.send(peer, R.AppendEntries(s.term, prev, R.term_at(s.log, prev), s.log[prev:], 0))  # BUG: commit 0


@mutant("raft-candidate-ignores-leader", "raft", NOTHING,
        "a candidate that accepts an AppendEntries of its own term stays a candidate (it cannot win that term anyway)")
class RaftCandidateIgnoresLeader(R.RaftServer):
    def _on_append_entries(self, me, s, src, m, out):
        if m.term < s.term:
            return s
        # BUG (harmless): no step-down from candidate to follower
        if m.prev > len(s.log) or R.term_at(s.log, m.prev) != m.prev_term:
            out.send(src, R.Appended(s.term, False, 0))
            return s
        log = R.merged(s.log, m.prev, m.entries)
        last_new = m.prev + len(m.entries)
        out.send(src, R.Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))


@mutant("raft-leader-keeps-election-timer", "raft", NOTHING,
        "a new leader forgets to cancel its election timer (its firing is ignored by a leader)")
class RaftLeaderKeepsElectionTimer(R.RaftServer):
    def _become_leader(self, me, s, out):
        nxt = len(s.log) + 1
        s = s.evolve(role=R.LEADER, votes=frozenset(), led=s.led | {s.term}, proposed=0,
                     progress=frozenset(R.Progress(peer, nxt, -1) for peer in self.peers_of[me]))
        # BUG (harmless): out.cancel_timer("election") forgotten
        out.set_timer("heartbeat")
        if self.requests and len(s.log) < self.max_log:
            out.set_timer("client")
        for peer in self.peers_of[me]:
            self._replicate(me, s, peer, nxt, out)
        return self._advance_commit(me, s, out)


@mutant("raft-heartbeat-to-all", "raft", NOTHING,
        "the heartbeat retransmits to every follower, including those known to be up to date")
class RaftHeartbeatToAll(R.RaftServer):
    def on_timer(self, me, s, timer, out):
        if timer == "heartbeat" and s.role == R.LEADER:
            out.set_timer("heartbeat")
            for p in sorted(s.progress):  # BUG (harmless): no filter on followers that lack entries
                self._replicate(me, s, p.peer, p.next, out)
            return s
        return super().on_timer(me, s, timer, out)


# ---------------------------------------------------------------------------------- 3PC

def _rule_uncertain_commits(heard: frozenset) -> str:
    if "committed" in heard:
        return "committed"
    if "aborted" in heard:
        return "aborted"
    return "committed"  # BUG: all uncertain -> commit


def _rule_abort_first(heard: frozenset) -> str:
    if "aborted" in heard:  # BUG (harmless): aborted and committed are never heard together
        return "aborted"
    if "committed" in heard:
        return "committed"
    return "committed" if "precommitted" in heard else "aborted"


class _ThreePhaseRule(T.ParticipantActor):
    """A participant whose `decide` timer applies `rule` to `phases(s)` instead of the correct rule."""

    rule = staticmethod(T.termination_decision)

    def known(self, s):
        return s.heard | {s.phase}

    def on_timer(self, me, s, timer, out):
        if timer == "decide" and s.phase not in T.DECIDED:
            return self._decide(s, self.rule(self.known(s)), out)
        return super().on_timer(me, s, timer, out)


@mutant("3pc-all-uncertain-commits", "3pc", SAFETY,
        "termination rule: when every phase known is uncertain (prepared), commit instead of abort")
class TpcUncertainCommits(_ThreePhaseRule):
    rule = staticmethod(_rule_uncertain_commits)


@mutant("3pc-rule-ignores-own-phase", "3pc", SAFETY,
        "termination rule applied to the phases heard only, forgetting the participant's own (precommitted)",
        needs={"participants": 2, "faults": "crash=1,drop=1"},
        cause='with 3 participants the precommitted participant hears another precommitted one unless two PreCommits are lost (drop=2, beyond the default budget); with 2 participants one lost PreCommit, or a second crash, suffices')
class TpcIgnoresOwnPhase(_ThreePhaseRule):
    def known(self, s):
        return s.heard  # BUG: `| {s.phase}` forgotten


@mutant("3pc-abort-rule-checked-first", "3pc", NOTHING,
        "termination rule tests 'any aborted' before 'any committed' (both are never heard together)")
class TpcAbortFirst(_ThreePhaseRule):
    rule = staticmethod(_rule_abort_first)


@mutant("3pc-recovery-applies-termination-rule", "3pc", SAFETY,
        "a participant restarting in doubt applies the termination rule alone instead of waiting for a decision",
        needs={"faults": "crash=1,restart=1"})
class TpcRecoveryDecides(T.ParticipantActor):
    def on_timer(self, me, s, timer, out):
        if timer == "recover" and s.phase not in T.DECIDED:  # BUG: decides on what it heard, uncertain or not
            return self._decide(s, T.termination_decision(s.heard | {s.phase}), out)
        return super().on_timer(me, s, timer, out)


@mutant("3pc-coordinator-aborts-on-ack-timeout", "3pc", SAFETY,
        "the coordinator aborts when an ack is missing after PreCommit (it must commit)")
class TpcCoordinatorAbortsOnAckTimeout(T.CoordinatorActor):
    def on_timer(self, me, s, timer, out):
        if s.phase in ("waiting", "precommitted"):  # BUG: precommitted -> aborted
            return self._decide(s, "aborted", out)
        return s


@mutant("3pc-aborted-participant-votes-yes", "3pc", SAFETY,
        "a participant that aborted on its own still answers CanCommit with yes")
class TpcAbortedVotesYes(T.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, T.CanCommit) and s.phase == "aborted":
            out.send(src, T.Vote(yes=True))  # BUG: yes=False
            return s
        return super().on_message(me, s, src, msg, out)


@mutant("3pc-precommit-on-first-yes", "3pc", SAFETY,
        "the coordinator sends PreCommit after the first yes vote instead of after all of them")
class TpcPrecommitOnFirstYes(T.CoordinatorActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, T.Vote) and s.phase == "waiting" and msg.yes:
            out.broadcast(self.participants, T.PreCommit())  # BUG: no `s.yes == self.participants`
            return s.evolve(yes=s.yes | {src}, phase="precommitted")
        return super().on_message(me, s, src, msg, out)


@mutant("3pc-precommit-not-logged", "3pc", SAFETY,
        "the coordinator forces only decisions to its log, not precommitted: restarted, it aborts",
        needs={"faults": "crash=1,restart=1"})
class TpcPrecommitNotLogged(T.CoordinatorActor):
    def crashed(self, me, state):
        if state.phase == "precommitted":  # BUG: the precommit record never reached the disk
            return T.Coordinator(phase="waiting", yes=frozenset(), acks=frozenset())
        return super().crashed(me, state)


@mutant("3pc-unilateral-abort-after-vote", "3pc", SAFETY,
        "a participant does not cancel its unilateral-abort timer when it votes yes, and may abort after voting")
class TpcAbortAfterVote(T.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, T.CanCommit) and s.phase == "working":
            out.set_timer("timeout")  # BUG: out.cancel_timer("unilateral_abort") forgotten
            out.send(src, T.Vote(yes=True))
            return s.evolve(phase="prepared")
        return super().on_message(me, s, src, msg, out)

    def on_timer(self, me, s, timer, out):
        if timer == "unilateral_abort" and s.phase in ("working", "prepared"):  # BUG: also when prepared
            return self._decide(s, "aborted", out)
        return super().on_timer(me, s, timer, out)


@mutant("3pc-no-termination-protocol", "3pc", LIVENESS,
        "a participant whose coordinator falls silent just waits for it (re-arms its timeout): 2PC's blocking")
class TpcNoTermination(T.ParticipantActor):
    def on_timer(self, me, s, timer, out):
        if timer == "timeout" and s.phase not in T.DECIDED:
            out.set_timer("timeout")  # BUG: never asks the others
            return s
        return super().on_timer(me, s, timer, out)


# ---------------------------------------------------------------------------- 2PC-actors

@mutant("2pc-participant-forgets-vote-on-restart", "2pc-actors", SAFETY,
        "the participant's prepare record is not persisted: after a restart it is working again and may abort",
        needs={"faults": "crash=1,restart=1"})
class TwoPcForgetsVote(P.ParticipantActor):
    def crashed(self, me, state):
        return self.on_start(me, Out(me))  # BUG: phase not kept


@mutant("2pc-coordinator-forgets-decision", "2pc-actors", SAFETY,
        "the coordinator's decision is not persisted: restarted, it presumes abort after announcing commit",
        needs={"faults": "crash=1,restart=1"})
class TwoPcCoordinatorForgets(P.CoordinatorActor):
    def crashed(self, me, state):
        return P.Coordinator(decision="none", yes_votes=frozenset(), acked=frozenset())  # BUG: decision lost


@mutant("2pc-commit-on-first-yes", "2pc-actors", SAFETY,
        "the coordinator decides commit on the first yes vote")
class TwoPcCommitOnFirstYes(P.CoordinatorActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Vote) and s.decision == "none" and msg.yes:
            return self._decide(s.evolve(yes_votes=s.yes_votes | {src}), "commit", out)  # BUG: not all yes
        return super().on_message(me, s, src, msg, out)


@mutant("2pc-retry-timeout-commits", "2pc-actors", SAFETY,
        "the coordinator's timeout before all votes are in decides commit (silence taken for yes)")
class TwoPcTimeoutCommits(P.CoordinatorActor):
    def on_timer(self, me, s, timer, out):
        if s.decision == "none":
            return self._decide(s, "commit", out)  # BUG: abort
        return super().on_timer(me, s, timer, out)


@mutant("2pc-aborts-after-prepare", "2pc-actors", SAFETY,
        "the participant does not cancel its unilateral-abort timer on Prepare and may abort after voting yes")
class TwoPcAbortsAfterPrepare(P.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Prepare) and s.phase == "working":
            out.send(src, P.Vote(yes=True))  # BUG: out.cancel_timer("unilateral_abort") forgotten
            return s.evolve(phase="prepared")
        return super().on_message(me, s, src, msg, out)

    def on_timer(self, me, s, timer, out):
        if s.phase in ("working", "prepared"):  # BUG: also when prepared
            out.send(self.coordinator, P.Vote(yes=False))
            return s.evolve(phase="aborted")
        return s


@mutant("2pc-aborted-participant-votes-yes", "2pc-actors", SAFETY,
        "a participant that aborted on its own answers a (re)delivered Prepare with yes")
class TwoPcAbortedVotesYes(P.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Prepare) and s.phase == "aborted":
            out.send(src, P.Vote(yes=True))  # BUG: yes=False
            return s
        return super().on_message(me, s, src, msg, out)


@mutant("2pc-restart-presumes-commit", "2pc-actors", SAFETY,
        "a coordinator restarting with no decision logged presumes commit",
        needs={"faults": "crash=1,restart=1"})
class TwoPcRestartPresumesCommit(P.CoordinatorActor):
    def on_restart(self, me, state, out):
        if state.decision == "none":
            out.set_timer("retry")
            return self._decide(state.evolve(acked=frozenset()), "commit", out)  # BUG: presumed commit
        return super().on_restart(me, state, out)


@mutant("2pc-ignores-no-vote", "2pc-actors", NOTHING,
        "the coordinator ignores a no vote and waits for its timeout to abort (slower, still safe)")
class TwoPcIgnoresNo(P.CoordinatorActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Vote) and not msg.yes:
            return s  # BUG (harmless): abort only on the retry timeout
        return super().on_message(me, s, src, msg, out)


@mutant("2pc-commit-record-not-forced", "2pc-actors", LIVENESS,
        "a participant acks Commit before its commit record is forced: restarted prepared after the last ack, it waits forever",
        needs={"faults": "crash=1,restart=1"})
class TwoPcCommitNotForced(P.ParticipantActor):
    def crashed(self, me, state):
        lost = super().crashed(me, state)
        return lost.evolve(phase="prepared") if lost.phase == "committed" else lost  # BUG: only the prepare record is on disk


@mutant("2pc-abort-overrides-commit", "2pc-actors", NOTHING,
        "a participant applies Abort even when committed (no Abort is ever sent after a commit decision)")
class TwoPcAbortOverridesCommit(P.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Abort):
            out.cancel_timer("unilateral_abort")
            out.send(src, P.Ack())
            return s.evolve(phase="aborted")  # BUG (harmless): no `phase != committed` guard
        return super().on_message(me, s, src, msg, out)


@mutant("2pc-never-acks-abort", "2pc-actors", LIVENESS,
        "a participant applies Abort but never acks it: the coordinator retries forever",
        cause="the coordinator retrying forever is a state that loops on itself after every participant decided, "
              "which may_stop allows: only a liveness property (the coordinator eventually finishes) states it")
class TwoPcNeverAcksAbort(P.ParticipantActor):
    def on_message(self, me, s, src, msg, out):
        if isinstance(msg, P.Abort) and s.phase != "committed":
            out.cancel_timer("unilateral_abort")
            return s.evolve(phase="aborted")  # BUG: no Ack
        return super().on_message(me, s, src, msg, out)


# =====================================================================================
# Running
# =====================================================================================

def outcome_of(result: Any) -> dict:
    """The outcome of one check as plain data: kind, text, steps, states, explanation."""
    out = {"states": result.stats.distinct, "depth": result.stats.depth, "search_seconds": result.stats.seconds,
           "stop": result.stop.value, "exit": result.exit_code}
    if result.failure is not None:
        error = result.failure.error
        steps = len(result.failure.trace) if result.failure.trace is not None else None
        if error.startswith("FalseShortcut"):
            which = "obsolete" if "obsolete()" in error else ("symmetry" if "symmetr" in error or "representative" in error else "shortcut")
            return {**out, "kind": "false-shortcut", "text": f"FalseShortcut ({which}) in {steps} steps",
                    "steps": steps, "why": error}
        return {**out, "kind": "model-error", "text": f"model error ({result.failure.action})", "steps": steps, "why": error}
    for p in result.properties:
        if p.verdict is Verdict.VIOLATED:
            return {**out, "kind": "violated", "text": f"VIOLATED {p.name} in {len(p.trace)} steps",
                    "property": p.name, "steps": len(p.trace), "why": p.explanation or p.note}
    for p in result.properties:
        if p.verdict is Verdict.NOT_REACHED:
            return {**out, "kind": "not-reached", "text": f"NOT REACHED {p.name}", "property": p.name,
                    "steps": None, "why": p.note}
    if any(p.verdict is Verdict.UNKNOWN for p in result.properties):
        return {**out, "kind": "unknown", "text": f"UNKNOWN ({result.stop.value})", "steps": None, "why": ""}
    return {**out, "kind": "holds", "text": "HOLDS", "steps": None, "why": f"{result.stats.distinct:,} states, exhaustive"}


def _child(conn: Any, build: Callable[[], Any], time_limit: float, strategy: str | None) -> None:
    try:
        model = build()
        if strategy is None:
            result = check(model, time_limit=time_limit)
        else:
            result = check(model, strategy=strategy, time_limit=time_limit)
        conn.send({"options": {k: str(v) for k, v in model.options().items()}, **outcome_of(result)})
    except BaseException as error:  # noqa: BLE001 - a mutant that cannot even be built is an outcome too
        conn.send({"kind": "model-error", "text": f"model error ({type(error).__name__})", "steps": None,
                   "why": f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=4)}"})
    finally:
        conn.close()


def run_isolated(build: Callable[[], Any], time_limit: float, strategy: str | None = None) -> dict:
    """check(build()) in a child process with `time_limit`; a child that overruns is stopped (SIGTERM:
    check() returns what it found; then SIGKILL) and reported UNKNOWN."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    started = time.perf_counter()
    proc = ctx.Process(target=_child, args=(child, build, time_limit, strategy), daemon=True)
    proc.start()
    child.close()
    hard = time_limit * 1.5 + 30
    got = None
    if parent.poll(hard):
        try:
            got = parent.recv()
        except EOFError:
            got = None
    else:
        proc.terminate()  # SIGTERM to our own child: the search stops with a partial result
        if parent.poll(20):
            try:
                got = parent.recv()
            except EOFError:
                got = None
        if got is not None:
            got = {**got, "kind": "unknown", "text": "UNKNOWN (hard timeout)"}
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if got is None:
        got = {"kind": "unknown" if proc.exitcode is None or proc.exitcode < 0 else "model-error",
               "text": f"UNKNOWN (child ended with {proc.exitcode}, hard timeout {hard:.0f} s)", "steps": None, "why": ""}
    got["seconds"] = time.perf_counter() - started
    return got


def judged(expected: str, outcome: dict) -> str:
    """found / missed / ok (a harmless mutant HOLDS) / surprise (a harmless mutant broke something)."""
    kind = outcome["kind"]
    broke = kind in ("violated", "false-shortcut", "not-reached")
    if expected == NOTHING:
        return "surprise" if broke else ("ok" if kind in ("holds", "unknown") else "error")
    if broke:
        return "found"
    return "error" if kind == "model-error" else "MISSED"


def _with(cls: type, needs: dict) -> Callable[[], Any]:
    def build() -> Any:
        return cls(**{k: (FaultBudget.parse(v) if k == "faults" else v) for k, v in needs.items()})
    return build


def miss_cause(m: Mutant, defaults: dict, outcome: dict) -> str:
    """Why a mutant expected to break something was not found, from what it needs and the defaults seen."""
    causes = []
    for key, value in m.needs.items():
        have = defaults.get(key)
        if key == "faults":
            want = FaultBudget.parse(value)
            budget = FaultBudget.parse(str(have or "none"))
            lacking = [f"{kind}={n}" for kind, n in want.items() if getattr(budget, kind) < n]
            if lacking:
                causes.append(f"fault {', '.join(lacking)} missing from the default budget ({have})")
        elif isinstance(value, int) and isinstance(have, int) and have < value:
            causes.append(f"bound {key}={have} too small (needs {value})")
        elif isinstance(value, str) and have != value:
            causes.append(f"{key}={have} at the defaults (the scenario needs {key}={value})")
    if m.cause:
        causes.append(m.cause)
    if m.expected == LIVENESS:
        causes.append("only liveness: no witness or deadlock check observes it, and liveness has no engine yet")
    if outcome["kind"] == "unknown":
        causes.append(f"search cut by the time limit ({outcome['states']:,} states)" if "states" in outcome
                      else "search cut by the time limit")
    return "; ".join(causes) or "no declared cause: the bounds or faults the scenario needs are unknown"


# ------------------------------------------------------------------------------------- swarm

def swarm_api() -> tuple[Callable[..., Any] | None, str]:
    """THE SWARM HOOK: checker/engine/swarm.py's `run_swarm(model_name, model_cls, grid, time_limit=...)`
    if it exists (it was being written alongside this file), else (None, why not). Mutants are not
    registered models, so `check MODEL --swarm` cannot run them: the Python API is used, with the
    mutant class and the grid it inherits from its model (`swarm_grid`)."""
    try:
        from checker.engine import swarm
    except ImportError:
        return None, "no swarm mode yet (no checker/engine/swarm.py)"
    run = getattr(swarm, "run_swarm", None)
    if run is None or "time_limit" not in inspect.signature(run).parameters:
        return None, "checker/engine/swarm.py has no run_swarm(..., time_limit=...): wire it up in swarm_api()"
    return run, "checker.engine.swarm.run_swarm(model name, mutant class, its swarm_grid(), time_limit=...)"


def swarm_outcome(result: Any) -> dict:
    """A SwarmResult as the same plain outcome as `outcome_of`, naming the configuration that found it."""
    def config(run: Any) -> str:
        return ", ".join(f"{k}={v}" for k, v in run.options.items())

    out = {"exit": result.exit_code, "search_seconds": result.seconds,
           "states": sum(run.stats.distinct for run in result.runs if run.stats is not None)}
    first = result.first_violation
    if first is not None and first.violation is not None:
        v = first.violation
        steps = len(v.trace) if v.trace is not None else len(v.document.get("steps", [])) - 1
        return {**out, "kind": "violated", "text": f"VIOLATED {v.property} in {steps} steps (configuration {first.index + 1}: {config(first)})",
                "steps": steps, "why": v.explanation or v.note}
    failed = next((run for run in result.runs if run.failure), None)
    if failed is not None:
        kind = "false-shortcut" if "FalseShortcut" in failed.failure else "model-error"
        label = "FalseShortcut" if kind == "false-shortcut" else "model error"
        return {**out, "kind": kind, "text": f"{label} (configuration {failed.index + 1}: {config(failed)})", "steps": None,
                "why": failed.failure}
    unreached = next((w for w in result.witnesses if w.verdict is Verdict.NOT_REACHED), None)
    if unreached is not None:
        return {**out, "kind": "not-reached", "text": f"NOT REACHED {unreached.name} (in every configuration)", "steps": None,
                "why": unreached.note}
    ran = sum(run.exhaustive for run in result.runs)
    if result.exit_code == 0:
        return {**out, "kind": "holds", "text": f"HOLDS in all {len(result.runs)} configurations", "steps": None, "why": ""}
    return {**out, "kind": "unknown", "text": f"UNKNOWN ({result.stop.value}; {ran} of {len(result.runs)} configurations exhaustive)",
            "steps": None, "why": ""}


def run_swarm_on(m: Mutant, time_limit: float) -> dict:
    """The swarm mode on one mutant (in this process: the swarm forks its own workers and stops them)."""
    run, how = swarm_api()
    if run is None:
        return {"kind": "unknown", "text": f"skipped: {how}", "steps": None, "why": "", "seconds": 0.0}
    cls = m.model_class()
    started = time.perf_counter()
    try:
        result = run(MODELS[m.model].name, cls, cls.swarm_grid(), time_limit=time_limit)
        got = swarm_outcome(result)
    except Exception as error:  # noqa: BLE001 - the swarm mode is new: report, do not stop the benchmark
        got = {"kind": "model-error", "text": f"swarm error ({type(error).__name__}: {error})", "steps": None, "why": ""}
    got["seconds"] = time.perf_counter() - started
    return got


# ------------------------------------------------------------------------------------- main

def _print_table(rows: list[tuple], headers: tuple) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="raft,3pc,2pc-actors", help="comma-separated: raft,3pc,2pc-actors")
    parser.add_argument("--only", default="", help="comma-separated mutant names")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per mutant [60]")
    parser.add_argument("--correct-time-limit", type=float, default=300.0, help="seconds per correct model [300]")
    parser.add_argument("--swarm", action="store_true", help="run the swarm mode on the mutants missed at the defaults")
    parser.add_argument("--swarm-time-limit", type=float, default=120.0, help="seconds per swarm run [120]")
    parser.add_argument("--swarm-harmless", action="store_true", help="with --swarm, also run the harmless mutants (false alarms?)")
    parser.add_argument("--no-explain", action="store_true", help="skip the re-runs of misses with the options they need")
    parser.add_argument("--no-correct", action="store_true", help="skip the correct models")
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    args = parser.parse_args(argv)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r} (known: {', '.join(MODELS)})")
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    names = {m.name for m in CATALOGUE}
    if only - names:
        parser.error(f"unknown mutant {sorted(only - names)[0]!r}")
    chosen = [m for m in CATALOGUE if m.model in models and (not only or m.name in only)]

    if args.list:
        for m in CATALOGUE:
            flag = " [obsolete claim]" if m.obsolete else ""
            needs = f" (needs {', '.join(f'{k}={v}' for k, v in m.needs.items())})" if m.needs else ""
            print(f"{m.name:<42} {m.model:<11} {m.expected:<9} {m.description}{flag}{needs}")
        return 0

    begun = time.perf_counter()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "models", "checker"], capture_output=True, text=True).stdout
    except OSError:
        head, dirty = "?", ""
    print(f"mutation benchmark, run at {stamp} on {platform.node()} ({os.cpu_count()} cores), "
          f"git {head}{' + uncommitted changes in models/ or checker/' if dirty else ''}")
    print(f"per-mutant time limit {args.time_limit:g} s; {len(chosen)} mutants")
    defaults = {}
    for name in models:
        model = MODELS[name]()
        defaults[name] = model.options()
        print(f"  defaults seen for {name}: " + ", ".join(f"{k}={v}" for k, v in model.options().items()))
    print(flush=True)

    results = []
    rows = []
    for m in chosen:
        outcome = run_isolated(m.model_class(), args.time_limit)
        verdict = judged(m.expected, outcome)
        seen = {k: str(v) for k, v in defaults[m.model].items()}
        if outcome.get("options") and {k: v for k, v in outcome["options"].items() if k in seen} != seen:
            changed = ", ".join(f"{k}={v}" for k, v in outcome["options"].items() if seen.get(k) != v)
            outcome["text"] += f" [defaults changed mid-run: {changed}]"
        results.append((m, outcome, verdict))
        rows.append((m.name, m.model, m.expected + (" *" if m.obsolete else ""), outcome["text"],
                     f"{outcome.get('states', 0):,}" if "states" in outcome else "-", f"{outcome['seconds']:.1f}", verdict))
        print(f"  [{len(rows)}/{len(chosen)}] {m.name}: {outcome['text']} ({outcome['seconds']:.1f} s) -> {verdict}", flush=True)

    print()
    print("results at the defaults (* = the bug acts on a message the model's obsolete() declares dead):")
    _print_table(rows, ("mutant", "model", "expected", "outcome", "states", "seconds", "judged"))

    print()
    print("what each finding says:")
    for m, outcome, verdict in results:
        if verdict in ("found", "surprise", "error"):
            why = " ".join(str(outcome.get("why", "")).split())
            print(f"  {m.name}: {why[:300]}{'...' if len(why) > 300 else ''}")

    breakable = [(m, o, v) for m, o, v in results if m.expected != NOTHING]
    found = [r for r in breakable if r[2] == "found"]
    by_property = [r for r in found if r[1]["kind"] == "violated"]
    by_witness = [r for r in found if r[1]["kind"] == "not-reached"]
    by_shortcut = [r for r in found if r[1]["kind"] == "false-shortcut"]
    missed = [r for r in breakable if r[2] != "found"]
    harmless = [(m, o, v) for m, o, v in results if m.expected == NOTHING]
    print()
    print(f"SUMMARY: found {len(found)} / {len(breakable)} mutants that can break something "
          f"({len(by_property)} by a property violation, {len(by_shortcut)} by FalseShortcut (a definition error), "
          f"{len(by_witness)} by a witness not reached); harmless mutants: "
          f"{sum(v == 'ok' for *_, v in harmless)} / {len(harmless)} not flagged"
          + (f", SURPRISES: {', '.join(m.name for m, _, v in harmless if v != 'ok')}" if any(v != "ok" for *_, v in harmless) else ""))
    print(f"misses: {', '.join(m.name for m, *_ in missed) or 'none'}")
    for m, outcome, _v in missed:
        print(f"  {m.name} ({m.model}, {m.expected}): {outcome['text']}: {miss_cause(m, defaults[m.model], outcome)}")

    if missed and not args.no_explain:
        print()
        print("misses re-run with the options their scenario needs (mutant, then the correct model at the same options):")
        correct_at: dict = {}
        for m, _outcome, _v in missed:
            if not m.needs:
                print(f"  {m.name}: declares no needs (nothing to re-run)")
                continue
            opts = ", ".join(f"{k}={v}" for k, v in m.needs.items())
            again = run_isolated(_with(m.model_class(), m.needs), args.time_limit)
            key = (m.model, tuple(sorted(m.needs.items())))
            if key not in correct_at:  # the correct model once per distinct set of options
                correct_at[key] = run_isolated(_with(MODELS[m.model], m.needs), args.time_limit)
            base = correct_at[key]
            print(f"  {m.name} with {opts}: {again['text']} ({again['seconds']:.1f} s); "
                  f"correct {m.model} there: {base['text']} ({base['seconds']:.1f} s)", flush=True)

    if args.swarm:
        print()
        run, how = swarm_api()
        targets = [r for r in results if r[2] in ("MISSED", "error")] + ([r for r in results if r[0].expected == NOTHING]
                                                                         if args.swarm_harmless else [])
        if run is None:
            print(f"--swarm: skipped: {how}")
        else:
            print(f"--swarm via {how}, {args.swarm_time_limit:g} s each, on the "
                  f"{'misses and the harmless mutants' if args.swarm_harmless else 'misses'} at the defaults:")
            for m, _outcome, _v in targets:
                again = run_swarm_on(m, args.swarm_time_limit)
                print(f"  {m.name} ({m.expected}): {again['text']} ({again['seconds']:.1f} s) -> {judged(m.expected, again)}",
                      flush=True)

    bad_correct = []
    if not args.no_correct:
        print()
        print(f"the correct models at their defaults (must exit 0; time limit {args.correct_time_limit:g} s):")
        for name in models:
            outcome = run_isolated(MODELS[name], args.correct_time_limit)
            print(f"  {name}: exit {outcome.get('exit', '?')}: {outcome['text']} "
                  f"({outcome.get('states', 0):,} states, {outcome['seconds']:.1f} s)", flush=True)
            print("      options: " + ", ".join(f"{k}={v}" for k, v in outcome.get("options", {}).items()))
            if outcome.get("exit") != 0:
                bad_correct.append(name)
    print(f"\ntotal {time.perf_counter() - begun:.0f} s")
    if bad_correct:
        print(f"CORRECT MODELS NOT PASSING: {', '.join(bad_correct)}")
        return 2
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
