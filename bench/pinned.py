"""The long searches moved out of the test suite (its budget is 10 minutes on two cores), each with
the figures it pins; exit status 1 when any figure differs.

    python bench/pinned.py            # about 2 minutes on two workers
    python bench/bench.py             # runs these too, among its measurements

Each was a test; the suite keeps smaller configurations of the same models and the same bugs.
"""
import pathlib
import sys
import time
from typing import Any, Callable

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import Verdict, check  # noqa: E402
from models.consensus.raft import Raft  # noqa: E402


def raft_three_node_defaults() -> list[str]:
    """`check raft --nodes 3` (two terms, racing elections, a crash, a restart, a lost message):
    exhaustive, 179,372 states, every property holds."""
    result = check(Raft(nodes=3), workers=2)
    bad = [f"{p.name} {p.verdict.value}" for p in result.properties if p.verdict not in (Verdict.HOLDS,)]
    return _differences(("states", result.stats.distinct, 179_372), ("exhaustive", result.stop.is_complete, True),
                        ("not holding", bad, []))


def raft_figure_8() -> list[str]:
    """commit-old-term at its bounds (four terms, racing elections, a crash): the Raft paper's
    Figure 8 in 21 steps, the old-term commit at step 18, n1 of term 4 lacking 1:a."""
    prop = check(Raft(nodes=3, bug="commit-old-term"), workers=2)["leader_completeness"]
    labels = [str(step.action) for step in prop.trace.steps[1:]] if prop.trace else []
    return _differences(
        ("verdict", prop.verdict, Verdict.VIOLATED), ("steps", len(labels), 21),
        ("explanation", prop.explanation, "1:a was committed at index 1 in term 3, but n1, leader of term 4, holds 2:a there"),
        ("step 18", labels[17] if len(labels) > 17 else None, "deliver(src=n2, dst=n0, msg=Appended(term=3, success=True, match=1))"),
        ("last step", labels[-1] if labels else None, "deliver(src=n2, dst=n1, msg=Vote(term=4, granted=True))"))


def raft_safe_at_seed_append_entries_bounds() -> list[str]:
    """The correct protocol at the bounds the seed's AppendEntries bug raises: exhaustively safe, 62,173 states."""
    buggy = Raft(nodes=3, bug="seed-append-entries")
    options = {k: v for k, v in buggy.options().items() if k != "bug"}
    safety = [p.name for p in buggy.properties() if not p.kind.is_liveness]
    result = check(Raft(**options), workers=2, properties=safety)
    bad = [f"{p.name} {p.verdict.value}" for p in result.properties if p.verdict is not Verdict.HOLDS]
    return _differences(("states", result.stats.distinct, 62_173), ("not holding", bad, []))


def raft_five_node_defaults() -> list[str]:
    """`check raft --nodes 5`, README's first command (CI runs it and fails on any violation): 58,176
    states, every property holds."""
    result = check(Raft(nodes=5), workers=2)
    bad = [f"{p.name} {p.verdict.value}" for p in result.properties if p.verdict is not Verdict.HOLDS]
    return _differences(("states", result.stats.distinct, 58_176), ("exhaustive", result.stop.is_complete, True),
                        ("not holding", bad, []))


SEARCHES: tuple[Callable[[], list[str]], ...] = (raft_three_node_defaults, raft_figure_8,
                                                 raft_safe_at_seed_append_entries_bounds, raft_five_node_defaults)


def _differences(*pins: tuple[str, Any, Any]) -> list[str]:
    """The pins (what, found, expected) whose found value is not the expected one, as text."""
    return [f"{what}: {found!r}, expected {expected!r}" for what, found, expected in pins if found != expected]


def run_all() -> bool:
    """Run every pinned search, printing one line each; True when every figure is as pinned."""
    ok = True
    for search in SEARCHES:
        started = time.perf_counter()
        wrong = search()
        seconds = time.perf_counter() - started
        title = search.__doc__.split(":")[0].split("\n")[0]
        print(f"pinned: {search.__name__}: {'as pinned' if not wrong else 'DIFFERS: ' + '; '.join(wrong)} "
              f"({seconds:.1f} s on 2 workers) - {title}")
        ok = ok and not wrong
    return ok


if __name__ == "__main__":
    sys.exit(0 if run_all() else 1)
