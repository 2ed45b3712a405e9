"""Deep stateful runs: Raft with 5 servers at bounds far beyond what the explorer can exhaust
(four terms, eight for Figure 8, logs of three, racing elections, up to 8 messages in flight), as Hypothesis state
machines (checker/testing/), one seeded bug at a time: how long the deep profile takes to find
each bug, and how long the whole test takes with the trace shown (the explorer's shortest, or
Hypothesis's shrunk run).

    python bench/deep_runs.py                  # every seeded Raft bug, seed 1
    python bench/deep_runs.py --bug no-log-check --seed 3
"""
import argparse
import pathlib
import sys
import time

from hypothesis import Phase, settings as Settings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.testing.machine import PropertyViolation, state_machine  # noqa: E402
from checker.testing.profiles import chosen  # noqa: E402
from checker.testing.run import run_stateful  # noqa: E402
from hypothesis import seed as seeded  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402
from models.consensus.raft import Raft  # noqa: E402

LIVENESS_ONLY = {"no-election-retry"}  # a stateful run checks safety; liveness needs the explorer's whole graph
DEEP = dict(nodes=5, max_term=4, max_log=3, requests=3, elections="anytime", max_in_flight=8)
DEEP_BUG = {"commit-old-term": dict(max_term=8)}  # Figure 8's four elections in order: racing ones must not use up the terms


def time_to_find(model: Raft, seed: int) -> tuple[float, str]:
    """Seconds until the deep profile's generation finds a violation (no shrinking), and what it found."""
    machine = seeded(seed)(state_machine(model))
    settings = Settings(chosen("deep"), phases=[Phase.generate], database=None)
    started = time.perf_counter()
    try:
        run_state_machine_as_test(machine, settings=settings)
    except PropertyViolation as violation:
        return time.perf_counter() - started, f"{violation.prop.name} after {len(violation.trace)} steps"
    return time.perf_counter() - started, "nothing found"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bug", action="append", help="a Raft bug variant (repeatable; default: every one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--find-only", action="store_true", help="only the time to find each bug (no shrinking)")
    args = parser.parse_args()
    for bug in args.bug or sorted(set(Raft.bugs) - LIVENESS_ONLY):
        model = Raft(**{**DEEP, **DEEP_BUG.get(bug, {})}, bug=bug, faults="crash=1,restart=1,drop=1")
        found_in, what = time_to_find(model, args.seed)
        print(f"{bug}: found in {found_in:.1f} s ({what})", flush=True)
        if what != "nothing found" and not args.find_only:
            started = time.perf_counter()
            outcome = run_stateful(model, settings=Settings(chosen("deep"), database=None), seed=args.seed)
            shown = f"{len(outcome.shown)} steps from the {outcome.source}" if outcome.shown is not None else "none"
            print(f"  whole test {time.perf_counter() - started:.1f} s, trace shown: {shown}", flush=True)


if __name__ == "__main__":
    main()
