"""Adapter of ``milp`` for DAGs: the model of :mod:`schedkit.formulations.dag.milp` through
PuLP, CBC by default (bundled with PuLP) or HiGHS (``backend=highs``, needs ``highspy``).

Big-M is the makespan of the best cheap schedule (HEFT's unless PEFT, CPOP or list scheduling
is shorter), which is also returned if the solver finds nothing better in time.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pulp

from ...formulations.dag.milp import build
from ...heuristics.dag import schedule_metrics
from ...instances import DAG, InputError
from ..registry import Outcome, RunContext
from .dag_common import incumbent, replayed_schedule

__all__ = ["run", "BACKENDS"]

BACKENDS = ("cbc", "highs")
# A proof must survive the evaluator: the replayed makespan may exceed the MILP's objective
# only by solver tolerance.
_REL_TOL = 1e-6
_NUMBER = r"(-?[0-9.eE+-]+)"


def _cbc(prob: pulp.LpProblem, ctx: RunContext) -> tuple[bool, float | None, str]:
    """Solve with CBC; returns (proved optimal, best bound, what the log said)."""
    fd, log = tempfile.mkstemp(suffix=".log", prefix="schedkit-cbc-")
    os.close(fd)
    try:
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=ctx.time_limit, threads=ctx.workers,
                                   logPath=log, options=[f"randomCbcSeed {ctx.seed + 1}"])
        prob.solve(solver)
        text = Path(log).read_text(errors="replace")
    finally:
        Path(log).unlink(missing_ok=True)
    result = re.search(r"^Result - (.*)$", text, re.M)
    said = result.group(1).strip() if result else "no result line"
    proved = said.startswith("Optimal solution found") and prob.sol_status == 1
    bound = None
    found = re.search(r"^Lower bound:\s*" + _NUMBER, text, re.M)
    if found:
        bound = float(found.group(1))
    elif proved:
        bound = pulp.value(prob.objective)
    return proved, bound, f"CBC: {said}"


def _highs(prob: pulp.LpProblem, ctx: RunContext) -> tuple[bool, float | None, str]:
    """Solve with HiGHS through highspy (imported only here)."""
    try:
        import highspy
    except ImportError:
        raise InputError("backend highs needs the highspy package: pip install highspy "
                         "(or pip install 'schedkit[highs]')", field="option backend") from None
    kwargs: dict[str, Any] = {"msg": False, "threads": ctx.workers, "random_seed": ctx.seed}
    if ctx.time_limit is not None:
        kwargs["timeLimit"] = ctx.time_limit
    prob.solve(pulp.HiGHS(**kwargs))
    h = prob.solverModel
    status = h.getModelStatus()
    proved = status == highspy.HighsModelStatus.kOptimal
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    return proved, (bound if bound == bound and abs(bound) < float("inf") else None), \
        f"HiGHS: {h.modelStatusToString(status)}"


def run(instance: DAG, ctx: RunContext) -> Outcome:
    """Solve the MILP; ``optimal`` only when the backend proves it and the replayed schedule
    reproduces the MILP's objective within 1e-6 relative (else ``feasible`` with the
    backend's bound)."""
    backend = str(ctx.options.get("backend", "cbc"))
    if backend not in BACKENDS:
        raise InputError(f"must be one of {', '.join(BACKENDS)}, got {backend!r}",
                         field="option backend")
    best = incumbent(instance, ctx)
    model = build(instance, big_m=best.makespan, name=f"dag_{instance.name}"[:60])
    solve = _highs if backend == "highs" else _cbc
    proved, bound, said = solve(model.problem, ctx)
    stats: dict[str, Any] = {"backend": backend, "big_m": model.big_m,
                             "order_pairs": model.pairs, "incumbent": best.method,
                             "incumbent_makespan": best.makespan,
                             "symmetry_breaking": model.symmetry_breaking}
    objective = pulp.value(model.problem.objective)
    schedule = best
    if model.problem.sol_status in (1, 2) and objective is not None:
        proc, start = model.read()
        found = replayed_schedule(instance, proc, start, "milp")
        if found.makespan <= best.makespan or proved:
            schedule = found
    else:
        proved = False
    stats.update(schedule_metrics(instance, schedule.makespan))
    stats["source"] = "milp" if schedule is not best else best.method
    if proved and abs(schedule.makespan - objective) <= _REL_TOL * max(1.0, abs(objective)):
        return Outcome(schedule.solution(), "optimal", bound=objective,
                       stop_reason=said, stats=stats)
    return Outcome(schedule.solution(), "feasible", bound=bound, stop_reason=said, stats=stats)
