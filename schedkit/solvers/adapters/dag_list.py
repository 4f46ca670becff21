"""Adapter of ``list`` for DAGs: classic list scheduling with a selectable priority."""

from __future__ import annotations

from ...heuristics.dag import dag_arrays, list_scheduling
from ...instances import DAG
from ..registry import Outcome, RunContext
from .dag_common import heuristic_outcome

__all__ = ["run"]


def run(instance: DAG, ctx: RunContext) -> Outcome:
    """List scheduling (option ``priority``: bottom_level, hlfet, etf or random; ``random``
    draws its priorities from ``ctx.seed``)."""
    a = dag_arrays(instance)
    priority = str(ctx.options.get("priority", "bottom_level"))
    return heuristic_outcome(a, list_scheduling(a, priority, seed=ctx.seed))
