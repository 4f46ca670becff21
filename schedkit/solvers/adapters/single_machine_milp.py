"""Adapter of ``milp`` on one machine: PuLP with CBC (bundled) or HiGHS (optional highspy).

Time limit: CBC gets what is left of the run's limit; because it reads its clock only between
phases, a watchdog kills it (only the ``cbc`` children of this process) when it runs more than
max(1 s, 10 %) past that, and the warm start is returned.

Honest statuses: PuLP calls a run "Optimal" when CBC stopped at the time limit with an
incumbent, so proof comes from the solver itself — CBC's log must say "Optimal solution found"
(and not "Stopped"), HiGHS's model status must be ``kOptimal`` — both run with a zero relative
gap; or from the solver's dual bound meeting the incumbent (objectives are integral). The
bound reported is CBC's "Lower bound" line or HiGHS's ``mip_dual_bound``.
"""

from __future__ import annotations

import math
import os
import re
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pulp

from ...formulations.single_machine import milp as model_milp
from ...heuristics import single_machine as H
from ...instances import InputError, Instance, SingleMachine
from ...instances.evaluate import lower_bound
from ..registry import Outcome, RunContext
from .single_machine_ls import hint_seconds, warm_start
from .single_machine_rules import proved_by_bound

__all__ = ["run", "read_cbc_log"]

_RESULT = re.compile(r"^Result - (.*)$", re.M)
_NUMBER = r"([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf(?:inity)?))"
_LOWER = re.compile(r"^Lower bound:\s+" + _NUMBER, re.M | re.I)
_NODES = re.compile(r"^Enumerated nodes:\s+(\d+)", re.M)


def read_cbc_log(text: str) -> dict[str, Any]:
    """``result`` (e.g. "Optimal solution found", "Stopped on time limit"), ``lower`` bound,
    ``nodes`` from a CBC log (missing items are left out)."""
    out: dict[str, Any] = {}
    if m := _RESULT.search(text):
        out["result"] = m.group(1).strip()
    if m := _LOWER.search(text):
        out["lower"] = float(m.group(1))
    if m := _NODES.search(text):
        out["nodes"] = int(m.group(1))
    return out


def _kill_own_cbc() -> int:
    """SIGKILL the ``cbc`` processes that are children of this process; returns how many."""
    killed = 0
    me = os.getpid()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.find("(") + 1:stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2:].split()
        if comm == "cbc" and len(fields) > 1 and int(fields[1]) == me:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


def _grace(seconds: float) -> float:
    """How long past its limit CBC may run before it is killed."""
    return max(1.0, 0.1 * seconds)


def _solve_cbc(prob: pulp.LpProblem, ctx: RunContext, seconds: float | None,
               warm: bool) -> tuple[bool, float | None, dict[str, Any]]:
    t0 = time.perf_counter()
    stats: dict[str, Any] = {"backend": "cbc"}
    with tempfile.TemporaryDirectory(prefix="schedkit-cbc-") as tmp:
        log = Path(tmp) / "cbc.log"

        watchdog: dict[str, Any] = {"fired": False}

        def attempt(with_start: bool, limit: float | None) -> None:
            # CBC reads its clock only between phases: the MIP-start heuristics and the root LP
            # of a large model can run far past -sec. A watchdog kills it past the grace.
            done = threading.Event()
            if limit is not None:
                deadline = time.perf_counter() + limit + _grace(limit)

                def watch() -> None:
                    # Poll: PuLP may still be writing the model when the deadline passes.
                    while not done.wait(0.1):
                        if time.perf_counter() > deadline and _kill_own_cbc() > 0:
                            watchdog["fired"] = True

                threading.Thread(target=watch, daemon=True).start()
            try:
                prob.solve(pulp.PULP_CBC_CMD(
                    msg=False, timeLimit=limit, threads=ctx.workers, gapRel=0.0,
                    warmStart=with_start, logPath=str(log),
                    options=[f"randomSeed {1 + ctx.seed % 2**30}",
                             f"randomCbcSeed {1 + ctx.seed % 2**30}"]))
            finally:
                done.set()

        try:
            attempt(warm, seconds)
        except pulp.PulpSolverError:
            if watchdog["fired"]:
                stats["cbc_killed_past_limit"] = True
                return False, None, stats
            if not warm:
                raise
            # The bundled CBC 2.10 can crash (SIGSEGV) reading a MIP start when the time limit
            # falls during its start heuristics; the warm start stays our incumbent anyway.
            stats["cbc_crashed_with_mip_start"] = True
            left = None if seconds is None else max(0.05, seconds - (time.perf_counter() - t0))
            attempt(False, left)
        info = read_cbc_log(log.read_text(errors="replace")) if log.exists() else {}
    result = info.get("result", "")
    proved = prob.sol_status == pulp.LpSolutionOptimal and result.startswith("Optimal")
    stats.update(cbc_result=result, nodes=info.get("nodes"))
    return proved, info.get("lower"), stats


def _solve_highs(prob: pulp.LpProblem, ctx: RunContext,
                 seconds: float | None) -> tuple[bool, float | None, dict[str, Any]]:
    solver = pulp.HiGHS(msg=False, timeLimit=seconds, threads=ctx.workers, gapRel=0.0,
                        random_seed=ctx.seed % 2**31)
    try:
        import highspy
    except ImportError as err:
        if "highspy" in str(err) and "No module" in str(err):
            raise InputError("the HiGHS backend needs highspy: pip install 'schedkit[highs]' "
                             "(or pip install highspy)", field="option backend") from None
        # Installed but not loadable, e.g. clashing with the HiGHS inside another wheel.
        raise InputError(f"highspy is installed but cannot be loaded ({err}); reinstall it "
                         "(pip install --force-reinstall highspy) or use backend=cbc",
                         field="option backend") from None
    if not solver.available():
        raise InputError("the HiGHS backend is unavailable in PuLP (highspy did not load "
                         "when PuLP was imported); use backend=cbc", field="option backend")

    prob.solve(solver)
    model = prob.solverModel
    status = model.getModelStatus()
    info = model.getInfo()
    bound = float(info.mip_dual_bound)
    stats = {"backend": "highs", "highs_status": model.modelStatusToString(status),
             "nodes": int(info.mip_node_count)}
    return status == highspy.HighsModelStatus.kOptimal, bound, stats


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Build the chosen model, solve it with the chosen backend, map the status honestly."""
    assert isinstance(instance, SingleMachine)
    t0 = time.perf_counter()
    opts = ctx.options
    stats: dict[str, Any] = {"model": opts["model"]}
    hint = upper = None
    if opts["hint"]:
        hint, upper, hint_stats = warm_start(instance, ctx, hint_seconds(ctx))
        stats.update(hint_stats)
    built = model_milp.build(instance, opts["model"], dominance=opts["dominance"], hint=hint)
    stats.update(horizon=built.horizon, precedences=built.precedences,
                 variables=built.problem.numVariables(),
                 constraints=built.problem.numConstraints(),
                 build_s=round(time.perf_counter() - t0, 3))
    seconds = None
    if ctx.time_limit is not None:
        seconds = ctx.time_limit - (time.perf_counter() - t0)
        if seconds < 0.05 and hint is not None:  # no time left for the solver
            return Outcome(H.sm_solution(instance, hint), "feasible", bound=lower_bound(instance),
                           objective=upper, stats=stats,
                           stop_reason="time limit reached while building; warm start returned")
        seconds = max(seconds, 0.05)
    if opts["backend"] == "highs":
        proved, bound, solver_stats = _solve_highs(built.problem, ctx, seconds)
    else:
        proved, bound, solver_stats = _solve_cbc(built.problem, ctx, seconds,
                                                 warm=hint is not None)
    stats.update(solver_stats)
    lb = lower_bound(instance)
    bound = lb if bound is None or not math.isfinite(bound) else max(bound, lb)
    killed = stats.get("cbc_killed_past_limit", False)
    seq = built.sequence() if not killed and built.problem.sol_status in (
        pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) else None
    value = None if seq is None else H.sequence_value(instance, seq)
    if proved and value is not None:
        claimed = pulp.value(built.problem.objective)
        if value < claimed - 1e-6 or (upper is not None and upper < value - 1e-6):
            return Outcome(H.sm_solution(instance, seq), "error", stats=stats,
                           stop_reason=f"solver optimum {claimed:g} is above a schedule's "
                                       f"value {min(value, upper or value):g}: model bug")
    if hint is not None and upper is not None and (value is None or upper < value):
        seq, value = hint, upper  # the warm start stays the incumbent
    if seq is None or value is None:
        return Outcome(None, "unknown", bound=bound, stats=stats,
                       stop_reason="CBC killed past the time limit" if killed
                       else "no integer solution")
    if proved or proved_by_bound(value, bound):
        return Outcome(H.sm_solution(instance, seq), "optimal", bound=value, objective=value,
                       stop_reason="solver proved optimality", stats=stats)
    return Outcome(H.sm_solution(instance, seq), "feasible", bound=bound, objective=value,
                   stop_reason="CBC killed past the time limit; warm start returned" if killed
                   else "time limit", stats=stats)
