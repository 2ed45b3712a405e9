"""The fault budget: how many of each fault a run may inject, one declared value per run.

    FaultBudget.parse("crash=1,restart=1,drop=2,partition=1")

- crash: a node stops; its volatile state, timers and the messages in flight to it are lost;
- restart: a crashed node starts again with the fields its state class lists in DURABLE;
- drop: one message in flight is lost;  duplicate: one message in flight is delivered twice;
- partition: the nodes split in two sides that cannot exchange messages until `heal`
  (messages across are held, not lost); healing is free;
- pause: a node takes no steps (the rest of the system goes on) until it resumes;
- skew: a timer fires early, while messages to its node are still in flight, where the
  model's timer policy otherwise waits for them (a clock running fast, a lease expiring early).
"""
from typing import ClassVar

import attrs

from checker.errors import OptionError


@attrs.frozen
class FaultBudget:
    """How many faults of each kind one run may inject."""

    KINDS: ClassVar[tuple[str, ...]] = ("crash", "restart", "drop", "duplicate", "partition", "pause", "skew")
    crash: int = 0
    restart: int = 0
    drop: int = 0
    duplicate: int = 0
    partition: int = 0
    pause: int = 0
    skew: int = 0

    @classmethod
    def parse(cls, text: str) -> "FaultBudget":
        """`crash=1,drop=2` as a budget; one clear error for anything else."""
        counts: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, number = part.partition("=")
            name = name.strip()
            if name not in cls.KINDS:
                raise OptionError("faults", f"names an unknown fault {name!r} (known: {', '.join(cls.KINDS)})")
            if not number.strip().isdigit():
                raise OptionError("faults", f"needs a count for {name}, as in {name}=1 (got {part!r})")
            if name in counts:
                raise OptionError("faults", f"names {name} twice ({text!r}); give each fault once, as in {name}=2")
            counts[name] = int(number)
            if counts[name] > 20:
                raise OptionError("faults", f"allows {name}={counts[name]}, more than any search can cover; use at most 20")
        return cls(**counts)

    @classmethod
    def of(cls, value: "FaultBudget | str | None") -> "FaultBudget | None":
        """A budget from itself or its text form (`crash=1,drop=2`, or `none`); None stays None."""
        if isinstance(value, str):
            return cls.parse("" if value == "none" else value)
        return value

    def items(self) -> list[tuple[str, int]]:
        """The faults with a nonzero count, in declaration order."""
        return [(kind, getattr(self, kind)) for kind in self.KINDS if getattr(self, kind)]

    def describe(self) -> str:
        """`crash=1, drop=2`, or `none`."""
        return ", ".join(f"{k}={v}" for k, v in self.items()) or "none"

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.items()) or "none"

    def check_allowed(self, model_name: str, allowed: frozenset[str]) -> None:
        """Refuse faults the model says make no sense for it."""
        for kind, _count in self.items():
            if kind not in allowed:
                raise OptionError("faults", f"names {kind}, which {model_name} does not model (it allows: {', '.join(k for k in self.KINDS if k in allowed) or 'none'})")
