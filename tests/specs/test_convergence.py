"""Convergence: equal replicas, quiescence (nothing in flight, no client operation open), the invariant
over quiescent states, and the words that name the replicas that differ."""
from checker.actors.actor import Event, NodeId
from specs.consistency.convergence import (converged, converged_when_quiescent, divergence, explain_divergence,
                                           open_operations, quiescent)

N0, N1, N2 = NodeId(0), NodeId(1), NodeId(2)


def test_replicas_are_converged_when_their_states_are_equal():
    assert converged({N0: 11, N1: 11, N2: 11})
    assert not converged({N0: 11, N1: 1, N2: 11})
    assert converged({}) and converged({N0: (1, "a")})


def test_an_operation_is_open_from_its_invocation_to_its_completion():
    history = (Event(N0, "invoke", "write", 1), Event(N1, "invoke", "write", 11), Event(N0, "return", "write", 1))
    assert open_operations(history) == [Event(N1, "invoke", "write", 11)]
    assert open_operations(history + (Event(N1, "fail", "write", 11),)) == []


def test_quiescent_means_nothing_in_flight_and_no_operation_open():
    done = (Event(N0, "invoke", "write", 1), Event(N0, "return", "write", 1))
    assert quiescent((), done) and quiescent(0) and quiescent(False, ())
    assert not quiescent(("a message",), done)
    assert not quiescent((), done[:1])


def test_the_invariant_binds_only_quiescent_states():
    apart = {N0: 11, N1: 1}
    assert converged_when_quiescent(apart, quiet=False)
    assert not converged_when_quiescent(apart, quiet=True)
    assert converged_when_quiescent({N0: 1, N1: 1}, quiet=True)


def test_the_explanation_names_the_replicas_that_differ_and_their_values():
    replicas = {N0: 11, N1: 1, N2: 11}
    assert divergence(replicas) == [(11, [N0, N2]), (1, [N1])]
    assert explain_divergence(replicas) == "replicas differ: n0 and n2 hold 11; n1 holds 1"
    assert explain_divergence({N0: 1, N1: 2, N2: 3}, describe=lambda v: f"v{v}") == (
        "replicas differ: n0 holds v1; n1 holds v2; n2 holds v3")
    assert explain_divergence({N0: 5, N1: 5}) == "all 2 replicas hold 5"
