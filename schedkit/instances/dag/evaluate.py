"""Evaluator of task graphs: feasibility, makespan, cheap lower bound and derived metrics.

Solution: ``{"processor": [p_t], "start": [s_t]}``. Times are floats (communication is
fractional); they are compared with a tolerance of :data:`~schedkit.instances.checking.TOL`
times the instance's :func:`time_scale`, which no solution can widen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..checking import (
    MAX_TIME,
    Found,
    Malformed,
    check_machine_overlap,
    member,
    parse_ints,
    parse_numbers,
    tolerance,
)
from .model import DAG

__all__ = ["check", "objective", "lower_bound", "schedule", "metrics", "comm_times",
           "critical_path", "time_scale"]


def time_scale(inst: DAG) -> float:
    """An upper bound on the span of a schedule without idle time: every task at its largest
    cost plus every edge at its slowest transfer (the scale of the comparison tolerance)."""
    work = float(inst.cost.max(axis=1).sum())
    if inst.processors < 2 or not inst.edges.size:
        return work
    bw = inst.bandwidth_matrix()
    slowest = float(bw[~np.eye(inst.processors, dtype=bool)].min())
    data = np.asarray(inst.edge_data, dtype=np.float64)
    return work + float(inst.latency_vector().max()) * data.size + float(data.sum()) / slowest


def _parse(inst: DAG, solution: Any) -> tuple[np.ndarray, np.ndarray]:
    n = inst.n_tasks
    proc = parse_ints(member(solution, "processor"), "processor", n)
    start = parse_numbers(member(solution, "start"), "start", n)
    return proc, start


def check(inst: DAG, solution: Any, found: Found) -> tuple[np.ndarray, np.ndarray] | None:
    n, P = inst.n_tasks, inst.processors
    try:
        proc, start = _parse(inst, solution)
    except Malformed as err:
        # A short list is a task without a place; report it as such, not as a shape error.
        for key in ("processor", "start"):
            val = solution.get(key) if isinstance(solution, Mapping) else None
            if isinstance(val, Sequence) and not isinstance(val, str) and len(val) < n:
                found.add("missing", f"tasks {len(val)}..{n - 1} have no {key}")
        if found.count["missing"]:
            return None
        raise err
    bad = (proc < 0) | (proc >= P)
    for t in np.flatnonzero(bad).tolist():
        found.add("range", f"task {t} on processor {int(proc[t])}, out of range 0..{P - 1}")
    if bad.any():
        return None
    for t in np.flatnonzero(start < 0).tolist():
        found.add("range", f"task {t} starts at {start[t]:g} < 0")
    for t in np.flatnonzero(start > MAX_TIME).tolist():
        found.add("range", f"task {t} starts at {start[t]:g} > {MAX_TIME:g}")
    dur = inst.cost[np.arange(n), proc]
    end = start + dur
    cached = inst.__dict__.get("_time_tolerance")
    if cached is None:
        cached = tolerance(time_scale(inst))
        object.__setattr__(inst, "_time_tolerance", cached)  # frozen instance, read-only arrays
    tol = float(cached)
    if inst.edges.size:
        u, v = inst.edges[:, 0], inst.edges[:, 1]
        comm = comm_times(inst, proc[u], proc[v], inst.edge_data)
        late = np.flatnonzero(start[v] < end[u] + comm - tol)
        for i in late.tolist():
            found.add("precedence", f"task {int(v[i])} starts at {start[v[i]]:g} before task "
                                    f"{int(u[i])}'s result arrives at {end[u[i]] + comm[i]:g}")
    check_machine_overlap(found, proc, start, dur, lambda t: f"task {t}", "processor", tol)
    return proc, start


def comm_times(inst: DAG, pu: np.ndarray, pv: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Communication time per edge: 0 on one processor, else latency[p] + data / bandwidth[p,q]."""
    bw = inst.bandwidth_matrix()
    lat = inst.latency_vector()
    same = pu == pv
    comm = np.where(same, 0.0, lat[pu] + data / np.where(same, 1.0, bw[pu, pv]))
    return comm


def objective(inst: DAG, parsed: tuple[np.ndarray, np.ndarray]) -> float:
    proc, start = parsed
    return float(np.max(start + inst.cost[np.arange(inst.n_tasks), proc]))


def critical_path(inst: DAG) -> float:
    """Longest path with every task at its minimum cost and no communication."""
    w = inst.cost.min(axis=1)
    best = w.copy()
    preds: list[list[int]] = [[] for _ in range(inst.n_tasks)]
    for u, v in inst.edges.tolist():
        preds[v].append(u)
    for t in inst.topological_order().tolist():
        if preds[t]:
            best[t] = w[t] + max(best[u] for u in preds[t])
    return float(best.max())


def lower_bound(inst: DAG) -> float:
    work = float(inst.cost.min(axis=1).sum()) / inst.processors
    return max(critical_path(inst), work)


def metrics(inst: DAG, parsed: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    """Makespan, SLR (makespan / critical path of minimum costs), speedup (best single
    processor's sequential time / makespan) and efficiency (speedup / P), as defined by
    Topcuoglu, Hariri & Wu (2002)."""
    makespan = objective(inst, parsed)
    cp = critical_path(inst)
    sequential = float(inst.cost.sum(axis=0).min())
    speedup = sequential / makespan if makespan > 0 else float("nan")
    return {
        "makespan": makespan,
        "slr": makespan / cp if cp > 0 else float("nan"),
        "speedup": speedup,
        "efficiency": speedup / inst.processors,
    }


def schedule(inst: DAG, parsed: tuple[np.ndarray, np.ndarray], solution: Any
             ) -> list[dict[str, Any]]:
    """One row per task, by task id: ``task``, ``processor``, ``start``, ``end``, ``duration``
    (its cost on that processor)."""
    proc, start = parsed
    dur = inst.cost[np.arange(inst.n_tasks), proc]
    return [{"task": t, "processor": p, "start": s, "end": s + d, "duration": d}
            for t, (p, s, d) in enumerate(zip(proc.tolist(), start.tolist(), dur.tolist(),
                                              strict=True))]
