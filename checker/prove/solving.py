"""Solver calls that Ctrl-C and SIGTERM stop at once: each query runs in a worker thread (Z3 lets go
of the interpreter while it searches) and the main thread waits. Inside `signals_stop_queries`,
Ctrl-C and SIGTERM only raise a flag, which the waiting thread sees: it interrupts the solver and
raises KeyboardInterrupt (or Terminated), so the signal never lands inside Z3's Python bindings
while a term is being built. Z3's own Ctrl-C handler is off: it would turn the signal into an
"unknown" answer, which a proof would then take for a solver that gave up."""
import contextlib
import signal
import threading
import time
from typing import Any, Iterator

import z3

from checker.engine.signals import Terminated

z3.set_param("ctrl_c", False)
POLL_SECONDS = 0.05
_stopped: list[type[BaseException]] = []  # the signal that arrived inside signals_stop_queries, if any


@contextlib.contextmanager
def signals_stop_queries() -> Iterator[None]:
    """While the block runs, Ctrl-C and SIGTERM stop the current (or next) query (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}

    def note(number: int, _frame: Any) -> None:
        _stopped.append(KeyboardInterrupt if number == signal.SIGINT else Terminated)
    for number in previous:
        signal.signal(number, note)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _stopped.clear()


def check(solver: z3.Solver, *assumptions: z3.BoolRef, seconds: float | None = None) -> z3.CheckSatResult:
    """solver.check(*assumptions), stoppable by Ctrl-C and SIGTERM; after `seconds` the query is
    interrupted and the answer is unknown. (The limit is kept here, not by Z3's `timeout`
    parameter: with it set, Z3 answers some array queries through another solver that gives up
    on them, which made a drift check of Paxos fail where, without it, the query takes a second.)"""
    if _stopped:
        raise _stopped[0]()
    answer: list[z3.CheckSatResult] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            answer.append(solver.check(*assumptions))
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            failure.append(error)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            if _stopped:
                raise _stopped[0]()
            if deadline is not None and time.monotonic() > deadline and worker.is_alive():
                solver.interrupt()
                worker.join()
                return z3.unknown
    except KeyboardInterrupt:
        solver.interrupt()
        worker.join()
        raise
    if failure:
        raise failure[0]
    return answer[0]
