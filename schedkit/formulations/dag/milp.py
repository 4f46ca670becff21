"""MILP model of DAG scheduling on heterogeneous processors with communication (PuLP, build only).

A disjunctive (big-M) formulation with assignment variables, in the line of the MILP models of
task scheduling with communication delays surveyed by T. Davidović, L. Liberti, N. Maculan and
N. Mladenović, "Towards the optimal solution of the multiprocessor scheduling problem with
communication delays", MISTA 2007, and used for heterogeneous processors by e.g.
S. Venugopalan and O. Sinnen, "ILP formulations for optimal task scheduling with communication
delays on parallel systems", IEEE TPDS 26(1):142-151, 2015:

* x_tp ∈ {0, 1}: task t runs on processor p, Σ_p x_tp = 1; run time d_t = Σ_p w_tp·x_tp;
* s_t >= 0 continuous; C >= s_t + d_t, minimise C;
* edge (u, v): s_v >= s_u + d_u, and s_v >= s_u + d_u + c_pq·(x_up + x_vq − 1) for p ≠ q
  (communication only across processors; with one bandwidth the constraint per sending
  processor, s_v >= s_u + d_u + c_p·(x_up − x_vp), is equivalent and P times fewer);
* for two tasks i < j not related by a path (a path already orders them): an order binary
  z_ij and a same-processor indicator y_ij >= x_ip + x_jp − 1 (for every p), with
  s_j >= s_i + d_i − M(1 − z_ij) − M(1 − y_ij) and s_i >= s_j + d_j − M·z_ij − M(1 − y_ij).

M is an upper bound on the optimal makespan — the makespan of a heuristic schedule (HEFT's, or
a better one) — and C <= M, so every disjunction is valid when switched off. Redundant: C >= the
cheap lower bound, per-processor load <= C, s_t >= top level and s_t + d_t + bottom level −
min cost <= C (levels of minimum costs), and with interchangeable processors x_tp <= Σ_{u<t}
x_u,p−1 (processor p is used only after p − 1; symmetry breaking). Times stay floats: no
scaling. The model has O(n²) binaries and suits small graphs (tens of tasks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from ...instances import DAG, InputError
from ...instances.evaluate import lower_bound
from ..deadline import Deadline
from .common import (
    comm_by_source,
    comm_table,
    interchangeable_processors,
    levels,
    successor_closure,
)

__all__ = ["DagMilpModel", "build"]


@dataclass
class DagMilpModel:
    """A built PuLP model and its variables."""

    problem: pulp.LpProblem
    x: list[list[pulp.LpVariable]]
    start: list[pulp.LpVariable]
    makespan: pulp.LpVariable
    big_m: float
    pairs: int
    symmetry_breaking: bool

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        """Processor and start time of every task in the solved model's values."""
        proc = np.array([int(np.argmax([v.value() or 0.0 for v in row])) for row in self.x],
                        dtype=np.int64)
        start = np.array([max(0.0, s.value() or 0.0) for s in self.start])
        return proc, start


def build(instance: DAG, *, big_m: float, symmetry_breaking: bool = True,
          name: str = "dag", deadline: Deadline | None = None) -> DagMilpModel:
    """Build the MILP of the module docstring (it is not solved here).

    Parameters
    ----------
    instance
        The DAG.
    big_m
        An upper bound on the optimal makespan, e.g. HEFT's makespan.
    symmetry_breaking
        Add the processor-order constraints when processors are interchangeable.
    name
        Name of the PuLP problem.
    deadline
        Raise :class:`~schedkit.formulations.deadline.OutOfTime` when building takes past it.
    """
    if not isinstance(instance, DAG):
        raise InputError(f"expected a dag instance, got {instance.problem}", field="problem")
    if not (np.isfinite(big_m) and big_m >= 0):
        raise InputError(f"must be a finite upper bound >= 0, got {big_m!r}", field="big_m")
    deadline = deadline or Deadline()
    n, P = instance.n_tasks, instance.processors
    cost = np.asarray(instance.cost, dtype=np.float64)
    M = float(big_m)
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    C = prob.add_variable("makespan", lowBound=0, upBound=M)
    x = [[prob.add_variable(f"x_{t}_{p}", cat="Binary") for p in range(P)] for t in range(n)]
    s = [prob.add_variable(f"s_{t}", lowBound=0, upBound=M) for t in range(n)]
    d = [pulp.lpSum(float(cost[t, p]) * x[t][p] for p in range(P)) for t in range(n)]
    prob += C
    minw = cost.min(axis=1)
    top, bottom = levels(instance, minw)
    for t in range(n):
        prob += pulp.lpSum(x[t]) == 1, f"assign_{t}"
        prob += s[t] >= float(top[t]), f"top_{t}"
        prob += s[t] + d[t] + float(bottom[t] - minw[t]) <= C, f"tail_{t}"

    comm = comm_table(instance)
    by_source = comm_by_source(instance)
    for k, (u, v) in enumerate(instance.edges.reshape(-1, 2).tolist()):
        deadline.tick()
        prob += s[v] >= s[u] + d[u], f"prec_{k}"
        for p in range(P):
            if by_source:
                c = float(comm[k, p, (p + 1) % P]) if P > 1 else 0.0
                if c > 0:
                    prob += s[v] >= s[u] + d[u] + c * (x[u][p] - x[v][p]), f"comm_{k}_{p}"
                continue
            for q in range(P):
                c = float(comm[k, p, q])
                if p != q and c > 0:
                    prob += (s[v] >= s[u] + d[u] + c * (x[u][p] + x[v][q] - 1),
                             f"comm_{k}_{p}_{q}")

    reach = successor_closure(instance)
    pairs = 0
    for i in range(n):
        for j in range(i + 1, n):
            deadline.tick()
            if j in reach[i] or i in reach[j] or (cost[i].max() == 0 or cost[j].max() == 0):
                continue
            z = prob.add_variable(f"z_{i}_{j}", cat="Binary")
            y = prob.add_variable(f"y_{i}_{j}", lowBound=0, upBound=1)
            for p in range(P):
                prob += y >= x[i][p] + x[j][p] - 1, f"same_{i}_{j}_{p}"
            prob += s[j] >= s[i] + d[i] - M * (1 - z) - M * (1 - y), f"ij_{i}_{j}"
            prob += s[i] >= s[j] + d[j] - M * z - M * (1 - y), f"ji_{i}_{j}"
            pairs += 1

    prob += C >= float(lower_bound(instance)), "cheap_bound"
    for p in range(P):
        prob += pulp.lpSum(float(cost[t, p]) * x[t][p] for t in range(n)) <= C, f"load_{p}"
    sym = symmetry_breaking and P > 1 and interchangeable_processors(instance)
    if sym:
        for t in range(n):
            for p in range(1, P):
                prob += x[t][p] <= pulp.lpSum(x[u][p - 1] for u in range(t)), f"sym_{t}_{p}"
    deadline.check()
    return DagMilpModel(problem=prob, x=x, start=s, makespan=C, big_m=M, pairs=pairs,
                        symmetry_breaking=sym)
