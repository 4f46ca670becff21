"""MILP models of one machine for PuLP: positional assignment and time-indexed.

``positional`` — assignment with positional dates (Lasserre & Queyranne 1992; the formulation
Keha, Khowala & Fowler 2009 found best among four for 1||ΣwjTj, and the one Çetinkaya et al.
2025 use): u_jk = 1 when job j is k-th, c_k the completion of the k-th job,

    Σ_k u_jk = 1, Σ_j u_jk = 1,
    c_k ≥ c_{k−1} + Σ_j p_j u_jk,  c_k ≥ Σ_j (r_j + p_j) u_jk,
    C_j ≥ c_k − H (1 − u_jk),

strengthened by Keha et al.'s valid inequalities: c_k is at least the k smallest processing
times, and C_j ≥ r_min + p_j + Σ_k π_jk u_jk with π_jk the k − 1 smallest processing times of
the other jobs (k 1-based); and by the dominance precedences of
:func:`~._common.precedence_pairs` written on positions, Σ_k k·u_ik + 1 ≤ Σ_k k·u_jk.

``time_indexed`` — Sousa & Wolsey (1992): x_jt = 1 when j starts at t ∈ [r_j, H − p_j],
Σ_t x_jt = 1 and, for every unit period s, Σ_j Σ_{t∈(s−p_j, s]} x_jt ≤ 1. Its LP relaxation is
strong, but it has n·H variables (H = max r + Σ p), so it is refused past
:data:`TIME_INDEXED_MAX_VARS`.

Objective terms as in the CP-SAT model (tardiness, lateness, completion, tardy indicator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from ...instances import InputError, SingleMachine
from ..deadline import Deadline
from ._common import horizon, precedence_pairs

__all__ = ["MODELS", "TIME_INDEXED_MAX_VARS", "MilpModel", "build"]

MODELS = ("positional", "time_indexed")
#: Largest n·H the time-indexed model is built for (beyond, PuLP alone takes minutes).
TIME_INDEXED_MAX_VARS = 2_000_000


@dataclass
class MilpModel:
    """A PuLP problem and how to read a job sequence back from its variable values."""

    problem: pulp.LpProblem
    kind: str
    variables: dict[tuple[int, int], pulp.LpVariable]  # (job, position) or (job, start)
    horizon: int
    precedences: int

    def sequence(self) -> np.ndarray | None:
        """Jobs by position (positional) or start time (time-indexed); None without values."""
        key: dict[int, tuple[float, int]] = {}
        for (j, k), var in self.variables.items():
            v = var.value()
            if v is None:
                return None
            if v > 0.5:
                key[j] = (k, j)
        n = 1 + max(j for j, _ in self.variables)
        if len(key) != n:
            return None
        return np.array(sorted(range(n), key=lambda j: key[j]), dtype=np.int64)


def _objective_terms(inst: SingleMachine, prob: pulp.LpProblem, completion: list[Any],
                     H: int) -> Any:
    """Objective over job completion expressions (variables or affine expressions)."""
    n = inst.n_jobs
    p, d, w, r = (a.tolist() for a in (inst.processing, inst.due, inst.weight, inst.release))
    obj = inst.objective
    if obj in ("total_weighted_tardiness", "total_tardiness"):
        weights = w if obj == "total_weighted_tardiness" else [1] * n
        tard = [prob.add_variable(f"T{j}", lowBound=0) for j in range(n)]
        for j in range(n):
            prob += tard[j] >= completion[j] - d[j], f"tard{j}"
        return pulp.lpSum(weights[j] * tard[j] for j in range(n))
    if obj == "max_lateness":
        lmax = prob.add_variable("Lmax", lowBound=min(r[j] + p[j] - d[j] for j in range(n)))
        for j in range(n):
            prob += lmax >= completion[j] - d[j], f"late{j}"
        return lmax
    if obj == "total_weighted_completion":
        return pulp.lpSum(w[j] * completion[j] for j in range(n))
    late = [prob.add_variable(f"U{j}", cat="Binary") for j in range(n)]
    for j in range(n):
        if r[j] + p[j] > d[j]:
            prob += late[j] == 1, f"late{j}"
        elif H > d[j]:
            prob += completion[j] <= d[j] + (H - d[j]) * late[j], f"ontime{j}"
    return pulp.lpSum(w[j] * late[j] for j in range(n))


def _positional(inst: SingleMachine, dominance: bool, deadline: Deadline) -> MilpModel:
    n = inst.n_jobs
    p, r = inst.processing.tolist(), inst.release.tolist()
    H = horizon(inst)
    prob = pulp.LpProblem(f"sm_positional_{n}", pulp.LpMinimize)
    u = {(j, k): prob.add_variable(f"u_{j}_{k}", cat="Binary")
         for j in range(n) for k in range(n)}
    c = [prob.add_variable(f"c{k}", lowBound=0, upBound=H) for k in range(n)]
    C = [prob.add_variable(f"C{j}", lowBound=r[j] + p[j], upBound=H) for j in range(n)]
    for j in range(n):
        prob += pulp.lpSum(u[j, k] for k in range(n)) == 1, f"job{j}"
    for k in range(n):
        prob += pulp.lpSum(u[j, k] for j in range(n)) == 1, f"pos{k}"
    spt = np.sort(inst.processing)
    rmin = int(inst.release.min())
    for k in range(n):
        deadline.check()
        here = pulp.lpSum(p[j] * u[j, k] for j in range(n))
        if k > 0:
            prob += c[k] >= c[k - 1] + here, f"seq{k}"
        prob += c[k] >= pulp.lpSum((r[j] + p[j]) * u[j, k] for j in range(n)), f"rel{k}"
        prob += c[k] >= rmin + int(spt[:k + 1].sum()), f"vi_pos{k}"
    for j in range(n):
        deadline.check()
        others = np.sort(np.delete(inst.processing, j))
        pi = np.concatenate([[0], np.cumsum(others)])  # pi[k]: k smallest of the others
        prob += C[j] >= rmin + p[j] + pulp.lpSum(int(pi[k]) * u[j, k] for k in range(1, n)), \
            f"vi_job{j}"
        for k in range(n):
            prob += C[j] >= c[k] - H * (1 - u[j, k]), f"link{j}_{k}"
    pairs = precedence_pairs(inst) if dominance else []
    position = [pulp.lpSum(k * u[j, k] for k in range(1, n)) for j in range(n)]
    for i, j in pairs:
        prob += position[i] + 1 <= position[j], f"dom{i}_{j}"
    prob += _objective_terms(inst, prob, C, H)
    return MilpModel(prob, "positional", u, H, len(pairs))


def _time_indexed(inst: SingleMachine, deadline: Deadline) -> MilpModel:
    n = inst.n_jobs
    p, r = inst.processing.tolist(), inst.release.tolist()
    H = horizon(inst)
    size = sum(H - p[j] - r[j] + 1 for j in range(n))
    if size > TIME_INDEXED_MAX_VARS:
        raise InputError(f"the time-indexed model would have {size} variables (n·H, limit "
                         f"{TIME_INDEXED_MAX_VARS}); use model=positional",
                         field="option model")
    prob = pulp.LpProblem(f"sm_time_indexed_{n}", pulp.LpMinimize)
    x = {(j, t): prob.add_variable(f"x_{j}_{t}", cat="Binary")
         for j in range(n) for t in range(r[j], H - p[j] + 1)}
    for j in range(n):
        prob += pulp.lpSum(x[j, t] for t in range(r[j], H - p[j] + 1)) == 1, f"job{j}"
    running: list[list[Any]] = [[] for _ in range(H)]
    for (j, t), var in x.items():
        deadline.tick()
        for s in range(t, t + p[j]):
            running[s].append(var)
    for s in range(H):
        if len(running[s]) > 1:
            prob += pulp.lpSum(running[s]) <= 1, f"cap{s}"
    completion = [pulp.lpSum((t + p[j]) * x[j, t] for t in range(r[j], H - p[j] + 1))
                  for j in range(n)]
    obj = inst.objective
    if obj in ("total_weighted_tardiness", "total_tardiness", "weighted_tardy_jobs",
               "total_weighted_completion"):
        # Cost of each start directly on x: tighter than going through completion variables.
        d, w = inst.due.tolist(), inst.weight.tolist()

        def cost(j: int, t: int) -> float:
            end = t + p[j]
            if obj == "total_weighted_tardiness":
                return w[j] * max(0, end - d[j])
            if obj == "total_tardiness":
                return max(0, end - d[j])
            if obj == "weighted_tardy_jobs":
                return w[j] * (end > d[j])
            return w[j] * end

        prob += pulp.lpSum(cost(j, t) * var for (j, t), var in x.items())
    else:
        prob += _objective_terms(inst, prob, completion, H)
    return MilpModel(prob, "time_indexed", x, H, 0)


def build(inst: SingleMachine, model: str = "positional", *, dominance: bool = True,
          hint: Sequence[int] | np.ndarray | None = None,
          deadline: Deadline | None = None) -> MilpModel:
    """Build the MILP ``model`` (``positional`` or ``time_indexed``) of ``inst``.

    ``hint``: a job sequence whose earliest-start schedule is set as the variables' initial
    values (a MIP start for solvers that take one). Past ``deadline`` the build raises
    :class:`~schedkit.formulations.deadline.OutOfTime`.
    """
    deadline = deadline or Deadline()
    if model == "positional":
        built = _positional(inst, dominance, deadline)
    elif model == "time_indexed":
        built = _time_indexed(inst, deadline)
    else:
        raise InputError(f"unknown model {model!r} (choose from {', '.join(MODELS)})",
                         field="option model")
    if hint is not None:
        _set_hint(inst, built, hint)
    deadline.check()
    return built


def _set_hint(inst: SingleMachine, built: MilpModel, hint: Sequence[int] | np.ndarray) -> None:
    p, r = inst.processing, inst.release
    where: dict[int, int] = {}
    t = 0
    for k, j in enumerate(hint):
        j = int(j)
        t = max(t, int(r[j]))
        where[j] = k if built.kind == "positional" else t
        t += int(p[j])
    for (j, k), var in built.variables.items():
        var.setInitialValue(1 if where[j] == k else 0)
