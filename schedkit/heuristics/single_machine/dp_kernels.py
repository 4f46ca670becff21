"""Numba kernel of the exact dynamic program over subsets for one machine (Held & Karp 1962),
with Pareto labels when there are release dates.

Arrays and scalars in, arrays out; the label arrays are filled in place so that a caller can
grow them and resume; ``cache=True``; also runs under ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .objective_kernels import aggregate, job_cost

__all__ = ["dp_chunk"]


@njit(cache=True)
def dp_chunk(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int, lo: int,
             hi: int, start: np.ndarray, count: np.ndarray, lab_t: np.ndarray,
             lab_c: np.ndarray, lab_prev: np.ndarray, lab_job: np.ndarray,
             nlab: int) -> tuple:
    """Subsets ``lo .. hi − 1`` of the forward DP over subsets (Held & Karp 1962).

    A label of subset S is a partial schedule of exactly the jobs of S: its completion time
    and cost. Without release dates every order of S completes at Σ_S p, so one label (the
    cheapest) per subset suffices, which is the classical recursion
    ``f(S) = min_{j∈S} f(S∖{j}) ⊕ cost_j(p(S))``. With release dates the completion time depends
    on the order, so S keeps its Pareto set of (completion, cost) labels: a label that finishes
    no earlier and costs no less than another can never lead to a better schedule, because
    every objective here is regular. Subsets are processed in increasing integer order, which
    lists every S∖{j} before S.

    Returns
    -------
    next_mask, nlab, max_labels
        ``next_mask < hi`` means the label arrays ran out of room (grow them and call again
        from ``next_mask``).
    """
    n = p.shape[0]
    maxcnt = 1
    for mask in range(lo, hi):
        need = 0
        for j in range(n):
            if (mask >> j) & 1:
                need += count[mask ^ (1 << j)]
        if nlab + need > lab_t.shape[0]:
            return mask, nlab, maxcnt
        s = nlab
        same_t = True
        for j in range(n):
            if (mask >> j) & 1:
                prev = mask ^ (1 << j)
                for lab in range(start[prev], start[prev] + count[prev]):
                    t = max(lab_t[lab], r[j]) + p[j]
                    c = aggregate(code, lab_c[lab], job_cost(code, float(w[j]), float(d[j]),
                                                          float(t)))
                    lab_t[nlab] = t
                    lab_c[nlab] = c
                    lab_prev[nlab] = lab
                    lab_job[nlab] = j
                    if nlab > s and t != lab_t[s]:
                        same_t = False
                    nlab += 1
        if same_t:  # one completion time: keep the cheapest label only
            best = s
            for lab in range(s + 1, nlab):
                if lab_c[lab] < lab_c[best]:
                    best = lab
            lab_t[s] = lab_t[best]
            lab_c[s] = lab_c[best]
            lab_prev[s] = lab_prev[best]
            lab_job[s] = lab_job[best]
            kept = 1
        else:  # Pareto filter: by completion time, keep strictly cheaper labels only
            idx = np.argsort(lab_t[s:nlab], kind="mergesort") + s
            tt = lab_t[idx]
            cc = lab_c[idx]
            pp = lab_prev[idx]
            jj = lab_job[idx]
            kept = 0
            best_c = np.inf
            m = idx.shape[0]
            q = 0
            while q < m:
                e = q
                arg = q
                while e < m and tt[e] == tt[q]:
                    if cc[e] < cc[arg]:
                        arg = e
                    e += 1
                if cc[arg] < best_c:
                    best_c = cc[arg]
                    lab_t[s + kept] = tt[arg]
                    lab_c[s + kept] = cc[arg]
                    lab_prev[s + kept] = pp[arg]
                    lab_job[s + kept] = jj[arg]
                    kept += 1
                q = e
        start[mask] = s
        count[mask] = kept
        nlab = s + kept
        maxcnt = max(maxcnt, kept)
    return hi, nlab, maxcnt

