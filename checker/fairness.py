"""Fairness: which steps every run the liveness properties judge must take, as TLA+'s WF and SF.

Each step of a model belongs to a task (by default its action label: `rm_prepare(rm=1)`, the
delivery of one message, one node's timer). A task is
- weak (WF): a run on which it stays enabled from some point on takes it again and again;
- strong (SF): a run on which it is enabled again and again takes it again and again;
- unfair: a run may never take it;
- a fault: never forced either, and a property declared `once_faults_stop` judges only the part
  of a run after its last fault.
As in TLA+, a step that changes nothing is stuttering: it neither enables nor takes a task.
Models declare fairness with a class attribute `fairness = {"name": "strong", ...}` (keys: action
names; for actor models, message classes, timers and the recoveries restart, heal, resume);
anything not named is weak, and an actor system's faults are faults.
"""
import enum

import attrs

from checker.errors import DefinitionError


class Fairness(enum.Enum):
    """How a run treats one task: forced weakly or strongly, never forced, or a fault."""

    WEAK = "weak"
    STRONG = "strong"
    UNFAIR = "unfair"
    FAULT = "fault"

    @property
    def forced(self) -> bool:
        """True for the tasks a fair run must take (weak and strong)."""
        return self in (Fairness.WEAK, Fairness.STRONG)

    @classmethod
    def named(cls, owner: str, key: str, value: str) -> "Fairness":
        """The fairness a model's `fairness` table names, refused eagerly when it names none."""
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(f.value for f in cls)
            raise DefinitionError(f"{owner}.fairness[{key!r}] is {value!r}; it must be one of {known}") from None


@attrs.frozen
class Task:
    """One task of a model: its fairness, whether every symmetry leaves it unchanged (then it is
    judged exactly on symmetry representatives), and its text for reports."""

    fairness: Fairness
    fixed: bool
    text: str
