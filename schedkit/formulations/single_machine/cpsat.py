"""CP-SAT model of one machine: interval variables under one no-overlap constraint.

Each job j has an interval [S_j, S_j + p_j) with S_j ∈ [r_j, H − p_j], H = max r + Σ p
(:func:`~._common.horizon`), and ``add_no_overlap`` over all intervals (the disjunctive model of
Baptiste, Le Pape & Nuijten 2001, as CP-SAT propagates it). Objective terms:

- ΣwjTj / ΣTj: T_j ≥ C_j − d_j, T_j ≥ 0, minimise Σ w_j T_j;
- Lmax: L ≥ C_j − d_j, minimise L;
- ΣwjCj: minimise Σ w_j C_j;
- ΣwjUj: U_j ∈ {0, 1}, C_j ≤ d_j unless U_j, minimise Σ w_j U_j.

What makes it stronger than the plain model: the tight horizon, the dominance precedences of
:func:`~._common.precedence_pairs` (Emmons 1969; Rinnooy Kan, Lageweg & Lenstra 1975; Jackson
1955; Smith 1956) as C_i ≤ S_j, the objective boxed between a lower bound and the value of a
known schedule, and a complete solution hint from that schedule. With ``completion`` each
job's completion time is restricted to a given set (the nodes "j completes at t" that a
Lagrangian elimination left, as in :mod:`schedkit.heuristics.single_machine.ssdp`: reduced-cost
fixing of the time-indexed model, handed to CP-SAT's no-overlap propagation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ...instances import SingleMachine
from ._common import horizon, precedence_pairs

__all__ = ["CpSatModel", "build"]


@dataclass
class CpSatModel:
    """The model and the variables a caller needs to read a solution back."""

    model: cp_model.CpModel
    start: list[Any]
    end: list[Any]
    objective: Any
    horizon: int
    precedences: int
    extra: dict[str, list[Any]] = field(default_factory=dict)

    def sequence(self, solver: cp_model.CpSolver) -> np.ndarray:
        """Jobs by start time (zero-length jobs before a job starting at the same time)."""
        s = [solver.value(v) for v in self.start]
        e = [solver.value(v) for v in self.end]
        return np.array(sorted(range(len(s)), key=lambda j: (s[j], e[j], j)), dtype=np.int64)


def build(
    inst: SingleMachine,
    *,
    hint: Sequence[int] | np.ndarray | None = None,
    upper: float | None = None,
    lower: float | None = None,
    dominance: bool = True,
    completion: Sequence[Sequence[int] | np.ndarray] | None = None,
) -> CpSatModel:
    """Build the CP-SAT model of ``inst``.

    Parameters
    ----------
    hint
        A job sequence; its earliest-start schedule becomes a complete solution hint.
    upper, lower
        Valid bounds on the optimum (the hint's objective, a lower bound), added as constraints
        on the objective.
    dominance
        Add the dominance precedences (only when there are no release dates).
    completion
        For each job, the completion times it may take (ascending; none outside
        [r_j + p_j, H]); ``None``: all. A job with none makes the model infeasible.
    """
    p = inst.processing.tolist()
    d = inst.due.tolist()
    w = inst.weight.tolist()
    r = inst.release.tolist()
    n = inst.n_jobs
    H = horizon(inst)
    m = cp_model.CpModel()
    start = [m.new_int_var(r[j], H - p[j], f"S{j}") for j in range(n)]
    if completion is None:
        end = [m.new_int_var(r[j] + p[j], H, f"C{j}") for j in range(n)]
    else:
        if len(completion) != n:
            raise ValueError(f"completion has {len(completion)} sets for {n} jobs")
        end = []
        for j in range(n):
            times = np.asarray(completion[j], dtype=np.int64)
            times = times[(times >= r[j] + p[j]) & (times <= H)]
            if times.size:
                end.append(m.new_int_var_from_domain(
                    cp_model.Domain.from_values(times.tolist()), f"C{j}"))
            else:  # an empty domain is an invalid model to CP-SAT, not an infeasible one
                end.append(m.new_int_var(r[j] + p[j], H, f"C{j}"))
                m.add(end[j] > H)
    intervals = [m.new_interval_var(start[j], p[j], end[j], f"I{j}") for j in range(n)]
    m.add_no_overlap(intervals)
    pairs = precedence_pairs(inst) if dominance else []
    for i, j in pairs:
        m.add(end[i] <= start[j])

    obj = inst.objective
    extra: dict[str, list[Any]] = {}
    if obj in ("total_weighted_tardiness", "total_tardiness"):
        weights = w if obj == "total_weighted_tardiness" else [1] * n
        tard = [m.new_int_var(0, max(0, H - d[j]), f"T{j}") for j in range(n)]
        for j in range(n):
            m.add(tard[j] >= end[j] - d[j])
        objective = sum(weights[j] * tard[j] for j in range(n))
        extra["tardiness"] = tard
    elif obj == "max_lateness":
        lmax = m.new_int_var(min(r[j] + p[j] - d[j] for j in range(n)), H - min(d), "Lmax")
        for j in range(n):
            m.add(lmax >= end[j] - d[j])
        objective = lmax
        extra["lmax"] = [lmax]
    elif obj == "total_weighted_completion":
        objective = sum(w[j] * end[j] for j in range(n))
    else:  # weighted_tardy_jobs
        late = [m.new_bool_var(f"U{j}") for j in range(n)]
        for j in range(n):
            if r[j] + p[j] > d[j]:
                m.add(late[j] == 1)
            else:
                m.add(end[j] <= d[j]).only_enforce_if(~late[j])
        objective = sum(w[j] * late[j] for j in range(n))
        extra["late"] = late
    if upper is not None:
        m.add(objective <= int(np.floor(upper + 1e-9)))
    if lower is not None:
        m.add(objective >= int(np.ceil(lower - 1e-9)))
    m.minimize(objective)

    if hint is not None:
        t = 0
        for j in hint:
            j = int(j)
            t = max(t, r[j])
            m.add_hint(start[j], t)
            m.add_hint(end[j], t + p[j])
            if "tardiness" in extra:
                m.add_hint(extra["tardiness"][j], max(0, t + p[j] - d[j]))
            if "late" in extra:
                m.add_hint(extra["late"][j], int(t + p[j] > d[j]))
            t += p[j]
        if "lmax" in extra:
            comp = {}
            t = 0
            for j in hint:
                t = max(t, r[int(j)]) + p[int(j)]
                comp[int(j)] = t
            m.add_hint(extra["lmax"][0], max(comp[j] - d[j] for j in range(n)))
    return CpSatModel(m, start, end, objective, H, len(pairs), extra)
