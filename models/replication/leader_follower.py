"""Leader-follower replication of one register: sync, semi-sync or async acknowledgement, and failover.

Sources: Kleppmann, "Designing Data-Intensive Applications", chapter 5, "Leaders and Followers"
(synchronous versus asynchronous replication, handling a leader outage by failover: "if
asynchronous replication is used, the new leader may not have received all the writes from the
old leader", and "Problems with Replication Lag": reading your own writes); the MySQL Reference
Manual, "Semisynchronous Replication" (the source waits, at `AFTER_SYNC`, until one replica has
written the transaction to its relay log; the replica applies it later); MHA for MySQL and
Orchestrator, which on a master failure promote the most up-to-date replica and bring the others
up to it before the new master opens; the seed document's "Data Replication Patterns: 1.
Leader-Follower" ("one leader handles writes, followers replicate from leader, followers handle
reads").

The protocol. Replicas n0 .. n(R-1) (n0 leads first), then the clients.
- A client's `op` timer issues its next operation: its k-th is a write of 10 * node + k when k
  is odd (n3 writes 31, then 33) and a read when k is even. It waits for each answer.
- The leader appends a write to its log (the binlog), ships the log to its followers
  (`Replicate`; a follower adopts a longer log, or any log of a newer epoch, and `Ack`s its
  length) and acknowledges the client, per `--ack`: sync once every follower has it, semi-sync
  once one follower has it, async at once. A write is *committed* once acknowledgeable.
- Reads (`--reads leader`): the leader answers once everything in its log is committed, with its
  last write (the initial 0 when none), so no reader sees a write the ack rule may still lose (as
  MySQL's AFTER_SYNC keeps a transaction invisible until a replica has it). `--reads follower`:
  each client reads from its nearest follower (client i from follower i), which answers at once
  from the writes it has *applied*: a follower acknowledges on receipt and applies later (its
  `apply` timer, the SQL thread), so an acknowledged write may not be visible there yet. With
  leader reads the apply delay matters to no one and is not modelled (a follower applies on receipt).
- Failover: each follower's `failover` timer stands for the failover controller (MHA's
  manager). It fires only when no live leader is left (the leader crashed: a perfect failure
  detector; the old leader never comes back, as MHA removes it) and, with `--promote newest`
  (the default), only at a live follower with the longest log (MHA and Orchestrator promote the
  most up-to-date replica; ties go to any of them). The promoted follower starts a new epoch,
  applies its whole log, ships it to the remaining followers and tells the clients (`NewLeader`);
  it answers reads once its log is committed again under the ack rule (MHA recovers the other
  replicas from the newest one before the new master opens). Clients then talk to it; an
  operation sent to the dead leader stays open for ever (indeterminate, as a Jepsen timeout).
  `--promote any` lets any live follower win: semi-sync then loses writes too.

Faults (--faults): crash (a replica keeps its log on disk, but nothing restarts) and message
loss. Duplicates, pauses and partitions are left out: a paused or cut-off leader that carries on
beside the new one is split brain, which needs fencing (`check fencing`), not this model. The
default budget, crash=1, makes failover happen; every property holds (24,595 states). Sync
survives the loss of all replicas but one (`--faults crash=2` holds: 119,108 states), since every
follower has every committed write. Semi-sync survives one crash (64,983 states): a committed
write is on the leader and on at least one follower, every follower's log is a prefix of the
leader's, so the newest live follower has every committed write. It does not survive two (the
follower that acknowledged, then the leader: 8 steps), nor `--promote any` (7 steps: the
follower without the write is promoted). Async survives none (`--ack async`): the leader
acknowledges, crashes before any follower has the write, and `durable` fails at the failover
(5 steps); a read at the new leader then shows the loss (9 steps, `linearizable` and
`read_your_writes`).

Properties: `durable`, every acknowledged write is in the log of every live leader (a log keeps
every write, so a value overwritten by a later write is still there); `linearizable` and
`read_your_writes`, over the clients' history (specs/consistency/recorded.py). `--reads follower`
breaks both with a stale read: a client reads its own acknowledged write from its follower, which
has it but has not applied it yet (10 steps; with semi-sync, 8: one ack fewer to wait for).
Witnesses: a write is acknowledged; failover; a read after failover returns a written value.

State fields. Replica: `role` (leader or follower), `epoch` (failovers it knows of), `leader` (the
leader it follows), `former` (earlier leaders it knows of: gone for good), `log` (the writes it
has, in order), `applied` (how many it has applied: what a follower read sees), `committed` (for a
leader: how many of its log's writes are committed), `acked` (for a leader: (follower, log length
it acknowledged) pairs), `pending` (for a leader: the writes it must still acknowledge, as (log
length, client, value)), `waiting` (for a leader: clients whose reads wait for the commit).
Client: `leader` and `epoch` (the leader it talks to), `issued` (operations issued), `busy` (one
is open), `fresh_read` (history: a read served after failover returned a written value).
"""
from typing import Any, ClassVar

import attrs

from checker import always, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from specs.consistency.objects import Register
from specs.consistency.recorded import history_invariant

LEADER, FOLLOWER = "leader", "follower"
REGISTER = Register(initial=0)


@record
class Write:
    """Client -> leader: write `value`."""

    value: int


@record
class Read:
    """Client -> replica: read the register."""


@record
class Replicate:
    """Leader -> follower: the leader's whole log, in epoch `epoch`."""

    epoch: int
    log: tuple


@record
class Ack:
    """Follower -> leader: it has the first `length` writes of the epoch's log."""

    epoch: int
    length: int


@record
class WriteOk:
    """Leader -> client: the write of `value` is acknowledged."""

    value: int


@record
class ReadOk:
    """Replica -> client: the register holds `value` (served in epoch `epoch`)."""

    value: int
    epoch: int


@record
class NewLeader:
    """Promoted follower -> clients: talk to me from epoch `epoch` on."""

    epoch: int


@record
class Replica:
    """A replica (see the module docstring for each field); its log is on disk."""

    DURABLE = ("role", "epoch", "leader", "former", "log", "applied")
    role: str
    epoch: int
    leader: NodeId
    former: frozenset
    log: tuple
    applied: int
    committed: int
    acked: frozenset
    pending: tuple
    waiting: tuple

    def value(self, upto: int) -> int:
        """The register after the first `upto` writes of the log."""
        return self.log[upto - 1] if upto else REGISTER.initial


@record
class Client:
    """A client (see the module docstring for each field)."""

    leader: NodeId
    epoch: int
    issued: int
    busy: bool
    fresh_read: bool


def common_prefix(a: tuple, b: tuple) -> int:
    """How many first entries two logs share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


class ReplicaNode(Actor):
    """A replica: n0 leads at first; the others follow until one is promoted."""

    role = "replica"

    def __init__(self, model: "LeaderFollower"):
        """The ack rule, whether followers apply late, the replicas and the clients, from the model."""
        self.ack, self.lag = model.ack, model.reads == "follower"
        self.replicas, self.clients = model.replica_ids, model.client_ids

    def on_start(self, me: NodeId, out: Out) -> Replica:
        """n0 leads epoch 0 with an empty log; a follower arms its failover timer."""
        if me != 0:
            out.set_timer("failover")
        return Replica(role=LEADER if me == 0 else FOLLOWER, epoch=0, leader=NodeId(0), former=frozenset(), log=(),
                       applied=0, committed=0, acked=frozenset(), pending=(), waiting=())

    def obsolete(self, me: NodeId, s: Replica, src: NodeId, msg: Any) -> bool:
        """A replication message of an epoch this replica has left, a log no longer than the one it has in the
        epoch, a log sent to a leader, or an ack the leader has had (epochs, and logs in an epoch, only grow)."""
        if isinstance(msg, Replicate):
            return msg.epoch < s.epoch or s.role == LEADER or msg.epoch == s.epoch and len(msg.log) <= len(s.log)
        if isinstance(msg, Ack):
            return msg.epoch < s.epoch or s.role == LEADER and msg.epoch == s.epoch and msg.length <= dict(s.acked).get(src, 0)
        return False

    def followers(self, me: NodeId, s: Replica) -> list[NodeId]:
        """The followers of leader `me`: every replica but itself and the leaders gone before it."""
        return [r for r in self.replicas if r != me and r not in s.former]

    def on_message(self, me: NodeId, s: Replica, src: NodeId, msg: Any, out: Out) -> Replica:
        """Writes and acks at a leader, logs at a follower, reads at either."""
        if isinstance(msg, Read):
            return self.read(me, s, src, out)
        if isinstance(msg, Replicate):
            return self.replicate(s, src, msg, out)
        if s.role != LEADER or isinstance(msg, Ack) and msg.epoch != s.epoch:
            return s
        if isinstance(msg, Write):
            s = s.evolve(log=s.log + (msg.value,), applied=len(s.log) + 1,
                         pending=s.pending + ((len(s.log) + 1, src, msg.value),))
            out.broadcast(self.followers(me, s), Replicate(s.epoch, s.log))
        else:
            acked = dict(s.acked)
            if msg.length <= acked.get(src, 0):
                return s
            s = s.evolve(acked=frozenset({**acked, src: msg.length}.items()))
        return self.commit(me, s, out)

    def commit(self, me: NodeId, s: Replica, out: Out) -> Replica:
        """Advance the commit point by the ack rule; acknowledge the writes and answer the reads it frees."""
        acked = dict(s.acked)
        lengths = [acked.get(f, 0) for f in self.followers(me, s)]
        if self.ack == "async" or not lengths:
            point = len(s.log)
        else:
            point = min(lengths) if self.ack == "sync" else max(lengths)
        if point <= s.committed:
            return s
        s = s.evolve(committed=point)
        for length, client, value in s.pending:
            if length <= point:
                out.send(client, WriteOk(value))
        s = s.evolve(pending=tuple(p for p in s.pending if p[0] > point))
        if point == len(s.log) and s.waiting:
            for client in s.waiting:
                out.send(client, ReadOk(s.value(point), s.epoch))
            s = s.evolve(waiting=())
        return s

    def read(self, me: NodeId, s: Replica, src: NodeId, out: Out) -> Replica:
        """A follower answers from what it applied; a leader once its log is committed."""
        if s.role == FOLLOWER:
            out.send(src, ReadOk(s.value(s.applied), s.epoch))
        elif s.committed == len(s.log):
            out.send(src, ReadOk(s.value(s.committed), s.epoch))
        else:
            return s.evolve(waiting=s.waiting + (src,))
        return s

    def replicate(self, s: Replica, src: NodeId, msg: Replicate, out: Out) -> Replica:
        """Adopt a longer log of the epoch, or the log of a newer epoch, and acknowledge it."""
        newer = msg.epoch > s.epoch
        if s.role != FOLLOWER or msg.epoch < s.epoch or not newer and len(msg.log) <= len(s.log):
            return s
        if newer:
            s = s.evolve(epoch=msg.epoch, leader=src, former=s.former | ({s.leader} - {src}))
        applied = min(s.applied, common_prefix(s.log, msg.log))
        out.send(src, Ack(msg.epoch, len(msg.log)))
        if self.lag:
            out.set_timer("apply")
        return s.evolve(log=msg.log, applied=applied if self.lag else len(msg.log))

    def on_timer(self, me: NodeId, s: Replica, timer: str, out: Out) -> Replica:
        """`apply`: apply every write received; `failover`: promote this follower (see the docstring)."""
        if timer == "apply":
            return s.evolve(applied=len(s.log))
        s = s.evolve(role=LEADER, epoch=s.epoch + 1, leader=me, former=s.former | {s.leader}, applied=len(s.log),
                     committed=0, acked=frozenset(), pending=(), waiting=())
        out.broadcast(self.followers(me, s), Replicate(s.epoch, s.log))
        out.broadcast(self.clients, NewLeader(s.epoch))
        return self.commit(me, s, out)


class ClientNode(Actor):
    """A client: writes and reads in turn, one at a time, at the leader (or its nearest follower)."""

    role = "client"

    def __init__(self, model: "LeaderFollower", index: int):
        """Its operation count and where it reads, from the model."""
        self.ops = model.ops
        self.nearest = NodeId(1 + index % (model.replicas - 1)) if model.reads == "follower" else None

    def on_start(self, me: NodeId, out: Out) -> Client:
        """Idle, n0 the leader, its first operation to come."""
        out.set_timer("op")
        return Client(leader=NodeId(0), epoch=0, issued=0, busy=False, fresh_read=False)

    def obsolete(self, me: NodeId, s: Client, src: NodeId, msg: Any) -> bool:
        """News of a leader no newer than the one it knows."""
        return isinstance(msg, NewLeader) and msg.epoch <= s.epoch

    def on_timer(self, me: NodeId, s: Client, timer: str, out: Out) -> Client:
        """Issue the next operation: odd ones write 10 * node + k, even ones read."""
        k = s.issued + 1
        if k % 2:
            out.send(s.leader, Write(10 * me + k))
            out.invoke("write", 10 * me + k)
        else:
            out.send(self.nearest if self.nearest is not None else s.leader, Read())
            out.invoke("read")
        return s.evolve(issued=k, busy=True)

    def on_message(self, me: NodeId, s: Client, src: NodeId, msg: Any, out: Out) -> Client:
        """A new leader to talk to, or the answer to its open operation."""
        if isinstance(msg, NewLeader):
            return s.evolve(leader=src, epoch=msg.epoch) if msg.epoch > s.epoch else s
        if isinstance(msg, WriteOk):
            out.respond("write", msg.value)
        else:
            out.respond("read", msg.value)
            s = s.evolve(fresh_read=s.fresh_read or msg.epoch > 0 and msg.value != REGISTER.initial)
        if s.issued < self.ops:
            out.set_timer("op")
        return s.evolve(busy=False)


@attrs.frozen
class LeaderFollower(ActorModel):
    """Leader-follower replication of one register, with sync, semi-sync or async acknowledgement and failover."""

    name: ClassVar[str] = "leader-follower"
    network_kind: ClassVar[str] = "bag"
    allowed_faults: ClassVar[frozenset[str]] = frozenset({"crash", "drop"})
    check_deadlock: ClassVar[bool] = False  # clients that are done rest; an operation sent to a dead leader stays open
    ack: str = option("sync", choices=("sync", "semi-sync", "async"),
                      help="when the leader acknowledges a write: once every follower has it, once one has, or at once")
    reads: str = option("leader", choices=("leader", "follower"),
                        help="who serves reads: the leader (committed writes only), or each client's nearest follower "
                             "(what it has applied, which may be stale)")
    promote: str = option("newest", choices=("newest", "any"),
                          help="whom failover promotes: the most up-to-date live follower (as MHA), or any live follower")
    replicas: int = option(3, help="replicas, the first the initial leader", min=2, max=4)
    clients: int = option(2, help="clients", min=1, max=3)
    ops: int = option(2, help="operations per client: a write, a read, then a write", min=2, max=3)
    faults: FaultBudget = option(FaultBudget(crash=1), help="fault budget (crash, drop), as crash=1 (the default)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check leader-follower --swarm`: sync and semi-sync, 2 to 4 replicas, three operations, two crashes
        (sync survives them), message loss (cheapest first)."""
        return [dict(faults="none"), dict(replicas=4, clients=1), dict(ack="semi-sync", clients=1, ops=3),
                dict(clients=1, ops=3, faults="crash=2,drop=1"), dict(replicas=2), dict(), dict(faults="crash=1,drop=1"),
                dict(ack="semi-sync"), dict(faults="crash=2")]

    @property
    def replica_ids(self) -> tuple[NodeId, ...]:
        """The replicas' ids (first)."""
        return tuple(NodeId(i) for i in range(self.replicas))

    @property
    def client_ids(self) -> tuple[NodeId, ...]:
        """The clients' ids (after the replicas)."""
        return tuple(NodeId(self.replicas + i) for i in range(self.clients))

    def actors(self) -> list[Actor]:
        """The replicas, then the clients."""
        return [*(ReplicaNode(self) for _ in self.replica_ids), *(ClientNode(self, i) for i in range(self.clients))]

    def symmetric_groups(self) -> list[list[NodeId]]:
        """The followers are interchangeable, unless each client reads from its own."""
        return [list(self.replica_ids[1:])] if self.reads == "leader" else []

    def live_leaders(self, s: System) -> list[NodeId]:
        """The replicas that are up and lead."""
        return [r for r in self.replica_ids if r not in s.down and s.nodes[r].role == LEADER]

    def timer_waits(self, s: System, node: NodeId, timer: str) -> bool:
        """A failover waits while a leader lives and, with --promote newest, while a live follower has a longer log."""
        if timer != "failover":
            return super().timer_waits(s, node, timer)
        if self.live_leaders(s):
            return True
        longest = max(len(s.nodes[r].log) for r in self.replica_ids if r not in s.down)
        return self.promote == "newest" and len(s.nodes[node].log) < longest

    def acknowledged(self, s: System) -> list[tuple[NodeId, int]]:
        """The writes acknowledged to clients, as (client, value)."""
        return [(e.node, e.value) for e in s.history if e.kind == "return" and e.op == "write"]

    @always
    def durable(self, s: System) -> bool:
        """Every acknowledged write is in the log of every live leader."""
        return all(value in s.nodes[r].log for r in self.live_leaders(s) for _, value in self.acknowledged(s))

    @durable.explain
    def _why_lost(self, s: System) -> str:
        """The lost write, its client, and the leader without it."""
        leader, client, value = next((r, c, v) for r in self.live_leaders(s) for c, v in self.acknowledged(s)
                                     if v not in s.nodes[r].log)
        where = [f"{r}{' (down)' if r in s.down else ''}" for r in self.replica_ids if value in s.nodes[r].log]
        where += [f"a Replicate in flight to {e.dst}" for e in s.network if isinstance(e.msg, Replicate) and value in e.msg.log]
        return (f"the write of {value} was acknowledged to {client}, but the leader of epoch {s.nodes[leader].epoch}, "
                f"{leader}, has log {list(s.nodes[leader].log)}: the acknowledged write is lost"
                + (f" (it is left only on {' and '.join(where)})" if where else ""))

    linearizable = history_invariant(REGISTER)

    read_your_writes = history_invariant(REGISTER, "read-your-writes")

    @sometimes
    def write_acknowledged(self, s: System) -> bool:
        """A client's write is acknowledged."""
        return bool(self.acknowledged(s))

    @sometimes(needs="crash")
    def failover(self, s: System) -> bool:
        """The leader crashed and a follower was promoted."""
        return any(s.nodes[r].epoch > 0 for r in self.live_leaders(s))

    @sometimes(needs="crash")
    def read_after_failover(self, s: System) -> bool:
        """A read served after failover returns a written value."""
        return any(s.nodes[c].fresh_read for c in self.client_ids)
