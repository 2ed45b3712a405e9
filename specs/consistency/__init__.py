"""Consistency of client histories: read a history (etcd Jepsen log, Porcupine kv, Knossos EDN,
the project's JSON, or the actor layer's events), pair it into operations, and check it against
an object's sequential specification (register, cas-register, kv) for linearizability,
sequential consistency, causal consistency, read-your-writes or monotonic reads."""
from specs.consistency.causal import BadPattern, CausalConsistency, check_causal
from specs.consistency.history import ANY, FAILED, INDETERMINATE, NEVER, OK, Event, HistoryError, Operation, pair
from specs.consistency.linearizability import Linearizability, Witness, check_linearizable
from specs.consistency.objects import REFUSED, CasRegister, KeyValue, Register, object_named
from specs.consistency.formats.readers import FORMATS, events_from_actor, guess_format, read_history
from specs.consistency.sequential import SequentialConsistency, check_sequential
from specs.consistency.sessions import SessionGuarantee, Violation, check_monotonic_reads, check_read_your_writes, check_session

__all__ = ["ANY", "FAILED", "INDETERMINATE", "NEVER", "OK", "Event", "HistoryError", "Operation", "pair",
           "Linearizability", "Witness", "check_linearizable", "REFUSED", "CasRegister", "KeyValue", "Register",
           "object_named", "FORMATS", "events_from_actor", "guess_format", "read_history",
           "SequentialConsistency", "check_sequential", "SessionGuarantee", "Violation", "check_monotonic_reads",
           "check_read_your_writes", "check_session", "BadPattern", "CausalConsistency", "check_causal"]
