"""Solving a PuLP model with CBC (bundled) or HiGHS (highspy) and saying honestly what was proved.

Proof comes from the solver itself, both run with a zero relative gap (HiGHS stops at 1e-4 by
default): PuLP reports ``LpStatusOptimal`` even when a time limit stopped CBC with an incumbent,
so CBC must also say "Optimal solution found" (not "Stopped") in its log, and HiGHS's model
status must be ``kOptimal``. The dual bound reported is CBC's "Lower bound" log line or HiGHS's
``mip_dual_bound`` (the models are minimisations).

Time limit and Ctrl-C: the solve runs under :func:`.watch.run_watched`. CBC counts wall-clock
seconds and gets four fifths of the time (PuLP writes the model before CBC's clock starts and
reads the solution after it stops); it reads its clock only between phases (MIP-start
heuristics, root LP), so a quarter of a second past the deadline — or of schedkit's
interruption — the ``cbc`` children of this process are killed (the bundled CBC does not stop
cleanly on SIGINT). The run is then ``unknown`` with ``cbc_killed_past_limit`` in the stats,
and the adapter falls back on its warm start. HiGHS is asked to ``cancelSolve``.
PuLP's model and solution files go to a temporary folder that is removed afterwards. The
bundled CBC 2.10 can crash reading a MIP start when the limit falls during its start
heuristics; the solve is then retried without the start for the time left.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...instances import InputError
from ..result import Status
from .watch import run_watched

if TYPE_CHECKING:
    from ..registry import RunContext

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


class _LogTail:
    """Forwards the lines a solver appends to its log file, as they come (called at every
    look at the clock of :func:`.watch.run_watched`)."""

    def __init__(self, path: Path, emit: Callable[[str], None], prefix: str) -> None:
        self.path, self.emit, self.prefix = path, emit, prefix
        self.offset, self.rest = 0, ""

    def __call__(self) -> None:
        try:
            with self.path.open("r", encoding="utf-8", errors="replace") as fh:
                fh.seek(self.offset)
                text = fh.read()
                self.offset = fh.tell()
        except OSError:
            return
        *done, self.rest = (self.rest + text).split("\n")
        for line in done:
            self.emit(f"{self.prefix} {line.rstrip()}")

    def close(self) -> None:
        self()
        if self.rest.strip():
            self.emit(f"{self.prefix} {self.rest.rstrip()}")
        self.rest = ""


#: How many watched CBC runs this process has started (the last one's number).
_CBC_RUNS = [0]


def _signal_own_cbc(signum: int) -> int:
    """Send ``signum`` to the ``cbc`` processes that are children of this process; returns how
    many."""
    sent = 0
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
                os.kill(int(entry.name), signum)
                sent += 1
            except OSError:
                pass
    return sent


def _run_cbc(prob: Any, time_limit: float | None, workers: int, seed: int,
             warm_start: bool, interrupt: threading.Event | None,
             log_to: Callable[[str], None] | None = None
             ) -> tuple[bool, float | None, dict[str, Any]]:
    """(proved, lower bound from the log, stats) of a CBC run."""
    import pulp

    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    stats: dict[str, Any] = {}
    # Seeds 1 … 2^30: positive and inside CBC's int parameters whatever schedkit's seed is.
    # CBC's clock counts CPU seconds unless told otherwise: on a loaded machine a limit in CPU
    # seconds runs long past the same limit in wall-clock seconds.
    options = [f"randomSeed {1 + seed % 2**30}", f"randomCbcSeed {1 + seed % 2**30}",
               "timeMode elapsed"]
    with tempfile.TemporaryDirectory(prefix="schedkit-cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        watchdog = {"killed": False}

        def stop() -> None:
            pass  # a SIGINT makes the bundled CBC exit without its incumbent: wait, then kill

        def kill() -> None:
            watchdog["killed"] = _signal_own_cbc(signal.SIGKILL) > 0 or watchdog["killed"]

        def attempt(with_start: bool, limit: float | None) -> None:
            if limit is not None:
                # CBC starts its clock only after PuLP wrote the model and before it writes
                # the solution: keep a fifth of the time for that, so that it stops by itself
                # before the watchdog has to kill it (and its incumbent with it).
                limit = max(MIN_TIME_S, 0.8 * limit - 0.1)
            with warnings.catch_warnings():
                # PuLP 3.3 deprecates its bundled CBC in favour of a separately installed
                # one; the bundled binary is what `pip install pulp` provides.
                warnings.simplefilter("ignore", DeprecationWarning)
                solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=workers,
                                           gapRel=0.0, warmStart=with_start,
                                           logPath=str(log), options=options)
            solver.tmpDir = tmp  # PuLP's .mps/.mst/.sol files go where they are cleaned up
            tail = None if log_to is None else _LogTail(log, log_to, "[cbc]")
            try:
                _CBC_RUNS[0] += 1
                run = _CBC_RUNS[0]
                # A given-up PuLP call may start CBC after the watchdog's kill: keep killing
                # until that call ends, but not once another CBC run of this process began
                # (its CBC is not the abandoned one).
                watched = run_watched(lambda: prob.solve(solver), deadline=deadline,
                                      interrupt=interrupt, stop=stop, kill=kill, poll=tail,
                                      keep_killing=lambda: _CBC_RUNS[0] == run)
            except pulp.PulpSolverError:
                if interrupt is not None and interrupt.is_set():
                    # A Ctrl-C from the terminal reaches CBC too (one process group): it exits.
                    watchdog["killed"] = True
                raise
            finally:
                if tail is not None:
                    tail.close()
            if watched.stopped:
                stats["stopped"] = watched.stopped
            if not watched.finished:
                watchdog["killed"] = True
                raise pulp.PulpSolverError("CBC given up past the time limit")

        try:
            attempt(warm_start, time_limit)
        except pulp.PulpSolverError:
            if watchdog["killed"]:
                stats["cbc_killed_past_limit"] = True
                return False, None, stats
            if not warm_start:
                raise
            stats["cbc_crashed_with_mip_start"] = True
            left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
            if left is not None and left < 4 * MIN_TIME_S:
                stats["cbc_no_time_to_retry"] = True
                return False, None, stats
            try:
                attempt(False, left)
            except pulp.PulpSolverError:
                if watchdog["killed"]:
                    stats["cbc_killed_past_limit"] = True
                    return False, None, stats
                raise
        info = read_cbc_log(log.read_text(errors="replace")) if log.exists() else {}
    result = info.get("result", "")
    proved = prob.sol_status == pulp.LpSolutionOptimal and result.startswith("Optimal")
    stats.update(cbc_result=result, nodes=info.get("nodes"))
    return proved, info.get("lower"), stats


def _run_highs(prob: Any, time_limit: float | None, workers: int, seed: int,
               interrupt: threading.Event | None, log_to: Callable[[str], None] | None = None,
               options: Mapping[str, Any] | None = None
               ) -> tuple[bool, float | None, dict[str, Any]]:
    """(proved, mip_dual_bound, stats) of a HiGHS run."""
    import pulp

    try:
        import highspy
    except ImportError as err:
        if "highspy" in str(err) and "No module" in str(err):
            raise InputError("the HiGHS backend needs highspy: pip install 'highspy>=1.11,"
                             "<1.13' (newer ones clash with OR-Tools' bundled HiGHS in one "
                             "process; in a checkout, pip install '.[highs]' pins it)",
                             field="option backend") from None
        # Installed but not loadable, e.g. clashing with the HiGHS inside another wheel.
        raise InputError(f"highspy is installed but cannot be loaded ({err}); reinstall it "
                         "(pip install 'highspy>=1.11,<1.13') or use backend=cbc",
                         field="option backend") from None
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    cancelled = threading.Event()

    class WatchedHiGHS(pulp.HiGHS):
        """PuLP's HiGHS, started with the time that is really left after PuLP built the model,
        and cancellable (``cancelSolve`` needs HiGHS's user-interrupt callbacks on)."""

        def callSolver(self, lp: Any) -> None:
            model = lp.solverModel
            model.HandleUserInterrupt = True
            if deadline is not None:
                model.setOptionValue("time_limit",
                                     max(MIN_TIME_S, deadline - time.perf_counter()))
            for key, value in (options or {}).items():  # checked pass-through highs.* options
                model.setOptionValue(key, value)
            if log_to is not None:
                emit = log_to
                # With a logging callback HiGHS hands its log over instead of printing it
                # (stdout is the CLI's); without output_flag it logs nothing at all.
                model.setOptionValue("output_flag", True)

                def lines(event: Any) -> None:
                    for line in str(event.message).splitlines():
                        emit(f"[highs] {line}")

                model.cbLogging.subscribe(lines)
            if not cancelled.is_set():
                model.run()

    solver = WatchedHiGHS(msg=False, timeLimit=time_limit, threads=workers, gapRel=0.0,
                          random_seed=seed % 2**31)
    if not solver.available():
        raise InputError("the HiGHS backend is unavailable in PuLP (highspy did not load "
                         "when PuLP was imported); use backend=cbc", field="option backend")
    def cancel() -> None:
        cancelled.set()
        model = getattr(prob, "solverModel", None)
        if model is not None:
            model.cancelSolve()

    watched = run_watched(lambda: prob.solve(solver), deadline=deadline, interrupt=interrupt,
                          stop=cancel, kill=cancel)
    if not watched.finished:
        return False, None, {"highs_status": "given up past the time limit",
                             "stopped": watched.stopped, "highs_abandoned": True}
    model = prob.solverModel
    status = model.getModelStatus()
    info = model.getInfo()
    # PuLP reads "interrupted" as "integer feasible" even when HiGHS has no solution yet.
    stats: dict[str, Any] = {"highs_status": model.modelStatusToString(status),
                             "nodes": int(info.mip_node_count),
                             "highs_has_solution": int(info.primal_solution_status) == 2}
    if watched.stopped:
        stats["stopped"] = watched.stopped
    return status == highspy.HighsModelStatus.kOptimal, float(info.mip_dual_bound), stats


def solve_pulp(prob: Any, *, backend: str, time_limit: float | None, workers: int,
               seed: int, warm_start: bool = False,
               interrupt: threading.Event | None = None,
               run: RunContext | None = None) -> PulpRun:
    """Solve ``prob`` (a ``pulp.LpProblem``, minimising) and say honestly what was proved.

    ``warm_start`` passes the variables' initial values to CBC as a first incumbent (HiGHS
    through PuLP ignores them). ``interrupt`` set (by Ctrl-C) stops the solver, which then
    reports its incumbent. ``run``, the run this solve belongs to, gives the ``highs.*``
    options (checked pass-through HiGHS options) and, when it has a log, the solver's log:
    CBC's log file forwarded as it grows, HiGHS's through its logging callback.
    """
    import pulp

    if backend not in BACKENDS:
        raise InputError(f"unknown MILP backend {backend!r} (choose from "
                         f"{', '.join(BACKENDS)})", field="option backend")
    if time_limit is not None:
        # Never hand the solver a zero limit: a budget used up before it starts gets a little.
        time_limit = max(MIN_TIME_S, time_limit)
    log_to = None if run is None else run.log
    if backend == "cbc":
        proved, bound, stats = _run_cbc(prob, time_limit, workers, seed, warm_start, interrupt,
                                        log_to)
    else:
        proved, bound, stats = _run_highs(prob, time_limit, workers, seed, interrupt, log_to,
                                          None if run is None else run.backend_options("highs"))
    sol = prob.sol_status
    stats = {"backend": backend, **stats,
             "pulp_status": pulp.LpStatus.get(prob.status, str(prob.status)),
             "pulp_solution_status": pulp.LpSolution.get(sol, str(sol)),
             "variables": prob.numVariables(), "constraints": prob.numConstraints()}
    if bound is not None and not math.isfinite(bound):
        bound = None
    has_solution = sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if stats.get("cbc_killed_past_limit") or stats.get("cbc_no_time_to_retry") or \
            stats.get("highs_abandoned") or stats.get("highs_has_solution") is False:
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
