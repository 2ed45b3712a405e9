"""The network as a value: the messages in flight, kept in a canonical order inside the state.

Three kinds, as Stateright has them:
- `bag`: an unordered multiset; each message is delivered at most once, in any order;
- `set`: a duplicating set, as in TLA+ specs where `msgs` holds every message ever sent: a
  delivered message stays, so it can be delivered again;
- `fifo`: one ordered queue per (src, dst) channel; only the head of a channel is deliverable.
A network value is a tuple of Envelopes in canonical order (sorted; for FIFO, sorted by
channel with each channel's order kept), so equal networks are equal tuples.
"""
from typing import Iterable

from checker.actors.actor import Envelope, NodeId


def _sorted(envelopes: Iterable[Envelope]) -> list[Envelope]:
    items = list(envelopes)
    try:
        return sorted(items)
    except TypeError:  # messages whose fields do not compare: order by their text instead
        return sorted(items, key=repr)


class Network:
    """A kind of network: how sends, deliveries, drops and duplicates change the value."""

    name = ""
    duplicates_itself = False

    def send(self, net: tuple, envelopes: list[Envelope]) -> tuple:
        """The network after these messages are sent."""
        return tuple(_sorted(net + tuple(envelopes))) if envelopes else net

    def deliverable(self, net: tuple) -> list[Envelope]:
        """The distinct messages that can be delivered next, in canonical order."""
        return list(dict.fromkeys(net))

    def delivered(self, net: tuple, envelope: Envelope) -> tuple:
        """The network after `envelope` is delivered."""
        return self.dropped(net, envelope)

    def dropped(self, net: tuple, envelope: Envelope) -> tuple:
        """The network after one copy of `envelope` is lost."""
        items = list(net)
        items.remove(envelope)
        return tuple(items)

    def duplicated(self, net: tuple, envelope: Envelope) -> tuple:
        """The network after `envelope` is duplicated."""
        return self.send(net, [envelope])

    def without_node(self, net: tuple, node: NodeId) -> tuple:
        """The network after `node` crashes: messages in flight to it are lost."""
        return tuple(e for e in net if e.dst != node)


class Bag(Network):
    """Unordered multiset: any message in flight may be delivered next, once."""

    name = "bag"


class DuplicatingSet(Network):
    """Every message ever sent stays deliverable (TLA+'s `msgs` set)."""

    name = "set"
    duplicates_itself = True

    def send(self, net: tuple, envelopes: list[Envelope]) -> tuple:
        return tuple(_sorted(set(net) | set(envelopes))) if envelopes else net

    def delivered(self, net: tuple, envelope: Envelope) -> tuple:
        return net

    def duplicated(self, net: tuple, envelope: Envelope) -> tuple:
        return net


class Fifo(Network):
    """One ordered queue per (src, dst) channel."""

    name = "fifo"

    def send(self, net: tuple, envelopes: list[Envelope]) -> tuple:
        if not envelopes:
            return net
        return tuple(sorted(net + tuple(envelopes), key=lambda e: (e.src, e.dst)))

    def deliverable(self, net: tuple) -> list[Envelope]:
        heads: dict[tuple[NodeId, NodeId], Envelope] = {}
        for envelope in net:
            heads.setdefault((envelope.src, envelope.dst), envelope)
        return list(heads.values())


NETWORKS = {kind.name: kind() for kind in (Bag, DuplicatingSet, Fifo)}
