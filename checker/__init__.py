"""The checker: the model contract, authoring decorators, engines, verdicts, results and traces.

The vocabulary lives at the top of the package (model, authoring, record, states, properties,
verdict, errors, trace, result, check); the subsystems in subpackages: `engine/` (search,
store, rebuilding traces), `actors/` (actors, the actor system, networks, faults, symmetry)
and `faces/` (reports, charts, trace files, replay, programs). Everything public is
re-exported here: `from checker import check, ActorModel, ...`.
"""
from checker.actors.actor import Actor, Envelope, Event, NodeId, Out
from checker.actors.faults import FaultBudget
from checker.actors.system import ActorModel, System
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
    "Actor", "ActorModel", "Envelope", "Event", "FaultBudget", "NodeId", "Out", "System",
    "ActionLabel", "added", "CheckResult", "CheckerError", "DefinitionError", "Kind", "Model", "ModelView",
    "NondeterministicModel", "Property", "PropertyResult", "ProtocolModel", "Stats", "Step",
    "StopReason", "Trace", "TraceFileError", "UsageError", "Verdict", "action", "always", "check",
    "eventually", "leads_to", "option", "record", "sometimes", "transition", "updated",
]
