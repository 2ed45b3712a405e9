"""The lock clients of lock_clients.py on a real redis-server, one scenario each, by hand: what the
conformance tests (test_redis_lock_conformance.py) rely on, and the seed's bug in five calls."""
import pytest

redis = pytest.importorskip("redis", reason="redis-py is not installed (pip install -e '.[test]')")

from lock_clients import SeedLock, TokenLock  # noqa: E402

KEY, TTL_MS = "lock:clients-test", 30_000


@pytest.fixture
def connections(redis_port):
    """Three connections to the test server (an admin's and two clients'), the key deleted first."""
    opened = [redis.Redis(port=redis_port, decode_responses=True) for _ in range(3)]
    opened[0].delete(KEY)
    yield opened
    for connection in opened:
        connection.close()


def late_release(lock_class, connections):
    """c0 acquires; its lease runs out (PEXPIRE 0); c1 acquires; c0 releases late. The key's value after each step."""
    admin, first, second = connections
    a, b = lock_class(first, KEY, TTL_MS), lock_class(second, KEY, TTL_MS)
    assert a.acquire() and not b.acquire()
    assert 0 < admin.pttl(KEY) <= TTL_MS
    assert admin.pexpire(KEY, 0) and not admin.exists(KEY)  # the forced expiry: the key is gone at once
    assert b.acquire()
    held = admin.get(KEY)
    a.release()
    return held, admin.get(KEY)


def test_the_server_is_the_tests_own(redis_port):
    assert redis_port != 6379


def test_a_late_release_of_the_token_lock_leaves_the_next_lock(connections):
    """The compare-and-delete finds c1's token, not c0's, and deletes nothing."""
    held, after = late_release(TokenLock, connections)
    assert len(held) == 32 and after == held  # c1's token, still there


def test_a_late_release_of_the_seed_lock_deletes_the_next_lock(connections):
    """The seed's DEL deletes c1's lock: the bug, with no pause at all."""
    held, after = late_release(SeedLock, connections)
    assert (held, after) == ("locked", None)


def test_the_token_lock_releases_its_own_lock(connections):
    admin, first, _ = connections
    lock = TokenLock(first, KEY, TTL_MS)
    assert lock.acquire() and admin.get(KEY) == lock.token
    assert lock.release() and not admin.exists(KEY)
