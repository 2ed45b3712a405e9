"""The parallel breadth-first search (`--workers N`): the coordinator, one worker, and the pool
of processes that carries int64 arrays between them (coordinator.py says how it works)."""
from checker.engine.parallel.coordinator import PartitionedStore, parallel_bfs, resolve_workers
from checker.engine.parallel.exchange import Pool, ProcessPool, WorkerLost

__all__ = ["PartitionedStore", "Pool", "ProcessPool", "WorkerLost", "parallel_bfs", "resolve_workers"]
