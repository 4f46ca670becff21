"""Adapter of ``dp`` on one machine: the exact DP over subsets (Held & Karp 1962).

State space: the 2^n subsets of jobs, one label each without release dates (O(n·2^n) time,
≈ 40·2^n bytes), a Pareto set of (completion time, cost) labels each with release dates. It
refuses instances with more than ``max_jobs`` jobs (default 20: 2^20 ≈ 10^6 subsets).
"""

from __future__ import annotations

from ...heuristics import single_machine as H
from ...instances import InputError, Instance, SingleMachine
from ..registry import Outcome, RunContext

__all__ = ["run"]


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Solve exactly or refuse: n > ``max_jobs`` is an input error naming the limit."""
    assert isinstance(instance, SingleMachine)
    limit = ctx.options["max_jobs"]
    n = instance.n_jobs
    if n > limit:
        raise InputError(f"the subset DP needs 2^{n} states; it refuses n = {n} > max_jobs = "
                         f"{limit} (raise --option max_jobs=… at your own risk, or use cpsat, "
                         "milp or ls)", field="method")
    try:
        found = H.dp_optimum(instance, time_limit=ctx.time_limit)
    except MemoryError as err:
        return Outcome(None, "unknown", stop_reason=f"DP out of label memory: {err}")
    if found is None:
        return Outcome(None, "unknown", stop_reason="time limit before the DP finished")
    seq, value, stats = found
    return Outcome(H.sm_solution(instance, seq), "optimal", bound=value, objective=value,
                   stop_reason="DP finished", stats=stats)
