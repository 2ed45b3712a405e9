"""Checking the shortcuts a model hands the engine, on the first states of every run.

A model may give the engine a fast `next_states` (the successors without labels) and a symmetry
`representative`. The engine trusts both on every state, so a wrong one silently hides states:
the worst answer a checker can give. On the first AUDITED states of each run, and on one state
in LATER after them (cheap: two or three extra expansions each), the engine checks that:
- `next_states(s)` equals the states of `successors(s)`, in the same order;
- `representative(s)`, when it is a state (it may instead be a key for the class, which only the
  model can vouch for), lies in the symmetry class of `s` as far as the engine can see: the same
  verdict for every state property, as many successors, and the same verdicts over them;
- where the model can say exactly (actor models: `check_symmetry`), renaming interchangeable
  nodes renames the successors and changes no property.
A failed check stops the search with a definition error and the trace to the state.
"""
from typing import Any

from checker.errors import FalseShortcut
from checker.model import ModelView
from checker.properties import Kind

AUDITED = 256  # states checked at the start of every run
LATER = 1024   # after them, one state in LATER is checked (deep states can break a shortcut too)


class ShortcutAudit:
    """Checks the model's shortcuts on the first AUDITED states a search judges."""

    def __init__(self, view: ModelView):
        self.view = view
        self.enabled = view.has_fast_path or view.has_symmetry
        self.left = AUDITED if self.enabled else 0
        self.judged = 0
        self.state_properties = [p for p in view.all_properties if p.kind in (Kind.ALWAYS, Kind.SOMETIMES)]

    def due(self, count: int) -> list[int]:
        """Which of the next `count` judged states to audit (positions among them)."""
        first = list(range(min(count, self.left)))
        self.left -= len(first)
        later = list(range(len(first) + (-self.judged - len(first)) % LATER, count, LATER)) if self.enabled else []
        self.judged += count
        return first + later

    def audit(self, state: Any) -> None:
        """Check the shortcuts on one state; raises FalseShortcut when one is wrong."""
        view = self.view
        labelled = list(view.successors(state))
        if view.has_fast_path:
            fast = view.next_states(state)
            slow = [nxt for _label, nxt in labelled]
            if fast != slow:
                raise FalseShortcut(f"next_states differs from successors here: {_first_difference(fast, slow, labelled)}; "
                                    "the engine expands states with next_states, so it would search a different graph")
        if view.has_symmetry:
            self._audit_representative(state, labelled)

    def _audit_representative(self, state: Any, labelled: list[tuple[Any, Any]]) -> None:
        view = self.view
        rep = view.representative(state)
        check_symmetry = getattr(view.model, "check_symmetry", None)
        if check_symmetry is not None:
            check_symmetry(state)
        if type(rep) is not type(state):
            return  # a key for the class rather than a member of it: only the model can say more
        for prop in self.state_properties:
            if bool(prop.check(rep)) != bool(prop.check(state)):
                raise FalseShortcut(f"representative leaves the state's symmetry class: {prop.name} is "
                                    f"{bool(prop.check(state))} here and {bool(prop.check(rep))} on the representative")
        for _label, nxt in labelled:
            rep_of_next = view.representative(nxt)
            if any(bool(prop.check(rep_of_next)) != bool(prop.check(nxt)) for prop in self.state_properties):
                raise FalseShortcut(f"representative leaves the state's symmetry class: after {_label}, a property "
                                    "has another value on the representative than on the state")
        there = list(view.successors(rep))
        if len(there) != len(labelled) or self._verdicts(labelled) != self._verdicts(there):
            raise FalseShortcut(f"representative leaves the state's symmetry class: this state has {len(labelled)} successors "
                                f"and its representative {len(there)}, or their properties differ")

    def _verdicts(self, steps: list[tuple[Any, Any]]) -> list[tuple[bool, ...]]:
        """The state properties' values on each successor, as a sorted list (symmetry permutes successors)."""
        return sorted(tuple(bool(p.check(nxt)) for p in self.state_properties) for _label, nxt in steps)


def _first_difference(fast: list[Any], slow: list[Any], labelled: list[tuple[Any, Any]]) -> str:
    """Where the fast successors first differ from the labelled ones, in words."""
    for i, (a, b) in enumerate(zip(fast, slow)):
        if a != b:
            return f"successor {i} ({labelled[i][0]}) is not the same state"
    return f"next_states gives {len(fast)} successors and successors gives {len(slow)}"
