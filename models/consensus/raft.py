"""Raft as actors: leader election, log replication and commitment, under crashes and message loss.

Source: Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX ATC
2014), Figure 2 (the rules) and Figure 3 (the properties), and Ongaro's TLA+ specification
(raft.tla, PhD thesis 2014), whose actions this model follows handler for handler.

The protocol. Every server is a follower, a candidate or a leader, and time is cut into terms.
- Election: a follower whose election timer fires becomes a candidate in the next term, votes
  for itself and sends RequestVote to every other server. A server grants its vote once per
  term, and only to a candidate whose log is at least as up to date as its own (a higher last
  term, or the same last term and a log at least as long). A majority of votes makes a leader.
- Replication: the leader sends AppendEntries carrying the entries a follower lacks after
  `prev` (its nextIndex - 1) and the term of the entry at `prev`. A follower accepts only if its
  log holds that entry (the consistency check); a conflicting entry (same index, other term) is
  deleted with everything after it, then the new entries are appended. A refusal makes the
  leader step nextIndex back and retry.
- Commitment: the leader commits index N once a majority's matchIndex reaches N and the entry
  at N is from its own term (never an older term's entry by counting replicas: Figure 8). The
  commit index travels to followers in AppendEntries.
- Any message with a higher term makes its receiver a follower of that term; stale replies
  are ignored.

What is abstracted away, and the bounds (model options):
- Election timeouts are nondeterministic. With `--elections anytime` (the TLA+ spec's choice)
  a follower or candidate may time out at any moment, racing the messages in flight, so
  elections split and leaders are deposed while they work. With `--elections when-quiet` a
  timeout fires only once no message is in flight (timeouts longer than message delays); the
  skew fault (`--faults skew=1`) lets one fire early.
- A request from an older term is ignored, where the paper refuses it with the newer term. Its
  sender learns that term from the next RequestVote or AppendEntries it receives. This removes
  the stale requests that otherwise pile up in the network and multiply the state space.
- A leader does not send idle heartbeats. It sends AppendEntries when it is elected, when a
  client request arrives, in answer to each reply that shows the follower still lacks entries,
  and to every follower when its commit index advances. Its `heartbeat` timer retransmits to
  followers that have not answered or lack entries. It fires only once no message is in flight
  on its side (`when-quiet`), so a lost message is resent, but the network never fills with
  heartbeats.
- Client requests are the leader's `client` timer: a leader appends at most `requests` new
  entries in its term. An entry is `term:value`, its value a letter naming the index at which its
  leader appended it (`2:a` is the term-2 leader's first entry at index 1), so two different
  entries at one index always differ.
- Messages that can never matter again are discarded as soon as they are dead
  (`RaftServer.obsolete`): anything from an older term, a vote request of a term in which the
  receiver voted for another, a reply its receiver no longer waits for, and a success that tells
  the leader nothing new. Delivering them would change nothing, so no behaviour is lost (a test
  checks this claim on every reachable state of a small configuration).
- Bounds: no election goes past term `max_term`; logs hold at most `max_log` entries; at most
  `max_in_flight` messages are in flight (a state constraint: states with more are not explored).
  Defaults depend on `nodes` (BOUNDS; `check raft --help` says which) so that `check raft
  --nodes 3` and `--nodes 5` are exhaustive within them in under a minute, under the faults
  Raft claims to survive: every default crashes a server and restarts it (so a term, vote or
  log that is not persisted shows: a volatile log breaks leader completeness in 17 steps with
  3 nodes), and with 3 nodes (`check raft`) a message is lost as well: two terms, elections
  racing the messages in flight, a crash, a restart and a drop. Racing elections are what let a
  stale reply or vote reach a server that moved on (seeded bugs that act on one were missed with
  when-quiet elections). What the defaults give up for that: a third and fourth term with 3
  nodes (the paper's Figure 8 needs four: commit-old-term raises them; `check raft --swarm`
  searches deeper configurations side by side); with 5 nodes, racing elections, message loss
  and more than 4 messages in flight (add them with
  `--faults crash=1,restart=1,drop=1`, `--max-in-flight 6`). With 4 in flight a 5-node leader
  commits only once every other message has arrived, so a lost log is seen with 3 nodes, not
  5. Duplication is in no default (`--faults crash=1,restart=1,drop=1,duplicate=1`): it
  multiplies the states (3 nodes, two terms: 142,210). A bug variant raises the bounds its
  scenario needs (BUG_BOUNDS), and the tests check the correct protocol at those bounds too.
- Faults (--faults): crash and restart (durable: currentTerm, votedFor, log; volatile: role,
  votes, commitIndex, nextIndex, matchIndex), message drop and duplication, and clock skew;
  the network is a bag, so messages are reordered freely.

Liveness, once faults stop (checked by default, on fair runs: every step that stays enabled is
eventually taken, a message in flight is eventually delivered, a crashed server with a restart
left in the budget restarts; faults are never forced): a leader of the newest term is eventually
elected; an entry a leader appended in its term is eventually committed, unless the leader is
deposed; every follower's log eventually starts with its leader's, unless the leader is deposed.
Raft promises progress only while elections can go on, and the term bound stops them: a run that
would stay forever only because a server at `max_term` cannot start another election is cut by
the bound, counted in the verdict's note, never reported as a violation (`cut_by_bounds`), and
so is a run whose next fair step would put more than `max_in_flight` messages in flight.

Known bugs (--bug):
- commit-old-term: the leader commits an entry of an older term by counting replicas: the
  paper's Figure 8, where a later leader overwrites a "committed" entry.
- no-log-check: votes are granted without the up-to-date check, so a leader can lack
  committed entries.
- volatile-vote: currentTerm and votedFor are not persisted, so a restarted server votes a
  second time in a term: two leaders in one term.
- seed-append-entries: the seed's AppendEntries ("Distributed Systems Questions", the seed document, section
  2): the new entry is sent alone, the follower appends it at the end of its log with no check
  of the entry before it, and the leader counts acknowledgements to commit.
- no-election-retry: a candidate does not restart its election timer, so after a split vote no
  server runs again and the cluster stays without a leader (a liveness bug: every invariant
  holds; the lasso is three election timeouts, then nothing a fair run must do).

State fields of a server: `term` (currentTerm), `voted_for` (votedFor, or None), `log` (entries
`term:value`), `role`, `votes` (votes granted to this candidate), `commit` (commitIndex),
`progress` (the leader's Progress per follower: nextIndex, and matchIndex, -1 until the
follower first answers in this term), `proposed` (client requests this leader took in its term).
Two history fields exist only for the properties, like the TLA+ spec's history variables:
`led` (the terms this server was elected leader in) and `commits` (the (index, entry, term)
facts this server committed as leader); both survive crashes.
"""
from typing import Any, ClassVar

import attrs

from checker import always, eventually, leads_to, option, record, sometimes, transition
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.system import ActorModel, System
from checker.actors.faults import FaultBudget
from checker.model import ActionLabel
from specs.replicated_log import applied_conflict, log_mismatch, missing_commit, two_leaders

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
CRASH, CRASH_RESTART = FaultBudget(crash=1), FaultBudget(crash=1, restart=1)
CRASH_RESTART_DROP = FaultBudget(crash=1, restart=1, drop=1)
BOUNDS = {  # nodes -> the defaults of the bounds: the deepest that finish exhaustively in well under a minute
    2: dict(max_term=3, max_log=2, requests=2, elections="anytime", max_in_flight=3, faults=CRASH_RESTART),
    3: dict(max_term=2, max_log=1, requests=1, elections="anytime", max_in_flight=3, faults=CRASH_RESTART_DROP),
    4: dict(max_term=2, max_log=1, requests=1, elections="when-quiet", max_in_flight=4, faults=CRASH_RESTART),
    5: dict(max_term=2, max_log=1, requests=1, elections="when-quiet", max_in_flight=4, faults=CRASH_RESTART),
}
BUG_BOUNDS = {  # what a bug's scenario needs beyond those defaults (tests check the correct protocol there too)
    "commit-old-term": dict(max_term=4, elections="anytime", faults=CRASH),  # Figure 8: four terms, racing elections
    "volatile-vote": dict(max_term=2),
    "seed-append-entries": dict(max_term=2, max_log=2, requests=2, faults=CRASH),  # two entries: a crash is all it can afford
}


@record
class Entry:
    """A log entry: the term of the leader that appended it, and its value."""

    term: int
    value: str

    def __show__(self) -> str:
        return f"{self.term}:{self.value}"


@record
class RequestVote:
    """Candidate -> server: vote for me in `term`; my log ends at (last_term, last_index)."""

    term: int
    last_term: int
    last_index: int

    def __show__(self) -> str:
        return f"RequestVote t{self.term} log={self.last_index}@t{self.last_term}"


@record
class Vote:
    """Server -> candidate: the vote in `term`."""

    term: int
    granted: bool

    def __show__(self) -> str:
        return f"Vote t{self.term} {'yes' if self.granted else 'no'}"


@record
class AppendEntries:
    """Leader -> follower: after index `prev` (of term `prev_term`) come `entries`; commit up to `commit`."""

    term: int
    prev: int
    prev_term: int
    entries: tuple
    commit: int

    def __show__(self) -> str:
        entries = " ".join(e.__show__() for e in self.entries)
        return f"Append t{self.term} [{entries}] after {self.prev}@t{self.prev_term} commit={self.commit}"


@record
class Appended:
    """Follower -> leader: the answer to AppendEntries; on success, the log matches up to `match`."""

    term: int
    success: bool
    match: int

    def __show__(self) -> str:
        return f"Appended t{self.term} match={self.match}" if self.success else f"Appended t{self.term} refused"


@record
class Progress:
    """What the leader knows of one follower: nextIndex, and matchIndex (-1 until it first answers)."""

    peer: Any
    next: int
    match: int

    def __show__(self) -> str:
        return f"{self.peer}: next={self.next} match={self.match}"


@record
class Server:
    """One Raft server (see the module docstring for each field)."""

    DURABLE = ("term", "voted_for", "log", "led", "commits")
    term: int
    voted_for: Any
    log: tuple
    role: str
    votes: frozenset
    commit: int
    progress: frozenset
    proposed: int
    led: frozenset
    commits: frozenset


def last_term(log: tuple) -> int:
    """The term of the last entry, 0 for an empty log."""
    return log[-1].term if log else 0


def term_at(log: tuple, index: int) -> int:
    """The term of the entry at `index` (1-based), 0 for index 0."""
    return log[index - 1].term if index else 0


class RaftServer(Actor):
    """One server's handlers: the rules of the paper's Figure 2."""

    role = "server"

    def __init__(self, model: "Raft"):
        ids = [NodeId(i) for i in range(model.nodes)]
        self.peers_of = {node: tuple(p for p in ids if p != node) for node in ids}
        self.majority = model.nodes // 2 + 1
        self.max_term, self.max_log, self.requests = model.max_term, model.max_log, model.requests
        self.bug = model.bug

    def on_start(self, me: NodeId, out: Out) -> Server:
        out.set_timer("election")
        return Server(term=0, voted_for=None, log=(), role=FOLLOWER, votes=frozenset(), commit=0,
                      progress=frozenset(), proposed=0, led=frozenset(), commits=frozenset())

    def crashed(self, me: NodeId, state: Server) -> Server:
        if self.bug == "volatile-vote":  # the bug: only the log reaches the disk
            return self.on_start(me, Out(me)).evolve(log=state.log, led=state.led, commits=state.commits)
        return super().crashed(me, state)

    def obsolete(self, me: NodeId, s: Server, src: NodeId, msg: Any) -> bool:
        """A message that can never matter again: anything from an older term (ignored, and terms
        only grow); a vote request of this term when this server has voted for another; a reply of
        this term once this server no longer waits for it (a server is candidate or leader of a
        term only once). Not under volatile-vote, where a restart turns the term back."""
        if self.bug == "volatile-vote" or msg.term > s.term:
            return False
        if msg.term < s.term:
            return True
        if isinstance(msg, RequestVote):
            return s.voted_for is not None and s.voted_for != src
        if isinstance(msg, Vote):
            return s.role != CANDIDATE or not msg.granted or src in s.votes
        if isinstance(msg, Appended):  # a success telling no more than the leader knows changes nothing
            return s.role != LEADER or msg.success and msg.match <= progress_of(s, src).match
        return False

    # --- timers -------------------------------------------------------------------------

    def on_timer(self, me: NodeId, s: Server, timer: str, out: Out) -> Server:
        if timer == "election":
            return self._start_election(me, s, out)
        if timer == "client" and s.role == LEADER:
            return self._client_request(me, s, out)
        if timer == "heartbeat" and s.role == LEADER:
            out.set_timer("heartbeat")
            for p in sorted(s.progress):
                if p.match < len(s.log) or p.match < 0:
                    self._replicate(me, s, p.peer, p.next, out)
        return s

    def _start_election(self, me: NodeId, s: Server, out: Out) -> Server:
        """Timeout: become a candidate of the next term, vote for yourself, ask everyone else."""
        if s.role == LEADER or s.term >= self.max_term:
            return s  # the term bound: no election beyond max_term
        s = s.evolve(term=s.term + 1, role=CANDIDATE, voted_for=me, votes=frozenset({me}))
        if self.bug != "no-election-retry":  # the bug: a lost election is never retried
            out.set_timer("election")
        for peer in self.peers_of[me]:
            out.send(peer, RequestVote(s.term, last_term(s.log), len(s.log)))
        return self._become_leader(me, s, out) if len(s.votes) >= self.majority else s

    def _client_request(self, me: NodeId, s: Server, out: Out) -> Server:
        """A client's request reaches the leader: append it and send it to every follower."""
        if s.proposed >= self.requests or len(s.log) >= self.max_log:
            return s
        entry = Entry(s.term, "abcdefgh"[len(s.log)])
        s = s.evolve(log=s.log + (entry,), proposed=s.proposed + 1)
        if s.proposed < self.requests and len(s.log) < self.max_log:
            out.set_timer("client")
        for p in sorted(s.progress):
            if self.bug == "seed-append-entries":  # the seed: the new entry alone, no prefix to check
                out.send(p.peer, AppendEntries(s.term, len(s.log) - 1, 0, (entry,), s.commit))
            else:
                self._replicate(me, s, p.peer, p.next, out)
        return self._advance_commit(me, s, out)

    # --- messages -----------------------------------------------------------------------

    def on_message(self, me: NodeId, s: Server, src: NodeId, msg: Any, out: Out) -> Server:
        if msg.term > s.term:  # any newer term: follow it
            s = s.evolve(term=msg.term, role=FOLLOWER, voted_for=None, votes=frozenset(), progress=frozenset(), proposed=0)
            out.cancel_timer("heartbeat")
            out.cancel_timer("client")
            out.set_timer("election")
        if isinstance(msg, RequestVote):
            return self._on_request_vote(me, s, src, msg, out)
        if isinstance(msg, AppendEntries):
            return self._on_append_entries(me, s, src, msg, out)
        if msg.term < s.term:
            return s  # a stale reply
        if isinstance(msg, Vote):
            return self._on_vote(me, s, src, msg, out)
        return self._on_appended(me, s, src, msg, out)

    def _on_request_vote(self, me: NodeId, s: Server, src: NodeId, m: RequestVote, out: Out) -> Server:
        if m.term < s.term:
            return s  # from an older term: ignored (see the module docstring)
        up_to_date = m.last_term > last_term(s.log) or m.last_term == last_term(s.log) and m.last_index >= len(s.log)
        if self.bug == "no-log-check":
            up_to_date = True
        grant = m.term == s.term and up_to_date and s.voted_for in (None, src)
        out.send(src, Vote(s.term, grant))
        return s.evolve(voted_for=src) if grant else s

    def _on_vote(self, me: NodeId, s: Server, src: NodeId, m: Vote, out: Out) -> Server:
        if s.role != CANDIDATE or not m.granted:
            return s
        s = s.evolve(votes=s.votes | {src})
        return self._become_leader(me, s, out) if len(s.votes) >= self.majority else s

    def _become_leader(self, me: NodeId, s: Server, out: Out) -> Server:
        """A majority voted: lead, and tell every follower with an empty AppendEntries."""
        nxt = len(s.log) + 1
        s = s.evolve(role=LEADER, votes=frozenset(), led=s.led | {s.term}, proposed=0,
                     progress=frozenset(Progress(peer, nxt, -1) for peer in self.peers_of[me]))
        out.cancel_timer("election")
        out.set_timer("heartbeat")
        if self.requests and len(s.log) < self.max_log:
            out.set_timer("client")
        for peer in self.peers_of[me]:
            self._replicate(me, s, peer, nxt, out)
        return self._advance_commit(me, s, out)

    def _on_append_entries(self, me: NodeId, s: Server, src: NodeId, m: AppendEntries, out: Out) -> Server:
        if m.term < s.term:
            return s  # from an older term: ignored (see the module docstring)
        if s.role == CANDIDATE:  # a leader of this term exists
            s = s.evolve(role=FOLLOWER, votes=frozenset())
        if self.bug == "seed-append-entries":  # the seed: append at the end, whatever precedes it
            log = s.log + m.entries if len(s.log) < self.max_log else s.log
            out.send(src, Appended(s.term, True, m.prev + len(m.entries)))
            return s.evolve(log=log, commit=max(s.commit, min(m.commit, len(log))))
        if m.prev > len(s.log) or term_at(s.log, m.prev) != m.prev_term:
            out.send(src, Appended(s.term, False, 0))  # the consistency check fails
            return s
        log = merged(s.log, m.prev, m.entries)
        last_new = m.prev + len(m.entries)
        out.send(src, Appended(s.term, True, last_new))
        return s.evolve(log=log, commit=max(s.commit, min(m.commit, last_new)))

    def _on_appended(self, me: NodeId, s: Server, src: NodeId, m: Appended, out: Out) -> Server:
        if s.role != LEADER:
            return s
        old = progress_of(s, src)
        nxt, match = old.next, old.match
        if m.success and m.match <= match:  # a duplicate or an old success: it tells nothing new (obsolete)
            return s
        if m.success:
            match = max(match, m.match)
            nxt = max(nxt, match + 1)
        else:
            nxt = max(1, nxt - 1)
        s = s.evolve(progress=s.progress - {old} | {Progress(src, nxt, match)})
        if not m.success or nxt <= len(s.log):
            self._replicate(me, s, src, nxt, out)
        return self._advance_commit(me, s, out)

    # --- the leader's replication and commit rule ------------------------------------------

    def _replicate(self, me: NodeId, s: Server, peer: NodeId, nxt: int, out: Out) -> None:
        """Send `peer` the entries from `nxt` on, after the entry at nxt - 1."""
        prev = nxt - 1
        out.send(peer, AppendEntries(s.term, prev, term_at(s.log, prev), s.log[prev:], s.commit))

    def _advance_commit(self, me: NodeId, s: Server, out: Out) -> Server:
        """Commit the highest index a majority holds, if its entry is of this term (Figure 8)."""
        matches = sorted((max(p.match, 0) for p in s.progress), reverse=True)
        held = ([len(s.log)] + matches)[self.majority - 1]  # the majority-th highest match, self included
        if held <= s.commit or (term_at(s.log, held) != s.term and self.bug != "commit-old-term"):
            return s
        facts = frozenset((i, s.log[i - 1], s.term) for i in range(s.commit + 1, held + 1))
        s = s.evolve(commit=held, commits=s.commits | facts)
        for p in sorted(s.progress):  # tell every follower the new commit index
            self._replicate(me, s, p.peer, p.next, out)
        return s


def progress_of(s: Server, peer: NodeId) -> "Progress":
    """The leader's Progress record for `peer`."""
    for progress in s.progress:
        if progress.peer == peer:
            return progress
    raise KeyError(peer)


def merged(log: tuple, prev: int, entries: tuple) -> tuple:
    """The follower's log after accepting `entries` after index `prev`: a conflicting entry and
    all that follow it are deleted; entries it already holds are kept (a stale message truncates nothing)."""
    for offset, entry in enumerate(entries):
        index = prev + offset  # 0-based position of this entry
        if index >= len(log):
            return log + entries[offset:]
        if log[index].term != entry.term:
            return log[:index] + entries[offset:]
    return log


@attrs.frozen
class Raft(ActorModel):
    """Raft: election, log replication and commitment among servers that crash, restart and lose messages."""

    name: ClassVar[str] = "raft"
    bugs: ClassVar[dict[str, str]] = {
        "commit-old-term": "a leader commits an older term's entry by counting replicas (the paper's Figure 8)",
        "no-log-check": "votes are granted without the log up-to-date check",
        "volatile-vote": "currentTerm and votedFor are lost in a crash: a server votes twice in a term",
        "seed-append-entries": "the seed's AppendEntries: no check of the preceding entry; commit on acks of the new append",
        "no-election-retry": "a candidate does not restart its election timer: after a split vote nobody runs again (no leader, ever)",
    }
    network_kind: ClassVar[str] = "bag"
    check_deadlock: ClassVar[bool] = False  # Raft is reactive: a quiet cluster is not stuck (liveness is another engine)
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "restart", "drop", "duplicate", "skew"})
    nodes: int = option(3, help="number of servers (a cluster of one has no election to race)", min=2, max=5)
    max_term: int | None = option(None, type=int, min=1, max=8,
                                  help="no election beyond this term [default: 2; 3 for 2 nodes; 4 for commit-old-term]")
    max_log: int | None = option(None, type=int, min=1, max=6, help="the most entries a log holds [default: 1; 2 for seed-append-entries]")
    requests: int | None = option(None, type=int, min=1, max=6,
                                  help="the most client requests a leader takes in its term [default: 1; 2 for seed-append-entries]")
    elections: str | None = option(None, type=str, choices=("anytime", "when-quiet"),
                                   help="when an election timer may fire: anytime (racing messages in flight), or when-quiet "
                                        "(once no message is in flight: timeouts longer than message delays; a lost "
                                        "message or the skew fault makes one fire early) [default: anytime for 2 and 3 nodes, "
                                        "when-quiet for 4 and 5]")
    max_in_flight: int | None = option(None, type=int, min=1, max=40,
                                       help="the most messages in flight at once [default: 3 for 3 nodes, 4 for 5]")
    faults: FaultBudget | None = option(None, type=FaultBudget,
                                        help="fault budget [default: crash=1,restart=1,drop=1 for 3 nodes; crash=1,restart=1 "
                                             "for 5, which leaves out drop and duplicate (add them here); crash=1 "
                                             "for commit-old-term, seed-append-entries]")

    def quorum_systems(self) -> list[Any]:
        """For `--strategy prove`: any two majorities of servers meet (two leaders of one term would need two
        disjoint majorities of votes; a committed entry's majority meets every later leader's voters)."""
        from checker.prove.quorums import QuorumSystem  # Z3: imported only when a proof is asked for
        majority = self.nodes // 2 + 1
        return [QuorumSystem("majorities_intersect", self.nodes, majority, majority, "server")]

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check raft --swarm`: 2 to 5 servers; terms, log length, requests and messages in flight;
        crash, restart, drop, duplicate and skew; both election policies. Cheapest first (under 1 to
        about 15 CPU seconds each, some 90 in all), except the two of four terms with racing
        elections (the paper's Figure 8), placed midway. Every bound is given, so the grid does not
        move with BOUNDS; the defaults (`check raft`) are not repeated here. Three small ones keep
        obsolete messages in flight (`--no-discard-obsolete`), so that a false `obsolete` claim
        about a later state of the receiver shows as a violation."""
        kept = [  # the same bounds with obsolete messages kept in flight: every claim judged in every later state
            dict(nodes=3, max_term=2, max_log=1, requests=1, elections="anytime", max_in_flight=3, faults="none"),
            dict(nodes=3, max_term=2, max_log=1, requests=1, elections="anytime", max_in_flight=2, faults="crash=1,restart=1"),
            dict(nodes=3, max_term=3, max_log=1, requests=1, elections="anytime", max_in_flight=2, faults="crash=1"),
        ]
        grid = [  # nodes, max_term, max_log (= requests), elections, max_in_flight, faults
            (2, 2, 1, "anytime", 2, "none"),
            (3, 2, 1, "anytime", 3, "none"),
            (2, 2, 2, "anytime", 3, "crash=1,restart=1"),
            (3, 2, 1, "anytime", 2, "crash=1,restart=1"),
            (3, 2, 1, "when-quiet", 3, "crash=1,restart=1,drop=1"),
            (3, 2, 1, "anytime", 3, "duplicate=1"),
            (3, 4, 1, "anytime", 2, "crash=1"),
            (3, 3, 1, "when-quiet", 3, "crash=1,restart=1,drop=1"),
            (2, 3, 2, "anytime", 3, "crash=1,restart=1"),
            (2, 3, 2, "anytime", 3, "drop=1,duplicate=1"),
            (5, 2, 1, "when-quiet", 4, "crash=1"),
            (3, 2, 1, "anytime", 3, "crash=1,restart=1"),
            (3, 4, 1, "anytime", 3, "none"),
            (2, 3, 2, "when-quiet", 3, "crash=1,restart=1,drop=1,skew=1"),
            (4, 2, 1, "when-quiet", 4, "crash=1,restart=1"),
            (3, 3, 2, "when-quiet", 3, "crash=1"),
            (3, 2, 1, "when-quiet", 3, "drop=1,duplicate=1,skew=1"),
        ]
        explicit = [dict(nodes=n, max_term=t, max_log=log, requests=log, elections=e, max_in_flight=f, faults=faults)
                    for n, t, log, e, f, faults in grid]
        return explicit[:2] + [{**options, "discard_obsolete": False} for options in kept] + explicit[2:]

    def __attrs_post_init__(self) -> None:
        defaults = {**BOUNDS[min(max(self.nodes, 2), 5)], **BUG_BOUNDS.get(self.bug or "", {})}
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        super().__attrs_post_init__()

    @property
    def timer_policies(self) -> dict[str, str]:  # type: ignore[override]
        """Heartbeats retransmit only once the network is quiet; elections as the option says."""
        return {"heartbeat": "when-quiet", "election": self.elections}

    def actors(self) -> list[Actor]:
        return [RaftServer(self) for _ in range(self.nodes)]

    def within_boundary(self, s: System) -> bool:
        """at most {max_in_flight} messages in flight: states with more are not explored."""
        return len(s.network) <= self.max_in_flight

    def symmetric_groups(self) -> list[list[NodeId]]:
        return [list(self.ids)]

    def cut_by_bounds(self, s: System) -> bool:
        """a server at term {max_term} cannot start another election"""
        return any(n not in s.down and server.role != LEADER and server.term >= self.max_term and "election" not in s.timers[n]
                   for n, server in enumerate(s.nodes))

    # --- Figure 3 ----------------------------------------------------------------------

    @always
    def election_safety(self, s: System) -> bool:
        """At most one leader is elected in a term."""
        return not two_leaders([server.led for server in s.nodes])

    @election_safety.explain
    def _why_two_leaders(self, s: System) -> str:
        a, b, term = two_leaders([server.led for server in s.nodes])
        return f"n{a} and n{b} were both elected leader in term {term}"

    @transition
    def leader_append_only(self, before: System, action: ActionLabel, after: System) -> bool:
        """A leader never overwrites or deletes entries in its log; it only appends."""
        for old, new in zip(before.nodes, after.nodes):
            if old is not new and old.role == new.role == LEADER and old.term == new.term and new.log[:len(old.log)] != old.log:
                return False
        return True

    @always
    def log_matching(self, s: System) -> bool:
        """Two logs with an entry of the same index and term are identical up to that index."""
        return not log_mismatch([server.log for server in s.nodes])

    @log_matching.explain
    def _why_logs_differ(self, s: System) -> str:
        a, b, index = log_mismatch([server.log for server in s.nodes])
        return f"n{a} and n{b} both hold a term-{s.nodes[a].log[index - 1].term} entry at index {index}, but their logs differ up to it"

    @always
    def leader_completeness(self, s: System) -> bool:
        """An entry committed in a term is in the log of every leader of a later term."""
        return not self._missing(s)

    @leader_completeness.explain
    def _why_incomplete(self, s: System) -> str:
        leader, (index, entry, term) = self._missing(s)
        have = s.nodes[leader].log
        held = f"holds {have[index - 1].__show__()}" if len(have) >= index else "has no entry"
        return f"{entry.__show__()} was committed at index {index} in term {term}, but n{leader}, leader of term {s.nodes[leader].term}, {held} there"

    def _missing(self, s: System) -> tuple:
        leaders = [(node, server.term, server.log) for node, server in enumerate(s.nodes) if server.role == LEADER]
        return missing_commit(leaders, (fact for server in s.nodes for fact in server.commits))

    @always
    def state_machine_safety(self, s: System) -> bool:
        """No two servers apply different entries at the same index."""
        return not self._conflict(s)

    @state_machine_safety.explain
    def _why_conflict(self, s: System) -> str:
        index, first, second = self._conflict(s)
        return f"index {index} was applied as {first.__show__()} and as {second.__show__()}"

    def _conflict(self, s: System) -> tuple:
        """Applied entries: those committed as leader, and each server's log up to its commit index."""
        applied = [(index, entry) for server in s.nodes for index, entry, _term in sorted(server.commits)]
        applied += [(i + 1, server.log[i]) for server in s.nodes for i in range(min(server.commit, len(server.log)))]
        return applied_conflict(applied)

    # --- liveness, once faults stop (judged on fair runs: every step that stays enabled is taken) --

    @eventually(once_faults_stop=True)
    def leader_elected_eventually(self, s: System) -> bool:
        """Once faults stop, some running server is eventually leader of the newest term any running server knows."""
        return self._leader(s) is not None

    @leader_elected_eventually.explain
    def _why_no_leader(self, s: System) -> str:
        return "no leader: " + ", ".join(f"n{n} {server.role} of term {server.term}" + (" (no election timer)" if "election" not in s.timers[n] else "")
                                          for n, server in enumerate(s.nodes) if n not in s.down)

    def _leader(self, s: System) -> int | None:
        """The running leader of the newest term among running servers, if any."""
        running = [(n, server) for n, server in enumerate(s.nodes) if n not in s.down]
        newest = max((server.term for _n, server in running), default=0)
        return next((n for n, server in running if server.role == LEADER and server.term == newest), None)

    @leads_to(once_faults_stop=True)
    def entries_committed_eventually(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, an entry a running leader appended in its term is eventually committed, unless the leader is deposed."""
        waiting = bool(self._uncommitted(s))
        return waiting, not waiting

    @entries_committed_eventually.explain
    def _why_uncommitted(self, s: System) -> str:
        return "; ".join(f"n{n}, leader of term {s.nodes[n].term}, never commits {entry.__show__()} at index {i}"
                         for n, i, entry in self._uncommitted(s))

    def _uncommitted(self, s: System) -> list[tuple[int, int, Entry]]:
        """(leader, index, entry) for each entry of its own term a running leader holds and has not committed."""
        return [(n, i, entry) for n, server in enumerate(s.nodes) if n not in s.down and server.role == LEADER
                for i, entry in enumerate(server.log, start=1) if i > server.commit and entry.term == server.term]

    @leads_to(once_faults_stop=True)
    def logs_converge_eventually(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, every running follower's log eventually starts with its leader's, unless the leader is deposed."""
        behind = bool(self._behind(s))
        return behind, not behind

    @logs_converge_eventually.explain
    def _why_behind(self, s: System) -> str:
        return "; ".join(f"n{f}'s log [{' '.join(e.__show__() for e in s.nodes[f].log)}] never catches up with leader n{n}'s "
                         f"[{' '.join(e.__show__() for e in s.nodes[n].log)}]" for n, f in self._behind(s))

    def _behind(self, s: System) -> list[tuple[int, int]]:
        """(leader, follower) for each running follower, of the leader's term or older, whose log does not start with the running leader's."""
        out = []
        for n, leader in enumerate(s.nodes):
            if n in s.down or leader.role != LEADER:
                continue
            out += [(n, f) for f, server in enumerate(s.nodes) if f != n and f not in s.down and server.term <= leader.term
                    and server.log[:len(leader.log)] != leader.log]
        return out

    # --- witnesses: the bounds reach the interesting states -------------------------------

    @sometimes
    def leader_elected(self, s: System) -> bool:
        """Some server becomes leader."""
        return any(server.role == LEADER for server in s.nodes)

    @sometimes
    def committed_everywhere(self, s: System) -> bool:
        """An entry is committed on every server."""
        return all(server.commit >= 1 for server in s.nodes)

    @sometimes(needs="crash")
    def reelected_after_crash(self, s: System) -> bool:
        """A leader crashed, and another server was elected in a later term."""
        fallen = [max(s.nodes[n].led) for n in s.down if s.nodes[n].led]
        return bool(fallen) and any(server.role == LEADER and server.term > min(fallen) for server in s.nodes)
