"""Authoring: ProtocolModel classes compile to a table of ground actions and bound properties."""
from typing import ClassVar

import attrs
import pytest

from checker import DefinitionError, Kind, ProtocolModel, UsageError, action, always, check
from tiny_models import Count, Lights


def reachable(model):
    seen, todo = set(model.init_states()), list(model.init_states())
    while todo:
        for _label, nxt in model.successors(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_ground_actions_in_declaration_then_domain_order():
    """One ground action per method and domain value: methods in declaration order, values in order."""
    assert [str(label) for label in Lights(n=2).ground_actions()] == [
        "switch_on(i=0)", "switch_on(i=1)", "switch_off(i=0)", "switch_off(i=1)",
    ]


def test_compiled_next_states_agree_with_successors():
    """The generated next_states gives the same states in the same order as successors, in every state."""
    model = Lights(n=3)
    states = reachable(model)
    assert len(states) == 8
    for state in states:
        assert model.next_states(state) == [nxt for _label, nxt in model.successors(state)]


def test_properties_are_bound_in_declaration_order():
    """properties() lists the decorated properties with their kinds and first docstring lines."""
    props = Lights(n=2).properties()
    assert [(p.name, p.kind) for p in props] == [
        ("not_all_on", Kind.ALWAYS), ("at_most_n", Kind.ALWAYS), ("never_off", Kind.TRANSITION), ("some_on", Kind.SOMETIMES),
    ]
    assert props[1].doc == "At most n lights are on (true)."


@pytest.mark.parametrize("n", [0, 7])
def test_option_outside_its_range_is_a_usage_error(n):
    """An option value outside its declared min..max is refused."""
    with pytest.raises(UsageError, match="^n must be between 1 and 6"):
        Lights(n=n)


def test_unknown_bug_variant_is_a_usage_error():
    """A bug name the model does not declare is refused."""
    with pytest.raises(UsageError, match="bug 'typo' is not a bug variant of lights"):
        Lights(bug="typo")


def test_action_parameters_must_match_domains():
    """An action whose parameters and domains differ is refused when the class is defined."""
    with pytest.raises(DefinitionError, match="domains are missing"):
        class _Bad(ProtocolModel):
            @action(j="LIGHT")
            def go(self, s, i):
                return s


def test_unknown_domain_attribute_is_a_definition_error():
    """A domain naming an attribute the model lacks is refused when the model is built."""
    @attrs.frozen
    class NoDomain(ProtocolModel):
        @action(i="NODES")
        def go(self, s, i):
            return s

    with pytest.raises(DefinitionError, match="'NODES'"):
        NoDomain()


def test_set_domains_are_sorted_and_subclasses_override_actions():
    """A set domain is tried in sorted order; a subclass's method replaces the base's action of that name."""
    @attrs.frozen
    class Base(ProtocolModel):
        name: ClassVar[str] = "base"
        PICK: frozenset = frozenset({3, 1, 2})

        def init(self):
            return Count(0)

        @action(v="PICK")
        def pick(self, s, v):
            return Count(v) if s.x == 0 else None

        @action
        def extra(self, s):
            return None

        @always
        def never_three(self, s):
            return s.x != 3

    @attrs.frozen
    class Child(Base):
        def extra(self, s):
            return None

    assert [str(label) for label in Base().ground_actions()] == ["pick(v=1)", "pick(v=2)", "pick(v=3)", "extra()"]
    assert [str(label) for label in Child().ground_actions()] == ["pick(v=1)", "pick(v=2)", "pick(v=3)"]
    check(Base(), properties=["never_three"]).assert_discovery("never_three", ["pick(v=3)"])
