"""Adapter of ``alns`` for DAGs: adaptive large-neighbourhood search from the best cheap
schedule (HEFT, PEFT, CPOP or list scheduling, as the warm start of ``cpsat``), with the
destroys of :mod:`schedkit.heuristics.dag.neighbourhoods` and a CP-SAT repair: the model of
:mod:`schedkit.formulations.dag.cpsat` (horizon = the current makespan, hinted with it),
restricted by :func:`~schedkit.formulations.dag.cpsat.keep_assignment`, solved for at most
``repair_time`` deterministic seconds. Each repaired schedule is replayed with the real times;
the best never gets worse than the start, so ``alns`` never returns worse than HEFT. The search
stops when the best meets the cheap lower bound.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...formulations.dag.cpsat import build, keep_assignment
from ...heuristics.alns import Freed, State, run_alns
from ...heuristics.dag import schedule_metrics
from ...heuristics.dag.neighbourhoods import DESTROYS, MIN_FREED, freed_tasks
from ...heuristics.search import Stop
from ...instances import DAG
from ...instances.evaluate import lower_bound
from ..backends.cpsat import solve_cpsat
from ..common import SAFETY_S, heuristic_result
from ..options import parse_names, parse_numbers
from ..registry import MethodResult, RunContext
from .common import replayed_schedule, warm_start

__all__ = ["DEFAULT_ITERATIONS", "run"]

#: Iterations when the run has neither a time limit nor an ``iterations`` option.
DEFAULT_ITERATIONS = 100


class _Repair:
    """The CP-SAT repair of the module docstring; states hold ``(processor, start)``."""

    def __init__(self, instance: DAG, ctx: RunContext, stop: Stop) -> None:
        self.instance = instance
        self.ctx = ctx
        self.stop = stop
        self.repair_time = float(ctx.options["repair_time"])
        self.stats = {"repairs": 0, "repair_improved": 0, "repair_unsolved": 0,
                      "repair_proved": 0, "repair_s": 0.0}

    def __call__(self, state: State, rng: np.random.RandomState) -> State:
        assert isinstance(state, Freed)
        t0 = time.perf_counter()
        proc, start = state.solution
        self.stats["repairs"] += 1
        left = None if self.stop.time_limit is None else \
            self.stop.time_limit - (time.perf_counter() - self.stop.started)
        out_state = State(state.solution, state.value)
        if left is None or left > 0:
            built = build(self.instance, hint={"processor": proc.tolist(),
                                               "start": start.tolist()},
                          symmetry_breaking=False)
            keep_assignment(built, proc, start, state.freed)
            out = solve_cpsat(built.model, time_limit=left, workers=self.ctx.workers,
                              seed=int(rng.randint(0, 2**31 - 1)),
                              parameters={"max_deterministic_time": self.repair_time},
                              interrupt=self.ctx.interrupted)
            if out.solved:
                self.stats["repair_proved"] += out.status == "optimal"
                p, s = built.read(out.solver)
                found = replayed_schedule(self.instance, p, s, "alns")
                # Rounded model times can replay a little worse: keep the current then.
                if found.makespan <= state.value:
                    self.stats["repair_improved"] += found.makespan < state.value
                    out_state = State((found.processor, found.start), found.makespan)
            else:
                self.stats["repair_unsolved"] += 1
        self.stats["repair_s"] += time.perf_counter() - t0
        return out_state


def run(instance: DAG, ctx: RunContext) -> MethodResult:
    """ALNS from the best cheap schedule (or a shorter ``initial``)."""
    o = ctx.options
    structures = parse_names(o["destroys"], DESTROYS, "destroys")
    sizes = parse_numbers(o["sizes"], float, 0.0, 1.0, "sizes", "shares of the tasks")
    warm, best = warm_start(instance, ctx)
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    stop = ctx.stop(iterations=iterations, stall=o["stall"], reserve=SAFETY_S)
    n, P = instance.n_tasks, instance.processors

    def make(structure: str, share: float) -> Any:
        k = int(min(n, max(MIN_FREED, round(share * n))))

        def destroy(state: State, rng: np.random.RandomState) -> Freed:
            proc, start = state.solution
            return Freed(state.solution, state.value,
                         freed_tasks(structure, proc, start, P, k, rng))
        return destroy

    destroys = {f"{s}-{100 * share:g}%": make(s, share) for s in structures for share in sizes}
    repair = _Repair(instance, ctx, stop)
    start = State((best.processor.copy(), best.start.copy()), float(best.makespan))
    run_ = run_alns(start, destroys, {"cpsat": repair.__call__}, stop, seed=ctx.seed,
                    selection=o["selection"], restart=o["restart"], worse=o["worse"],
                    accept=o["accept"], floor=1e-9,
                    lower=lower_bound(instance) * (1 + 1e-12))
    stats: dict[str, Any] = {**warm.stats, **run_.stats,
                             **{k: round(v, 3) if isinstance(v, float) else v
                                for k, v in repair.stats.items()}}
    stats["time_to_best_s"] = round(run_.time_to_best_s, 6)
    reason = stats.pop("stopped")
    proc, begin = run_.best.solution
    stats.update(schedule_metrics(instance, run_.best.value))
    return heuristic_result({"processor": proc.tolist(), "start": begin.tolist()},
                            objective=run_.best.value, stats=stats, stop_reason=reason,
                            stop_detail=f"{run_.iterations} iterations")
