"""Numba kernels of the single-machine ALNS repairs: the exact window DP and greedy insertion.

Arrays and scalars in, arrays out, no state; ``cache=True``; also runs under
``NUMBA_DISABLE_JIT=1``. Jobs and objective codes as in :mod:`.objective_kernels`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .objective_kernels import aggregate, identity, job_cost, sequence_objective

__all__ = ["MAX_WINDOW", "window_dp", "insert_jobs"]

#: Longest window the DP reorders (2^k · k steps and 2^k labels).
MAX_WINDOW = 16


@njit(cache=True)
def window_dp(p: np.ndarray, d: np.ndarray, w: np.ndarray, code: int, seq: np.ndarray,
              lo: int, k: int) -> np.ndarray:
    """``seq`` with the jobs at positions ``lo … lo+k−1`` in their best order.

    Without release dates the jobs of a window start at the completion of the jobs before it
    and end, in any order, when they all have been processed, so the jobs after the window do
    not change: the best order of the window is the best order of the whole sequence with the
    rest fixed. It is found by the subset DP of Held & Karp (J. SIAM 10(1), 1962) over the
    window, f(S) = min over j ∈ S of f(S∖{j}) ⊕ cost_j(t0 + p(S)), as in the dynasearch of
    Congram, Potts & van de Velde (INFORMS J. Computing 14(1), 2002) for windows of
    consecutive jobs.
    """
    n = seq.shape[0]
    k = min(k, n - lo)
    out = seq.copy()
    if k <= 1:
        return out
    t0 = 0
    for pos in range(lo):
        t0 += p[seq[pos]]
    jobs = seq[lo:lo + k]
    size = 1 << k
    f = np.full(size, np.inf)
    last = np.zeros(size, dtype=np.int64)
    load = np.zeros(size, dtype=np.int64)
    f[0] = identity(code)
    for s in range(1, size):
        low = s & -s
        i = 0
        while (1 << i) != low:
            i += 1
        load[s] = load[s ^ low] + p[jobs[i]]
        t = float(t0 + load[s])
        best = np.inf
        arg = -1
        for i in range(k):
            if s >> i & 1:
                j = jobs[i]
                v = aggregate(code, f[s ^ (1 << i)], job_cost(code, float(w[j]), float(d[j]), t))
                if v < best:
                    best = v
                    arg = i
        f[s] = best
        last[s] = arg
    s = size - 1
    for pos in range(lo + k - 1, lo - 1, -1):
        i = last[s]
        out[pos] = jobs[i]
        s ^= 1 << i
    return out


@njit(cache=True)
def insert_jobs(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
                rest: np.ndarray, jobs: np.ndarray) -> np.ndarray:
    """The sequence ``rest`` with ``jobs`` inserted one after another, each at the position
    where the partial sequence's objective is lowest (first such position): the greedy
    insertion repair of ruin-and-recreate (Schrimpf et al., J. Comput. Physics 159, 2000)."""
    m = rest.shape[0]
    out = np.empty(m + jobs.shape[0], dtype=np.int64)
    out[:m] = rest
    length = m
    trial = np.empty(m + jobs.shape[0], dtype=np.int64)
    for job in jobs:
        best = np.inf
        at = 0
        for pos in range(length + 1):
            trial[:pos] = out[:pos]
            trial[pos] = job
            trial[pos + 1:length + 1] = out[pos:length]
            v = sequence_objective(p, d, w, r, code, trial[:length + 1])
            if best == np.inf or v < best - 1e-9 * max(1.0, abs(best)):
                best = v
                at = pos
        out[at + 1:length + 1] = out[at:length].copy()
        out[at] = job
        length += 1
    return out
