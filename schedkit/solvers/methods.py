"""Every method schedkit has: one registry line each (the adapter is imported only when run).

``AUTO`` says what ``method="auto"`` picks per problem, in order of preference (the first one
that supports the instance's objective).
"""

from __future__ import annotations

from ..instances import PROBLEMS
from .registry import METHODS, Method, register

__all__ = ["AUTO", "all_methods"]

# -- every problem --------------------------------------------------------------------------
register(Method(
    "baseline", tuple(PROBLEMS), "schedkit.solvers.adapters.baseline:run", "heuristic",
    "trivial feasible schedule (jobs in order; given order; one processor; round robin; "
    "one group)",
))

# -- jobshop --------------------------------------------------------------------------------

# -- single_machine -------------------------------------------------------------------------

# -- dag ------------------------------------------------------------------------------------

#: What ``method="auto"`` picks, per problem, in order of preference.
AUTO: dict[str, tuple[str, ...]] = {
    "jobshop": ("baseline",),
    "single_machine": ("baseline",),
    "dag": ("baseline",),
    "expert_placement": ("baseline",),
    "sequence_parallel": ("baseline",),
}


def all_methods() -> list[Method]:
    """Registered methods sorted by name."""
    return sorted(METHODS.values(), key=lambda m: m.name)
