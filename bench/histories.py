"""Benchmark: checking the twenty etcd histories (Jepsen, via Porcupine's test data) for
linearizability in one process, with the kv and Knossos histories beside them.

    python bench/histories.py             # best of 3 rounds
    python bench/histories.py --rounds 5

Prints, per round, the seconds spent reading and pairing the histories and the seconds spent
checking them, then the best round and each etcd history's own best time and verdict (the
bar: 1 s for all twenty; Porcupine, in Go, checks its 102 in about 0.4 s).
"""
import argparse
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specs.consistency import check_linearizable, object_named, read_history  # noqa: E402

DATA = ROOT / "tests" / "data" / "histories"
OTHERS = (("c01-ok.txt", "kv", None), ("c01-bad.txt", "kv", None), ("bad-analysis.edn", "cas-register", 0))


def etcd_texts() -> dict[str, str]:
    """The etcd histories' text by file name."""
    return {path.name: path.read_text() for path in sorted((DATA / "etcd").glob("etcd_*.log"))}


def one_round(texts: dict[str, str]) -> tuple[float, float, dict[str, tuple[float, bool]]]:
    """Seconds to read, seconds to check, and per history (seconds, linearizable)."""
    started = time.perf_counter()
    histories = {name: read_history(text)[1] for name, text in texts.items()}
    read = time.perf_counter() - started
    per_history, started = {}, time.perf_counter()
    for name, ops in histories.items():
        result = check_linearizable(ops, object_named("cas-register"))
        per_history[name] = (result.seconds, result.linearizable)
    return read, time.perf_counter() - started, per_history


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    texts = etcd_texts()
    runs = [one_round(texts) for _ in range(rounds)]
    for number, (read, checked, _) in enumerate(runs, 1):
        print(f"round {number}: read {read:.3f} s, checked {checked:.3f} s ({len(texts)} etcd histories)")
    best = min(runs, key=lambda run: run[1])
    print(f"best: {best[1]:.3f} s to check all {len(texts)} (bar: 1 s), {best[0]:.3f} s to read them")
    for name in texts:
        seconds = min(run[2][name][0] for run in runs)
        print(f"  {name}  {'linearizable    ' if best[2][name][1] else 'not linearizable'}  {seconds * 1000:7.1f} ms")
    for name, obj, initial in OTHERS:
        result = check_linearizable(read_history((DATA / name).read_text())[1], object_named(obj, initial))
        print(f"  {name}  {'linearizable' if result.linearizable else 'not linearizable'}  {result.seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
