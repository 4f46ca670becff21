"""Running an OR-Tools CP-SAT model with schedkit's time limit, workers and seed.

Every CP-SAT adapter solves through :func:`solve_cpsat`: one seed mapping (into CP-SAT's int32
``random_seed``), one minimum time limit (a used-up budget still gets :data:`MIN_TIME_S`, never a
zero or negative limit) and one stats vocabulary (``backend``, ``cpsat_status``, ``branches``,
``conflicts``, ``wall_time_s``). The solve runs under :func:`.watch.run_watched`: CP-SAT's own
Ctrl-C handling is off (``catch_sigint_signal``) and schedkit's interruption, or the deadline,
calls ``stop_search``, after which CP-SAT returns its incumbent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..result import Status
from .parameters import apply_cpsat
from .watch import run_watched

if TYPE_CHECKING:
    from ..registry import RunContext

__all__ = ["MIN_TIME_S", "CpSatRun", "cpsat_seed", "solve_cpsat"]

#: The smallest time limit CP-SAT is given.
MIN_TIME_S = 0.01


@dataclass
class CpSatRun:
    """One CP-SAT solve: ``status`` (optimal | feasible | infeasible | unknown; ``error`` for an
    invalid model), the objective of the incumbent, the best objective bound, the solver (its
    ``value()`` reads the solution) and the stats."""

    status: Status
    objective: float | None
    bound: float | None
    solver: Any
    stats: dict[str, Any]

    @property
    def solved(self) -> bool:
        """An incumbent exists."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


def cpsat_seed(seed: int) -> int:
    """schedkit's seed (any integer) as CP-SAT's ``random_seed`` (0 … 2^31 − 1)."""
    return int(seed) % 2**31


def solve_cpsat(model: Any, *, time_limit: float | None, workers: int, seed: int,
                parameters: Mapping[str, Any] | None = None,
                interrupt: threading.Event | None = None,
                run: RunContext | None = None) -> CpSatRun:
    """Solve a ``cp_model.CpModel``; statuses map one to one (CP-SAT proves what it says).

    Parameters
    ----------
    model
        The model.
    time_limit
        Seconds (``None``: no limit); at least :data:`MIN_TIME_S`.
    workers, seed
        CP-SAT's ``num_workers`` and ``random_seed`` (:func:`cpsat_seed`).
    parameters
        Further ``SatParameters`` fields the model needs (``{"repair_hint": True}``, …).
    interrupt
        Set (by Ctrl-C): stop the search and return the incumbent.
    run
        The run this solve belongs to: its ``cpsat.*`` options (checked pass-through
        ``SatParameters`` fields, applied last) and, when it has a log, CP-SAT's search log,
        line by line through CP-SAT's log callback (never to stdout).
    """
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    prm = solver.parameters
    deadline = None
    if time_limit is not None:
        prm.max_time_in_seconds = max(MIN_TIME_S, float(time_limit))
        deadline = time.perf_counter() + prm.max_time_in_seconds
    prm.num_workers = int(workers)
    prm.random_seed = cpsat_seed(seed)
    prm.catch_sigint_signal = False  # schedkit's own Ctrl-C handling stops the search
    for key, value in (parameters or {}).items():
        setattr(prm, key, value)
    if run is not None:
        apply_cpsat(prm, run.backend_options("cpsat"))
        if run.log is not None:
            emit = run.log
            prm.log_search_progress = True
            prm.log_to_stdout = False  # stdout carries the CLI's table or JSON Lines

            def lines(text: str) -> None:
                for line in text.splitlines():
                    emit(f"[cp-sat] {line}")

            solver.log_callback = lines
    watched = run_watched(lambda: solver.solve(model), deadline=deadline, interrupt=interrupt,
                          stop=solver.stop_search)
    if not watched.finished:
        return CpSatRun(Status.UNKNOWN, None, None, solver,
                        {"backend": "cp-sat", "cpsat_status": "ABANDONED",
                         "stopped": watched.stopped})
    code = watched.value
    status = {
        cp_model.OPTIMAL: Status.OPTIMAL,
        cp_model.FEASIBLE: Status.FEASIBLE,
        cp_model.INFEASIBLE: Status.INFEASIBLE,
        cp_model.MODEL_INVALID: Status.ERROR,
    }.get(code, Status.UNKNOWN)
    has_objective = model.has_objective()
    objective = float(solver.objective_value) if has_objective and status in (
        Status.OPTIMAL, Status.FEASIBLE) else None
    bound = float(solver.best_objective_bound) if has_objective and status not in (
        Status.INFEASIBLE, Status.ERROR) else None
    stats: dict[str, Any] = {
        "backend": "cp-sat", "cpsat_status": solver.status_name(code),
        "branches": int(solver.num_branches), "conflicts": int(solver.num_conflicts),
        "wall_time_s": float(solver.wall_time)}
    if watched.stopped:
        stats["stopped"] = watched.stopped
    return CpSatRun(status, objective, bound, solver, stats)
