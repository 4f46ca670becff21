"""Solving a PuLP model with CBC (bundled) or HiGHS (highspy) and saying honestly what was proved.

Proof comes from the solver itself, both run with a zero relative gap (HiGHS stops at 1e-4 by
default): PuLP reports ``LpStatusOptimal`` even when a time limit stopped CBC with an incumbent,
so CBC must also say "Optimal solution found" (not "Stopped") in its log, and HiGHS's model
status must be ``kOptimal``. The dual bound reported is CBC's "Lower bound" log line or HiGHS's
``mip_dual_bound`` (the models are minimisations).

Time limit: CBC reads its clock only between phases (MIP-start heuristics, root LP), so a
watchdog kills it — only the ``cbc`` children of this process — when it runs max(1 s, 10 %) past
its limit; the run is then ``unknown`` with ``cbc_killed_past_limit`` in the stats. The bundled
CBC 2.10 can crash reading a MIP start when the limit falls during its start heuristics; the
solve is then retried without the start for the time left.
"""

from __future__ import annotations

import math
import os
import re
import signal
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...instances import InputError
from ..result import Status

__all__ = ["BACKENDS", "MIN_TIME_S", "PulpRun", "solve_pulp", "read_cbc_log"]

#: The MILP solvers PuLP runs for schedkit (the ``backend`` option of every ``milp`` method).
BACKENDS = ("cbc", "highs")

#: The smallest time limit a solver is given (a budget used up before it starts gets this).
MIN_TIME_S = 0.05

_RESULT = re.compile(r"^Result - (.*)$", re.M)
_NUMBER = r"([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf(?:inity)?))"
_LOWER = re.compile(r"^Lower bound:\s+" + _NUMBER, re.M | re.I)
_NODES = re.compile(r"^Enumerated nodes:\s+(\d+)", re.M)


@dataclass
class PulpRun:
    """One MILP solve: ``status`` (optimal | feasible | infeasible | unknown), ``objective`` of
    the incumbent, ``bound``: the solver's dual bound (the objective when proved; ``None`` when
    unknown), and the stats."""

    status: Status
    objective: float | None
    bound: float | None
    stats: dict[str, Any]

    @property
    def solved(self) -> bool:
        """An incumbent exists."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


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


def _run_cbc(prob: Any, time_limit: float | None, workers: int, seed: int,
             warm_start: bool) -> tuple[bool, float | None, dict[str, Any]]:
    """(proved, lower bound from the log, stats) of a CBC run."""
    import pulp

    t0 = time.perf_counter()
    stats: dict[str, Any] = {}
    # Seeds 1 … 2^30: positive and inside CBC's int parameters whatever schedkit's seed is.
    options = [f"randomSeed {1 + seed % 2**30}", f"randomCbcSeed {1 + seed % 2**30}"]
    with tempfile.TemporaryDirectory(prefix="schedkit-cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        watchdog = {"fired": False}

        def attempt(with_start: bool, limit: float | None) -> None:
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
                with warnings.catch_warnings():
                    # PuLP 3.3 deprecates its bundled CBC in favour of a separately installed
                    # one; the bundled binary is what `pip install pulp` provides.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=workers,
                                               gapRel=0.0, warmStart=with_start,
                                               logPath=str(log), options=options)
                prob.solve(solver)
            finally:
                done.set()

        try:
            attempt(warm_start, time_limit)
        except pulp.PulpSolverError:
            if watchdog["fired"]:
                stats["cbc_killed_past_limit"] = True
                return False, None, stats
            if not warm_start:
                raise
            stats["cbc_crashed_with_mip_start"] = True
            left = None if time_limit is None else \
                max(MIN_TIME_S, time_limit - (time.perf_counter() - t0))
            attempt(False, left)
        info = read_cbc_log(log.read_text(errors="replace")) if log.exists() else {}
    result = info.get("result", "")
    proved = prob.sol_status == pulp.LpSolutionOptimal and result.startswith("Optimal")
    stats.update(cbc_result=result, nodes=info.get("nodes"))
    return proved, info.get("lower"), stats


def _run_highs(prob: Any, time_limit: float | None, workers: int,
               seed: int) -> tuple[bool, float | None, dict[str, Any]]:
    """(proved, mip_dual_bound, stats) of a HiGHS run."""
    import pulp

    try:
        import highspy
    except ImportError as err:
        if "highspy" in str(err) and "No module" in str(err):
            raise InputError("the HiGHS backend needs highspy: pip install 'schedkit[highs]' "
                             "(highspy 1.11-1.12: newer ones clash with OR-Tools' bundled "
                             "HiGHS in one process)", field="option backend") from None
        # Installed but not loadable, e.g. clashing with the HiGHS inside another wheel.
        raise InputError(f"highspy is installed but cannot be loaded ({err}); reinstall it "
                         "(pip install 'highspy>=1.11,<1.13') or use backend=cbc",
                         field="option backend") from None
    solver = pulp.HiGHS(msg=False, timeLimit=time_limit, threads=workers, gapRel=0.0,
                        random_seed=seed % 2**31)
    if not solver.available():
        raise InputError("the HiGHS backend is unavailable in PuLP (highspy did not load "
                         "when PuLP was imported); use backend=cbc", field="option backend")
    prob.solve(solver)
    model = prob.solverModel
    status = model.getModelStatus()
    info = model.getInfo()
    stats = {"highs_status": model.modelStatusToString(status),
             "nodes": int(info.mip_node_count)}
    return status == highspy.HighsModelStatus.kOptimal, float(info.mip_dual_bound), stats


def solve_pulp(prob: Any, *, backend: str, time_limit: float | None, workers: int,
               seed: int, warm_start: bool = False) -> PulpRun:
    """Solve ``prob`` (a ``pulp.LpProblem``, minimising) and say honestly what was proved.

    ``warm_start`` passes the variables' initial values to CBC as a first incumbent (HiGHS
    through PuLP ignores them).
    """
    import pulp

    if backend not in BACKENDS:
        raise InputError(f"unknown MILP backend {backend!r} (choose from "
                         f"{', '.join(BACKENDS)})", field="option backend")
    if time_limit is not None:
        # Never hand the solver a zero limit: a budget used up before it starts gets a little.
        time_limit = max(MIN_TIME_S, time_limit)
    if backend == "cbc":
        proved, bound, stats = _run_cbc(prob, time_limit, workers, seed, warm_start)
    else:
        proved, bound, stats = _run_highs(prob, time_limit, workers, seed)
    sol = prob.sol_status
    stats = {"backend": backend, **stats,
             "pulp_status": pulp.LpStatus.get(prob.status, str(prob.status)),
             "pulp_solution_status": pulp.LpSolution.get(sol, str(sol)),
             "variables": prob.numVariables(), "constraints": prob.numConstraints()}
    if bound is not None and not math.isfinite(bound):
        bound = None
    has_solution = sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if stats.get("cbc_killed_past_limit"):
        status, has_solution = Status.UNKNOWN, False
    elif has_solution:
        status = Status.OPTIMAL if proved else Status.FEASIBLE
    elif sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        # CBC also says "Infeasible" when a time limit hit before any incumbent; only trust it
        # without a limit.
        status = Status.INFEASIBLE if time_limit is None else Status.UNKNOWN
    else:
        status = Status.UNKNOWN
    objective = float(pulp.value(prob.objective)) if has_solution else None
    if status == Status.OPTIMAL:
        bound = objective
    elif status == Status.INFEASIBLE:
        bound = None
    return PulpRun(status, objective, bound, stats)
