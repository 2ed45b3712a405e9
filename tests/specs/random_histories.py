"""Random register histories for the checkers' cross-checks against brute force (test_sequential.py,
test_linearizability_brute.py)."""
from specs.consistency import REFUSED, Event, pair


def random_history(rng):
    """Up to six register operations on three processes, some failed, some never completed."""
    events, open_ops = [], {}
    for _ in range(12):
        process = rng.randrange(3)
        if process not in open_ops:
            f = rng.choice(("read", "write", "write", "cas"))
            value = None if f == "read" else rng.randrange(3) if f == "write" else [rng.randrange(3), rng.randrange(3)]
            open_ops[process] = (f, value)
            events.append(Event(process, "invoke", f, value))
        else:
            f, value = open_ops.pop(process)
            kind = rng.choice(("ok", "ok", "ok", "info", "fail" if f == "cas" else "ok"))
            events.append(Event(process, kind, f, rng.randrange(3) if f == "read" else value))
    return pair(events)


def legal(order, spec) -> bool:
    """Whether the specification accepts the operations in this order, from its initial state."""
    state = spec.init()
    for op in order:
        state = spec.step(state, op)
        if state is REFUSED:
            return False
    return True
