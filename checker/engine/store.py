"""The visited store: 64-bit fingerprints and parent links in flat arrays, never full states.

Like TLC and Stateright, the store keeps only what is needed to say "seen before" and to
walk a trace back: a fingerprint per state in sorted numpy arrays (see FingerprintSet), and per state
index its parent index, its position among the parent's successors, and its fingerprint.
Traces are rebuilt by re-executing the model along that path (see checker/trace.py).

A fingerprint is checker/fingerprint.py's 64-bit hash of the state's value (of its
representative, under symmetry), not Python's hash(): hash() maps -1 and -2 to the same value
(and integers equal modulo 2**61 - 1), and hash(str) changes with PYTHONHASHSEED. Distinct
states share a fingerprint only by a genuine 64-bit collision (see collision_probability).
Values other than ints, floats, str, bytes, None, tuples (records) and sets go through hash()
(mixed), so enums and user classes as state parts keep hash()'s own collisions.
"""
import sys
from array import array

import numpy as np

def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A mask: which of `keys` occur in the sorted array."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    where = np.searchsorted(sorted_keys, keys)
    where[where == len(sorted_keys)] = 0
    return sorted_keys[where] == keys


def _merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two sorted arrays as one; the stable sort (timsort) merges two runs in linear time."""
    merged = np.concatenate((a, b))
    merged.sort(kind="stable")
    return merged


class FingerprintSet:
    """A set of 64-bit fingerprints, 8 bytes each: sorted runs, each at most half the one before.

    Inserting a batch adds a run and merges the smallest runs while they are of similar size
    (the logarithmic method), so each fingerprint is copied O(log n) times in all and a
    membership test is a binary search in each of O(log n) runs.
    """

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []
        self._pending: set[int] = set()

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs) + len(self._pending)

    def _known(self, keys: np.ndarray) -> np.ndarray:
        seen = np.zeros(len(keys), dtype=bool)
        for run in self._runs:
            seen |= _contains(run, keys)
        return seen

    def _add_run(self, run: np.ndarray) -> None:
        self._runs.append(run)
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) >= len(self._runs[-2]):
            last = self._runs.pop()
            self._runs[-1] = _merge(self._runs[-1], last)

    def add_batch(self, fingerprints: np.ndarray) -> np.ndarray:
        """Insert a batch; returns the positions of the first occurrence of each new fingerprint, ascending."""
        self._flush()
        unique, first = np.unique(fingerprints, return_index=True)
        new = ~self._known(unique)
        if new.any():
            self._add_run(unique[new])
        return np.sort(first[new])

    def contains(self, fingerprint: int) -> bool:
        """True when the fingerprint is in the set."""
        return fingerprint in self._pending or bool(self._known(np.array([fingerprint], dtype=np.int64))[0])

    def add(self, fingerprint: int) -> bool:
        """Insert one fingerprint; True if it was new (for depth-first search)."""
        if fingerprint in self._pending:
            return False
        if self._runs and self._known(np.array([fingerprint], dtype=np.int64))[0]:
            return False
        self._pending.add(fingerprint)
        if len(self._pending) >= 4096:
            self._flush()
        return True

    def _flush(self) -> None:
        if self._pending:
            keys = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
            keys.sort()
            self._pending = set()
            self._add_run(keys)

    def snapshot(self) -> np.ndarray:
        """Every fingerprint, sorted, as one array (for a checkpoint)."""
        self._flush()
        while len(self._runs) > 1:
            last = self._runs.pop()
            self._runs[-1] = _merge(self._runs[-1], last)
        return self._runs[0] if self._runs else np.zeros(0, dtype=np.int64)

    def restore(self, fingerprints: np.ndarray) -> None:
        """The set a snapshot saved."""
        self._runs, self._pending = ([fingerprints] if len(fingerprints) else []), set()

    @property
    def nbytes(self) -> int:
        """Bytes held by the runs (the pending Python set counted at 60 bytes an entry)."""
        return sum(run.nbytes for run in self._runs) + 60 * len(self._pending)


class StateRecords:
    """Per state index: parent index (-1 for initial states), successor position, fingerprint."""

    def __init__(self) -> None:
        self.parent = array("i")
        self.slot = array("i")
        self.fingerprint = array("q")

    def __len__(self) -> int:
        return len(self.fingerprint)

    def append(self, parent: int, slot: int, fingerprint: int) -> int:
        """Record one state; returns its index."""
        self.parent.append(parent)
        self.slot.append(slot)
        self.fingerprint.append(fingerprint)
        return len(self.fingerprint) - 1

    def extend(self, parents: np.ndarray, slots: np.ndarray, fingerprints: np.ndarray) -> None:
        """Record a batch of states in index order."""
        self.parent.frombytes(parents.astype(np.int32).tobytes())
        self.slot.frombytes(slots.astype(np.int32).tobytes())
        self.fingerprint.frombytes(fingerprints.astype(np.int64).tobytes())

    def snapshot(self) -> tuple[bytes, bytes, bytes]:
        """The three columns as bytes (for a checkpoint)."""
        return self.parent.tobytes(), self.slot.tobytes(), self.fingerprint.tobytes()

    def restore(self, columns: tuple[bytes, bytes, bytes]) -> None:
        """The records a snapshot saved."""
        for column, saved in zip((self.parent, self.slot, self.fingerprint), columns):
            del column[:]
            column.frombytes(saved)

    def path_to(self, index: int) -> list[int]:
        """State indices from an initial state to `index`, inclusive."""
        path = [index]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        return path[::-1]

    @property
    def nbytes(self) -> int:
        """Bytes allocated for the three arrays, spare capacity included."""
        return sum(sys.getsizeof(a) for a in (self.parent, self.slot, self.fingerprint))


class VisitedStore:
    """Fingerprints for "seen before" plus parent records for traces."""

    def __init__(self) -> None:
        self.seen = FingerprintSet()
        self.records = StateRecords()

    def __len__(self) -> int:
        return len(self.records)

    def snapshot(self) -> dict[str, object]:
        """The store as plain data, for a checkpoint."""
        return {"seen": self.seen.snapshot(), "records": self.records.snapshot()}

    def restore(self, saved: dict[str, object]) -> None:
        """The store a snapshot saved."""
        self.seen.restore(saved["seen"])  # type: ignore[arg-type]
        self.records.restore(saved["records"])  # type: ignore[arg-type]

    @property
    def nbytes(self) -> int:
        """Total bytes of the store."""
        return self.seen.nbytes + self.records.nbytes

    def bytes_per_state(self) -> float:
        """Measured store bytes per distinct state."""
        return self.nbytes / max(1, len(self))


def collision_probability(distinct: int, generated: int) -> float:
    """TLC's optimistic estimate of the chance that two distinct states shared a fingerprint."""
    return distinct * max(0, generated - distinct) / 2.0**64
