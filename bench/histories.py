"""Benchmark: checking the twenty etcd histories (Jepsen, via Porcupine's test data) for
linearizability in one process, with the kv and Knossos histories beside them.

    python bench/histories.py             # best of 3 rounds
    python bench/histories.py --rounds 5
    python bench/histories.py --etcd DIR  # another directory of etcd_NNN.log files (Porcupine's whole
                                          # suite), with its verdicts.txt ("etcd_000.log linearizable")

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
OTHERS = (("c01-ok.txt", "kv", None), ("c01-bad.txt", "kv", None), ("c10-ok.txt", "kv", None), ("c10-bad.txt", "kv", None),
          ("c50-ok.txt", "kv", None), ("c50-bad.txt", "kv", None), ("bad-analysis.edn", "cas-register", 0))


def etcd_texts(directory: pathlib.Path = DATA / "etcd") -> dict[str, str]:
    """The etcd histories' text by file name."""
    return {path.name: path.read_text() for path in sorted(directory.glob("etcd_*.log"))}


def expected_verdicts(directory: pathlib.Path) -> dict[str, bool]:
    """The verdicts a directory's verdicts.txt gives (name, then linearizable or not-linearizable), if it has one."""
    path = directory / "verdicts.txt"
    if not path.exists():
        return {}
    return {name: word == "linearizable" for name, word in (line.split() for line in path.read_text().splitlines() if line.strip())}


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
    parser.add_argument("--etcd", type=pathlib.Path, default=DATA / "etcd", help="a directory of etcd_NNN.log histories")
    args = parser.parse_args()
    rounds = args.rounds
    texts = etcd_texts(args.etcd)
    expected = expected_verdicts(args.etcd)
    runs = [one_round(texts) for _ in range(rounds)]
    for number, (read, checked, _) in enumerate(runs, 1):
        print(f"round {number}: read {read:.3f} s, checked {checked:.3f} s ({len(texts)} etcd histories)")
    best = min(runs, key=lambda run: run[1])
    print(f"best: {best[1]:.3f} s to check all {len(texts)} (bar: 1 s), {best[0]:.3f} s to read them")
    for name in texts:
        seconds = min(run[2][name][0] for run in runs)
        wrong = "" if name not in expected or expected[name] == best[2][name][1] else "  WRONG: the expected verdict differs"
        print(f"  {name}  {'linearizable    ' if best[2][name][1] else 'not linearizable'}  {seconds * 1000:7.1f} ms{wrong}")
    if expected:
        agree = sum(expected.get(name) == best[2][name][1] for name in texts)
        print(f"verdicts as expected: {agree} of {len(texts)} ({len(expected)} in verdicts.txt)")
    for name, obj, initial in OTHERS:
        result = check_linearizable(read_history((DATA / name).read_text())[1], object_named(obj, initial))
        print(f"  {name}  {'linearizable' if result.linearizable else 'not linearizable'}  {result.seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
