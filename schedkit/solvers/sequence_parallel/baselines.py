"""Adapters of the sequence-parallel baselines (static, adaptive, megatron-dcp, wlb): the
heuristic's plan becomes a ``feasible`` result; :func:`schedkit.solve` re-checks it."""

from __future__ import annotations

from ...heuristics.sequence_parallel import baselines as B
from ...instances import SequenceParallel
from ..common import heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["run_static", "run_adaptive", "run_dcp", "run_wlb"]


def run_static(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """One group of the largest degree, micro-batches by best-fit decreasing."""
    return heuristic_result(B.static_plan(instance),
                            stats={"degree": int(instance.degrees[-1])})


def run_adaptive(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """FlexSP's adaptive baseline: the best homogeneous degree."""
    solution, stats = B.adaptive_plan(instance, margin=ctx.options["margin"],
                                      degree=ctx.options["degree"])
    return heuristic_result(solution, stats=stats)


def run_dcp(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """Megatron-style dynamic CP: power-of-two CP size per sample, greedy micro-batches."""
    solution, stats = B.dcp_plan(instance)
    return heuristic_result(solution, stats=stats)


def run_wlb(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """Degree-1 workload-balanced packing over the DP ranks (WLB-LLM)."""
    solution, stats = B.wlb_plan(instance, extra=ctx.options["extra"])
    return heuristic_result(solution, stats=stats)
