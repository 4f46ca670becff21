"""Adapters of the DAG list schedulers ``heft``, ``cpop``, ``peft`` (Numba kernels)."""

from __future__ import annotations

from ...heuristics.dag import cpop, dag_arrays, heft, peft
from ...instances import DAG
from ..registry import Outcome, RunContext
from .dag_common import heuristic_outcome

__all__ = ["run_heft", "run_cpop", "run_peft"]


def run_heft(instance: DAG, ctx: RunContext) -> Outcome:
    """HEFT (Topcuoglu, Hariri & Wu 2002); option ``insertion`` (default true)."""
    a = dag_arrays(instance)
    return heuristic_outcome(a, heft(a, insertion=bool(ctx.options.get("insertion", True))))


def run_cpop(instance: DAG, ctx: RunContext) -> Outcome:
    """CPOP (Topcuoglu, Hariri & Wu 2002)."""
    a = dag_arrays(instance)
    return heuristic_outcome(a, cpop(a))


def run_peft(instance: DAG, ctx: RunContext) -> Outcome:
    """PEFT (Arabnejad & Barbosa 2014)."""
    a = dag_arrays(instance)
    return heuristic_outcome(a, peft(a))
