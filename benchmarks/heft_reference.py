"""A straightforward pure-Python HEFT, written only to be timed against schedkit's Numba ``heft``.

Topcuoglu, Hariri & Wu, "Performance-effective and low-complexity task scheduling for
heterogeneous computing", IEEE TPDS 13(3):260-274, 2002: upward ranks on mean computation and
mean communication costs, tasks in decreasing rank (ties to the lower index), each on the
processor of earliest finish time with the insertion policy.

It implements the same policy with the same arithmetic as
:mod:`schedkit.heuristics.dag.list_kernels`, in plain Python lists: the same float expressions in
the same order (so the schedules are identical to the last bit), ties to the lower processor.
Where the kernel takes tasks from a ready queue this takes them from one sorted list, which is
the same order whenever every task's mean cost is positive (then a predecessor's rank is
strictly larger than its successor's). Two searches for the idle gap, with the same result:

``search="linear"`` (the straightforward one)
    walk a processor's busy intervals from the first, as the insertion policy is usually
    written: O(intervals on the processor) per task and processor;
``search="bisect"`` (the kernel's)
    skip the intervals that end by the data-ready time with ``bisect``, then walk forward:
    the same algorithm as the Numba kernel, so that the time ratio isolates compilation.

Not part of the package.
"""

from __future__ import annotations

from bisect import bisect_right

import schedkit as sk


def heft_python(instance, search: str = "linear") -> tuple[list[int], list[float]]:
    """HEFT with insertion on a :class:`schedkit.DAG`; returns (processor, start) lists."""
    linear = search == "linear"
    n, P = instance.n_tasks, instance.processors
    cost = instance.cost.tolist()
    bw = instance.bandwidth_matrix().tolist()
    lat = instance.latency_vector().tolist()
    preds: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for (u, v), d in zip(instance.edges.tolist(), instance.edge_data.tolist(), strict=True):
        preds[v].append((u, d))
        succs[u].append((v, d))

    # Mean costs: w̄ per task; c̄ = L̄ + data / B̄ over ordered pairs of distinct processors.
    wbar = []
    for row in cost:
        s = 0.0
        for x in row:
            s += x
        wbar.append(s / P)
    if P > 1:
        lbar = sum(lat) / P
        b = 0.0
        for p in range(P):
            for q in range(P):
                if p != q:
                    b += bw[p][q]
        bbar = b / (P * (P - 1))
    rank = [0.0] * n
    for t in reversed(instance.topological_order().tolist()):
        best = 0.0
        for v, d in succs[t]:
            x = (lbar + d / bbar if P > 1 else 0.0) + rank[v]
            if x > best:
                best = x
        rank[t] = wbar[t] + best
    order = sorted(range(n), key=lambda t: (-rank[t], t))

    proc = [-1] * n
    start = [0.0] * n
    finish = [0.0] * n
    starts: list[list[float]] = [[] for _ in range(P)]  # busy intervals per processor, sorted
    ends: list[list[float]] = [[] for _ in range(P)]
    for t in order:
        best_p, best_k, best_s, best_f = -1, 0, 0.0, 0.0
        for p in range(P):
            ready = 0.0
            for u, d in preds[t]:
                a = finish[u]
                if proc[u] != p:
                    a = finish[u] + (lat[proc[u]] + d / bw[proc[u]][p])
                if a > ready:
                    ready = a
            w = cost[t][p]
            k = 0
            if w == 0.0:
                s = ready
            else:
                sp, ep = starts[p], ends[p]
                # Intervals ending by `ready` cannot hold the task; the linear walk finds that
                # out one by one (s stays `ready` over them), bisect jumps past them.
                k = 0 if linear else bisect_right(ep, ready)
                s = ready
                while k < len(sp):
                    if s + w <= sp[k]:
                        break
                    if ep[k] > s:
                        s = ep[k]
                    k += 1
            f = s + w
            if best_p < 0 or f < best_f:
                best_p, best_k, best_s, best_f = p, k, s, f
        proc[t], start[t], finish[t] = best_p, best_s, best_f
        if best_f > best_s:
            starts[best_p].insert(best_k, best_s)
            ends[best_p].insert(best_k, best_f)
    return proc, start


def run(instance, ctx, search: str = "linear"):
    """Adapter: the reference schedule as a method result (``feasible``; solve() re-checks it).

    It skips what schedkit's ``heft`` adapter adds around its kernel (the CSR arrays of the
    instance, the SLR/speedup metrics), which can only make the reference look faster.
    """
    import numpy as np

    proc, start = heft_python(instance, search)
    p = np.asarray(proc, dtype=np.int64)
    s = np.asarray(start)
    makespan = float((s + instance.cost[np.arange(instance.n_tasks), p]).max())
    return sk.MethodResult({"processor": proc, "start": start}, sk.Status.FEASIBLE,
                           objective=makespan)


def run_bisect(instance, ctx):
    """The reference with the kernel's gap search."""
    return run(instance, ctx, "bisect")
