"""Benchmark: the explicit engine against bench/baseline_twophase.py (a hand-written tuple BFS) in one process.

    python bench/bench.py                 # 2pc with 7 RMs (296,448 states), 3 rounds
    python bench/bench.py --rms 5 --rounds 1 --store-rms 0

Runs the hand-written tuple BFS and the engine on the same model, alternating, and reports
the best CPU time of each and their ratio (ratios, not timings: the machines are shared and
noisy), and the engine on the baseline's own successor function (the engine's own work, apart
from the model's representation). Then reports 2pc-actors' states per second (3 participants,
one crash, with and without symmetry), Raft's (the default `check raft --nodes 5` search,
exhaustive), what checking Raft's obsolete-message claims costs against trusting them
(`--trust-reductions`), memory on a run of over a million states (2pc with 8 RMs: the store's
bytes per state, and the whole process's peak), what checkpoints every 10 s cost, and the
speed-up of `--workers 2` over one process (fresh processes, alternating), and what checking
liveness costs against the same search for safety alone (2pc with 6 RMs, its `eventually`
property selected; Raft's defaults, whose liveness properties run by default), with the
liveness graph's bytes per state.

    python bench/bench.py --raft-nodes 3   # Raft's 3-node defaults instead; 0 skips Raft
"""
import argparse
import json
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from checker import check  # noqa: E402
from checker.actors.faults import FaultBudget  # noqa: E402
from checker.model import ActionLabel  # noqa: E402
from checker.properties import Kind, Property  # noqa: E402
from models.consensus.raft import Raft  # noqa: E402
from models.commit.twophase import TwoPhase  # noqa: E402
from models.commit.twophase_actors import TwoPhaseActors  # noqa: E402
import pinned  # noqa: E402


def _baseline():
    try:
        import baseline_twophase
    except ImportError:
        sys.exit("bench: bench/baseline_twophase.py is missing from this repository")
    return baseline_twophase


def engine_run(rms: int, model: Any = None) -> tuple[int, int, float]:
    """One exhaustive BFS of 2pc (or of `model`); returns (distinct, generated, CPU seconds)."""
    start = time.process_time()
    result = check(model or TwoPhase(rms=rms))
    return result.stats.distinct, result.stats.generated, time.process_time() - start


def _baseline_cpu(baseline: Any, rms: int) -> tuple[int, float]:
    start = time.process_time()
    distinct, _generated, _seconds = baseline.explore(rms)
    return distinct, time.process_time() - start


class BaselineSuccessors:
    """The baseline's own successor function and invariant as a model: the engine's own cost,
    without the model's representation (records, one call per ground action)."""

    check_deadlock = False

    def __init__(self, baseline: Any, rms: int):
        self.baseline, self.rms = baseline, rms

    def init_states(self) -> list[Any]:
        return [((self.baseline.WORKING,) * self.rms, False, 0, 0, False, False)]

    def next_states(self, state: Any) -> list[Any]:
        return self.baseline.successors(state, self.rms)

    def successors(self, state: Any) -> list[Any]:
        return [(ActionLabel("step"), nxt) for nxt in self.baseline.successors(state, self.rms)]

    def properties(self) -> list[Property]:
        return [Property("consistent", Kind.ALWAYS, self.baseline.consistent, None, "no RM committed while another aborted")]


def compare(rms: int, rounds: int) -> float:
    """Alternate baseline and engine runs (the engine on the 2pc model, and on the baseline's own
    successor function); print the best CPU time of each and return the engine/baseline ratio."""
    baseline = _baseline()
    best_base = best_engine = best_own = float("inf")
    for round_number in range(1, rounds + 1):
        distinct_b, seconds_b = _baseline_cpu(baseline, rms)
        distinct_e, _gen_e, seconds_e = engine_run(rms)
        distinct_o, _gen_o, seconds_o = engine_run(rms, BaselineSuccessors(baseline, rms))
        if not distinct_b == distinct_e == distinct_o:
            sys.exit(f"bench: the engine found {distinct_e} states ({distinct_o} with the baseline's successors), the baseline {distinct_b}")
        best_base, best_engine, best_own = min(best_base, seconds_b), min(best_engine, seconds_e), min(best_own, seconds_o)
        print(f"round {round_number}: baseline {seconds_b:.2f} s, engine {seconds_e:.2f} s, "
              f"engine on the baseline's successors {seconds_o:.2f} s ({distinct_e:,} states; CPU)")
    ratio = best_engine / best_base
    print(f"2pc rms={rms}: best CPU: baseline {best_base:.2f} s, engine {best_engine:.2f} s, ratio {ratio:.2f}x "
          f"({distinct_e / best_engine:,.0f} states/s); the engine's own work (on the baseline's successors) "
          f"{best_own / best_base:.2f}x")
    return ratio


def actors_rate(participants: int) -> None:
    """Exhaustive 2pc-actors with one crash: states per second, with and without symmetry."""
    for symmetry in (True, False):
        model = TwoPhaseActors(participants=participants, faults=FaultBudget(crash=1), symmetry=symmetry)
        stats = check(model, stop_on_first_violation=False).stats
        print(f"2pc-actors participants={participants} crash=1 symmetry={symmetry}: {stats.distinct:,} states, "
              f"{stats.seconds:.2f} s, {stats.states_per_second:,.0f} states/s")


def raft_rate(nodes: int) -> None:
    """Raft at its default bounds for `nodes` servers: states per second of the exhaustive search."""
    model = Raft(nodes=nodes)
    result = check(model, stop_on_first_violation=False)
    stats = result.stats
    print(f"raft nodes={nodes} ({model.options()}): {stats.distinct:,} states, {stats.generated:,} generated, "
          f"{stats.seconds:.2f} s, {stats.states_per_second:,.0f} states/s, {result.stop.value}")


def trust_cost(nodes: int, rounds: int) -> float:
    """What checking every obsolete-message claim costs (Raft discards stale messages as obsolete):
    CPU time with the check against the same search trusting the claims, best of `rounds`."""
    best = {True: float("inf"), False: float("inf")}
    for _round in range(rounds):
        for trust in (True, False):
            start = time.process_time()
            result = check(Raft(nodes=nodes, trust_reductions=trust))
            best[trust] = min(best[trust], time.process_time() - start)
    ratio = best[False] / best[True]
    print(f"obsolete claims checked: raft nodes={nodes} at its defaults ({result.stats.distinct:,} states): "
          f"trusted {best[True]:.2f} s, checked {best[False]:.2f} s, ratio {ratio:.2f}x")
    return ratio


def store_cost(rms: int) -> float:
    """2pc with `rms` RMs in a fresh process (one worker): the store's allocated bytes per distinct
    state, and the whole process's peak resident set per state (the frontier and the interpreter too)."""
    code = (f"from checker import check; from models.commit.twophase import TwoPhase; "
            f"s = check(TwoPhase(rms={rms})).stats; print(s.distinct, s.store_bytes_per_state, s.seconds)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    distinct, store, seconds = int(out[0]), float(out[1]), float(out[2])
    whole = f"{peak / distinct:.0f} bytes per state" if peak > before * 1024 else "not measured (an earlier child was larger)"
    print(f"memory: 2pc rms={rms}: {distinct:,} states in {seconds:.1f} s; store {store:.1f} bytes per state "
          f"(fingerprints and parent links); whole process peak RSS {peak / 2**20:.0f} MiB, {whole}")
    return store


def checkpoint_cost(rms: int) -> float:
    """What checkpoints cost (every 10 s, the default): wall time with them against without."""
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        check(TwoPhase(rms=rms), checkpoint=directory)
        with_checkpoints = time.perf_counter() - start
        size = sum(f.stat().st_size for f in pathlib.Path(directory).iterdir())
    start = time.perf_counter()
    result = check(TwoPhase(rms=rms))
    without = time.perf_counter() - start
    ratio = with_checkpoints / without
    print(f"checkpoints: 2pc rms={rms} ({result.stats.distinct:,} states): without {without:.1f} s, with "
          f"{with_checkpoints:.1f} s, ratio {ratio:.2f}x; the directory held {size / 2**20:.0f} MiB")
    return ratio


def liveness_cost(rms: int, rounds: int, raft_nodes: int) -> float:
    """CPU time of a search that also judges liveness, against the same search for safety alone
    (best of `rounds`, alternating); the graph's bytes per state. Returns 2pc's ratio."""
    def runs(model: Any) -> tuple[float, float, float]:
        live = [p.name for p in model.properties() if p.kind.is_liveness]
        safety = [p.name for p in model.properties() if not p.kind.is_liveness]
        best_safe = best_live = float("inf")
        graph = 0.0
        for _round in range(rounds):
            start = time.process_time()
            check(model, properties=safety)
            best_safe = min(best_safe, time.process_time() - start)
            start = time.process_time()
            graph = check(model, properties=safety + live).stats.graph_bytes_per_state
            best_live = min(best_live, time.process_time() - start)
        return best_safe, best_live, graph
    ratio = 0.0
    for label, model in ((f"2pc rms={rms}", TwoPhase(rms=rms)), (f"raft nodes={raft_nodes}", Raft(nodes=raft_nodes))):
        safe, live, graph = runs(model)
        ratio = ratio or live / safe
        print(f"liveness: {label}: best CPU safety alone {safe:.2f} s, with liveness {live:.2f} s, ratio {live / safe:.2f}x; "
              f"graph {graph:.0f} bytes per state")
    return ratio


def figure8_bounds_safe() -> None:
    """The correct Raft at the bounds commit-old-term needs (four terms, racing elections, a crash):
    exhaustively safe, 302,228 states (moved here from the test suite: 40 s)."""
    buggy = Raft(nodes=3, bug="commit-old-term")
    options = {k: v for k, v in buggy.options().items() if k != "bug"}
    safety = [p.name for p in buggy.properties() if not p.kind.is_liveness]
    result = check(Raft(**options), workers=2, properties=safety)
    verdicts = {p.verdict.value for p in result.properties}
    print(f"raft at commit-old-term's bounds: {result.stats.distinct:,} states (302,228 expected), verdicts {sorted(verdicts)}, "
          f"{result.stats.seconds:.1f} s on 2 workers")


LOCK_RUNS = (  # the locks issue's bar: every correct variant exits 0, every hazard 1, each in under 30 s
    "redis-lock", "redis-lock --bug seed-lock", "redis-lock --faults pause=1",
    "redlock", "redlock --faults skew=1", "redlock --faults pause=1", "redlock --bug seed-acquire",
    "fencing", "fencing --bug seed-token", "lock-ordering", "lock-ordering --bug opposite-order",
)
REPLICATION_RUNS = (  # the consistency issue's bar: each model's correct mode exits 0, each weak mode 1
    "leader-follower", "leader-follower --ack semi-sync", "leader-follower --ack async", "leader-follower --reads follower",
    "multi-leader", "multi-leader --property no_lost_update", "multi-leader --faults skew=1", "multi-leader --bug arrival-order",
    "quorum", "quorum --r 1 --w 1", "quorum --read-repair none",
    "cap", "cap --mode ap", "cap --property all_sides_available",
    "bank-transfer", "bank-transfer --bug no-recovery-log", "bank-transfer --bug non-idempotent-credit",
)

PROVE_RUNS = (  # the Z3 issue's bars: tcommit and 2pc PROVED for any number of RMs in seconds, BMC as short as BFS, paxos-tla proved
    "tcommit --strategy prove", "2pc --strategy prove", "2pc --rms 7 --strategy prove",
    "2pc --bug rm-aborts-after-prepare --strategy prove", "2pc --bug rm-aborts-after-prepare --strategy bmc",
    "paxos-tla --strategy prove", "paxos-tla --ballots 3 --strategy prove",
    "raft-election --strategy prove", "raft-election --bug volatile-vote --strategy prove", "raft-election --nodes 5 --max-term 5 --strategy prove",
    "fencing-tokens --strategy prove", "fencing-tokens --bug seed-token --strategy prove",
    "quorum --strategy prove", "quorum --r 1 --w 1 --strategy prove",
)


def prove_ratio(rms: int, rounds: int) -> None:
    """`--strategy prove` on 2pc (every depth, the given RMs and any number) against the explorer's
    exhaustive search of the same model, in one process: the ratio, best of `rounds` each; and
    bounded model checking's trace on the seeded bug against breadth-first search's, by length."""
    from checker.prove.run import check_with_prover
    from models.commit.twophase import TwoPhase
    model = TwoPhase(rms=rms)
    explored = min(_timed(lambda: check(model)) for _ in range(rounds))
    proved = min(_timed(lambda: check_with_prover(model)) for _ in range(rounds))
    print(f"2pc with {rms} RMs: prove {proved:.2f} s, bfs {explored:.2f} s, prove/bfs {proved / explored:.2f} (best of {rounds})")
    from checker.prove.run import check_with_bmc
    buggy = TwoPhase(rms=3, bug="rm-aborts-after-prepare")
    bounded, shortest = check_with_bmc(buggy, ["consistent"])["consistent"].trace, check(buggy)["consistent"].trace
    print(f"2pc --bug rm-aborts-after-prepare: bmc's trace {len(bounded)} steps, bfs's {len(shortest)} (the bar: the same)")


def _timed(run: Any) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cli_seconds() -> None:
    """Wall time of fresh `check` runs that issue bars name: 2pc-actors' blocking lasso (bar: under
    10 s), paxos-tla on one process (TLC, JVM start included: about 7 s on this machine), and
    each lock model's correct variant and hazards (bar: under 30 s each), each replication
    model's correct mode and weak modes (exit 0 and 1), and the proofs (exit 0 when proved, 1 for a bug)."""
    runs = [["2pc-actors", "--faults", "crash=1"], ["paxos-tla", "--workers", "1"],
            *(line.split() for line in LOCK_RUNS + REPLICATION_RUNS + PROVE_RUNS)]
    for arguments in runs:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "cli.py", *arguments], cwd=ROOT, capture_output=True, text=True)
        print(f"check {' '.join(arguments)}: {time.perf_counter() - started:.1f} s wall, exit {done.returncode}")


def history_seconds(rounds: int) -> None:
    """The twenty shared etcd histories checked for linearizability in one process (bar: 1 s in all;
    Porcupine, in Go, checks the suite's 102 in 0.4 s): the best of `rounds`; bench/histories.py
    prints each history's time."""
    sys.path.insert(0, str(ROOT / "bench"))
    from histories import etcd_texts, one_round
    texts = etcd_texts()
    best = min(one_round(texts)[1] for _ in range(rounds))
    print(f"linearizability: the {len(texts)} etcd histories checked in {best:.3f} s (best of {rounds}; bar: 1 s)")


def parallel_speedup(workers: int = 2, raft_nodes: int = 5, rounds: int = 3, rms: int = 8) -> None:
    """Wall-clock speed-up of `--workers N` over one process (2pc with `rms` RMs; Raft's defaults
    for `raft_nodes`). Each run is a fresh process, one worker and N alternating, `rounds` times:
    forked from a process that has just run a large search, workers measured 1.0x to 1.3x on Raft
    where fresh processes measured 1.3x to 1.7x. Prints the median and the best of each, with CPU
    seconds (the children's rusage), which show what the wall clock on a shared machine cannot."""
    for name, options in ((f"2pc rms={rms}", ["2pc", "--rms", str(rms)]), (f"raft nodes={raft_nodes}", ["raft", "--nodes", str(raft_nodes)])):
        wall: dict[int, list[float]] = {1: [], workers: []}
        cpu: dict[int, list[float]] = {1: [], workers: []}
        counts = set()
        for _round in range(rounds):
            for n in (1, workers):
                seconds, cpu_seconds, figures = _fresh_run([*options, "--workers", str(n)])
                wall[n].append(seconds)
                cpu[n].append(cpu_seconds)
                counts.add(figures)
        if len(counts) != 1:
            sys.exit(f"bench: {name}: the counts differ with {workers} workers: {counts}")
        median = statistics.median(wall[1]) / statistics.median(wall[workers])
        best = min(wall[1]) / min(wall[workers])
        print(f"parallel: {name} ({counts.pop()[0]:,} states), {rounds} fresh runs each: 1 worker "
              f"{_seconds(wall[1])} ({statistics.median(cpu[1]):.1f} s CPU), {workers} workers {_seconds(wall[workers])} "
              f"({statistics.median(cpu[workers]):.1f} s CPU); speed-up {median:.2f}x median, {best:.2f}x best against best")


def _fresh_run(arguments: list[str]) -> tuple[float, float, tuple[int, int]]:
    """`check ARGUMENTS --format json` in a new process: wall seconds, CPU seconds (it and its
    workers), and (distinct, generated)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "cli.py", *arguments, "--format", "json"], cwd=ROOT, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = json.loads(out)["stats"]
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, (stats["distinct"], stats["generated"])


def _seconds(runs: list[float]) -> str:
    return " / ".join(f"{s:.1f}" for s in sorted(runs)) + " s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store-rms", type=int, default=8, help="0 skips the store measurement")
    parser.add_argument("--raft-nodes", type=int, default=5, help="0 skips the Raft measurement")
    parser.add_argument("--workers", type=int, default=2, help="parallel speed-up with this many workers (0 skips it)")
    args = parser.parse_args()
    compare(args.rms, args.rounds)
    actors_rate(3)
    trust_cost(3, args.rounds)
    if args.raft_nodes:
        raft_rate(args.raft_nodes)
    if args.store_rms:
        store_cost(args.store_rms)
        checkpoint_cost(args.store_rms)
    liveness_cost(6, args.rounds, args.raft_nodes or 5)
    figure8_bounds_safe()
    pinned.run_all()  # the long searches moved from the test suite (bench/pinned.py)
    cli_seconds()
    history_seconds(args.rounds)
    prove_ratio(args.rms, args.rounds)
    if args.workers:
        parallel_speedup(args.workers, args.raft_nodes or 5, args.rounds)


if __name__ == "__main__":
    main()
