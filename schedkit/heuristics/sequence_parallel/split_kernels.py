"""Numba kernels of the micro-batch split: the linear-partition DP and the bucketing DP.

Both are dynamic programmes over a sorted order (plain arrays and ints in, arrays out, no
state) and run the same under ``NUMBA_DISABLE_JIT=1``. The wrappers in :mod:`.split` sort,
build the per-sequence estimates and map the answers back to sequence ids.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["partition_dp", "bucket_dp"]


@njit(cache=True)
def partition_dp(tokens: np.ndarray, work: np.ndarray, single: np.ndarray, parts: int,
                 devices: int, capacity: int, b1: float) -> np.ndarray:
    """Cut a sorted sequence list into ``parts`` contiguous, non-empty parts, minimising the
    sum of the parts' estimated times (the linear-partition problem, solved exactly by DP).

    Parameters
    ----------
    tokens
        int64 (K,): lengths in the sorted order (longest first).
    work
        float64 (K,): w_k, the least device-seconds of each sequence.
    single
        float64 (K,): the least time of each sequence alone, min_d t(s_k, d).
    parts
        m, the number of parts (1 <= m <= K).
    devices
        N: the estimate of a part is ``b1 + max(Σ w / N, single[first])`` (its first item is
        its longest: the order is by decreasing length).
    capacity
        N·C: a part holding more tokens is forbidden.
    b1
        The fixed cost of a part (one micro-batch pays at least one group's b1).

    Returns
    -------
    int64 (K,)
        The part of each position (0..m−1, non-decreasing), or all −1 when no cut meets the
        token capacity.
    """
    K = tokens.size
    out = np.full(K, -1, dtype=np.int64)
    if parts < 1 or parts > K:
        return out
    inf = np.inf
    ctok = np.zeros(K + 1, dtype=np.int64)
    cwork = np.zeros(K + 1, dtype=np.float64)
    for k in range(K):
        ctok[k + 1] = ctok[k] + tokens[k]
        cwork[k + 1] = cwork[k] + work[k]
    # best[j, i]: least cost of the first i positions cut into j parts; cut[j, i] its last cut.
    best = np.full((parts + 1, K + 1), inf)
    cut = np.full((parts + 1, K + 1), -1, dtype=np.int64)
    best[0, 0] = 0.0
    for j in range(1, parts + 1):
        # Position i ends part j; the remaining parts need at least one position each.
        for i in range(j, K - (parts - j) + 1):
            lo = j - 1
            for a in range(i - 1, lo - 1, -1):
                if ctok[i] - ctok[a] > capacity:
                    break  # parts further left only grow
                prev = best[j - 1, a]
                if prev == inf:
                    continue
                est = (cwork[i] - cwork[a]) / devices
                if single[a] > est:
                    est = single[a]
                value = prev + b1 + est
                if value < best[j, i]:
                    best[j, i] = value
                    cut[j, i] = a
    if best[parts, K] == inf:
        return out
    i = K
    for j in range(parts, 0, -1):
        a = cut[j, i]
        for p in range(a, i):
            out[p] = j - 1
        i = a
    return out


@njit(cache=True)
def bucket_dp(sorted_lengths: np.ndarray, buckets: int) -> np.ndarray:
    """Group sorted lengths into at most ``buckets`` contiguous buckets, minimising the total
    padding Σ_k (largest length of k's bucket − s_k) (exact DP).

    Parameters
    ----------
    sorted_lengths
        int64 (K,), non-decreasing.
    buckets
        B >= 1.

    Returns
    -------
    int64 (K,)
        The bucket of each position (0.., non-decreasing); equal lengths share a bucket.
    """
    K = sorted_lengths.size
    out = np.zeros(K, dtype=np.int64)
    if K == 0:
        return out
    # Distinct lengths and their counts: a cut between equal lengths never helps.
    vals = np.empty(K, dtype=np.int64)
    cnts = np.zeros(K, dtype=np.int64)
    n = 0
    for k in range(K):
        if n == 0 or sorted_lengths[k] != vals[n - 1]:
            vals[n] = sorted_lengths[k]
            n += 1
        cnts[n - 1] += 1
    B = min(buckets, n)
    csum = np.zeros(n + 1, dtype=np.float64)
    ccnt = np.zeros(n + 1, dtype=np.float64)
    for i in range(n):
        csum[i + 1] = csum[i] + vals[i] * cnts[i]
        ccnt[i + 1] = ccnt[i] + cnts[i]
    inf = np.inf
    best = np.full((B + 1, n + 1), inf)
    cut = np.full((B + 1, n + 1), -1, dtype=np.int64)
    best[0, 0] = 0.0
    for j in range(1, B + 1):
        for i in range(j, n + 1):
            top = float(vals[i - 1])
            for a in range(j - 1, i):
                prev = best[j - 1, a]
                if prev == inf:
                    continue
                pad = top * (ccnt[i] - ccnt[a]) - (csum[i] - csum[a])
                if prev + pad < best[j, i]:
                    best[j, i] = prev + pad
                    cut[j, i] = a
    # At most B buckets: the best over 1..B (more buckets never pad more, but ties are cheap).
    j_best = B
    for j in range(1, B + 1):
        if best[j, n] < best[j_best, n]:
            j_best = j
    bucket_of_value = np.zeros(n, dtype=np.int64)
    i = n
    for j in range(j_best, 0, -1):
        a = cut[j, i]
        for p in range(a, i):
            bucket_of_value[p] = j - 1
        i = a
    v = 0
    for k in range(K):
        while vals[v] != sorted_lengths[k]:
            v += 1
        out[k] = bucket_of_value[v]
    return out
