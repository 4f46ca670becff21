"""Adapter of the single-machine dispatching rules (``edd``, ``mdd``, ``wspt``, ``atc``, …): one
adapter, the rule fixed by each method's registry line.

A rule is a heuristic: its status is ``feasible`` unless something proves the schedule optimal —
the rule is exact for this objective (EDD for 1||Lmax, WSPT for 1||ΣwjCj, Moore–Hodgson for
1||ΣUj) or the objective meets the cheap lower bound (e.g. zero tardiness).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics import single_machine as H
from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..common import heuristic_result, proved_by_bound
from ..registry import MethodResult, RunContext

__all__ = ["sequence_result", "run_rule"]

_EXACT_SOURCE = {
    "edd": "EDD is optimal for 1||Lmax (Jackson 1955)",
    "wspt": "WSPT is optimal for 1||ΣwjCj (Smith 1956)",
    "moore": "Moore-Hodgson is optimal for 1||ΣUj (Moore 1968)",
}


def sequence_result(inst: SingleMachine, seq: np.ndarray, name: str,
                    stats: dict[str, Any] | None = None, exact: str | None = None,
                    **result: Any) -> MethodResult:
    """The result of a heuristic sequence: ``optimal`` only with a proof (``exact``, or the
    objective meeting the cheap lower bound)."""
    value = H.sequence_value(inst, seq)
    out = dict(stats or {})
    out["rule"] = name
    proof = exact
    if proof is None and proved_by_bound(value, lower_bound(inst)):
        proof = "objective meets the lower bound"
    return heuristic_result(H.solution(inst, seq), objective=value, stats=out, proof=proof,
                            **result)


def run_rule(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """The sequence of the rule the method fixes (option ``rule``), with its look-ahead ``k``
    where it has one."""
    rule = ctx.options["rule"]
    kwargs = {"k": float(ctx.options["k"])} if "k" in ctx.options else {}
    seq = H.rule_sequence(instance, rule, **kwargs)
    exact = _EXACT_SOURCE[rule] if H.special_case_exact(instance, rule) else None
    return sequence_result(instance, seq, rule, stats=kwargs, exact=exact)
