"""Numba kernels of the single-machine objectives: job costs, their aggregation, sequence values.

Arrays and scalars in, arrays out, no state: every kernel is ``@njit(cache=True)`` and also runs
as plain Python under ``NUMBA_DISABLE_JIT=1`` (the tests run both). Jobs are described by int64
arrays ``p`` (processing), ``d`` (due), ``w`` (weight) and ``r`` (release); the objective by its
code, the index of the name in ``SingleMachine.objectives``:

====  ===========================  ====================  ===========
code  objective                    job cost at C         aggregation
====  ===========================  ====================  ===========
0     total_weighted_tardiness     w·max(0, C − d)       sum
1     total_tardiness              max(0, C − d)         sum
2     max_lateness                 C − d                 max
3     total_weighted_completion    w·C                   sum
4     weighted_tardy_jobs          w·[C > d]             sum
====  ===========================  ====================  ===========

A sequence is turned into a schedule by starting each job as early as the machine and its release
date allow (semi-active schedule); every objective above is regular, so that loses nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["OBJ_MAX_LATENESS", "job_cost", "aggregate", "identity", "completion_times",
           "sequence_objective"]

OBJ_MAX_LATENESS = 2


@njit(cache=True)
def job_cost(code: int, w: float, d: float, c: float) -> float:
    if code == 0:
        return w * max(0.0, c - d)
    if code == 1:
        return max(0.0, c - d)
    if code == 2:
        return c - d
    if code == 3:
        return w * c
    return w if c > d else 0.0


@njit(cache=True)
def aggregate(code: int, a: float, b: float) -> float:
    return max(a, b) if code == OBJ_MAX_LATENESS else a + b


@njit(cache=True)
def identity(code: int) -> float:
    return -np.inf if code == OBJ_MAX_LATENESS else 0.0


@njit(cache=True)
def completion_times(p: np.ndarray, r: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Completion time of the job at each position of ``seq`` (earliest starts)."""
    n = seq.shape[0]
    out = np.empty(n, dtype=np.int64)
    t = 0
    for k in range(n):
        j = seq[k]
        t = max(t, r[j]) + p[j]
        out[k] = t
    return out


@njit(cache=True)
def sequence_objective(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
                       seq: np.ndarray) -> float:
    """Objective ``code`` of the semi-active schedule of ``seq``."""
    acc = identity(code)
    t = 0
    for k in range(seq.shape[0]):
        j = seq[k]
        t = max(t, r[j]) + p[j]
        acc = aggregate(code, acc, job_cost(code, float(w[j]), float(d[j]), float(t)))
    return acc


