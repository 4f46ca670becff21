"""Adapters of the DAG list schedulers ``heft``, ``cpop``, ``peft`` and ``list`` (Numba
kernels)."""

from __future__ import annotations

from ...heuristics.dag import cpop, dag_arrays, heft, list_scheduling, peft
from ...instances import DAG
from ..registry import MethodResult, RunContext
from .common import schedule_result

__all__ = ["run_heft", "run_cpop", "run_peft", "run_list"]


def run_heft(instance: DAG, ctx: RunContext) -> MethodResult:
    """HEFT (Topcuoglu, Hariri & Wu 2002); option ``insertion`` (default true)."""
    a = dag_arrays(instance)
    return schedule_result(a, heft(a, insertion=bool(ctx.options["insertion"])))


def run_cpop(instance: DAG, ctx: RunContext) -> MethodResult:
    """CPOP (Topcuoglu, Hariri & Wu 2002)."""
    a = dag_arrays(instance)
    return schedule_result(a, cpop(a))


def run_peft(instance: DAG, ctx: RunContext) -> MethodResult:
    """PEFT (Arabnejad & Barbosa 2014)."""
    a = dag_arrays(instance)
    return schedule_result(a, peft(a))


def run_list(instance: DAG, ctx: RunContext) -> MethodResult:
    """List scheduling (option ``priority``: bottom_level, hlfet, etf or random; ``random``
    draws its priorities from ``ctx.seed``)."""
    a = dag_arrays(instance)
    return schedule_result(a, list_scheduling(a, str(ctx.options["priority"]), seed=ctx.seed))
