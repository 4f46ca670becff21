"""Numba kernels of the successive sublimation dynamic programming method (SSDP) for one machine
without release dates (Tanaka, Fujikuma & Araki, "An exact algorithm for single-machine
scheduling without machine idle time", J. Scheduling 12:575–593, 2009).

The relaxation is the time-indexed model of :mod:`schedkit.instances.single_machine.bounds`:
a pseudo-schedule is a chain of jobs that fills 0..T (T = Σ p_j), may repeat a job and may
leave one out; with multipliers λ the cost of job j completing at t is ``c[j, t] − λ_j`` and
``Σ λ_j`` is added back. The kernels here are

* :func:`two_cycle` — the 2-cycle-eliminated relaxation (the forward kernel of ``bounds.py``),
  cheap, for the first subgradient steps;
* :func:`forward` / :func:`backward` — the same with adjacent pairwise interchange dominance
  (stage 1 of the paper): forward costs with the pseudo-schedule, and the backward costs
  g(j, t) (the cheapest completion from "j completed at t" to T), a valid completion bound for
  every stricter relaxation with the same λ; :func:`prune` eliminates the nodes that no
  pseudo-schedule below the incumbent passes through (``alive``, which every kernel honours);
* :func:`forward2` / :func:`backward2` / :func:`prune2` — stage 2 of the paper, the constraints
  on three successive jobs, on edges "i then k" between alive nodes (see the stage-2 section);
* :func:`extend` — the forward DP of the stage-3 relaxation ("successive sublimation"): the
  state is (t, last job, set of the jobs of M done), each job of M is processed at most once and
  all of M by T. States whose cost + g + Σλ exceeds the target (the incumbent − 1: objectives
  are integers) are dropped, and so are the states where an adjacent interchange of the last two
  jobs is strictly better (ties: the smaller index first), which keeps an optimal schedule; each
  state keeps its two cheapest predecessors with distinct last jobs, so a move that would repeat
  a job within three positions or close a dominated window of three (stage 2's rules) takes the
  second — the relaxation of stage 1 and the three-job rules with M, not stage 1 alone;
  with stage 2, a move "j then k" also needs its cost + the stage-2 backward cost of the edge
  below the target; :func:`backward_states` / :func:`survivors` give the backward costs over
  the states and the states that survive, to which the next DP (larger M) is restricted.

Arrays and ints in, arrays out; the stage-3 DP is resumable in chunks of time steps so the
caller can watch the clock.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...instances.single_machine.bounds import _pseudo_schedule

__all__ = ["cost_table", "two_cycle", "forward", "backward", "prune", "start_cost", "extend",
           "backward_states", "survivors", "node_ids", "edges", "forward2", "backward2", "prune2",
           "NO_JOB"]

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
def two_cycle(p: np.ndarray, d: np.ndarray, w: np.ndarray, lam: np.ndarray,
              horizon: int) -> tuple[float, np.ndarray]:
    """The stage-1 relaxation with 2-cycle elimination only (the kernel of ``bounds.py``):
    ``(reduced cost of the cheapest pseudo-schedule, how often it holds each job)``; ``w``
    float64."""
    n = p.shape[0]
    r = np.zeros(n, dtype=np.int64)
    value0 = np.empty(horizon + 1)
    value1 = np.empty(horizon + 1)
    last0 = np.empty(horizon + 1, dtype=np.int64)
    last1 = np.empty(horizon + 1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    first_end = np.zeros(n, dtype=np.int64)
    reduced = _pseudo_schedule(p, d, w, r, lam, horizon, False, value0, last0, value1, last1,
                               count, first_end)
    return reduced, count


@njit(cache=True)
def _dominated(p: np.ndarray, c: np.ndarray, i: int, k: int, s: int, t: int) -> bool:
    """True when job i on (s − p_i, s] then k on (s, t] is beaten by k first then i (strictly,
    or equally with k < i): adjacent pairwise interchange, which keeps an optimal schedule."""
    here = c[i, s] + c[k, t]
    there = c[k, s - p[i] + p[k]] + c[i, t]
    return there < here - 1e-9 or (there <= here + 1e-9 and k < i)


#: Candidates kept in order per column (the cheapest first); the scans fall back to all
#: entries when none of them is allowed.
_TOP = 4


@njit(cache=True)
def _smallest(vals: np.ndarray, out: np.ndarray) -> None:
    """``out`` ← the indices of the ``out.shape[0]`` smallest ``vals``, ascending (ties: the
    smaller index first), by insertion."""
    m = out.shape[0]
    filled = 0
    for i in range(vals.shape[0]):
        v = vals[i]
        if filled == m and v >= vals[out[m - 1]]:
            continue
        q = filled if filled < m else m - 1
        while q > 0 and vals[out[q - 1]] > v:
            out[q] = out[q - 1]
            q -= 1
        out[q] = i
        if filled < m:
            filled += 1
    for q in range(filled, m):
        out[q] = out[filled - 1] if filled > 0 else 0


@njit(cache=True)
def forward(p: np.ndarray, c: np.ndarray, lam: np.ndarray, horizon: int,
            alive: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The stage-1 relaxation with 2-cycle elimination and adjacent-interchange dominance on
    the nodes (k, t) = "job k completes at t" with ``alive[k, t]``: ``(reduced cost of the
    cheapest pseudo-schedule, job counts, f)`` with ``f[k, t]`` the cheapest chain from 0
    ending with job k completing at t (1e300: none; so is the cost when no chain reaches T).

    Each f[k, t] takes the cheapest allowed predecessor, found by scanning the jobs ending at
    s = t − p_k in order of f (usually the first or second is allowed)."""
    n = p.shape[0]
    f = np.full((n, horizon + 1), _INF)
    arg = np.full((n, horizon + 1), -2, dtype=np.int64)
    top = np.zeros((horizon + 1, _TOP), dtype=np.int64)
    for t in range(1, horizon + 1):
        for k in range(n):
            s = t - p[k]
            if s < 0 or not alive[k, t]:
                continue
            if s == 0:
                base, who = 0.0, -1
            else:
                base, who = _INF, -2
                exhausted = True
                for q in range(_TOP):
                    i = top[s, q]
                    if f[i, s] >= _INF:
                        exhausted = False
                        break
                    if i == k or _dominated(p, c, i, k, s, t):
                        continue
                    base, who = f[i, s], i
                    exhausted = False
                    break
                if exhausted:  # the first few are not allowed: look at every job
                    for i in range(n):
                        if f[i, s] < base and i != k and not _dominated(p, c, i, k, s, t):
                            base, who = f[i, s], i
            if who == -2:
                continue
            f[k, t] = base + c[k, t] - lam[k]
            arg[k, t] = who
        _smallest(f[:, t], top[t])
    count = np.zeros(n, dtype=np.int64)
    best, k = _INF, -1
    for j in range(n):
        if f[j, horizon] < best:
            best, k = f[j, horizon], j
    t = horizon
    while k >= 0 and t > 0:
        count[k] += 1
        prev = arg[k, t]
        t -= p[k]
        k = prev
    return best, count, f


@njit(cache=True)
def backward(p: np.ndarray, c: np.ndarray, lam: np.ndarray, horizon: int,
             alive: np.ndarray) -> np.ndarray:
    """Backward costs of the relaxation of :func:`forward`: ``g[i, t]`` the cheapest reduced
    cost of a chain over alive nodes from t to the horizon after job i completed at t (its
    first job k ≠ i and "i then k" not dominated); ``g[i, horizon] = 0``, unreachable or
    (i, t) not alive: 1e300. Every stricter relaxation with the same λ costs at least this
    from (t, i)."""
    n = p.shape[0]
    g = np.full((n, horizon + 1), _INF)
    for i in range(n):
        if alive[i, horizon]:
            g[i, horizon] = 0.0
    h = np.empty(n)
    top = np.zeros(_TOP, dtype=np.int64)
    for t in range(horizon - 1, -1, -1):
        for k in range(n):
            e = t + p[k]
            h[k] = _INF if e > horizon or g[k, e] >= _INF else c[k, e] - lam[k] + g[k, e]
        _smallest(h, top)
        for i in range(n):
            if t < p[i] or (t > 0 and not alive[i, t]):
                continue
            exhausted = True
            for q in range(_TOP):
                k = top[q]
                if h[k] >= _INF:
                    exhausted = False
                    break
                if k == i or _dominated(p, c, i, k, t, t + p[k]):
                    continue
                g[i, t] = h[k]
                exhausted = False
                break
            if exhausted:
                for k in range(n):
                    if h[k] < g[i, t] and k != i and not _dominated(p, c, i, k, t, t + p[k]):
                        g[i, t] = h[k]
    return g


@njit(cache=True)
def prune(f: np.ndarray, g: np.ndarray, alive: np.ndarray, target: float) -> int:
    """Eliminate the nodes (k, t) no pseudo-schedule of cost ≤ ``target`` passes through:
    ``alive[k, t] = False`` where ``f[k, t] + g[k, t] > target`` (:func:`forward` and
    :func:`backward` at the same λ; the cost of the cheapest chain through the node). Returns
    the nodes left alive.

    With ``target`` = incumbent − 1 − Σλ, no schedule better than the incumbent uses such a
    node — whatever λ — so the elimination holds for every later relaxation: those are then
    relaxations of "a schedule better than the incumbent", valid lower bounds capped by it."""
    n, width = f.shape
    left = 0
    for k in range(n):
        for t in range(1, width):
            if alive[k, t]:
                if f[k, t] >= _INF or g[k, t] >= _INF or f[k, t] + g[k, t] > target:
                    alive[k, t] = False
                else:
                    left += 1
    return left


@njit(cache=True)
def start_cost(p: np.ndarray, c: np.ndarray, lam: np.ndarray, g: np.ndarray) -> float:
    """The cheapest chain from time 0 by the backward costs (equals :func:`forward`'s)."""
    best = _INF
    horizon = c.shape[1] - 1
    for k in range(p.shape[0]):
        e = p[k]
        if e <= horizon and g[k, e] < _INF:
            best = min(best, c[k, e] - lam[k] + g[k, e])
    return best


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
def _holds(keys: np.ndarray, lo: int, hi: int, key: int) -> bool:
    """Whether the ascending ``keys[lo:hi]`` hold ``key`` (binary search)."""
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < end and keys[lo] == key


@njit(cache=True)
def _find(start: np.ndarray, job: np.ndarray, mask: np.ndarray, n: int, t: int,
          key: int) -> int:
    """Index of the state of time t with key ``mask·(n + 1) + job + 1`` in the pool of
    :func:`extend` (sorted by key within a time), −1 if none."""
    lo, hi = start[t], start[t + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if mask[mid] * (n + 1) + job[mid] + 1 < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < start[t + 1] and mask[lo] * (n + 1) + job[lo] + 1 == key:
        return lo
    return -1


@njit(cache=True)
def backward_states(p: np.ndarray, c: np.ndarray, lam: np.ndarray, alive: np.ndarray,
                    pos: np.ndarray, full: int, start: np.ndarray, job: np.ndarray,
                    mask: np.ndarray, b: np.ndarray, s_from: int, s_to: int) -> None:
    """Backward costs over the pool of a finished :func:`extend` run, for the times
    ``s_from`` down to ``s_to + 1`` (call with descending chunks, ``b`` all 1e300 at first):
    ``b[idx]`` the cheapest reduced cost from state idx to a state of time T with every job of
    M done (``full``), over the states of the pool. Together with the forward cost, the
    cheapest pseudo-schedule of the relaxation with M through the state."""
    n = p.shape[0]
    horizon = c.shape[1] - 1
    for s in range(s_from, s_to, -1):
        if s == horizon:
            for idx in range(start[s], start[s + 1]):
                if mask[idx] == full:
                    b[idx] = 0.0
            continue
        for idx in range(start[s], start[s + 1]):
            j = job[idx]
            mk = mask[idx]
            best = _INF
            for k in range(n):
                t = s + p[k]
                if t > horizon or k == j or not alive[k, t]:
                    continue
                pk = pos[k]
                bit = np.int64(1) << pk if pk >= 0 else np.int64(0)
                if mk & bit:
                    continue
                if j >= 0 and _dominated(p, c, j, k, s, t):
                    continue
                q = _find(start, job, mask, n, t, (mk | bit) * (n + 1) + (k + 1))
                if q >= 0 and b[q] < _INF:
                    v = c[k, t] - lam[k] + b[q]
                    if v < best:
                        best = v
            b[idx] = best


@njit(cache=True)
def survivors(start: np.ndarray, job: np.ndarray, mask: np.ndarray, val: np.ndarray,
              b: np.ndarray, target: float, alive: np.ndarray,
              ) -> tuple[np.ndarray, np.ndarray, int]:
    """The states of the pool some pseudo-schedule of reduced cost ≤ ``target`` passes
    through (forward ``val`` + backward ``b``): ``(ref_start, ref_key, count)`` for
    :func:`extend`. No schedule better than the incumbent passes through the others, whatever
    λ, so they stay out of every later DP; nodes (k, t) no surviving state ends with are
    eliminated from ``alive`` too."""
    n = alive.shape[0]
    horizon = alive.shape[1] - 1
    used = np.zeros_like(alive)
    ref_start = np.zeros(horizon + 2, dtype=np.int64)
    total = 0
    for idx in range(start[horizon + 1]):
        if val[idx] + b[idx] <= target:
            total += 1
    ref_key = np.empty(total, dtype=np.int64)
    q = 0
    for t in range(horizon + 1):
        ref_start[t] = q
        for idx in range(start[t], start[t + 1]):
            if val[idx] + b[idx] <= target:
                ref_key[q] = mask[idx] * (n + 1) + job[idx] + 1
                q += 1
                if job[idx] >= 0:
                    used[job[idx], t] = True
    ref_start[horizon + 1] = q
    for k in range(n):
        for t in range(1, horizon + 1):
            if alive[k, t] and not used[k, t]:
                alive[k, t] = False
    return ref_start, ref_key, total


@njit(cache=True)
def extend(p: np.ndarray, c: np.ndarray, lam: np.ndarray, g: np.ndarray, pos: np.ndarray,
           m_proc: np.ndarray, target: float,
           t_from: int, t_to: int, start: np.ndarray, job: np.ndarray, mask: np.ndarray,
           val: np.ndarray, pred: np.ndarray, val2: np.ndarray, pred2: np.ndarray,
           size: int, max_states: int,
           ref_start: np.ndarray, ref_key: np.ndarray, ref_mask: int, ids: np.ndarray,
           eid: np.ndarray, g2: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                      int, int]:
    """Stage-3 forward DP over the times ``t_from..t_to − 1`` (the states of earlier times are
    in the pool): ``(job, mask, val, pred, val2, pred2, size, status)``.

    The pool holds the states of time t at indices ``start[t]..start[t + 1] − 1`` sorted by
    (mask, job): the last job (``NO_JOB`` at the start), the bit set of the done jobs of M
    (job j is bit ``pos[j]``; −1: not in M), the reduced cost and its predecessor
    (``2·index + slot``: the state and which of its two costs was extended), and the cheapest
    cost over the predecessors whose last job differs from the best one's (``val2``, 1e300:
    none) with its predecessor ``pred2``. A move from (…, h, j) to k uses the best cost unless
    h = k or the window h, j, k is dominated (:func:`_dominated3`, the rules of stage 2); then
    ``val2``, a lower bound on every other predecessor (2-cycle elimination after Abdul-Razaq
    & Potts, extended to the three-job window), so the relaxation is at least stage 1's.
    ``m_proc[b]`` is the processing time of the job of bit b. A state survives when its cost +
    ``g[last, t]`` (:func:`backward`) ≤ ``target`` (the pool's Σλ already taken off), the jobs
    of M not done fit before the horizon and "previous then last" is not dominated, and — when
    ``ref_start`` is not empty — its projection (t, last, mask & ``ref_mask``) is among the
    surviving states of an earlier DP (:func:`survivors`: keys ``mask·(n + 1) + last + 1`` of
    time t at ``ref_key[ref_start[t]:ref_start[t + 1]]``, ascending): successive sublimation.
    When ``g2`` is not empty (stage-2 backward costs, :func:`backward2`, on the nodes ``ids``
    and edges ``eid``), a move from last job j to k at t also needs its edge j → (k, t) and
    cost + ``g2[eid[ids[k, t], j]]`` ≤ ``target``.
    status 0: done; 1: more than ``max_states`` states (stopped).
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
    use_ref = ref_start.shape[0] > 0
    use2 = g2.shape[0] > 0
    for t in range(t_from, t_to):
        nc = 0
        for k in range(n):
            s = t - p[k]
            if s < 0:
                continue
            pk = pos[k]
            bit = np.int64(1) << pk if pk >= 0 else np.int64(0)
            gk = g[k, t]
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
                if j >= 0 and _dominated(p, c, j, k, s, t):
                    continue
                slot = 0
                pr = pred[idx]
                h = job[pr >> 1] if pr > 0 else NO_JOB
                if h >= 0 and (h == k or _dominated3(p, c, h, j, k, t)):
                    v = val2[idx] + ck  # every other predecessor costs at least val2
                    slot = 1
                    if v + gk > target:
                        continue
                if use2:
                    nid = ids[k, t]
                    if nid < 0:
                        continue
                    e2 = eid[nid, j if j >= 0 else n]
                    if e2 < 0 or v + g2[e2] > target:
                        continue
                nm = mk | bit
                if m > 0:
                    left = total_m
                    for b in range(m):
                        if (nm >> b) & 1:
                            left -= m_proc[b]
                    if left > horizon - t:
                        continue
                if use_ref and not _holds(ref_key, ref_start[t], ref_start[t + 1],
                                          (nm & ref_mask) * (n + 1) + (k + 1)):
                    continue
                if nc == cand_key.shape[0]:
                    cand_key = _grow_i(cand_key, 2 * nc)
                    cand_val = _grow_f(cand_val, 2 * nc)
                    cand_pred = _grow_i(cand_pred, 2 * nc)
                cand_key[nc] = nm * (n + 1) + (k + 1)
                cand_val[nc] = v
                cand_pred[nc] = 2 * idx + slot
                nc += 1
        # dedupe: one state per (mask, job), its cheapest and second-cheapest predecessor (the
        # candidates of one key come from distinct last jobs: the source's mask is the key's
        # minus k's bit)
        order = np.argsort(cand_key[:nc], kind="mergesort")
        start[t] = size
        last_key = np.int64(-1)
        for q in range(nc):
            i = order[q]
            key = cand_key[i]
            if key == last_key:
                cv = cand_val[i]
                if cv < val[size - 1]:
                    val2[size - 1] = val[size - 1]
                    pred2[size - 1] = pred[size - 1]
                    val[size - 1] = cv
                    pred[size - 1] = cand_pred[i]
                elif cv < val2[size - 1]:
                    val2[size - 1] = cv
                    pred2[size - 1] = cand_pred[i]
                continue
            if size == job.shape[0]:
                if size >= max_states:
                    start[t + 1] = size
                    return job, mask, val, pred, val2, pred2, size, 1
                grown = min(2 * size, max_states)
                job = _grow_i(job, grown)
                mask = _grow_i(mask, grown)
                val = _grow_f(val, grown)
                pred = _grow_i(pred, grown)
                val2 = _grow_f(val2, grown)
                pred2 = _grow_i(pred2, grown)
            last_key = key
            job[size] = key % (n + 1) - 1
            mask[size] = key // (n + 1)
            val[size] = cand_val[i]
            pred[size] = cand_pred[i]
            val2[size] = _INF
            pred2[size] = -1
            size += 1
        start[t + 1] = size
    return job, mask, val, pred, val2, pred2, size, 0


# ---- stage 2: constraints on three successive jobs -------------------------------------------
#
# The state of the stage-2 relaxation is an edge (i, k, t): job k completes at t right after
# job i (source n: k is the first job, t = p_k). Nodes (k, t) alive get ids (``node_ids``); the
# edges are held sparse (:func:`edges`): the in-edges of node ``nid`` are the indices
# ``in_ptr[nid]..in_ptr[nid + 1] − 1`` with sources ``in_src`` (ascending), ``eid[nid, i]`` the
# index of edge (i → node nid) (−1: none), and the out-edges of a node (the edges whose source is
# its job at its time) ``out_edge[out_ptr[nid]:out_ptr[nid + 1]]``, into the jobs ``out_job``;
# ``ealive`` marks the edges not eliminated. A job does not come back within three successive
# jobs (h, i, k all differ), and no window of two or three successive jobs is beaten by another
# order of the same jobs in the same interval (strictly, or equally by an order that is
# lexicographically smaller by job index): the lexicographically least optimal schedule passes
# every such rule, so it is a pseudo-schedule of every relaxation here, and its cost there is its
# value.


@njit(cache=True)
def node_ids(alive: np.ndarray) -> tuple[np.ndarray, int]:
    """``(ids, count)``: ``ids[k, t]`` numbers the alive nodes 0.. (−1: not alive)."""
    n, width = alive.shape
    ids = np.full((n, width), -1, dtype=np.int64)
    q = 0
    for t in range(width):
        for k in range(n):
            if alive[k, t]:
                ids[k, t] = q
                q += 1
    return ids, q


@njit(cache=True)
def _dominated3(p: np.ndarray, c: np.ndarray, h: int, i: int, k: int, t: int) -> bool:
    """True when the window h, i, k of successive jobs ending at t is beaten by another order
    of the three (strictly, or equally by a lexicographically smaller one)."""
    a0 = t - p[k] - p[i] - p[h]
    here = c[h, a0 + p[h]] + c[i, a0 + p[h] + p[i]] + c[k, t]
    jobs = (h, i, k)
    for perm in ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        x, y, z = jobs[perm[0]], jobs[perm[1]], jobs[perm[2]]
        there = c[x, a0 + p[x]] + c[y, a0 + p[x] + p[y]] + c[z, t]
        if there < here - 1e-9:
            return True
        if there <= here + 1e-9:
            if x < h or (x == h and (y < i or (y == i and z < k))):
                return True
    return False


@njit(cache=True)
def edges(p: np.ndarray, c: np.ndarray, alive: np.ndarray, ids: np.ndarray, count_nodes: int,
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The edges of the stage-2 relaxation between alive nodes — i → (k, t) for i ≠ k with
    (i, t − p_k) alive and "i then k" not dominated, source n where t = p_k — as
    ``(in_ptr, in_src, eid, out_ptr, out_edge, out_job)`` (see the stage-2 section;
    ``out_job`` the job of each out-edge's target)."""
    n, width = alive.shape
    eid = np.full((count_nodes, n + 1), -1, dtype=np.int32)
    in_ptr = np.zeros(count_nodes + 1, dtype=np.int64)
    out_deg = np.zeros(count_nodes + 1, dtype=np.int64)
    total = 0
    for pass_ in range(2):
        if pass_ == 1:
            in_src = np.empty(total, dtype=np.int64)
            total = 0
        for t in range(1, width):
            for k in range(n):
                nid = ids[k, t]
                if nid < 0:
                    continue
                if pass_ == 0:
                    in_ptr[nid] = total
                s = t - p[k]
                if s == 0:
                    if pass_ == 1:
                        in_src[total] = n
                        eid[nid, n] = total
                    total += 1
                    continue
                for i in range(n):
                    if i != k and s >= p[i] and alive[i, s] and \
                            not _dominated(p, c, i, k, s, t):
                        if pass_ == 1:
                            in_src[total] = i
                            eid[nid, i] = total
                        else:
                            out_deg[ids[i, s]] += 1
                        total += 1
    in_ptr[count_nodes] = total
    out_ptr = np.zeros(count_nodes + 1, dtype=np.int64)
    for q in range(count_nodes):
        out_ptr[q + 1] = out_ptr[q] + out_deg[q]
    fill = out_ptr[:count_nodes].copy()
    out_edge = np.empty(total, dtype=np.int64)
    out_job = np.empty(total, dtype=np.int64)
    for t in range(1, width):  # out-edges by the target's time, then job: m ascending per time
        for k in range(n):
            nid = ids[k, t]
            if nid < 0:
                continue
            s = t - p[k]
            for e in range(in_ptr[nid], in_ptr[nid + 1]):
                i = in_src[e]
                if i < n:
                    src = ids[i, s]
                    out_edge[fill[src]] = e
                    out_job[fill[src]] = k
                    fill[src] += 1
    return in_ptr, in_src, eid, out_ptr, out_edge, out_job


@njit(cache=True)
def _sort_edges(keys: np.ndarray, src: np.ndarray, order: np.ndarray, lo: int, hi: int) -> None:
    """Sort ``order[lo:hi]`` (edge indices) by ``keys``, ties by ``src`` (insertion sort: a
    node has a few dozen edges)."""
    for a in range(lo + 1, hi):
        e = order[a]
        v, sv = keys[e], src[e]
        b = a
        while b > lo:
            x = order[b - 1]
            if keys[x] > v or (keys[x] == v and src[x] > sv):
                order[b] = x
                b -= 1
            else:
                break
        order[b] = e


@njit(cache=True)
def forward2(p: np.ndarray, c: np.ndarray, lam: np.ndarray, alive: np.ndarray,
             ids: np.ndarray, in_ptr: np.ndarray, in_src: np.ndarray, ealive: np.ndarray,
             ) -> tuple[float, np.ndarray, np.ndarray]:
    """Forward costs of the stage-2 relaxation: ``(reduced cost of the cheapest
    pseudo-schedule, job counts, f2)``, ``f2[e]`` the cheapest chain ending with edge e
    (i then k, k at t); only nodes ``alive`` and edges ``ealive`` are used.

    Each edge takes the cheapest allowed edge into its source node, found by scanning that
    node's edges in order of f2 (sorted once the node is done)."""
    n = p.shape[0]
    horizon = alive.shape[1] - 1
    total = in_src.shape[0]
    f2 = np.full(total, _INF)
    arg = np.full(total, -2, dtype=np.int64)
    order = np.arange(total)
    for t in range(1, horizon + 1):
        for k in range(n):
            nid = ids[k, t]
            if nid < 0 or not alive[k, t]:
                continue
            s = t - p[k]
            ck = c[k, t] - lam[k]
            for e in range(in_ptr[nid], in_ptr[nid + 1]):
                if not ealive[e]:
                    continue
                i = in_src[e]
                if i == n:
                    f2[e] = ck
                    arg[e] = -1
                    continue
                pid = ids[i, s]  # the edge holds "i fits before and i then k not dominated"
                if pid < 0 or not alive[i, s]:
                    continue
                for q in range(in_ptr[pid], in_ptr[pid + 1]):
                    e2 = order[q]
                    v = f2[e2]
                    if v >= _INF:
                        break
                    h = in_src[e2]
                    if h < n and (h == k or _dominated3(p, c, h, i, k, t)):
                        continue
                    f2[e] = v + ck
                    arg[e] = e2
                    break
            _sort_edges(f2, in_src, order, in_ptr[nid], in_ptr[nid + 1])
    count = np.zeros(n, dtype=np.int64)
    best, be, bk = _INF, -1, -1
    for k in range(n):
        nid = ids[k, horizon]
        if nid >= 0:
            for e in range(in_ptr[nid], in_ptr[nid + 1]):
                if f2[e] < best:
                    best, be, bk = f2[e], e, k
    e, k = be, bk
    while e >= 0:
        count[k] += 1
        k = in_src[e]
        e = arg[e]
    return best, count, f2


@njit(cache=True)
def backward2(p: np.ndarray, c: np.ndarray, lam: np.ndarray, alive: np.ndarray,
              ids: np.ndarray, in_ptr: np.ndarray, in_src: np.ndarray, ealive: np.ndarray,
              out_ptr: np.ndarray, out_edge: np.ndarray, out_job: np.ndarray) -> np.ndarray:
    """Backward costs of the stage-2 relaxation: ``g2[e]`` the cheapest reduced cost from
    edge e ("i then k, k completing at t") to the horizon (1e300: none)."""
    n = p.shape[0]
    horizon = alive.shape[1] - 1
    total = in_src.shape[0]
    g2 = np.full(total, _INF)
    h = np.empty(n)
    hm = np.empty(n, dtype=np.int64)
    for t in range(horizon, 0, -1):
        for k in range(n):
            nid = ids[k, t]
            if nid < 0 or not alive[k, t]:
                continue
            if t == horizon:
                for e in range(in_ptr[nid], in_ptr[nid + 1]):
                    if ealive[e]:
                        g2[e] = 0.0
                continue
            # the moves out of (k, t): to m at t + p_m over edge k → m, cheapest first
            nh = 0
            for q in range(out_ptr[nid], out_ptr[nid + 1]):
                e2 = out_edge[q]
                if not ealive[e2] or g2[e2] >= _INF:
                    continue
                m = out_job[q]
                v = c[m, t + p[m]] - lam[m] + g2[e2]
                b = nh
                while b > 0 and (h[b - 1] > v or (h[b - 1] == v and hm[b - 1] > m)):
                    h[b] = h[b - 1]
                    hm[b] = hm[b - 1]
                    b -= 1
                h[b] = v
                hm[b] = m
                nh += 1
            for e in range(in_ptr[nid], in_ptr[nid + 1]):
                if not ealive[e]:
                    continue
                i = in_src[e]
                for q in range(nh):
                    m = hm[q]
                    if i < n and (m == i or _dominated3(p, c, i, k, m, t + p[m])):
                        continue
                    g2[e] = h[q]
                    break
    return g2


@njit(cache=True)
def prune2(f2: np.ndarray, g2: np.ndarray, alive: np.ndarray, ids: np.ndarray,
           in_ptr: np.ndarray, ealive: np.ndarray, target: float) -> int:
    """Eliminate the edges no stage-2 pseudo-schedule of cost ≤ ``target`` passes through
    (``ealive`` false), then the nodes without an edge left (``alive`` false): as
    :func:`prune`. Returns the edges left."""
    n, width = alive.shape
    left = 0
    for k in range(n):
        for t in range(1, width):
            nid = ids[k, t]
            if nid < 0 or not alive[k, t]:
                continue
            any_edge = False
            for e in range(in_ptr[nid], in_ptr[nid + 1]):
                if ealive[e]:
                    if f2[e] >= _INF or g2[e] >= _INF or f2[e] + g2[e] > target:
                        ealive[e] = False
                    else:
                        any_edge = True
                        left += 1
            if not any_edge:
                alive[k, t] = False
    return left
