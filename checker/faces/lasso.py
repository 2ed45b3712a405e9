"""A liveness counterexample's end, worded once for every face: where its run loops back to, what
it repeats forever, and whether its loop closes (its last state is the state it loops back to).

A lasso with loop_start = k and last step n (checker/trace.py) repeats steps k+1..n forever;
when k == n it stays at step n forever, since no fair step is enabled there.
"""
from checker.trace import Trace

NO_FAIR_STEP = "no fair step is enabled"


def closes(trace: Trace) -> bool:
    """Whether `trace` is a lasso whose last state is the state at its loop_start (a run that can repeat)."""
    k = trace.loop_start
    return k is not None and 0 <= k < len(trace.steps) and trace.steps[k].state == trace.last


def cycle_steps(trace: Trace) -> str:
    """One turn of the cycle as step numbers: 'steps 4..6', or 'step 4' for a cycle of one step."""
    first, last = trace.loop_start + 1, len(trace)
    return f"step {last}" if first == last else f"steps {first}..{last}"


def forever(trace: Trace) -> str:
    """What the run does after its last step: 'repeats steps 4..6 forever' or 'stays at step 2 forever'."""
    if trace.stays_forever:
        return f"stays at step {trace.loop_start} forever"
    return f"repeats {cycle_steps(trace)} forever"


def loop_back(trace: Trace) -> str:
    """What follows a lasso's last step, in a few words: 'loops back to step 3' or 'stays at step 2 forever'."""
    return forever(trace) if trace.stays_forever else f"loops back to step {trace.loop_start}"


def after_last_step(trace: Trace) -> str:
    """Why the run goes on past its last step: the steps it repeats, or that it cannot leave its last state."""
    return f"{NO_FAIR_STEP} there" if trace.stays_forever else f"the run {forever(trace)}"
