"""Locks and leases: a single Redis lock, Redlock over several instances, fencing tokens, and the
deadlock of locks taken in opposite orders (the catalog's "Locks and leases")."""
