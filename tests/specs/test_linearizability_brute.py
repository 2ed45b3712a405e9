"""The search against the definition: on small random histories (indeterminate and failed
operations included), the verdict equals that of trying every order that respects real time."""
import itertools
import random

from specs.consistency import FAILED, Event, check_linearizable, object_named, pair
from tests.specs.random_histories import legal, random_history


def by_definition(ops, spec):
    """Whether some order of the operations that happened respects real time and the specification."""
    happened = [op for op in ops if op.status != FAILED]
    for order in itertools.permutations(happened):
        if any(later.completed < earlier.invoked for i, earlier in enumerate(order) for later in order[i + 1:]):
            continue
        if legal(order, spec):
            return True
    return False


def test_the_search_agrees_with_the_definition_on_random_histories():
    rng, spec, seen = random.Random(22), object_named("cas-register", 0), {True: 0, False: 0}
    for _ in range(150):
        ops = random_history(rng)
        expected = by_definition(ops, spec)
        assert check_linearizable(ops, spec).linearizable == expected, [op.describe() for op in ops]
        seen[expected] += 1
    assert min(seen.values()) > 20  # both verdicts were exercised


def test_identical_indeterminate_writes_may_take_effect_in_either_order():
    events = [Event(0, "invoke", "write", 1), Event(1, "invoke", "write", 2), Event(2, "invoke", "write", 1),
              Event(3, "invoke", "read"), Event(3, "ok", "read", 1), Event(3, "invoke", "read"),
              Event(3, "ok", "read", 2), Event(3, "invoke", "read"), Event(3, "ok", "read", 1)]
    assert check_linearizable(pair(events), object_named("register", 0)).linearizable  # p0's 1, p1's 2, p2's 1
    assert not check_linearizable(pair(events[1:]), object_named("register", 0)).linearizable  # one 1 only


def test_indeterminate_writes_of_different_values_are_not_twins():
    events = [Event(0, "invoke", "write", 2), Event(1, "invoke", "write", 1), Event(3, "invoke", "read"),
              Event(3, "ok", "read", 1), Event(3, "invoke", "read"), Event(3, "ok", "read", 2)]
    assert check_linearizable(pair(events), object_named("register", 0)).linearizable  # p1's 1, then p0's 2
