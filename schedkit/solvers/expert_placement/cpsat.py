"""Adapter of ``cpsat`` for expert placement: the models of
:mod:`schedkit.formulations.expert_placement.cpsat`, solved by the one CP-SAT runner, layer by
layer or all together (:mod:`.exact`)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.expert_placement.cpsat import build_cpsat, hint_cpsat, minimise_moves
from ...instances import ExpertPlacement
from ..backends.cpsat import MIN_TIME_S, solve_cpsat
from ..registry import MethodResult, RunContext
from ..result import Status
from .exact import Block, run_exact

__all__ = ["run", "PARAMETERS"]

#: CP-SAT parameters of these models: the full linear relaxation (level 2) halved the time to
#: prove the EPLB README example's layers (1.9 s against 4.7 s from the round-robin hint).
PARAMETERS: dict[str, Any] = {"linearization_level": 2}


def _left(end: float | None) -> float | None:
    return None if end is None else max(0.0, end - time.perf_counter())


def _solve_block(inst: ExpertPlacement, layers: list[int], hint: np.ndarray | None,
                 upper: list[float] | None, seconds: float | None, ctx: RunContext) -> Block:
    end = None if seconds is None else time.perf_counter() + seconds
    split = ctx.options["split"]
    try:
        built = build_cpsat(inst, layers, split=split,
                            hierarchical=bool(ctx.options["hierarchical"]), upper=upper,
                            deadline=Deadline(end))
    except OutOfTime:
        return Block(Status.UNKNOWN, None, None, None,
                     {"detail": "the time ran out while building the model"})
    if hint is not None and inst.objective == "max_load":
        # Traffic: no hint. CP-SAT's single-worker search keeps to the hinted polarities,
        # and from the contiguous placement it stayed there (E = 16, G = 4, L = 4, seed 0,
        # 20 s: 63 177 with the hint, 49 387 without). The plan is still the fallback.
        hint_cpsat(inst, built, hint)
    out = solve_cpsat(built.model, time_limit=_left(end), workers=ctx.workers, seed=ctx.seed,
                      interrupt=ctx.interrupted, run=ctx, parameters=PARAMETERS)
    stats: dict[str, Any] = {**built.stats, **out.stats, "detail": out.stats["cpsat_status"]}
    bound = built.real_bound(out.bound)
    if out.status == Status.INFEASIBLE:
        return Block(Status.INFEASIBLE, None, None, None, stats)
    if not out.solved:
        return Block(Status.UNKNOWN, None, None, bound, stats)
    solver = out.solver
    plan = built.read(solver.value)
    value = int(solver.value(built.objective))
    if built.moves is not None and (left := _left(end)) is not None and left > MIN_TIME_S \
            or built.moves is not None and end is None:
        # Second phase: the fewest changed slots among the plans at most as bad.
        minimise_moves(built, value)
        hint_cpsat(inst, built, plan)
        again = solve_cpsat(built.model, time_limit=_left(end), workers=ctx.workers,
                            seed=ctx.seed, interrupt=ctx.interrupted, run=ctx,
                            parameters=PARAMETERS)
        stats["moves_phase"] = again.stats["cpsat_status"]
        if again.solved:
            plan = built.read(again.solver.value)
            value = int(again.solver.value(built.objective))
            stats["moves_proved_fewest"] = again.status == Status.OPTIMAL
    proved = out.status == Status.OPTIMAL and built.exact and split == "even"
    real = value / built.objective_factor
    if proved:
        bound = real
    # The model's value is the plan's only when proved: an unproved incumbent may leave some
    # M_l above its layer's largest load, and the evaluator then scores the plan.
    return Block(Status.OPTIMAL if proved else Status.FEASIBLE, plan,
                 real if proved else None, bound, stats)


def run(instance: ExpertPlacement, ctx: RunContext) -> MethodResult:
    """Solve the even split (or the free split, a bound) with CP-SAT; ``optimal`` only when
    every model is proved on exactly scaled loads."""
    return run_exact(instance, ctx, _solve_block, "cpsat")
