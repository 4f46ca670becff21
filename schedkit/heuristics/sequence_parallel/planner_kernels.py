"""Numba kernels of the ``hetsp`` planner: sequence-parallel groups of mixed degrees inside a
micro-batch, and a local search that moves sequences between micro-batches.

Arrays and ints in, arrays out; no state. Every kernel also runs under ``NUMBA_DISABLE_JIT=1``.

Shared arguments: ``lengths`` int64 (K,) tokens; ``tt`` float64 (K, D) seconds of sequence k on
a group of degree ``degrees[j]`` without the group's b1; ``work`` float64 (K,) the least
device-seconds of k over the degrees that hold it (min_j degrees[j]·tt[k, j]); ``tmin``
float64 (K,) its least seconds over those degrees; ``C`` tokens per device; ``N`` devices;
``b1`` seconds every formed group pays. A *level* is one micro-batch; its members come sorted by
decreasing length.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import LCG_MODULUS, lcg_next

__all__ = ["pack_level", "level_time", "polish_level", "plan_steps", "REL_TOL"]

# Bisection on a micro-batch's time stops at this relative width during the search (the
# final plan is packed at REL_TOL).
_LS_TOL = 1e-4
#: Relative width of the final bisection.
REL_TOL = 1e-6
# At most this many bisection steps per level.
_BISECT = 40
# Homogeneous packings are tried with at most this many groups (wide groups only: best fit
# handles the narrow ones, and the cost grows with the group count).
_HOMOGENEOUS = 8
# Members of a slowest group tried from each end.
_CRIT = 3
# A move must gain at least this share of the step time.
_EPS = 1e-4


@njit(cache=True)
def pack_level(members: np.ndarray, n: int, T: float, tt: np.ndarray, lengths: np.ndarray,
               degrees: np.ndarray, C: int, N: int, b1: float, g_of: np.ndarray,
               g_deg: np.ndarray, g_time: np.ndarray, g_tok: np.ndarray) -> tuple[int, float]:
    """Groups of one micro-batch whose times stay within ``T``, by best-fit decreasing.

    Each sequence (longest first) joins the group it leaves with the least time to spare
    under ``T`` among those with memory for it (best fit, Johnson 1973, on time with the
    memory as a side constraint); when none has room it opens a group of the smallest allowed
    degree whose memory holds it and whose time stays within ``T`` — the fewest devices for
    it, since smaller groups pay less all-to-all per token.

    Returns
    -------
    groups, worst
        The number of groups and the largest group time, or (-1, inf) when the groups would
        need more than N devices (or no degree keeps the sequence within ``T``). ``g_of[i]``
        is the group of ``members[i]``; ``g_deg[g]`` the degree index, ``g_time[g]`` the
        time and ``g_tok[g]`` the tokens of group g.
    """
    G = 0
    devices = 0
    nd = degrees.size
    worst = 0.0
    for i in range(n):
        k = members[i]
        s = lengths[k]
        best = -1
        best_t = -1.0
        for g in range(G):
            j = g_deg[g]
            if g_tok[g] + s <= C * degrees[j]:
                t = g_time[g] + tt[k, j]
                # Least time to spare under T (also meaningful for T = inf).
                if t <= T and t > best_t:
                    best_t = t
                    best = g
        if best < 0:
            pick = -1
            for j in range(nd):
                if C * degrees[j] >= s and b1 + tt[k, j] <= T:
                    pick = j
                    break
            if pick < 0 or devices + degrees[pick] > N:
                return -1, np.inf
            best = G
            g_deg[G] = pick
            g_time[G] = b1
            g_tok[G] = 0
            G += 1
            devices += degrees[pick]
        g_of[i] = best
        g_tok[best] += s
        g_time[best] += tt[k, g_deg[best]]
        if g_time[best] > worst:
            worst = g_time[best]
    return G, worst


@njit(cache=True)
def level_time(members: np.ndarray, n: int, tt: np.ndarray, work: np.ndarray,
               tmin: np.ndarray, lengths: np.ndarray, degrees: np.ndarray, C: int, N: int,
               b1: float, g_of: np.ndarray, g_deg: np.ndarray, g_time: np.ndarray,
               g_tok: np.ndarray, out_of: np.ndarray, out_deg: np.ndarray,
               cutoff: float, tol: float) -> tuple[float, int]:
    """The time of one micro-batch: the smallest ``T`` for which :func:`pack_level` fits the
    members into N devices, by bisection between the micro-batch's lower bound
    (b1 + max(Σ work / N, max tmin)) and the best of a packing within ``cutoff`` (``inf``:
    without a time target) and one group of the largest degree, until the interval is
    narrower than ``tol`` times its top; then the homogeneous packings of every degree,
    if one is faster.

    Returns
    -------
    time, groups
        The time (inf when the members fit no packing within ``cutoff``, e.g. more than N·C
        tokens) and the number of groups of the best packing, written to ``out_of[:n]``
        (group of each member) and ``out_deg[:groups]`` (degree index of each group).
    """
    if n == 0:
        return 0.0, 0
    W = 0.0
    tm = 0.0
    tok = 0
    for i in range(n):
        k = members[i]
        W += work[k]
        if tmin[k] > tm:
            tm = tmin[k]
        tok += lengths[k]
    if tok > N * C:
        return np.inf, 0
    lo = b1 + max(W / N, tm)
    if lo >= cutoff:
        return np.inf, 0
    best_G = 0
    G, hi = pack_level(members, n, cutoff, tt, lengths, degrees, C, N, b1, g_of, g_deg,
                       g_time, g_tok)
    if G >= 0:
        best_G = G
        out_of[:n] = g_of[:n]
        out_deg[:G] = g_deg[:G]
    # One group of the largest degree: feasible whenever its memory holds the tokens.
    D = degrees.size - 1
    if tok <= C * degrees[D]:
        one = b1
        for i in range(n):
            one += tt[members[i], D]
        if one < hi and one < cutoff:
            hi = one
            best_G = 1
            out_of[:n] = 0
            out_deg[0] = D
    if hi < np.inf:
        for _ in range(_BISECT):
            if hi - lo <= tol * hi:
                break
            mid = 0.5 * (lo + hi)
            G, t = pack_level(members, n, mid, tt, lengths, degrees, C, N, b1, g_of, g_deg,
                              g_time, g_tok)
            if G >= 0:
                if t < hi:
                    hi = t
                    best_G = G
                    out_of[:n] = g_of[:n]
                    out_deg[:G] = g_deg[:G]
                else:
                    hi = mid if mid < hi else hi
            else:
                lo = mid
    # Homogeneous packings: N // d <= 8 groups of one degree d, the members (longest first) each
    # to the least-loaded group with memory for it (LPT, Graham 1969). They catch what best
    # fit misses when the memory is nearly full (a few long sequences on two or four wide
    # groups).
    for j in range(degrees.size):
        d = degrees[j]
        # More groups than members would stay empty (and overrun the scratch arrays).
        Gd = min(N // d, n)
        if Gd < 1 or N // d > _HOMOGENEOUS or C * d < lengths[members[0]] or \
                Gd * C * d < tok:
            continue
        g_time[:Gd] = b1
        g_tok[:Gd] = 0
        ok = True
        for i in range(n):
            k = members[i]
            pick = -1
            for g in range(Gd):
                if g_tok[g] + lengths[k] <= C * d and (pick < 0 or g_time[g] < g_time[pick]):
                    pick = g
            if pick < 0:
                ok = False
                break
            g_of[i] = pick
            g_time[pick] += tt[k, j]
            g_tok[pick] += lengths[k]
        if not ok:
            continue
        worst = 0.0
        for g in range(Gd):
            if g_tok[g] > 0 and g_time[g] > worst:
                worst = g_time[g]
        if worst < hi and worst < cutoff:
            hi = worst
            # Number the used groups 0, 1, … (empty ones are not formed).
            used = 0
            for g in range(Gd):
                if g_tok[g] > 0:
                    g_deg[g] = used
                    out_deg[used] = j
                    used += 1
            for i in range(n):
                out_of[i] = g_deg[g_of[i]]
            best_G = used
    if hi == np.inf:
        return np.inf, 0
    return hi, best_G


@njit(cache=True)
def polish_level(members: np.ndarray, n: int, G: int, tt: np.ndarray, lengths: np.ndarray,
                 degrees: np.ndarray, C: int, N: int, b1: float, out_of: np.ndarray,
                 out_deg: np.ndarray, max_moves: int) -> float:
    """Local search on the groups of one micro-batch (its time is its slowest group): a
    sequence of the slowest group moves to another group, or swaps with a sequence of
    another group, when both groups then end before the slowest did; the slowest group takes
    a larger allowed degree when free devices allow and it gets faster. The classic
    move/swap neighbourhood of makespan scheduling on unrelated machines (the groups), with
    the memory of each group as a side constraint.

    ``out_of[:n]`` / ``out_deg[:G]`` (as :func:`level_time` leaves them) are updated in
    place; returns the micro-batch's time.
    """
    gt = np.zeros(G, dtype=np.float64)
    gk = np.zeros(G, dtype=np.int64)
    used = 0
    for g in range(G):
        gt[g] = b1
        used += degrees[out_deg[g]]
    for i in range(n):
        g = out_of[i]
        gt[g] += tt[members[i], out_deg[g]]
        gk[g] += lengths[members[i]]
    for _ in range(max_moves):
        slow = int(np.argmax(gt))
        worst = gt[slow]
        done = False
        # A larger degree for the slowest group, if devices are free and it is faster.
        j0 = out_deg[slow]
        for j in range(j0 + 1, degrees.size):
            if used - degrees[j0] + degrees[j] > N:
                break
            t = b1
            for i in range(n):
                if out_of[i] == slow:
                    t += tt[members[i], j]
            if t < worst * (1.0 - 1e-12):
                used += degrees[j] - degrees[j0]
                out_deg[slow] = j
                gt[slow] = t
                done = True
                break
        if done:
            continue
        for i in range(n):
            if out_of[i] != slow:
                continue
            k = members[i]
            t_out = gt[slow] - tt[k, out_deg[slow]]
            for h in range(G):
                if h == slow:
                    continue
                jh = out_deg[h]
                if gk[h] + lengths[k] <= C * degrees[jh]:
                    t_in = gt[h] + tt[k, jh]
                    if t_in < worst * (1.0 - 1e-12):
                        out_of[i] = h
                        gt[slow] = t_out
                        gt[h] = t_in
                        gk[slow] -= lengths[k]
                        gk[h] += lengths[k]
                        done = True
                        break
                # Swap with a sequence q of h that costs h less than k would.
                for i2 in range(n):
                    if out_of[i2] != h:
                        continue
                    q = members[i2]
                    if gk[h] - lengths[q] + lengths[k] > C * degrees[jh] or \
                            gk[slow] - lengths[k] + lengths[q] > C * degrees[out_deg[slow]]:
                        continue
                    a = t_out + tt[q, out_deg[slow]]
                    b = gt[h] - tt[q, jh] + tt[k, jh]
                    if a < worst * (1.0 - 1e-12) and b < worst * (1.0 - 1e-12):
                        out_of[i] = h
                        out_of[i2] = slow
                        gt[slow] = a
                        gt[h] = b
                        gk[slow] += lengths[q] - lengths[k]
                        gk[h] += lengths[k] - lengths[q]
                        done = True
                        break
                if done:
                    break
            if done:
                break
        if not done:
            break
    return gt.max() if G > 0 else 0.0


@njit(cache=True)
def _gather(head: np.ndarray, nxt: np.ndarray, rank: np.ndarray, level: int, skip: int,
            add: int, out: np.ndarray) -> int:
    """Members of micro-batch ``level`` longest first, from the linked member lists of the
    descent (``head[level]``, ``nxt``: rank order), without sequence ``skip`` and with
    sequence ``add`` (-1: none), into ``out``; returns how many."""
    n = 0
    placed = add < 0
    k = head[level]
    while k >= 0:
        if not placed and rank[add] < rank[k]:
            out[n] = add
            n += 1
            placed = True
        if k != skip:
            out[n] = k
            n += 1
        k = nxt[k]
    if not placed:
        out[n] = add
        n += 1
    return n


@njit(cache=True)
def _unlink(head: np.ndarray, nxt: np.ndarray, prv: np.ndarray, level: int, k: int) -> None:
    if prv[k] >= 0:
        nxt[prv[k]] = nxt[k]
    else:
        head[level] = nxt[k]
    if nxt[k] >= 0:
        prv[nxt[k]] = prv[k]
    nxt[k] = -1
    prv[k] = -1


@njit(cache=True)
def _link(head: np.ndarray, nxt: np.ndarray, prv: np.ndarray, rank: np.ndarray, level: int,
          k: int) -> None:
    before = -1
    after = head[level]
    while after >= 0 and rank[after] < rank[k]:
        before = after
        after = nxt[after]
    prv[k] = before
    nxt[k] = after
    if before >= 0:
        nxt[before] = k
    else:
        head[level] = k
    if after >= 0:
        prv[after] = k


@njit(cache=True)
def _initial(order: np.ndarray, lengths: np.ndarray, work: np.ndarray, tmin: np.ndarray,
             m: int, strategy: int, state: int, C: int, N: int, b1: float,
             level_of: np.ndarray, noise: np.ndarray) -> int:
    """A first assignment of the sequences to m micro-batches; returns the LCG state, or -1
    when it does not fit the memory.

    strategy 0: longest first, each to the micro-batch with the smallest lower bound after it
    (LPT, Graham 1969) among those with memory; 1: contiguous runs of the sorted lengths with
    about equal tokens (FlexSP's sorted split); 2+: strategy 0 on lengths perturbed by ±25 %.
    """
    K = order.size
    cap = N * C
    tok = np.zeros(m, dtype=np.int64)
    W = np.zeros(m, dtype=np.float64)
    tm = np.zeros(m, dtype=np.float64)
    if strategy == 1:
        # Runs of about equal tokens (each within the memory when the batch fits m).
        total_t = 0
        for k in range(K):
            total_t += lengths[k]
        cum_t = 0
        level = 0
        for pos in range(K):
            k = order[pos]
            share = (cum_t + 0.5 * lengths[k]) / total_t
            if level < m - 1 and tok[level] > 0 and (tok[level] + lengths[k] > cap or
                                                     share > (level + 1) / m):
                level += 1
            if tok[level] + lengths[k] > cap:
                return -1
            level_of[k] = level
            tok[level] += lengths[k]
            cum_t += lengths[k]
        return state
    seq = order
    if strategy >= 2:
        for k in range(K):
            state = lcg_next(state)
            noise[k] = lengths[k] * (0.75 + 0.5 * (state / LCG_MODULUS))
        seq = np.argsort(-noise, kind="mergesort")
    for pos in range(K):
        k = seq[pos]
        best = -1
        best_est = np.inf
        for b in range(m):
            if tok[b] + lengths[k] <= cap:
                est = b1 + max((W[b] + work[k]) / N, max(tm[b], tmin[k]))
                if est < best_est:
                    best_est = est
                    best = b
        if best < 0:
            return -1
        level_of[k] = best
        tok[best] += lengths[k]
        W[best] += work[k]
        if tmin[k] > tm[best]:
            tm[best] = tmin[k]
    return state


@njit(cache=True)
def _setup(order: np.ndarray, lengths: np.ndarray, tt: np.ndarray, work: np.ndarray,
           tmin: np.ndarray, degrees: np.ndarray, C: int, N: int, b1: float, m: int,
           level_of: np.ndarray, T: np.ndarray, tok: np.ndarray, W: np.ndarray,
           tm: np.ndarray, head: np.ndarray, nxt: np.ndarray, prv: np.ndarray,
           rank: np.ndarray, members: np.ndarray, g_of: np.ndarray, g_deg: np.ndarray,
           g_time: np.ndarray, g_tok: np.ndarray, out_of: np.ndarray,
           out_deg: np.ndarray) -> None:
    """The descent's state of an assignment: tokens, work, largest ``tmin`` and time of each
    of the m micro-batches, and their members as linked lists in rank order (longest
    first)."""
    K = order.size
    tok[:m] = 0
    W[:m] = 0.0
    tm[:m] = 0.0
    head[:m] = -1
    tail = np.full(m, -1, dtype=np.int64)
    for pos in range(K):
        k = order[pos]
        rank[k] = pos
        a = level_of[k]
        tok[a] += lengths[k]
        W[a] += work[k]
        if tmin[k] > tm[a]:
            tm[a] = tmin[k]
        nxt[k] = -1
        prv[k] = tail[a]
        if tail[a] < 0:
            head[a] = k
        else:
            nxt[tail[a]] = k
        tail[a] = k
    for a in range(m):
        n = _gather(head, nxt, rank, a, -1, -1, members)
        T[a], _ = level_time(members, n, tt, work, tmin, lengths, degrees, C, N, b1, g_of,
                             g_deg, g_time, g_tok, out_of, out_deg, np.inf, _LS_TOL)


@njit(cache=True)
def _visit(a: int, m: int, swaps: int, lengths: np.ndarray, tt: np.ndarray,
           work: np.ndarray, tmin: np.ndarray, degrees: np.ndarray, C: int, N: int,
           b1: float, level_of: np.ndarray, T: np.ndarray, tok: np.ndarray, W: np.ndarray,
           tm: np.ndarray, head: np.ndarray, nxt: np.ndarray, prv: np.ndarray,
           rank: np.ndarray, members: np.ndarray, g_of: np.ndarray, g_deg: np.ndarray,
           g_time: np.ndarray, g_tok: np.ndarray, out_of: np.ndarray, out_deg: np.ndarray,
           crit: np.ndarray, cand: np.ndarray) -> bool:
    """One visit of micro-batch ``a`` by the local search: a sequence of its slowest group
    moves to the micro-batch where the step time drops most, or else swaps with one of the
    ``swaps`` longest shorter sequences of each other micro-batch. A candidate is packed at
    the time that would make it gain (:func:`level_time`'s cutoff) before it is timed.
    Returns whether a move was made (the state is updated)."""
    cap = N * C
    n = _gather(head, nxt, rank, a, -1, -1, members)
    if n == 0:
        return False
    _, G = level_time(members, n, tt, work, tmin, lengths, degrees, C, N, b1, g_of,
                      g_deg, g_time, g_tok, out_of, out_deg, np.inf, _LS_TOL)
    nall = 0
    if G == 0:
        # No packing fits (the members overflow the memory): any of them may leave.
        for i in range(n):
            cand[nall] = members[i]
            nall += 1
    else:
        # The slowest group of the best packing: only its members can speed a up.
        gt = np.zeros(G, dtype=np.float64)
        for i in range(n):
            gt[out_of[i]] += tt[members[i], out_deg[out_of[i]]]
        slow = int(np.argmax(gt))
        for i in range(n):
            if out_of[i] == slow:
                cand[nall] = members[i]
                nall += 1
    # The longest and shortest few (members come longest first): the longest gain most,
    # the shortest fit elsewhere most easily; the middle ones rarely differ.
    nc = 0
    for i in range(nall):
        if i < _CRIT or i >= nall - _CRIT:
            crit[nc] = cand[i]
            nc += 1
    for ic in range(nc):
        k = crit[ic]
        n2 = _gather(head, nxt, rank, a, k, -1, members)
        Ta, _ = level_time(members, n2, tt, work, tmin, lengths, degrees, C, N, b1,
                           g_of, g_deg, g_time, g_tok, out_of, out_deg, np.inf, _LS_TOL)
        gain = T[a] - Ta
        best_b = -1
        best_delta = -_EPS * T[a]
        best_Tb = 0.0
        if gain > _EPS * T[a]:
            for b in range(m):
                if b == a or tok[b] + lengths[k] > cap:
                    continue
                cut = T[b] + gain + best_delta
                if b1 + max((W[b] + work[k]) / N, max(tm[b], tmin[k])) >= cut:
                    continue
                n3 = _gather(head, nxt, rank, b, -1, k, members)
                Tb, _ = level_time(members, n3, tt, work, tmin, lengths, degrees, C,
                                   N, b1, g_of, g_deg, g_time, g_tok, out_of,
                                   out_deg, cut, _LS_TOL)
                delta = Tb - T[b] - gain
                if delta < best_delta:
                    best_delta = delta
                    best_b = b
                    best_Tb = Tb
        if best_b >= 0:
            _unlink(head, nxt, prv, a, k)
            _link(head, nxt, prv, rank, best_b, k)
            level_of[k] = best_b
            tok[a] -= lengths[k]
            tok[best_b] += lengths[k]
            W[a] -= work[k]
            W[best_b] += work[k]
            T[a] = Ta
            T[best_b] = best_Tb
            return True
        if swaps <= 0:
            continue
        # Swap with a shorter sequence of another micro-batch: the ``swaps`` longest
        # shorter ones of each (a swap of near lengths changes least elsewhere).
        nq = 0
        for b in range(m):
            if b == a:
                continue
            taken = 0
            q = head[b]
            while q >= 0 and taken < swaps:
                if lengths[q] < lengths[k] and tok[b] - lengths[q] + lengths[k] <= cap:
                    cand[nq] = q
                    nq += 1
                    taken += 1
                q = nxt[q]
        best_swap = -1
        best_delta = -_EPS * T[a]
        best_Ta = 0.0
        for iq in range(nq):
            q = cand[iq]
            b = level_of[q]
            # b gets k: it lasts at least k's own time and its work over N.
            lb_b = b1 + max((W[b] - work[q] + work[k]) / N, tmin[k])
            cut_a = T[a] + T[b] - lb_b + best_delta
            if b1 + (W[a] - work[k] + work[q]) / N >= cut_a:
                continue
            n3 = _gather(head, nxt, rank, a, k, q, members)
            Ta2, _ = level_time(members, n3, tt, work, tmin, lengths, degrees, C, N,
                                b1, g_of, g_deg, g_time, g_tok, out_of, out_deg,
                                cut_a, _LS_TOL)
            if Ta2 == np.inf:
                continue
            cut_b = T[a] + T[b] + best_delta - Ta2
            n4 = _gather(head, nxt, rank, b, q, k, members)
            Tb, _ = level_time(members, n4, tt, work, tmin, lengths, degrees, C, N,
                               b1, g_of, g_deg, g_time, g_tok, out_of, out_deg, cut_b, _LS_TOL)
            delta = Ta2 - T[a] + Tb - T[b]
            if delta < best_delta:
                best_delta = delta
                best_swap = q
                best_Ta = Ta2
                best_Tb = Tb
        if best_swap >= 0:
            q = best_swap
            b = level_of[q]
            _unlink(head, nxt, prv, a, k)
            _unlink(head, nxt, prv, b, q)
            _link(head, nxt, prv, rank, b, k)
            _link(head, nxt, prv, rank, a, q)
            level_of[k] = b
            level_of[q] = a
            tok[a] += lengths[q] - lengths[k]
            tok[b] += lengths[k] - lengths[q]
            W[a] += work[q] - work[k]
            W[b] += work[k] - work[q]
            T[a] = best_Ta
            T[b] = best_Tb
            return True
    return False


@njit(cache=True)
def plan_steps(order: np.ndarray, lengths: np.ndarray, tt: np.ndarray, work: np.ndarray,
               tmin: np.ndarray, degrees: np.ndarray, C: int, N: int, b1: float,
               m_min: int, counts: int, seed: int, starts: int, bound: float,
               max_moves: int, swaps: int, todo: int, st: np.ndarray, level_of: np.ndarray,
               T: np.ndarray, tok: np.ndarray, W: np.ndarray, tm: np.ndarray,
               head: np.ndarray, nxt: np.ndarray, prv: np.ndarray, rank: np.ndarray,
               best_level_of: np.ndarray, best: np.ndarray) -> int:
    """Up to ``todo`` steps of the planner; the state lives in the arrays passed in, so a run
    can stop between any two steps and resume (the result of a step count does not depend
    on how the steps are batched).

    A step is either the start of an assignment (:func:`_initial`, :func:`_setup`) or one
    visit of a micro-batch by the local search (:func:`_visit`). Start i uses m = m_min +
    i mod ``counts`` micro-batches and, by i // ``counts``, sorted runs (0), LPT (1), LPT on
    perturbed lengths (2+, seeded by ``seed`` and i). Its descent visits the micro-batches in
    turn from the slowest, each until no move of it gains, and ends when none of the m gains
    in a row (or after ``max_moves`` moves); the best assignment so far is then kept in
    ``best_level_of``, its step time in ``best[0]`` and its micro-batch count in ``best[1]``.

    ``st`` (int64): [start, m, micro-batch visited, visits without a gain, descending?,
    moves]. Returns the steps run: fewer than ``todo`` once every start has run or the best
    meets ``bound``.
    """
    K = order.size
    members = np.empty(K + 1, dtype=np.int64)
    g_of = np.empty(K + 1, dtype=np.int64)
    g_deg = np.empty(K + 1, dtype=np.int64)
    g_time = np.empty(K + 1, dtype=np.float64)
    g_tok = np.empty(K + 1, dtype=np.int64)
    out_of = np.empty(K + 1, dtype=np.int64)
    out_deg = np.empty(K + 1, dtype=np.int64)
    crit = np.empty(K + 1, dtype=np.int64)
    cand = np.empty(K + 1, dtype=np.int64)
    noise = np.empty(K, dtype=np.float64)
    done = 0
    while done < todo:
        if st[4] == 0:
            i = st[0]
            if i >= starts or best[0] <= bound * (1.0 + 1e-12):
                return done
            m = m_min + i % counts
            # Sorted runs first (the best single start on long-tail batches), then LPT,
            # then perturbed LPT.
            strategy = i // counts
            strategy = 1 if strategy == 0 else 0 if strategy == 1 else strategy
            state = (seed * 1000003 + i * 7919 + 12345) % (LCG_MODULUS - 1) + 1
            done += 1
            if _initial(order, lengths, work, tmin, m, strategy, state, C, N, b1, level_of,
                        noise) < 0:
                st[0] = i + 1
                continue
            _setup(order, lengths, tt, work, tmin, degrees, C, N, b1, m, level_of, T, tok,
                   W, tm, head, nxt, prv, rank, members, g_of, g_deg, g_time, g_tok, out_of,
                   out_deg)
            st[1] = m
            st[2] = np.argmax(T[:m])
            st[3] = 0
            st[4] = 1
            st[5] = 0
        else:
            m = st[1]
            a = st[2]
            done += 1
            if _visit(a, m, swaps, lengths, tt, work, tmin, degrees, C, N, b1, level_of, T,
                      tok, W, tm, head, nxt, prv, rank, members, g_of, g_deg, g_time, g_tok,
                      out_of, out_deg, crit, cand):
                st[3] = 0
                st[5] += 1
                # Keep the largest tmin of each micro-batch exact for the visit's filters.
                tm[:m] = 0.0
                for q in range(K):
                    if tmin[q] > tm[level_of[q]]:
                        tm[level_of[q]] = tmin[q]
            else:
                st[3] += 1
                st[2] = (a + 1) % m
        if st[4] == 1 and (st[3] >= st[1] or st[5] >= max_moves):
            m = st[1]
            total = 0.0
            for a in range(m):
                total += T[a]
            if total < best[0]:
                best[0] = total
                best[1] = m
                best_level_of[:] = level_of
            st[4] = 0
            st[0] += 1
    return done
