"""Liveness: `eventually` and `leads_to` under fairness, judged on the graph of an exhaustive search
(recorded while it runs, by one process or by parallel workers), with lasso counterexamples.

The recorder is light; the graph and the judge need scipy, so they are imported when first used
(a safety run, `check --help` and every CLI start skip scipy's import, about 0.5 s)."""
from typing import Any

from checker.engine.liveness.recorder import GraphRecorder

__all__ = ["Graph", "GraphRecorder", "build_graph", "judge_liveness"]
_LAZY = {"Graph": "graph", "build_graph": "graph", "judge_liveness": "judge"}


def __getattr__(name: str) -> Any:
    """Graph, build_graph and judge_liveness from their modules, on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
