"""Numba kernels that pack sequences into sequence-parallel groups: best-fit decreasing on
tokens, load-balanced packing under a token capacity, and Megatron-style greedy micro-batches.

Arrays and ints in, arrays out; no state. Every kernel also runs under ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["best_fit_decreasing", "balanced_pack", "dcp_greedy", "chunk_bins"]


@njit(cache=True)
def best_fit_decreasing(sizes: np.ndarray, order: np.ndarray, capacity: int,
                        solo: int) -> np.ndarray:
    """Best-fit decreasing bin packing (Johnson, "Near-optimal bin packing algorithms", MIT
    PhD thesis, 1973): each item, in ``order``, goes into the open bin it leaves with the
    least room; a new bin is opened when none fits.

    Parameters
    ----------
    sizes
        int64 (K,) item sizes (tokens).
    order
        int64 (K,) the items by decreasing size.
    capacity
        Room of a bin.
    solo
        An item above ``capacity`` but at most ``solo`` gets a bin of its own that nothing else
        joins (FlexSP's adaptive baseline packs to 90 % of a group's memory; a sequence above
        that still fits the group alone). The caller guarantees ``sizes <= max(capacity,
        solo)``.

    Returns
    -------
    numpy.ndarray
        int64 (K,) bin of each item; bins are numbered in the order they were opened.
    """
    K = sizes.size
    bin_of = np.full(K, -1, dtype=np.int64)
    room = np.zeros(K, dtype=np.int64)  # at most K bins
    n_bins = 0
    for pos in range(K):
        k = order[pos]
        s = sizes[k]
        if s > capacity:
            # Alone in its bin: room 0 keeps every later item out.
            bin_of[k] = n_bins
            room[n_bins] = 0
            n_bins += 1
            continue
        best = -1
        for b in range(n_bins):
            if room[b] >= s and (best < 0 or room[b] < room[best]):
                best = b
        if best < 0:
            best = n_bins
            room[best] = capacity
            n_bins += 1
        room[best] -= s
        bin_of[k] = best
    return bin_of


@njit(cache=True)
def balanced_pack(sizes: np.ndarray, costs: np.ndarray, order: np.ndarray, capacity: int,
                  n_bins: int) -> np.ndarray:
    """Greedy load balancing under a token capacity (longest-processing-time first, Graham,
    "Bounds on multiprocessing timing anomalies", SIAM J. Appl. Math. 1969; with WLB-LLM's
    workload = quadratic + linear cost, Wang et al., arXiv:2503.17924, 2025): each item, in
    ``order`` (decreasing cost), goes to the least-loaded of the ``n_bins`` bins that still
    has room for it.

    Parameters
    ----------
    sizes
        int64 (K,) tokens of each item.
    costs
        float64 (K,) workload of each item.
    order
        int64 (K,) items by decreasing cost.
    capacity
        Tokens a bin holds.
    n_bins
        Number of bins (>= 1).

    Returns
    -------
    numpy.ndarray
        int64 (K,) bin of each item, or all -1 when some item finds no bin with room.
    """
    K = sizes.size
    bin_of = np.full(K, -1, dtype=np.int64)
    load = np.zeros(n_bins, dtype=np.float64)
    room = np.full(n_bins, capacity, dtype=np.int64)
    for pos in range(K):
        k = order[pos]
        best = -1
        for b in range(n_bins):
            if room[b] >= sizes[k] and (best < 0 or load[b] < load[best]):
                best = b
        if best < 0:
            return np.full(K, -1, dtype=np.int64)
        bin_of[k] = best
        load[best] += costs[k]
        room[best] -= sizes[k]
    return bin_of


@njit(cache=True)
def dcp_greedy(sizes: np.ndarray, degree_of: np.ndarray, times: np.ndarray, order: np.ndarray,
               memory: int, devices: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray]:
    """Greedy micro-batches in the style of Megatron-Core's dynamic context parallelism.

    Items come in ``order`` (decreasing length), each with its own group degree. An item opens
    a new group of its degree while the micro-batch has that many free devices; else it joins
    the group of its degree in the micro-batch with the least time that has memory for it;
    else the micro-batch is closed and a new one started.

    Parameters
    ----------
    sizes
        int64 (K,) tokens.
    degree_of
        int64 (K,) degree of each item's group (its CP size).
    times
        float64 (K,) time of each item on a group of its degree.
    order
        int64 (K,) items by decreasing length.
    memory
        Tokens one device holds (a group of degree d holds ``memory·d``).
    devices
        N; every degree is at most N.

    Returns
    -------
    group_of, group_mb, group_degree, group_first
        int64 (K,) group of each item; per group (the first ``G`` entries used, the rest
        -1) its micro-batch, degree and first device (groups of a micro-batch take
        consecutive devices).
    """
    K = sizes.size
    group_of = np.full(K, -1, dtype=np.int64)
    group_mb = np.full(K, -1, dtype=np.int64)
    group_degree = np.full(K, -1, dtype=np.int64)
    group_first = np.full(K, -1, dtype=np.int64)
    group_tokens = np.zeros(K, dtype=np.int64)
    group_time = np.zeros(K, dtype=np.float64)
    n_groups = 0
    mb = 0
    mb_start = 0  # first group of the open micro-batch
    free = devices
    for pos in range(K):
        k = order[pos]
        d = degree_of[k]
        g = -1
        if free >= d:
            g = n_groups
        else:
            for h in range(mb_start, n_groups):
                if group_degree[h] == d and group_tokens[h] + sizes[k] <= memory * d and \
                        (g < 0 or group_time[h] < group_time[g]):
                    g = h
            if g < 0:
                mb += 1
                mb_start = n_groups
                free = devices
                g = n_groups
        if g == n_groups:
            group_mb[g] = mb
            group_degree[g] = d
            group_first[g] = devices - free
            free -= d
            n_groups += 1
        group_of[k] = g
        group_tokens[g] += sizes[k]
        group_time[g] += times[k]
    return group_of, group_mb, group_degree, group_first


@njit(cache=True)
def chunk_bins(bin_time: np.ndarray, per_microbatch: int) -> np.ndarray:
    """Micro-batch of each bin: bins by decreasing time, ``per_microbatch`` at a time.

    For fixed bins this minimises Σ over micro-batches of the slowest bin: the bins of rank
    1..(i−1)·G+1 by time fill at least i micro-batches, so the i-th slowest micro-batch lasts at
    least as long as the ((i−1)·G+1)-th slowest bin, which sorted chunking meets with equality.

    Parameters
    ----------
    bin_time
        float64 (B,) time of each bin (a group).
    per_microbatch
        Groups per micro-batch G (>= 1).

    Returns
    -------
    numpy.ndarray
        int64 (B,) micro-batch of each bin.
    """
    B = bin_time.size
    order = np.argsort(-bin_time, kind="mergesort")
    mb_of = np.empty(B, dtype=np.int64)
    for pos in range(B):
        mb_of[order[pos]] = pos // per_microbatch
    return mb_of
