"""Numba kernels of the ``balance`` planner for expert placement: replica apportionment,
distinct-GPU LPT placement, a local search off the heaviest GPU, multi-start, migration-aware
replanning under a changed-slot budget, and the traffic search of ``load_and_traffic``.

A layer's plan is a *slot row*: int64 (R,) with R = G·S, slot j on GPU j // S holds expert
``slot[j]`` (DeepSeek EPLB's ``phy2log`` layout). An expert's load splits evenly over its
replicas (EPLB's model), so the load of a replica of e is w_e / n_e with n_e its replica count.

Arrays and ints in, arrays out, no state; every kernel also runs under ``NUMBA_DISABLE_JIT=1``.
Sorting uses the stable merge sort so that ties fall the same way compiled and interpreted.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels import LCG_MODULUS, lcg_next

__all__ = ["apportion", "layer_bounds", "lpt_place", "slot_loads", "local_search", "plan_units",
           "migrate", "repair_row", "traffic_search", "traffic_kick", "traffic_value", "unit_state",
           "PERTURB", "TRADE_RANKS", "TRADE_EVALS"]

#: Relative size of the multiplicative noise on the LPT order of the perturbed starts.
PERTURB = 0.15
#: Weight, in the migration score, of the drop of the moved GPUs' maximum beside the drop of
#: the layer's maximum (which alone cannot see a first step out of a tie at the maximum).
MIGRATION_PAIR_WEIGHT = 0.3
#: Weight, in the migration score, of the drop of the layer's excess load over a level τ
#: (Σ_g max(0, load_g − τ) over the GPUs a move changes), τ = mean GPU load · (1 +
#: EXCESS_MARGIN): a move that drains a heavy GPU into a light one without pushing it over τ
#: keeps the light GPUs' room for later moves, and GPUs already near the mean are left alone.
#: Measured on 15 DeepSeek-V3 histories (3 skews × seeds 1–5, drift 0.3, the protocol of
#: ``benchmarks/expert_placement.py``) at a 10 % budget: 95.2–97.0 % of the unconstrained
#: balancedness gain kept, against 93.6–95.9 % without the excess term.
EXCESS_WEIGHT = 4.0
#: See EXCESS_WEIGHT (0.003 and 0.01 did slightly worse there).
EXCESS_MARGIN = 0.005
#: Donors and receivers ranked by the trade starts of :func:`plan_units`.
TRADE_RANKS = 6
#: Trades (each an LPT placement and a local search) of the trade start: this over the
#: number of experts, between 2 and TRADE_RANKS² (36 for 16 experts or fewer, 4 for 256).
TRADE_EVALS = 32 * TRADE_RANKS * TRADE_RANKS


@njit(cache=True)
def apportion(w: np.ndarray, R: int, G: int, theta: float) -> np.ndarray:
    """Replica counts n_e >= 1, Σ n_e = R, n_e <= G: each spare replica goes to the expert
    with the largest priority w_e / (n_e + theta) (ties to the lower id).

    With ``theta = 0`` (the load per replica) the greedy is optimal for min max_e w_e / n_e
    (while the maximum expert keeps the maximum, only a replica for it lowers the maximum); it
    is the replication step of DeepSeek EPLB's published policy. Other ``theta`` in (-1, 1]
    are the divisor methods of apportionment (Balinski & Young, "Fair Representation", 1982):
    negative values give the lighter experts more replicas, which can pack better when a GPU
    has few slots.
    """
    E = w.shape[0]
    cnt = np.ones(E, dtype=np.int64)
    for _ in range(R - E):
        best = -1
        bv = -1.0
        for e in range(E):
            if cnt[e] < G:
                v = w[e] / (cnt[e] + theta)
                if v > bv:
                    bv = v
                    best = e
        if best < 0:
            break
        cnt[best] += 1
    return cnt


@njit(cache=True)
def layer_bounds(W: np.ndarray, G: int, S: int) -> np.ndarray:
    """float64 (L,): per layer max(mean GPU load, largest replica load of the greedy
    apportionment) — the per-layer terms of ``evaluate.lower_bound`` (the heaviest GPU carries
    at least the mean and at least one replica)."""
    L = W.shape[0]
    out = np.empty(L)
    for layer in range(L):
        w = W[layer]
        cnt = apportion(w, G * S, G, 0.0)
        top = w.sum() / G
        for e in range(w.shape[0]):
            if w[e] / cnt[e] > top:
                top = w[e] / cnt[e]
        out[layer] = top
    return out


@njit(cache=True)
def lpt_place(w: np.ndarray, cnt: np.ndarray, G: int, S: int, key: np.ndarray) -> np.ndarray:
    """Place the replicas on G GPUs with S slots each, no GPU holding two replicas of one
    expert: experts in decreasing ``key`` (their per-replica load, perhaps perturbed), each
    replica to the lightest GPU with a free slot that does not hold the expert (Graham's LPT
    rule, 1969, with slot and distinctness constraints).

    When every GPU with a free slot already holds the expert, a replica x of another expert
    moves from a full GPU g without the expert to such a GPU h (h has fewer distinct experts
    than g, so g holds one that h lacks) and the expert takes x's slot on g: the placement
    never fails. Returns the slot row (R,).
    """
    E = w.shape[0]
    R = G * S
    slot = np.full(R, -1, dtype=np.int64)
    fill = np.zeros(G, dtype=np.int64)
    gl = np.zeros(G)
    # has[e, g] (expert-major: one expert's row is scanned at a time) and the GPUs that still
    # have a free slot, so that the scan shrinks as GPUs fill up.
    has = np.zeros((E, G), dtype=np.uint8)
    open_gpus = np.arange(G)
    n_open = G
    order = np.argsort(-key, kind="mergesort")
    for idx in range(E):
        e = order[idx]
        pe = w[e] / cnt[e]
        for _ in range(cnt[e]):
            g = -1
            at = -1
            for o in range(n_open):
                h = open_gpus[o]
                if has[e, h] == 0 and (g < 0 or gl[h] < gl[g] or (gl[h] == gl[g] and h < g)):
                    g = h
                    at = o
            if g < 0:
                # Repair (see the docstring): h has a free slot and holds e; g is full
                # without e; some x on g is not on h.
                at = 0
                h = open_gpus[0]
                g = 0
                while has[e, g] != 0:
                    g += 1
                for j in range(g * S, g * S + S):
                    x = slot[j]
                    if has[x, h] == 0:
                        px = w[x] / cnt[x]
                        slot[h * S + fill[h]] = x
                        fill[h] += 1
                        has[x, h] = 1
                        gl[h] += px
                        has[x, g] = 0
                        gl[g] -= px
                        slot[j] = e
                        has[e, g] = 1
                        gl[g] += pe
                        break
                if fill[h] == S:
                    n_open -= 1
                    open_gpus[at] = open_gpus[n_open]
                    open_gpus[n_open] = h
                continue
            slot[g * S + fill[g]] = e
            fill[g] += 1
            has[e, g] = 1
            gl[g] += pe
            if fill[g] == S:
                n_open -= 1
                open_gpus[at] = open_gpus[n_open]
                open_gpus[n_open] = g
    return slot


@njit(cache=True)
def slot_loads(w: np.ndarray, slot: np.ndarray, G: int, S: int) -> np.ndarray:
    """float64 (G,): each GPU's load for the slot row ``slot`` (replica counts from it)."""
    cnt = np.zeros(w.shape[0], dtype=np.int64)
    for j in range(slot.shape[0]):
        cnt[slot[j]] += 1
    gl = np.zeros(G)
    for j in range(slot.shape[0]):
        gl[j // S] += w[slot[j]] / cnt[slot[j]]
    return gl


@njit(cache=True)
def _argmax(x: np.ndarray) -> int:
    b = 0
    for i in range(1, x.shape[0]):
        if x[i] > x[b]:
            b = i
    return b


@njit(cache=True)
def _best_swap(pr: np.ndarray, gl: np.ndarray, slot: np.ndarray, has: np.ndarray,
               old: np.ndarray, G: int, S: int, gmax: int, remaining: int, migr: bool,
               eps: float) -> tuple[float, int, int, int]:
    """The best swap of a replica on ``gmax`` with one of another expert on another GPU whose
    two GPUs both end strictly below the current maximum; (score, slot i, slot j, Δ changed
    slots), i = -1 when none. Score: the drop of the pair's maximum, per changed slot
    (Δ <= 0 counts as half a slot) in migration mode."""
    top = gl[gmax]
    best = 0.0
    bi = -1
    bj = -1
    bd = 0
    # GPUs from the lightest: a swap with h gains at most room/2 (its score in migration
    # mode is bounded likewise), so the scan stops once the best found beats that for the
    # next GPU.
    order = np.argsort(gl, kind="mergesort")
    tau = gl.sum() / G * (1.0 + EXCESS_MARGIN)
    # The two heaviest GPUs besides gmax: what the layer's maximum falls to at best.
    s1 = -np.inf
    s2 = -np.inf
    g1 = -1
    for g in range(G):
        if g != gmax:
            if gl[g] > s1:
                s2 = s1
                s1 = gl[g]
                g1 = g
            elif gl[g] > s2:
                s2 = gl[g]
    for oi in range(G):
        h = order[oi]
        if h == gmax:
            continue
        room = top - gl[h]
        if room <= eps:
            break
        # (Migration: drop <= room/2, excess <= room, pair gain <= room/2, over >= 1/2 slot.)
        if best >= ((1.0 + 2.0 * EXCESS_WEIGHT + MIGRATION_PAIR_WEIGHT) * room if migr
                    else 0.5 * room):
            break
        for i in range(gmax * S, gmax * S + S):
            a = slot[i]
            pa = pr[a]
            if pa <= eps or has[h, a] != 0:
                continue
            for j in range(h * S, h * S + S):
                b = slot[j]
                d = pa - pr[b]
                if d <= eps or d >= room - eps or has[gmax, b] != 0:
                    continue
                gain = min(d, room - d)
                delta = 0
                if migr:
                    delta = (int(old[gmax, a]) - int(old[gmax, b])
                             + int(old[h, b]) - int(old[h, a]))
                    if delta > remaining:
                        continue
                    # What the budget buys is the drop of the layer's maximum; the pair's
                    # drop counts a little so that ties at the maximum can be broken up.
                    rest = s2 if h == g1 else s1
                    drop = top - max(rest, top - gain)
                    excess = (max(0.0, top - tau) + max(0.0, gl[h] - tau)
                              - max(0.0, top - d - tau) - max(0.0, gl[h] + d - tau))
                    gain = (drop + EXCESS_WEIGHT * excess + MIGRATION_PAIR_WEIGHT * gain) \
                        / max(delta, 0.5)
                if gain > best:
                    best = gain
                    bi = i
                    bj = j
                    bd = delta
    return best, bi, bj, bd


@njit(cache=True)
def _count_move_max(w: np.ndarray, cnt: np.ndarray, pr: np.ndarray, gl: np.ndarray,
                    has: np.ndarray, G: int, a: int, c: int, h1: int
                    ) -> tuple[float, float, float]:
    """Largest load among the GPUs a count move changes (expert c gives its replica on h1 to
    expert a: all GPUs of a and of c, and h1), and the layer's largest load after it."""
    pa = w[a] / (cnt[a] + 1)
    pc = w[c] / (cnt[c] - 1)
    da = pa - pr[a]
    dc = pc - pr[c]
    m = gl[h1] - pr[c] + pa
    overall = m
    tau = gl.sum() / G * (1.0 + EXCESS_MARGIN)
    excess = max(0.0, gl[h1] - tau) - max(0.0, m - tau)
    for g in range(G):
        if g == h1:
            continue
        v = gl[g]
        hit = False
        if has[g, a] != 0:
            v += da
            hit = True
        if has[g, c] != 0:
            v += dc
            hit = True
        if hit and v > m:
            m = v
        if hit:
            excess += max(0.0, gl[g] - tau) - max(0.0, v - tau)
        if v > overall:
            overall = v
    return m, overall, excess


@njit(cache=True)
def _best_count_move(w: np.ndarray, cnt: np.ndarray, pr: np.ndarray, gl: np.ndarray,
                     slot: np.ndarray, has: np.ndarray, old: np.ndarray, G: int, S: int,
                     gmax: int, remaining: int, migr: bool,
                     eps: float) -> tuple[float, int, int, int]:
    """The best change of replica counts: an expert c with several replicas gives the slot of
    one of them (slot p, on GPU h1) to an expert a (no replica on h1) — either a is on the
    heaviest GPU (all its GPUs get lighter) or h1 is the heaviest GPU. Every GPU it changes
    must end strictly below the current maximum. Returns (score, slot p, a, Δ changed slots),
    p = -1 when none; the score is as in the swaps."""
    E = w.shape[0]
    top = gl[gmax]
    best = 0.0
    bp = -1
    ba = -1
    bd = 0
    R = slot.shape[0]
    for p in range(R):
        c = slot[p]
        if cnt[c] < 2:
            continue
        h1 = p // S
        ncand = S
        a1 = -1
        a2 = -1
        if h1 == gmax:
            # Removing c from the heaviest GPU: the cheapest newcomer is best for h1 (a's
            # other GPUs only get lighter); in migration mode also the cheapest one that
            # used to be on h1, which costs no changed slot.
            av1 = 0.0
            av2 = 0.0
            for x in range(E):
                if x != c and has[h1, x] == 0 and cnt[x] < G:
                    v = w[x] / (cnt[x] + 1)
                    if a1 < 0 or v < av1:
                        a1 = x
                        av1 = v
                    if migr and old[h1, x] != 0 and (a2 < 0 or v < av2):
                        a2 = x
                        av2 = v
            if a1 < 0 or top - pr[c] + av1 >= top - eps:
                continue
            ncand = 1 if a2 < 0 or a2 == a1 else 2
        for q in range(ncand):
            if h1 == gmax:
                a = a1 if q == 0 else a2
                if top - pr[c] + w[a] / (cnt[a] + 1) >= top - eps:
                    continue
            else:
                a = slot[gmax * S + q]
                if a == c or has[h1, a] != 0 or cnt[a] >= G:
                    continue
                pa_new = w[a] / (cnt[a] + 1)
                if pa_new >= pr[a] - eps:
                    continue
                if gl[h1] - pr[c] + pa_new >= top - eps:
                    continue
            m, overall, excess = _count_move_max(w, cnt, pr, gl, has, G, a, c, h1)
            if m >= top - eps:
                continue
            gain = top - m
            delta = 0
            if migr:
                delta = int(old[h1, c]) - int(old[h1, a])
                if delta > remaining:
                    continue
                gain = (top - overall + EXCESS_WEIGHT * excess
                        + MIGRATION_PAIR_WEIGHT * gain) / max(delta, 0.5)
            if gain > best:
                best = gain
                bp = p
                ba = a
                bd = delta
    return best, bp, ba, bd


@njit(cache=True)
def _layer_state(w: np.ndarray, slot: np.ndarray, G: int, S: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Replica counts, per-replica loads, GPU loads and the GPU × expert incidence."""
    E = w.shape[0]
    cnt = np.zeros(E, dtype=np.int64)
    for j in range(slot.shape[0]):
        cnt[slot[j]] += 1
    pr = np.zeros(E)
    for e in range(E):
        if cnt[e] > 0:
            pr[e] = w[e] / cnt[e]
    gl = np.zeros(G)
    has = np.zeros((G, E), dtype=np.uint8)
    for j in range(slot.shape[0]):
        gl[j // S] += pr[slot[j]]
        has[j // S, slot[j]] = 1
    return cnt, pr, gl, has


@njit(cache=True)
def _apply_swap(slot: np.ndarray, has: np.ndarray, gl: np.ndarray, pr: np.ndarray, S: int,
                i: int, j: int) -> None:
    a = slot[i]
    b = slot[j]
    gi = i // S
    gj = j // S
    slot[i] = b
    slot[j] = a
    has[gi, a] = 0
    has[gj, b] = 0
    has[gi, b] = 1
    has[gj, a] = 1
    d = pr[a] - pr[b]
    gl[gi] -= d
    gl[gj] += d


@njit(cache=True)
def _apply_count(w: np.ndarray, cnt: np.ndarray, pr: np.ndarray, gl: np.ndarray,
                 slot: np.ndarray, has: np.ndarray, G: int, S: int, p: int, a: int) -> None:
    c = slot[p]
    h1 = p // S
    pa = w[a] / (cnt[a] + 1)
    pc = w[c] / (cnt[c] - 1)
    da = pa - pr[a]
    dc = pc - pr[c]
    for g in range(G):
        if g == h1:
            continue
        if has[g, a] != 0:
            gl[g] += da
        if has[g, c] != 0:
            gl[g] += dc
    gl[h1] += pa - pr[c]
    has[h1, c] = 0
    has[h1, a] = 1
    slot[p] = a
    cnt[a] += 1
    cnt[c] -= 1
    pr[a] = pa
    pr[c] = pc


@njit(cache=True)
def local_search(w: np.ndarray, slot: np.ndarray, G: int, S: int, counts: bool,
                 max_moves: int, stop_at: float) -> tuple[float, int]:
    """Improve the slot row ``slot`` in place until no move lowers the heaviest GPU.

    Best improvement over the swaps of a replica on the heaviest GPU with a replica of another
    expert on another GPU (distinctness kept, both GPUs end strictly below the maximum, so the
    sorted load vector falls lexicographically and the search ends); when none is left and
    ``counts``, the best change of replica counts (:func:`_best_count_move`). At most
    ``max_moves`` moves, and none once the heaviest GPU is at most ``stop_at`` (a lower bound
    within the tolerance). Returns (largest GPU load, moves made).
    """
    cnt, pr, gl, has = _layer_state(w, slot, G, S)
    eps = 1e-12 * max(w.sum(), 1e-300)
    old = np.zeros((1, 1), dtype=np.uint8)
    moves = 0
    while moves < max_moves:
        gmax = _argmax(gl)
        if gl[gmax] <= stop_at:
            break
        score, i, j, _ = _best_swap(pr, gl, slot, has, old, G, S, gmax, 0, False, eps)
        if i >= 0:
            _apply_swap(slot, has, gl, pr, S, i, j)
            moves += 1
            continue
        if not counts:
            break
        score, p, a, _ = _best_count_move(w, cnt, pr, gl, slot, has, old, G, S, gmax, 0,
                                          False, eps)
        if p < 0:
            break
        _apply_count(w, cnt, pr, gl, slot, has, G, S, p, a)
        moves += 1
    return gl.max(), moves


@njit(cache=True)
def unit_state(seed: int, layer: int, start: int) -> int:
    """The LCG state of one (layer, start) unit: a function of the three numbers only, so
    that results do not depend on how the units are batched."""
    x = (seed * 1000003 + layer * 7919 + start * 104729 + 12345) % (LCG_MODULUS - 1)
    x = lcg_next(x + 1)
    return lcg_next(x)


@njit(cache=True)
def _trade_pair(w: np.ndarray, cnt: np.ndarray, G: int, t: int) -> tuple[int, int]:
    """The t-th (donor, receiver) pair of the trade grid, or (-1, -1): donors (n >= 2) by
    increasing w / (n − 1) (cheapest to lose a replica), receivers (n < G) by decreasing
    w / n, pairs by increasing sum of ranks."""
    E = w.shape[0]
    dkey = np.full(E, np.inf)
    rkey = np.full(E, np.inf)
    nd = 0
    nr = 0
    for e in range(E):
        if cnt[e] >= 2:
            dkey[e] = w[e] / (cnt[e] - 1)
            nd += 1
        if cnt[e] < G:
            rkey[e] = -w[e] / cnt[e]
            nr += 1
    if nd == 0 or nr == 0:
        return -1, -1
    donors = np.argsort(dkey, kind="mergesort")[:min(nd, TRADE_RANKS)]
    receivers = np.argsort(rkey, kind="mergesort")[:min(nr, TRADE_RANKS)]
    seen = 0
    for total in range(donors.shape[0] + receivers.shape[0] - 1):
        for di in range(donors.shape[0]):
            ri = total - di
            if ri < 0 or ri >= receivers.shape[0]:
                continue
            if donors[di] == receivers[ri]:
                continue
            if seen == t:
                return donors[di], receivers[ri]
            seen += 1
    return -1, -1


@njit(cache=True)
def plan_units(W: np.ndarray, G: int, S: int, seed: int, u_from: int, u_to: int,
               inits: np.ndarray, valid: np.ndarray, best: np.ndarray, best_max: np.ndarray,
               lb: np.ndarray, tol: float, max_moves: int) -> tuple[int, int]:
    """Run the units ``u_from .. u_to - 1`` of the multi-start; unit u is start k = u // L of
    layer u % L. Every start is a construction improved by :func:`local_search`:

    * k = 0: the LPT placement of the greedy (min-max) apportionment, and every row of
      ``inits`` (K, L, R; K may be 0) where ``valid`` (K, L) is nonzero;
    * k = 1: the LPT placement of the divisor apportionment with theta = -1/2;
    * k = 2: a *trade search* — an outer local search over the replica counts: the layer's
      best row gives one replica of a donor to a receiver (the pairs of :func:`_trade_pair`
      on the best row's counts), then LPT and local search, kept when better; first
      improvement until a whole grid brings nothing or TRADE_EVALS / E trades (2 to 36);
    * k >= 3: an LPT placement whose expert order is perturbed by the unit's LCG stream
      (multiplicative noise ±PERTURB on the per-replica loads), the apportionment's theta
      drawn from {0, -1/4, -1/2, -3/4}.

    A layer whose best is within ``tol`` (relative) of its lower bound ``lb`` skips its
    remaining starts, whose searches also stop there; those of start 0 swap on to a local
    optimum, and add the replica-count moves only when that is not within ``tol``. ``best``
    (L, R) and ``best_max`` (L,) hold the best row of each layer and its largest GPU load
    (start 0 sets them). Returns (units run, moves made).
    """
    L, E = W.shape
    R = G * S
    moves = 0
    key = np.empty(E)
    for u in range(u_from, u_to):
        layer = u % L
        k = u // L
        w = W[layer]
        stop_at = lb[layer] * (1.0 + tol)
        if k > 0 and best_max[layer] <= stop_at:
            continue
        if k == 2:
            # Trade search: first improvement over the trade grid of the best row, again
            # after each improvement, at most trade_cap trades (each a construction and a
            # search, so fewer for many experts, where the count moves of the local search
            # do most of this work).
            trade_cap = min(TRADE_RANKS * TRADE_RANKS, max(2, TRADE_EVALS // E))
            offset = 0
            t = 0
            since = 0
            evals = 0
            while evals < trade_cap and best_max[layer] > stop_at:
                cnt = np.zeros(E, dtype=np.int64)
                for j in range(R):
                    cnt[best[layer, j]] += 1
                c, a = _trade_pair(w, cnt, G, (offset + t) % (TRADE_RANKS * TRADE_RANKS))
                t += 1
                since += 1
                if c >= 0:
                    evals += 1
                    cnt[c] -= 1
                    cnt[a] += 1
                    for e in range(E):
                        key[e] = w[e] / cnt[e]
                    row = lpt_place(w, cnt, G, S, key)
                    value, m = local_search(w, row, G, S, True, max_moves, stop_at)
                    moves += m
                    if value < best_max[layer]:
                        best_max[layer] = value
                        best[layer] = row
                        since = 0
                if since >= TRADE_RANKS * TRADE_RANKS:
                    break
            continue
        else:
            theta = 0.0
            state = unit_state(seed, layer, k)
            if k == 1:
                theta = -0.5
            elif k > 1:
                state = lcg_next(state)
                theta = -0.25 * (state % 4)
            cnt = apportion(w, R, G, theta)
            for e in range(E):
                key[e] = w[e] / cnt[e]
            if k > 1:
                for e in range(E):
                    state = lcg_next(state)
                    key[e] *= 1.0 + PERTURB * (2.0 * state / LCG_MODULUS - 1.0)
        row = lpt_place(w, cnt, G, S, key)
        if k == 0:
            # The first start swaps to its local optimum (down to the bound itself): it is
            # the plan of every layer, and a tolerance there would leave easy gains behind;
            # the costlier count moves only when that is not within the tolerance.
            value, m = local_search(w, row, G, S, False, max_moves, lb[layer])
            moves += m
            if value > stop_at:
                value, m = local_search(w, row, G, S, True, max_moves, lb[layer])
                moves += m
        else:
            value, m = local_search(w, row, G, S, True, max_moves, stop_at)
            moves += m
        if k == 0 or value < best_max[layer]:
            best_max[layer] = value
            best[layer] = row
        if k == 0:
            for r in range(inits.shape[0]):
                if valid[r, layer] == 0:
                    continue
                row = inits[r, layer].copy()
                value, m = local_search(w, row, G, S, False, max_moves, lb[layer])
                moves += m
                if value > stop_at:
                    value, m = local_search(w, row, G, S, True, max_moves, lb[layer])
                    moves += m
                if value < best_max[layer]:
                    best_max[layer] = value
                    best[layer] = row
    return u_to - u_from, moves


# -- migration-aware replanning ------------------------------------------------------------------
@njit(cache=True)
def _old_incidence(prev_row: np.ndarray, G: int, S: int, E: int) -> np.ndarray:
    old = np.zeros((G, E), dtype=np.uint8)
    for j in range(prev_row.shape[0]):
        old[j // S, prev_row[j]] = 1
    return old


@njit(cache=True)
def _changed(slot: np.ndarray, old: np.ndarray, G: int, S: int) -> int:
    """S − |experts on g before ∩ after| summed over the GPUs (``evaluate.changed_slots``)."""
    kept = 0
    for j in range(slot.shape[0]):
        if old[j // S, slot[j]] != 0:
            kept += 1
    return G * S - kept


@njit(cache=True)
def _best_move(w: np.ndarray, cnt: np.ndarray, pr: np.ndarray, gl: np.ndarray,
               slot: np.ndarray, has: np.ndarray, old: np.ndarray, G: int, S: int,
               remaining: int) -> tuple[float, int, int, int, int]:
    """Best migration move of one layer: (score, kind 0 swap / 1 count, x, y, Δ), kind -1
    when none fits ``remaining`` changed slots."""
    eps = 1e-12 * max(w.sum(), 1e-300)
    gmax = _argmax(gl)
    s1, i, j, d1 = _best_swap(pr, gl, slot, has, old, G, S, gmax, remaining, True, eps)
    s2, p, a, d2 = _best_count_move(w, cnt, pr, gl, slot, has, old, G, S, gmax, remaining,
                                    True, eps)
    # Across layers, a drop δ of the maximum M raises the layer's balancedness (mean / M) by
    # about mean·δ / M²: that is what the scores compare.
    top = gl[gmax]
    scale = (w.sum() / G) / (top * top) if top > 0 else 0.0
    if p >= 0 and (i < 0 or s2 > s1):
        return s2 * scale, 1, p, a, d2
    if i >= 0:
        return s1 * scale, 0, i, j, d1
    return 0.0, -1, 0, 0, 0


@njit(cache=True)
def repair_row(w: np.ndarray, row: np.ndarray, G: int, S: int) -> int:
    """Make a deployed slot row feasible in place: a second replica of an expert on one GPU
    (EPLB issue #22) and a replica of an expert that has several stand in for an expert
    with none. A duplicate's slot goes to a missing expert if there is one that the GPU
    lacks, else to the expert with the largest load per replica that the GPU lacks; then
    each missing expert takes the slot of a replica of the expert with the most replicas on
    a GPU without it. Returns the slots changed (each is a changed slot of the plan)."""
    E = w.shape[0]
    R = row.shape[0]
    cnt = np.zeros(E, dtype=np.int64)
    for j in range(R):
        cnt[row[j]] += 1
    has = np.zeros((G, E), dtype=np.int64)
    for j in range(R):
        has[j // S, row[j]] += 1
    fixed = 0
    for j in range(R):
        g = j // S
        e = row[j]
        if has[g, e] < 2:
            continue
        y = -1
        for x in range(E):
            if cnt[x] == 0 and has[g, x] == 0:
                y = x
                break
        if y < 0:
            bv = -1.0
            for x in range(E):
                if has[g, x] == 0 and cnt[x] < G and w[x] / (cnt[x] + 1) > bv:
                    bv = w[x] / (cnt[x] + 1)
                    y = x
        has[g, e] -= 1
        cnt[e] -= 1
        row[j] = y
        has[g, y] += 1
        cnt[y] += 1
        fixed += 1
    for y in range(E):
        if cnt[y] > 0:
            continue
        bj = -1
        for j in range(R):
            c = row[j]
            if cnt[c] >= 2 and has[j // S, y] == 0 and (bj < 0 or cnt[c] > cnt[row[bj]]):
                bj = j
        c = row[bj]
        has[bj // S, c] -= 1
        cnt[c] -= 1
        row[bj] = y
        has[bj // S, y] += 1
        cnt[y] += 1
        fixed += 1
    return fixed


@njit(cache=True)
def migrate(W: np.ndarray, prev: np.ndarray, G: int, S: int, max_slots: int, max_layers: int,
            max_moves: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Improve the deployed plan ``prev`` (L, R) within a migration budget.

    One global greedy: every layer keeps its best next move (a swap or a change of replica
    counts off its heaviest GPU, as in :func:`local_search`) scored per changed slot it costs
    by the drop of the layer's maximum, of its excess over the mean (EXCESS_WEIGHT) and of
    the moved GPUs' maximum (MIGRATION_PAIR_WEIGHT), scaled to balancedness (mean / max GPU
    load) units; the best-scoring move over all layers is
    made, as long as the total changed slots stay within ``max_slots`` and the layers with a
    changed slot within ``max_layers`` (so the budget goes where it buys the most, and a
    move that returns an expert to its old GPU refunds its slot). Negative budgets mean
    none. An infeasible deployed layer is first repaired (:func:`repair_row`), even beyond
    the budget. Returns (plan (L, R), changed slots per layer (L,), moves).
    """
    L, E = W.shape
    plan = prev.copy()
    changed = np.zeros(L, dtype=np.int64)
    score = np.zeros(L)
    kind = np.full(L, -1, dtype=np.int64)
    mx = np.zeros(L, dtype=np.int64)
    my = np.zeros(L, dtype=np.int64)
    md = np.zeros(L, dtype=np.int64)
    olds = np.zeros((L, G, E), dtype=np.uint8)
    hass = np.zeros((L, G, E), dtype=np.uint8)
    cnts = np.zeros((L, E), dtype=np.int64)
    prs = np.zeros((L, E))
    gls = np.zeros((L, G))
    total = 0
    touched = 0
    slots_cap = max_slots if max_slots >= 0 else L * G * S
    layers_cap = max_layers if max_layers >= 0 else L
    for layer in range(L):
        olds[layer] = _old_incidence(prev[layer], G, S, E)
        # A deployed plan with two replicas of an expert on a GPU, or an expert missing, is
        # repaired first, whatever the budget (no feasible plan keeps it).
        if repair_row(W[layer], plan[layer], G, S) > 0:
            changed[layer] = _changed(plan[layer], olds[layer], G, S)
            total += changed[layer]
            if changed[layer] > 0:
                touched += 1
        cnt, pr, gl, has = _layer_state(W[layer], plan[layer], G, S)
        cnts[layer] = cnt
        prs[layer] = pr
        gls[layer] = gl
        hass[layer] = has
    for layer in range(L):
        score[layer], kind[layer], mx[layer], my[layer], md[layer] = _best_move(
            W[layer], cnts[layer], prs[layer], gls[layer], plan[layer], hass[layer],
            olds[layer], G, S, slots_cap - total)
    moves = 0
    while moves < max_moves:
        pick = -1
        for layer in range(L):
            if kind[layer] < 0:
                continue
            if changed[layer] == 0 and touched >= layers_cap:
                continue
            if pick < 0 or score[layer] > score[pick]:
                pick = layer
        if pick < 0:
            break
        if total + md[pick] > slots_cap:
            # The cached move no longer fits the budget left: look again within it.
            score[pick], kind[pick], mx[pick], my[pick], md[pick] = _best_move(
                W[pick], cnts[pick], prs[pick], gls[pick], plan[pick], hass[pick],
                olds[pick], G, S, slots_cap - total)
            continue
        row = plan[pick]
        if kind[pick] == 0:
            _apply_swap(row, hass[pick], gls[pick], prs[pick], S, mx[pick], my[pick])
        else:
            _apply_count(W[pick], cnts[pick], prs[pick], gls[pick], row, hass[pick], G, S,
                         mx[pick], my[pick])
        was = changed[pick]
        changed[pick] = _changed(row, olds[pick], G, S)
        total += changed[pick] - was
        if was == 0 and changed[pick] > 0:
            touched += 1
        elif was > 0 and changed[pick] == 0:
            touched -= 1
        moves += 1
        score[pick], kind[pick], mx[pick], my[pick], md[pick] = _best_move(
            W[pick], cnts[pick], prs[pick], gls[pick], row, hass[pick], olds[pick], G, S,
            slots_cap - total)
    return plan, changed, moves


# -- traffic (load_and_traffic) -----------------------------------------------------------------
@njit(cache=True)
def traffic_value(W: np.ndarray, T: np.ndarray, hop: np.ndarray, plan: np.ndarray, G: int,
                  S: int, per_token: float) -> float:
    """per_token · Σ_l max GPU load + Σ_l Σ traffic · mean hop between the replicas (the
    evaluator's ``load_and_traffic``), for a plan (L, R) of slot rows."""
    L, E = W.shape
    R = G * S
    cnt = np.zeros((L, E), dtype=np.int64)
    for layer in range(L):
        for j in range(R):
            cnt[layer, plan[layer, j]] += 1
    total = 0.0
    for layer in range(L):
        total += per_token * slot_loads(W[layer], plan[layer], G, S).max()
    for layer in range(L - 1):
        for s in range(R):
            e = plan[layer, s]
            for t in range(R):
                f = plan[layer + 1, t]
                v = T[layer, e, f]
                if v != 0.0:
                    total += v / (cnt[layer, e] * cnt[layer + 1, f]) * hop[s // S, t // S]
    return total


@njit(cache=True)
def _swap_traffic_delta(T: np.ndarray, hop: np.ndarray, plan: np.ndarray, cnt: np.ndarray,
                        S: int, layer: int, i: int, j: int) -> float:
    """Change of the traffic term when slots i and j of ``layer`` swap their experts."""
    L = plan.shape[0]
    R = plan.shape[1]
    a = plan[layer, i]
    b = plan[layer, j]
    gi = i // S
    gj = j // S
    d = 0.0
    if layer + 1 < L:
        for t in range(R):
            f = plan[layer + 1, t]
            gt = t // S
            dh = hop[gj, gt] - hop[gi, gt]
            if dh != 0.0:
                # a moves gi -> gj, b moves gj -> gi
                d += (T[layer, a, f] / cnt[layer, a] - T[layer, b, f] / cnt[layer, b]) \
                    * dh / cnt[layer + 1, f]
    if layer > 0:
        for t in range(R):
            f = plan[layer - 1, t]
            gt = t // S
            dh = hop[gt, gj] - hop[gt, gi]
            if dh != 0.0:
                d += (T[layer - 1, f, a] / cnt[layer, a] - T[layer - 1, f, b] / cnt[layer, b]) \
                    * dh / cnt[layer - 1, f]
    return d


@njit(cache=True)
def traffic_kick(plan: np.ndarray, G: int, S: int, kicks: int, state: int) -> int:
    """``kicks`` random swaps of two replicas of different experts on different GPUs (in a
    random layer, distinctness kept) in place — the perturbation of the iterated local search
    of the traffic mode (Lourenço, Martin & Stützle, "Iterated Local Search", 2003). Returns
    the LCG state."""
    L, R = plan.shape
    if G < 2:
        return state
    done = 0
    tries = 0
    while done < kicks and tries < 20 * kicks:
        tries += 1
        state = lcg_next(state)
        layer = state % L
        state = lcg_next(state)
        i = state % R
        state = lcg_next(state)
        j = state % R
        gi = i // S
        gj = j // S
        a = plan[layer, i]
        b = plan[layer, j]
        if gi == gj or a == b:
            continue
        clash = False
        for t in range(gj * S, gj * S + S):
            if plan[layer, t] == a:
                clash = True
        for t in range(gi * S, gi * S + S):
            if plan[layer, t] == b:
                clash = True
        if clash:
            continue
        plan[layer, i] = b
        plan[layer, j] = a
        done += 1
    return state


@njit(cache=True)
def traffic_search(W: np.ndarray, T: np.ndarray, hop: np.ndarray, plan: np.ndarray, G: int,
                   S: int, per_token: float, max_passes: int) -> tuple[int, int]:
    """First-improvement swaps of two replicas of different experts on different GPUs, layer
    by layer, for per_token · max load + traffic · hop (MoETuner's and ExFlow's goal, as a
    local search instead of their ILP); ``plan`` (L, R) improves in place, replica counts
    stay. Passes over all slot pairs until one changes nothing or ``max_passes``. Returns
    (passes, swaps)."""
    L, E = W.shape
    R = G * S
    cnt = np.zeros((L, E), dtype=np.int64)
    for layer in range(L):
        for j in range(R):
            cnt[layer, plan[layer, j]] += 1
    gls = np.zeros((L, G))
    has = np.zeros((L, G, E), dtype=np.uint8)
    for layer in range(L):
        gls[layer] = slot_loads(W[layer], plan[layer], G, S)
        for j in range(R):
            has[layer, j // S, plan[layer, j]] = 1
    eps = 1e-12 * max(W.sum() * max(per_token, 1.0) + T.sum() * max(hop.max(), 1.0), 1e-300)
    swaps = 0
    passes = 0
    while passes < max_passes:
        passes += 1
        improved = False
        for layer in range(L):
            gl = gls[layer]
            for i in range(R):
                for j in range(i + 1, R):
                    gi = i // S
                    gj = j // S
                    if gi == gj:
                        continue
                    a = plan[layer, i]
                    b = plan[layer, j]
                    if a == b or has[layer, gj, a] != 0 or has[layer, gi, b] != 0:
                        continue
                    d = W[layer, a] / cnt[layer, a] - W[layer, b] / cnt[layer, b]
                    old_max = gl.max()
                    ni = gl[gi] - d
                    nj = gl[gj] + d
                    new_max = max(ni, nj)
                    for g in range(G):
                        if g != gi and g != gj and gl[g] > new_max:
                            new_max = gl[g]
                    delta = per_token * (new_max - old_max) + _swap_traffic_delta(
                        T, hop, plan, cnt, S, layer, i, j)
                    if delta < -eps:
                        plan[layer, i] = b
                        plan[layer, j] = a
                        has[layer, gi, a] = 0
                        has[layer, gj, b] = 0
                        has[layer, gi, b] = 1
                        has[layer, gj, a] = 1
                        gl[gi] = ni
                        gl[gj] = nj
                        swaps += 1
                        improved = True
        if not improved:
            break
    return passes, swaps
