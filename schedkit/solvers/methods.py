"""Every method schedkit has: one registry line each (the adapter is imported only when run)."""

from __future__ import annotations

from ..instances import PROBLEMS
from .registry import METHODS, Method, register

__all__ = ["AUTO", "all_methods"]

register(Method(
    "baseline", tuple(PROBLEMS), "schedkit.solvers.adapters.baseline:run", "heuristic",
    "trivial feasible schedule (jobs in order; given order; one processor; round robin; "
    "one group)",
))

#: What ``method="auto"`` picks, per problem, in order of preference.
AUTO: dict[str, tuple[str, ...]] = {problem: ("baseline",) for problem in PROBLEMS}


def all_methods() -> list[Method]:
    """Registered methods sorted by name."""
    return sorted(METHODS.values(), key=lambda m: m.name)
