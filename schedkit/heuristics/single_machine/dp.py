"""The exact dynamic program over subsets for one machine: wrapper over :mod:`.dp_kernels`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...instances import SingleMachine
from . import dp_kernels as K
from .objective_kernels import OBJ_MAX_LATENESS
from .sequences import job_arrays, objective_code

__all__ = ["DP_DEFAULT_MAX_JOBS", "dp_optimum"]

#: Largest n the subset DP accepts by default (2^20 ≈ 10^6 subsets, about 40 MB of labels).
DP_DEFAULT_MAX_JOBS = 20


def dp_optimum(
    inst: SingleMachine, *, time_limit: float | None = None, max_labels: int = 60_000_000,
    interrupt: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, float, dict[str, Any]] | None:
    """Exact optimum by the DP over subsets (:func:`.dp_kernels.dp_chunk`).

    State space: all 2^n subsets of jobs; one label per subset without release dates (time
    O(n·2^n), memory ≈ 40 bytes · 2^n), a Pareto set of (completion, cost) labels per subset with
    them. The caller bounds n; ``max_labels`` bounds the label memory.

    Returns
    -------
    (sequence, objective, stats), or None when the time limit ran out first or ``interrupt()``
    turned true (it is asked between chunks of subsets).

    Raises
    ------
    MemoryError
        When the Pareto sets need more than ``max_labels`` labels.
    """
    t0 = time.perf_counter()
    n = inst.n_jobs
    p, d, w, r = job_arrays(inst)
    code = objective_code(inst)
    full = (1 << n) - 1
    start = np.zeros(full + 1, dtype=np.int64)
    count = np.zeros(full + 1, dtype=np.int64)
    cap = min(max_labels, max(1024, 2 * (full + 1)))
    lab_t = np.zeros(cap, dtype=np.int64)
    lab_c = np.zeros(cap, dtype=np.float64)
    lab_prev = np.full(cap, -1, dtype=np.int64)
    lab_job = np.full(cap, -1, dtype=np.int64)
    lab_c[0] = -np.inf if code == OBJ_MAX_LATENESS else 0.0
    count[0] = 1
    nlab = 1
    mask = 1
    chunk = 1 << 14
    widest = 1
    while mask <= full:
        hi = min(full + 1, mask + chunk)
        mask, nlab, most = K.dp_chunk(p, d, w, r, code, mask, hi, start, count, lab_t, lab_c,
                                      lab_prev, lab_job, nlab)
        widest = max(widest, most)
        if mask < hi:  # out of label room
            if lab_t.shape[0] >= max_labels:
                raise MemoryError(f"the DP needs more than {max_labels} labels")
            grow = min(max_labels, 2 * lab_t.shape[0])
            lab_t = np.resize(lab_t, grow)
            lab_c = np.resize(lab_c, grow)
            lab_prev = np.resize(lab_prev, grow)
            lab_job = np.resize(lab_job, grow)
        if mask <= full and ((time_limit is not None and time.perf_counter() - t0 > time_limit)
                             or (interrupt is not None and interrupt())):
            return None
    first = start[full]
    best = first + int(np.argmin(lab_c[first:first + count[full]]))
    seq = []
    lab = best
    while lab_job[lab] >= 0:
        seq.append(int(lab_job[lab]))
        lab = lab_prev[lab]
    seq.reverse()
    stats = {"subsets": full + 1, "labels": int(nlab), "max_labels_per_subset": int(widest)}
    return np.array(seq, dtype=np.int64), float(lab_c[best]), stats
