"""Redis lock clients written as a user writes them with redis-py, and the storage they guard.

- SeedLock: the seed document's lock (its Go, in Python): `SET key "locked" NX PX ttl` to
  acquire, `DEL key` to release. Every holder writes the same value, so a release cannot tell
  its own lock from the next holder's.
- TokenLock: the lock of Redis's documentation of SET: a random token per acquisition as the
  value, and a release by a Lua script that the server runs atomically, deleting the key only if
  it still holds this token.
- Storage: the protected resource, a storage service that accepts every write in the order it
  receives them. It lives in the test's process: the lock client is what is under test, the
  storage only records what it accepted (it checks no fencing token, like the model's storage).
- Worker: one client process doing the seed's ProcessTask in three steps: acquire the lock,
  write to the storage, release.
"""
import uuid

import redis

RELEASE_SCRIPT = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
else
    return 0
end
"""


class SeedLock:
    """The seed's lock: SET key "locked" NX PX ttl; release by plain DEL."""

    def __init__(self, client: redis.Redis, key: str, ttl_ms: int):
        self.redis, self.key, self.ttl_ms = client, key, ttl_ms

    def acquire(self) -> bool:
        """True when this call set the key (it was absent)."""
        return bool(self.redis.set(self.key, "locked", nx=True, px=self.ttl_ms))

    def release(self) -> bool:
        """Delete the key, whoever set it."""
        return bool(self.redis.delete(self.key))


class TokenLock:
    """A lock with a unique token per acquisition, released by an atomic compare-and-delete."""

    def __init__(self, client: redis.Redis, key: str, ttl_ms: int):
        self.redis, self.key, self.ttl_ms = client, key, ttl_ms
        self.token: str | None = None
        self._release = client.register_script(RELEASE_SCRIPT)

    def acquire(self) -> bool:
        """True when this call set the key to a fresh token (it was absent)."""
        token = uuid.uuid4().hex
        if self.redis.set(self.key, token, nx=True, px=self.ttl_ms):
            self.token = token
            return True
        return False

    def release(self) -> bool:
        """Delete the key if it still holds this client's token; True when it did."""
        released = bool(self._release(keys=[self.key], args=[self.token]))
        self.token = None
        return released


class Storage:
    """The protected resource: accepts every write, in the order they arrive."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def write(self, writer: str, data: str) -> None:
        """Accept one write (no check of who makes it)."""
        self.writes.append((writer, data))


class Worker:
    """One client: acquire the lock, write to the storage while it believes it holds the lock, release."""

    def __init__(self, name: str, lock: SeedLock | TokenLock, storage: Storage):
        self.name, self.lock, self.storage = name, lock, storage
        self.holds = self.wrote = self.done = False

    def acquire(self) -> bool:
        """Try the lock once; from now on the worker believes what the server answered."""
        self.holds = self.lock.acquire()
        return self.holds

    def write(self) -> None:
        """The work done under the lock: one write to the storage."""
        if self.holds:
            self.storage.write(self.name, f"work of {self.name}")
            self.wrote = True

    def release(self) -> None:
        """Release the lock; the worker is done."""
        self.lock.release()
        self.holds, self.done = False, True
