"""Solving a PuLP model with CBC or HiGHS and mapping the outcome honestly.

PuLP reports ``LpStatusOptimal`` even when a time limit stopped the search with an incumbent; the
solution status tells the two apart (``LpSolutionOptimal`` versus ``LpSolutionIntegerFeasible``).
Both solvers are run with a zero relative gap so that "optimal" means proved (HiGHS stops at a
1e-4 relative gap by default).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from ...instances import InputError

__all__ = ["BACKENDS", "PulpOutcome", "solve_pulp"]

BACKENDS = ("cbc", "highs")


@dataclass
class PulpOutcome:
    """``status``: optimal | feasible | infeasible | unknown; ``objective`` of the incumbent."""

    status: str
    objective: float | None
    stats: dict[str, Any]


def _solver(backend: str, time_limit: float | None, workers: int, seed: int,
            warm_start: bool) -> Any:
    import pulp

    if backend == "cbc":
        options = [f"randomSeed {seed % 2**31}", f"randomCbcSeed {seed % 2**31}"]
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates its bundled CBC in favour of a separately installed one; the
            # bundled binary is what `pip install pulp` provides, so keep using it quietly.
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=workers,
                                     gapRel=0.0, options=options, warmStart=warm_start)
    if backend == "highs":
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit, threads=workers, gapRel=0.0,
                            random_seed=seed % 2**31)
        if not solver.available():
            raise InputError("the HiGHS backend needs highspy: pip install 'schedkit[highs]' "
                             "(highspy 1.11-1.12: newer ones clash with OR-Tools' bundled "
                             "HiGHS in one process)", field="option backend")
        return solver
    raise InputError(f"unknown MILP backend {backend!r} (choose from {', '.join(BACKENDS)})",
                     field="option backend")


def solve_pulp(prob: Any, *, backend: str, time_limit: float | None, workers: int,
               seed: int, warm_start: bool = False) -> PulpOutcome:
    """Solve ``prob`` (a ``pulp.LpProblem``) and say honestly what was proved.

    ``warm_start`` passes the variables' initial values to CBC as a first incumbent (HiGHS
    through PuLP ignores them).
    """
    import pulp

    solver = _solver(backend, time_limit, workers, seed, warm_start)
    prob.solve(solver)
    sol = prob.sol_status
    stats = {"backend": backend, "pulp_status": pulp.LpStatus.get(prob.status, str(prob.status)),
             "pulp_solution_status": pulp.LpSolution.get(sol, str(sol)),
             "variables": prob.numVariables(), "constraints": prob.numConstraints()}
    if sol == pulp.LpSolutionOptimal:
        status = "optimal"
    elif sol == pulp.LpSolutionIntegerFeasible:
        status = "feasible"
    elif sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        # CBC also says "Infeasible" when a time limit hit before any incumbent; only trust it
        # without a limit.
        status = "infeasible" if time_limit is None else "unknown"
    else:
        status = "unknown"
    objective = pulp.value(prob.objective) if status in ("optimal", "feasible") else None
    return PulpOutcome(status, None if objective is None else float(objective), stats)
