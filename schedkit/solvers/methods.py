"""Every method schedkit has: one registry line each (the adapter is imported only when run).

``AUTO`` says what ``method="auto"`` picks per problem, in order of preference (the first one
that supports the instance's objective).
"""

from __future__ import annotations

from ..instances import PROBLEMS
from .registry import METHODS, Method, Option, register

__all__ = ["AUTO", "all_methods"]

# -- every problem --------------------------------------------------------------------------
register(Method(
    "baseline", tuple(PROBLEMS), "schedkit.solvers.adapters.baseline:run", "heuristic",
    "trivial feasible schedule (jobs in order; given order; one processor; round robin; "
    "one group)",
))

# -- shared names: one Method each, the adapter routes by problem ----------------------------
register(Method(
    "cpsat", ("jobshop",), "schedkit.solvers.adapters.by_problem:cpsat", "exact",
    "OR-Tools CP-SAT model (interval variables, no-overlap); proves optimality",
    options=(
        Option("model", str, "strong", "strong: heuristic horizon, makespan interval in every "
               "machine's no-overlap, redundant load bounds, hints; textbook: none of these",
               choices=("strong", "textbook"), problems=("jobshop",)),
    ),
))
register(Method(
    "milp", ("jobshop",), "schedkit.solvers.adapters.by_problem:milp", "exact",
    "MILP through PuLP (CBC bundled, HiGHS with highspy); honest time-limited status",
    options=(
        Option("backend", str, "cbc", "MILP solver", choices=("cbc", "highs")),
    ),
))

# -- jobshop --------------------------------------------------------------------------------
_ATC_K = Option("atc_k", float, 2.0, "look-ahead k of the ATC rule")
register(Method(
    "dispatch", ("jobshop",), "schedkit.solvers.adapters.jobshop_dispatch:run", "heuristic",
    "Giffler-Thompson active/non-delay schedule with a priority rule (Numba)",
    options=(
        Option("rule", str, "mwkr", "priority rule",
               choices=("spt", "lpt", "mwkr", "lwkr", "mopnr", "fifo", "edd", "atc",
                        "random")),
        Option("mode", str, "active", "schedule generation", choices=("active", "nondelay")),
        _ATC_K,
    ),
))
register(Method(
    "dispatch-best", ("jobshop",), "schedkit.solvers.adapters.jobshop_dispatch:run_best",
    "heuristic", "every dispatching rule in both modes (+ seeded random ones); the best",
    options=(Option("random_runs", int, 10, "random-rule runs per mode"), _ATC_K),
))

# -- single_machine -------------------------------------------------------------------------

# -- dag ------------------------------------------------------------------------------------

#: What ``method="auto"`` picks, per problem, in order of preference.
AUTO: dict[str, tuple[str, ...]] = {
    "jobshop": ("cpsat", "dispatch-best", "baseline"),
    "single_machine": ("baseline",),
    "dag": ("baseline",),
    "expert_placement": ("baseline",),
    "sequence_parallel": ("baseline",),
}


def all_methods() -> list[Method]:
    """Registered methods sorted by name."""
    return sorted(METHODS.values(), key=lambda m: m.name)
