"""Adapter of ``alns`` on one machine: adaptive large-neighbourhood search from the best rule
with the operators of :mod:`schedkit.heuristics.single_machine.neighbourhoods`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics import single_machine as H
from ...heuristics.alns import State, run_alns
from ...heuristics.single_machine import local_search_kernels as LK
from ...heuristics.single_machine.neighbourhood_kernels import MAX_WINDOW
from ...heuristics.single_machine.neighbourhoods import DESTROYS, REPAIRS, operators
from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..common import SAFETY_S, proved_by_bound
from ..options import parse_names, parse_numbers
from ..registry import MethodResult, RunContext
from .rules import sequence_result
from .warm import checked_neighbourhood, start_sequence

__all__ = ["DEFAULT_ITERATIONS", "run"]

#: Iterations when the run has neither a time limit nor an ``iterations`` option.
DEFAULT_ITERATIONS = 5000


def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """ALNS from the run's ``initial`` sequence or the best rule, each start improved by the
    descent of ``ls``."""
    o = ctx.options
    structures = parse_names(o["destroys"], DESTROYS, "destroys")
    repairs = parse_names(o["repairs"], REPAIRS, "repairs")
    sizes = tuple(int(k) for k in parse_numbers(o["sizes"], int, 1, MAX_WINDOW, "sizes",
                                                "numbers of jobs from"))
    window = H.descent_window(instance, checked_neighbourhood(instance, ctx))
    source, start = start_sequence(instance, ctx, "best")
    p, d, w, r = H.job_arrays(instance)
    start = np.ascontiguousarray(start, dtype=np.int64).copy()
    value = float(LK.improve(p, d, w, r, H.objective_code(instance), start, window))
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    stop = ctx.stop(iterations=iterations, stall=o["stall"], reserve=SAFETY_S)
    destroys, fixes = operators(instance, structures, sizes, repairs, window)
    lower = lower_bound(instance)
    run_ = run_alns(State(start, value), destroys, fixes, stop, seed=ctx.seed,
                    selection=o["selection"], restart=o["restart"], worse=o["worse"],
                    accept=o["accept"], lower=float(np.ceil(lower - 1e-6)))
    stats: dict[str, Any] = dict(run_.stats)
    stats["start"] = source
    stats["time_to_best_s"] = round(run_.time_to_best_s, 6)
    reason = stats.pop("stopped")
    best = run_.best
    if proved_by_bound(best.value, lower):
        reason = "lower bound"
    return sequence_result(instance, best.solution, "alns", stats=stats, stop_reason=reason,
                           stop_detail=f"{run_.iterations} iterations")
