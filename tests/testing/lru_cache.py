"""An in-memory LRU cache, written as a user of the checker would write one (no checker import):
the code that tests/testing/test_conformance_cache.py drives beside its model
(tests/testing/cache_model.py).

`LRUCache` is correct. `OffByOneLRUCache` is the same cache with the classic off-by-one of a
bounded store: it checks for a full cache *before* inserting with `>` where `>=` is meant, so it
holds `capacity + 1` entries (it evicts only once it is already over capacity).
"""
from collections import OrderedDict
from typing import Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most `capacity` entries; a put of a new key into a full cache evicts the least recently
    used entry. A get or a put of a key makes it the most recently used."""

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        if key not in self._data:
            return None
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: K, value: V) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        elif self._full():
            self._data.popitem(last=False)  # the least recently used
        self._data[key] = value

    def _full(self) -> bool:
        return len(self._data) >= self.capacity

    def items(self) -> list[tuple[K, V]]:
        """The entries, least recently used first."""
        return list(self._data.items())

    def __len__(self) -> int:
        return len(self._data)


class OffByOneLRUCache(LRUCache[K, V]):
    """The bug: `>` for `>=`, so a put into a cache holding exactly `capacity` entries evicts nothing."""

    def _full(self) -> bool:
        return len(self._data) > self.capacity
