"""Adapter of ``dp`` on one machine: the exact DP over subsets (Held & Karp 1962).

State space: the 2^n subsets of jobs, one label each without release dates (O(n·2^n) time,
≈ 40·2^n bytes), a Pareto set of (completion time, cost) labels each with release dates. It
refuses instances with more than ``max_jobs`` jobs (default 20: 2^20 ≈ 10^6 subsets).
"""

from __future__ import annotations

from ...heuristics import single_machine as H
from ...heuristics.search import StopReason
from ...instances import InputError, SingleMachine
from ..registry import MethodResult, RunContext
from ..result import Status

__all__ = ["run"]


def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """Solve exactly or refuse: n > ``max_jobs`` is an input error naming the limit."""
    limit = ctx.options["max_jobs"]
    n = instance.n_jobs
    if n > limit:
        raise InputError(f"the subset DP needs 2^{n} states; it refuses n = {n} > max_jobs = "
                         f"{limit} (raise --option max_jobs=… at your own risk, or use cpsat, "
                         "milp or ls)", field="method")
    try:
        found = H.dp_optimum(instance, time_limit=ctx.time_left(),
                             interrupt=ctx.interrupted.is_set)
    except MemoryError as err:
        return MethodResult(None, Status.UNKNOWN, stop_reason=StopReason.MEMORY_LIMIT,
                            stop_detail=f"DP out of label memory: {err}")
    if found is None:
        return MethodResult(None, Status.UNKNOWN, stop_reason=StopReason.TIME_LIMIT,
                            stop_detail="stopped before the DP finished")
    seq, value, stats = found
    return MethodResult(H.solution(instance, seq), Status.OPTIMAL, bound=value, objective=value,
                        stop_detail="DP finished", stats=stats)
