"""Adapter of ``milp`` for DAGs: the model of :mod:`schedkit.formulations.dag.milp` through
PuLP, CBC by default (bundled with PuLP) or HiGHS (``backend=highs``, needs ``highspy``).

Big-M is the makespan of the best cheap schedule (HEFT's unless PEFT, CPOP or list scheduling
is shorter), which is also returned if the solver finds nothing better in time.
"""

from __future__ import annotations

from typing import Any

from ...formulations.dag.milp import build
from ...heuristics.dag import schedule_metrics
from ...instances import DAG
from ..registry import Outcome, RunContext
from ._pulp import solve_pulp
from .dag_common import incumbent, replayed_schedule

__all__ = ["run"]

# A proof must survive the evaluator: the replayed makespan may differ from the MILP's
# objective only by solver tolerance.
_REL_TOL = 1e-6


def run(instance: DAG, ctx: RunContext) -> Outcome:
    """Solve the MILP; ``optimal`` only when the backend proves it (zero gap) and the replayed
    schedule reproduces the MILP's objective within 1e-6 relative; else ``feasible`` with the
    backend's dual bound (CBC's log, HiGHS's mip_dual_bound) where it reports one."""
    backend = str(ctx.options.get("backend", "cbc"))
    best = incumbent(instance, ctx)
    model = build(instance, big_m=best.makespan, name=f"dag_{instance.name}"[:60])
    out = solve_pulp(model.problem, backend=backend, time_limit=ctx.time_left(),
                     workers=ctx.workers, seed=ctx.seed)
    stats: dict[str, Any] = {**out.stats, "big_m": model.big_m, "order_pairs": model.pairs,
                             "incumbent": best.method, "incumbent_makespan": best.makespan,
                             "symmetry_breaking": model.symmetry_breaking}
    bound = out.bound
    schedule = best
    proved = False
    if out.status in ("optimal", "feasible") and out.objective is not None:
        found = replayed_schedule(instance, *model.read(), "milp")
        proved = out.status == "optimal" and abs(found.makespan - out.objective) <= \
            _REL_TOL * max(1.0, abs(out.objective))
        if proved or found.makespan <= best.makespan:
            schedule = found
    stats.update(schedule_metrics(instance, schedule.makespan))
    stats["source"] = "milp" if schedule is not best else best.method
    said = f"{backend}: {out.stats.get('pulp_solution_status', out.status)}"
    if proved:
        return Outcome(schedule.solution(), "optimal", bound=out.objective, stop_reason=said,
                       stats=stats)
    return Outcome(schedule.solution(), "feasible", bound=bound, stop_reason=said, stats=stats)
