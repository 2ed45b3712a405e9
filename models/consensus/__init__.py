"""Consensus: Raft (election, replication, commit, crash and restart), single-decree Paxos as actors and
as Lamport's Paxos.tla, and Multi-Paxos (the catalog's "Consensus")."""
