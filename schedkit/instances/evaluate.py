"""The one evaluator: feasibility check, objective and cheap lower bound for every problem.

Every solution any method returns is re-checked here, from scratch, before a result may be called
feasible or optimal. Solutions are plain JSON-like dicts (``DESIGN.md`` §3):

=====================  =======================================================================
problem                solution
=====================  =======================================================================
``jobshop``            ``{"start": [[s_jk, …] per job]}``
``single_machine``     ``{"sequence": [job, …], "start": [s_j] (optional)}``
``dag``                ``{"processor": [p_t], "start": [s_t]}``
``expert_placement``   ``{"replicas": [[[gpu, …] per expert] per layer]}``
``sequence_parallel``  ``{"microbatches": [[{"devices": [...], "sequences": [...]}, …], …]}``
=====================  =======================================================================

Each family's rules live in ``schedkit/instances/<problem>/evaluate.py``; this module only
dispatches through :data:`~schedkit.instances.families.FAMILIES`.
"""

from __future__ import annotations

from typing import Any

from .base import Instance
from .checking import VIOLATION_KINDS, Evaluation, Found, Malformed, Violation
from .errors import InputError
from .families import FAMILIES

__all__ = [
    "Violation",
    "Evaluation",
    "VIOLATION_KINDS",
    "check",
    "objective",
    "evaluate",
    "lower_bound",
    "metrics",
    "schedule",
]


def _parse(instance: Instance, solution: Any) -> tuple[list[Violation], Any]:
    """Violations, and the parsed solution (meaningful only when there are none)."""
    found = Found()
    parsed = None
    try:
        parsed = FAMILIES[instance.problem].evaluator.check(instance, solution, found)
    except Malformed as err:
        found.add("format", str(err))
    return found.result(), parsed


def check(instance: Instance, solution: Any) -> list[Violation]:
    """Every rule ``solution`` breaks on ``instance`` (empty list: feasible).

    Never raises for a malformed solution: that is reported as a ``format`` violation.
    """
    return _parse(instance, solution)[0]


def objective(instance: Instance, solution: Any) -> float:
    """The objective value of ``solution`` recomputed from scratch.

    Raises
    ------
    InputError
        If the solution is infeasible (the objective of an infeasible solution means nothing).
    """
    ev = evaluate(instance, solution)
    if not ev.feasible:
        raise InputError(f"infeasible solution: {ev.violations[0]}", field="solution")
    assert ev.objective is not None
    return ev.objective


def evaluate(instance: Instance, solution: Any) -> Evaluation:
    """Check ``solution`` and, when feasible, compute its objective (one parse for both)."""
    violations, parsed = _parse(instance, solution)
    if violations:
        return Evaluation(violations, None)
    return Evaluation([], FAMILIES[instance.problem].evaluator.objective(instance, parsed))


def lower_bound(instance: Instance) -> float:
    """A valid lower bound on the optimal objective that is cheap to compute.

    job shop: max of release + job length and, per machine, Jackson's preemptive schedule with
    heads and tails (makespan), Σ w_j·(r_j + p_j) or Σ w_j·max(0, r_j + p_j − d_j) otherwise;
    single machine: every job alone, plus EDD (Lmax) and WSPT (ΣwjCj) without release dates
    and, for ΣwjTj and ΣTj, the Lagrangian bound of the time-indexed model
    (:mod:`schedkit.instances.single_machine.bounds`);
    DAG: the critical path of minimum costs and total minimum work / P; expert placement:
    Σ_l max(mean GPU load, heaviest expert over its maximum replica count); sequence parallel:
    total work / devices and the longest sequence on its best feasible group.
    """
    cached = instance.__dict__.get("_lower_bound")
    if cached is None:
        cached = FAMILIES[instance.problem].evaluator.lower_bound(instance)
        # Instances are frozen with read-only arrays: the bound can be kept on the object.
        object.__setattr__(instance, "_lower_bound", cached)
    return float(cached)


def metrics(instance: Instance, solution: Any) -> dict[str, Any]:
    """Derived metrics of a feasible solution (empty where a problem has none).

    DAG: makespan, SLR (makespan / critical path of minimum costs), speedup (best single
    processor's sequential time / makespan) and efficiency (speedup / P), as defined by
    Topcuoglu, Hariri & Wu (2002). Expert placement: per-layer balancedness = mean / max GPU
    load.
    """
    compute = FAMILIES[instance.problem].metrics
    violations, parsed = _parse(instance, solution)
    if violations or compute is None:
        return {}
    return compute(instance, parsed)


def schedule(instance: Instance, solution: Any) -> list[dict[str, Any]]:
    """The per-task table of a feasible ``solution``: one dict per task, each naming its
    resource and, where the problem has time, its start and end.

    =====================  =============================================================
    problem                one row per … (columns)
    =====================  =============================================================
    ``jobshop``            operation (job, operation, machine, start, end, duration)
    ``single_machine``     job, in sequence order (position, job, release, start, end,
                           processing, due, lateness, tardiness, weight)
    ``dag``                task (task, processor, start, end, duration)
    ``expert_placement``   replica (layer, expert, replica, gpu, node, load)
    ``sequence_parallel``  sequence (sequence, length, microbatch, group, degree, devices,
                           start, end: the group's span within the step)
    =====================  =============================================================

    Raises
    ------
    InputError
        If the solution is infeasible (naming the first broken rule).
    """
    violations, parsed = _parse(instance, solution)
    if violations:
        raise InputError(f"infeasible solution: {violations[0]}", field="solution")
    return FAMILIES[instance.problem].evaluator.schedule(instance, parsed, solution)
