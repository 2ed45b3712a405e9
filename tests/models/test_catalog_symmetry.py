"""Symmetry reduction across the catalog: for every actor model in models.MODELS, a small configuration
searched with symmetry on and off reaches the same verdict for every property, finds discoveries of
the same (shortest) length, and never explores more states with symmetry.

A new actor model must add its small configurations to SMALL (a few seconds at most, both ways);
run with `-s` to see each reduction factor.
"""
import pytest

from checker import check
from checker.verdict import StopReason
from checker.actors.system import ActorModel
from checker.actors.faults import FaultBudget
from models import MODELS

SMALL = {  # model name -> option sets, each exhaustive in about a second with symmetry off
    "bank-transfer": [
        dict(transfers=1),  # every property holds
        dict(transfers=1, bug="no-recovery-log"),  # money_conserved violated
    ],
    "cap": [
        dict(faults=FaultBudget()),  # every safety property holds (no partition: the partition witnesses not applicable)
        dict(mode="ap"),  # linearizable violated
    ],
    "leader-follower": [
        dict(clients=1),  # every property holds: 120 states with symmetry, 209 without
        dict(clients=1, ack="async"),  # durable, linearizable, read_your_writes violated
        dict(clients=1, ack="semi-sync", promote="any"),  # durable violated
    ],
    "quorum": [
        dict(reads=1, faults=FaultBudget()),  # linearizable holds
        dict(r=1, w=1, reads=1, faults=FaultBudget()),  # linearizable violated (the stale read)
    ],
    "multi-leader": [
        dict(faults=FaultBudget()),  # every property holds
        dict(faults=FaultBudget(skew=1)),  # later_write_wins violated
    ],
    "2pc-actors": [
        dict(participants=2),  # crash=1, restart=1: every property holds
        dict(participants=2, faults=FaultBudget(crash=1)),  # the blocking deadlock
        dict(participants=2, bug="skip-failed-commit"),  # atomicity violated
    ],
    "3pc": [
        dict(participants=3, faults=FaultBudget(crash=1)),  # every property holds
        dict(participants=2),  # crash=1, restart=1, drop=1 (the default): every property holds
        dict(participants=2, faults=FaultBudget(partition=1)),  # atomicity violated
    ],
    "fencing": [
        dict(faults=FaultBudget(pause=1)),  # the resource stays safe (two clients interchangeable)
        dict(faults=FaultBudget(skew=1), bug="seed-token"),  # resource_safe violated
    ],
    "redlock": [
        dict(faults=FaultBudget()),  # every property holds
        dict(faults=FaultBudget(skew=1)),  # exclusive violated
        dict(faults=FaultBudget(), bug="seed-acquire"),  # exclusive violated
    ],
    "multi-paxos": [
        dict(slots=1, faults=FaultBudget(crash=1, restart=1), max_in_flight=4),  # every property holds
        dict(slots=1, faults=FaultBudget(crash=1), max_in_flight=4, bug="minority-commit"),  # learned_only_chosen violated
    ],
    "paxos": [
        dict(faults=FaultBudget()),  # every property holds
        dict(leader="none", acceptors=2),  # the duelling lasso
        dict(faults=FaultBudget(), bug="accept-lower-ballot"),  # agreement violated
    ],
    "raft": [
        dict(nodes=3, max_term=2, max_log=1, requests=1, elections="when-quiet", faults=FaultBudget()),
        dict(nodes=3, max_term=2, max_log=1, requests=1, elections="when-quiet", faults=FaultBudget(duplicate=1)),  # obsolete() under duplicates
    ],
}

ACTOR_MODELS = sorted(name for name, cls in MODELS.items() if isinstance(cls, type) and issubclass(cls, ActorModel))


def describe(options):
    return ",".join(f"{key}={value}" for key, value in options.items())


def cases():
    for name in ACTOR_MODELS:
        if not SMALL.get(name):
            yield pytest.param(name, None, id=f"{name}-MISSING")
        for options in SMALL.get(name, []):
            yield pytest.param(name, options, id=f"{name}-{describe(options)}")


@pytest.mark.parametrize(("name", "options"), list(cases()))
def test_symmetry_keeps_every_verdict_and_never_adds_states(name, options):
    if options is None:
        pytest.fail(f"actor model {name!r} is in models.MODELS but has no small configuration in SMALL "
                    f"({__file__}): add one that is exhaustive in about a second without symmetry")
    try:
        models = {symmetry: MODELS[name](symmetry=symmetry, **options) for symmetry in (True, False)}
    except Exception as error:  # an option renamed or removed since SMALL was written
        pytest.fail(f"{name}: SMALL's configuration {describe(options)} no longer builds: {error}")
    on, off = (check(models[symmetry], stop_on_first_violation=False) for symmetry in (True, False))
    decided = (StopReason.ALL_DECIDED,)  # every verdict final (violations shortest, witnesses found): the search may end early
    assert all(r.stop.is_complete or r.stop in decided for r in (on, off)), f"{name} {describe(options)}: not exhaustive ({on.stop}, {off.stop})"
    verdicts = {p.name: (p.verdict, len(p.trace.labels()) if p.trace else None) for p in off.properties}
    assert {p.name: (p.verdict, len(p.trace.labels()) if p.trace else None) for p in on.properties} == verdicts
    factor = off.stats.distinct / on.stats.distinct
    print(f"\n{name} {describe(options)}: {off.stats.distinct:,} states without symmetry, {on.stats.distinct:,} with "
          f"(reduction x{factor:.2f})")
    assert factor >= 1 or on.stop in decided, f"{name} {describe(options)}: symmetry explored more states ({on.stats.distinct:,} > {off.stats.distinct:,})"


def test_small_names_only_actor_models_of_the_catalog():
    """A stale entry (a model renamed, removed, or not an actor model) fails instead of silently testing nothing."""
    assert sorted(set(SMALL) - set(ACTOR_MODELS)) == []
