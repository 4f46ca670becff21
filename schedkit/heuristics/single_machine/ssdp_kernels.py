"""Numba kernels of the successive sublimation dynamic programming method (SSDP) for one machine
without release dates (Tanaka, Fujikuma & Araki, "An exact algorithm for single-machine
scheduling without machine idle time", J. Scheduling 12:575–593, 2009).

The relaxation is the time-indexed model of :mod:`schedkit.instances.single_machine.bounds`:
a pseudo-schedule is a chain of jobs that fills 0..T (T = Σ p_j), may repeat a job and may
leave one out; with multipliers λ the cost of job j completing at t is ``c[j, t] − λ_j`` and
``Σ λ_j`` is added back. The kernels here are

* :func:`ascent` — subgradient ascent on λ over the 2-cycle-eliminated relaxation, built on the
  forward kernel of ``bounds.py``, returning the best multipliers;
* :func:`backward` — the backward costs g(t, j) of that relaxation (the cheapest completion from
  "j completed at t" to T with a different next job), a valid completion bound for every
  stricter relaxation with the same λ;
* :func:`extend` — the forward DP of the stage-3 relaxation ("successive sublimation"): the
  state is (t, last job, set of the jobs of M done), each job of M is processed at most once and
  all of M by T. States whose cost + g + Σλ exceeds the target (the incumbent − 1: objectives
  are integers) are dropped, and so are the states where an adjacent interchange of the last two
  jobs is strictly better (ties: the smaller index first), which keeps an optimal schedule.

Arrays and ints in, arrays out; the stage-3 DP is resumable in chunks of time steps so the
caller can watch the clock.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...instances.single_machine.bounds import _pseudo_schedule

__all__ = ["cost_table", "ascent", "backward", "extend", "NO_JOB"]

_INF = 1e300

#: Label of the start state's "last job".
NO_JOB = -1


@njit(cache=True)
def cost_table(p: np.ndarray, d: np.ndarray, w: np.ndarray, horizon: int) -> np.ndarray:
    """``c[j, t] = w_j · max(0, t − d_j)`` for t = 0..horizon (float64, (n, horizon + 1))."""
    n = p.shape[0]
    c = np.zeros((n, horizon + 1))
    for j in range(n):
        for t in range(horizon + 1):
            if t > d[j]:
                c[j, t] = w[j] * (t - d[j])
    return c


@njit(cache=True)
def ascent(p: np.ndarray, d: np.ndarray, w: np.ndarray, horizon: int, lam0: np.ndarray,
           upper: float, iterations: int, patience: int) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Subgradient ascent (Polyak step θ·(upper − L)/‖g‖², θ halved after ``patience`` steps
    without progress) from ``lam0``: ``(best λ, best L(λ), job counts of its pseudo-schedule,
    iterations run)``. ``w`` is float64."""
    n = p.shape[0]
    r = np.zeros(n, dtype=np.int64)
    value0 = np.empty(horizon + 1)
    value1 = np.empty(horizon + 1)
    last0 = np.empty(horizon + 1, dtype=np.int64)
    last1 = np.empty(horizon + 1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    first_end = np.zeros(n, dtype=np.int64)
    lam = lam0.copy()
    best_lam = lam0.copy()
    best_count = np.zeros(n, dtype=np.int64)
    best = -np.inf
    theta = 1.0
    stall = 0
    done = 0
    for it in range(iterations):
        done = it + 1
        reduced = _pseudo_schedule(p, d, w, r, lam, horizon, False, value0, last0, value1,
                                   last1, count, first_end)
        bound = reduced + lam.sum()
        if bound > best + 1e-9 * max(1.0, abs(bound)):
            best = bound
            best_lam[:] = lam
            best_count[:] = count
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                theta *= 0.5
                stall = 0
        norm = 0.0
        for j in range(n):
            g = 1 - count[j]
            norm += g * g
        if norm == 0.0 or best > upper - 1.0 + 1e-6 or theta < 1e-4:
            break
        step = theta * max(upper - bound, 1.0) / norm
        for j in range(n):
            lam[j] += step * (1 - count[j])
    return best_lam, best, best_count, done


@njit(cache=True)
def backward(p: np.ndarray, c: np.ndarray, lam: np.ndarray,
             horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward costs of the 2-cycle-eliminated relaxation: ``(g0, k0, g1)`` with g(t, j) =
    ``g0[t]`` if ``k0[t] != j`` else ``g1[t]`` the cheapest reduced cost of a chain from t to
    the horizon whose first job is not j (``g0[horizon] = 0``; unreachable: 1e300)."""
    n = p.shape[0]
    g0 = np.full(horizon + 1, _INF)
    g1 = np.full(horizon + 1, _INF)
    k0 = np.full(horizon + 1, -2, dtype=np.int64)
    g0[horizon] = 0.0
    for t in range(horizon - 1, -1, -1):
        v0, l0, v1 = _INF, -2, _INF
        for k in range(n):
            e = t + p[k]
            if e > horizon:
                continue
            tail = g0[e] if k0[e] != k else g1[e]
            if tail >= _INF:
                continue
            v = c[k, e] - lam[k] + tail
            if v < v0:
                if l0 != k:
                    v1 = v0
                v0, l0 = v, k
            elif v < v1 and k != l0:
                v1 = v
        g0[t], k0[t], g1[t] = v0, l0, v1
    return g0, k0, g1


@njit(cache=True)
def _grow_i(a: np.ndarray, size: int) -> np.ndarray:
    b = np.empty(size, dtype=a.dtype)
    b[:a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_f(a: np.ndarray, size: int) -> np.ndarray:
    b = np.empty(size, dtype=a.dtype)
    b[:a.shape[0]] = a
    return b


@njit(cache=True)
def extend(p: np.ndarray, c: np.ndarray, lam: np.ndarray, g0: np.ndarray, k0: np.ndarray,
           g1: np.ndarray, pos: np.ndarray, m_proc: np.ndarray, target: float,
           t_from: int, t_to: int, start: np.ndarray, job: np.ndarray, mask: np.ndarray,
           val: np.ndarray, pred: np.ndarray, size: int, max_states: int,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Stage-3 forward DP over the times ``t_from..t_to − 1`` (the states of earlier times are
    in the pool): ``(job, mask, val, pred, size, status)``.

    The pool holds the states of time t at indices ``start[t]..start[t + 1] − 1`` sorted by
    (mask, job): the last job (``NO_JOB`` at the start), the bit set of the done jobs of M
    (job j is bit ``pos[j]``; −1: not in M), the reduced cost and the index of the predecessor.
    ``m_proc[b]`` is the processing time of the job of bit b. A state survives when its cost +
    g(t, last) ≤ ``target`` (the pool's Σλ already taken off) and the jobs of M not done fit
    before the horizon. status 0: done; 1: more than ``max_states`` states (stopped).
    """
    n = p.shape[0]
    horizon = c.shape[1] - 1
    m = m_proc.shape[0]
    cand_key = np.empty(1024, dtype=np.int64)
    cand_val = np.empty(1024)
    cand_pred = np.empty(1024, dtype=np.int64)
    total_m = 0
    for b in range(m):
        total_m += m_proc[b]
    for t in range(t_from, t_to):
        nc = 0
        for k in range(n):
            s = t - p[k]
            if s < 0:
                continue
            pk = pos[k]
            bit = np.int64(1) << pk if pk >= 0 else np.int64(0)
            gk = g0[t] if k0[t] != k else g1[t]
            if gk >= _INF:
                continue
            ck = c[k, t] - lam[k]
            for idx in range(start[s], start[s + 1]):
                j = job[idx]
                if j == k:
                    continue
                mk = mask[idx]
                if mk & bit:
                    continue
                v = val[idx] + ck
                if v + gk > target:
                    continue
                if j >= 0:
                    # adjacent interchange: j on (s − p_j, s], k on (s, t] against k first
                    swapped_k = s - p[j] + p[k]
                    here = c[j, s] + c[k, t]
                    there = c[k, swapped_k] + c[j, t]
                    if there < here - 1e-9 or (there <= here + 1e-9 and k < j):
                        continue
                nm = mk | bit
                if m > 0:
                    left = total_m
                    for b in range(m):
                        if (nm >> b) & 1:
                            left -= m_proc[b]
                    if left > horizon - t:
                        continue
                if nc == cand_key.shape[0]:
                    cand_key = _grow_i(cand_key, 2 * nc)
                    cand_val = _grow_f(cand_val, 2 * nc)
                    cand_pred = _grow_i(cand_pred, 2 * nc)
                cand_key[nc] = nm * (n + 1) + (k + 1)
                cand_val[nc] = v
                cand_pred[nc] = idx
                nc += 1
        # dedupe: one state per (mask, job), the cheapest
        order = np.argsort(cand_key[:nc], kind="mergesort")
        start[t] = size
        last_key = np.int64(-1)
        for q in range(nc):
            i = order[q]
            key = cand_key[i]
            if key == last_key:
                if cand_val[i] < val[size - 1]:
                    val[size - 1] = cand_val[i]
                    pred[size - 1] = cand_pred[i]
                continue
            if size == job.shape[0]:
                if size >= max_states:
                    start[t + 1] = size
                    return job, mask, val, pred, size, 1
                grown = min(2 * size, max_states)
                job = _grow_i(job, grown)
                mask = _grow_i(mask, grown)
                val = _grow_f(val, grown)
                pred = _grow_i(pred, grown)
            last_key = key
            job[size] = key % (n + 1) - 1
            mask[size] = key // (n + 1)
            val[size] = cand_val[i]
            pred[size] = cand_pred[i]
            size += 1
        start[t + 1] = size
    return job, mask, val, pred, size, 0
