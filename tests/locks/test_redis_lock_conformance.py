"""Conformance of real Redis lock clients (lock_clients.py: redis-py against a real redis-server,
conftest.py) to the redis-lock model (models/locks/redis_lock.py), driven in lockstep by
checker/testing/conformance.py: Hypothesis draws the model's steps, the adapter does each to the
real clients, and after every step what the test sees of Redis, the clients and the storage must
be what the model says.

Each model step is one Redis command or client step: acquire is the client's SET NX PX, write its
write to the storage, release its DEL (the seed) or its compare-and-delete script (the token lock).
The server's lease running out is forced with `PEXPIRE lock 0`, which deletes the key as its
expiry would; the locks' TTL (30 s) is far longer than a test, so no key expires by itself and no
test sleeps. A pause is the model's bookkeeping only (a paused client is simply not driven until
it resumes), and a crash closes the client's connection and never drives it again.

What is compared (`Seen`): whether the key is set (not its value: the seed's "locked" and a token
are both a lock), each client's status (what it believes and has done), the grants in order (the
clients whose SET succeeded) and the storage's accepted writes, each as its writer's grant.

The token lock conforms to the model (with pauses too: the model's pause is the same steps,
only in an order the lock cannot make safe). The seed's lock conforms to the model's seed-lock
variant, and diverges from the correct model exactly where the model's seed-lock check fails: a
client whose lease ran out releases, and its DEL deletes the next holder's lock.
"""
import re

import pytest

redis = pytest.importorskip("redis", reason="redis-py is not installed (pip install -e '.[test]')")

from hypothesis import settings as Settings  # noqa: E402 - after the skip when redis-py is missing

from checker import check, record  # noqa: E402
from checker.model import ActionLabel  # noqa: E402
from checker.testing.conformance import conformance_test  # noqa: E402
from checker.testing.profiles import chosen  # noqa: E402
from lock_clients import SeedLock, Storage, TokenLock, Worker  # noqa: E402
from models.locks.redis_lock import CRASHED, DONE, HOLDS, WANTS, WROTE, RedisLock, State  # noqa: E402

KEY, TTL_MS = "lock:task", 30_000
SETTINGS = Settings(chosen("ci"), max_examples=60, stateful_step_count=16)  # derandomized; every run of these models ends within 14 steps


@record
class Seen:
    """What the test compares: the key set or not, each client's status, the grants, the accepted writes."""

    lock_set: bool
    status: tuple[str, ...]
    granted: tuple[int, ...]
    accepted: tuple[int, ...]


def seen(s: State) -> Seen:
    """The model's state as the test sees it."""
    return Seen(s.lock is not None, s.status, s.granted, s.accepted)


class LockAdapter:
    """Drives one Worker per model client, each with its own connection, through locks of `lock_class`."""

    lock_class: type
    port: int
    connections: list[redis.Redis]  # the test's, then one per client: kept from run to run (connecting is most of a run)

    def start(self, state: State) -> None:
        clients = len(state.status)
        while len(self.connections) <= clients:
            self.connections.append(redis.Redis(port=self.port))
        self.admin = self.connections[0]
        self.admin.delete(KEY)
        self.storage = Storage()
        self.workers = [Worker(f"c{c}", self.lock_class(self.connections[c + 1], KEY, TTL_MS), self.storage)
                        for c in range(clients)]
        self.granted: list[int] = []
        self.crashed: set[int] = set()

    def apply(self, step: ActionLabel) -> None:
        client = step.kwargs.get("client")
        if step.name == "acquire" and self.workers[client].acquire():
            self.granted.append(client)
        elif step.name in ("write", "release"):
            getattr(self.workers[client], step.name)()
        elif step.name == "expire":
            self.admin.pexpire(KEY, 0)  # the lease runs out now: the server deletes the key as its expiry would
        elif step.name == "crash":
            self.crashed.add(client)  # never driven again; its connection drops (the next run's client reconnects)
            self.workers[client].lock.redis.close()
        # pause and resume: nothing to do; a paused client is not driven until it resumes

    def observe(self) -> Seen:
        grant = {f"c{c}": g for g, c in enumerate(self.granted, 1)}
        return Seen(bool(self.admin.exists(KEY)), tuple(self._status(c) for c in range(len(self.workers))),
                    tuple(self.granted), tuple(grant.get(writer, 0) for writer, _data in self.storage.writes))

    def _status(self, client: int) -> str:
        """The model's name for what a worker believes and has done."""
        worker = self.workers[client]
        if client in self.crashed:
            return CRASHED
        return DONE if worker.done else WROTE if worker.wrote else HOLDS if worker.holds else WANTS


def adapter(lock_class: type, port: int) -> type[LockAdapter]:
    """An adapter class for locks of `lock_class` on the server at `port`, with connections of its own."""
    return type(f"{lock_class.__name__}Adapter", (LockAdapter,), {"lock_class": lock_class, "port": port, "connections": []})


def failure_of(lock_class: type, model: RedisLock, port: int) -> str | None:
    """The conformance test's failure message for this lock against this model (None: it conforms)."""
    driver = adapter(lock_class, port)
    test = conformance_test(model, driver, project=seen, settings=SETTINGS, seed=0)
    try:
        test().runTest()
    except AssertionError as failure:
        return str(failure)
    finally:
        for connection in driver.connections:
            connection.close()
    return None


def steps_of(message: str) -> list[str]:
    """The actions of the step table in a divergence's message, in order."""
    table = message.split("the model's steps")[1]
    return [match[1] for match in re.finditer(r"^\s+\d+\s+(\w+\(.*?\))\s", table, re.MULTILINE)]


def test_the_model_holds_its_own_properties():
    """The model is checked before it judges code: correct at its defaults, the seed's lock caught."""
    assert check(RedisLock()).exit_code == 0
    assert check(RedisLock(bug="seed-lock")).exit_code == 1


@pytest.mark.parametrize("faults", ["crash=1", "crash=1,pause=1"])
def test_the_token_lock_conforms(redis_port, faults):
    """The token lock does what the model does, step for step, crashes and pauses included."""
    assert failure_of(TokenLock, RedisLock(faults=faults), redis_port) is None


def test_the_seed_lock_conforms_to_the_seed_model(redis_port):
    """The model's seed-lock variant is the seed's client: the same steps give the same states."""
    assert failure_of(SeedLock, RedisLock(bug="seed-lock"), redis_port) is None


def test_the_seed_lock_deletes_another_clients_lock(redis_port):
    """Against the correct model, the seed's lock diverges at the release where the model check
    fails (models/locks/redis_lock.py, release_own_lock): a client writes, its lease runs out, another
    acquires, and the first one's DEL deletes that lock, which the model (the token's
    compare-and-delete) keeps. Hypothesis shrinks the run to the model check's five steps here;
    the test asks only for the shape, so that another Hypothesis release may shrink differently."""
    shortest = check(RedisLock(bug="seed-lock"))["release_own_lock"].trace.labels()
    assert shortest == ["acquire(client=0)", "write(client=0)", "expire()", "acquire(client=1)", "release(client=0)"]
    message = failure_of(SeedLock, RedisLock(), redis_port)
    assert message is not None, "the seed's lock conformed"
    head = re.match(r"the implementation diverged from the model after step (\d+) \(release\(client=(\d)\)\):\n"
                    r"  lock_set: the model has True, the implementation False\n", message)
    assert head, message
    steps, releaser = steps_of(message), head[2]
    assert steps[-1] == f"release(client={releaser})" and "expire()" in steps and len(steps) <= 8, message
    assert any(s.startswith("acquire(") and s != f"acquire(client={releaser})" for s in steps[steps.index("expire()"):]), message
