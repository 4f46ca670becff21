"""What the adapters of every problem share: the one way a heuristic's schedule becomes a
:class:`~schedkit.solvers.registry.MethodResult`, the one warm-start contract of the exact
methods, the check of a run's ``initial`` solution, and the proof by an integral bound."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..heuristics.search import StopReason
from ..instances import InputError, Instance
from ..instances.evaluate import check
from .registry import Adapter, MethodResult, RunContext
from .result import Status

__all__ = ["SAFETY_S", "WarmStart", "checked_initial", "heuristic_result", "proved_by_bound",
           "solution_adapter"]

#: Seconds a search leaves of its time limit for building the result after it.
SAFETY_S = 0.01


def heuristic_result(solution: Mapping[str, Any], *, objective: float | None = None,
                     stats: dict[str, Any] | None = None, proof: str | None = None,
                     stop_reason: StopReason = StopReason.FINISHED,
                     stop_detail: str = "") -> MethodResult:
    """The method result of a heuristic's solution.

    A heuristic proves nothing: the status is ``feasible`` unless ``proof`` says why this
    solution is optimal (an exact special case, or an objective meeting a lower bound; then
    ``objective`` must be given and becomes the bound). :func:`schedkit.solve` re-checks the
    solution and adds the cheap lower bound.
    """
    out = dict(stats or {})
    if proof is not None:
        if objective is None:
            raise ValueError("a proved heuristic result needs its objective")
        out["proof"] = proof
        return MethodResult(solution, Status.OPTIMAL, bound=objective, objective=objective,
                            stop_reason=stop_reason, stop_detail=stop_detail or proof,
                            stats=out)
    return MethodResult(solution, Status.FEASIBLE, objective=objective, stop_reason=stop_reason,
                        stop_detail=stop_detail, stats=out)


def solution_adapter(target: str) -> Adapter:
    """An adapter for a heuristic ``"module:function"`` that maps an instance to a solution
    (imported when first run); its result is ``feasible``."""
    module, func = target.split(":")

    def run(instance: Instance, ctx: RunContext) -> MethodResult:
        make = getattr(importlib.import_module(module), func)
        return heuristic_result(make(instance))

    run.__doc__ = f"Adapter of {target}: the heuristic's solution, status feasible."
    return run


def proved_by_bound(objective: float, bound: float) -> bool:
    """Integral data make every objective integral: a bound above objective − 1 proves it."""
    return float(np.ceil(bound - 1e-6)) >= objective - 1e-9


def checked_initial(instance: Instance, ctx: RunContext) -> dict[str, Any] | None:
    """The run's ``initial`` solution (a copy), or InputError naming its first violation.

    Every method that takes an initial solution (as a start, a hint or an incumbent) checks
    it here first: an infeasible one is the caller's mistake.
    """
    if ctx.initial is None:
        return None
    bad = check(instance, ctx.initial)
    if bad:
        raise InputError(f"initial solution is infeasible: {bad[0]}", field="initial")
    return dict(ctx.initial)


@dataclass
class WarmStart:
    """The warm start of an exact method: the best cheap solution (``initial``, or a heuristic
    improved by a short search), its objective and how it was found (``stats``: ``hint_from``,
    ``hint_objective``, …). Empty (``solution is None``) when the ``hint`` option is off.

    The adapter hints the solver with it, bounds the model by it and, when the solver returns
    nothing as good, returns it instead (:meth:`instead_of`).
    """

    solution: dict[str, Any] | None = None
    objective: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def unsolved(self, reason: StopReason, detail: str) -> MethodResult:
        """The answer when the solver did not run: the warm start (``feasible``), or no
        solution (``unknown``) when there is none."""
        if self.solution is None:
            return MethodResult(None, Status.UNKNOWN, stop_reason=reason, stop_detail=detail,
                                stats=self.stats)
        return MethodResult(self.solution, Status.FEASIBLE, objective=self.objective,
                            stop_reason=reason,
                            stop_detail=f"{detail}; the warm start is returned",
                            stats=self.stats)

    def out_of_time(self, what: str = "building the model") -> MethodResult:
        """:meth:`unsolved` because the time limit ran out while doing ``what``."""
        return self.unsolved(StopReason.TIME_LIMIT, f"the time limit ran out while {what}")

    def interrupted(self) -> MethodResult:
        """:meth:`unsolved` because the run was interrupted before the solver started."""
        return self.unsolved(StopReason.INTERRUPTED, "interrupted before the solver started")

    def instead_of(self, solved: bool, value: float | None, bound: float | None,
                   reason: StopReason, detail: str) -> MethodResult | None:
        """The warm start as the answer when the solver returned no solution as good (a
        ``feasible`` result with the solver's ``bound``), else ``None``."""
        if self.solution is None or (solved and value is not None and self.objective is not None
                                     and value <= self.objective):
            return None
        return MethodResult(self.solution, Status.FEASIBLE, bound=bound,
                            objective=self.objective, stop_reason=reason,
                            stop_detail=f"{detail}; the warm start is the best schedule found",
                            stats=self.stats)
