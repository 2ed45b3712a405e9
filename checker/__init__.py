"""The checker: the model contract, authoring decorators, engines, verdicts, results and traces."""
from checker.authoring import ProtocolModel, action, option
from checker.check import check
from checker.errors import CheckerError, DefinitionError, NondeterministicModel, TraceFileError, UsageError
from checker.model import ActionLabel, Model, ModelView
from checker.record import record
from checker.properties import Kind, Property, always, eventually, leads_to, sometimes, transition
from checker.result import CheckResult, PropertyResult, Stats
from checker.states import added, updated
from checker.trace import Step, Trace
from checker.verdict import StopReason, Verdict

__all__ = [
    "ActionLabel", "added", "CheckResult", "CheckerError", "DefinitionError", "Kind", "Model", "ModelView",
    "NondeterministicModel", "Property", "PropertyResult", "ProtocolModel", "Stats", "Step",
    "StopReason", "Trace", "TraceFileError", "UsageError", "Verdict", "action", "always", "check",
    "eventually", "leads_to", "option", "record", "sometimes", "transition", "updated",
]
