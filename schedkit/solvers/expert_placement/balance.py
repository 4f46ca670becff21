"""Adapter of ``balance`` for expert placement: the fast Numba planner
(:mod:`schedkit.heuristics.expert_placement.balance`), started also from the run's
``initial`` solution and, with the option ``eplb_start`` (off by default: EPLB's Python
planner takes longer than the whole Numba plan), from EPLB's plan, so that no layer ends
worse than EPLB's by construction (the local search never worsens a start)."""

from __future__ import annotations

from typing import Any

from ...heuristics.expert_placement.balance import DEFAULT_TOLERANCE, balance_solution
from ...heuristics.expert_placement.eplb import eplb_solution
from ...instances import ExpertPlacement, InputError
from ...instances.evaluate import check, lower_bound, objective
from ..common import SAFETY_S, checked_initial, heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["run"]


def _eplb_start(instance: ExpertPlacement) -> dict[str, Any] | None:
    """EPLB's plan (duplicate-replica defect fixed, so that it is feasible), or ``None``
    when EPLB gives no plan (a deployed plan it cannot repair within the budget) or its plan
    does not pass the evaluator."""
    try:
        sol = eplb_solution(instance, "auto", True)
    except InputError:
        return None
    return None if check(instance, sol) else dict(sol)


def run(instance: ExpertPlacement, ctx: RunContext) -> MethodResult:
    """Multi-start planner (or migration / traffic mode, from the instance); ``proof`` when
    the plan meets the evaluator's lower bound."""
    o = ctx.options
    starts = []
    initial = checked_initial(instance, ctx)
    if initial is not None:
        starts.append(initial)
    if o.get("eplb_start", False) and instance.objective == "max_load":
        eplb = _eplb_start(instance)
        if eplb is not None:
            starts.append(eplb)
    iterations = o.get("iterations") or None
    stop = ctx.stop(iterations=iterations, reserve=SAFETY_S) if ctx.time_limit is not None \
        else None
    sol, stats = balance_solution(instance, starts=o.get("starts", 8), seed=ctx.seed,
                                  iterations=iterations, stop=stop, initial_plans=starts,
                                  tolerance=o.get("tolerance", DEFAULT_TOLERANCE))
    stats["initial_plans"] = len(starts)
    over = [(name, stats[key], cap) for name, key, cap in (
        ("max_changed_slots", "changed_slots", instance.max_changed_slots),
        ("max_changed_layers", "changed_layers", instance.max_changed_layers))
        if cap is not None and stats.get(key, 0) > cap]
    if over:
        # Only a deployed plan that is itself infeasible (two replicas of an expert on one
        # GPU, or an expert missing) gets here: its repair alone needs more than the budget.
        name, used, cap = over[0]
        raise InputError(f"the deployed plan (migration.previous) is infeasible, and "
                         f"repairing it takes {used} > {name} = {cap}", field=f"migration.{name}")
    value = objective(instance, sol)
    bound = lower_bound(instance)
    reason = stats.pop("stopped")
    if value <= bound * (1 + 1e-12):
        return heuristic_result(sol, objective=value, stats=stats, stop_reason=reason,
                                proof="the plan meets the lower bound max(mean GPU load, "
                                      "best largest replica load) on every layer")
    return heuristic_result(sol, objective=value, stats=stats, stop_reason=reason)
