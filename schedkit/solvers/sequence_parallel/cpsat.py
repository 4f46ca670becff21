"""Adapter of ``cpsat`` for sequence parallel: the integer-scaled models of
:mod:`schedkit.formulations.sequence_parallel.cpsat`, solved by the one CP-SAT runner — the
whole batch in one model, or FlexSP's split into micro-batch models (:mod:`.exact`)."""

from __future__ import annotations

import numpy as np

from ...formulations.sequence_parallel.cpsat import (
    SpCpSat,
    build_full_cpsat,
    build_microbatch_cpsat,
    hint_cpsat,
)
from ...instances import SequenceParallel
from ..backends.cpsat import solve_cpsat
from ..registry import MethodResult, RunContext
from ..result import Status
from .exact import (
    Answer,
    Backend,
    Plan,
    build_within,
    plan_value_mb,
    run_exact,
    seconds_left,
    unbuilt,
)

__all__ = ["run", "TOLERANCE"]

#: A plan proved optimal in the scaled model is optimal for the real objective when its
#: evaluator score is within this relative gap of the model's real bound (the rounding error
#: of the scaling is below it: see the formulation's docstring).
TOLERANCE = 1e-9


def _solve(built: SpCpSat, hint: Plan | None, inst: SequenceParallel, end: float | None,
           ctx: RunContext) -> Answer:
    hinted = hint is not None and hint_cpsat(inst, built, hint)
    out = solve_cpsat(built.model, time_limit=seconds_left(end), workers=ctx.workers, seed=ctx.seed,
                      interrupt=ctx.interrupted, run=ctx)
    stats = {**built.stats, **out.stats, "hinted": hinted, "detail": out.stats["cpsat_status"]}
    plan = built.read(out.solver.value) if out.solved else None
    return Answer(out.status, plan, built.real_bound(out.bound), out.status == Status.OPTIMAL,
                  stats)


def _full(inst: SequenceParallel, upper: float | None, at_least: int, hint: Plan | None,
          seconds: float | None, ctx: RunContext) -> Answer:
    built, end = build_within(seconds, lambda deadline: build_full_cpsat(
        inst, upper=upper, at_least=at_least, deadline=deadline))
    return unbuilt() if built is None else _solve(built, hint, inst, end, ctx)


def _microbatch(inst: SequenceParallel, seqs: np.ndarray, bucket: np.ndarray | None,
                hint: Plan | None, seconds: float | None, ctx: RunContext) -> Answer:
    scale_upper = None if hint is None else plan_value_mb(inst, hint[0])
    built, end = build_within(seconds, lambda deadline: build_microbatch_cpsat(
        inst, seqs, bucket, upper=scale_upper, deadline=deadline))
    return unbuilt() if built is None else _solve(built, hint, inst, end, ctx)


BACKEND = Backend("cpsat", _full, _microbatch, TOLERANCE)


def run(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """Solve with CP-SAT (options ``model``, ``buckets``, ``extra``, ``hint``); ``optimal``
    only from the full model's proof."""
    return run_exact(instance, ctx, BACKEND)
