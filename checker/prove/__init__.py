"""Z3 for what can be proved: a model's symbolic form (encoding.py), induction (induction.py),
bounded model checking (bmc.py), and the explicit engine's judgement of a counterexample to
induction (reach.py); run.py turns them into a check's result."""
from checker.prove.domains import Booleans, Domain, Enumeration, IntRange, Nodes, Quorums
from checker.prove.encoding import Encoding, Field, SymState, When, step, symbolic_form, when

__all__ = ["Booleans", "Domain", "Encoding", "Enumeration", "Field", "IntRange", "Nodes", "Quorums", "SymState", "When", "step", "symbolic_form", "when"]
