"""A Lagrangian lower bound on one-machine total (weighted) tardiness, 1|r_j|ΣwjTj.

The time-indexed formulation (Sousa & Wolsey 1992; van den Akker, Hurkens & Savelsbergh 2000)
asks each job to complete exactly once on a time grid 0..T. Relaxing "exactly once" with one
multiplier λ_j per job leaves a shortest path over time — a *pseudo-schedule*, a chain of jobs
that fills 0..T, may repeat a job and may leave one out — solved by dynamic programming in
O(n·T):

    L(λ) = Σ_j λ_j + min over pseudo-schedules Σ_{job j completing at t} (w_j·max(0, t − d_j) − λ_j)

Every true schedule is a pseudo-schedule whose λ terms cancel, so L(λ) is a lower bound for
every λ; its maximum over λ is the LP bound of the time-indexed formulation, known to be strong
for this problem. Forbidding a job to follow itself (the 2-cycle elimination of the state-space
relaxation of Abdul-Razaq & Potts, "Dynamic programming state-space relaxation for
single-machine scheduling", J. Oper. Res. Soc. 39:141–152, 1988; used with the Lagrangian of
the time-indexed model by Tanaka, Fujikuma & Araki, "An exact algorithm for single-machine
scheduling without machine idle time", J. Scheduling 12:575–593, 2009) costs a factor of two and
tightens every L(λ). λ is raised by subgradient ascent with Polyak's step toward the best
schedule found on the way (each pseudo-schedule's order, repaired, is a schedule: the usual
Lagrangian heuristic).

Without release dates an optimal schedule has no idle time, so pseudo-schedules fill 0..Σp_j
exactly; with release dates they may idle, up to T = max r_j + Σ p_j (a schedule without unforced
idle ends by then). Jobs of length 0 sit anywhere: each costs at least w_j·max(0, r_j − d_j),
which is added, and the rest is bounded without them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["tardiness_bound", "WORK_LIMIT", "ITERATIONS", "HORIZON_LIMIT", "THETA"]

#: Most subgradient iterations (the ascent usually stalls earlier).
ITERATIONS = 200

#: Budget of dynamic-programming steps (n·T per iteration, summed; a step takes a few
#: nanoseconds): the bound stays cheap on long horizons by running fewer iterations, and is
#: skipped (0 iterations: the trivial bound) when one iteration would exceed a tenth of it.
WORK_LIMIT = 25_000_000

#: First step factor θ of Polyak's step (halved on stalls): 2 from λ = 0 measured best on wt100
#: among 0.5, 1, 1.5 and 2.
THETA = 2.0

#: Longest horizon T the dynamic program takes (its four tables of T + 1 numbers: 32 MB).
HORIZON_LIMIT = 1_000_000

_INF = 1e300


@njit(cache=True)
def _sequence_value(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray,
                    order: np.ndarray) -> float:
    """Σ w_j·T_j of jobs processed in ``order``, each as early as its release allows."""
    t = 0
    total = 0.0
    for j in order:
        t = max(t, r[j]) + p[j]
        if t > d[j]:
            total += w[j] * (t - d[j])
    return total


@njit(cache=True)
def _interchange_descent(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray,
                         order: np.ndarray) -> float:
    """Improve ``order`` in place by adjacent interchanges while one helps, and return its
    value (a better schedule makes better first multipliers and subgradient steps)."""
    seq = order.copy()
    value = _sequence_value(p, d, w, r, seq)
    improved = True
    while improved:
        improved = False
        for i in range(seq.shape[0] - 1):
            seq[i], seq[i + 1] = seq[i + 1], seq[i]
            v = _sequence_value(p, d, w, r, seq)
            if v < value - 1e-9:
                value = v
                improved = True
            else:
                seq[i], seq[i + 1] = seq[i + 1], seq[i]
    order[:] = seq
    return value


@njit(cache=True)
def _pseudo_schedule(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, lam: np.ndarray,
                     horizon: int, idle: bool, value0: np.ndarray, last0: np.ndarray,
                     value1: np.ndarray, last1: np.ndarray, count: np.ndarray,
                     first_end: np.ndarray) -> float:
    """The cheapest pseudo-schedule for multipliers ``lam``: its reduced cost is returned,
    ``count[j]`` is how often it holds job j and ``first_end[j]`` when j first completes
    (−1 if never).

    ``value0[t]``/``last0[t]`` and ``value1[t]``/``last1[t]`` are the best two chains ending at
    ``t`` with different last jobs (label −1: the start or an idle unit), so that a job never
    follows itself.
    """
    n = p.shape[0]
    value0[:] = _INF
    value1[:] = _INF
    last0[:] = -2
    last1[:] = -2
    value0[0] = 0.0
    last0[0] = -1
    for t in range(1, horizon + 1):
        v0, l0, v1, l1 = _INF, -2, _INF, -2
        if idle and value0[t - 1] < _INF:
            v0, l0 = value0[t - 1], -1
        for j in range(n):
            s = t - p[j]
            if s < r[j]:
                continue
            base = value0[s] if last0[s] != j else value1[s]
            if base >= _INF:
                continue
            v = base - lam[j]
            late = t - d[j]
            if late > 0:
                v += w[j] * late
            if v >= v1 and j != l0:
                continue  # the common case: no better than the second best
            if j == l0:
                if v < v0:
                    v0 = v
            elif v < v0:
                v1, l1 = v0, l0
                v0, l0 = v, j
            else:  # v < v1, and j differs from l0
                v1, l1 = v, j
        value0[t], last0[t], value1[t], last1[t] = v0, l0, v1, l1
    count[:] = 0
    first_end[:] = -1
    t, forbid = horizon, -3
    while t > 0:
        j = last0[t] if last0[t] != forbid else last1[t]
        if j == -1:  # idle unit: the chain before it may end with any job
            t -= 1
            forbid = -3
            continue
        count[j] += 1
        first_end[j] = t  # walking backwards, the last write is the earliest completion
        t -= p[j]
        forbid = j
    return value0[horizon]


@njit(cache=True)
def _ascent(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, horizon: int,
            idle: bool, iterations: int) -> tuple[float, float, int]:
    """Subgradient ascent on L(λ): ``(best L, best schedule value, iterations run)``.

    Polyak's step θ·(upper − L)/‖g‖² with θ = :data:`THETA` at first, halved after
    max(3, iterations / 20) steps without progress; g_j = 1 − (times j is in the pseudo-schedule).
    """
    n = p.shape[0]
    value0 = np.empty(horizon + 1)
    value1 = np.empty(horizon + 1)
    last0 = np.empty(horizon + 1, dtype=np.int64)
    last1 = np.empty(horizon + 1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    first_end = np.zeros(n, dtype=np.int64)
    # A first schedule (EDD or WSPT, improved by interchanges) gives the first upper value,
    # the target of Polyak's step. The ascent starts at λ = 0, where L is the cheapest way to
    # fill 0..T at the true costs (≥ 0): starting from each job's own cost in that schedule
    # puts L far below 0 (a late job's λ pays for repeating it early, many times) and a budget
    # of a few dozen steps often ended below 0 (18 of the 107 wt100 instances with a positive
    # optimum; 2 from λ = 0, where the bound averages 0.73 of the optimum instead of 0.62).
    order = np.argsort(d, kind="mergesort")
    upper = _interchange_descent(p, d, w, r, order)
    wspt = np.argsort(p / np.maximum(w, 1e-9), kind="mergesort")
    other = _interchange_descent(p, d, w, r, wspt)
    if other < upper:
        upper, order = other, wspt
    lam = np.zeros(n)
    best = -np.inf  # L(λ) may start far below 0; progress is measured from the first value
    theta = THETA
    stall = 0
    key = np.empty(n)
    done = 0
    for it in range(iterations):
        done = it + 1
        reduced = _pseudo_schedule(p, d, w, r, lam, horizon, idle, value0, last0, value1,
                                   last1, count, first_end)
        bound = reduced + lam.sum()
        if bound > best + 1e-9 * max(1.0, abs(bound)):
            best = bound
            stall = 0
        else:
            stall += 1
            if stall >= max(3, iterations // 20):  # shorter patience on a short budget
                theta *= 0.5
                stall = 0
        # The Lagrangian heuristic: jobs in the order they first complete, missing ones by
        # their due dates behind them.
        for j in range(n):
            key[j] = first_end[j] if first_end[j] >= 0 else horizon + d[j]
        upper = min(upper, _sequence_value(p, d, w, r, np.argsort(key, kind="mergesort")))
        norm = 0.0
        for j in range(n):
            g = 1 - count[j]
            norm += g * g
        if norm == 0.0 or math.ceil(best - 1e-6) >= upper or theta < 1e-4:
            break  # a true schedule (no subgradient), a bound that meets a schedule, or a stall
        step = theta * max(upper - bound, 1.0) / norm
        for j in range(n):
            lam[j] += step * (1 - count[j])
    return best, upper, done


def tardiness_bound(processing: np.ndarray, due: np.ndarray, weight: np.ndarray,
                    release: np.ndarray, *, iterations: int = ITERATIONS,
                    work_limit: int = WORK_LIMIT) -> float:
    """A lower bound on the optimal Σ w_j·max(0, C_j − d_j) of one machine (module docstring).

    Parameters
    ----------
    processing, due, weight, release
        int64 (n,) job data (weights 1 for total tardiness).
    iterations
        Most subgradient iterations.
    work_limit
        Budget of dynamic-programming steps; fewer iterations on long horizons, none (the
        bound of the zero-length jobs alone) when one iteration exceeds a tenth of it or the
        horizon exceeds :data:`HORIZON_LIMIT`.

    Returns
    -------
    float
        An integer-valued lower bound (the data are integers, so every objective is: the
        Lagrangian value, less a float tolerance, is rounded up).
    """
    p = np.asarray(processing, dtype=np.int64)
    d = np.asarray(due, dtype=np.int64)
    w = np.asarray(weight, dtype=np.int64)
    r = np.asarray(release, dtype=np.int64)
    zero = p == 0
    floor = float(np.dot(w[zero], np.maximum(0, r[zero] - d[zero])))
    keep = ~zero & (w > 0)  # weightless jobs cost nothing and only delay the others
    p, d, w, r = p[keep], d[keep], w[keep], r[keep]
    if p.size == 0:
        return floor
    idle = bool(r.max() > 0)
    horizon = int(r.max() + p.sum()) if idle else int(p.sum())
    step_work = p.size * horizon
    runs = min(iterations, work_limit // max(step_work, 1))
    if step_work * 10 > work_limit or runs < 1 or horizon > HORIZON_LIMIT:
        return floor
    best, _, _ = _ascent(p, d, w.astype(np.float64), r, horizon, idle, int(runs))
    # Float sums err by far less than this tolerance; the objective is an integer.
    return floor + max(0.0, float(math.ceil(best - 1e-6 - 1e-9 * abs(best))))
