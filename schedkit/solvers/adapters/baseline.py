"""Adapter of the ``baseline`` method."""

from __future__ import annotations

from ...heuristics.baseline import baseline_solution
from ...instances import Instance
from ..registry import Outcome, RunContext


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Build the trivial schedule; it proves nothing, so the status is ``feasible``."""
    return Outcome(baseline_solution(instance), "feasible", stop_reason="heuristic finished")
