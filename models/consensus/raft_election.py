"""Raft's leader election, on its own: the part of raft.tla that Election Safety rests on.

Source: Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX ATC
2014), Figure 2 (RequestVote) and Figure 3 (Election Safety: at most one leader can be elected
in a given term), and Ongaro's raft.tla (Timeout, RequestVote, HandleRequestVoteRequest,
HandleRequestVoteResponse, BecomeLeader), written here as Paxos.tla writes Paxos: messages are the
set of every message sent, so any message may be received any number of times, in any order, or
never (loss, duplication and reordering in one abstraction). It exists to be proved: `check
raft-election --strategy prove` proves election safety for the given servers and for any number
of them (raft_election_proof.py); `check raft` checks the whole protocol explicitly.

Abstractions: logs are left out (the up-to-date check on a vote only refuses more votes; election
safety holds without it); a candidate counts a vote when it receives one for its current term;
a server that sees a RequestVote of a higher term moves to that term as a follower. A restart
keeps what Raft persists (currentTerm, votedFor) and loses what it does not (role, votes
counted). Terms go up to `max_term`.

State fields:
- term[n]: currentTerm; role[n]: "follower", "candidate" or "leader";
- voted_for[n]: votedFor in term[n] (None: no vote yet);
- granted[n]: the voters whose vote candidate n has counted in its term;
- requests: every RequestVote sent, as (term, candidate);
- votes: every vote granted, as (term, voter, candidate);
- elected: every (term, server) that became leader (a history variable, as the paper's
  Election Safety speaks of leaders elected, not of leaders that still lead).

Known bugs (`--bug`):
- volatile-vote: a restart forgets votedFor, so a server votes twice in one term and two
  leaders are elected in it;
- vote-any-request: a server grants every RequestVote of its own term, already voted or not.
"""
import itertools
from typing import Any, ClassVar

import attrs

from checker import ProtocolModel, action, added, always, option, record, sometimes, updated

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"


@record
class State:
    """One state of Raft's election: per server its term, role, vote and votes counted; the messages; who was elected."""

    term: tuple[int, ...]
    role: tuple[str, ...]
    voted_for: tuple[int | None, ...]
    granted: tuple[frozenset[int], ...]
    requests: frozenset[tuple[int, int]]
    votes: frozenset[tuple[int, int, int]]
    elected: frozenset[tuple[int, int]]


@attrs.frozen
class RaftElection(ProtocolModel):
    """Raft's leader election (raft.tla's RequestVote), messages as the set of all sent."""

    name: ClassVar[str] = "raft-election"
    symbolic_form: ClassVar[str] = "models.consensus.raft_election_proof:RaftElectionProof"  # models/consensus/raft_election_proof.py: --strategy prove and bmc (for any number of servers)
    bugs: ClassVar[dict[str, str]] = {
        "volatile-vote": "a restart forgets votedFor: a server votes twice in a term (breaks election_safety)",
        "vote-any-request": "a server grants every RequestVote of its term (breaks election_safety)",
    }
    nodes: int = option(3, help="number of servers (majorities elect)", min=1, max=5)
    max_term: int = option(3, help="no election beyond this term", min=1, max=5)

    @property
    def Server(self) -> range:
        """The servers, numbered from 0."""
        return range(self.nodes)

    @property
    def majority(self) -> int:
        return self.nodes // 2 + 1

    def init(self) -> State:
        n = self.nodes
        return State(term=(0,) * n, role=(FOLLOWER,) * n, voted_for=(None,) * n, granted=(frozenset(),) * n,
                     requests=frozenset(), votes=frozenset(), elected=frozenset())

    def sent(self, s: State) -> list[tuple[int, int]]:
        """The RequestVotes sent, in order (the domain of a vote's request)."""
        return sorted(s.requests)

    def counted(self, s: State) -> list[tuple[int, int, int]]:
        """The votes granted, in order (the domain of a candidate's count)."""
        return sorted(s.votes)

    def may_stop(self, s: State) -> bool:
        """Every server reached the last term: only the bound stops more elections."""
        return all(t >= self.max_term for t in s.term)

    @action(n="Server")
    def timeout(self, s: State, n: int) -> State | None:
        """Timeout(n): a follower or candidate starts an election in the next term, voting for itself."""
        if s.role[n] == LEADER or s.term[n] >= self.max_term:
            return None
        term = s.term[n] + 1
        return s.evolve(term=updated(s.term, n, term), role=updated(s.role, n, CANDIDATE), voted_for=updated(s.voted_for, n, n),
                        granted=updated(s.granted, n, frozenset({n})), requests=added(s.requests, (term, n)),
                        votes=added(s.votes, (term, n, n)))

    @action(n="Server", request="sent")
    def grant_vote(self, s: State, n: int, request: tuple[int, int]) -> State | None:
        """HandleRequestVoteRequest: n votes for the candidate if the request's term is newer, or is
        n's term and n has not voted for another (a newer term makes n its follower first)."""
        term, candidate = request
        if candidate == n or term < s.term[n]:
            return None
        newer = term > s.term[n]
        free = newer or s.voted_for[n] in (None, candidate) or self.has_bug("vote-any-request")
        if not free or (term, n, candidate) in s.votes and not newer:
            return None
        role = FOLLOWER if newer else s.role[n]
        granted = frozenset() if newer else s.granted[n]
        return s.evolve(term=updated(s.term, n, term), role=updated(s.role, n, role), voted_for=updated(s.voted_for, n, candidate),
                        granted=updated(s.granted, n, granted), votes=added(s.votes, (term, n, candidate)))

    @action(n="Server", vote="counted")
    def count_vote(self, s: State, n: int, vote: tuple[int, int, int]) -> State | None:
        """HandleRequestVoteResponse: a candidate counts a vote for itself in its term."""
        term, voter, candidate = vote
        if candidate != n or s.role[n] != CANDIDATE or term != s.term[n] or voter in s.granted[n]:
            return None
        return s.evolve(granted=updated(s.granted, n, s.granted[n] | {voter}))

    @action(n="Server")
    def become_leader(self, s: State, n: int) -> State | None:
        """BecomeLeader(n): a candidate with a majority's votes leads its term."""
        if s.role[n] != CANDIDATE or len(s.granted[n]) < self.majority:
            return None
        return s.evolve(role=updated(s.role, n, LEADER), elected=added(s.elected, (s.term[n], n)))

    @action(n="Server")
    def restart(self, s: State, n: int) -> State | None:
        """A server restarts: it keeps its term and vote (persisted), loses its role and the votes it counted."""
        voted = None if self.has_bug("volatile-vote") else s.voted_for[n]
        after = s.evolve(role=updated(s.role, n, FOLLOWER), granted=updated(s.granted, n, frozenset()),
                         voted_for=updated(s.voted_for, n, voted))
        return after if after != s else None

    @always
    def election_safety(self, s: State) -> bool:
        """At most one server is elected leader in any term (the paper's Figure 3)."""
        return all(a == b for (t, a), (u, b) in itertools.combinations(sorted(s.elected), 2) if t == u)

    @election_safety.explain
    def _why_two_leaders(self, s: State) -> str:
        terms = sorted({t for t, _n in s.elected if sum(1 for u, _m in s.elected if u == t) > 1})
        return "; ".join(f"term {t}: servers {sorted(n for u, n in s.elected if u == t)} were both elected" for t in terms)

    @sometimes
    def leader_elected(self, s: State) -> bool:
        """Some server becomes leader."""
        return bool(s.elected)

    @sometimes
    def leaders_in_two_terms(self, s: State) -> bool:
        """Two terms have leaders: an election after a leader was elected."""
        return len({t for t, _n in s.elected}) >= 2

    def quorum_systems(self) -> list[Any]:
        """For `--strategy prove`: any two majorities of servers meet (what the proof for any number of servers assumes)."""
        from checker.prove.quorums import QuorumSystem  # Z3: imported only when a proof is asked for
        return [QuorumSystem("majorities_intersect", self.nodes, self.majority, self.majority, "server")]
