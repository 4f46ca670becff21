"""Numba kernels of the single-machine dispatching rules (EDD, SPT, WSPT, MDD, ATC in one
three-heap engine; COVERT, MDDC, EDDC, Moore–Hodgson) and the radix sort of static rules.

Arrays and scalars in, arrays out, no state: every kernel is ``@njit(cache=True)`` and also runs
as plain Python under ``NUMBA_DISABLE_JIT=1`` (the tests run both). Jobs are described by int64
arrays ``p`` (processing), ``d`` (due), ``w`` (weight) and ``r`` (release); a rule returns the job
sequence, which the machine processes as early as release dates allow.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import heap_pop, heap_push

__all__ = [
    "radix_order",
    "float_sort_key",
    "dispatch_two_class",
    "covert_sequence",
    "mddc_sequence",
    "eddc_sequence",
    "moore_hodgson",
]


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
    # Three heaps (ids and keys): released early jobs by ke, late jobs by kl, switch times.
    early = np.empty(n, dtype=np.int64)
    early_k = np.empty(n, dtype=np.float64)
    late_h = np.empty(n, dtype=np.int64)
    late_k = np.empty(n, dtype=np.float64)
    watch = np.empty(n, dtype=np.int64)
    watch_k = np.empty(n, dtype=np.float64)
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
                ne = heap_push(early_k, early, ne, ke[j], j)
                if switch[j] < np.inf:
                    nw = heap_push(watch_k, watch, nw, switch[j], j)
                ip += 1
            while nw > 0 and switch[watch[0]] <= t:
                j = watch[0]
                nw = heap_pop(watch_k, watch, nw)
                if not done[j]:
                    is_late[j] = True
                    nl = heap_push(late_k, late_h, nl, kl[j], j)
            while ne > 0 and is_late[early[0]]:
                ne = heap_pop(early_k, early, ne)  # moved to the late heap: a stale entry
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
            ne = heap_pop(early_k, early, ne)
        else:
            j = late_h[0]
            nl = heap_pop(late_k, late_h, nl)
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
    heap_k = np.empty(n, dtype=np.float64)
    size = 0
    tardy = np.zeros(n, dtype=np.bool_)
    t = 0
    for k in range(n):
        j = order[k]
        size = heap_push(heap_k, heap, size, key[j], j)
        t += p[j]
        if t > d[j]:
            out = heap[0]
            size = heap_pop(heap_k, heap, size)
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


