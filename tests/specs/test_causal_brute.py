"""The bad-pattern checker of causal consistency (specs/consistency/causal.py) against the definitions
themselves, searched by brute force on small random differentiated histories (register and kv), for
its three variants; and every witness it names is, alone, a history the definition rejects.

The definitions (Bouajjani et al., POPL 2017), with CO = (PO u WR)+ a partial order:
  CM  (causal memory): for each process, some order of all writes and that process's reads, extending
      CO, in which every read returns the last write to its key before it (the initial value if none);
  CCv (causal convergence): some order of all writes, extending CO, in which every read returns the
      last write to its key among the writes of its causal past;
  CC: for each read, some order of its causal past, extending CO, whose last write to its key it returns.
Failed operations did not happen, indeterminate reads are left out, and each indeterminate write may
have happened or not: the history is consistent when some choice of them is."""
import itertools
import random
from collections import Counter
from dataclasses import replace

from specs.consistency import ANY, FAILED, INDETERMINATE, NEVER, OK, Event, Operation, object_named, pair
from specs.consistency.causal import PATTERNS, VARIANTS, WRITES, check_causal
from specs.consistency.history import READS
from tests.specs.test_causal import EXAMPLES


def differentiated(rng, kv=False, steps=16, processes=3):
    """A random history of up to eight operations whose writes have unique values; a read returns the
    initial value or a value written on its key, mostly by a write invoked before it (now and then one
    invoked later, or failed), or rarely a value nobody writes."""
    keys, initial = (("x", "y"), "") if kv else ((None,), None)
    invoked, open_ops, calls, outcome, count = [], {}, [], {}, 0
    for _ in range(steps):
        process = rng.randrange(processes)
        if process not in open_ops:
            key, write = rng.choice(keys), rng.random() < 0.45
            count += write
            value = (str(count) if kv else count) if write else None
            f = ("put" if kv else "write") if write else ("get" if kv else "read")
            open_ops[process] = len(calls)
            calls.append((process, f, value, key))
            invoked.append(("invoke", len(calls) - 1))
        else:
            n = open_ops.pop(process)
            outcome[n] = rng.choice(("ok",) * 8 + ("info", "fail"))
            invoked.append((outcome[n], n))
    events = []
    for kind, n in invoked:
        process, f, value, key = calls[n]
        if f in READS and kind != "invoke":
            writes = [(m, v) for m, (_, g, v, k) in enumerate(calls) if g in WRITES and k == key
                      and (outcome.get(m) != "fail" or rng.random() < 0.2)]
            earlier = [v for m, v in writes if m < n]
            later = [v for m, v in writes if m > n and rng.random() < 0.2]
            value = rng.choice([initial, *earlier, *earlier, *later, *((99,) if rng.random() < 0.02 else ())])
        events.append(Event(process, kind, f, value, key))
    return pair(events)


def _value(output):
    return tuple(output) if isinstance(output, list) else output


def brute(ops, spec, variant):
    """The variant's definition, searched: some choice of the indeterminate writes that happened passes."""
    happened = [op for op in ops if op.status != FAILED]
    reads = [op for op in happened if op.f in READS and op.status == OK and op.output is not ANY]
    certain = [op for op in happened if op.f in WRITES and op.status == OK]
    maybe = [op for op in happened if op.f in WRITES and op.status == INDETERMINATE]
    return any(_consistent(reads, certain + list(chosen), spec.init(), variant)
               for k in range(len(maybe) + 1) for chosen in itertools.combinations(maybe, k))


def _consistent(reads, writes, initial, variant):
    """The definition for one set of operations that happened."""
    ops = writes + reads
    n = len(ops)
    writer = {(op.key, op.input): i for i, op in enumerate(writes)}
    co = [[a.process == b.process and a.invoked < b.invoked and a.status == OK for b in ops] for a in ops]  # program order
    for r, op in enumerate(ops[len(writes):], len(writes)):
        w = writer.get((op.key, _value(op.output)))
        if w is not None:
            co[w][r] = True  # reads from
    for k, i, j in itertools.product(range(n), repeat=3):  # Warshall: (PO u WR)+
        co[i][j] = co[i][j] or (co[i][k] and co[k][j])
    if any(co[i][i] for i in range(n)):
        return False
    is_read = [i >= len(writes) for i in range(n)]

    def returns(r, before):
        """Whether read r returns the last write to its key among `before` (in order), or the initial value."""
        last = [ops[w].input for w in before if not is_read[w] and ops[w].key == ops[r].key]
        return _value(ops[r].output) == (last[-1] if last else initial)

    def extensions(elements, legal=lambda placed, e: True):
        """Every order of the elements that extends CO and in which each element is legal where placed."""
        def grow(placed, left):
            if not left:
                yield placed
            for e in left:
                if not any(co[o][e] for o in left) and legal(placed, e):
                    yield from grow(placed + [e], [o for o in left if o != e])
        return grow([], list(elements))

    write_ids = range(len(writes))
    if variant == "CM":
        processes = {ops[r].process for r in range(n) if is_read[r]}
        return all(any(True for _ in extensions([*write_ids, *(r for r in range(n) if is_read[r] and ops[r].process == p)],
                                                 lambda placed, e: not is_read[e] or returns(e, placed)))
                   for p in processes)
    if variant == "CC":
        return all(any(returns(r, order[:-1]) for order in extensions([o for o in range(n) if co[o][r]] + [r]))
                   for r in range(n) if is_read[r])
    return any(all(returns(r, [w for w in order if co[w][r]]) for r in range(n) if is_read[r])
               for order in extensions(write_ids))


def perturbed(rng, ops, spec):
    """A hand-made history changed at random: operations dropped, reads returning another value
    (initial, or one written on their key), writes timed out or failed, a read added at the end."""
    written = [op for op in ops if op.f in WRITES]
    changed = []
    for op in ops:
        if rng.random() < 0.15:
            continue
        if op.f in WRITES and rng.random() < 0.15:
            status = rng.choice((INDETERMINATE, INDETERMINATE, FAILED))
            op = replace(op, status=status, output=ANY if status == INDETERMINATE else None,
                         completed=NEVER if status == INDETERMINATE else op.completed)
        elif op.f in READS and rng.random() < 0.2:
            op = replace(op, output=rng.choice([spec.init(), *(w.input for w in written if w.key == op.key)]))
        changed.append(op)
    if rng.random() < 0.5:
        model = rng.choice(ops)
        value = rng.choice([spec.init(), *(w.input for w in written if w.key == model.key)])
        end = max(op.invoked for op in ops) + 10
        changed.append(Operation(rng.choice(ops).process, READS[model.key is not None], None, value, end, end + 1,
                                 OK, model.key, max(op.index for op in ops) + 1))
    return changed


def cross_check(ops, spec, seen):
    """The checker's verdict in each variant is the definition's, and each witness alone is rejected."""
    verdicts = []
    for variant in VARIANTS:
        result = check_causal(ops, spec, variant)
        assert result.holds == brute(ops, spec, variant), (variant, [op.describe() for op in ops])
        for found in result.violations:
            seen[found.pattern] += 1
            assert not brute(list(found.operations()), spec, variant), (variant, found.pattern, [op.describe() for op in ops])
        verdicts.append(result.holds)
    return tuple(verdicts)


def test_the_hand_made_histories_verdicts_are_the_definitions():
    for name, (events, obj, verdicts, _, _) in EXAMPLES.items():
        ops = pair(Event(*event) for event in events)
        assert tuple(brute(ops, object_named(obj), variant) for variant in VARIANTS) == verdicts, name


def test_the_bad_patterns_agree_with_the_definitions_on_random_histories():
    seen, split = Counter(), Counter()
    for seed in range(200):
        rng = random.Random(seed)
        for kv in (False, True):
            spec = object_named("kv" if kv else "register")
            split[cross_check(differentiated(rng, kv), spec, seen)] += 1
    assert set(seen) >= set(PATTERNS) - {"WriteHBInitRead"}, seen  # (it needs seven operations just so)
    # CM and CCv are incomparable, both stronger than CC
    assert {(True, True, True), (False, False, False), (True, False, True), (False, False, True)} <= set(split), split


def test_the_bad_patterns_agree_with_the_definitions_around_the_hand_made_histories():
    seen, split = Counter(), Counter()
    rng = random.Random(3)
    for events, obj, *_ in EXAMPLES.values():
        ops, spec = pair(Event(*event) for event in events), object_named(obj)
        for _ in range(25):
            split[cross_check(perturbed(rng, ops, spec), spec, seen)] += 1
    assert set(seen) == set(PATTERNS), seen
    assert {(True, True, True), (False, False, False), (True, False, True), (False, True, True),
            (False, False, True)} <= set(split), split


def test_the_witness_shown_is_a_smallest_rejected_part_of_the_history():
    # a part keeps, with each read, the write it read from (dropping it would make a thin-air read);
    # "first" is the smallest of those the checker found (one per pattern)
    def smallest(ops, spec, variant):
        written = {(op.key, op.input) for op in ops if op.f in WRITES and op.status != FAILED}
        for k in range(1, len(ops) + 1):
            for part in itertools.combinations(ops, k):
                kept = {(op.key, op.input) for op in part if op.f in WRITES}
                if all((op.key, _value(op.output)) in kept or (op.key, _value(op.output)) not in written
                       for op in part if op.f in READS) and not brute(list(part), spec, variant):
                    return k

    rng, histories = random.Random(7), []
    for seed in range(80):
        kv = seed % 2 == 1
        histories.append((differentiated(rng, kv), object_named("kv" if kv else "register")))
    for events, obj, *_ in EXAMPLES.values():
        ops, spec = pair(Event(*event) for event in events), object_named(obj)
        histories += [(ops, spec)] + [(perturbed(rng, ops, spec), spec) for _ in range(8)]
    checked, seen = 0, set()
    for ops, spec in histories:
        for variant in VARIANTS:
            result = check_causal(ops, spec, variant)
            if not result.holds:
                checked += 1
                seen.add(result.violations[0].pattern)
                assert len(result.violations[0].operations()) == smallest(ops, spec, variant), (
                    variant, [op.describe() for op in ops])
    assert checked > 100 and seen == set(PATTERNS), (checked, seen)
