"""Numba kernels of tabu search for the job shop makespan (N5 neighbourhood).

A schedule is a sequence of operations per machine (``seq``: operations grouped by machine,
machine ``m`` owning ``seq[machine_offsets[m]:machine_offsets[m + 1]]``); its semi-active
schedule comes from the longest paths of the disjunctive graph (Roy & Sussmann 1964). Moves are
those of the N5 neighbourhood of Nowicki & Smutnicki (Management Science 42(6), 1996): on one
critical path, split into blocks of operations processed back to back on one machine, swap the
first two operations of every block but the first and the last two of every block but the
last. Moves are ranked by the usual head/tail estimate of the new longest path through the two
swapped operations (Taillard, ORSA J. Computing 6(2), 1994), the chosen one is applied and the
heads and tails are recomputed exactly. Tabu attributes are swapped pairs with a random tenure
(Taillard 1994); a tabu move is allowed when its estimate beats the best makespan (aspiration).
After ``restart`` iterations without a new best, the search goes back to the best schedule and
applies ``strength`` random swaps of adjacent critical operations (a kick, as in iterated local
search), clearing the tabu list.

Arrays and ints in, arrays out, no state (``seq``, ``best_seq`` and the tabu arrays are updated
in place so that a caller can run the search in time-limited batches); ``cache=True``; runs
unchanged under ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import lcg_next

__all__ = ["machine_links", "heads_tails", "tabu_run"]


@njit(cache=True, inline="always")
def _after(t: int, a: int, time: np.ndarray, op_duration: np.ndarray) -> int:
    """``t``, or the end ``time[a] + p[a]`` of operation ``a`` if that is later (-1: none)."""
    if a >= 0 and time[a] + op_duration[a] > t:
        return time[a] + op_duration[a]
    return t


@njit(cache=True, inline="always")
def _release(s: int, indeg: np.ndarray, order: np.ndarray, top: int) -> int:
    """One predecessor of ``s`` (-1: none) is placed; queue ``s`` when it was the last."""
    if s >= 0:
        indeg[s] -= 1
        if indeg[s] == 0:
            order[top] = s
            top += 1
    return top


@njit(cache=True)
def machine_links(machine_offsets: np.ndarray, seq: np.ndarray, pos: np.ndarray,
                  mach_pred: np.ndarray, mach_succ: np.ndarray) -> None:
    """Fill each operation's position in ``seq`` and its machine predecessor/successor (-1)."""
    for m in range(machine_offsets.shape[0] - 1):
        lo = machine_offsets[m]
        hi = machine_offsets[m + 1]
        for i in range(lo, hi):
            k = seq[i]
            pos[k] = i
            mach_pred[k] = seq[i - 1] if i > lo else -1
            mach_succ[k] = seq[i + 1] if i + 1 < hi else -1


@njit(cache=True)
def heads_tails(job_pred: np.ndarray, job_succ: np.ndarray, op_release: np.ndarray,
                op_duration: np.ndarray, mach_pred: np.ndarray, mach_succ: np.ndarray,
                head: np.ndarray, tail: np.ndarray, order: np.ndarray,
                indeg: np.ndarray) -> int:
    """Heads (earliest starts) and tails (longest path after the end) of every operation.

    Kahn's topological order over job and machine arcs; ``head``, ``tail``, ``order`` and the
    work array ``indeg`` are filled in place.

    Returns
    -------
    int
        The makespan, or -1 when the machine sequences contain a cycle.
    """
    n = op_duration.shape[0]
    top = 0
    for k in range(n):
        indeg[k] = (1 if job_pred[k] >= 0 else 0) + (1 if mach_pred[k] >= 0 else 0)
        if indeg[k] == 0:
            order[top] = k
            top += 1
    # ``order`` is the queue of Kahn's algorithm: order[:done] is the topological order so far,
    # order[done:top] are operations whose predecessors are all placed.
    done = 0
    while done < top:
        k = order[done]
        done += 1
        head[k] = _after(_after(op_release[k], job_pred[k], head, op_duration), mach_pred[k],
                         head, op_duration)
        top = _release(job_succ[k], indeg, order, top)
        top = _release(mach_succ[k], indeg, order, top)
    if done < n:
        return -1
    makespan = 0
    for i in range(n - 1, -1, -1):
        k = order[i]
        t = _after(_after(0, job_succ[k], tail, op_duration), mach_succ[k], tail, op_duration)
        tail[k] = t
        if head[k] + op_duration[k] + t > makespan:
            makespan = head[k] + op_duration[k] + t
    return makespan


@njit(cache=True)
def _critical_path(op_duration: np.ndarray, job_pred: np.ndarray, mach_pred: np.ndarray,
                   head: np.ndarray, path: np.ndarray) -> int:
    """One critical path, first operation first, into ``path``; returns its length.

    Walking back from the last operation to finish, the machine predecessor is preferred when
    both predecessors are tight, which makes blocks as long as possible.
    """
    n = op_duration.shape[0]
    k = 0
    for i in range(1, n):
        if head[i] + op_duration[i] > head[k] + op_duration[k]:
            k = i
    length = 0
    while True:
        path[length] = k
        length += 1
        a = mach_pred[k]
        if a >= 0 and head[a] + op_duration[a] == head[k]:
            k = a
            continue
        a = job_pred[k]
        if a >= 0 and head[a] + op_duration[a] == head[k]:
            k = a
            continue
        break
    for i in range(length // 2):
        path[i], path[length - 1 - i] = path[length - 1 - i], path[i]
    return length


@njit(cache=True)
def _n5_moves(path: np.ndarray, length: int, mach_pred: np.ndarray, op_job: np.ndarray,
              cand_u: np.ndarray, cand_v: np.ndarray, all_pairs: bool) -> int:
    """Swaps of adjacent critical operations: N5 (``all_pairs`` False) or every pair (N1)."""
    count = 0
    s = 0
    for i in range(1, length + 1):
        if i < length and mach_pred[path[i]] == path[i - 1]:
            continue
        e = i - 1  # block path[s..e]
        if e > s:
            if all_pairs:
                for q in range(s, e):
                    if op_job[path[q]] != op_job[path[q + 1]]:
                        cand_u[count] = path[q]
                        cand_v[count] = path[q + 1]
                        count += 1
            else:
                if s > 0 and op_job[path[s]] != op_job[path[s + 1]]:
                    cand_u[count] = path[s]
                    cand_v[count] = path[s + 1]
                    count += 1
                if e < length - 1 and (s == 0 or e - 1 > s) and \
                        op_job[path[e - 1]] != op_job[path[e]]:
                    cand_u[count] = path[e - 1]
                    cand_v[count] = path[e]
                    count += 1
        s = i
    return count


@njit(cache=True)
def _estimate(u: int, v: int, op_release: np.ndarray, op_duration: np.ndarray,
              job_pred: np.ndarray, job_succ: np.ndarray, mach_pred: np.ndarray,
              mach_succ: np.ndarray, head: np.ndarray, tail: np.ndarray) -> int:
    """Longest path through ``u`` and ``v`` once ``v`` is moved just before ``u``."""
    hv = _after(_after(op_release[v], job_pred[v], head, op_duration), mach_pred[u], head,
                op_duration)
    hu = _after(max(op_release[u], hv + op_duration[v]), job_pred[u], head, op_duration)
    tu = _after(_after(0, job_succ[u], tail, op_duration), mach_succ[v], tail, op_duration)
    tv = _after(tu + op_duration[u], job_succ[v], tail, op_duration)
    return max(hv + op_duration[v] + tv, hu + op_duration[u] + tu)


@njit(cache=True)
def _swap(u: int, v: int, seq: np.ndarray, pos: np.ndarray, mach_pred: np.ndarray,
          mach_succ: np.ndarray) -> None:
    """Exchange ``u`` and its machine successor ``v``."""
    a = mach_pred[u]
    b = mach_succ[v]
    i = pos[u]
    seq[i] = v
    seq[i + 1] = u
    pos[v] = i
    pos[u] = i + 1
    mach_pred[v] = a
    mach_succ[v] = u
    mach_pred[u] = v
    mach_succ[u] = b
    if a >= 0:
        mach_succ[a] = v
    if b >= 0:
        mach_pred[b] = u


@njit(cache=True)
def tabu_run(
    job_pred: np.ndarray,
    job_succ: np.ndarray,
    op_job: np.ndarray,
    op_release: np.ndarray,
    op_duration: np.ndarray,
    machine_offsets: np.ndarray,
    seq: np.ndarray,
    best_seq: np.ndarray,
    best_makespan: int,
    tabu_u: np.ndarray,
    tabu_v: np.ndarray,
    tabu_until: np.ndarray,
    it: int,
    iterations: int,
    since: int,
    restart: int,
    strength: int,
    stall: int,
    lower: int,
    tenure_lo: int,
    tenure_hi: int,
    rng: int,
) -> tuple[int, int, int, int]:
    """Run up to ``iterations`` tabu-search iterations from ``seq`` (see the module docstring).

    Parameters
    ----------
    job_pred, job_succ, op_job, op_release, op_duration
        Per operation: previous and next operation of its job (-1: none), its job, its job's
        release date and its processing time.
    machine_offsets
        int64 (M+1,): where each machine's sequence starts in ``seq``.
    seq, best_seq
        Current and best machine sequences; updated in place.
    best_makespan
        Makespan of ``best_seq``.
    tabu_u, tabu_v, tabu_until
        Tabu list (``u`` may not be put before ``v`` again until iteration ``tabu_until``); a
        ring of at least ``tenure_hi + 1`` entries, updated in place.
    it
        Iterations done before this call (the tabu list's clock).
    iterations
        Iterations to run now.
    since
        Iterations since the best was last improved.
    restart
        Go back to the best and kick after this many iterations without a new best (0: never).
    strength
        Random critical swaps per kick.
    stall
        Stop after this many iterations without a new best (0: never).
    lower
        Stop when the best makespan reaches this lower bound.
    tenure_lo, tenure_hi
        Tenure of a tabu attribute, drawn uniformly.
    rng
        State of :func:`..kernels.lcg_next` (1 … 2^31 - 2).

    Returns
    -------
    best_makespan, since, rng, steps
        ``steps < iterations`` means the lower bound or the stall limit was reached.
    """
    n = op_duration.shape[0]
    cap = tabu_until.shape[0]
    pos = np.empty(n, dtype=np.int64)
    mach_pred = np.empty(n, dtype=np.int64)
    mach_succ = np.empty(n, dtype=np.int64)
    head = np.zeros(n, dtype=np.int64)
    tail = np.zeros(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    indeg = np.empty(n, dtype=np.int64)
    path = np.empty(n, dtype=np.int64)
    cand_u = np.empty(n, dtype=np.int64)
    cand_v = np.empty(n, dtype=np.int64)
    machine_links(machine_offsets, seq, pos, mach_pred, mach_succ)
    cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred, mach_succ, head,
                      tail, order, indeg)
    if cur < best_makespan:
        best_makespan = cur
        best_seq[:] = seq
        since = 0
    steps = 0
    while steps < iterations:
        if best_makespan <= lower or (stall > 0 and since >= stall):
            break
        steps += 1
        length = _critical_path(op_duration, job_pred, mach_pred, head, path)
        count = _n5_moves(path, length, mach_pred, op_job, cand_u, cand_v, False)
        chosen = -1
        chosen_est = 0
        ties = 0
        for c in range(count):
            u = cand_u[c]
            v = cand_v[c]
            est = _estimate(u, v, op_release, op_duration, job_pred, job_succ, mach_pred,
                            mach_succ, head, tail)
            if est >= best_makespan:
                forbidden = False
                for e in range(cap):
                    if tabu_until[e] > it and tabu_u[e] == v and tabu_v[e] == u:
                        forbidden = True
                        break
                if forbidden:
                    continue
            if chosen < 0 or est < chosen_est:
                chosen = c
                chosen_est = est
                ties = 1
            elif est == chosen_est:
                ties += 1
                rng = lcg_next(rng)
                if rng % ties == 0:
                    chosen = c
        if chosen < 0 and count > 0:
            rng = lcg_next(rng)
            chosen = rng % count  # every move is tabu: take any
        if chosen >= 0:
            u = cand_u[chosen]
            v = cand_v[chosen]
            _swap(u, v, seq, pos, mach_pred, mach_succ)
            cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred, mach_succ,
                              head, tail, order, indeg)
            if cur < 0:  # cannot happen with positive durations; undo to stay acyclic
                _swap(v, u, seq, pos, mach_pred, mach_succ)
                cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred,
                                  mach_succ, head, tail, order, indeg)
            rng = lcg_next(rng)
            slot = it % cap
            tabu_u[slot] = u
            tabu_v[slot] = v
            tabu_until[slot] = it + tenure_lo + rng % (tenure_hi - tenure_lo + 1)
        it += 1
        since += 1
        if cur < best_makespan:
            best_makespan = cur
            best_seq[:] = seq
            since = 0
        elif chosen < 0 or (restart > 0 and since % restart == 0):
            # Kick: back to the best schedule, then random swaps of adjacent critical operations.
            seq[:] = best_seq
            machine_links(machine_offsets, seq, pos, mach_pred, mach_succ)
            cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred, mach_succ,
                              head, tail, order, indeg)
            for _ in range(strength):
                length = _critical_path(op_duration, job_pred, mach_pred, head, path)
                count = _n5_moves(path, length, mach_pred, op_job, cand_u, cand_v, True)
                if count == 0:
                    break
                rng = lcg_next(rng)
                c = rng % count
                _swap(cand_u[c], cand_v[c], seq, pos, mach_pred, mach_succ)
                cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred,
                                  mach_succ, head, tail, order, indeg)
                if cur < 0:
                    _swap(cand_v[c], cand_u[c], seq, pos, mach_pred, mach_succ)
                    cur = heads_tails(job_pred, job_succ, op_release, op_duration, mach_pred,
                                      mach_succ, head, tail, order, indeg)
            for e in range(cap):
                tabu_until[e] = 0
            if cur < best_makespan:
                best_makespan = cur
                best_seq[:] = seq
                since = 0
    return best_makespan, since, rng, steps
