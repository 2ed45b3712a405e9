"""Atomic commitment: TLA+'s TCommit and TwoPhase, two-phase commit as actors with a coordinator
that can crash, and three-phase commit (the catalog's "Commit protocols")."""
