"""Three-valued verdicts and the reasons a search stops, defined once for every engine."""
import enum


class Verdict(enum.Enum):
    """What a search can say about one property."""

    HOLDS = "HOLDS"
    VIOLATED = "VIOLATED"
    UNKNOWN = "UNKNOWN"
    NOT_REACHED = "NOT REACHED"        # a witness no state reached in an exhaustive search: a failure
    NOT_APPLICABLE = "NOT APPLICABLE"  # a witness that needs a fault the budget leaves out: fails nothing
    PROVED = "PROVED"                  # Z3: inductive, so it holds in every reachable state, at any depth
    NOT_INDUCTIVE = "NOT INDUCTIVE"    # Z3: a counterexample to induction whose state no run was found to reach
    NOT_JUDGED = "NOT JUDGED"          # a property the strategy does not judge (prove and bmc judge encoded invariants)

    @property
    def fails(self) -> bool:
        """True for the verdicts that make a run exit 1."""
        return self in (Verdict.VIOLATED, Verdict.NOT_REACHED)


class StopReason(enum.Enum):
    """Why a search ended; only EXHAUSTED lets safety properties HOLD."""

    EXHAUSTED = "explored every reachable state"
    ALL_DECIDED = "every property was decided"
    FIRST_VIOLATION = "stopped at the first violation"
    DEPTH_LIMIT = "depth limit reached"
    STATE_LIMIT = "state limit reached"
    TIME_LIMIT = "time limit reached"
    INTERRUPTED = "interrupted (Ctrl-C)"
    TERMINATED = "terminated (SIGTERM)"
    MODEL_ERROR = "the model raised an error"
    SIMULATION_DONE = "simulation budget spent (random runs are never exhaustive)"
    INDUCTION_DONE = "every judged invariant was checked for induction"
    BOUND_DONE = "bounded model checking reached its depth or decided every invariant"

    @property
    def is_complete(self) -> bool:
        """True when every reachable state (within the model's own constraint) was seen."""
        return self is StopReason.EXHAUSTED
