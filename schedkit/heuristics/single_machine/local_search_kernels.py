"""Numba kernels of single-machine local search: interchange and insertion descents evaluated
on the changed window, and their iterated form (ILS).

Arrays and scalars in, arrays out, no state (the ILS state travels in and out so that a caller
can run it in batches); ``cache=True``; also runs under ``NUMBA_DISABLE_JIT=1``. Jobs and
objective codes as in :mod:`.objective_kernels`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import lcg_next as _lcg
from .objective_kernels import aggregate, identity, job_cost

__all__ = ["descent", "ils_run"]


@njit(cache=True)
def _fill(p, d, w, r, code, seq, comp, pre, suf):
    """Completion per position, prefix aggregates ``pre[k]`` (positions < k) and suffix
    aggregates ``suf[k]`` (positions >= k) of the job costs; returns the objective."""
    n = seq.shape[0]
    t = 0
    pre[0] = identity(code)
    cost = np.empty(n, dtype=np.float64)
    for k in range(n):
        j = seq[k]
        t = max(t, r[j]) + p[j]
        comp[k] = t
        cost[k] = job_cost(code, float(w[j]), float(d[j]), float(t))
        pre[k + 1] = aggregate(code, pre[k], cost[k])
    suf[n] = identity(code)
    for k in range(n - 1, -1, -1):
        suf[k] = aggregate(code, suf[k + 1], cost[k])
    return pre[n]


@njit(cache=True)
def _moved(seq, kind, i, j, pos):
    """Job at ``pos`` after the move: kind 0 swaps positions i < j, kind 1 moves i to j."""
    if kind == 0:
        if pos == i:
            return seq[j]
        if pos == j:
            return seq[i]
        return seq[pos]
    if i < j:
        return seq[i] if pos == j else seq[pos + 1]
    return seq[i] if pos == j else seq[pos - 1]


@njit(cache=True)
def _move_value(p, d, w, r, code, seq, comp, pre, suf, kind, i, j):
    """Objective after a move, recomputing only the changed window (and, with release dates,
    the positions after it until a completion time agrees with the current schedule again)."""
    n = seq.shape[0]
    a = min(i, j)
    b = max(i, j)
    t = comp[a - 1] if a > 0 else 0
    acc = pre[a]
    for pos in range(a, b + 1):
        job = _moved(seq, kind, i, j, pos)
        t = max(t, r[job]) + p[job]
        acc = aggregate(code, acc, job_cost(code, float(w[job]), float(d[job]), float(t)))
    pos = b
    while pos + 1 < n and t != comp[pos]:
        pos += 1
        job = seq[pos]
        t = max(t, r[job]) + p[job]
        acc = aggregate(code, acc, job_cost(code, float(w[job]), float(d[job]), float(t)))
    return aggregate(code, acc, suf[pos + 1])


@njit(cache=True)
def _apply(seq, kind, i, j):
    if kind == 0:
        seq[i], seq[j] = seq[j], seq[i]
        return
    job = seq[i]
    if i < j:
        for pos in range(i, j):
            seq[pos] = seq[pos + 1]
    else:
        for pos in range(i, j, -1):
            seq[pos] = seq[pos - 1]
    seq[j] = job


@njit(cache=True)
def _better(v, cur):
    return v < cur - 1e-9 * max(1.0, abs(cur))


@njit(cache=True)
def descent(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
            seq: np.ndarray) -> float:
    """Local optimum of ``seq`` (modified in place) for three neighbourhoods, first improvement.

    Adjacent pairwise interchange, then insertion (a job moved anywhere), then interchange of
    any two jobs, repeated until none improves: the variable-neighbourhood descent of the
    iterated local searches for 1||ΣwjTj (Crauwels, Potts & Van Wassenhove 1998; den Besten,
    Stützle & Dorigo 2000). A move is evaluated on the changed window only.

    Returns
    -------
    float
        The objective of the local optimum.
    """
    n = seq.shape[0]
    comp = np.empty(n, dtype=np.int64)
    pre = np.empty(n + 1, dtype=np.float64)
    suf = np.empty(n + 1, dtype=np.float64)
    cur = _fill(p, d, w, r, code, seq, comp, pre, suf)
    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            v = _move_value(p, d, w, r, code, seq, comp, pre, suf, 0, i, i + 1)
            if _better(v, cur):
                _apply(seq, 0, i, i + 1)
                cur = _fill(p, d, w, r, code, seq, comp, pre, suf)
                improved = True
        if improved:
            continue  # the cheap neighbourhood first, until it is exhausted
        for i in range(n):
            for j in range(n):
                if j == i or j == i + 1 or j == i - 1:
                    continue
                v = _move_value(p, d, w, r, code, seq, comp, pre, suf, 1, i, j)
                if _better(v, cur):
                    _apply(seq, 1, i, j)
                    cur = _fill(p, d, w, r, code, seq, comp, pre, suf)
                    improved = True
        if improved:
            continue
        for i in range(n):
            for j in range(i + 2, n):
                v = _move_value(p, d, w, r, code, seq, comp, pre, suf, 0, i, j)
                if _better(v, cur):
                    _apply(seq, 0, i, j)
                    cur = _fill(p, d, w, r, code, seq, comp, pre, suf)
                    improved = True
    return cur


@njit(cache=True)
def ils_run(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
            cur_seq: np.ndarray, cur_obj: float, best_seq: np.ndarray, best_obj: float,
            iterations: int, strength: int, restart: int, since: int, stall: int,
            lower: float, rng: int) -> tuple:
    """``iterations`` steps of iterated local search (Lourenço, Martin & Stützle 2003).

    Each step perturbs the current local optimum by ``strength`` random interchanges, descends
    (:func:`descent`) and accepts the result if it is no worse than the current one; after
    every ``restart`` steps without a new best the walk returns to the best. The state travels
    in and out so that a caller can run it in batches against a wall clock.

    Parameters
    ----------
    cur_seq, best_seq
        int64 (n,): current and best local optima (modified in place).
    cur_obj, best_obj
        Their objectives.
    since
        Steps since the best last improved (carried between batches).
    stall
        Stop once ``since`` reaches it (0: never).
    lower
        A lower bound: the search stops once the best reaches it.
    rng
        State of the LCG, in 1 .. 2**31 − 2.

    Returns
    -------
    cur_obj, best_obj, since, rng, steps_done
    """
    n = cur_seq.shape[0]
    trial = np.empty(n, dtype=np.int64)
    steps = 0
    for _ in range(iterations):
        if best_obj <= lower + 1e-9 * max(1.0, abs(lower)) or n < 2:
            break
        if stall > 0 and since >= stall:
            break
        steps += 1
        trial[:] = cur_seq
        for _k in range(strength):
            rng = _lcg(rng)
            a = rng % n
            rng = _lcg(rng)
            b = rng % n
            trial[a], trial[b] = trial[b], trial[a]
        v = descent(p, d, w, r, code, trial)
        if _better(v, best_obj):
            best_obj = v
            best_seq[:] = trial
            since = 0
        else:
            since += 1
        if not _better(cur_obj, v):  # v <= cur_obj (up to rounding): accept
            cur_seq[:] = trial
            cur_obj = v
        elif restart > 0 and since % restart == 0:
            cur_seq[:] = best_seq
            cur_obj = best_obj
    return cur_obj, best_obj, since, rng, steps


