"""``hetsp``: a fast planner of heterogeneous sequence parallelism (Numba).

It decides, for one global batch, the micro-batches, the degrees of the sequence-parallel groups
inside each (mixed degrees, as FlexSP's planner: Wang et al., "FlexSP: Accelerating Large
Language Model Training via Flexible Sequence Parallelism", ASPLOS 2025, arXiv:2412.01523) and
the sequence of each group, under FlexSP's cost model. It replaces FlexSP's per-micro-batch MILP
by three plain steps, each in :mod:`.planner_kernels`:

1. **Micro-batch count**: m from the fewest the memory allows (⌈Σ s / (N·C)⌉) to ``extra``
   more; each costs b1 more, but more micro-batches leave room to balance.
2. **Assignment to micro-batches**: longest first to the micro-batch with the smallest lower
   bound (LPT), FlexSP's sorted runs, or LPT on perturbed lengths (seeded starts).
3. **Groups inside a micro-batch**: the smallest time T for which best-fit decreasing —
   each sequence into the group with the least time to spare under T, else a new group of
   the smallest degree that holds it — fits into the N devices, by bisection on T
   (:func:`~.planner_kernels.level_time`).

A local search then moves a sequence of a micro-batch's slowest group to another micro-batch, or
swaps it with a shorter one, while the step time drops (:func:`~.planner_kernels._visit`). The
groups of each micro-batch of the best plan are finally polished by moves and swaps off the
slowest group and a larger degree for it where devices are free
(:func:`~.planner_kernels.polish_level`).
A start is one m, one assignment and its descent; an iteration of the stopping protocol is one
step of it (the assignment, or one visit of a micro-batch), so a time limit can stop the
planner inside a descent.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ...instances import InputError, SequenceParallel
from ...instances.sequence_parallel.evaluate import lower_bound
from ..search import Stop, StopReason, run_search
from . import planner_kernels as K
from .baselines import by_length, sequence_times, static_plan
from .split import fewest_parts, sequence_bounds

__all__ = ["hetsp_plan", "STARTS", "EXTRA", "MAX_MOVES", "SWAPS", "plan_arrays"]

#: Starts per micro-batch count by default (sorted runs, LPT, then perturbed LPT).
STARTS = 2
#: Micro-batch counts tried beyond the fewest the memory allows, by default.
EXTRA = 2
#: Swap partners per other micro-batch the descent tries, by default.
SWAPS = 3
#: Moves of the final polish of each micro-batch's groups at most (:func:`~.planner_kernels.
#: polish_level`).
POLISH_MOVES = 10_000
#: Moves of one descent at most, by default (a safeguard: descents end well before).
MAX_MOVES = 10_000


def plan_arrays(inst: SequenceParallel) -> dict[str, Any]:
    """The kernels' arrays of an instance: ``order`` (longest first, ties by index), ``tt``
    (K, D) seconds per degree, ``work`` and ``tmin`` over the degrees that hold each sequence
    (:func:`~.split.sequence_bounds`), ``degrees``, and the fewest micro-batches ``m_min``."""
    degrees = np.ascontiguousarray(inst.degrees, dtype=np.int64)
    tt = np.ascontiguousarray(np.stack([sequence_times(inst, int(d)) for d in degrees.tolist()],
                                       axis=1), dtype=np.float64)
    work, tmin = sequence_bounds(inst)
    return {"order": by_length(inst), "lengths": np.ascontiguousarray(inst.lengths,
                                                                     dtype=np.int64),
            "tt": tt, "work": work, "tmin": tmin, "degrees": degrees,
            "m_min": fewest_parts(inst)}


def _solution(inst: SequenceParallel, A: dict[str, Any], level_of: np.ndarray, m: int
              ) -> tuple[dict[str, Any], dict[int, int]]:
    """The schema's plan of an assignment to micro-batches, the groups of each from
    :func:`~.planner_kernels.level_time`; and how many groups of each degree."""
    Kn = level_of.size
    g_of, g_deg, g_tok, out_of, out_deg = (np.empty(Kn + 1, dtype=np.int64) for _ in range(5))
    g_time = np.empty(Kn + 1, dtype=np.float64)
    mbs: list[list[dict[str, Any]]] = []
    used: dict[int, int] = {}
    for level in range(m):
        members = np.ascontiguousarray(A["order"][level_of[A["order"]] == level])
        n = members.size
        if n == 0:
            continue
        _, G = K.level_time(members, n, A["tt"], A["work"], A["tmin"], A["lengths"],
                            A["degrees"], inst.memory_tokens, inst.devices, inst.cost.b1,
                            g_of, g_deg, g_time, g_tok, out_of, out_deg, np.inf, K.REL_TOL)
        K.polish_level(members, n, G, A["tt"], A["lengths"], A["degrees"], inst.memory_tokens,
                       inst.devices, inst.cost.b1, out_of, out_deg, POLISH_MOVES)
        groups: list[dict[str, Any]] = []
        first = 0
        for g in range(G):
            d = int(A["degrees"][out_deg[g]])
            seqs = sorted(int(members[i]) for i in range(n) if out_of[i] == g)
            groups.append({"devices": list(range(first, first + d)), "sequences": seqs})
            used[d] = used.get(d, 0) + 1
            first += d
        mbs.append(groups)
    return {"microbatches": mbs}, dict(sorted(used.items()))


def hetsp_plan(inst: SequenceParallel, *, seed: int = 0, starts: int = STARTS,
               extra: int = EXTRA, max_moves: int = MAX_MOVES, swaps: int = SWAPS,
               stop: Stop | None = None
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plan one global batch (module docstring).

    Parameters
    ----------
    inst
        The instance.
    seed
        Seeds the perturbed starts.
    starts
        Starts per micro-batch count (the first two are deterministic: sorted runs and LPT).
    extra
        Micro-batch counts tried beyond the fewest that fit the memory.
    max_moves
        Moves of one descent at most.
    swaps
        Swap partners the descent tries in each other micro-batch (0: moves only).
    stop
        Time / iteration limit; an iteration is one step: a start's assignment or one visit
        of a micro-batch by the local search (the first step always runs; a run stopped
        inside a descent keeps what the descent reached). ``None``: every start to its end.

    Returns
    -------
    solution, stats
        ``stats``: ``microbatches``, ``groups_by_degree``, ``iterations`` (steps run),
        ``starts`` (begun), ``stopped``.
    """
    for name, value, low in (("starts", starts, 1), ("extra", extra, 0), ("max_moves",
                                                                          max_moves, 0),
                             ("swaps", swaps, 0)):
        if int(value) < low:
            raise InputError(f"must be >= {low}, got {value}", field=f"option {name}")
    A = plan_arrays(inst)
    counts = int(extra) + 1
    total = int(starts) * counts
    bound = lower_bound(inst)
    Kn = inst.n_sequences
    m_max = A["m_min"] + counts - 1
    best_level_of = np.zeros(Kn, dtype=np.int64)
    best = np.array([np.inf, 0.0])
    st = np.zeros(6, dtype=np.int64)
    level_of = np.zeros(Kn, dtype=np.int64)
    T, W, tm = (np.zeros(m_max, dtype=np.float64) for _ in range(3))
    tok, head = (np.zeros(m_max, dtype=np.int64) for _ in range(2))
    nxt, prv, rank = (np.full(Kn, -1, dtype=np.int64) for _ in range(3))
    C, N, b1 = inst.memory_tokens, inst.devices, float(inst.cost.b1)

    def step(done: int, todo: int) -> tuple[int, float, int]:
        ran = K.plan_steps(A["order"], A["lengths"], A["tt"], A["work"], A["tmin"],
                           A["degrees"], C, N, b1, A["m_min"], counts, int(seed), total,
                           bound, int(max_moves), int(swaps), int(todo), st, level_of, T,
                           tok, W, tm, head, nxt, prv, rank, best_level_of, best)
        return int(ran), float(best[0]), 0

    # The first step (the first start's assignment) always runs.
    done, _, _ = step(0, 1)
    reason = StopReason.FINISHED
    if stop is None:
        done += step(done, 2**62)[0]
    else:
        run = run_search(lambda ran, todo: step(1 + ran, todo), float(best[0]),
                         dataclasses.replace(stop, iterations=None if stop.iterations is None
                                             else max(0, int(stop.iterations) - 1)))
        done += run.iterations
        reason = run.reason
    if reason == StopReason.LOWER_BOUND and st[0] >= total:
        reason = StopReason.FINISHED  # every start ran (the kernel stopped by itself)
    if st[4] == 1:
        # Stopped inside a descent: its assignment so far may be the best.
        m = int(st[1])
        reached = float(T[:m].sum())
        if reached < best[0]:
            best[:] = (reached, m)
            best_level_of[:] = level_of
    if best[0] <= bound * (1 + 1e-12) and reason == StopReason.FINISHED and st[0] < total:
        reason = StopReason.LOWER_BOUND
    if not np.isfinite(best[0]):
        # No start fitted the memory (tokens that pack badly into m_min + extra
        # micro-batches): FlexSP's static plan always fits (the model checks that the
        # largest degree holds every sequence).
        solution = static_plan(inst)
        return solution, {"microbatches": len(solution["microbatches"]),
                          "groups_by_degree": {str(int(inst.degrees[-1])):
                                               len(solution["microbatches"])},
                          "iterations": int(done), "starts": int(st[0]), "stopped": reason,
                          "fallback": "static (no start fitted the memory)"}
    solution, used = _solution(inst, A, best_level_of, int(best[1]))
    return solution, {"microbatches": len(solution["microbatches"]),
                      "groups_by_degree": {str(d): c for d, c in used.items()},
                      "iterations": int(done), "starts": int(st[0]) + int(st[4]),
                      "stopped": reason}
