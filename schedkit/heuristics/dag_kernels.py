"""Numba kernels of the task-graph list schedulers: arrays and scalars in, arrays out, no state.

The graph arrives in compressed sparse row form, once by predecessor and once by successor:

* ``pred_ptr`` (n+1,), ``pred_src`` (E,), ``pred_data`` (E,): the edges into task ``t`` are
  ``pred_ptr[t] … pred_ptr[t+1]-1``, from task ``pred_src[k]`` carrying ``pred_data[k]``;
* ``succ_ptr``, ``succ_dst``, ``succ_data``: the same edges grouped by their source.

Processors come as ``cost`` (n, P), ``bw`` (P, P) and ``lat`` (P,): an edge of data d from a task
on p to a task on q ≠ p takes ``lat[p] + d / bw[p, q]``, as in ``DESIGN.md`` §3 and the
evaluator; on one processor it takes 0. Every float expression of that model is written in the
evaluator's order, so the start times a kernel returns pass its check to the last bit.

Every kernel is compiled with ``cache=True`` and also runs as plain Python under
``NUMBA_DISABLE_JIT=1`` (the tests run both).

References
----------
H. Topcuoglu, S. Hariri and M.-Y. Wu, "Performance-effective and low-complexity task scheduling
for heterogeneous computing", IEEE TPDS 13(3):260-274, 2002 (HEFT, CPOP, upward and downward
ranks, the insertion policy).
H. Arabnejad and J. G. Barbosa, "List scheduling algorithm for heterogeneous systems by an
optimistic cost table", IEEE TPDS 25(3):682-694, 2014 (PEFT).
T. L. Adam, K. M. Chandy and J. R. Dickson, "A comparison of list schedules for parallel
processing systems", CACM 17(12):685-690, 1974 (HLFET, static levels).
J.-J. Hwang, Y.-C. Chow, F. D. Anger and C.-Y. Lee, "Scheduling precedence graphs in systems with
interprocessor communication times", SIAM J. Computing 18(2):244-257, 1989 (ETF).
Y.-K. Kwok and I. Ahmad, "Static scheduling algorithms for allocating directed task graphs to
multiprocessors", ACM Computing Surveys 31(4):406-471, 1999 (b-level, survey of the above).
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
    "list_schedule",
    "etf_schedule",
    "critical_path_length",
    "RULE_EFT",
    "RULE_EST",
]

#: Processor rule of :func:`list_schedule`: minimum finish time (+ ``extra[t, p]``).
RULE_EFT = 0
#: Processor rule of :func:`list_schedule`: minimum start time, ties to the earlier finish.
RULE_EST = 1


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
    for s in range(n):
        if pred_ptr[s + 1] == pred_ptr[s] and abs(priority[s] - cp) <= tol:
            t = s
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


# -- ready queue: a binary min-heap of (key, task) pairs, ties to the lower task ----------------
@njit(cache=True)
def _before(ka: float, ia: int, kb: float, ib: int) -> bool:
    return ka < kb or (ka == kb and ia < ib)


@njit(cache=True)
def _heap_push(hkey: np.ndarray, hid: np.ndarray, size: int, key: float, item: int) -> int:
    i = size
    hkey[i] = key
    hid[i] = item
    while i > 0:
        parent = (i - 1) // 2
        if not _before(hkey[i], hid[i], hkey[parent], hid[parent]):
            break
        hkey[i], hkey[parent] = hkey[parent], hkey[i]
        hid[i], hid[parent] = hid[parent], hid[i]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(hkey: np.ndarray, hid: np.ndarray, size: int) -> int:
    """Remove the root (read it before calling); returns the new size."""
    size -= 1
    hkey[0] = hkey[size]
    hid[0] = hid[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and _before(hkey[left + 1], hid[left + 1], hkey[left], hid[left]):
            c = left + 1
        if not _before(hkey[c], hid[c], hkey[i], hid[i]):
            break
        hkey[i], hkey[c] = hkey[c], hkey[i]
        hid[i], hid[c] = hid[c], hid[i]
        i = c
    return size


# -- processor time lines ------------------------------------------------------------------------
@njit(cache=True)
def _data_ready(t: int, p: int, proc: np.ndarray, finish: np.ndarray, pred_ptr: np.ndarray,
                pred_src: np.ndarray, pred_data: np.ndarray, bw: np.ndarray,
                lat: np.ndarray) -> float:
    """When the last input of task t has arrived on processor p (its predecessors placed)."""
    r = 0.0
    for k in range(pred_ptr[t], pred_ptr[t + 1]):
        u = pred_src[k]
        q = proc[u]
        a = finish[u]
        if q != p:
            a = finish[u] + (lat[q] + pred_data[k] / bw[q, p])
        if a > r:
            r = a
    return r


#: Busy intervals per block of the gap index of :func:`_slot`.
_BLOCK = 16


@njit(cache=True)
def _slot(slot_s: np.ndarray, slot_e: np.ndarray, cnt: np.ndarray, gmax: np.ndarray, p: int,
          ready: float, w: float) -> tuple[float, int]:
    """Insertion policy: the earliest start s >= ready with [s, s + w) in an idle gap of p.

    Busy intervals of p are ``slot_s[p, :cnt[p]]``/``slot_e[p, :cnt[p]]``, sorted and disjoint,
    so their ends are sorted too: a binary search skips those that end by ``ready``. Past the
    first of the others, the candidate start before interval k is the end of interval k - 1;
    ``gmax[p, b]`` (the largest gap before an interval of block b of ``_BLOCK`` intervals) lets
    the walk jump over blocks whose gaps are all clearly too short. Only blocks are skipped
    that the exact test would reject too (margin 1e-9 relative), so the result is the plain
    forward walk's, to the last bit.

    Returns
    -------
    (start, k)
        The start and the index at which the new interval is to be inserted.
    """
    m = cnt[p]
    if m == 0 or slot_e[p, m - 1] <= ready:
        return ready, m  # p is free from `ready` on
    lo, hi = 0, m - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if slot_e[p, mid] > ready:
            hi = mid
        else:
            lo = mid + 1
    k = lo
    if ready + w <= slot_s[p, k]:
        return ready, k
    margin = 1e-9 * max(1.0, abs(slot_e[p, m - 1]))
    k += 1
    while k < m:
        if k % _BLOCK == 0:
            b = k // _BLOCK
            while b * _BLOCK < m and gmax[p, b] < w - margin:
                b += 1
            if b * _BLOCK >= m:
                break
            k = b * _BLOCK
        if slot_e[p, k - 1] + w <= slot_s[p, k]:
            return slot_e[p, k - 1], k
        k += 1
    return slot_e[p, m - 1], m


@njit(cache=True)
def _occupy(slot_s: np.ndarray, slot_e: np.ndarray, cnt: np.ndarray, gmax: np.ndarray, p: int,
            k: int, s: float, f: float) -> None:
    """Insert the busy interval [s, f) at index k of p and refresh the gap index from there."""
    m = cnt[p]
    for i in range(m, k, -1):
        slot_s[p, i] = slot_s[p, i - 1]
        slot_e[p, i] = slot_e[p, i - 1]
    slot_s[p, k] = s
    slot_e[p, k] = f
    m += 1
    cnt[p] = m
    for b in range(k // _BLOCK, (m - 1) // _BLOCK + 1):
        g = 0.0
        for i in range(max(1, b * _BLOCK), min(m, (b + 1) * _BLOCK)):
            x = slot_s[p, i] - slot_e[p, i - 1]
            if x > g:
                g = x
        gmax[p, b] = g


@njit(cache=True)
def list_schedule(cost: np.ndarray, pred_ptr: np.ndarray, pred_src: np.ndarray,
                  pred_data: np.ndarray, succ_ptr: np.ndarray, succ_dst: np.ndarray,
                  bw: np.ndarray, lat: np.ndarray, priority: np.ndarray, forced: np.ndarray,
                  extra: np.ndarray, insertion: bool, rule: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """List scheduling with a ready queue: the common engine of HEFT, CPOP, PEFT and HLFET.

    Repeatedly takes the ready task (all predecessors placed) of highest ``priority`` (ties to
    the lower task index) and places it:

    * on ``forced[t]`` when that is >= 0 (CPOP's critical-path processor);
    * else, with ``rule == RULE_EFT``, on the processor minimising finish time + ``extra[t, p]``
      (HEFT: ``extra`` = 0; PEFT: the optimistic cost table); with ``rule == RULE_EST``, on the
      processor where it starts first (ties to the earlier finish) — classic list scheduling;
    * ties between processors go to the lower index.

    With ``insertion`` a task may fill an idle gap between tasks already on the processor
    (Topcuoglu et al.'s insertion-based policy); without, it starts after the last of them.
    A task of zero cost never waits for a processor (it occupies none).

    Returns
    -------
    proc : int64 (n,)
    start : float64 (n,)
    """
    n, P = cost.shape
    proc = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n)
    finish = np.zeros(n)
    slot_s = np.zeros((P, n)) if insertion else np.zeros((P, 1))
    slot_e = np.zeros((P, n)) if insertion else np.zeros((P, 1))
    gmax = np.zeros((P, n // _BLOCK + 1)) if insertion else np.zeros((P, 1))
    cnt = np.zeros(P, dtype=np.int64)
    avail = np.zeros(P)
    waiting = np.zeros(n, dtype=np.int64)
    hkey = np.zeros(n)
    hid = np.zeros(n, dtype=np.int64)
    size = 0
    for t in range(n):
        waiting[t] = pred_ptr[t + 1] - pred_ptr[t]
        if waiting[t] == 0:
            size = _heap_push(hkey, hid, size, -priority[t], t)
    use_extra = extra.shape[0] == n
    while size > 0:
        t = hid[0]
        size = _heap_pop(hkey, hid, size)
        lo, hi = 0, P
        if forced[t] >= 0:
            lo, hi = forced[t], forced[t] + 1
        best_p, best_k = -1, 0
        best_key, best_s, best_f = np.inf, 0.0, 0.0
        for p in range(lo, hi):
            r = _data_ready(t, p, proc, finish, pred_ptr, pred_src, pred_data, bw, lat)
            w = cost[t, p]
            k = 0
            if w == 0.0:
                s = r
            elif insertion:
                s, k = _slot(slot_s, slot_e, cnt, gmax, p, r, w)
            else:
                s = max(r, avail[p])
            f = s + w
            if rule == RULE_EST:
                better = best_p < 0 or s < best_s or (s == best_s and f < best_f)
            else:
                key = f + extra[t, p] if use_extra else f
                better = best_p < 0 or key < best_key
                if better:
                    best_key = key
            if better:
                best_p, best_k, best_s, best_f = p, k, s, f
        proc[t] = best_p
        start[t] = best_s
        finish[t] = best_f
        if best_f > best_s:
            if insertion:
                _occupy(slot_s, slot_e, cnt, gmax, best_p, best_k, best_s, best_f)
            if best_f > avail[best_p]:
                avail[best_p] = best_f
        for k in range(succ_ptr[t], succ_ptr[t + 1]):
            v = succ_dst[k]
            waiting[v] -= 1
            if waiting[v] == 0:
                size = _heap_push(hkey, hid, size, -priority[v], v)
    return proc, start


@njit(cache=True)
def etf_schedule(cost: np.ndarray, pred_ptr: np.ndarray, pred_src: np.ndarray,
                 pred_data: np.ndarray, succ_ptr: np.ndarray, succ_dst: np.ndarray,
                 bw: np.ndarray, lat: np.ndarray, level: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Earliest Task First (Hwang, Chow, Anger & Lee 1989).

    At every step, over all ready tasks and all processors, schedule the (task, processor) pair
    with the earliest start time (a task starts after the last task of the processor: no
    insertion); ties go to the higher static ``level``, then the lower task, then the lower
    processor. The data-ready time of a task on each processor is fixed once it is ready, so it
    is computed once.

    Returns
    -------
    proc : int64 (n,)
    start : float64 (n,)
    """
    n, P = cost.shape
    proc = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n)
    finish = np.zeros(n)
    avail = np.zeros(P)
    waiting = np.zeros(n, dtype=np.int64)
    ready = np.zeros(n, dtype=np.int64)  # the ready tasks, unordered
    nready = 0
    dready = np.zeros((n, P))
    for t in range(n):
        waiting[t] = pred_ptr[t + 1] - pred_ptr[t]
        if waiting[t] == 0:
            ready[nready] = t
            nready += 1
    for _ in range(n):
        bi, bp, bs = -1, -1, np.inf
        for i in range(nready):
            t = ready[i]
            for p in range(P):
                s = dready[t, p]
                if cost[t, p] > 0.0 and avail[p] > s:
                    s = avail[p]
                # Strict comparisons: for one task the lowest processor keeps a tie.
                better = bi < 0 or s < bs
                if not better and s == bs and t != ready[bi]:
                    bt = ready[bi]
                    better = level[t] > level[bt] or (level[t] == level[bt] and t < bt)
                if better:
                    bi, bp, bs = i, p, s
        t = ready[bi]
        nready -= 1
        ready[bi] = ready[nready]
        proc[t] = bp
        start[t] = bs
        finish[t] = bs + cost[t, bp]
        if finish[t] > avail[bp]:
            avail[bp] = finish[t]
        for k in range(succ_ptr[t], succ_ptr[t + 1]):
            v = succ_dst[k]
            waiting[v] -= 1
            if waiting[v] == 0:
                for p in range(P):
                    dready[v, p] = _data_ready(v, p, proc, finish, pred_ptr, pred_src,
                                               pred_data, bw, lat)
                ready[nready] = v
                nready += 1
    return proc, start
