"""How a trace is shown as text: a message sequence chart for actor models, a step table for the rest.

`check MODEL` and `check replay FILE` both draw their traces through `trace_renderer`, so a
trace looks the same whether it was just found or replayed from a file.
"""
from typing import Any, Callable

from rich.console import Group, RenderableType
from rich.text import Text

from checker.actors.system import ActorModel
from checker.faces.charts import ChartTooWide, chart
from checker.faces.report import step_table
from checker.trace import Trace

TraceRenderer = Callable[[Trace], RenderableType]


def is_actor_model(model: Any) -> bool:
    """Whether the model's traces are message exchanges between nodes (drawn as sequence charts)."""
    return isinstance(model, ActorModel)


def roles(model: Any) -> list[str]:
    """The lane names of an actor model's chart: one role per node, in node order."""
    return [model.role(node) for node in model.ids]


def trace_renderer(model: Any, width: int) -> TraceRenderer:
    """The way to draw this model's traces in `width` columns: a sequence chart for an actor
    model (a step table when the chart does not fit, with a line saying so), else a step table."""
    if not is_actor_model(model):
        return step_table
    lanes = roles(model)
    return lambda trace: chart_or_table(trace, lanes, width)


def chart_or_table(trace: Trace, lanes: list[str], width: int) -> RenderableType:
    """The trace as a sequence chart in `width` columns, or, when it needs more, the step table
    preceded by one line naming the width the chart needs."""
    try:
        return Text(chart(trace, lanes, width), no_wrap=True, overflow="ignore")
    except ChartTooWide as error:
        note = f"(the sequence chart needs {error.needed} columns; widen the terminal or use --format mermaid)"
        return Group(Text(note), step_table(trace))
