"""Stateful testing with Hypothesis: any model as a state machine and a pytest test in one line,
the pytest plugin (`check_model` fixture, --checker-profile, --checker-seed), and conformance
testing of real code against a model."""
from checker.testing.conformance import Adapter, Divergence, conformance_test
from checker.testing.machine import ModelMachine, PropertyViolation, state_machine
from checker.testing.run import StatefulOutcome, run_stateful
from checker.testing.testcase import StatefulFailure, stateful_test

__all__ = ["Adapter", "Divergence", "conformance_test", "ModelMachine", "PropertyViolation", "StatefulFailure", "StatefulOutcome", "run_stateful", "state_machine",
           "stateful_test"]
