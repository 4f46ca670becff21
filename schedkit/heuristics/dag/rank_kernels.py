"""Numba kernels of task-graph priorities: mean costs, upward and downward ranks, PEFT's
optimistic cost table, CPOP's critical path, critical-path lengths.

The graph arrives in compressed sparse row form (see :mod:`.list_kernels`). Arrays and scalars
in, arrays out, no state; ``cache=True``; also runs under ``NUMBA_DISABLE_JIT=1``.

References
----------
H. Topcuoglu, S. Hariri and M.-Y. Wu, "Performance-effective and low-complexity task scheduling
for heterogeneous computing", IEEE TPDS 13(3):260-274, 2002 (upward and downward ranks, CPOP).
H. Arabnejad and J. G. Barbosa, "List scheduling algorithm for heterogeneous systems by an
optimistic cost table", IEEE TPDS 25(3):682-694, 2014 (PEFT).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "mean_costs",
    "mean_comm",
    "upward_rank",
    "downward_rank",
    "optimistic_cost_table",
    "cpop_critical_tasks",
    "critical_path_length",
]


@njit(cache=True)
def mean_costs(cost: np.ndarray) -> np.ndarray:
    """Mean computation cost of each task over the processors (w̄ of Topcuoglu et al.).

    Summed left to right, so that a plain-Python implementation gets the same floats.
    """
    n, P = cost.shape
    out = np.zeros(n)
    for t in range(n):
        s = 0.0
        for p in range(P):
            s += cost[t, p]
        out[t] = s / P
    return out


@njit(cache=True)
def mean_comm(data: np.ndarray, bw: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Mean communication cost c̄ = L̄ + data / B̄ of each edge (Topcuoglu et al. 2002, §3).

    L̄ is the mean start-up latency and B̄ the mean bandwidth over ordered pairs of distinct
    processors; with one processor nothing is ever sent, so c̄ = 0.
    """
    P = lat.shape[0]
    out = np.zeros(data.shape[0])
    if P < 2:
        return out
    s = 0.0
    for p in range(P):
        s += lat[p]
    lbar = s / P
    b = 0.0
    for p in range(P):
        for q in range(P):
            if p != q:
                b += bw[p, q]
    bbar = b / (P * (P - 1))
    for k in range(data.shape[0]):
        out[k] = lbar + data[k] / bbar
    return out


@njit(cache=True)
def upward_rank(weight: np.ndarray, succ_ptr: np.ndarray, succ_dst: np.ndarray,
                succ_comm: np.ndarray, topo: np.ndarray) -> np.ndarray:
    """rank_u(t) = w(t) + max over successors v of (c(t, v) + rank_u(v)); exits: w(t).

    HEFT's upward rank with mean costs (Topcuoglu et al. 2002, eq. 3); with zero ``succ_comm``
    it is HLFET's static level (Adam et al. 1974), with mean communication Kwok & Ahmad's b-level.
    """
    n = weight.shape[0]
    rank = np.zeros(n)
    for i in range(n - 1, -1, -1):
        t = topo[i]
        best = 0.0
        for k in range(succ_ptr[t], succ_ptr[t + 1]):
            x = succ_comm[k] + rank[succ_dst[k]]
            if x > best:
                best = x
        rank[t] = weight[t] + best
    return rank


@njit(cache=True)
def downward_rank(weight: np.ndarray, pred_ptr: np.ndarray, pred_src: np.ndarray,
                  pred_comm: np.ndarray, topo: np.ndarray) -> np.ndarray:
    """rank_d(t) = max over predecessors u of (rank_d(u) + w(u) + c(u, t)); entries: 0.

    Topcuoglu et al. 2002, eq. 4 (the t-level of Kwok & Ahmad).
    """
    n = weight.shape[0]
    rank = np.zeros(n)
    for i in range(n):
        t = topo[i]
        best = 0.0
        for k in range(pred_ptr[t], pred_ptr[t + 1]):
            u = pred_src[k]
            x = rank[u] + weight[u] + pred_comm[k]
            if x > best:
                best = x
        rank[t] = best
    return rank


@njit(cache=True)
def optimistic_cost_table(cost: np.ndarray, succ_ptr: np.ndarray, succ_dst: np.ndarray,
                          succ_comm: np.ndarray, topo: np.ndarray) -> np.ndarray:
    """PEFT's optimistic cost table (Arabnejad & Barbosa 2014, eq. 7).

    OCT(t, p) = max over successors v of min over processors w of
    [OCT(v, w) + cost(v, w) + (c̄(t, v) if w ≠ p else 0)]; 0 for exit tasks. It is the length
    of the longest path from t to an exit if t sits on p and every later task could take its
    best processor, with mean communication costs.
    """
    n, P = cost.shape
    table = np.zeros((n, P))
    for i in range(n - 1, -1, -1):
        t = topo[i]
        for p in range(P):
            worst = 0.0
            for k in range(succ_ptr[t], succ_ptr[t + 1]):
                v = succ_dst[k]
                best = np.inf
                for w in range(P):
                    x = table[v, w] + cost[v, w]
                    if w != p:
                        x += succ_comm[k]
                    if x < best:
                        best = x
                if best > worst:
                    worst = best
            table[t, p] = worst
    return table


@njit(cache=True)
def cpop_critical_tasks(cost: np.ndarray, priority: np.ndarray, pred_ptr: np.ndarray,
                        succ_ptr: np.ndarray, succ_dst: np.ndarray,
                        rel_tol: float) -> np.ndarray:
    """CPOP's critical path and processor (Topcuoglu et al. 2002, Fig. 5, steps 4-11).

    |CP| is the largest priority rank_u + rank_d; the path starts at the lowest-numbered entry
    task of that priority and follows, at each step, the lowest-numbered successor of that
    priority (equal within ``rel_tol`` relative: the two ranks are summed along different
    paths). The critical-path processor minimises the summed cost of the path's tasks.

    Returns
    -------
    forced : int64 (n,)
        The critical-path processor for the tasks on the path, -1 elsewhere.
    """
    n, P = cost.shape
    forced = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return forced
    cp = priority.max()
    tol = rel_tol * max(1.0, abs(cp))
    on_path = np.zeros(n, dtype=np.bool_)
    t = -1
    for e in range(n):
        if pred_ptr[e + 1] == pred_ptr[e] and abs(priority[e] - cp) <= tol:
            t = e
            break
    while t >= 0:
        on_path[t] = True
        nxt = -1
        for k in range(succ_ptr[t], succ_ptr[t + 1]):
            v = succ_dst[k]
            if abs(priority[v] - cp) <= tol and (nxt < 0 or v < nxt):
                nxt = v
        t = nxt
    best_p, best = 0, np.inf
    for p in range(P):
        s = 0.0
        for u in range(n):
            if on_path[u]:
                s += cost[u, p]
        if s < best:
            best, best_p = s, p
    for u in range(n):
        if on_path[u]:
            forced[u] = best_p
    return forced


@njit(cache=True)
def critical_path_length(weight: np.ndarray, pred_ptr: np.ndarray, pred_src: np.ndarray,
                         topo: np.ndarray) -> float:
    """Longest path of ``weight`` (no communication): with minimum costs, the SLR denominator
    and a lower bound on the makespan."""
    n = weight.shape[0]
    finish = np.zeros(n)
    best = 0.0
    for i in range(n):
        t = topo[i]
        s = 0.0
        for k in range(pred_ptr[t], pred_ptr[t + 1]):
            if finish[pred_src[k]] > s:
                s = finish[pred_src[k]]
        finish[t] = s + weight[t]
        if finish[t] > best:
            best = finish[t]
    return best
