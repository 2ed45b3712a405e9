"""The breadth-first frontier: one level's states in discovery order, packed when the level is large.

States as Python objects cost far more than the store (2pc with 7 RMs: about 265 bytes a state
against the store's 25), and the frontier holds a whole level. So beyond PACK_AT states a level's
blocks are pickled (2pc: 38 bytes a state, 1.7 us to pack and 1.9 us to unpack, against about
20 us of work per state), and each block is unpacked once, when it is expanded, and then dropped.
Smaller levels stay as objects: packing them would cost time and save little. A model whose states
do not pickle keeps its frontier as objects. The engine checks the round trip as it goes: the first
state of every chunk it expands is fingerprinted again against its record (explore.check_unpacked).
"""
import pickle
import zlib
from collections import deque
from typing import Any, Iterable, Iterator

PACK_AT = 1 << 16  # states held as objects before the level's blocks are packed


class Frontier:
    """A level's states, in order, as blocks: lists of states, or pickled lists."""

    def __init__(self, states: Iterable[Any] = ()):
        self._blocks: deque[list[Any] | bytes] = deque()
        self._count = 0
        self._loose = 0  # states held as objects
        self._packable = True
        self.extend(list(states))

    def __len__(self) -> int:
        return self._count

    def extend(self, states: list[Any]) -> None:
        """Append states found in this order."""
        if not states:
            return
        self._blocks.append(states)
        self._count += len(states)
        self._loose += len(states)
        if self._loose > PACK_AT and self._packable:
            self._pack()

    def _pack(self) -> None:
        try:
            self._blocks = deque(block if isinstance(block, bytes) else _packed(block) for block in self._blocks)
        except Exception:  # noqa: BLE001 - states that do not pickle stay as they are
            self._packable = False
            return
        self._loose = 0

    def chunks(self, size: int) -> Iterator[list[Any]]:
        """The states in order, at most `size` at a time; each block is released as it is reached."""
        while self._blocks:
            states = self._pop()
            self._count -= len(states)
            for start in range(0, len(states), size):
                yield states[start:start + size]

    def take(self, count: int) -> list[Any]:
        """The next `count` states (fewer if fewer are left), removed from the frontier."""
        taken: list[Any] = []
        while len(taken) < count and self._blocks:
            states = self._pop()
            want = count - len(taken)
            if len(states) > want:
                self._blocks.appendleft(states[want:])
                self._loose += len(states) - want
                states = states[:want]
            taken += states
        self._count -= len(taken)
        return taken

    def _pop(self) -> list[Any]:
        block = self._blocks.popleft()
        if isinstance(block, bytes):
            return _unpacked(block)
        self._loose -= len(block)
        return block

    def head(self, count: int) -> list[Any]:
        """Up to `count` of the first states, from the first block only, leaving the frontier as it was."""
        if not self._blocks:
            return []
        block = self._blocks[0]
        return (_unpacked(block) if isinstance(block, bytes) else block)[:count]

    def picked(self, positions: list[int]) -> "Frontier":
        """A frontier of the states at these positions, in this order (this one is used up)."""
        states = [state for chunk in self.chunks(max(1, self._count)) for state in chunk]
        return Frontier(states[i] for i in positions)

    def blocks(self) -> list[bytes]:
        """Every block pickled (for a checkpoint); the frontier is left as it was."""
        return [block if isinstance(block, bytes) else _packed(block) for block in self._blocks]

    @classmethod
    def from_blocks(cls, blocks: list[bytes], size: int) -> "Frontier":
        """The frontier a checkpoint saved: `size` states in packed blocks."""
        frontier = cls()
        frontier._blocks = deque(blocks)
        frontier._count = size  # every block packed: none loose
        return frontier


def _packed(states: list[Any]) -> bytes:
    """States pickled, then compressed (zlib's fastest level: 2pc's 38 bytes a state become about 6, for 0.3 us)."""
    return zlib.compress(pickle.dumps(states, protocol=5), 1)


def _unpacked(block: bytes) -> list[Any]:
    return pickle.loads(zlib.decompress(block))
