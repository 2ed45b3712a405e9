"""Stopping cleanly on SIGTERM as on Ctrl-C: `timeout`, CI cancellation and container stops
send SIGTERM, and a search stopped that way still reports what it found (exit 3)."""
import contextlib
import signal
import threading
from typing import Any, Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived during a search; a KeyboardInterrupt so every engine stops the same way."""


def _raise_terminated(_signum: int, _frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_stops_search() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated (only the main thread can set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
