"""Adapters of the single-machine dispatching rules (``edd``, ``mdd``, ``wspt``, ``atc``, …).

A rule is a heuristic: its status is ``feasible`` unless something proves the schedule optimal —
the rule is exact for this objective (EDD for 1||Lmax, WSPT for 1||ΣwjCj, Moore–Hodgson for
1||ΣUj) or the objective meets the cheap lower bound (e.g. zero tardiness).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics import single_machine as H
from ...instances import Instance, SingleMachine
from ...instances.evaluate import lower_bound
from ..registry import Outcome, RunContext

__all__ = ["heuristic_outcome", "run_edd", "run_spt", "run_wspt", "run_mdd", "run_atc",
           "run_covert", "run_moore", "run_eddc", "run_mddc"]

_EXACT_SOURCE = {
    "edd": "EDD is optimal for 1||Lmax (Jackson 1955)",
    "wspt": "WSPT is optimal for 1||ΣwjCj (Smith 1956)",
    "moore": "Moore-Hodgson is optimal for 1||ΣUj (Moore 1968)",
}


def proved_by_bound(objective: float, bound: float) -> bool:
    """Integral data make every objective integral: a bound above objective − 1 proves it."""
    return float(np.ceil(bound - 1e-6)) >= objective - 1e-9


def heuristic_outcome(inst: SingleMachine, seq: np.ndarray, name: str,
                      stats: dict[str, Any] | None = None,
                      exact: str | None = None) -> Outcome:
    """Outcome of a heuristic sequence: ``optimal`` only with a proof (``exact`` or the bound)."""
    value = H.sequence_value(inst, seq)
    lb = lower_bound(inst)
    out = dict(stats or {})
    out["rule"] = name
    if exact is not None:
        out["proof"] = exact
        return Outcome(H.sm_solution(inst, seq), "optimal", bound=value, objective=value,
                       stop_reason="exact special case", stats=out)
    if proved_by_bound(value, lb):
        out["proof"] = "objective meets the lower bound"
        return Outcome(H.sm_solution(inst, seq), "optimal", bound=value, objective=value,
                       stop_reason="heuristic meets the lower bound", stats=out)
    return Outcome(H.sm_solution(inst, seq), "feasible", objective=value,
                   stop_reason="heuristic finished", stats=out)


def _run(rule: str, instance: Instance, ctx: RunContext, **options: Any) -> Outcome:
    assert isinstance(instance, SingleMachine)
    seq = H.rule_sequence(instance, rule, **options)
    exact = _EXACT_SOURCE[rule] if H.special_case_exact(instance, rule) else None
    return heuristic_outcome(instance, seq, rule, stats=dict(options), exact=exact)


def run_edd(instance: Instance, ctx: RunContext) -> Outcome:
    """Earliest due date (Jackson 1955); optimal for Lmax without release dates."""
    return _run("edd", instance, ctx)


def run_spt(instance: Instance, ctx: RunContext) -> Outcome:
    """Shortest processing time first."""
    return _run("spt", instance, ctx)


def run_wspt(instance: Instance, ctx: RunContext) -> Outcome:
    """Smith's ratio rule; optimal for ΣwjCj without release dates."""
    return _run("wspt", instance, ctx)


def run_mdd(instance: Instance, ctx: RunContext) -> Outcome:
    """Modified due date (Baker & Bertrand 1982)."""
    return _run("mdd", instance, ctx)


def run_atc(instance: Instance, ctx: RunContext) -> Outcome:
    """Apparent tardiness cost (Vepsalainen & Morton 1987) with look-ahead ``k``."""
    return _run("atc", instance, ctx, k=float(ctx.options["k"]))


def run_covert(instance: Instance, ctx: RunContext) -> Outcome:
    """COVERT (Carroll 1965) with look-ahead ``k``."""
    return _run("covert", instance, ctx, k=float(ctx.options["k"]))


def run_moore(instance: Instance, ctx: RunContext) -> Outcome:
    """Moore–Hodgson (Moore 1968); optimal for ΣUj without release dates."""
    return _run("moore", instance, ctx)


def run_eddc(instance: Instance, ctx: RunContext) -> Outcome:
    """EDD Challenger (Çetinkaya et al. 2025)."""
    return _run("eddc", instance, ctx)


def run_mddc(instance: Instance, ctx: RunContext) -> Outcome:
    """MDD Challenger (Çetinkaya et al. 2025)."""
    return _run("mddc", instance, ctx)
