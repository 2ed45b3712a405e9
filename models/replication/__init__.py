"""Replication and consistency: leader-follower with sync, semi-sync and async acknowledgement,
multi-leader with last-writer-wins, leaderless quorums (N, R, W), the CAP register, and the bank
transfer across two nodes (the catalog's "Replication and consistency"). Their client histories
are judged by specs/consistency/."""
