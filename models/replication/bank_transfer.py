"""A bank transfer across two nodes: debit an account on one, credit an account on the other, without losing money.

Sources: the seed's CAP section ("Distributed Systems Questions", section 1, `BankingSystem.transfer`:
`await this.debit(from, amount); await this.credit(to, amount)`); the transactional outbox and
idempotent receiver patterns (Richardson, "Microservices Patterns", ch. 3; Hohpe and Woolf,
"Enterprise Integration Patterns": Guaranteed Delivery, Idempotent Receiver); Helland, "Life
beyond Distributed Transactions" (2007): at-least-once messages between entities, made harmless
by remembering what was already done. Abstractions: the seed's `BankingSystem` process that calls
debit then credit is played by the source node itself; its quorum check (refuse to start during a
partition) is left out, as no partition is needed to lose the money; amounts and balances are fixed.

The protocol. Two bank nodes, n0 and n1, each keeping one account (100 each). Transfer k moves
10*k from one node's account to the other's, the transfers alternating in direction (t1: n0 -> n1,
10; t2: n1 -> n0, 20; t3: n0 -> n1, 30). Balances always cover the amounts, so no transfer is refused.
- The source debits (its `debit tK` timer: the client's request) and, in the same local step, writes
  a transfer record to its outbox, on disk with the balance (a write-ahead intent with the transfer id).
- It then sends Credit(tK) to the destination (`credit tK`), and again on a retransmission timer
  (`retry tK`, which fires only once nothing is in flight: a timeout longer than any message delay)
  and after a restart (the recovery reads the outbox), until the destination acknowledges.
- The destination credits a transfer id once: it keeps the ids it applied, on disk with the balance,
  credits an unseen id and acknowledges every Credit, a repeated one included (an idempotent credit).
- The acknowledgement removes the record from the outbox and tells the client (history: the source
  records `invoke transfer tK` at the debit and `return transfer tK` at the acknowledgement).

Faults (--faults): crash and restart of either node (the balance, the debits, the outbox and the
applied ids survive), message loss and duplication (also partitions, pauses and early retries).
The default budget, crash=1,restart=1,drop=1,duplicate=1, is what the protocol claims to survive,
and every property holds (7,678 states, about 1.5 s on one core; 51 with no fault). A crash with
no restart (`--faults crash=1`) leaves a transfer unfinished for good: the liveness property fails
(the destination is down and the source retries in vain, 3 steps) while the money stays counted in
transit, so money_conserved holds.

Properties. `money_conserved`: the sum of the balances plus the money in transit equals the initial
total; in transit are the transfers debited and not yet credited that the system still owes, i.e.
that a source still holds in its outbox or a Credit in flight still carries. `no_half_transfer`:
once the system is quiet (every node up, nothing in flight, no credit or retry timer armed), every
debited transfer is credited. `transfers_credited_eventually` (liveness, once faults stop):
whenever a debited transfer is uncredited, every debited transfer is eventually credited.
Witnesses: every transfer settled (credited and acknowledged); a node crashed between a debit and
the send of its Credit, and after its restart the transfer was credited and acknowledged (recovered
from the outbox); a repeated Credit arrived and was ignored.

Known bugs (--bug):
- no-recovery-log: the seed's version. The debit is durable (the account), but what remains to do
  (send the credit, await its answer) lives only in memory, sent once with no retry: a crash of the
  source between the debit and the send loses the money (money_conserved, 2 steps); a lost Credit
  leaves the source awaiting forever, the system quiet with the transfer half applied
  (no_half_transfer, 3 steps with `--faults drop=1`).
- non-idempotent-credit: the destination credits every Credit it receives, without checking the
  transfer id, so a repeated Credit creates money: a duplicated message (5 steps), or a retry after
  a lost acknowledgement (6 steps with `--faults drop=1`).

State fields (one Bank per node): `balance` (the account), `debited` (the transfer ids debited
here: the account's ledger), `outbox` (the ids debited here and not yet acknowledged: on disk in the
correct protocol, in memory in the seed's), `applied` (the ids credited here), `sent` (history:
the ids whose Credit this node has sent at least once), `recovered` (history: the ids a restart
found in the outbox never sent: a crash between debit and send), `repeats` (history: the ids whose
Credit arrived again after they were applied).
"""
from typing import Any, ClassVar

import attrs

from checker import always, leads_to, option, record, sometimes
from checker.actors.actor import Actor, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
from checker.properties import Property

OPENING_BALANCE = 100
MAX_TRANSFERS = 3


@record
class Transfer:
    """Transfer `tid`: `amount` from the account on `src` to the account on `dst`."""

    tid: str
    src: NodeId
    dst: NodeId
    amount: int

    def __show__(self) -> str:
        return f"{self.tid}: {self.src} -> {self.dst}, {self.amount}"


@record
class Credit:
    """Source -> destination: credit `amount` for transfer `tid`."""

    tid: str
    amount: int

    def __show__(self) -> str:
        return f"credit {self.tid} +{self.amount}"


@record
class Ack:
    """Destination -> source: transfer `tid` is credited."""

    tid: str

    def __show__(self) -> str:
        return f"ack {self.tid}"


@record
class Bank:
    """A bank node with the correct protocol: its account, ledger, outbox and applied ids all on disk."""

    DURABLE = ("balance", "debited", "outbox", "applied", "sent", "recovered", "repeats")
    balance: int
    debited: frozenset
    outbox: frozenset
    applied: frozenset
    sent: frozenset
    recovered: frozenset
    repeats: frozenset


@record
class SeedBank:
    """The seed's bank node: the account and ledger on disk, the transfers it still has to finish in memory only."""

    DURABLE = ("balance", "debited", "applied", "sent", "recovered", "repeats")
    balance: int
    debited: frozenset
    outbox: frozenset
    applied: frozenset
    sent: frozenset
    recovered: frozenset
    repeats: frozenset


class BankNode(Actor):
    """A bank node: the source of its outgoing transfers and the destination of the others."""

    role = "bank"

    def __init__(self, model: "BankTransfer"):
        """The transfers, and the variant's record keeping, retries and credit check, from the model."""
        self.transfers = {t.tid: t for t in model.transfer_list}
        self.seed = model.has_bug("no-recovery-log")
        self.checks_ids = not model.has_bug("non-idempotent-credit")

    def on_start(self, me: NodeId, out: Out) -> Any:
        """The opening balance; a `debit` timer for each transfer from this node."""
        for t in self.transfers.values():
            if t.src == me:
                out.set_timer(f"debit {t.tid}")
        state = SeedBank if self.seed else Bank
        return state(balance=OPENING_BALANCE, debited=frozenset(), outbox=frozenset(), applied=frozenset(),
                     sent=frozenset(), recovered=frozenset(), repeats=frozenset())

    def on_restart(self, me: NodeId, state: Any, out: Out) -> Any:
        """Back with what was on disk: transfers not yet debited wait for their request; the outbox is sent again."""
        back = self.crashed(me, state)
        for t in self.transfers.values():
            if t.src == me and t.tid not in back.debited:
                out.set_timer(f"debit {t.tid}")
        for tid in back.outbox:
            out.set_timer(f"credit {tid}")
        return back.evolve(recovered=back.recovered | (back.outbox - back.sent))

    def obsolete(self, me: NodeId, s: Any, src: NodeId, msg: Any) -> bool:
        """An Ack for a transfer no longer in the outbox (a transfer is debited once, so it never comes back)."""
        return isinstance(msg, Ack) and msg.tid not in s.outbox

    def on_timer(self, me: NodeId, s: Any, timer: str, out: Out) -> Any:
        """`debit tK`: debit and record in one step; `credit tK` and `retry tK`: send the Credit."""
        kind, tid = timer.split()
        t = self.transfers[tid]
        if kind == "debit":
            out.invoke("transfer", tid)
            out.set_timer(f"credit {tid}")
            return s.evolve(balance=s.balance - t.amount, debited=s.debited | {tid}, outbox=s.outbox | {tid})
        out.send(t.dst, Credit(tid, t.amount))
        if not self.seed:
            out.set_timer(f"retry {tid}")
        return s if tid in s.sent else s.evolve(sent=s.sent | {tid})

    def on_message(self, me: NodeId, s: Any, src: NodeId, msg: Any, out: Out) -> Any:
        """A Credit (apply it unless its id was applied; acknowledge it) or an Ack (the transfer is done)."""
        if isinstance(msg, Ack):
            if msg.tid not in s.outbox:
                return s
            out.cancel_timer(f"credit {msg.tid}")
            out.cancel_timer(f"retry {msg.tid}")
            out.respond("transfer", msg.tid)
            return s.evolve(outbox=s.outbox - {msg.tid})
        out.send(src, Ack(msg.tid))
        seen = msg.tid in s.applied
        if seen:
            s = s.evolve(repeats=s.repeats | {msg.tid})
        if seen and self.checks_ids:
            return s
        return s.evolve(balance=s.balance + msg.amount, applied=s.applied | {msg.tid})


@attrs.frozen
class BankTransfer(ActorModel):
    """A bank transfer across two nodes: debit an account on one, credit an account on the other, without losing money."""

    name: ClassVar[str] = "bank-transfer"
    bugs: ClassVar[dict[str, str]] = {
        "no-recovery-log": "the seed's transfer: the credit still to send lives in memory only and is sent once, so a "
                           "crash between debit and credit loses the money (breaks money_conserved) and a lost credit "
                           "leaves the transfer half applied (breaks no_half_transfer)",
        "non-idempotent-credit": "the destination credits every Credit without checking the transfer id, so a repeated "
                                 "message credits twice (breaks money_conserved: money created)",
    }
    network_kind: ClassVar[str] = "bag"
    timer_policies: ClassVar[dict[str, str]] = {f"retry t{k}": "when-quiet" for k in range(1, MAX_TRANSFERS + 1)}
    transfers: int = option(2, help="number of transfers, alternating in direction (tK moves 10*K); 3 at the default "
                                    "budget is about 500,000 states and two minutes", min=1, max=MAX_TRANSFERS)
    faults: FaultBudget = option(FaultBudget(crash=1, restart=1, drop=1, duplicate=1),
                                 help="fault budget, as crash=1,restart=1,drop=1,duplicate=1 (the default)")

    @classmethod
    def swarm_grid(cls, bug: str | None = None) -> list[dict]:
        """`check bank-transfer --swarm`: one to three transfers, more crashes and losses (about 0.2 to 5 s each, cheapest first)."""
        return [dict(transfers=1), dict(faults="drop=2,duplicate=1"), dict(transfers=1, faults="crash=2,restart=2,drop=2,duplicate=2"),
                dict(faults="crash=2,restart=2"), dict(transfers=3, faults="none"), dict(), dict(transfers=3, faults="crash=1,restart=1")]

    @property
    def transfer_list(self) -> tuple[Transfer, ...]:
        """The transfers: tK moves 10*K, from n0 to n1 when K is odd, from n1 to n0 when it is even."""
        return tuple(Transfer(f"t{k}", NodeId((k + 1) % 2), NodeId(k % 2), 10 * k) for k in range(1, self.transfers + 1))

    @property
    def total(self) -> int:
        """The money in the system: both opening balances."""
        return 2 * OPENING_BALANCE

    def actors(self) -> list[Actor]:
        """The two bank nodes."""
        return [BankNode(self), BankNode(self)]

    def properties(self) -> tuple[Property, ...]:
        """The declared properties; a repeated Credit needs a duplicate, a drop (then a retry) or a crash and restart."""
        f = self.faults
        repeat = bool(f.duplicate or f.drop or f.skew or f.crash and f.restart)
        return tuple(attrs.evolve(p, needs=()) if p.name == "repeat_ignored" and repeat else p for p in super().properties())

    def may_stop(self, s: System) -> bool:
        """Every transfer is debited and acknowledged: the work is over."""
        return all(t.tid in s.nodes[t.src].debited and t.tid not in s.nodes[t.src].outbox for t in self.transfer_list)

    # --- what the properties read -------------------------------------------------------------------

    def owed(self, s: System, t: Transfer) -> bool:
        """The system still owes transfer t: its source's outbox holds it, or a Credit for it is in flight."""
        return t.tid in s.nodes[t.src].outbox or any(isinstance(e.msg, Credit) and e.msg.tid == t.tid for e in s.network)

    def uncredited(self, s: System) -> list[Transfer]:
        """The transfers debited at their source and not credited at their destination."""
        return [t for t in self.transfer_list if t.tid in s.nodes[t.src].debited and t.tid not in s.nodes[t.dst].applied]

    def in_transit(self, s: System) -> int:
        """The money debited, not yet credited, and still owed."""
        return sum(t.amount for t in self.uncredited(s) if self.owed(s, t))

    def quiet(self, s: System) -> bool:
        """Every node up, nothing in flight, and no credit or retry timer armed (only requests not yet made)."""
        return not s.down and not s.paused and not s.network and all(
            name.startswith("debit") for timers in s.timers for name in timers)

    # --- properties ----------------------------------------------------------------------------

    @always
    def money_conserved(self, s: System) -> bool:
        """The balances plus the money in transit always add up to the opening total."""
        return sum(node.balance for node in s.nodes) + self.in_transit(s) == self.total

    @money_conserved.explain
    def _why_not_conserved(self, s: System) -> str:
        """The money lost (debited, owed by no one) or created (credited again), and the totals."""
        balances = sum(node.balance for node in s.nodes)
        lost = [f"{t.tid} ({t.amount}) was debited at {t.src} but nothing records that {t.dst} is owed it"
                for t in self.uncredited(s) if not self.owed(s, t)]
        created = [f"{t.dst} credited {t.tid} ({t.amount}) again when its Credit arrived a second time"
                   for t in self.transfer_list if t.tid in s.nodes[t.dst].repeats]
        return (f"{'; '.join(lost + created)}: balances {balances} + in transit {self.in_transit(s)} = "
                f"{balances + self.in_transit(s)}, not {self.total}")

    @always
    def no_half_transfer(self, s: System) -> bool:
        """Once the system is quiet (every node up, nothing in flight or due to be sent), every debited transfer is credited."""
        return not self.quiet(s) or not self.uncredited(s)

    @no_half_transfer.explain
    def _why_half(self, s: System) -> str:
        """The transfers left half applied."""
        half = ", ".join(f"{t.tid} ({t.amount})" for t in self.uncredited(s))
        return f"the system is quiet, yet {half} debited at its source will never be credited: nothing is left to send it"

    @leads_to(once_faults_stop=True)
    def transfers_credited_eventually(self, s: System) -> tuple[bool, bool]:
        """Once faults stop, whenever a debited transfer is uncredited, every debited transfer is eventually credited."""
        waiting = bool(self.uncredited(s))
        return waiting, not waiting

    @transfers_credited_eventually.explain
    def _why_never_credited(self, s: System) -> str:
        """The transfers that stay uncredited, and which of their nodes are down."""
        def at(node: NodeId) -> str:
            return f"{node} (down)" if node in s.down else str(node)
        stuck = [f"{t.tid} ({t.amount}) debited at {at(t.src)} and never credited at {at(t.dst)}" for t in self.uncredited(s)]
        return "; ".join(stuck)

    @sometimes
    def all_settled(self, s: System) -> bool:
        """Every transfer is credited and acknowledged (the client told of each)."""
        return self.may_stop(s) and not self.uncredited(s)

    @sometimes(needs=("crash", "restart"))
    def crash_recovered(self, s: System) -> bool:
        """A node crashed between a debit and the send of its Credit; after its restart the transfer was credited and acknowledged."""
        return any(t.tid in s.nodes[t.src].recovered and t.tid in s.nodes[t.dst].applied and t.tid not in s.nodes[t.src].outbox
                   for t in self.transfer_list)

    @sometimes(needs="duplicate")  # or a drop, or a crash and restart: see properties()
    def repeat_ignored(self, s: System) -> bool:
        """A Credit arrived again for a transfer already applied (and, with the correct protocol, was not applied again)."""
        return any(node.repeats for node in s.nodes)
