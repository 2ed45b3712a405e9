"""How the coordinator of a parallel search talks to its workers: one call of a method on every
worker per step of a round, the replies gathered in worker order.

`Pool` is the whole interface the coordinator (checker/engine/parallel/coordinator.py) sees: `call(method,
args per worker)` and `close()`. `ProcessPool` implements it with forked processes and one Pipe
each (the model reaches the workers by fork; only arrays of fingerprints, counts and the odd
trace are pickled). A cluster backend is a second implementation of the same two methods (with
Ray: one actor per worker built from the same picklable factory, `call` as
`ray.get([getattr(actor, method).remote(*args) ...])`), not a rewrite of the search.

A worker that dies (killed, out of memory) is seen at once by its process sentinel: the call
raises `WorkerLost`, never hangs. Workers ignore SIGINT (Ctrl-C reaches the whole process group;
the coordinator decides) and die on SIGTERM, which is how `close` stops them when the search
ends early; with the coordinator gone they die too (EOF on the pipe, and PR_SET_PDEATHSIG).
"""
import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import traceback
from typing import Any, Callable, Protocol, Sequence

from checker.errors import CheckerError

GRACE = 2.0  # seconds a worker gets to leave on its own before it is killed


class WorkerLost(CheckerError):
    """A worker process ended without answering: its states are gone, so the search cannot go on."""


class Pool(Protocol):
    """The workers of one search, as the coordinator sees them."""

    size: int

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Call `method(*args[i])` on worker i, for every worker at once; the replies in worker order.
        An exception raised by a worker is raised here (the lowest-numbered worker's first)."""
        ...

    def close(self, *, at_once: bool = False) -> None:
        """Stop every worker and wait for it to end; `at_once` skips the grace period."""
        ...


class ProcessPool:
    """Workers in forked processes, one duplex Pipe each; `make_worker[i]()` builds worker i in its process."""

    def __init__(self, make_worker: Sequence[Callable[[], Any]]):
        context = multiprocessing.get_context("fork")
        self.size = len(make_worker)
        pipes = [context.Pipe(duplex=True) for _ in make_worker]
        self._conns = [mine for mine, _theirs in pipes]
        self._procs: list[Any] = []
        blocked = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)  # no signal lands between fork and the worker's handlers
        try:
            for index, make in enumerate(make_worker):
                others = [conn for i, pair in enumerate(pipes) for conn in pair if not (i == index and conn is pair[1])]
                process = context.Process(target=_serve, args=(pipes[index][1], others, make, previous),
                                          name=f"check-worker-{index}", daemon=True)
                process.start()
                self._procs.append(process)
        except BaseException:
            self.close(at_once=True)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            for _mine, theirs in pipes:
                theirs.close()

    def __enter__(self) -> "ProcessPool":
        return self

    def __exit__(self, kind: Any, *_rest: Any) -> None:
        self.close(at_once=kind is not None)

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        for conn, arguments in zip(self._conns, args):
            try:
                conn.send((method, arguments))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the worker is gone; its sentinel says so below
        replies: list[Any] = [None] * self.size
        waiting = set(range(self.size))
        by_handle = {**{id(conn): i for i, conn in enumerate(self._conns)}}
        by_sentinel = {process.sentinel: i for i, process in enumerate(self._procs)}
        while waiting:
            handles = [self._conns[i] for i in waiting] + [self._procs[i].sentinel for i in waiting]
            for ready in multiprocessing.connection.wait(handles):
                if isinstance(ready, int):
                    index = by_sentinel[ready]
                    if index in waiting and not self._conns[index].poll():
                        raise self._lost(index)
                    continue
                index = by_handle[id(ready)]
                if index not in waiting:
                    continue
                try:
                    replies[index] = ready.recv()
                except (EOFError, ConnectionResetError):
                    raise self._lost(index) from None
                waiting.discard(index)
        for status, value in replies:
            if status == "error":
                raise value
        return [value for _status, value in replies]

    def _lost(self, index: int) -> WorkerLost:
        process = self._procs[index]
        process.join(1.0)
        code = process.exitcode
        if code is None:
            how = "closed its pipe"
        elif code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with status {code}"
        return WorkerLost(f"worker {index + 1} of {self.size} {how}; the search cannot go on without the states it held "
                          "(out of memory? try fewer --workers)")

    def close(self, *, at_once: bool = False) -> None:
        if not at_once:
            for conn in self._conns:
                with contextlib.suppress(OSError, ValueError):
                    conn.send(("close", ()))
            for process in self._procs:
                process.join(GRACE)
        for process in self._procs:
            if process.is_alive():
                process.terminate()
        for process in self._procs:
            process.join(GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        for conn in self._conns:
            conn.close()
        self._procs, self._conns = [], []


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the coordinator dies (belt and braces beside EOF on the pipe)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(conn: Any, others: list[Any], make: Callable[[], Any], mask: Any) -> None:
    """A worker process: build the worker, then answer calls until told to close or the pipe ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    _die_with_parent()
    for other in others:  # the other pipes' ends: a worker must not keep a dead coordinator's pipes open
        other.close()
    worker = None
    try:
        worker = make()
    except BaseException as error:  # noqa: BLE001 - reported at the first call
        failure = _portable(error)
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return
        if method == "close":
            return
        try:
            reply = ("ok", getattr(worker, method)(*args)) if worker is not None else ("error", failure)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the coordinator
            reply = ("error", _portable(error))
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - a reply that does not pickle
            conn.send(("error", _portable(error)))


def _portable(error: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its text and traceback."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        text = "".join(traceback.format_exception(error))
        return RuntimeError(f"{type(error).__name__}: {error} (in a worker process)\n{text}")
