"""Hypothesis settings profiles for stateful tests: quick for every run (200 runs of up to 60
steps), deep for long runs (5,000 of up to 300), ci for deterministic ones (100, derandomized).

    pytest --checker-profile deep            # the pytest plugin (checker/testing/plugin.py)
    check raft --strategy hypothesis         # the quick profile, seeded with --seed

Profiles are Hypothesis's own (`settings.register_profile`): the example database (failing
runs saved under .hypothesis/ and replayed first), shrinking and health checks work as usual;
only the deadline is off (a model step may be slow), the step count is raised, and the explain
phase is left out (its report is not shown, and it took most of a failing run: 1 s became 88 s).
A seeded run uses no database, so the same seed gives the same runs.
"""
from hypothesis import HealthCheck, Phase, Verbosity, settings

QUICK, DEEP, CI = "checker-quick", "checker-deep", "checker-ci"
_RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
_PHASES = [phase for phase in Phase if phase is not Phase.explain]  # its output is not shown, and it was most of a failing run

settings.register_profile(QUICK, max_examples=200, stateful_step_count=60, deadline=None, phases=_PHASES,
                          suppress_health_check=_RELAXED, verbosity=Verbosity.quiet)
settings.register_profile(DEEP, max_examples=5_000, stateful_step_count=300, deadline=None, phases=_PHASES,
                          suppress_health_check=_RELAXED, verbosity=Verbosity.quiet)
settings.register_profile(CI, settings.get_profile(QUICK), max_examples=100, derandomize=True, database=None)

PROFILES = {"quick": QUICK, "deep": DEEP, "ci": CI}
current = {"profile": QUICK, "seed": None}  # what the pytest plugin's options chose


def chosen(name: str | None = None) -> settings:
    """The settings of a profile by its short name (quick, deep, ci), or of the one chosen for this run."""
    return settings.get_profile(PROFILES[name] if name else current["profile"])
