"""Liveness (checker/engine/liveness/): `eventually` and `leads_to` under weak, strong and no fairness,
with faults, the model's own bounds, a state constraint and symmetry, judged on tiny graphs whose
answers are worked out by hand in each test's comment (liveness_graphs.py holds the models).

Every counterexample is asserted exactly: its actions, its states and where it loops back to
(`loop_start`; a run that stays in its last state forever loops back to its last step). The
lasso is the one nearest to an initial state: the shortest way in, then one turn of a fair cycle
from where the way in ends. Graphs are written `0 -a-> 1`: state 0 has a step of action `a` to
state 1; every action is weakly fair unless the test says otherwise.
"""
import re

import pytest

from checker import StopReason, Verdict, check
from checker.engine.parallel import coordinator as parallel
from liveness_graphs import Live, Panel, Ring, StrongSwitches, Switches, SymmetricRing, TaggedRing

HOLDS, VIOLATED, UNKNOWN = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN


def judged(model, **options):
    """The result of the model's one liveness property."""
    result = check(model, **options)
    [prop] = result.properties
    return prop


def lasso(prop):
    """A counterexample as (actions, states, loop_start)."""
    trace = prop.trace
    return trace.labels(), [step.state for step in trace.steps], trace.loop_start


def entry(prop) -> int:
    """The step from which the note says the property judges the run (leads_to's p, or the part after the last fault)."""
    found = re.search(r"(?:p holds at|no fault after) step (\d+)", prop.note)
    assert found, prop.note
    return int(found.group(1))


def cuts(note: str) -> tuple[int, int]:
    """From a HOLDS note: (where a run would stay forever but for the model's bound, states with a
    fair step beyond the state constraint); 0 when the note names none."""
    bound = re.search(r"(\d+) where a run would stay forever but for the model's bound \(the last round\)", note)
    beyond = re.search(r"(\d+) states? with a fair step beyond the state constraint \(the listed states\)", note)
    return int(bound.group(1)) if bound else 0, int(beyond.group(1)) if beyond else 0


# Fair cycles

def fair_cycle():
    """0 -a-> 1 -b-> 2 -c-> 1, 0 -g-> 3 (the goal): a run may take a and cycle on b, c forever."""
    return Live({0: [("a", 1), ("g", 3)], 1: [("b", 2)], 2: [("c", 1)]}, goal=[3])


def test_a_fair_cycle_that_avoids_the_goal_is_a_lasso():
    """A fair cycle away from the goal: violated, by the lasso a, then b, c forever from step 1."""
    prop = judged(fair_cycle())
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()", "c()"], [0, 1, 2, 1], 1)
    assert not prop.trace.stays_forever


def test_the_nearest_fair_cycle_is_the_counterexample():
    """Of two fair cycles (the farther one's action listed first), the lasso goes to the nearer one."""
    # 0 -d-> 4 -e-> 5 -f-> 6 -h-> 5 enters its cycle after 2 steps; 0 -a-> 1 -b-> 2 -c-> 1 after 1.
    model = Live({0: [("d", 4), ("a", 1)], 1: [("b", 2)], 2: [("c", 1)], 4: [("e", 5)], 5: [("f", 6)], 6: [("h", 5)]},
                 goal=[3])
    prop = judged(model)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()", "c()"], [0, 1, 2, 1], 1)


def test_the_lasso_starts_at_the_initial_state_that_fails():
    """Of two initial states, one reaching the goal, the lasso starts at the other one."""
    # 0 -g-> 1 (the goal); 5 -a-> 6 -b-> 5 never reaches it.
    prop = judged(Live({0: [("g", 1)], 5: [("a", 6)], 6: [("b", 5)]}, goal=[1], init=(0, 5)))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [5, 6, 5], 0)


def test_a_weak_exit_enabled_all_along_the_cycle_is_taken():
    """0 -a-> 1 -b-> 0 with the weak exit go enabled at 0 and at 1: the cycle is unfair, so it holds."""
    prop = judged(Live({0: [("a", 1), ("go", 2)], 1: [("b", 0), ("go", 2)]}, goal=[2]))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"


def test_the_lasso_cycle_visits_a_state_where_the_weak_exit_is_disabled():
    """w (weak, to the goal) is enabled at 0 and 1, not at 2: the fair cycle is 0 -a-> 1 -c-> 2 -d-> 0, not 0 -a-> 1 -b-> 0."""
    prop = judged(Live({0: [("a", 1), ("w", 9)], 1: [("b", 0), ("c", 2), ("w", 9)], 2: [("d", 0)]}, goal=[9]))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "c()", "d()"], [0, 1, 2, 0], 0)


# Intermittently enabled exits: weak, strong, unfair

def intermittent(go: str) -> Live:
    """0 -a-> 1 -b-> 0, and 1 -go-> 2 (the goal): go is enabled at 1 only, every other step."""
    return Live({0: [("a", 1)], 1: [("b", 0), ("go", 2)]}, goal=[2], fair={"go": go})


def test_a_weak_exit_enabled_intermittently_is_not_forced():
    """A weak task enabled only at every other state of a cycle need never be taken: violated."""
    prop = judged(intermittent("weak"))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 0], 0)


def test_a_strong_exit_enabled_intermittently_is_taken():
    """A strongly fair action enabled infinitely often is taken: holds."""
    prop = judged(intermittent("strong"))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"


def test_a_strong_exit_does_not_force_a_cycle_that_avoids_it():
    """A strong exit enabled at 1 rules out cycles through 1, not the cycle 0 -c-> 2 -d-> 0 beside them."""
    # One component {0, 1, 2}: go (strong) is enabled at 1 and never taken inside, so 1 is removed
    # and {0, 2} is judged again: a fair cycle on which go is never enabled.
    model = Live({0: [("a", 1), ("c", 2)], 1: [("b", 0), ("go", 3)], 2: [("d", 0)]}, goal=[3], fair={"go": "strong"})
    prop = judged(model)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["c()", "d()"], [0, 2, 0], 0)


def test_an_unfair_exit_is_never_forced():
    """An unfair exit enabled at every state of a cycle need never be taken: violated."""
    prop = judged(Live({0: [("a", 1), ("go", 2)], 1: [("b", 0), ("go", 2)]}, goal=[2], fair={"go": "unfair"}))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 0], 0)


def test_a_state_whose_only_step_is_unfair_is_a_dead_end():
    """0 -skip-> 1 (the goal) with skip unfair: the run may stay at the initial state forever."""
    prop = judged(Live({0: [("skip", 1)]}, goal=[1], fair={"skip": "unfair"}))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == ([], [0], 0)
    assert prop.trace.stays_forever


# Stuttering and dead ends

def test_a_state_whose_only_step_is_a_self_loop_is_a_dead_end():
    """0 -a-> 1 -spin-> 1: a step to the same state is stuttering, so the run stays at 1 forever."""
    prop = judged(Live({0: [("a", 1)], 1: [("spin", 1)]}, goal=[2]))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()"], [0, 1], 1)
    assert prop.trace.stays_forever


def test_a_self_loop_beside_a_weak_exit_is_not_a_cycle():
    """0 -spin-> 0 and 0 -go-> 1 (the goal): spinning is stuttering, so the weak exit go is taken."""
    prop = judged(Live({0: [("spin", 0), ("go", 1)]}, goal=[1]))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"


def test_a_stuttering_step_does_not_enable_its_task():
    """Task x stutters at 0 and leads to the goal from 1: on the cycle 0 -a-> 1 -b-> 0 it is enabled at 1 only."""
    prop = judged(Live({0: [("a", 1), ("x", 0)], 1: [("b", 0), ("x", 2)]}, goal=[2]))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 0], 0)


def test_a_dead_end_stays_forever():
    """0 -a-> 1 -b-> 2, and 2 has no step: the run stays at step 2 forever (0 -g-> 3 reaches the goal)."""
    prop = judged(Live({0: [("a", 1), ("g", 3)], 1: [("b", 2)]}, goal=[3]))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 2], 2)
    assert prop.trace.stays_forever


# The model's own bounds (cut_by_bounds) and search limits

def cut_cycle():
    """0 -a-> 1 -b-> 2 -c-> 1 with the bounds cutting a step at 1 and at 2: no run is judged there."""
    return Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 1)]}, goal=[9], cut=[1, 2])


def test_a_cycle_cut_by_the_bounds_everywhere_holds_and_is_counted():
    """A cycle whose every state is cut by the model's bounds: holds, one place counted in the note."""
    prop = judged(cut_cycle())
    assert prop.verdict is HOLDS
    assert prop.note.startswith("on every fair run within the bounds")
    assert cuts(prop.note) == (1, 0)


def test_a_dead_end_cut_by_the_bounds_holds_and_is_counted():
    """0 -a-> 1 with 1 cut by the model's bound and no step there: not a dead end, one place counted."""
    prop = judged(Live({0: [("a", 1)]}, goal=[9], cut=[1]))
    assert prop.verdict is HOLDS
    assert cuts(prop.note) == (1, 0)


def test_a_cut_cycle_that_fairness_leaves_anyway_is_not_counted():
    """A cut cycle whose weak exit go is enabled at all its states is left by fairness: holds, no cut counted."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2), ("go", 9)], 2: [("c", 1), ("go", 9)]}, goal=[9], cut=[1, 2]))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"


def test_a_cycle_cut_at_some_states_is_judged_through_an_uncut_one():
    """A component cut at 1 and 2 but not at 3: violated, by a cycle through 3."""
    # 0 -a-> 1, 1 -d-> 3 -e-> 1, 1 -b-> 2 -c-> 1; the cycle 1 -d-> 3 -e-> 1 is fair (no task is
    # enabled at both 1 and 3) and visits 3, where the bounds cut nothing.
    model = Live({0: [("a", 1)], 1: [("d", 3), ("b", 2)], 2: [("c", 1)], 3: [("e", 1)]}, goal=[9], cut=[1, 2])
    prop = judged(model)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "d()", "e()"], [0, 1, 3, 1], 1)


def test_a_cycle_cut_at_some_states_has_a_shortest_lasso():
    """As above with 1's steps listed b first: the shortest lasso is still a, then d, e forever from step 1."""
    # The engine's lasso is a, b, c, d, e (loop 1): valid and fair, but b, c is a detour, since
    # the cycle must visit 3 anyway and visiting 3 also meets the duty b's step met.
    model = Live({0: [("a", 1)], 1: [("b", 2), ("d", 3)], 2: [("c", 1)], 3: [("e", 1)]}, goal=[9], cut=[1, 2])
    prop = judged(model)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "d()", "e()"], [0, 1, 3, 1], 1)


@pytest.mark.parametrize("limit", [{"max_depth": 2}, {"max_states": 2}], ids=["depth", "states"])
def test_a_search_stopped_by_a_limit_is_unknown(limit):
    """The cut cycle with a depth or state limit that stops the search before state 2: unknown."""
    result = check(cut_cycle(), **limit)
    assert result.stop in (StopReason.DEPTH_LIMIT, StopReason.STATE_LIMIT)
    [prop] = result.properties
    assert prop.verdict is UNKNOWN
    assert prop.trace is None
    assert prop.note.startswith("not judged")


def test_a_state_limit_the_graph_fits_in_judges_it():
    """A state limit of exactly the graph's 3 states lets the search finish: judged as without it."""
    prop = judged(cut_cycle(), max_states=3)
    assert prop.verdict is HOLDS
    assert cuts(prop.note) == (1, 0)


def strong_exit_cycle():
    """0 -a-> 1 -b-> 0 and 0 -g-> 3 (the goal), g strongly fair: holds; state 1 is at depth 2."""
    return Live({0: [("a", 1), ("g", 3)], 1: [("b", 0)]}, goal=[3], fair={"g": "strong"})


def test_the_strong_exit_cycle_holds_without_a_limit():
    """The graph the depth-limit tests below use holds when searched whole."""
    assert judged(strong_exit_cycle()).verdict is HOLDS


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_a_depth_limit_that_reaches_every_state_judges_as_without_it(strategy):
    """max_depth=2 reaches every state (1's only step goes back to 0): the steps at the bound are recorded, and the verdict is the same."""
    prop = judged(strong_exit_cycle(), max_depth=2, strategy=strategy)
    assert prop.verdict is HOLDS


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_a_depth_limit_that_reaches_every_state_finds_the_cycle_through_the_last_level(strategy):
    """0 -a-> 1 -b-> 0, 1 cut: a fair cycle (0 is uncut); with max_depth=2 the search still sees every state."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 0)]}, goal=[9], cut=[1]), max_depth=2, strategy=strategy)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 0], 0)


def test_a_depth_limit_that_reaches_every_state_in_parallel():
    """The parallel search at max_depth=2 judges both depth-limit graphs as without the limit."""
    assert judged(strong_exit_cycle(), max_depth=2, workers=2).verdict is HOLDS
    prop = judged(Live({0: [("a", 1)], 1: [("b", 0)]}, goal=[9], cut=[1]), max_depth=2, workers=2)
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [0, 1, 0], 0)


# leads_to

def test_p_then_never_q_is_a_lasso_entered_where_p_holds():
    """0 -a-> 1 (p) -b-> 2 -c-> 3 -d-> 2, q nowhere: violated from step 1, looping on c, d from step 2."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 3)], 3: [("d", 2)]}, leads=([1], [])))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()", "c()", "d()"], [0, 1, 2, 3, 2], 2)
    assert entry(prop) == 1


def test_a_cycle_through_p_loops_back_to_the_state_where_p_holds():
    """0 -a-> 1 (p) -b-> 2 -c-> 0, q nowhere: the lasso enters at p and loops back to it."""
    # The run 0, 1, 2, 0, 1, ... could be written in 3 steps looping back to step 0; the engine's
    # lasso starts its cycle where its way in ends, at the entry (p), so it takes 4.
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 0)]}, leads=([1], [])))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()", "c()", "a()"], [0, 1, 2, 0, 1], 1)
    assert entry(prop) == 1


def test_q_in_the_same_state_as_p_counts():
    """On the cycle 0 -a-> 1 -b-> 2 -c-> 0 with p and q both at 1: holds."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 0)]}, leads=([1], [1])))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"


def test_q_later_on_the_cycle_counts():
    """On the cycle 0 -a-> 1 -b-> 2 -c-> 0 with p at 1 and q at 0: holds (q comes two steps later)."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 0)]}, leads=([1], [0])))
    assert prop.verdict is HOLDS


def test_q_before_p_does_not_count():
    """0 (q) -a-> 1 (p) -b-> 2 -c-> 1: q held only before p, so violated from step 1."""
    prop = judged(Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 1)]}, leads=([1], [0])))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()", "c()"], [0, 1, 2, 1], 1)
    assert entry(prop) == 1


# Faults and once_faults_stop

def test_a_fault_is_never_forced():
    """0 -a-> 1 -crash-> 2 (the goal), crash a fault: the run may stay at 1 forever."""
    prop = judged(Live({0: [("a", 1)], 1: [("crash", 2)]}, goal=[2], fair={"crash": "fault"}))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()"], [0, 1], 1)
    assert prop.trace.stays_forever


def fault_into_bad_cycle(once_faults_stop: bool) -> Live:
    """0 -work-> 1 (the goal), 0 -crash-> 2 -x-> 3 -y-> 2: after the fault, the goal is out of reach."""
    return Live({0: [("work", 1), ("crash", 2)], 2: [("x", 3)], 3: [("y", 2)]}, goal=[1], fair={"crash": "fault"},
                once_faults_stop=once_faults_stop)


def test_a_fault_into_a_bad_cycle_violates_eventually():
    """Without the option, the fault then the cycle x, y forever is a fair run that misses the goal."""
    prop = judged(fault_into_bad_cycle(False))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["crash()", "x()", "y()"], [0, 2, 3, 2], 1)


def test_a_fault_into_a_bad_cycle_violates_once_faults_stop():
    """With once_faults_stop, the state after the fault is an entry: the run after it must reach the goal, and does not."""
    prop = judged(fault_into_bad_cycle(True))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["crash()", "x()", "y()"], [0, 2, 3, 2], 1)
    assert entry(prop) == 1


def goal_then_fault(once_faults_stop: bool) -> Live:
    """0 -work-> 1 (the goal) -crash-> 2 -x-> 3 -y-> 2: the goal is reached only before the fault."""
    return Live({0: [("work", 1)], 1: [("crash", 2)], 2: [("x", 3)], 3: [("y", 2)]}, goal=[1], fair={"crash": "fault"},
                once_faults_stop=once_faults_stop)


def test_the_goal_before_a_fault_counts_without_the_option():
    """Every fair run reaches the goal at step 1 (work is the only step from 0): holds."""
    assert judged(goal_then_fault(False)).verdict is HOLDS


def test_the_goal_before_the_last_fault_does_not_count_once_faults_stop():
    """With once_faults_stop, the goal must come after the last fault: violated from step 2."""
    prop = judged(goal_then_fault(True))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["work()", "crash()", "x()", "y()"], [0, 1, 2, 3, 2], 2)
    assert entry(prop) == 2


def test_a_dead_end_after_a_fault_violates_once_faults_stop():
    """0 -work-> 1 (the goal), 0 -crash-> 2 with no step at 2: the run after the fault stays at 2 forever."""
    prop = judged(Live({0: [("work", 1), ("crash", 2)]}, goal=[1], fair={"crash": "fault"}, once_faults_stop=True))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["crash()"], [0, 2], 1)
    assert prop.trace.stays_forever
    assert entry(prop) == 1


def crash_and_recover(once_faults_stop: bool) -> Live:
    """0 -crash-> 1 -recover-> 0 and 0 -work-> 2 (the goal): going round needs the fault crash every time."""
    return Live({0: [("work", 2), ("crash", 1)], 1: [("recover", 0)]}, goal=[2], fair={"crash": "fault"},
                once_faults_stop=once_faults_stop)


def test_a_cycle_of_faults_violates_without_the_option():
    """Crashing and recovering forever is fair (work is enabled at 0 only): violated."""
    prop = judged(crash_and_recover(False))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["crash()", "recover()"], [0, 1, 0], 0)


def test_a_cycle_that_needs_a_fault_is_no_counterexample_once_faults_stop():
    """With once_faults_stop, a cycle that needs a fault to go round is not judged: holds."""
    prop = judged(crash_and_recover(True))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run once faults stop"


def request_with_crash(once_faults_stop: bool) -> Live:
    """0 -req-> 1 (p), 1 -serve-> 3 (q), 1 -crash-> 2 -restart-> 1: the request is lost only by crashing again and again."""
    return Live({0: [("req", 1)], 1: [("serve", 3), ("crash", 2)], 2: [("restart", 1)]}, leads=([1], [3]),
                fair={"crash": "fault"}, once_faults_stop=once_faults_stop)


def test_leads_to_with_a_cycle_of_faults_violates_without_the_option():
    """p at 1, then crash and restart forever: violated from step 1."""
    prop = judged(request_with_crash(False))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["req()", "crash()", "restart()"], [0, 1, 2, 1], 1)
    assert entry(prop) == 1


def test_leads_to_with_a_cycle_that_needs_a_fault_holds_once_faults_stop():
    """With once_faults_stop, p at 1 with no fault after it is followed by serve: holds."""
    prop = judged(request_with_crash(True))
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run once faults stop"


# The state constraint (within_boundary). The states here are 3, 4 (inside) and 5 (outside): see
# test_a_state_constraint_with_negative_fingerprints for why not 0, 1 and 2.

def test_a_weak_exit_beyond_the_state_constraint_counts_as_enabled():
    """3 -a-> 4 -b-> 3, with go to 5 (outside the constraint) at 3 and at 4: the cycle is unfair; 2 states counted."""
    prop = judged(Live({3: [("a", 4), ("go", 5)], 4: [("b", 3), ("go", 5)]}, goal=[5], init=(3,), inside=[3, 4]))
    assert prop.verdict is HOLDS
    assert prop.note.startswith("on every fair run within the bounds")
    assert cuts(prop.note) == (0, 2)


def test_a_state_whose_only_step_leaves_the_constraint_is_no_dead_end():
    """3 -a-> 4 -go-> 5 with 5 outside the constraint: a fair step is enabled at 4; holds, 1 state counted."""
    prop = judged(Live({3: [("a", 4)], 4: [("go", 5)]}, goal=[9], init=(3,), inside=[3, 4]))
    assert prop.verdict is HOLDS
    assert cuts(prop.note) == (0, 1)


def test_an_intermittent_exit_beyond_the_state_constraint_is_not_forced():
    """3 -a-> 4 -b-> 3 with go to 5 (outside) at 4 only: the cycle is fair, violated."""
    prop = judged(Live({3: [("a", 4)], 4: [("b", 3), ("go", 5)]}, goal=[5], init=(3,), inside=[3, 4]))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["a()", "b()"], [3, 4, 3], 0)


def test_a_state_constraint_with_negative_fingerprints():
    """The weak exit beyond the constraint with states 0, 1 (both fingerprints negative) and 2: holds, 2 states counted."""
    prop = judged(Live({0: [("a", 1), ("go", 2)], 1: [("b", 0), ("go", 2)]}, goal=[2], inside=[0, 1]))
    assert prop.verdict is HOLDS
    assert cuts(prop.note) == (0, 2)


# Symmetry: the ring with and without its rotation symmetry (liveness_graphs.Ring)

START = (0, (False, False, False))


@pytest.mark.parametrize("ring", [Ring, SymmetricRing], ids=["plain", "symmetric"])
def test_a_token_going_round_forever_violates_weak_service(ring):
    """Weak serve: passing the token round and round is fair (serve(i) is enabled at one state in three)."""
    prop = judged(ring("weak"))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["pass_token(i=0)", "pass_token(i=1)", "pass_token(i=2)"],
                           [START, (1, START[1]), (2, START[1]), START], 0)


@pytest.mark.parametrize("ring", [Ring, SymmetricRing], ids=["plain", "symmetric"])
def test_a_token_going_round_forever_is_served_strongly(ring):
    """Strong serve: each node's serve is enabled infinitely often, so it is taken: holds."""
    result = check(ring("strong"))
    [prop] = result.properties
    assert prop.verdict is HOLDS
    assert result.stats.distinct == (8 if ring is SymmetricRing else 24)


def test_symmetric_candidates_refuted_once_concrete_are_counted():
    """Strong serve with symmetry: the 3 components of representatives (0, 1 and 2 served) are candidates, none fair
    once concrete; a refuted candidate proves nothing (representatives need not be canonical), so the concrete graph decides."""
    prop = judged(SymmetricRing("strong"))
    assert prop.note == ("on every fair run (judged on 24 concrete states: 3 candidate cycles found on symmetry "
                         "representatives were not a fair run once made concrete)")


@pytest.mark.parametrize("ring", [Ring, SymmetricRing], ids=["plain", "symmetric"])
def test_a_token_that_need_not_move_stays_after_one_service(ring):
    """Strong serve, unfair pass_token: after serve(i=0) no fair step is enabled, so the run stays there."""
    prop = judged(ring("strong", "unfair"))
    assert prop.verdict is VIOLATED
    assert lasso(prop) == (["serve(i=0)"], [START, (0, (True, False, False))], 1)
    assert prop.trace.stays_forever


def test_a_symmetric_candidate_whose_concrete_fingerprints_are_all_negative():
    """The tagged ring (tag 24) is the ring under another name: the same weak-service lasso, with the tag."""
    prop = judged(TaggedRing(24))
    assert prop.verdict is VIOLATED
    assert lasso(prop)[0] == ["pass_token(i=0)", "pass_token(i=1)", "pass_token(i=2)"]


# The same answers by depth-first search and by parallel workers

CASES = {
    "fair_cycle": fair_cycle,
    "weak_intermittent": lambda: intermittent("weak"),
    "strong_intermittent": lambda: intermittent("strong"),
    "strong_avoided": lambda: Live({0: [("a", 1), ("c", 2)], 1: [("b", 0), ("go", 3)], 2: [("d", 0)]}, goal=[3],
                                   fair={"go": "strong"}),
    "dead_end": lambda: Live({0: [("a", 1), ("g", 3)], 1: [("b", 2)]}, goal=[3]),
    "self_loop": lambda: Live({0: [("a", 1)], 1: [("spin", 1)]}, goal=[2]),
    "cut_cycle": cut_cycle,
    "partly_cut": lambda: Live({0: [("a", 1)], 1: [("d", 3), ("b", 2)], 2: [("c", 1)], 3: [("e", 1)]}, goal=[9], cut=[1, 2]),
    "leads_to": lambda: Live({0: [("a", 1)], 1: [("b", 2)], 2: [("c", 3)], 3: [("d", 2)]}, leads=([1], [])),
    "goal_then_fault": lambda: goal_then_fault(True),
    "crash_and_recover": lambda: crash_and_recover(True),
    "constraint": lambda: Live({3: [("a", 4), ("go", 5)], 4: [("b", 3), ("go", 5)]}, goal=[5], init=(3,), inside=[3, 4]),
    "ring_weak": lambda: SymmetricRing("weak"),
    "ring_strong": lambda: SymmetricRing("strong"),
}


def outcome(prop):
    """What must not depend on the strategy or the number of workers."""
    return prop.verdict, prop.note, None if prop.trace is None else lasso(prop)


@pytest.mark.parametrize("case", sorted(CASES))
def test_depth_first_search_gives_the_same_answer(case):
    """Each tiny case gives the same verdict, note and lasso by depth-first search as by breadth-first."""
    assert outcome(judged(CASES[case](), strategy="dfs")) == outcome(judged(CASES[case]()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_parallel_workers_give_the_same_answer(case, monkeypatch):
    """Each tiny case gives the same verdict, note and lasso with 2 workers splitting after the initial states."""
    monkeypatch.setattr(parallel, "SPLIT_AT", 1)
    assert outcome(judged(CASES[case](), workers=2)) == outcome(judged(CASES[case]()))


ALL_ON = frozenset(range(Switches.N))


@pytest.mark.parametrize("options", [{}, {"strategy": "dfs"}, {"workers": 2}], ids=["bfs", "dfs", "workers2"])
def test_a_graph_split_among_workers_has_the_same_lasso(options):
    """Switches (8,194 states, split at its level of 1,287): every switch on, then ping, pong forever: violated."""
    result = check(Switches(), **options)
    assert result.stats.distinct == 2 ** Switches.N + 2
    [prop] = result.properties
    labels, states, loop = lasso(prop)
    assert prop.verdict is VIOLATED
    assert loop == Switches.N
    # Any order of turning the switches on is a shortest way in; which one depends on the search.
    assert sorted(labels[:Switches.N]) == sorted(f"turn_on(i={i})" for i in range(Switches.N))
    assert labels[Switches.N:] == ["ping()", "pong()"]
    assert states[Switches.N:] == [Panel(ALL_ON, "ping"), Panel(ALL_ON, "pong"), Panel(ALL_ON, "ping")]


@pytest.mark.parametrize("options", [{}, {"strategy": "dfs"}, {"workers": 2}], ids=["bfs", "dfs", "workers2"])
def test_a_graph_split_among_workers_holds_with_a_strong_exit(options):
    """StrongSwitches: finish is strongly fair and enabled at every pong, so the panel finishes: holds."""
    prop = judged(StrongSwitches(), **options)
    assert prop.verdict is HOLDS
    assert prop.note == "on every fair run"
