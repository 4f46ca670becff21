"""List schedulers for task graphs on heterogeneous processors: HEFT, CPOP, PEFT, list scheduling.

Wrappers over :mod:`.rank_kernels` and :mod:`.list_kernels`: they turn a
:class:`~schedkit.instances.DAG` into arrays once (:func:`dag_arrays`), call a kernel and
return a :class:`DagSchedule`.
Communication follows ``DESIGN.md`` §3: zero on one processor, else ``latency[p] +
data / bandwidth[p, q]``; priorities use the mean costs of Topcuoglu et al.

References
----------
H. Topcuoglu, S. Hariri and M.-Y. Wu, "Performance-effective and low-complexity task scheduling
for heterogeneous computing", IEEE TPDS 13(3):260-274, 2002 (HEFT, CPOP).
H. Arabnejad and J. G. Barbosa, "List scheduling algorithm for heterogeneous systems by an
optimistic cost table", IEEE TPDS 25(3):682-694, 2014 (PEFT).
T. L. Adam, K. M. Chandy and J. R. Dickson, "A comparison of list schedules for parallel
processing systems", CACM 17(12):685-690, 1974 (HLFET).
J.-J. Hwang, Y.-C. Chow, F. D. Anger and C.-Y. Lee, "Scheduling precedence graphs in systems with
interprocessor communication times", SIAM J. Computing 18(2):244-257, 1989 (ETF).
Y.-K. Kwok and I. Ahmad, "Static scheduling algorithms for allocating directed task graphs to
multiprocessors", ACM Computing Surveys 31(4):406-471, 1999 (b-level; survey).
R. L. Graham, "Bounds for certain multiprocessing anomalies", Bell System Technical Journal
45(9):1563-1581, 1966 (list scheduling for P|prec|Cmax).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...instances import DAG, InputError
from . import list_kernels as LK
from . import rank_kernels as RK

__all__ = [
    "DagArrays",
    "DagSchedule",
    "LIST_PRIORITIES",
    "dag_arrays",
    "heft",
    "cpop",
    "peft",
    "list_scheduling",
    "best_heuristic",
    "schedule_metrics",
]

#: Priorities of :func:`list_scheduling` (the ``priority`` option of the ``list`` method).
LIST_PRIORITIES = ("bottom_level", "hlfet", "etf", "random")

# CPOP compares two sums of ranks taken along different paths; they agree to rounding.
_CP_REL_TOL = 1e-9


@dataclass(frozen=True)
class DagArrays:
    """A DAG instance in kernel form (see :mod:`.list_kernels`)."""

    cost: np.ndarray
    pred_ptr: np.ndarray
    pred_src: np.ndarray
    pred_data: np.ndarray
    succ_ptr: np.ndarray
    succ_dst: np.ndarray
    succ_data: np.ndarray
    bw: np.ndarray
    lat: np.ndarray
    topo: np.ndarray

    @property
    def n(self) -> int:
        return int(self.cost.shape[0])

    @property
    def processors(self) -> int:
        return int(self.cost.shape[1])


def _csr(key: np.ndarray, other: np.ndarray, data: np.ndarray, n: int
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(key, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(other[order]), np.ascontiguousarray(data[order])


def dag_arrays(instance: DAG) -> DagArrays:
    """The arrays every DAG kernel takes, built once per instance (edges in CSR form twice)."""
    if not isinstance(instance, DAG):
        raise InputError(f"expected a dag instance, got {instance.problem}", field="problem")
    n = instance.n_tasks
    e = instance.edges.reshape(-1, 2)
    u, v = e[:, 0].astype(np.int64), e[:, 1].astype(np.int64)
    data = np.asarray(instance.edge_data, dtype=np.float64)
    pred_ptr, pred_src, pred_data = _csr(v, u, data, n)
    succ_ptr, succ_dst, succ_data = _csr(u, v, data, n)
    return DagArrays(
        cost=np.ascontiguousarray(instance.cost, dtype=np.float64),
        pred_ptr=pred_ptr, pred_src=pred_src, pred_data=pred_data,
        succ_ptr=succ_ptr, succ_dst=succ_dst, succ_data=succ_data,
        bw=np.ascontiguousarray(instance.bandwidth_matrix()),
        lat=np.ascontiguousarray(instance.latency_vector()),
        topo=np.ascontiguousarray(instance.topological_order(), dtype=np.int64),
    )


@dataclass(frozen=True)
class DagSchedule:
    """A schedule of a DAG: processor and start time of every task, and its makespan."""

    processor: np.ndarray
    start: np.ndarray
    makespan: float
    method: str = ""

    def solution(self) -> dict[str, Any]:
        """The solution document ``{"processor": […], "start": […]}`` of ``DESIGN.md`` §3."""
        return {"processor": self.processor.tolist(), "start": self.start.tolist()}


def _finish(a: DagArrays, proc: np.ndarray, start: np.ndarray, method: str) -> DagSchedule:
    end = start + a.cost[np.arange(a.n), proc]
    return DagSchedule(proc, start, float(end.max()) if a.n else 0.0, method)


def _arrays(instance: DAG | DagArrays) -> DagArrays:
    return instance if isinstance(instance, DagArrays) else dag_arrays(instance)


def _no_extra(a: DagArrays) -> np.ndarray:
    return np.zeros((0, a.processors))


def heft(instance: DAG | DagArrays, *, insertion: bool = True) -> DagSchedule:
    """Heterogeneous Earliest Finish Time (Topcuoglu, Hariri & Wu 2002).

    Tasks in decreasing upward rank (eq. 3: mean computation cost plus the longest path of
    mean computation and mean communication costs to an exit; ties to the lower task index, and
    a task is taken only once its predecessors are placed); each goes to the processor where it
    finishes earliest, with the insertion policy (it may fill an idle gap between tasks already
    placed) unless ``insertion=False``.
    """
    a = _arrays(instance)
    succ_comm = RK.mean_comm(a.succ_data, a.bw, a.lat)
    rank = RK.upward_rank(RK.mean_costs(a.cost), a.succ_ptr, a.succ_dst, succ_comm, a.topo)
    proc, start = LK.list_schedule(
        a.cost, a.pred_ptr, a.pred_src, a.pred_data, a.succ_ptr, a.succ_dst, a.bw, a.lat,
        rank, np.full(a.n, -1, dtype=np.int64), _no_extra(a), insertion, LK.RULE_EFT)
    return _finish(a, proc, start, "heft")


def cpop(instance: DAG | DagArrays) -> DagSchedule:
    """Critical Path On a Processor (Topcuoglu, Hariri & Wu 2002, §4.2).

    Priority = upward + downward rank (mean costs); the tasks whose priority equals the
    largest, followed from an entry task to an exit, form the critical path and all go to the
    one processor that runs them fastest in total; the other tasks go, in priority order as
    they become ready, to the processor of earliest finish time (insertion policy).
    """
    a = _arrays(instance)
    w = RK.mean_costs(a.cost)
    succ_comm = RK.mean_comm(a.succ_data, a.bw, a.lat)
    pred_comm = RK.mean_comm(a.pred_data, a.bw, a.lat)
    prio = (RK.upward_rank(w, a.succ_ptr, a.succ_dst, succ_comm, a.topo)
            + RK.downward_rank(w, a.pred_ptr, a.pred_src, pred_comm, a.topo))
    forced = RK.cpop_critical_tasks(a.cost, prio, a.pred_ptr, a.succ_ptr, a.succ_dst,
                                      _CP_REL_TOL)
    proc, start = LK.list_schedule(
        a.cost, a.pred_ptr, a.pred_src, a.pred_data, a.succ_ptr, a.succ_dst, a.bw, a.lat,
        prio, forced, _no_extra(a), True, LK.RULE_EFT)
    return _finish(a, proc, start, "cpop")


def peft(instance: DAG | DagArrays) -> DagSchedule:
    """Predict Earliest Finish Time (Arabnejad & Barbosa 2014).

    Priority rank_oct = the mean over processors of the optimistic cost table OCT(t, p)
    (:func:`.rank_kernels.optimistic_cost_table`); the ready task of highest
    rank_oct goes to the processor minimising EFT(t, p) + OCT(t, p), with the insertion policy.
    """
    a = _arrays(instance)
    succ_comm = RK.mean_comm(a.succ_data, a.bw, a.lat)
    table = RK.optimistic_cost_table(a.cost, a.succ_ptr, a.succ_dst, succ_comm, a.topo)
    rank = table.sum(axis=1) / a.processors
    proc, start = LK.list_schedule(
        a.cost, a.pred_ptr, a.pred_src, a.pred_data, a.succ_ptr, a.succ_dst, a.bw, a.lat,
        rank, np.full(a.n, -1, dtype=np.int64), table, True, LK.RULE_EFT)
    return _finish(a, proc, start, "peft")


def list_scheduling(instance: DAG | DagArrays, priority: str = "bottom_level", *,
                    seed: int = 0) -> DagSchedule:
    """Classic list scheduling, the heuristic for P|prec|Cmax (Graham 1966; Kwok & Ahmad 1999).

    A task starts after the last task of its processor (no insertion) and goes to the
    processor where it can start first. Priorities (mean costs on heterogeneous processors):

    ``bottom_level``
        b-level: the longest path to an exit, with mean communication costs (Kwok & Ahmad);
        the highest ready task first.
    ``hlfet``
        Highest Level First with Estimated Times: the static level, the same without
        communication (Adam, Chandy & Dickson 1974).
    ``etf``
        Earliest Task First: over all ready tasks and processors, the pair of earliest start
        time, ties to the higher static level (Hwang, Chow, Anger & Lee 1989).
    ``random``
        a random priority (``numpy.random.default_rng(seed)``): a random ready task first.
    """
    if priority not in LIST_PRIORITIES:
        raise InputError(f"must be one of {', '.join(LIST_PRIORITIES)}, got {priority!r}",
                         field="option priority")
    a = _arrays(instance)
    w = RK.mean_costs(a.cost)
    if priority == "bottom_level":
        comm = RK.mean_comm(a.succ_data, a.bw, a.lat)
        prio = RK.upward_rank(w, a.succ_ptr, a.succ_dst, comm, a.topo)
    elif priority == "random":
        prio = np.random.default_rng(seed).random(a.n)
    else:
        prio = RK.upward_rank(w, a.succ_ptr, a.succ_dst, np.zeros(a.succ_dst.shape[0]),
                                a.topo)
    if priority == "etf":
        proc, start = LK.etf_schedule(a.cost, a.pred_ptr, a.pred_src, a.pred_data,
                                        a.succ_ptr, a.succ_dst, a.bw, a.lat, prio)
    else:
        proc, start = LK.list_schedule(
            a.cost, a.pred_ptr, a.pred_src, a.pred_data, a.succ_ptr, a.succ_dst, a.bw, a.lat,
            prio, np.full(a.n, -1, dtype=np.int64), _no_extra(a), False, LK.RULE_EST)
    return _finish(a, proc, start, f"list-{priority}")


def best_heuristic(instance: DAG | DagArrays) -> DagSchedule:
    """The shortest of the HEFT, PEFT, CPOP and deterministic list schedules (ties to the
    earlier in that order): a cheap incumbent for the exact methods."""
    a = _arrays(instance)
    found = [heft(a), peft(a), cpop(a)] + [list_scheduling(a, p)
                                          for p in ("bottom_level", "hlfet", "etf")]
    return min(found, key=lambda s: s.makespan)


def schedule_metrics(instance: DAG | DagArrays, makespan: float) -> dict[str, float]:
    """Makespan, SLR, speedup and efficiency of a schedule (Topcuoglu et al. 2002, §5.2).

    SLR = makespan / the critical path of minimum costs; speedup = the best single processor's
    sequential time / makespan; efficiency = speedup / P. The same numbers as
    :func:`schedkit.instances.metrics`, without re-checking the schedule (the caller's solve()
    does that), so that they cost O(n + E) on large graphs.
    """
    a = _arrays(instance)
    cp = RK.critical_path_length(a.cost.min(axis=1), a.pred_ptr, a.pred_src, a.topo)
    sequential = float(a.cost.sum(axis=0).min()) if a.n else 0.0
    speedup = sequential / makespan if makespan > 0 else float("nan")
    return {
        "makespan": float(makespan),
        "slr": makespan / cp if cp > 0 else float("nan"),
        "speedup": speedup,
        "efficiency": speedup / a.processors,
    }
