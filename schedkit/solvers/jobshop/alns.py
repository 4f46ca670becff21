"""Adapter of ``alns`` for the job shop: adaptive large-neighbourhood search from the warm start
of the exact methods, with the destroys of :mod:`schedkit.heuristics.jobshop.neighbourhoods`
and an exact repair of the freed part.

Repairs (option ``repair``):

- ``cpsat``: the strong CP-SAT model (:func:`~schedkit.formulations.jobshop.build_cpsat`)
  restricted by :func:`~schedkit.formulations.jobshop.keep_order` and hinted with the current
  schedule, solved for at most ``repair_time`` deterministic seconds of CP-SAT;
- ``milp``: Manne's MILP built once, its order binaries between operations not freed fixed to
  the current schedule (:func:`~schedkit.formulations.jobshop.keep_order_milp`, the Balans
  pattern), solved by HiGHS for at most ``repair_time`` seconds.

What a repair returns (option ``differ``): off (the default), the best schedule of the
neighbourhood, capped by the current objective: never worse, so every candidate is accepted
and the search is a descent (the annealing and ``restart`` have nothing to act on). On, the
best schedule of the neighbourhood whose machine order differs from the current one
(:func:`~schedkit.formulations.jobshop.change_order`), with an objective at most the best so
far plus the span beyond which the annealing's start temperature accepts with probability
below 10⁻⁶: a candidate may be worse than the current schedule and the annealing (``worse``,
``accept``) decides. Off is the default because it measured better (``benchmarks/alns.md``):
the current schedule no longer solves a model that excludes it, so a CP-SAT repair spends
its whole ``repair_time`` and a run does 10–20× fewer iterations.

For the makespan, ``polish`` iterations of the N5 tabu search
(:func:`~schedkit.heuristics.jobshop.tabu_improve`) follow every repair. The loop, the
selection among the destroy variants and the acceptance are those of
:func:`~schedkit.heuristics.alns.run_alns`; the search stops at the lower bound.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...formulations.jobshop import (
    build_cpsat,
    build_milp,
    change_order,
    change_order_milp,
    keep_order,
    keep_order_milp,
)
from ...heuristics.alns import Annealing, Freed, State, run_alns
from ...heuristics.jobshop import flat_starts, start_lists, tabu_improve
from ...heuristics.jobshop.neighbourhoods import DESTROYS, Neighbourhoods
from ...heuristics.search import Stop, StopReason
from ...instances import JobShop
from ...instances.evaluate import lower_bound
from ...instances.jobshop.evaluate import objective as objective_of
from ..backends.cpsat import solve_cpsat
from ..backends.pulp import solve_pulp
from ..common import SAFETY_S, heuristic_result, proved_by_bound
from ..options import parse_names, parse_numbers
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import warm_start

__all__ = ["DEFAULT_ITERATIONS", "REPAIRS", "run"]

#: Iterations when the run has neither a time limit nor an ``iterations`` option.
DEFAULT_ITERATIONS = 200
#: The repairs of the ``repair`` option.
REPAIRS = ("cpsat", "milp")
#: With ``differ``, candidates are capped where the start temperature accepts them with this
#: probability (worse ones would practically never be accepted, and the cap keeps the
#: repair's search small).
CAP_PROBABILITY = 1e-6


class _Repair:
    """The exact repair (module docstring) and the tabu polish after it."""

    def __init__(self, instance: JobShop, ctx: RunContext, stop: Stop, kind: str,
                 start_value: float, span: float | None) -> None:
        self.instance = instance
        self.ctx = ctx
        self.stop = stop
        self.kind = kind
        self.repair_time = float(ctx.options["repair_time"])
        self.polish = int(ctx.options["polish"]) if instance.objective == "makespan" else 0
        # span None: never worse than the current (module docstring); else the cap is the
        # best value so far plus span, and the candidate's machine order must change.
        self.span = span
        self.best = float(start_value)
        makespan = instance.objective == "makespan"
        horizon = int(start_value + (span or 0.0)) if makespan else None
        self.milp = build_milp(instance, horizon=horizon) if kind == "milp" else None
        self.stats = {"repairs": 0, "repair_improved": 0, "candidates_worse": 0,
                      "repair_unsolved": 0, "repair_proved": 0,
                      "polish_improved": 0, "repair_s": 0.0, "polish_s": 0.0}

    def left(self) -> float:
        if self.stop.time_limit is None:
            return float("inf")
        return self.stop.time_limit - (time.perf_counter() - self.stop.started)

    def __call__(self, state: State, rng: np.random.RandomState) -> State:
        assert isinstance(state, Freed) and state.freed is not None
        start, value = state.solution, state.value
        seed = int(rng.randint(0, 2**31 - 1))
        t0 = time.perf_counter()
        cap = value if self.span is None else self.best + self.span
        new = self._cpsat(start, cap, state.freed, seed) if self.kind == "cpsat" else \
            self._milp(start, cap, state.freed, seed)
        self.stats["repairs"] += 1
        if new is None:
            self.stats["repair_unsolved"] += 1
            new = start
        new_value = objective_of(self.instance, new)
        if new_value < value:
            self.stats["repair_improved"] += 1
        t1 = time.perf_counter()
        self.stats["repair_s"] += t1 - t0
        left = self.left()
        if self.polish and left > 0:
            head, polished, _ = tabu_improve(
                self.instance, new,
                Stop(time_limit=None if left == float("inf") else left,
                     iterations=self.polish, interrupt=self.ctx.interrupted.is_set),
                seed=seed, restart=0)
            if polished < new_value:
                self.stats["polish_improved"] += 1
            if polished <= new_value:
                new, new_value = head, float(polished)
            self.stats["polish_s"] += time.perf_counter() - t1
        self.stats["candidates_worse"] += new_value > value
        self.best = min(self.best, new_value)
        return State(new, new_value)

    def _cpsat(self, start: np.ndarray, cap: float, freed: np.ndarray,
               seed: int) -> np.ndarray | None:
        inst = self.instance
        makespan = inst.objective == "makespan"
        built = build_cpsat(inst, horizon=int(cap) if makespan else None, strong=True,
                            hint=start)
        keep_order(inst, built, start, freed, cap=None if makespan else cap)
        if self.span is not None:
            change_order(inst, built, start, freed)
        left = self.left()
        out = solve_cpsat(built.model, time_limit=None if left == float("inf") else left,
                          workers=self.ctx.workers, seed=seed,
                          parameters={"max_deterministic_time": self.repair_time},
                          interrupt=self.ctx.interrupted)
        if not out.solved:
            return None
        self.stats["repair_proved"] += out.status == Status.OPTIMAL
        index = [v.index for v in built.start]
        return np.asarray(out.solver.response_proto.solution, dtype=np.int64)[index]

    def _milp(self, start: np.ndarray, cap: float, freed: np.ndarray,
              seed: int) -> np.ndarray | None:
        assert self.milp is not None
        keep_order_milp(self.instance, self.milp, start, freed, cap=cap)
        change_order_milp(self.instance, self.milp, start,
                          None if self.span is None else freed)
        out = solve_pulp(self.milp.problem, backend="highs",
                         time_limit=max(0.0, min(self.left(), self.repair_time)),
                         workers=self.ctx.workers, seed=seed, interrupt=self.ctx.interrupted)
        if not out.solved:
            return None
        self.stats["repair_proved"] += out.status == Status.OPTIMAL
        return np.array([round(v.value()) for v in self.milp.start], dtype=np.int64)


def run(instance: JobShop, ctx: RunContext) -> MethodResult:
    """ALNS from the warm start (the run's ``initial``, or the best dispatching rule improved
    by tabu search for ``hint_time``)."""
    o = ctx.options
    structures = parse_names(o["destroys"], DESTROYS, "destroys")
    sizes = parse_numbers(o["sizes"], float, 0.0, 1.0, "sizes", "shares of the operations")
    warm = warm_start(instance, ctx)
    assert warm.solution is not None and warm.objective is not None
    stats: dict[str, Any] = dict(warm.stats)
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    stop = ctx.stop(iterations=iterations, stall=o["stall"], reserve=SAFETY_S)
    hood = Neighbourhoods(instance)
    destroys = {}
    for name in structures:
        for share in sizes:
            destroys[f"{name}-{100 * share:g}%"] = _destroy(getattr(hood, name),
                                                             hood.size(share))
    start = flat_starts(warm.solution)
    value = objective_of(instance, start)
    span = None
    if o["differ"]:
        # The annealing's own start temperature (run_alns fits it the same way).
        t0 = Annealing.autofit(value, lambda: 0.0, worse=o["worse"], accept=o["accept"]).start
        span = float(np.floor(-t0 * np.log(CAP_PROBABILITY)))
    repair = _Repair(instance, ctx, stop, o["repair"], value, span)
    lower = lower_bound(instance)
    lower_int = float(np.ceil(lower - 1e-6))
    run_ = run_alns(State(start, value), destroys, {o["repair"]: repair.__call__}, stop,
                    seed=ctx.seed,
                    selection=o["selection"], restart=o["restart"], worse=o["worse"],
                    accept=o["accept"], lower=lower_int)
    stats.update(run_.stats)
    stats.update({k: round(v, 3) if isinstance(v, float) else v
                  for k, v in repair.stats.items()})
    stats["time_to_best_s"] = round(run_.time_to_best_s, 6)
    reason = stats.pop("stopped")
    best = run_.best
    solution = {"start": start_lists(instance, best.solution)}
    if proved_by_bound(best.value, lower):
        return heuristic_result(solution, objective=best.value, stats=stats,
                                proof="the objective meets the lower bound",
                                stop_reason=StopReason.LOWER_BOUND)
    return heuristic_result(solution, objective=best.value, stats=stats, stop_reason=reason,
                            stop_detail=f"{run_.iterations} iterations")


def _destroy(structure: Any, k: int) -> Any:
    def destroy(state: State, rng: np.random.RandomState) -> Freed:
        return Freed(state.solution, state.value, structure(state.solution, k, rng))
    return destroy
