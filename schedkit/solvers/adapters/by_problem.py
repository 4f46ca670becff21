"""Adapters for method names shared by several problems (``cpsat``, ``milp``, …).

The registry holds one Method per name; its adapter sends the instance to
``schedkit.solvers.adapters.<problem>_<name>.run``, imported only when used.
"""

from __future__ import annotations

import importlib

from ...instances import Instance
from ..registry import Outcome, RunContext

__all__ = ["cpsat", "milp"]


def _route(name: str, instance: Instance, ctx: RunContext) -> Outcome:
    module = importlib.import_module(f"schedkit.solvers.adapters.{instance.problem}_{name}")
    return module.run(instance, ctx)


def cpsat(instance: Instance, ctx: RunContext) -> Outcome:
    """The problem's CP-SAT adapter."""
    return _route("cpsat", instance, ctx)


def milp(instance: Instance, ctx: RunContext) -> Outcome:
    """The problem's MILP adapter."""
    return _route("milp", instance, ctx)
