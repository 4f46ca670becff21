"""Adapter of ``ssdp`` on one machine: successive sublimation dynamic programming (Tanaka,
Fujikuma & Araki, "An exact algorithm for single-machine scheduling without machine idle time",
J. Scheduling 12:575–593, 2009) for ΣwjTj, ΣTj and ΣwjCj without release dates.

The incumbent comes from a short ``ls`` run. Stage 1 raises Lagrangian multipliers of the
job-occurrence constraints of the time-indexed model (2-cycle elimination, adjacent pairwise
interchange) by subgradient ascent; stage 2 adds the constraints on three successive jobs;
stage 3 adds the occurrence constraints of the jobs the relaxed optimum repeats or misses to
the DP state, re-optimising the multipliers at every step, until the relaxed optimum is a
schedule or no state can beat the incumbent. Nodes and states that no schedule better than the
incumbent can use are eliminated on the way. After stages 1 and 2 (and when stage 3 stops at
a cap) CP-SAT gets a share of the time on the model of
:mod:`schedkit.formulations.single_machine.cpsat` with each job's completion times restricted
to the nodes left and the objective below the incumbent (option ``finish``): infeasible proves
the incumbent optimal. The status is ``optimal`` only when one of these proves it; otherwise
``feasible`` with the bound reached.
"""

from __future__ import annotations

import time

import numpy as np

from ...formulations.single_machine import cpsat as model_cpsat
from ...heuristics import single_machine as H
from ...heuristics.search import StopReason
from ...instances import InputError, SingleMachine
from ..backends.cpsat import solve_cpsat
from ..common import SAFETY_S
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import default_iterations, default_stall, start_sequence

__all__ = ["run"]


def cpsat_finish(p: np.ndarray, d: np.ndarray, w: np.ndarray, ctx: RunContext) -> H.Finish:
    """``ssdp``'s finish search (:data:`~schedkit.heuristics.single_machine.ssdp.Finish`) by
    CP-SAT: the model of ``1||ΣwjTj`` on the jobs of ``p, d, w`` (int64 (n,), lengths > 0) with
    completion times in the nodes left and the objective at most the incumbent less one. No
    dominance precedences: the nodes left are those of the schedules that pass ssdp's own
    interchange rules (ties broken by job index), which another rule's ties could exclude."""
    sub = SingleMachine(processing=p, due=d, weight=w, objective="total_weighted_tardiness",
                        name="ssdp-finish")

    def finish(alive: np.ndarray, upper: float, lower: float,
               seconds: float) -> tuple[np.ndarray | None, float, bool]:
        times = [np.flatnonzero(alive[j]) for j in range(p.shape[0])]
        built = model_cpsat.build(sub, upper=upper - 1.0, lower=lower, dominance=False,
                                  completion=times)
        out = solve_cpsat(built.model, time_limit=seconds, workers=ctx.workers, seed=ctx.seed,
                          interrupt=ctx.interrupted, run=ctx)
        if out.status == Status.INFEASIBLE:  # no schedule below the incumbent
            return None, upper, True
        bound = lower if out.bound is None else max(lower, float(out.bound))
        if not out.solved:
            return None, bound, False
        return built.sequence(out.solver), bound, out.status == Status.OPTIMAL

    return finish



def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """SSDP with the run's time limit; refuses release dates."""
    if int(instance.release.max()) > 0:
        raise InputError("ssdp solves one machine without release dates; this instance has "
                         "release dates (use cpsat, milp, dp or ls)", field="method")
    opts = ctx.options
    n = instance.n_jobs
    p = np.asarray(instance.processing, dtype=np.int64)
    w = np.asarray(instance.weight, dtype=np.int64)
    d = np.asarray(instance.due, dtype=np.int64)
    if instance.objective == "total_tardiness":
        w = np.ones(n, dtype=np.int64)
    elif instance.objective == "total_weighted_completion":
        d = np.zeros(n, dtype=np.int64)
    # incumbent: the best rule improved by a short local search
    hint = float(opts["hint_time"])
    if hint < 0:
        hint = 0.5 if ctx.time_limit is None else min(2.0, 0.1 * ctx.time_limit)
    _, seq = start_sequence(instance, ctx, "best")
    if hint > 0:
        seq, _, _ = H.local_search(instance, seq, ctx.stop(
            time_limit=hint, iterations=default_iterations(n), stall=default_stall(n)),
            seed=ctx.seed)
    seq = np.asarray(seq, dtype=np.int64)
    # jobs of length 0 go first (they delay nobody and cost least at time 0)
    zero = np.flatnonzero(p == 0)
    rest = np.flatnonzero(p > 0)
    floor = float(np.dot(w[zero], np.maximum(0, -d[zero])))
    if rest.size == 0:
        value = floor
        return MethodResult(H.solution(instance, zero), Status.OPTIMAL, bound=value,
                            objective=value, stop_detail="all jobs have length 0")
    index = np.full(n, -1, dtype=np.int64)
    index[rest] = np.arange(rest.size)
    sub_seq = index[seq[p[seq] > 0]]
    deadline = None if ctx.time_limit is None else time.perf_counter() + (
        ctx.time_left(SAFETY_S) or 0.0)
    found, value, bound, proved, stats = H.ssdp_search(
        p[rest], d[rest], w[rest], sub_seq, deadline=deadline, interrupt=ctx.interrupted.is_set,
        iterations=opts["iterations"], max_states=opts["max_states"], max_m=opts["max_m"],
        add=opts["add"], stage3_iterations=opts["stage3_iterations"],
        finish=cpsat_finish(p[rest], d[rest], w[rest], ctx) if opts["finish"] else None)
    full = np.concatenate([zero, rest[found]])
    value += floor
    bound += floor
    ctx.improved(value, bound)
    stopped = stats.get("stopped")
    if proved:
        return MethodResult(H.solution(instance, full), Status.OPTIMAL, bound=value,
                            objective=value, stop_detail=f"proved by {stats['proved_by']}",
                            stats=stats)
    reason = {"time": StopReason.TIME_LIMIT, "states": StopReason.MEMORY_LIMIT}.get(
        str(stopped), StopReason.FINISHED)
    if ctx.interrupted.is_set():
        reason = StopReason.INTERRUPTED
    return MethodResult(H.solution(instance, full), Status.FEASIBLE, bound=bound,
                        objective=value, stop_reason=reason,
                        stop_detail=f"stopped: {stopped}, bound {bound:g}", stats=stats)
