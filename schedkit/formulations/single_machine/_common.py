"""What the single-machine models share: the horizon and the dominance relations."""

from __future__ import annotations

import numpy as np

from ...instances import SingleMachine

__all__ = ["horizon", "precedence_pairs"]


def horizon(inst: SingleMachine) -> int:
    """Latest completion time worth modelling: ``max r + Σ p``.

    Every objective is regular, so some optimal schedule is semi-active (no job can start
    earlier without changing the order), and a semi-active schedule has no idle time after the
    last release date.
    """
    return int(inst.release.max() + inst.processing.sum())


def precedence_pairs(inst: SingleMachine) -> list[tuple[int, int]]:
    """Pairs (i, j) such that some optimal schedule has i before j, for every pair at once.

    Returned as a transitive reduction (pairs implied by two others are left out). Only without
    release dates (with them the interchange arguments fail). Ties between
    identical jobs are broken by index, which keeps the relation acyclic.

    - total (weighted) tardiness: p_i ≤ p_j, d_i ≤ d_j and w_i ≥ w_j (Emmons 1969; weighted form
      in Rinnooy Kan, Lageweg & Lenstra 1975), weights ignored for ΣTj;
    - maximum lateness: d_i ≤ d_j (Jackson 1955);
    - total weighted completion: p_i·w_j ≤ p_j·w_i (Smith 1956);
    - weighted number of tardy jobs: none (a tardy job may go anywhere after the on-time ones).
    """
    if np.any(inst.release != inst.release[0]):
        return []
    p, d, w = (a.astype(np.int64)[:, None] for a in (inst.processing, inst.due, inst.weight))
    pt, dt, wt = p.T, d.T, w.T  # row i, column j
    obj = inst.objective
    if obj in ("total_weighted_tardiness", "total_tardiness"):
        if obj == "total_tardiness":
            w = wt = np.ones_like(w)
        le = (p <= pt) & (d <= dt) & (w >= wt)
        same = (p == pt) & (d == dt) & (w == wt)
    elif obj == "max_lateness":
        le, same = d <= dt, d == dt
    elif obj == "total_weighted_completion":
        both_zero = (w == 0) & (wt == 0)  # two worthless jobs: no information
        le = (p * wt <= pt * w) & ~both_zero
        same = (p * wt == pt * w) & ~both_zero
    else:
        return []
    n = inst.n_jobs
    index = np.arange(n)
    keep = le & (~same | (index[:, None] < index[None, :]))
    np.fill_diagonal(keep, False)
    # Transitive reduction: i → j is implied when i → k → j for some k. Dropping implied pairs
    # (or any pair) keeps the constraints valid and the models small.
    via = (keep.astype(np.int32) @ keep.astype(np.int32)) > 0
    keep &= ~via
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
