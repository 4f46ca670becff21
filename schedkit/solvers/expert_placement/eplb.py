"""Adapter of ``eplb``: DeepSeek EPLB's policies (options ``policy``, ``fix_defects``)."""

from __future__ import annotations

from ...heuristics.expert_placement.eplb import eplb_plan
from ...heuristics.search import StopReason
from ...instances import ExpertPlacement
from ..common import heuristic_result
from ..registry import MethodResult, RunContext
from ..result import Status

__all__ = ["run"]


def run(instance: ExpertPlacement, ctx: RunContext) -> MethodResult:
    """EPLB's plan (re-planning against ``instance.previous`` within its budget).

    A faithful plan with two replicas of one expert on one GPU (EPLB issue #22) is not a
    solution of the model: the result is ``error`` with a stop detail that says so and
    suggests ``fix_defects=true``; the stats keep EPLB's per-layer peak loads.
    """
    out = eplb_plan(instance, str(ctx.options["policy"]), bool(ctx.options["fix_defects"]))
    if out.solution is None:
        return MethodResult(None, Status.ERROR, stop_reason=StopReason.ERROR,
                            stop_detail=out.error, stats=out.stats)
    return heuristic_result(out.solution, stats=out.stats)
