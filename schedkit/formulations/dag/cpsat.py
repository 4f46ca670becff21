"""CP-SAT model of DAG scheduling on heterogeneous processors with communication (build only).

Variables: a start s_t and end e_t per task; per (task, processor) a presence literal x_tp and
an optional fixed-size interval [s_t, s_t + w_tp) present iff x_tp — the "alternative
resources" model of CP scheduling (P. Laborie, J. Rogerie, P. Shaw and P. Vilím, "IBM ILOG CP
optimizer for scheduling", Constraints 23(2):210-250, 2018, §4). Constraints:

* exactly one x_tp per task, e_t = s_t + Σ_p w_tp·x_tp;
* no overlap of the present intervals on each processor;
* for an edge (u, v): s_v >= e_u, and s_v >= e_u + c_pq when x_up and x_vq with p ≠ q
  (communication only across processors; one constraint per sending processor when the
  bandwidth is one number, per ordered pair otherwise);
* makespan >= e_t.

Redundant constraints that make proofs fast: makespan >= the critical path of minimum costs;
makespan >= ⌈Σ_t min_p w_tp / P⌉ (total work, ⌈work/P⌉ on identical processors); a cumulative
of capacity P over all intervals; per-processor load <= makespan; s_t >= top level and
e_t + bottom level − min_p w_tp <= makespan (levels of minimum costs); and, when processors are
interchangeable (identical costs, one latency and bandwidth), processor p is used by a task
only if p − 1 is used by an earlier task (symmetry breaking), and the model carries a search
strategy (lowest possible start first, at that start; ``fixed_search``). A hint schedule (HEFT's, by
default in the adapter) gives the solver its first solution and the horizon.

Integer data. CP-SAT needs integers, so times are multiplied by a ``scale`` S and rounded
*down* (costs and communication times). Rounding down relaxes the problem: every real schedule,
scaled, with its start times rounded up, is a schedule of the integer model (difference
constraints with integer right-hand sides survive rounding up), so OPT_int <= ⌈S·OPT⌉ and
(LB_int − 1)/S is a valid lower bound on the real optimum. When every scaled time is an
integer (``exact``) the model *is* the problem and LB_int/S is the bound. A solution of the
model is turned into a real schedule by replaying its processors and per-processor orders with
the real times (:func:`schedkit.instances.dag.robustness.replay`); when the data are exact its
makespan is the model's. The default scale is the smallest power of ten <= 10^6 that makes
every time exact, else the smallest one that makes the costs exact, else 10^k with the median
positive cost >= 1000 units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ...instances import DAG, InputError
from ...instances.dag.robustness import replay
from ..deadline import Deadline
from .common import (
    canonical_labels,
    comm_by_source,
    comm_table,
    interchangeable_processors,
    levels,
)

__all__ = ["IntegerData", "DagCpModel", "integer_data", "build", "keep_assignment"]

_EXACT_TOL = 1e-9
_ULPS = 4.0
_MAX_POWER = 6


@dataclass(frozen=True)
class IntegerData:
    """Times of a DAG instance scaled by ``scale`` and rounded down to integers.

    Attributes
    ----------
    scale
        S: model time units per instance time unit.
    exact
        True when every scaled cost and communication time is an integer (no rounding).
    dur
        int64 (n, P): ⌊S·cost⌋.
    comm
        int64 (E, P, P): ⌊S·communication time⌋ of each edge between each pair (0 on the
        diagonal).
    """

    scale: float
    exact: bool
    dur: np.ndarray
    comm: np.ndarray

    def bound(self, lb_model: float) -> float:
        """A valid lower bound on the real optimum from a lower bound of the model's."""
        return max(0.0, (lb_model - (0 if self.exact else 1)) / self.scale)


def _floor(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """Round down, except values that are an integer up to float noise (such as 0.1·10 =
    1.0000000000000002: within 1e-9 plus a few ulps of it); returns the integers and whether
    all were integral in that sense. The tolerance must not grow faster than the ulp: with a
    relative one, 1e-9·x exceeds 0.5 for x > 5e8 and every large scaled time would pass."""
    near = np.round(x)
    close = np.abs(x - near) <= _EXACT_TOL + _ULPS * np.finfo(np.float64).eps * np.abs(x)
    return np.where(close, near, np.floor(x)).astype(np.int64), bool(close.all())


def _is_exact(values: np.ndarray, scale: float) -> bool:
    return _floor(values * scale)[1]


def integer_data(instance: DAG, scale: float | None = None) -> IntegerData:
    """Scale and round down the instance's times (see the module docstring)."""
    cost = np.asarray(instance.cost, dtype=np.float64)
    comm = comm_table(instance)
    if scale is None:
        powers = [10.0**k for k in range(_MAX_POWER + 1)]
        scale = next((s for s in powers if _is_exact(cost, s) and _is_exact(comm, s)), None)
        if scale is None:
            scale = next((s for s in powers if _is_exact(cost, s)), None)
        if scale is None:
            pos = cost[cost > 0]
            med = float(np.median(pos)) if pos.size else 1.0
            k = min(_MAX_POWER, max(0, math.ceil(3 - math.log10(med))))
            scale = 10.0**k
    elif not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise InputError(f"must be a positive number, got {scale!r}", field="option scale")
    # Every schedule without idle time ends by the sum of the largest costs and transfers: its
    # scaled value must stay an exact integer (below 2^53) in the model.
    span = float(cost.max(axis=1).sum() + (comm.max(axis=(1, 2)).sum() if comm.size else 0.0))
    if span * scale >= 2.0**53:
        raise InputError(f"scale {scale:g} makes model times reach {span * scale:.3g}, beyond "
                         "the exact integers of float64 (2^53); choose a smaller scale or 0 "
                         "(automatic)", field="option scale")
    dur, exact_dur = _floor(cost * scale)
    cint, exact_comm = _floor(comm * scale)
    return IntegerData(float(scale), exact_dur and exact_comm, dur, cint)


@dataclass
class DagCpModel:
    """A built CP-SAT model and the handles needed to read a solution back."""

    model: cp_model.CpModel
    data: IntegerData
    start: list[Any]
    end: list[Any]
    present: list[list[Any]]
    makespan: Any
    horizon: int
    hint_makespan: int | None
    symmetry_breaking: bool
    fixed_search: bool = False
    stats: dict[str, Any] = field(default_factory=dict)

    def read(self, solver: cp_model.CpSolver) -> tuple[np.ndarray, np.ndarray]:
        """Processor and start time (model units) of every task in the solver's solution."""
        n = len(self.start)
        proc = np.array([next(p for p, x in enumerate(self.present[t])
                              if solver.boolean_value(x)) for t in range(n)], dtype=np.int64)
        start = np.array([solver.value(s) for s in self.start], dtype=np.int64)
        return proc, start


def _hint_schedule(instance: DAG, data: IntegerData, hint: Mapping[str, Any],
                   relabel: bool) -> tuple[np.ndarray, np.ndarray]:
    """The hint's decisions replayed with the integer times: a solution of the model."""
    proc = np.asarray(hint["processor"], dtype=np.int64)
    n = instance.n_tasks
    e = instance.edges.reshape(-1, 2)
    dur = data.dur[np.arange(n), proc].astype(np.float64)
    comm = data.comm[np.arange(e.shape[0]), proc[e[:, 0]], proc[e[:, 1]]].astype(np.float64)
    start = replay(instance, hint, durations=dur, comm=comm)
    start = np.rint(start).astype(np.int64)  # sums of integers: exact in float64 below 2^53
    if relabel:
        proc = canonical_labels(proc, instance.processors)
    return proc, start


def build(instance: DAG, *, scale: float | None = None, hint: Mapping[str, Any] | None = None,
          symmetry_breaking: bool = True, redundant: bool = True,
          deadline: Deadline | None = None) -> DagCpModel:
    """Build the CP-SAT model of the module docstring (it is not solved here).

    Parameters
    ----------
    instance
        The DAG.
    scale
        Model time units per instance time unit (default: chosen, see the module docstring).
    hint
        A feasible solution ``{"processor", "start"}`` to hint; its makespan in model units
        becomes the horizon (no worse schedule is searched).
    symmetry_breaking
        Add the processor-order constraints when processors are interchangeable.
    redundant
        Add the redundant bounds (critical path, work, cumulative, loads, levels).
    deadline
        Raise :class:`~schedkit.formulations.deadline.OutOfTime` when building takes past it.

    Returns
    -------
    DagCpModel
    """
    if not isinstance(instance, DAG):
        raise InputError(f"expected a dag instance, got {instance.problem}", field="problem")
    deadline = deadline or Deadline()
    data = integer_data(instance, scale)
    n, P = instance.n_tasks, instance.processors
    dur, cint = data.dur, data.comm
    edges = instance.edges.reshape(-1, 2).tolist()
    sym = symmetry_breaking and P > 1 and interchangeable_processors(instance)

    hinted = None
    if hint is not None:
        hinted = _hint_schedule(instance, data, hint, sym)
        hp, hs = hinted
        horizon = int((hs + dur[np.arange(n), hp]).max()) if n else 0
    else:
        horizon = int(dur.sum(axis=0).min()) if n else 0  # all on one processor: no comm

    minw = dur.min(axis=1)
    top, bottom = levels(instance, minw)
    m = cp_model.CpModel()
    makespan = m.new_int_var(0, horizon, "makespan")
    start, end, present = [], [], []
    per_proc: list[list[Any]] = [[] for _ in range(P)]
    all_iv: list[Any] = []
    loads: list[list[Any]] = [[] for _ in range(P)]
    for t in range(n):
        deadline.tick()
        s = m.new_int_var(int(top[t]), max(int(top[t]), horizon - int(bottom[t])), f"s{t}")
        e = m.new_int_var(0, horizon, f"e{t}")
        xs = [m.new_bool_var(f"x{t}_{p}") for p in range(P)]
        m.add_exactly_one(xs)
        lo_d, hi_d = int(dur[t].min()), int(dur[t].max())
        d = m.new_int_var(lo_d, hi_d, f"d{t}") if lo_d < hi_d else lo_d
        if lo_d < hi_d:
            m.add(d == sum(int(dur[t, p]) * xs[p] for p in range(P)))
        m.add(e == s + d)
        for p in range(P):
            iv = m.new_optional_fixed_size_interval_var(s, int(dur[t, p]), xs[p], f"i{t}_{p}")
            if dur[t, p] > 0:  # a zero-length task holds no processor (as in the evaluator)
                per_proc[p].append(iv)
            loads[p].append(int(dur[t, p]) * xs[p])
        if hi_d > 0:
            # Every task runs somewhere: a mandatory interval of its (variable) run time for
            # the capacity-P cumulative, which propagates far better than optional ones.
            all_iv.append(m.new_interval_var(s, d, e, f"run{t}"))
        m.add(makespan >= e)
        start.append(s)
        end.append(e)
        present.append(xs)
    for p in range(P):
        if len(per_proc[p]) > 1:
            m.add_no_overlap(per_proc[p])

    by_source = comm_by_source(instance)
    for k, (u, v) in enumerate(edges):
        deadline.tick()
        m.add(start[v] >= end[u])
        for p in range(P):
            if by_source:
                c = int(cint[k, p, (p + 1) % P]) if P > 1 else 0
                if c > 0:
                    # u on p and v elsewhere: the data crosses a link.
                    m.add(start[v] >= end[u] + c).only_enforce_if(
                        [present[u][p], ~present[v][p]])
                continue
            for q in range(P):
                c = int(cint[k, p, q])
                if p != q and c > 0:
                    m.add(start[v] >= end[u] + c).only_enforce_if([present[u][p], present[v][q]])

    if redundant and n:
        m.add(makespan >= int(bottom.max()))
        m.add(makespan * P >= int(minw.sum()))
        for t in range(n):
            m.add(end[t] + int(bottom[t] - minw[t]) <= makespan)
        if all_iv:
            m.add_cumulative(all_iv, [1] * len(all_iv), P)
        for p in range(P):
            m.add(sum(loads[p]) <= makespan)

    used_vars: list[list[Any]] = []
    if sym:
        # used[t][p]: some task <= t runs on p. Task t may use p >= 1 only if an earlier task
        # uses p - 1; any schedule, relabelled by canonical_labels, satisfies this.
        used_prev: list[Any] = [None] * P
        for t in range(n):
            used = []
            for p in range(P):
                if p > 0:
                    if used_prev[p - 1] is None:
                        m.add(present[t][p] == 0)
                    else:
                        m.add_implication(present[t][p], used_prev[p - 1])
                u_tp = m.new_bool_var(f"used{t}_{p}")
                prev = used_prev[p]
                lits = [present[t][p]] + ([prev] if prev is not None else [])
                m.add_bool_or(lits).only_enforce_if(u_tp)
                for lit in lits:
                    m.add_implication(lit, u_tp)
                used.append(u_tp)
            used_prev = used
            used_vars.append(used)

    hint_makespan = None
    if hinted is not None:
        hp, hs = hinted
        for t in range(n):
            m.add_hint(start[t], int(hs[t]))
            m.add_hint(end[t], int(hs[t] + dur[t, hp[t]]))
            for p in range(P):
                m.add_hint(present[t][p], int(hp[t] == p))
        for t, used in enumerate(used_vars):
            for p, var in enumerate(used):
                m.add_hint(var, int(bool((hp[: t + 1] == p).any())))
        hint_makespan = horizon
        m.add_hint(makespan, horizon)
    if sym:
        # On identical processors a schedule is fixed by its start times (processors follow),
        # so branching on the task with the lowest possible start, at that start, is the
        # serial schedule-generation scheme inside the search. Measured on the STG graphs
        # (4 processors) it finds and proves optima several times sooner than CP-SAT's default
        # search; on heterogeneous processors the default search is better, so it is not used.
        m.add_decision_strategy(start, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    m.minimize(makespan)
    deadline.check()
    return DagCpModel(model=m, data=data, start=start, end=end, present=present,
                      makespan=makespan, horizon=horizon, hint_makespan=hint_makespan,
                      symmetry_breaking=sym, fixed_search=sym,
                      stats={"scale": data.scale, "exact": data.exact, "horizon": horizon,
                             "symmetry_breaking": sym, "fixed_search": sym})


def keep_assignment(built: DagCpModel, processor: np.ndarray, start: np.ndarray,
                    freed: np.ndarray) -> int:
    """Restrict ``built`` to the large neighbourhood of a schedule (``processor``, ``start``
    per task, any time unit) that frees the tasks of the mask ``freed``: every other task stays
    on its processor and keeps its order there (a precedence between each one and the next);
    freed tasks may move to any processor and position. Build the model without symmetry
    breaking (which relabels processors). Returns the number of precedences added.

    The relaxation-induced neighbourhood of LNS (Shaw, CP 1998) on the alternative-resources
    model; the schedule itself satisfies every added constraint.
    """
    if built.symmetry_breaking:
        raise ValueError("keep_assignment needs a model built with symmetry_breaking=False")
    m = built.model
    kept = np.flatnonzero(~np.asarray(freed, dtype=bool))
    for t in kept.tolist():
        m.add(built.present[t][int(processor[t])] == 1)
    order = kept[np.lexsort((start[kept], processor[kept]))]
    same = np.flatnonzero(processor[order][1:] == processor[order][:-1])
    for a, b in zip(order[same].tolist(), order[same + 1].tolist(), strict=True):
        m.add(built.start[b] >= built.end[a])
    return int(same.size)
