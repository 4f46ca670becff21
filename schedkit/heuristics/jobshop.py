"""Job-shop dispatching heuristics over the Numba Giffler–Thompson kernel."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..instances import InputError, JobShop
from ..instances.evaluate import lower_bound, objective
from . import jobshop_tabu_kernels as TK
from .batches import run_in_batches
from .jobshop_kernels import RULES, gt_dispatch
from .kernels import LCG_MODULUS

__all__ = ["RULES", "MODES", "DEFAULT_ATC_K", "dispatch", "dispatch_best", "start_lists",
           "flat_starts", "tabu_search", "default_tenure"]

MODES = ("active", "nondelay")

#: Look-ahead of ATC. Vepsalainen & Morton (1987) found k between 1.5 and 4.5 best for job
#: shops with tight to loose due dates; 2 is the middle of what they recommend for tight ones.
DEFAULT_ATC_K = 2.0

_DUE_RULES = ("edd", "atc")


def start_lists(instance: JobShop, start: np.ndarray) -> list[list[int]]:
    """Flat start times → the solution's per-job lists."""
    off = instance.job_offsets
    return [start[off[j]:off[j + 1]].tolist() for j in range(instance.n_jobs)]


def dispatch(instance: JobShop, rule: str = "mwkr", mode: str = "active", *, seed: int = 0,
             atc_k: float = DEFAULT_ATC_K) -> dict[str, Any]:
    """A Giffler–Thompson schedule (active or non-delay) with one priority rule.

    Parameters
    ----------
    instance
        The job shop.
    rule
        One of :data:`RULES`: spt, lpt, mwkr, lwkr, mopnr, fifo, edd, atc, random (rules
        surveyed by Panwalkar & Iskander, Operations Research 25(1), 1977; ATC by Vepsalainen &
        Morton, Management Science 33(8), 1987).
    mode
        ``active`` (Giffler & Thompson 1960) or ``nondelay``.
    seed
        Seed of the ``random`` rule's priorities.
    atc_k
        Look-ahead parameter of ATC.

    Returns
    -------
    dict
        The solution ``{"start": [[…] per job]}``.
    """
    if rule not in RULES:
        raise InputError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})",
                         field="option rule")
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})",
                         field="option mode")
    if rule in _DUE_RULES and instance.due is None:
        raise InputError(f"rule {rule} needs due dates; {instance.name} has none",
                         field="option rule")
    due = instance.due if instance.due is not None else np.zeros(instance.n_jobs, np.int64)
    noise = np.random.default_rng(seed).random(instance.n_ops) if rule == "random" else \
        np.zeros(1)
    start = gt_dispatch(instance.job_offsets, instance.op_machine, instance.op_duration,
                        instance.release, due, instance.weight, instance.machines,
                        RULES[rule], mode == "nondelay", float(atc_k), noise)
    return {"start": start_lists(instance, start)}


def dispatch_best(instance: JobShop, *, seed: int = 0, random_runs: int = 10,
                  atc_k: float = DEFAULT_ATC_K) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every applicable rule in both modes (and seeded random rules); keep the best.

    Returns
    -------
    solution, stats
        The best solution for the instance's objective, and per-rule objectives.
    """
    tried: dict[str, float] = {}
    best: tuple[float, dict[str, Any]] | None = None
    rules = [r for r in RULES if r != "random" and (instance.due is not None
                                                     or r not in _DUE_RULES)]
    runs = [(r, m, seed) for r in rules for m in MODES]
    runs += [("random", m, seed + i) for i in range(random_runs) for m in MODES]
    for rule, mode, s in runs:
        sol = dispatch(instance, rule, mode, seed=s, atc_k=atc_k)
        value = objective(instance, sol)
        label = f"{rule}/{mode}" + (f"/{s}" if rule == "random" else "")
        tried[label] = value
        if best is None or value < best[0]:
            best = (value, sol)
    assert best is not None
    winner = min(tried, key=tried.get)
    return best[1], {"best_rule": winner, "rule_objectives": tried}


def flat_starts(solution: dict[str, Any]) -> np.ndarray:
    """The per-job start lists of a solution, flat in operation order (inverse of
    :func:`start_lists`)."""
    return np.concatenate([np.asarray(r, dtype=np.int64) for r in solution["start"]])


#: Iterations without a new best before ``tabu_search`` kicks from its best schedule.
DEFAULT_RESTART = 20_000


def default_tenure(instance: JobShop) -> tuple[int, int]:
    """Tabu tenure range: L = 10 + n/m to 1.5 L (after Taillard, ORSA J. Computing 6(2), 1994)."""
    lo = 10 + instance.n_jobs // instance.machines
    return lo, lo + lo // 2


def tabu_search(
    instance: JobShop,
    initial: dict[str, Any] | None = None,
    *,
    time_limit: float | None = None,
    iterations: int | None = None,
    seed: int = 0,
    restart: int = 0,
    strength: int = 4,
    stall: int = 0,
    tenure: tuple[int, int] | None = None,
) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """Tabu search on the N5 neighbourhood for the makespan (:mod:`.jobshop_tabu_kernels`).

    Parameters
    ----------
    instance
        A job shop (the objective is taken to be the makespan).
    initial
        A feasible solution to start from; by default the best dispatching schedule.
    time_limit, iterations
        Wall-clock seconds and iteration limit (at least one must be given).
    seed
        Seed of tie-breaking, tenures and kicks: the same seed and iteration limit give the
        same result; a time limit makes it depend on speed.
    restart
        Iterations without a new best before a kick from the best schedule (0: 20 000; kicks
        much more often than that made gaps worse on ta01–ta41 in our trials).
    strength
        Random critical swaps per kick.
    stall
        Stop after this many iterations without a new best (0: never).
    tenure
        (low, high) tabu tenure; default :func:`default_tenure`.

    Returns
    -------
    solution, makespan, stats
    """
    if time_limit is None and iterations is None:
        raise ValueError("tabu_search needs a time limit or an iteration limit")
    t0 = time.perf_counter()
    if initial is None:
        initial, _ = dispatch_best(instance, seed=seed)
    start = flat_starts(initial)
    dur = instance.op_duration
    n_ops = instance.n_ops
    off = instance.job_offsets
    op_job = np.repeat(np.arange(instance.n_jobs, dtype=np.int64), np.diff(off))
    idx = np.arange(n_ops, dtype=np.int64)
    first = np.zeros(n_ops, dtype=bool)
    first[off[:-1]] = True
    last = np.zeros(n_ops, dtype=bool)
    last[off[1:] - 1] = True
    job_pred = np.where(first, -1, idx - 1)
    job_succ = np.where(last, -1, idx + 1)
    op_release = instance.release[op_job]
    counts = np.bincount(instance.op_machine, minlength=instance.machines)
    machine_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    # Machine sequences in start order; a zero-length operation goes before one it starts with.
    seq = np.lexsort((start + dur, start, instance.op_machine)).astype(np.int64)
    best_seq = seq.copy()
    lo, hi = default_tenure(instance) if tenure is None else tenure
    cap = hi + 1
    tabu_u = np.full(cap, -1, dtype=np.int64)
    tabu_v = np.full(cap, -1, dtype=np.int64)
    tabu_until = np.zeros(cap, dtype=np.int64)
    restart = restart or DEFAULT_RESTART
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
    initial_ms = int(objective(instance, initial))
    best_ms = _semi_active(seq)[0]
    args = (job_pred, job_succ, op_job, op_release, dur, machine_offsets)
    state = {"best": best_ms, "since": 0, "rng": rng}

    def step(done: int, todo: int) -> tuple[int, float]:
        best, since, state["rng"], steps = TK.tabu_run(
            *args, seq, best_seq, state["best"], tabu_u, tabu_v, tabu_until, done, todo,
            state["since"], restart, strength, stall, lower, lo, hi, state["rng"])
        state["best"], state["since"] = int(best), int(since)
        return int(steps), state["best"]

    run = run_in_batches(step, best_ms, started=t0, time_limit=time_limit,
                         iterations=iterations, first_batch=16, max_batch=4096)
    best_ms = state["best"]
    stopped = run.stopped
    if stopped == "kernel":
        stopped = "reached the lower bound" if best_ms <= lower else \
            "no improvement for the stall limit"
    ms, head = _semi_active(best_seq)
    if ms != best_ms:
        raise RuntimeError(f"tabu search lost track of its best makespan ({ms} != {best_ms})")
    stats = {"iterations": run.iterations, "initial_makespan": initial_ms,
             "time_to_best_s": round(run.time_to_best_s, 6), "stopped": stopped,
             "tenure": [lo, hi], "restart": restart}
    return {"start": start_lists(instance, head)}, int(ms), stats
