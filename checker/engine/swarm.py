"""Swarm verification: a portfolio of configurations of one model, searched side by side on every core.

As SPIN's swarm does, `check MODEL --swarm` runs many small searches instead of one large one:
the model names a grid of option sets (`swarm_grid`: node counts, bounds, fault budgets, timer
policies), smallest first, and each is checked exhaustively within its own bounds by `check()`
in a worker process of its own (forked, so nothing but results crosses between processes).

- Order: configurations start in grid order, one per core, so shallow bugs show up in the small
  configurations within seconds and the large ones get what is left of the time limit.
- Time: each configuration runs with `time_limit` = what is left of the swarm's budget; when the
  budget is spent, the configurations never started are listed as not run (exit 3).
- Stop: by default at the first violation (the others are stopped and reported as such);
  `keep_going` runs every configuration. Ctrl-C and SIGTERM stop the swarm with what it found.
  No worker outlives `run_swarm`: a worker that does not stop when asked is killed, and one that
  dies is reported as died, never waited for.
- Results: a worker sends back a `SwarmRun`: plain values, verdicts, figures, and for a
  violation its trace as a trace-file document (checker/faces/trace_io.py). The parent rebuilds
  the trace by replaying that document against the model (checker/faces/replay.py), so the trace
  shown is one `check replay` accepts, and no state object is ever unpickled.
- Witnesses (`sometimes`) are judged across the swarm: one not reached in a small configuration
  fails nothing; it fails only when no configuration reached it and every one ran to the end.

Layering: a swarm runs `check()` per configuration and hands traces to the faces' trace files,
so this module sits beside `checker/check.py` as façade-level code (it imports both); nothing in
the vocabulary, the engine or the faces imports it.
"""
import enum
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from typing import Any, Callable, Sequence

import attrs

from checker.check import check
from checker.engine.signals import Terminated, sigterm_stops_search
from checker.errors import CheckerError, UsageError
from checker.faces.replay import replay_file
from checker.faces.trace_io import VERIFIED, TraceFile, trace_to_json
from checker.properties import Kind
from checker.trace import Trace
from checker.verdict import StopReason, Verdict

DEFAULT_TIME_LIMIT = 60.0
MIN_SLICE = 0.2     # seconds: a configuration is not started with less than this left of the budget
GRACE = 3.0         # seconds a worker has, past the deadline or after SIGTERM, to report before it is killed
_PAST_DEADLINE = "stopped: the time limit passed"
POLL = 0.5          # seconds between looks at the clock while waiting for workers


class RunStatus(enum.Enum):
    """What became of one configuration."""

    RAN = "ran"                # check() ran (its stop reason says whether it was exhaustive)
    STOPPED = "stopped"        # the swarm stopped it: a violation elsewhere, Ctrl-C or SIGTERM
    REFUSED = "refused"        # the model refuses these options: skipped
    NOT_RUN = "not run"        # never started: the time limit, a violation or an interruption came first
    DIED = "died"              # the worker process ended without reporting (killed, out of memory)
    ERROR = "error"            # building the model raised something other than a refusal


class SwarmStop(enum.Enum):
    """Why the swarm ended."""

    COMPLETE = "every configuration ran"
    FIRST_VIOLATION = "stopped at the first violation"
    TIME_LIMIT = "time limit reached"
    INTERRUPTED = "interrupted (Ctrl-C)"
    TERMINATED = "terminated (SIGTERM)"


@attrs.frozen
class RunVerdict:
    """One property's verdict in one configuration."""

    name: str
    kind: Kind
    verdict: Verdict
    note: str = ""


@attrs.frozen
class RunStats:
    """The figures of one configuration's search."""

    distinct: int
    generated: int
    depth: int
    seconds: float


@attrs.frozen
class SwarmViolation:
    """A configuration's first counterexample: the trace-file document the worker sent, and the
    trace the parent rebuilt from it by replay (None until rebuilt, or when the replay failed)."""

    property: str
    kind: Kind
    explanation: str
    note: str
    document: dict[str, Any]
    trace: Trace | None = None
    replay_error: str = ""


@attrs.frozen
class SwarmRun:
    """One configuration of the swarm and what its search found."""

    index: int                      # its place in the grid (0 = smallest)
    options: dict[str, Any]         # the grid's options for it
    status: RunStatus
    model_options: dict[str, Any] = attrs.field(factory=dict)  # every option of the model built (defaults resolved)
    verdicts: tuple[RunVerdict, ...] = ()
    stats: RunStats | None = None
    stop: StopReason | None = None
    violation: SwarmViolation | None = None
    failure: str = ""               # the model raised during the search (check's ModelFailure, in one line)
    note: str = ""                  # why refused, how it died, why it was stopped

    @property
    def exhaustive(self) -> bool:
        """True when the search saw every reachable state within the configuration's bounds."""
        return self.status is RunStatus.RAN and self.stop is not None and self.stop.is_complete

    @property
    def violated(self) -> list[RunVerdict]:
        """The properties this configuration found VIOLATED."""
        return [v for v in self.verdicts if v.verdict is Verdict.VIOLATED]

    @property
    def complete(self) -> bool:
        """True when the configuration needs no more searching: exhaustive, or refused by the model."""
        return self.exhaustive or self.status is RunStatus.REFUSED


@attrs.frozen
class WitnessVerdict:
    """A `sometimes` property judged across the swarm: reached in some configuration, or not."""

    name: str
    verdict: Verdict              # HOLDS (reached somewhere), NOT_REACHED, UNKNOWN, NOT_APPLICABLE
    reached_in: int | None = None  # the index of the first configuration that reached it
    note: str = ""


@attrs.frozen
class SwarmResult:
    """Every configuration's run, why the swarm ended, and its first violation."""

    model: str
    bug: str | None
    runs: tuple[SwarmRun, ...]
    stop: SwarmStop
    time_limit: float
    seconds: float
    workers: int
    first_violation: SwarmRun | None = None
    witnesses: tuple[WitnessVerdict, ...] = ()

    @property
    def exit_code(self) -> int:
        """1 a violation (or a witness no configuration reached, every one having run to the end);
        4 the model raised; 3 configurations left unrun or cut short and nothing violated; 0 else."""
        if any(run.violated for run in self.runs) or any(w.verdict is Verdict.NOT_REACHED for w in self.witnesses):
            return 1
        if any(run.failure or run.status is RunStatus.ERROR for run in self.runs):
            return 4
        if not all(run.complete for run in self.runs):
            return 3
        return 0

    @property
    def ran(self) -> list[SwarmRun]:
        """The configurations whose search ran (to the end or not)."""
        return [run for run in self.runs if run.status in (RunStatus.RAN, RunStatus.STOPPED)]


def run_swarm(model_name: str, model_cls: type, grid: Sequence[dict[str, Any]], *, bug: str | None = None,
              time_limit: float = DEFAULT_TIME_LIMIT, keep_going: bool = False, properties: Sequence[str] | None = None,
              workers: int | None = None, on_run: Callable[[SwarmRun], None] | None = None) -> SwarmResult:
    """Check every configuration of `grid` (option dicts, smallest first) on `workers` processes
    (default: one per core) within `time_limit` seconds in all; see the module docstring."""
    if not grid:
        raise UsageError(f"{model_name} names no swarm configurations")
    if not 0 < time_limit < float("inf"):
        raise UsageError(f"--time-limit must be a positive number of seconds, got {time_limit}")
    workers = max(1, workers or os.cpu_count() or 1)
    swarm = _Swarm(model_name, model_cls, list(grid), bug, time_limit, keep_going, properties, workers, on_run)
    return swarm.run()


# --- the worker -------------------------------------------------------------------------------

def _worker(conn: multiprocessing.connection.Connection, model_name: str, model_cls: type, index: int, options: dict[str, Any],
            bug: str | None, time_limit: float, keep_going: bool, properties: Sequence[str] | None) -> None:
    """Check one configuration and send its SwarmRun; the parent does the stopping (SIGTERM)."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # check() takes SIGTERM while it searches, and only then
    try:
        run = _check_configuration(model_name, model_cls, index, options, bug, time_limit, keep_going, properties)
    except BaseException as error:  # noqa: BLE001 - reported, never raised in a worker
        run = SwarmRun(index, options, RunStatus.ERROR, note=f"{type(error).__name__}: {error}")
    try:
        conn.send(run)
    finally:
        conn.close()


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker if the parent dies (even by SIGKILL), so none is left behind."""
    parent = multiprocessing.parent_process()
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent.pid:  # the parent died before the request took effect
        os._exit(1)


def _check_configuration(model_name: str, model_cls: type, index: int, options: dict[str, Any], bug: str | None,
                         time_limit: float, keep_going: bool, properties: Sequence[str] | None) -> SwarmRun:
    try:
        model = model_cls(**options, bug=bug)
    except UsageError as error:
        return SwarmRun(index, options, RunStatus.REFUSED, note=str(error))
    except CheckerError as error:
        return SwarmRun(index, options, RunStatus.ERROR, note=str(error))
    except TypeError as error:  # an option the model does not have
        return SwarmRun(index, options, RunStatus.REFUSED, note=str(error))
    result = check(model, time_limit=time_limit, properties=properties, stop_on_first_violation=not keep_going)
    verdicts = tuple(RunVerdict(p.name, p.kind, p.verdict, p.note) for p in result.properties)
    stats = RunStats(result.stats.distinct, result.stats.generated, result.stats.depth, result.stats.seconds)
    first = next((p for p in result.violations if p.trace is not None), None)
    violation = None
    if first is not None:
        document = trace_to_json(model_name, result.options, first)
        violation = SwarmViolation(first.name, first.kind, first.explanation, first.note, document)
    failure = f"while {result.failure.action}: {result.failure.error}" if result.failure is not None else ""
    return SwarmRun(index, options, RunStatus.RAN, dict(result.options), verdicts, stats, result.stop, violation, failure)


# --- the parent -------------------------------------------------------------------------------

@attrs.define
class _Worker:
    index: int
    process: Any
    conn: multiprocessing.connection.Connection
    signalled: str = ""  # why the parent sent SIGTERM ("" if it did not)


@attrs.define
class _Swarm:
    model_name: str
    model_cls: type
    grid: list[dict[str, Any]]
    bug: str | None
    time_limit: float
    keep_going: bool
    properties: Sequence[str] | None
    workers: int
    on_run: Callable[[SwarmRun], None] | None
    runs: dict[int, SwarmRun] = attrs.field(factory=dict)
    running: dict[int, _Worker] = attrs.field(factory=dict)
    started: float = 0.0

    def run(self) -> SwarmResult:
        self.started = time.monotonic()
        deadline = self.started + self.time_limit
        stop = None
        with sigterm_stops_search():  # held through the wind-down: a second SIGTERM must not orphan the workers
            try:
                stop = self._schedule(deadline)
            except Terminated:
                stop = SwarmStop.TERMINATED
            except KeyboardInterrupt:
                stop = SwarmStop.INTERRUPTED
            finally:
                self._wind_down(stop)
        assert stop is not None
        return self._result(stop)

    def _schedule(self, deadline: float) -> SwarmStop:
        ctx = multiprocessing.get_context("fork")
        pending = list(range(len(self.grid)))
        while pending or self.running:
            while pending and len(self.running) < self.workers:
                left = deadline - time.monotonic()
                if left < MIN_SLICE:
                    pending.clear()
                    break
                self._start(ctx, pending.pop(0), left)
            if not self.running:
                break
            now = time.monotonic()
            timeout = POLL if now < deadline else max(0.0, deadline + GRACE - now)
            self._collect(timeout)
            if not self.keep_going and any(run.violated or run.failure for run in self.runs.values()):
                return SwarmStop.FIRST_VIOLATION  # a model error (a false shortcut) ends the swarm as a violation does
            if time.monotonic() >= deadline + GRACE:
                return SwarmStop.TIME_LIMIT
        done = all(i in self.runs for i in range(len(self.grid)))
        return SwarmStop.COMPLETE if done else SwarmStop.TIME_LIMIT

    def _start(self, ctx: Any, index: int, left: float) -> None:
        for stream in (sys.stdout, sys.stderr):  # a forked child must not write the parent's buffered output again
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        receiver, sender = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_worker, name=f"swarm-{self.model_name}-{index}", daemon=True,
                              args=(sender, self.model_name, self.model_cls, index, self.grid[index], self.bug, left,
                                    self.keep_going, self.properties))
        process.start()
        sender.close()
        self.running[index] = _Worker(index, process, receiver)

    def _collect(self, timeout: float) -> None:
        """Wait up to `timeout` for a worker to report or end; take every report that is in."""
        if not self.running:
            return
        waitables = [w.conn for w in self.running.values()] + [w.process.sentinel for w in self.running.values()]
        multiprocessing.connection.wait(waitables, timeout)
        for worker in list(self.running.values()):
            run = self._receive(worker)
            if run is None and worker.process.is_alive():
                continue
            worker.process.join(timeout=GRACE)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
            del self.running[worker.index]
            if run is None:
                code = worker.process.exitcode
                how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                if worker.signalled:
                    run = SwarmRun(worker.index, self.grid[worker.index], RunStatus.STOPPED, note=f"{worker.signalled} (it did not report: {how})")
                else:
                    run = SwarmRun(worker.index, self.grid[worker.index], RunStatus.DIED, note=f"the worker process died ({how})")
            elif worker.signalled == _PAST_DEADLINE and run.status is RunStatus.RAN:
                run = attrs.evolve(run, stop=StopReason.TIME_LIMIT)  # it overran the deadline by a little
            elif worker.signalled and run.status is RunStatus.RAN and not run.violated:
                run = attrs.evolve(run, status=RunStatus.STOPPED, note=worker.signalled)
            self.runs[worker.index] = run
            if self.on_run is not None:
                self.on_run(run)

    def _receive(self, worker: _Worker) -> SwarmRun | None:
        try:
            if worker.conn.poll():
                return worker.conn.recv()
        except (EOFError, OSError):
            return None
        return None

    def _wind_down(self, stop: SwarmStop | None) -> None:
        """Stop every worker still running, take what they report within GRACE, kill the rest."""
        why = {SwarmStop.FIRST_VIOLATION: "stopped: a violation was found in another configuration",
               SwarmStop.INTERRUPTED: "stopped by Ctrl-C", SwarmStop.TERMINATED: "stopped by SIGTERM",
               SwarmStop.TIME_LIMIT: _PAST_DEADLINE}.get(stop, "stopped")
        try:
            for worker in self.running.values():
                worker.signalled = why
                if worker.process.is_alive():
                    os.kill(worker.process.pid, signal.SIGTERM)
            end = time.monotonic() + GRACE
            while self.running and time.monotonic() < end:
                self._collect(max(0.0, end - time.monotonic()))
        except KeyboardInterrupt:  # a second Ctrl-C or SIGTERM: stop waiting, kill below
            pass
        finally:
            for worker in list(self.running.values()):
                if worker.process.is_alive():
                    worker.process.kill()
                worker.process.join()
                worker.conn.close()
                self.runs[worker.index] = SwarmRun(worker.index, self.grid[worker.index], RunStatus.STOPPED, note=f"{why} (killed)")
            self.running.clear()

    def _result(self, stop: SwarmStop) -> SwarmResult:
        runs = tuple(self._rebuilt(self.runs[i]) if i in self.runs else SwarmRun(i, self.grid[i], RunStatus.NOT_RUN)
                     for i in range(len(self.grid)))
        first = next((run for run in runs if run.violated), None)
        if stop is SwarmStop.COMPLETE and not all(run.complete for run in runs) and first is None:
            stop = SwarmStop.TIME_LIMIT if any(run.stop is StopReason.TIME_LIMIT for run in runs) else stop
        return SwarmResult(self.model_name, self.bug, runs, stop, self.time_limit, time.monotonic() - self.started,
                           self.workers, first, judge_witnesses(runs))

    def _rebuilt(self, run: SwarmRun) -> SwarmRun:
        """The run with its violation's trace rebuilt by replaying the document its worker sent."""
        if run.violation is None:
            return run
        try:
            trace = rebuild_trace(self.model_cls, run.violation.document)
        except CheckerError as error:
            return attrs.evolve(run, violation=attrs.evolve(run.violation, replay_error=str(error)))
        return attrs.evolve(run, violation=attrs.evolve(run.violation, trace=trace))


def rebuild_trace(model_cls: type, document: dict[str, Any]) -> Trace:
    """The trace of a trace-file document, replayed against the model built from its options.
    Raises a CheckerError when the model does not reproduce it (as `check replay` would)."""
    steps = document["steps"]
    saved = TraceFile(model=document["model"], options=dict(document["options"]), property=document["property"],
                      kind=document["kind"], verdict=document["verdict"], actions=[s["action"] for s in steps[1:]],
                      states=[s["state"] for s in steps], loop_start=document.get("loop_start"), integrity=VERIFIED,
                      path=f"the swarm's trace of {document['property']}", digest=document.get("digest"))
    try:
        model = model_cls(**saved.options)
    except UsageError as error:
        raise CheckerError(f"cannot rebuild the model of {saved.path}: {error}") from None
    outcome = replay_file(model, saved)
    return outcome.trace


def judge_witnesses(runs: Sequence[SwarmRun]) -> tuple[WitnessVerdict, ...]:
    """Each `sometimes` property across the swarm: reached in some configuration (HOLDS); reached
    in none although every configuration ran exhaustively (NOT REACHED, a failure); reached in
    none with some configuration unrun or cut short (UNKNOWN); never searched (NOT APPLICABLE)."""
    names = list(dict.fromkeys(v.name for run in runs for v in run.verdicts if v.kind is Kind.SOMETIMES))
    complete = all(run.complete for run in runs)
    judged = []
    for name in names:
        seen = [(run.index, v) for run in runs for v in run.verdicts if v.name == name]
        reached = [index for index, v in seen if v.verdict is Verdict.HOLDS]
        searched = [index for index, v in seen if v.verdict is not Verdict.NOT_APPLICABLE]
        if reached:
            judged.append(WitnessVerdict(name, Verdict.HOLDS, reached[0], f"reached in configuration {reached[0] + 1}"))
        elif not searched:
            judged.append(WitnessVerdict(name, Verdict.NOT_APPLICABLE, None, "no configuration's fault budget allows it"))
        elif complete:
            judged.append(WitnessVerdict(name, Verdict.NOT_REACHED, None,
                                         f"no configuration reached it, and all {len(searched)} that searched for it were exhaustive"))
        else:
            judged.append(WitnessVerdict(name, Verdict.UNKNOWN, None, "not reached in the configurations that ran; others did not run to the end"))
    return tuple(judged)
