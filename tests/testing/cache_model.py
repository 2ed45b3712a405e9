"""The model (the spec) of an LRU cache, for conformance tests of a real cache
(tests/testing/lru_cache.py, test_conformance_cache.py).

The state is the entries in recency order (least recently used first) and the result of the
last get: a conformance test compares the implementation's state with the model's after every
step, so a value an operation returns is compared by keeping it in the state.
"""
from typing import ClassVar

import attrs

from checker import ProtocolModel, action, always, option, record, sometimes

NOTHING = "-"  # no get yet


@record
class Cache:
    """Entries as (key, value) pairs, least recently used first; `read`: what the last get returned
    (None for a miss)."""

    entries: tuple[tuple[str, int], ...]
    read: object = NOTHING


@attrs.frozen
class LRUModel(ProtocolModel):
    """At most `capacity` entries; a put of a new key into a full cache evicts the least recently used."""

    name: ClassVar[str] = "lru-cache"
    check_deadlock: ClassVar[bool] = False  # a cache waits for requests
    capacity: int = option(2, help="the most entries the cache holds", min=1)
    keys: int = option(3, help="distinct keys the client uses (a, b, c, ...)", min=1, max=26)
    values: int = option(2, help="distinct values the client writes (0, 1, ...)", min=1)

    @property
    def KEYS(self) -> tuple[str, ...]:  # noqa: N802 - a TLA+-style constant
        return tuple("abcdefghijklmnopqrstuvwxyz"[: self.keys])

    @property
    def VALUES(self) -> tuple[int, ...]:  # noqa: N802
        return tuple(range(self.values))

    def init(self) -> Cache:
        return Cache(())

    @action(key="KEYS", value="VALUES")
    def put(self, s: Cache, key: str, value: int) -> Cache:
        """Write: the key becomes the most recently used; a new key into a full cache evicts the oldest."""
        rest = tuple(entry for entry in s.entries if entry[0] != key)
        if len(rest) == len(s.entries) and len(rest) == self.capacity:
            rest = rest[1:]
        return s.evolve(entries=rest + ((key, value),))

    @action(key="KEYS")
    def get(self, s: Cache, key: str) -> Cache:
        """Read: a hit returns the value and makes the key the most recently used; a miss returns None."""
        hit = [entry for entry in s.entries if entry[0] == key]
        if not hit:
            return s.evolve(read=None)
        return s.evolve(entries=tuple(entry for entry in s.entries if entry[0] != key) + (hit[0],), read=hit[0][1])

    @always
    def within_capacity(self, s: Cache) -> bool:
        """Never more than `capacity` entries."""
        return len(s.entries) <= self.capacity

    @always
    def keys_unique(self, s: Cache) -> bool:
        """A key has at most one entry."""
        return len({key for key, _ in s.entries}) == len(s.entries)

    @sometimes
    def full(self, s: Cache) -> bool:
        """The cache fills up (so a put of a new key evicts)."""
        return len(s.entries) == self.capacity
