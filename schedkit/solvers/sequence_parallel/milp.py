"""Adapter of ``milp`` for sequence parallel: the models of
:mod:`schedkit.formulations.sequence_parallel.milp`, solved by the one PuLP runner (CBC or
HiGHS) — the whole batch in one model, or FlexSP's split into micro-batch models
(:mod:`.exact`)."""

from __future__ import annotations

import numpy as np

from ...formulations.sequence_parallel.common import MS
from ...formulations.sequence_parallel.milp import (
    SpMilp,
    build_full_milp,
    build_microbatch_milp,
    hint_milp,
)
from ...instances import SequenceParallel
from ..backends.pulp import solve_pulp
from ..registry import MethodResult, RunContext
from ..result import Status
from .exact import Answer, Backend, Plan, build_within, run_exact, seconds_left, unbuilt

__all__ = ["run", "TOLERANCE"]

#: A plan the MILP solver proves optimal (zero relative gap) counts as optimal when its
#: evaluator score is within this relative gap of the solver's bound: the solvers' own
#: feasibility tolerances (≈1e-7 ms on the slot times) sit far below it.
TOLERANCE = 1e-6


def _solve(built: SpMilp, hint: Plan | None, inst: SequenceParallel, end: float | None,
           ctx: RunContext) -> Answer:
    hinted = hint is not None and hint_milp(inst, built, hint)
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=seconds_left(end),
                     workers=ctx.workers, seed=ctx.seed, warm_start=hinted,
                     interrupt=ctx.interrupted, run=ctx)
    stats = {**built.stats, **out.stats, "hinted": hinted, "detail": out.stats["pulp_status"]}
    plan = built.read() if out.solved else None
    bound = None if out.bound is None else out.bound / MS
    return Answer(out.status, plan, bound, out.status == Status.OPTIMAL, stats)


def _full(inst: SequenceParallel, upper: float | None, at_least: int, hint: Plan | None,
          seconds: float | None, ctx: RunContext) -> Answer:
    built, end = build_within(seconds, lambda deadline: build_full_milp(
        inst, upper=upper, at_least=at_least, deadline=deadline))
    return unbuilt() if built is None else _solve(built, hint, inst, end, ctx)


def _microbatch(inst: SequenceParallel, seqs: np.ndarray, bucket: np.ndarray | None,
                hint: Plan | None, seconds: float | None, ctx: RunContext) -> Answer:
    built, end = build_within(seconds, lambda deadline: build_microbatch_milp(
        inst, seqs, bucket, deadline=deadline))
    return unbuilt() if built is None else _solve(built, hint, inst, end, ctx)


BACKEND = Backend("milp", _full, _microbatch, TOLERANCE)


def run(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """Solve with CBC or HiGHS (options ``backend``, ``model``, ``buckets``, ``extra``,
    ``hint``); ``optimal`` only from the full model's proof with a zero gap."""
    return run_exact(instance, ctx, BACKEND)
