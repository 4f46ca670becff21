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

_SM = ("single_machine",)
# Warm start of the exact single-machine and job-shop models; single-machine dominance rules.
_SM_JS = ("single_machine", "jobshop")
_HINTS = (
    Option("hint", bool, True, "warm start (hint, bound): single machine: the best rule + local "
           "search; job shop (strong model): the best dispatching rule + tabu search",
           problems=_SM_JS),
    Option("hint_time", float, -1.0, "seconds of local or tabu search for the warm start "
           "(-1: single machine 10 % of the time limit, at most 2 s; job shop a third of it); "
           "the job-shop search also ends after 100 000 iterations without a new best",
           problems=_SM_JS),
    Option("dominance", bool, True, "add dominance precedences (Emmons; Jackson; Smith) when "
           "there are no release dates", problems=_SM),
)

# -- shared names: one Method each, the adapter routes by problem ----------------------------
register(Method(
    "cpsat", ("jobshop", "single_machine", "dag"), "schedkit.solvers.adapters.by_problem:cpsat",
    "exact",
    "OR-Tools CP-SAT model (interval variables, no-overlap); proves optimality",
    options=(
        Option("model", str, "strong", "strong: heuristic horizon, makespan interval in every "
               "machine's no-overlap, redundant load bounds, hints; textbook: none of these",
               choices=("strong", "textbook"), problems=("jobshop",)),
        Option("hint", bool, True, "hint the best cheap schedule (HEFT, PEFT, CPOP, list)",
               problems=("dag",)),
        Option("symmetry_breaking", bool, True, "order interchangeable processors",
               problems=("dag",)),
        Option("scale", float, 0.0, "model time units per instance unit (0: automatic)",
               problems=("dag",)),
        *_HINTS,
    ),
))
register(Method(
    "milp", ("jobshop", "single_machine", "dag"), "schedkit.solvers.adapters.by_problem:milp",
    "exact", "MILP through PuLP (CBC bundled, HiGHS with highspy); honest time-limited status",
    options=(
        Option("backend", str, "cbc", "MILP solver", choices=("cbc", "highs")),
        Option("model", str, "positional", "single machine: positional (Keha et al.) or "
               "time-indexed (Sousa & Wolsey)", choices=("positional", "time_indexed"),
               problems=_SM),
        *_HINTS,
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

register(Method(
    "tabu", ("jobshop",), "schedkit.solvers.adapters.jobshop_tabu:run", "metaheuristic",
    "tabu search, N5 neighbourhood (Nowicki & Smutnicki 1996), random tenure, kicks (Numba)",
    options=(
        Option("iterations", int, 0, "iteration limit (0: none with a time limit, else "
               "200 000)"),
        Option("restart", int, 0, "iterations without a new best before a kick from the best "
               "schedule (0: 20 000)"),
        Option("strength", int, 4, "random swaps of adjacent critical operations per kick"),
        Option("stall", int, 0, "stop after this many iterations without a new best (0: "
               "never)"),
    ),
    objectives={"jobshop": ("makespan",)},
))

# -- single_machine (cpsat and milp above) --------------------------------------------------
_SM_RULES = "schedkit.solvers.adapters.single_machine_rules:"
register(Method(
    "dp", _SM, "schedkit.solvers.adapters.single_machine_dp:run", "exact",
    "dynamic program over the 2^n subsets (Pareto labels with release dates)",
    options=(Option("max_jobs", int, 20, "refuse instances with more jobs"),),
))
for _name, _summary in (
    ("edd", "earliest due date (Jackson); optimal for Lmax without release dates"),
    ("spt", "shortest processing time first"),
    ("wspt", "weighted shortest processing time (Smith); optimal for ΣwjCj without releases"),
    ("mdd", "modified due date (Baker & Bertrand)"),
    ("moore", "Moore-Hodgson; optimal for ΣUj (equal weights) without release dates"),
    ("eddc", "EDD Challenger (Çetinkaya et al. 2025)"),
    ("mddc", "MDD Challenger (Çetinkaya et al. 2025)"),
):
    register(Method(_name, _SM, _SM_RULES + f"run_{_name}", "heuristic", _summary + " (Numba)"))
register(Method(
    "atc", _SM, _SM_RULES + "run_atc", "heuristic",
    "apparent tardiness cost (Vepsalainen & Morton) (Numba)",
    options=(Option("k", float, 2.0, "look-ahead parameter (Vepsalainen & Morton's k = 2)"),),
))
register(Method(
    "covert", _SM, _SM_RULES + "run_covert", "heuristic", "cost over time (Carroll) (Numba)",
    options=(Option("k", float, 2.0, "look-ahead in processing times of slack"),),
))
register(Method(
    "ls", _SM, "schedkit.solvers.adapters.single_machine_ls:run", "metaheuristic",
    "iterated local search: interchange/insertion descents, random kicks (Numba, seeded)",
    options=(
        Option("iterations", int, 0, "iteration limit (0: none with a time limit, else "
               "max(50, 40000 // n))"),
        Option("strength", int, 3, "random interchanges per kick"),
        Option("restart", int, 50, "kicks without a new best before returning to the best"),
        Option("stall", int, -1, "stop after this many kicks without a new best (-1: "
               "max(2000, 50 n); 0: never)"),
        Option("init", str, "best", "start: the best rule, or one rule",
               choices=("best", "edd", "spt", "wspt", "mdd", "atc", "covert", "moore", "eddc",
                        "mddc")),
    ),
))

# -- dag ------------------------------------------------------------------------------------
register(Method(
    "heft", ("dag",), "schedkit.solvers.adapters.dag_heuristics:run_heft", "heuristic",
    "HEFT: upward rank, earliest finish time with insertion (Topcuoglu et al. 2002; Numba)",
    options=(Option("insertion", bool, True, "let a task fill an idle gap between tasks "
                    "already on a processor"),),
))
register(Method(
    "cpop", ("dag",), "schedkit.solvers.adapters.dag_heuristics:run_cpop", "heuristic",
    "CPOP: critical path on its fastest processor, the rest by EFT (Topcuoglu et al. 2002)",
))
register(Method(
    "peft", ("dag",), "schedkit.solvers.adapters.dag_heuristics:run_peft", "heuristic",
    "PEFT: optimistic cost table look-ahead (Arabnejad & Barbosa 2014; Numba)",
))
register(Method(
    "list", ("dag",), "schedkit.solvers.adapters.dag_list:run", "heuristic",
    "list scheduling for P|prec|Cmax and beyond: a task starts as early as it can (Numba)",
    options=(Option("priority", str, "bottom_level", "bottom_level (b-level), hlfet (static "
                    "level), etf (earliest task first) or random (seeded)",
                    choices=("bottom_level", "hlfet", "etf", "random")),),
))

#: What ``method="auto"`` picks, per problem, in order of preference.
AUTO: dict[str, tuple[str, ...]] = {
    "jobshop": ("cpsat", "dispatch-best", "baseline"),
    "single_machine": ("ls", "baseline"),
    "dag": ("heft", "baseline"),
    "expert_placement": ("baseline",),
    "sequence_parallel": ("baseline",),
}


def all_methods() -> list[Method]:
    """Registered methods sorted by name."""
    return sorted(METHODS.values(), key=lambda m: m.name)
