"""Numba kernels shared by the heuristics of every problem: the seeded generator, the schedule
decoders and the one binary heap. Arrays and ints in, arrays out, no state.

Every kernel is compiled with ``cache=True`` and also runs as plain Python under
``NUMBA_DISABLE_JIT=1`` (the tests run both).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["jobshop_decode", "single_machine_decode", "chain_decode", "lcg_next", "LCG_MODULUS",
           "heap_push", "heap_pop"]

# Minimal standard LCG (Park & Miller 1988, multiplier 48271): a*x < 2**47 fits in int64, so the
# stream is the same compiled and interpreted, which numpy's global generator is not.
_LCG_A = 48271
#: States of :func:`lcg_next` are 1 .. LCG_MODULUS - 1.
LCG_MODULUS = 2147483647


@njit(cache=True)
def lcg_next(state: int) -> int:
    """Next state of the minimal standard generator (Park & Miller, CACM 31(10), 1988)."""
    return (state * _LCG_A) % LCG_MODULUS


@njit(cache=True)
def jobshop_decode(
    job_offsets: np.ndarray,
    op_machine: np.ndarray,
    op_duration: np.ndarray,
    release: np.ndarray,
    machines: int,
    job_sequence: np.ndarray,
) -> np.ndarray:
    """Semi-active schedule of an operation-based job sequence.

    The k-th occurrence of job j in ``job_sequence`` stands for j's k-th operation (Bierwirth's
    1995 permutation-with-repetition encoding); each operation starts as soon as its job and its
    machine are free, after everything already on that machine (no insertion into idle gaps).

    Returns
    -------
    start : int64 (total ops,)
    """
    n = job_offsets.shape[0] - 1
    start = np.zeros(op_machine.shape[0], dtype=np.int64)
    next_op = job_offsets[:-1].copy()
    job_ready = release.copy()
    mach_ready = np.zeros(machines, dtype=np.int64)
    for i in range(job_sequence.shape[0]):
        j = job_sequence[i]
        if j < 0 or j >= n or next_op[j] >= job_offsets[j + 1]:
            continue  # surplus occurrences are ignored: the decoder never fails
        k = next_op[j]
        m = op_machine[k]
        s = max(job_ready[j], mach_ready[m])
        start[k] = s
        job_ready[j] = s + op_duration[k]
        mach_ready[m] = s + op_duration[k]
        next_op[j] = k + 1
    return start


@njit(cache=True)
def single_machine_decode(processing: np.ndarray, release: np.ndarray,
                          sequence: np.ndarray) -> np.ndarray:
    """Earliest start times of jobs processed on one machine in ``sequence`` order."""
    start = np.zeros(processing.shape[0], dtype=np.int64)
    t = 0
    for i in range(sequence.shape[0]):
        j = sequence[i]
        t = max(t, release[j])
        start[j] = t
        t += processing[j]
    return start


@njit(cache=True)
def chain_decode(durations: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Start times of tasks run back to back in ``order`` on one resource."""
    start = np.zeros(durations.shape[0], dtype=np.float64)
    t = 0.0
    for i in range(order.shape[0]):
        k = order[i]
        start[k] = t
        t += durations[k]
    return start


# -- a binary min-heap of (key, item) pairs, ties to the smaller item ----------------------------
@njit(cache=True)
def _before(ka: float, ia: int, kb: float, ib: int) -> bool:
    return ka < kb or (ka == kb and ia < ib)


@njit(cache=True)
def heap_push(hkey: np.ndarray, hid: np.ndarray, size: int, key: float, item: int) -> int:
    """Add ``(key, item)`` to the heap held in ``hkey[:size]``/``hid[:size]``; returns the new
    size. The arrays need room for one more entry."""
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
def heap_pop(hkey: np.ndarray, hid: np.ndarray, size: int) -> int:
    """Remove the smallest pair (read ``hkey[0]``, ``hid[0]`` before calling); returns the new
    size."""
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
