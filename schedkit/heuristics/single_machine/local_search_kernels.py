"""Numba kernels of single-machine local search: interchange and insertion descents evaluated
on the changed window, dynasearch (the best set of independent swaps and insertions, by dynamic
programming), and their iterated form (ILS).

Arrays and scalars in, arrays out, no state (the ILS state travels in and out so that a caller
can run it in batches); ``cache=True``; also runs under ``NUMBA_DISABLE_JIT=1``. Jobs and
objective codes as in :mod:`.objective_kernels`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import lcg_next as _lcg
from .objective_kernels import aggregate, identity, job_cost, sequence_objective

__all__ = ["descent", "dynasearch", "improve", "ils_run"]


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
def _dyna_pass(p, d, w, code, seq, window, comp, best, kind, start, acc):
    """One steepest step of the dynasearch neighbourhood: ``best[n]`` the cheapest value of
    ``seq`` under any set of independent segment moves (``kind``/``start`` per end position
    to rebuild them), ``best[e + 1]`` that of positions 0..e alone; ``acc`` is scratch."""
    n = seq.shape[0]
    t = 0
    for k in range(n):
        t += p[seq[k]]
        comp[k] = t
    best[0] = 0.0
    for e in range(n):
        je = seq[e]
        pe = p[je]
        lo = max(0, e - window + 1) if window > 0 else 0
        b = best[e] + job_cost(code, float(w[je]), float(d[je]), float(comp[e]))
        kd, st = 0, e
        # move seq[a] forward to e: positions a+1..e end p[seq[a]] earlier (acc[a] sums them)
        for a in range(lo, e):
            ja = seq[a]
            acc[a] += job_cost(code, float(w[je]), float(d[je]), float(comp[e] - p[ja]))
            v = best[a] + acc[a] + job_cost(code, float(w[ja]), float(d[ja]), float(comp[e]))
            if v < b - 1e-9 * max(1.0, abs(b)):
                b, kd, st = v, 1, a
        acc[e] = 0.0
        # move seq[e] back to a: positions a..e-1 end pe later
        later = 0.0
        for a in range(e - 1, lo - 1, -1):
            ja = seq[a]
            later += job_cost(code, float(w[ja]), float(d[ja]), float(comp[a] + pe))
            begin = comp[a - 1] if a > 0 else 0
            v = best[a] + later + job_cost(code, float(w[je]), float(d[je]), float(begin + pe))
            if v < b - 1e-9 * max(1.0, abs(b)):
                b, kd, st = v, 2, a
        # swap seq[a] and seq[e] (a < e - 1; adjacent swaps are the insertions above)
        for a in range(e - 2, lo - 1, -1):
            ja = seq[a]
            shift = pe - p[ja]
            begin = comp[a - 1] if a > 0 else 0
            v = best[a] + job_cost(code, float(w[je]), float(d[je]), float(begin + pe)) \
                + job_cost(code, float(w[ja]), float(d[ja]), float(comp[e]))
            if v >= b:
                continue  # job costs are >= 0: the middle cannot make it cheaper
            for k in range(a + 1, e):
                jk = seq[k]
                v += job_cost(code, float(w[jk]), float(d[jk]), float(comp[k] + shift))
                if v >= b:
                    break
            if v < b - 1e-9 * max(1.0, abs(b)):
                b, kd, st = v, 3, a
        best[e + 1] = b
        kind[e] = kd
        start[e] = st


@njit(cache=True)
def dynasearch(p: np.ndarray, d: np.ndarray, w: np.ndarray, code: int, seq: np.ndarray,
               window: int) -> float:
    """Local optimum of ``seq`` (modified in place) for the dynasearch neighbourhood, steepest
    descent; no release dates, a sum objective (codes 0, 1, 3, 4).

    A step applies the best set of independent moves — each a swap of two jobs or the move of
    one job to another position (forward or backward), on disjoint segments of positions —
    found by dynamic programming over the positions: a move keeps its segment's total time, so
    the moves do not interact. Swaps are the dynasearch of Congram, Potts & van de Velde
    (INFORMS J. Computing 14(1), 2002), the insertions the enhancement of Grosso, Della Croce &
    Tadei (Oper. Res. Letters 32(1), 2004). A local optimum of it is one of every single swap
    and insertion, so of :func:`descent` too. ``window`` caps a segment's length (0: none):
    O(n·window²) per step. Returns the local optimum's objective.
    """
    n = seq.shape[0]
    best = np.empty(n + 1, dtype=np.float64)
    comp = np.empty(n, dtype=np.int64)
    kind = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    acc = np.empty(n, dtype=np.float64)
    zero = np.zeros(n, dtype=np.int64)
    cur = sequence_objective(p, d, w, zero, code, seq)
    while n > 1:
        _dyna_pass(p, d, w, code, seq, window, comp, best, kind, start, acc)
        if not _better(best[n], cur):
            break
        e = n - 1
        while e >= 0:
            a = start[e]
            if kind[e] == 1:
                _apply(seq, 1, a, e)
            elif kind[e] == 2:
                _apply(seq, 1, e, a)
            elif kind[e] == 3:
                _apply(seq, 0, a, e)
            e = a - 1 if kind[e] else e - 1
        v = sequence_objective(p, d, w, zero, code, seq)
        if not _better(v, cur):  # rounding: the rebuilt sequence must be better
            cur = v
            break
        cur = v
    return cur


@njit(cache=True)
def improve(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
            seq: np.ndarray, window: int) -> float:
    """:func:`descent` (``window`` < 0) or :func:`dynasearch` with segments up to ``window``
    (0: any length; only without release dates and for a sum objective) of ``seq``, in
    place; returns the objective."""
    if window < 0:
        return descent(p, d, w, r, code, seq)
    return dynasearch(p, d, w, code, seq, window)


@njit(cache=True)
def ils_run(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int,
            cur_seq: np.ndarray, cur_obj: float, best_seq: np.ndarray, best_obj: float,
            iterations: int, strength: int, restart: int, since: int, stall: int,
            lower: float, rng: int, window: int = -1) -> tuple:
    """``iterations`` steps of iterated local search (Lourenço, Martin & Stützle 2003).

    Each step perturbs the current local optimum by ``strength`` random interchanges, descends
    (:func:`descent`, or :func:`dynasearch` with segments up to ``window`` when ``window`` >= 0)
    and accepts the result if it is no worse than the current one; after
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
        v = improve(p, d, w, r, code, trial, window)
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
