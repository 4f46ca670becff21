"""Numba kernels for one machine: objectives, dispatching rules, local search, subset DP.

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

from .kernels import lcg_next as _lcg

__all__ = [
    "OBJ_MAX_LATENESS",
    "radix_order",
    "float_sort_key",
    "sequence_objective",
    "completion_times",
    "dispatch_two_class",
    "covert_sequence",
    "mddc_sequence",
    "eddc_sequence",
    "moore_hodgson",
    "ils_run",
    "descent",
    "dp_chunk",
]

OBJ_MAX_LATENESS = 2

@njit(cache=True)
def _job_cost(code: int, w: float, d: float, c: float) -> float:
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
def _agg(code: int, a: float, b: float) -> float:
    return max(a, b) if code == OBJ_MAX_LATENESS else a + b


@njit(cache=True)
def _identity(code: int) -> float:
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
    acc = _identity(code)
    t = 0
    for k in range(seq.shape[0]):
        j = seq[k]
        t = max(t, r[j]) + p[j]
        acc = _agg(code, acc, _job_cost(code, float(w[j]), float(d[j]), float(t)))
    return acc


# ---------------------------------------------------------------------------------------------
# binary heaps of job ids ordered by (key[job], job)
# ---------------------------------------------------------------------------------------------
@njit(cache=True)
def _less(key: np.ndarray, a: int, b: int) -> bool:
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True)
def _push(heap: np.ndarray, size: int, key: np.ndarray, job: int) -> int:
    i = size
    heap[i] = job
    while i > 0:
        parent = (i - 1) // 2
        if _less(key, heap[i], heap[parent]):
            heap[i], heap[parent] = heap[parent], heap[i]
            i = parent
        else:
            break
    return size + 1


@njit(cache=True)
def _pop(heap: np.ndarray, size: int, key: np.ndarray) -> int:
    """Remove the top (the caller read ``heap[0]`` first); returns the new size."""
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and _less(key, heap[left + 1], heap[left]):
            child = left + 1
        if _less(key, heap[child], heap[i]):
            heap[i], heap[child] = heap[child], heap[i]
            i = child
        else:
            break
    return size


# ---------------------------------------------------------------------------------------------
# dispatching rules
# ---------------------------------------------------------------------------------------------
@njit(cache=True)
def radix_order(key: np.ndarray) -> np.ndarray:
    """Stable ascending order of int64 keys: LSD radix sort, 16-bit digits, O(n) per digit.

    Digits above the key range (after subtracting the minimum) are skipped, so due dates or
    processing times of a generated instance take one or two passes; a comparison sort (what
    ``np.argsort(kind="stable")`` does for int64) needs O(n log n).
    """
    n = key.shape[0]
    order = np.arange(n)
    if n < 2:
        return order
    lo = key.min()
    span = np.uint64(key.max() - lo)  # fits: max − min of int64 is below 2**64
    shifted = np.empty(n, dtype=np.uint64)
    for i in range(n):
        shifted[i] = np.uint64(key[i] - lo)
    tmp = np.empty(n, dtype=np.int64)
    count = np.zeros(65537, dtype=np.int64)
    shift = np.uint64(0)
    while shift < np.uint64(64) and (span >> shift) > np.uint64(0):
        count[:] = 0
        for i in range(n):
            count[((shifted[order[i]] >> shift) & np.uint64(0xFFFF)) + np.uint64(1)] += 1
        for b in range(65536):
            count[b + 1] += count[b]
        for i in range(n):
            digit = (shifted[order[i]] >> shift) & np.uint64(0xFFFF)
            tmp[count[digit]] = order[i]
            count[digit] += 1
        order, tmp = tmp, order
        shift += np.uint64(16)
    return order


@njit(cache=True)
def float_sort_key(x: np.ndarray) -> np.ndarray:
    """int64 keys ordered like the float64 values (IEEE 754 bit trick; −0.0 sorts as 0.0)."""
    bits = x.view(np.int64)
    out = np.empty(x.shape[0], dtype=np.int64)
    for i in range(x.shape[0]):
        b = bits[i]
        if x[i] == 0.0:
            b = 0
        # Negative floats order in reverse of their bits: flip them below every positive.
        out[i] = b if b >= 0 else -(b & np.int64(0x7FFFFFFFFFFFFFFF)) - 1
    return out


@njit(cache=True)
def dispatch_two_class(p: np.ndarray, r: np.ndarray, ke: np.ndarray, ae: float, kl: np.ndarray,
                       al: float, switch: np.ndarray) -> np.ndarray:
    """Non-delay dispatching with a priority that changes form once, at a job's own switch time.

    At time t the machine takes, among released unscheduled jobs, the one of smallest value
    ``ke[j] + ae·t`` while ``t < switch[j]`` ("early") and ``kl[j] + al·t`` afterwards ("late");
    ties go to the smaller job index. If nothing is released the machine waits for the next
    release. Every rule whose priority has this shape runs in O(n log n) with three heaps —
    released early jobs by ``ke``, late jobs by ``kl`` and early jobs by switch time — because
    the time term is shared by a whole class and so never reorders it:

    - EDD (Jackson 1955): ``ke = d``, no switch;
    - SPT / WSPT (Smith 1956): ``ke = p`` / ``p/w``, no switch;
    - MDD (Baker & Bertrand 1982), value ``max(d, t + p)``: ``ke = d``, ``kl = p``, ``al = 1``,
      switch at ``d − p``;
    - ATC (Vepsalainen & Morton 1987), maximise ``(w/p)·exp(−max(0, d − p − t)/(k·p̄))``, i.e.
      minimise ``−ln(w/p) + max(0, d − p − t)/(k·p̄)``: ``ke = −ln(w/p) + (d − p)/(k·p̄)``,
      ``ae = −1/(k·p̄)``, ``kl = −ln(w/p)``, switch at ``d − p``.

    Parameters
    ----------
    p, r
        int64 (n,): processing times and release dates.
    ke, kl, switch
        float64 (n,): early key, late key, switch time (``inf``: never late).
    ae, al
        Coefficients of t in the early and late values.

    Returns
    -------
    seq : int64 (n,)
    """
    n = p.shape[0]
    if n > 0 and r.min() == r.max() and not np.any(switch < np.inf):
        # A static rule without release dates is a sort by (key, index): no heaps needed.
        integral = True
        for i in range(n):
            if not (abs(ke[i]) < 9e15 and ke[i] == np.floor(ke[i])):
                integral = False
                break
        if integral:  # due dates, processing times: few radix digits
            return radix_order(ke.astype(np.int64))
        return radix_order(float_sort_key(ke))
    seq = np.empty(n, dtype=np.int64)
    order = np.argsort(r, kind="mergesort")
    early = np.empty(n, dtype=np.int64)
    late_h = np.empty(n, dtype=np.int64)
    watch = np.empty(n, dtype=np.int64)
    ne = 0
    nl = 0
    nw = 0
    is_late = np.zeros(n, dtype=np.bool_)
    done = np.zeros(n, dtype=np.bool_)
    ip = 0
    t = 0
    for k in range(n):
        while True:
            while ip < n and r[order[ip]] <= t:
                j = order[ip]
                ne = _push(early, ne, ke, j)
                if switch[j] < np.inf:
                    nw = _push(watch, nw, switch, j)
                ip += 1
            while nw > 0 and switch[watch[0]] <= t:
                j = watch[0]
                nw = _pop(watch, nw, switch)
                if not done[j]:
                    is_late[j] = True
                    nl = _push(late_h, nl, kl, j)
            while ne > 0 and is_late[early[0]]:
                ne = _pop(early, ne, ke)  # moved to the late heap: a stale entry
            if ne == 0 and nl == 0:
                t = r[order[ip]]  # idle until the next release
                continue
            break
        take_early = False
        if ne > 0 and nl > 0:
            ve = ke[early[0]] + ae * t
            vl = kl[late_h[0]] + al * t
            take_early = ve < vl or (ve == vl and early[0] < late_h[0])
        else:
            take_early = ne > 0
        if take_early:
            j = early[0]
            ne = _pop(early, ne, ke)
        else:
            j = late_h[0]
            nl = _pop(late_h, nl, kl)
        done[j] = True
        seq[k] = j
        t += p[j]
    return seq


@njit(cache=True)
def _released_min(r: np.ndarray, done: np.ndarray, t: int) -> int:
    """t itself if an unscheduled job is released by t, else the next release date."""
    nxt = -1
    for j in range(r.shape[0]):
        if not done[j]:
            if r[j] <= t:
                return t
            if nxt < 0 or r[j] < nxt:
                nxt = r[j]
    return nxt


@njit(cache=True)
def covert_sequence(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray,
                    k: float) -> np.ndarray:
    """COVERT (Carroll 1965), as stated for one machine by Potts & Van Wassenhove (1991).

    At time t take the released job of largest ``(w/p)·max(0, 1 − max(0, d − p − t)/(k·p))``:
    the cost over time of delaying a job, scaled by the estimated chance that delaying it makes it
    tardy (none while its slack exceeds k processing times). Ties go to the earlier due date, then
    the smaller index. O(n²): the priorities reorder with t job by job. A job with ``p = 0``
    and ``w > 0`` has infinite priority.
    """
    n = p.shape[0]
    seq = np.empty(n, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    t = 0
    for pos in range(n):
        t = _released_min(r, done, t)
        best = -1
        best_v = -1.0
        for j in range(n):
            if done[j] or r[j] > t:
                continue
            if p[j] == 0:
                v = np.inf if w[j] > 0 else 0.0
            else:
                slack = max(0.0, float(d[j] - p[j] - t))
                v = (w[j] / p[j]) * max(0.0, 1.0 - slack / (k * p[j]))
            if best < 0 or v > best_v or (v == best_v and (d[j] < d[best] or (
                    d[j] == d[best] and j < best))):
                best = j
                best_v = v
        done[best] = True
        seq[pos] = best
        t += p[best]
    return seq


@njit(cache=True)
def mddc_sequence(p: np.ndarray, d: np.ndarray, r: np.ndarray) -> np.ndarray:
    """MDD Challenger (MDDC) of Çetinkaya, Büyüktahtakın, Shojaee & Reddy (2025).

    "Discovering Heuristics with Large Language Models (LLMs) for Mixed-Integer Programs:
    Single-Machine Scheduling", arXiv:2510.24013, Algorithm 2, with the tie order of the
    authors' published code (candidates kept in (d, p) order, first minimum wins). With
    ``U`` the unscheduled jobs and t the current time, each step takes the job of smallest

        μ = max(1.1·p + t, d) · (1 + ρ²/(1 + ρ²)) + p / (t + mean_U p),
        ρ = min(p / (t + max_U p), 1).

    O(n²). With release dates (not in the paper) U is the set of released unscheduled jobs and
    the machine waits when it is empty.
    """
    n = p.shape[0]
    order = np.argsort(d * (p.max() + 1) + p, kind="mergesort")  # (d, p, index) order
    seq = np.empty(n, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    t = 0
    for pos in range(n):
        t = _released_min(r, done, t)
        pmax = 0.0
        psum = 0.0
        cnt = 0
        for jj in range(n):
            j = order[jj]
            if not done[j] and r[j] <= t:
                pmax = max(pmax, float(p[j]))
                psum += p[j]
                cnt += 1
        mean = psum / cnt
        best = -1
        best_v = np.inf
        for jj in range(n):
            j = order[jj]
            if done[j] or r[j] > t:
                continue
            pj = float(p[j])
            mu = max(pj * 1.1 + t, float(d[j]))
            den = t + pmax
            rho = min(pj / den, 1.0) if den > 0 else 0.0
            mu *= 1.0 + rho * rho / (1.0 + rho * rho)
            den2 = t + mean
            mu += pj / den2 if den2 > 0 else 0.0
            if best < 0 or mu < best_v:
                best = j
                best_v = mu
        done[best] = True
        seq[pos] = best
        t += p[best]
    return seq


@njit(cache=True)
def eddc_sequence(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """EDD Challenger (EDDC) of Çetinkaya, Büyüktahtakın, Shojaee & Reddy (2025), as coded.

    arXiv:2510.24013, Algorithm 1, following the authors' published implementation
    (``np.lexsort((d, p))``, whose *last* key is primary): start from SPT order with ties by due
    date, then one insertion-sort pass on due dates in which the job at position j moves ahead
    of its predecessor only while that predecessor's due date is later both than the job's and
    than the predecessor's current completion time (so moving it back costs it nothing yet).
    The pass keeps stepping left after a refused swap, as the code does. Release dates and
    weights are ignored (the schedule is still evaluated with them). O(n²).
    """
    n = p.shape[0]
    seq = np.argsort(p * (d.max() - min(d.min(), 0) + 1) + (d - min(d.min(), 0)),
                     kind="mergesort")
    prefix = np.zeros(n + 1, dtype=np.int64)  # prefix[k] = Σ p over positions < k
    for k in range(n):
        prefix[k + 1] = prefix[k] + p[seq[k]]
    for i in range(1, n):
        j = i
        while j > 0 and d[seq[j]] < d[seq[j - 1]]:
            if d[seq[j - 1]] > prefix[j]:
                seq[j - 1], seq[j] = seq[j], seq[j - 1]
                prefix[j] = prefix[j - 1] + p[seq[j - 1]]
            j -= 1
    return seq


@njit(cache=True)
def moore_hodgson(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Moore–Hodgson (Moore 1968): on-time jobs in EDD order, then the tardy ones (EDD order).

    Jobs are added in EDD order; whenever the last added job is late, the scheduled job of
    largest ``p/w`` is removed (largest ``p`` for equal weights, which is Moore's rule and is
    optimal for 1||ΣUj; with unequal weights it is only a heuristic for 1||ΣwjUj). O(n log n).
    """
    n = p.shape[0]
    order = np.argsort(d, kind="mergesort")
    key = np.empty(n, dtype=np.float64)  # removal priority: max-heap via negated key
    for j in range(n):
        if w[j] > 0:
            key[j] = -(p[j] / w[j])
        else:
            key[j] = -np.inf if p[j] > 0 else 0.0
    heap = np.empty(n, dtype=np.int64)
    size = 0
    tardy = np.zeros(n, dtype=np.bool_)
    t = 0
    for k in range(n):
        j = order[k]
        size = _push(heap, size, key, j)
        t += p[j]
        if t > d[j]:
            out = heap[0]
            size = _pop(heap, size, key)
            tardy[out] = True
            t -= p[out]
    seq = np.empty(n, dtype=np.int64)
    pos = 0
    for k in range(n):
        if not tardy[order[k]]:
            seq[pos] = order[k]
            pos += 1
    for k in range(n):
        if tardy[order[k]]:
            seq[pos] = order[k]
            pos += 1
    return seq


# ---------------------------------------------------------------------------------------------
# local search: adjacent interchange, insertion and interchange descents; iterated
# ---------------------------------------------------------------------------------------------
@njit(cache=True)
def _fill(p, d, w, r, code, seq, comp, pre, suf):
    """Completion per position, prefix aggregates ``pre[k]`` (positions < k) and suffix
    aggregates ``suf[k]`` (positions >= k) of the job costs; returns the objective."""
    n = seq.shape[0]
    t = 0
    pre[0] = _identity(code)
    cost = np.empty(n, dtype=np.float64)
    for k in range(n):
        j = seq[k]
        t = max(t, r[j]) + p[j]
        comp[k] = t
        cost[k] = _job_cost(code, float(w[j]), float(d[j]), float(t))
        pre[k + 1] = _agg(code, pre[k], cost[k])
    suf[n] = _identity(code)
    for k in range(n - 1, -1, -1):
        suf[k] = _agg(code, suf[k + 1], cost[k])
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
        acc = _agg(code, acc, _job_cost(code, float(w[job]), float(d[job]), float(t)))
    pos = b
    while pos + 1 < n and t != comp[pos]:
        pos += 1
        job = seq[pos]
        t = max(t, r[job]) + p[job]
        acc = _agg(code, acc, _job_cost(code, float(w[job]), float(d[job]), float(t)))
    return _agg(code, acc, suf[pos + 1])


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
            iterations: int, strength: int, restart: int, stall: int, stall_limit: int,
            lower: float, rng: int) -> tuple:
    """``iterations`` steps of iterated local search (Lourenço, Martin & Stützle 2003).

    Each step perturbs the current local optimum by ``strength`` random interchanges, descends
    (:func:`descent`) and accepts the result if it is no worse than the current one; after
    ``restart`` steps without a new best the walk returns to the best. The state travels in and
    out so that a caller can run it in batches against a wall clock.

    Parameters
    ----------
    cur_seq, best_seq
        int64 (n,): current and best local optima (modified in place).
    cur_obj, best_obj
        Their objectives.
    stall
        Steps since the best last improved (carried between batches).
    stall_limit
        Stop once ``stall`` reaches it (0: never).
    lower
        A lower bound: the search stops once the best reaches it.
    rng
        State of the LCG, in 1 .. 2**31 − 2.

    Returns
    -------
    cur_obj, best_obj, stall, rng, steps_done
    """
    n = cur_seq.shape[0]
    trial = np.empty(n, dtype=np.int64)
    steps = 0
    for _ in range(iterations):
        if best_obj <= lower + 1e-9 * max(1.0, abs(lower)) or n < 2:
            break
        if stall_limit > 0 and stall >= stall_limit:
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
            stall = 0
        else:
            stall += 1
        if not _better(cur_obj, v):  # v <= cur_obj (up to rounding): accept
            cur_seq[:] = trial
            cur_obj = v
        elif restart > 0 and stall % restart == 0:
            cur_seq[:] = best_seq
            cur_obj = best_obj
    return cur_obj, best_obj, stall, rng, steps


# ---------------------------------------------------------------------------------------------
# dynamic programming over subsets
# ---------------------------------------------------------------------------------------------
@njit(cache=True)
def dp_chunk(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray, code: int, lo: int,
             hi: int, start: np.ndarray, count: np.ndarray, lab_t: np.ndarray,
             lab_c: np.ndarray, lab_prev: np.ndarray, lab_job: np.ndarray,
             nlab: int) -> tuple:
    """Subsets ``lo .. hi − 1`` of the forward DP over subsets (Held & Karp 1962).

    A label of subset S is a partial schedule of exactly the jobs of S: its completion time
    and cost. Without release dates every order of S completes at Σ_S p, so one label (the
    cheapest) per subset suffices, which is the classical recursion
    ``f(S) = min_{j∈S} f(S∖{j}) ⊕ cost_j(p(S))``. With release dates the completion time depends
    on the order, so S keeps its Pareto set of (completion, cost) labels: a label that finishes
    no earlier and costs no less than another can never lead to a better schedule, because
    every objective here is regular. Subsets are processed in increasing integer order, which
    lists every S∖{j} before S.

    Returns
    -------
    next_mask, nlab, max_labels
        ``next_mask < hi`` means the label arrays ran out of room (grow them and call again
        from ``next_mask``).
    """
    n = p.shape[0]
    maxcnt = 1
    for mask in range(lo, hi):
        need = 0
        for j in range(n):
            if (mask >> j) & 1:
                need += count[mask ^ (1 << j)]
        if nlab + need > lab_t.shape[0]:
            return mask, nlab, maxcnt
        s = nlab
        same_t = True
        for j in range(n):
            if (mask >> j) & 1:
                prev = mask ^ (1 << j)
                for lab in range(start[prev], start[prev] + count[prev]):
                    t = max(lab_t[lab], r[j]) + p[j]
                    c = _agg(code, lab_c[lab], _job_cost(code, float(w[j]), float(d[j]),
                                                          float(t)))
                    lab_t[nlab] = t
                    lab_c[nlab] = c
                    lab_prev[nlab] = lab
                    lab_job[nlab] = j
                    if nlab > s and t != lab_t[s]:
                        same_t = False
                    nlab += 1
        if same_t:  # one completion time: keep the cheapest label only
            best = s
            for lab in range(s + 1, nlab):
                if lab_c[lab] < lab_c[best]:
                    best = lab
            lab_t[s] = lab_t[best]
            lab_c[s] = lab_c[best]
            lab_prev[s] = lab_prev[best]
            lab_job[s] = lab_job[best]
            kept = 1
        else:  # Pareto filter: by completion time, keep strictly cheaper labels only
            idx = np.argsort(lab_t[s:nlab], kind="mergesort") + s
            tt = lab_t[idx]
            cc = lab_c[idx]
            pp = lab_prev[idx]
            jj = lab_job[idx]
            kept = 0
            best_c = np.inf
            m = idx.shape[0]
            q = 0
            while q < m:
                e = q
                arg = q
                while e < m and tt[e] == tt[q]:
                    if cc[e] < cc[arg]:
                        arg = e
                    e += 1
                if cc[arg] < best_c:
                    best_c = cc[arg]
                    lab_t[s + kept] = tt[arg]
                    lab_c[s + kept] = cc[arg]
                    lab_prev[s + kept] = pp[arg]
                    lab_job[s + kept] = jj[arg]
                    kept += 1
                q = e
        start[mask] = s
        count[mask] = kept
        nlab = s + kept
        maxcnt = max(maxcnt, kept)
    return hi, nlab, maxcnt

