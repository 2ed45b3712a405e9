"""checker.engine.store: the fingerprint set against a Python set, and parent records."""
import random

import numpy as np
import pytest

from checker.engine.store import FingerprintSet, StateRecords, VisitedStore, collision_probability


def expected_new_positions(seen: set[int], batch: list[int]) -> list[int]:
    """Positions of the first occurrence of each fingerprint not yet in `seen` (and add them)."""
    positions = []
    for i, fp in enumerate(batch):
        if fp not in seen:
            seen.add(fp)
            positions.append(i)
    return positions


@pytest.mark.parametrize("seed", range(5))
def test_add_batch_matches_a_python_set(seed):
    """Random batches with repeats: add_batch returns the first-occurrence positions of new fingerprints."""
    rng = random.Random(seed)
    fps, seen = FingerprintSet(), set()
    for _ in range(40):
        span = rng.choice([50, 5000, 2**63 - 1])
        batch = [rng.randint(-span, span) for _ in range(rng.randint(0, 300))]
        got = fps.add_batch(np.array(batch, dtype=np.int64)).tolist()
        assert got == expected_new_positions(seen, batch)
        assert len(fps) == len(seen)
    for probe in [rng.randint(-5000, 5000) for _ in range(500)]:
        assert fps.contains(probe) == (probe in seen)


@pytest.mark.parametrize("seed", range(3))
def test_add_and_add_batch_mixed_agree_with_contains(seed):
    """Single adds (pending) and batches interleave; add says new exactly when the set lacked it."""
    rng = random.Random(100 + seed)
    fps, seen = FingerprintSet(), set()
    for _ in range(3000):
        if rng.random() < 0.1:
            batch = [rng.randint(-3000, 3000) for _ in range(20)]
            assert fps.add_batch(np.array(batch, dtype=np.int64)).tolist() == expected_new_positions(seen, batch)
        else:
            fp = rng.randint(-3000, 3000)
            assert fps.add(fp) == (fp not in seen)
            seen.add(fp)
            assert fps.contains(fp)
    assert len(fps) == len(seen)
    assert all(fps.contains(fp) == (fp in seen) for fp in range(-3100, 3100, 7))


def test_add_crossing_the_pending_flush():
    """More than 4096 single adds (one flush) keep every fingerprint and reject repeats."""
    fps = FingerprintSet()
    assert all(fps.add(i * 7919) for i in range(5000))
    assert not any(fps.add(i * 7919) for i in range(5000))
    assert len(fps) == 5000
    assert fps.contains(4999 * 7919) and not fps.contains(1)


def test_extreme_fingerprints():
    """The smallest and largest 64-bit values are ordinary fingerprints."""
    lo, hi = -(2**63), 2**63 - 1
    fps = FingerprintSet()
    assert fps.add_batch(np.array([hi, lo, hi, 0], dtype=np.int64)).tolist() == [0, 1, 3]
    assert fps.contains(lo) and fps.contains(hi) and fps.contains(0)
    assert not fps.contains(lo + 1)
    assert fps.add_batch(np.array([], dtype=np.int64)).tolist() == []


def test_empty_set_contains_nothing():
    """A new set is empty."""
    fps = FingerprintSet()
    assert len(fps) == 0
    assert not fps.contains(0)


def test_path_to_walks_parents_back():
    """path_to lists the indices from an initial state to the given one."""
    records = StateRecords()
    assert records.append(-1, 0, 100) == 0
    assert records.append(-1, 1, 101) == 1
    records.extend(np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([102, 103, 104]))
    assert records.append(4, 2, 105) == 5
    assert len(records) == 6
    assert records.path_to(0) == [0]
    assert records.path_to(1) == [1]
    assert records.path_to(2) == [0, 2]
    assert records.path_to(3) == [1, 3]
    assert records.path_to(4) == [0, 2, 4]
    assert records.path_to(5) == [0, 2, 4, 5]
    assert list(records.slot) == [0, 1, 0, 0, 1, 2]
    assert list(records.fingerprint) == [100, 101, 102, 103, 104, 105]


def test_visited_store_measures_itself():
    """The store's length is its record count, and it reports a positive size per state."""
    store = VisitedStore()
    store.seen.add_batch(np.array([1, 2, 3], dtype=np.int64))
    store.records.extend(np.array([-1, 0, 0]), np.array([0, 0, 1]), np.array([1, 2, 3]))
    assert len(store) == 3
    assert store.bytes_per_state() > 0


def test_collision_probability_is_tlcs_estimate():
    """distinct * (generated - distinct) / 2**64, and zero when nothing was generated twice."""
    assert collision_probability(10, 10) == 0
    assert collision_probability(2**32, 2**32 + 2**32) == 1.0
