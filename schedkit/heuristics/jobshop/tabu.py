"""Tabu search for the job-shop makespan (N5 neighbourhood), run in batches under the stopping
protocol of :mod:`schedkit.heuristics.search`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...instances import JobShop
from ...instances.evaluate import lower_bound, objective
from ..kernels import LCG_MODULUS
from ..search import Stop, run_search
from . import tabu_kernels as TK
from .dispatch import dispatch_best, flat_starts, start_lists

__all__ = ["DEFAULT_RESTART", "GraphArrays", "default_tenure", "graph_arrays",
           "machine_sequences", "tabu_improve", "tabu_search"]


#: Iterations without a new best before ``tabu_search`` kicks from its best schedule.
DEFAULT_RESTART = 20_000


@dataclass(frozen=True)
class GraphArrays:
    """The disjunctive graph's fixed arrays (operation order): each operation's job, its route
    predecessor and successor (-1: none), its job's release, and where each machine's block
    starts in a machine sequence (operations grouped by machine)."""

    op_job: np.ndarray
    job_pred: np.ndarray
    job_succ: np.ndarray
    op_release: np.ndarray
    machine_offsets: np.ndarray


def graph_arrays(instance: JobShop) -> GraphArrays:
    """:class:`GraphArrays` of ``instance``."""
    n_ops = instance.n_ops
    off = instance.job_offsets
    op_job = np.repeat(np.arange(instance.n_jobs, dtype=np.int64), np.diff(off))
    idx = np.arange(n_ops, dtype=np.int64)
    first = np.zeros(n_ops, dtype=bool)
    first[off[:-1]] = True
    last = np.zeros(n_ops, dtype=bool)
    last[off[1:] - 1] = True
    counts = np.bincount(instance.op_machine, minlength=instance.machines)
    return GraphArrays(op_job, np.where(first, -1, idx - 1), np.where(last, -1, idx + 1),
                       instance.release[op_job],
                       np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))


def machine_sequences(instance: JobShop, start: np.ndarray) -> np.ndarray:
    """The machine sequences of flat start times, grouped by machine, in start order; a
    zero-length operation goes before one it starts with."""
    return np.lexsort((start + instance.op_duration, start,
                       instance.op_machine)).astype(np.int64)


def default_tenure(instance: JobShop) -> tuple[int, int]:
    """Tabu tenure range: L = 10 + n/m to 1.5 L (after Taillard, ORSA J. Computing 6(2), 1994)."""
    lo = 10 + instance.n_jobs // instance.machines
    return lo, lo + lo // 2


def tabu_search(
    instance: JobShop,
    initial: dict[str, Any] | None,
    stop: Stop,
    *,
    seed: int = 0,
    restart: int = DEFAULT_RESTART,
    strength: int = 4,
    tenure: tuple[int, int] | None = None,
) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """Tabu search on the N5 neighbourhood for the makespan (:mod:`.tabu_kernels`).

    Parameters
    ----------
    instance
        A job shop (the objective is taken to be the makespan).
    initial
        A feasible solution to start from; ``None``: the best dispatching schedule.
    stop
        When to stop (:class:`~schedkit.heuristics.search.Stop`: time limit, iteration limit,
        ``stall`` iterations without a new best); the search also stops at the lower bound.
    seed
        Seed of tie-breaking, tenures and kicks: the same seed and iteration limit give the
        same result; a time limit makes it depend on speed.
    restart
        Every this many iterations without a new best, a kick from the best schedule (0:
        never; kicks much more often than the default made gaps worse on ta01–ta41 in our
        trials).
    strength
        Random critical swaps per kick.
    tenure
        (low, high) tabu tenure; default :func:`default_tenure`.

    Returns
    -------
    solution, makespan, stats
        ``stats["stopped"]`` is the :class:`~schedkit.heuristics.search.StopReason`.
    """
    if initial is None:
        initial, _ = dispatch_best(instance, seed=seed)
    head, ms, stats = tabu_improve(instance, flat_starts(initial), stop, seed=seed,
                                   restart=restart, strength=strength, tenure=tenure)
    stats["initial_makespan"] = int(objective(instance, initial))
    return {"start": start_lists(instance, head)}, ms, stats


def tabu_improve(
    instance: JobShop,
    start: np.ndarray,
    stop: Stop,
    *,
    seed: int = 0,
    restart: int = DEFAULT_RESTART,
    strength: int = 4,
    tenure: tuple[int, int] | None = None,
) -> tuple[np.ndarray, int, dict[str, Any]]:
    """:func:`tabu_search` on flat start times (operation order), for callers that keep
    schedules as arrays (the ALNS polish): the machine sequences of ``start`` are searched
    and the best one's semi-active start times are returned, with its makespan and the
    stats (no ``initial_makespan``)."""
    start = np.asarray(start, dtype=np.int64)
    dur = instance.op_duration
    n_ops = instance.n_ops
    g = graph_arrays(instance)
    op_job, job_pred, job_succ, op_release, machine_offsets = (
        g.op_job, g.job_pred, g.job_succ, g.op_release, g.machine_offsets)
    seq = machine_sequences(instance, start)
    best_seq = seq.copy()
    lo, hi = default_tenure(instance) if tenure is None else tenure
    cap = hi + 1
    tabu_u = np.full(cap, -1, dtype=np.int64)
    tabu_v = np.full(cap, -1, dtype=np.int64)
    tabu_until = np.zeros(cap, dtype=np.int64)
    lower = int(np.ceil(lower_bound(instance)))
    rng = 1 + (int(seed) * 2654435761 + 12345) % (LCG_MODULUS - 1)

    def _semi_active(order: np.ndarray) -> tuple[int, np.ndarray]:
        """Makespan and heads (start times) of the semi-active schedule of ``order``."""
        pos, mach_pred, mach_succ, head, tail, work, indeg = (
            np.zeros(n_ops, dtype=np.int64) for _ in range(7))
        TK.machine_links(machine_offsets, order, pos, mach_pred, mach_succ)
        value = TK.heads_tails(job_pred, job_succ, op_release, dur, mach_pred, mach_succ, head,
                               tail, work, indeg)
        return int(value), head

    # The start's own value may be above its semi-active one (idle time); the search starts
    # from the latter. Decoding here also loads the decoding kernels inside the time budget.
    best_ms = _semi_active(seq)[0]
    args = (job_pred, job_succ, op_job, op_release, dur, machine_offsets)
    state = {"best": best_ms, "since": 0, "rng": rng}

    def step(done: int, todo: int) -> tuple[int, float, int]:
        best, since, state["rng"], steps = TK.tabu_run(
            *args, seq, best_seq, state["best"], tabu_u, tabu_v, tabu_until, done, todo,
            state["since"], restart, strength, stop.stall, lower, lo, hi, state["rng"])
        state["best"], state["since"] = int(best), int(since)
        return int(steps), state["best"], state["since"]

    run = run_search(step, best_ms, stop, first_batch=16, max_batch=4096)
    best_ms = state["best"]
    ms, head = _semi_active(best_seq)
    if ms != best_ms:
        raise RuntimeError(f"tabu search lost track of its best makespan ({ms} != {best_ms})")
    stats = {"iterations": run.iterations, "time_to_best_s": round(run.time_to_best_s, 6),
             "stopped": run.reason, "tenure": [lo, hi], "restart": restart}
    return head, int(ms), stats
