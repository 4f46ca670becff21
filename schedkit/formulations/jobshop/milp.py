"""Disjunctive MILP of the job shop (Manne, Operations Research 8(2):219–223, 1960), in PuLP.

For each pair of operations (a, b) on one machine a binary y_ab says whether a precedes b::

    s_b >= s_a + d_a - M (1 - y_ab)
    s_a >= s_b + d_b - M y_ab

with route precedences ``s_{k+1} >= s_k + d_k``, release dates, and the objective (makespan
``Cmax >= s_last + d_last``, total weighted tardiness or total weighted completion time). The
big-M is the horizon: a heuristic makespan for the makespan objective (some optimal schedule
ends by then, and every start is bounded by it), max release + Σ durations otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instances import JobShop
from ..deadline import Deadline

__all__ = ["JobShopMilp", "build_milp", "keep_order_milp", "change_order_milp"]


@dataclass
class JobShopMilp:
    """A built PuLP model and its start-time variables (flat operation order)."""

    problem: Any
    start: list[Any]
    big_m: int
    #: The order binaries: ``order[a, b]`` (a < b, one machine) is 1 when a precedes b.
    order: dict[tuple[int, int], Any] = field(default_factory=dict)
    #: The objective expression (the makespan variable for the makespan).
    objective: Any = None


def build_milp(inst: JobShop, *, horizon: int | None = None,
               hint: np.ndarray | None = None,
               deadline: Deadline | None = None) -> JobShopMilp:
    """Build Manne's disjunctive model of ``inst`` (big-M = ``horizon``).

    ``hint`` (flat start times of a feasible schedule) becomes the variables' initial values,
    which a solver run with a warm start uses as its first incumbent. Past ``deadline`` the
    build raises :class:`~schedkit.formulations.deadline.OutOfTime`.
    """
    import pulp

    deadline = deadline or Deadline()

    safe = int(inst.release.max() + inst.op_duration.sum())
    M = int(safe if horizon is None or inst.objective != "makespan" else horizon)
    dur = inst.op_duration.tolist()
    job_of = np.repeat(np.arange(inst.n_jobs), np.diff(inst.job_offsets)).tolist()
    prob = pulp.LpProblem(f"jobshop_{inst.name}".replace("-", "_"), pulp.LpMinimize)
    order: dict[tuple[int, int], Any] = {}
    # Integer starts: durations are integers, so some optimal schedule has integer starts, and
    # integrality keeps the evaluator's check exact.
    s = []
    for k in range(inst.n_ops):
        deadline.tick()
        s.append(prob.add_variable(f"s{k}", lowBound=int(inst.release[job_of[k]]),
                                   upBound=M - dur[k], cat="Integer"))
    for j in range(inst.n_jobs):
        for k in range(int(inst.job_offsets[j]), int(inst.job_offsets[j + 1]) - 1):
            deadline.tick()
            prob += s[k + 1] >= s[k] + dur[k], f"route_{k}"
    for m in range(inst.machines):
        ops = np.flatnonzero(inst.op_machine == m).tolist()
        for i, a in enumerate(ops):
            for b in ops[i + 1:]:
                deadline.tick()
                if job_of[a] == job_of[b]:
                    continue  # ordered by the route already
                y = prob.add_variable(f"y_{a}_{b}", cat="Binary")
                order[a, b] = y
                if hint is not None:
                    y.setInitialValue(1 if hint[a] < hint[b] else 0)
                prob += s[b] >= s[a] + dur[a] - M * (1 - y), f"d1_{a}_{b}"
                prob += s[a] >= s[b] + dur[b] - M * y, f"d2_{a}_{b}"
    last = [int(inst.job_offsets[j + 1]) - 1 for j in range(inst.n_jobs)]
    if hint is not None:
        for k, v in enumerate(np.asarray(hint).tolist()):
            s[k].setInitialValue(int(v))
    if inst.objective == "makespan":
        cmax = prob.add_variable("makespan", lowBound=0, upBound=M)
        if hint is not None:
            cmax.setInitialValue(max(int(hint[k]) + dur[k] for k in last))
        for k in last:
            prob += cmax >= s[k] + dur[k], f"cmax_{k}"
        prob += cmax
        goal: Any = cmax
    elif inst.objective == "total_weighted_completion":
        goal = pulp.lpSum(int(inst.weight[j]) * (s[k] + dur[k]) for j, k in enumerate(last))
        prob += goal
    else:
        tard = []
        for j, k in enumerate(last):
            t = prob.add_variable(f"T{j}", lowBound=0)
            if hint is not None:
                t.setInitialValue(max(0, int(hint[k]) + dur[k] - int(inst.due[j])))
            prob += t >= s[k] + dur[k] - int(inst.due[j]), f"tard_{j}"
            tard.append(t)
        goal = pulp.lpSum(int(w) * t for w, t in zip(inst.weight.tolist(), tard, strict=True))
        prob += goal
    deadline.check()
    return JobShopMilp(prob, s, M, order, goal)


def keep_order_milp(inst: JobShop, built: JobShopMilp, start: np.ndarray, freed: np.ndarray,
                    cap: float | None = None) -> int:
    """Restrict ``built`` to the large neighbourhood of the schedule ``start`` that frees the
    operations of the mask ``freed``, the pattern of Balans (Cai, Kadıoğlu & Dilkina, arXiv
    2412.14382) on this model: every order binary between two operations not freed is fixed
    to its value in ``start``, the others are free again (the model can be restricted anew
    for the next neighbourhood). ``start`` becomes the variables' initial values; ``cap``
    bounds the objective from above. Returns the number of binaries fixed.
    """
    free = np.asarray(freed, dtype=bool).tolist()
    begin = np.asarray(start, dtype=np.int64).tolist()
    finish = (np.asarray(start, dtype=np.int64) + inst.op_duration).tolist()
    fixed = 0
    for (a, b), y in built.order.items():
        value = 1 if (begin[a], finish[a]) < (begin[b], finish[b]) else 0
        if free[a] or free[b]:
            y.lowBound, y.upBound = 0, 1
        else:
            y.lowBound = y.upBound = value
            fixed += 1
        y.setInitialValue(value)  # after the bounds, which PuLP checks it against
    for var, v in zip(built.start, begin, strict=True):
        var.setInitialValue(v)
    if cap is not None:
        import pulp

        prob = built.problem
        limit = int(np.floor(cap + 1e-9))
        cons = prob.get_constraint_by_name("objective_cap")
        if cons is None:
            prob += built.objective <= limit, "objective_cap"
        else:  # the cap of the last neighbourhood, moved: objective + constant <= 0
            cons.constant = pulp.LpAffineExpression(built.objective).constant - limit
    return fixed


def change_order_milp(inst: JobShop, built: JobShopMilp, start: np.ndarray,
                      freed: np.ndarray | None) -> int:
    """Exclude the machine order of the schedule ``start`` from ``built``, as
    :func:`~schedkit.formulations.jobshop.cpsat.change_order` does for CP-SAT: the order
    binaries of the pairs adjacent on a machine in ``start`` with one operation freed sum,
    flipped, to at least one (constraint ``order_change``, replaced on every call; ``freed``
    ``None`` removes it). Returns the number of such pairs."""
    import pulp

    from .cpsat import machine_arcs

    prob = built.problem
    if "order_change" in prob.constraints:
        del prob.constraints["order_change"]
    if freed is None:
        return 0
    free = np.asarray(freed, dtype=bool)
    flips = []
    for a, b in machine_arcs(inst, np.asarray(start, dtype=np.int64)):
        y = built.order.get((min(a, b), max(a, b)))
        if (free[a] or free[b]) and y is not None:  # None: one job's route orders them
            # order[a, b] = 1 (a < b) says a precedes b, as now: the swap is 1 - order.
            flips.append(1 - y if a < b else y)
    if flips:
        prob += pulp.lpSum(flips) >= 1, "order_change"
    return len(flips)
