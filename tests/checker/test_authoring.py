"""Authoring: ProtocolModel classes compile to a table of ground actions and bound properties."""
from typing import ClassVar

import attrs
import pytest

from checker import DefinitionError, Kind, ProtocolModel, UsageError, action, always, check
from checker.order import in_order
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


@attrs.frozen
class Mailbox(ProtocolModel):
    """Messages sent to a set, then received: receive's domain is the set of messages sent (TLA+'s \\E m \\in msgs)."""

    name: ClassVar[str] = "mailbox"
    check_deadlock: ClassVar[bool] = False

    def init(self):
        return (frozenset(), frozenset())

    @action(q="QUORUMS")
    def send(self, s, q):
        return (s[0] | {q}, s[1]) if q not in s[0] else None

    @action(m="sent")
    def receive(self, s, m):
        return (s[0], s[1] | {m}) if m not in s[1] else None

    @action(m=lambda model, s: s[1], q=lambda model: [frozenset({1, 2})])
    def compare(self, s, m, q):
        return None  # never enabled: only its domain matters here

    QUORUMS = frozenset({frozenset({1, 2}), frozenset({2, 3}), frozenset({1, 3})})

    def sent(self, s):
        return s[0]


def test_a_domain_may_depend_on_the_state():
    """A method (self, state) or a function (model, state) as a domain: its values are found per state."""
    model = Mailbox()
    start = model.init()
    after = model.successors(start)
    labels = [str(label) for label, _nxt in after]
    assert labels == ["send(q=frozenset({1, 2}))", "send(q=frozenset({1, 3}))", "send(q=frozenset({2, 3}))"]
    sent = next(nxt for _label, nxt in model.successors(start))
    assert [str(label) for label, _nxt in model.successors(sent)][-1] == "receive(m=frozenset({1, 2}))"
    for state in reachable(model):
        assert model.next_states(state) == [nxt for _label, nxt in model.successors(state)]
    assert not model.has_ground_table and check(model).stats.distinct == 27


def test_a_domain_of_sets_is_in_a_total_order():
    """Quorums (frozensets, which Python orders by inclusion) come in one total order, however the set was built."""
    quorums = [frozenset({2, 3}), frozenset({1, 3}), frozenset({1, 2}), frozenset({1, 2, 3})]
    expected = [frozenset({1, 2}), frozenset({1, 2, 3}), frozenset({1, 3}), frozenset({2, 3})]
    assert in_order(frozenset(quorums)) == in_order(frozenset(reversed(quorums))) == in_order(quorums) == expected
    assert [str(label) for label, _nxt in Mailbox().successors(Mailbox().init())] == [
        f"send(q={q!r})" for q in in_order(Mailbox.QUORUMS)]


def test_self_cannot_name_a_parameter():
    """PlusCal's `self` as a parameter: the definition error says why and how to name it."""
    with pytest.raises(DefinitionError, match=r"`self` cannot name a parameter.*@action\(proc="):
        action(self="Procs")(lambda model, s, proc: None)
