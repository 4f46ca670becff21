"""Adapter of ``ls`` on one machine: iterated local search from the best rule (or a given start),
and the warm start the exact single-machine methods take their hints from."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics import single_machine as H
from ...instances import Instance, SingleMachine
from ...instances.evaluate import evaluate, lower_bound
from ..registry import Outcome, RunContext
from .single_machine_rules import heuristic_outcome

__all__ = ["run", "warm_start", "hint_seconds", "default_iterations", "default_stall"]



def default_iterations(n: int) -> int:
    """Iterations of ``ls`` when the run has neither a time limit nor an ``iterations`` option:
    1000 at n = 40, fewer for larger n (a descent costs about n² move evaluations)."""
    return max(50, 40000 // max(n, 1))

_SAFETY_S = 0.01  # left for building the result after the search


def _initial_sequence(inst: SingleMachine, ctx: RunContext, init: str) -> tuple[str, np.ndarray]:
    """The given solution if it is feasible, else the chosen rule (``best``: the best rule)."""
    if ctx.initial is not None and evaluate(inst, ctx.initial).feasible:
        return "initial", np.asarray(ctx.initial["sequence"], dtype=np.int64)
    if init == "best":
        name, seq, _ = H.best_rule(inst)
        return name, seq
    return init, H.rule_sequence(inst, init)


def default_stall(n: int) -> int:
    """Iterations without a new best after which ``ls`` stops (option ``stall`` = -1)."""
    return max(2000, 50 * n)


def hint_seconds(ctx: RunContext) -> float:
    """Seconds of local search for an exact method's warm start (option ``hint_time``; -1:
    10 % of the time limit, at most 2 s, or 0.5 s without a limit)."""
    chosen = ctx.options["hint_time"]
    if chosen >= 0:
        return chosen
    return 0.5 if ctx.time_limit is None else min(2.0, 0.1 * ctx.time_limit)


def warm_start(inst: SingleMachine, ctx: RunContext, seconds: float) -> tuple[np.ndarray, float,
                                                                              dict[str, Any]]:
    """A good schedule for hints: the best rule, improved by ``seconds`` of local search."""
    source, seq = _initial_sequence(inst, ctx, "best")
    stats: dict[str, Any] = {"hint_from": source}
    if seconds > 0:
        n = inst.n_jobs
        seq, value, ls_stats = H.local_search(
            inst, seq, time_limit=seconds, iterations=default_iterations(n),
            stall=default_stall(n), seed=ctx.seed)
        stats["hint_from"] = f"{source}+ls"
        stats["hint_ls_iterations"] = ls_stats["iterations"]
    else:
        value = H.sequence_value(inst, seq)
    stats["hint_objective"] = value
    return seq, value, stats


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Iterated local search (Numba) with the run's time limit and the ``iterations`` option."""
    assert isinstance(instance, SingleMachine)
    opts = ctx.options
    iterations = opts["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = default_iterations(instance.n_jobs)
    source, start = _initial_sequence(instance, ctx, opts["init"])
    budget = ctx.time_left(_SAFETY_S)
    seq, _, stats = H.local_search(
        instance, start, time_limit=budget, iterations=iterations, strength=opts["strength"],
        restart=opts["restart"], seed=ctx.seed, lower=lower_bound(instance),
        stall=default_stall(instance.n_jobs) if opts["stall"] < 0 else opts["stall"])
    stats["start"] = source
    out = heuristic_outcome(instance, seq, "ls", stats=stats)
    if out.status == "feasible":
        out.stop_reason = ("no improvement for the stall limit" if stats["stalled"] else
                           "iteration limit" if iterations is not None and
                           stats["iterations"] >= iterations else "time limit")
    return out
