"""Job-shop dispatching heuristics over the Numba Giffler–Thompson kernel."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...instances import InputError, JobShop
from ...instances.evaluate import objective
from .dispatch_kernels import RULES, gt_dispatch

__all__ = ["RULES", "MODES", "DEFAULT_ATC_K", "dispatch", "dispatch_best", "start_lists",
           "flat_starts"]

MODES = ("active", "nondelay")

#: Look-ahead of ATC. Vepsalainen & Morton (1987) found k between 1.5 and 4.5 best for job
#: shops with tight to loose due dates; 2 is the middle of what they recommend for tight ones.
DEFAULT_ATC_K = 2.0

_DUE_RULES = ("edd", "atc")


def start_lists(instance: JobShop, start: np.ndarray) -> list[list[int]]:
    """Flat start times → the solution's per-job lists (of Python numbers, as
    ``ndarray.tolist`` makes them)."""
    width = instance.ops_per_job
    if width is not None:  # every job as long: one reshape, the lists built in C
        return start.reshape(instance.n_jobs, width).tolist()
    flat = start.tolist()
    off = instance.job_offsets.tolist()
    return [flat[a:b] for a, b in zip(off[:-1], off[1:], strict=True)]


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
                  atc_k: float = DEFAULT_ATC_K, deadline: float | None = None,
                  interrupt: Callable[[], bool] | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every applicable rule in both modes (and seeded random rules); keep the best.

    Parameters
    ----------
    instance
        The job shop.
    seed, random_runs
        Seed of the first random rule, and random-rule runs per mode (seeds ``seed + i``).
    atc_k
        Look-ahead of ATC.
    deadline
        A ``time.perf_counter()`` reading: after the first rule, no rule starts that would
        end past it (judged by the time the previous rule took).
    interrupt
        Asked before each rule after the first: true stops trying.

    Returns
    -------
    solution, stats
        The best solution for the instance's objective, and per-rule objectives; ``stopped``
        in the stats when the deadline or the interruption cut the list short.
    """
    tried: dict[str, float] = {}
    best: tuple[float, dict[str, Any]] | None = None
    rules = [r for r in RULES if r != "random" and (instance.due is not None
                                                     or r not in _DUE_RULES)]
    runs = [(r, m, seed) for r in rules for m in MODES]
    runs += [("random", m, seed + i) for i in range(random_runs) for m in MODES]
    stopped = ""
    last = 0.0
    for rule, mode, s in runs:
        if best is not None:
            if interrupt is not None and interrupt():
                stopped = "interrupted"
                break
            if deadline is not None and time.perf_counter() + last > deadline:
                stopped = "time limit"
                break
        t0 = time.perf_counter()
        sol = dispatch(instance, rule, mode, seed=s, atc_k=atc_k)
        value = objective(instance, sol)
        label = f"{rule}/{mode}" + (f"/{s}" if rule == "random" else "")
        tried[label] = value
        if best is None or value < best[0]:
            best = (value, sol)
        last = time.perf_counter() - t0
    assert best is not None
    winner = min(tried, key=lambda label: tried[label])
    stats: dict[str, Any] = {"best_rule": winner, "rule_objectives": tried}
    if stopped:
        stats["stopped"] = stopped
        stats["rules_tried"] = f"{len(tried)} of {len(runs)}"
    return best[1], stats


def flat_starts(solution: dict[str, Any]) -> np.ndarray:
    """The per-job start lists of a solution, flat in operation order (inverse of
    :func:`start_lists`)."""
    return np.concatenate([np.asarray(r, dtype=np.int64) for r in solution["start"]])
