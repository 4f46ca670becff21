"""Numba kernels of the ``eplb`` method: EPLB's balanced packing and its replication step.

Arrays and ints in, arrays out, no state; ``@njit(cache=True)``, and the same results as plain
Python under ``NUMBA_DISABLE_JIT=1`` (the tests run both). The algorithm is DeepSeek EPLB's as
its README describes it (see :mod:`schedkit.heuristics.expert_placement.eplb` for the
tie-breaking that reproduces the README's plan).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["balanced_pack", "replicate", "warm_up"]


@njit(cache=True)
def balanced_pack(weights: np.ndarray, order: np.ndarray, packs: int, owner: np.ndarray,
                  owners: int) -> tuple[np.ndarray, np.ndarray]:
    """Balanced packing: the items, taken in ``order``, each go to the lightest pack that still
    has room (``len(weights) // packs`` items per pack; the lowest index among equally light
    packs).

    With ``owners > 0``, ``owner[i]`` in 0..owners-1 is the expert of item i and a pack that
    already holds it is passed over while another pack with room does not (the fix of EPLB
    issue #22); ``owners == 0`` is EPLB's packing, which ignores owners.

    Returns
    -------
    pack, rank : int64 (n,)
        The pack of each item and its position inside the pack.
    """
    n = weights.shape[0]
    cap = n // packs
    load = np.zeros(packs)
    count = np.zeros(packs, dtype=np.int64)
    pack = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    held = np.zeros((packs, max(owners, 1)), dtype=np.bool_)
    for k in range(n):
        i = order[k]
        e = owner[i] if owners > 0 else -1
        best = -1
        best_free = -1
        for p in range(packs):
            if count[p] >= cap:
                continue
            if best < 0 or load[p] < load[best]:
                best = p
            if e >= 0 and not held[p, e] and (best_free < 0 or load[p] < load[best_free]):
                best_free = p
        p = best_free if best_free >= 0 else best
        pack[i] = p
        rank[i] = count[p]
        count[p] += 1
        load[p] += weights[i]
        if e >= 0:
            held[p, e] = True
    return pack, rank


@njit(cache=True)
def replicate(weights: np.ndarray, slots: int, cap: int,
              canonical: bool) -> tuple[np.ndarray, np.ndarray]:
    """EPLB's replication: one replica per expert, then each further one to the expert with the
    largest load per replica.

    Ties go to the first expert, or with ``canonical`` to the larger total load first.
    ``cap > 0`` limits any expert's replicas (EPLB has no limit: ``cap = 0``).

    Returns
    -------
    phy2log : int64 (slots,)
        The expert of each physical replica: the originals 0..n-1 first, then the added ones
        in the order they were added.
    count : int64 (n,)
        Each expert's replicas.
    """
    n = weights.shape[0]
    count = np.ones(n, dtype=np.int64)
    phy = np.empty(slots, dtype=np.int64)
    for e in range(n):
        phy[e] = e
    for i in range(n, slots):
        best = -1
        best_per = 0.0
        for e in range(n):
            if cap > 0 and count[e] >= cap:
                continue
            per = weights[e] / count[e]
            if best < 0 or per > best_per or (canonical and per == best_per
                                              and weights[e] > weights[best]):
                best = e
                best_per = per
        phy[i] = best
        count[best] += 1
    return phy, count


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module."""
    w = np.array([3.0, 1.0, 2.0, 2.0])
    balanced_pack(w, np.arange(4), 2, np.zeros(4, dtype=np.int64), 0)
    balanced_pack(w, np.arange(4), 2, np.array([0, 1, 0, 1]), 2)
    replicate(w, 6, 0, False)
