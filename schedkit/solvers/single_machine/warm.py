"""The warm start of the exact single-machine methods: the best rule, improved by a short
iterated local search."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics import single_machine as H
from ...instances import InputError, SingleMachine
from ..common import WarmStart, checked_initial
from ..registry import RunContext

__all__ = ["checked_neighbourhood", "default_iterations", "default_stall", "hint_seconds",
           "start_sequence", "warm_start"]


def checked_neighbourhood(inst: SingleMachine, ctx: RunContext) -> str:
    """The run's ``neighbourhood`` option; ``dynasearch`` on an instance it does not fit
    (:func:`~schedkit.heuristics.single_machine.sequences.dynasearch_fits`) is the user's
    error."""
    choice: str = ctx.options["neighbourhood"]
    if choice == "dynasearch" and not H.dynasearch_fits(inst):
        raise InputError("dynasearch needs a sum objective and no release dates; this "
                         f"instance has {inst.objective}"
                         f"{' and release dates' if int(inst.release.max()) > 0 else ''} "
                         "(use neighbourhood=vnd or auto)", field="option neighbourhood")
    return choice


def default_iterations(n: int) -> int:
    """Iterations of ``ls`` when the run has neither a time limit nor an ``iterations`` option:
    1000 at n = 40, fewer for larger n (a descent costs about n² move evaluations)."""
    return max(50, 40000 // max(n, 1))


def default_stall(n: int) -> int:
    """Iterations without a new best after which ``ls`` stops (option ``stall`` = -1)."""
    return max(2000, 50 * n)


def start_sequence(inst: SingleMachine, ctx: RunContext, init: str) -> tuple[str, np.ndarray]:
    """The run's ``initial`` solution if it has one, else the chosen rule (``best``: the best
    rule)."""
    initial = checked_initial(inst, ctx)
    if initial is not None:
        return "initial", np.asarray(initial["sequence"], dtype=np.int64)
    if init == "best":
        name, seq, _ = H.best_rule(inst)
        return name, seq
    return init, H.rule_sequence(inst, init)


def hint_seconds(ctx: RunContext) -> float:
    """Seconds of local search for an exact method's warm start (option ``hint_time``; -1:
    10 % of the time limit, at most 2 s, or 0.5 s without a limit)."""
    chosen = float(ctx.options["hint_time"])
    if chosen >= 0:
        return chosen
    return 0.5 if ctx.time_limit is None else min(2.0, 0.1 * ctx.time_limit)


def warm_start(inst: SingleMachine, ctx: RunContext) -> WarmStart:
    """A good schedule for hints: the best rule (or ``initial``), improved by
    :func:`hint_seconds` of local search; empty when the ``hint`` option is off."""
    if not ctx.options["hint"]:
        return WarmStart()
    source, seq = start_sequence(inst, ctx, "best")
    stats: dict[str, Any] = {"hint_from": source}
    seconds = hint_seconds(ctx)
    if seconds > 0:
        n = inst.n_jobs
        seq, value, ls_stats = H.local_search(
            inst, seq, ctx.stop(time_limit=seconds, iterations=default_iterations(n),
                                stall=default_stall(n)), seed=ctx.seed)
        stats["hint_from"] = f"{source}+ls"
        stats["hint_ls_iterations"] = ls_stats["iterations"]
    else:
        value = H.sequence_value(inst, seq)
    stats["hint_objective"] = value
    return WarmStart(H.solution(inst, seq), value, stats)
