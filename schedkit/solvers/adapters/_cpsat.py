"""Running an OR-Tools CP-SAT model with schedkit's time limit, workers and seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CpSatOutcome", "solve_cpsat"]


@dataclass
class CpSatOutcome:
    """``status``: optimal | feasible | infeasible | unknown; ``solver`` holds the values."""

    status: str
    objective: float | None
    bound: float | None
    solver: Any
    stats: dict[str, Any]


def solve_cpsat(model: Any, *, time_limit: float | None, workers: int, seed: int,
                log: bool = False) -> CpSatOutcome:
    """Solve a ``cp_model.CpModel``; statuses map one to one (CP-SAT proves what it says)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed % 2**31)
    solver.parameters.log_search_progress = log
    code = solver.Solve(model)
    status = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(code, "unknown")
    has_objective = model.HasObjective()
    objective = solver.ObjectiveValue() if status in ("optimal", "feasible") and has_objective \
        else None
    bound = solver.BestObjectiveBound() if has_objective and status != "infeasible" else None
    stats = {"backend": "cp-sat", "cpsat_status": solver.StatusName(code),
             "branches": solver.NumBranches(), "conflicts": solver.NumConflicts(),
             "wall_time_s": solver.WallTime()}
    return CpSatOutcome(status, objective, bound, solver, stats)
