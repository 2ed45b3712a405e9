"""Liveness: `eventually` and `leads_to` under fairness, judged on the graph of an exhaustive search
(recorded while it runs, by one process or by parallel workers), with lasso counterexamples."""
from checker.engine.liveness.graph import Graph, build_graph
from checker.engine.liveness.judge import judge_liveness
from checker.engine.liveness.recorder import GraphRecorder

__all__ = ["Graph", "GraphRecorder", "build_graph", "judge_liveness"]
