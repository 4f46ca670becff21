"""The job-shop methods: one registry line each (the adapter is imported only when it runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.jobshop.dispatch import DEFAULT_ATC_K, MODES, RULES
from ...heuristics.jobshop.neighbourhoods import DEFAULT_SIZES, DESTROYS
from ...heuristics.jobshop.tabu import DEFAULT_RESTART
from ...heuristics.jobshop.warmup import warm_up
from .. import options as shared
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO"]

PROBLEM = "jobshop"
_HERE = __name__.rsplit(".", 1)[0]
_ATC_K = Option("atc_k", float, DEFAULT_ATC_K, "look-ahead k of the ATC rule")
_WARM = "the best dispatching rule + tabu search (makespan)"
_HINT_TIME = ("a third of the time limit, or 2 s without one; the search also ends after "
              "100 000 iterations without a new best")


METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.jobshop.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible schedule: jobs one after another", warm_up=partial(warm_up, "baseline")),
    Method("cpsat", PROBLEM, f"{_HERE}.cpsat:run", Kind.EXACT,
           "OR-Tools CP-SAT model (interval variables, no-overlap); proves optimality",
           options=(
               Option("model", str, "strong", "strong: heuristic horizon, makespan interval in "
                      "every machine's no-overlap, redundant load bounds, hints; textbook: "
                      "none of these", choices=("strong", "textbook")),
               shared.hint(_WARM + " (strong model)"),
               shared.hint_time(_HINT_TIME),
           ), warm_up=partial(warm_up, "dispatch", "tabu"),
           backends=shared.CPSAT),
    Method("milp", PROBLEM, f"{_HERE}.milp:run", Kind.EXACT,
           "Manne's disjunctive MILP through PuLP (CBC bundled, HiGHS with highspy); honest "
           "time-limited status",
           options=(shared.backend(), shared.hint(_WARM), shared.hint_time(_HINT_TIME)),
           warm_up=partial(warm_up, "dispatch", "tabu"),
           backends=shared.HIGHS),
    Method("dispatch", PROBLEM, f"{_HERE}.dispatch:run", Kind.HEURISTIC,
           "Giffler-Thompson active/non-delay schedule with a priority rule (Numba)",
           options=(
               Option("rule", str, "mwkr", "priority rule", choices=tuple(RULES)),
               Option("mode", str, "active", "schedule generation", choices=MODES),
               _ATC_K,
           ), warm_up=partial(warm_up, "dispatch")),
    Method("dispatch-best", PROBLEM, f"{_HERE}.dispatch:run_best", Kind.HEURISTIC,
           "every dispatching rule in both modes (+ seeded random ones); the best",
           options=(Option("random_runs", int, 10, "random-rule runs per mode", minimum=0),
                    _ATC_K), warm_up=partial(warm_up, "dispatch")),
    Method("tabu", PROBLEM, f"{_HERE}.tabu:run", Kind.METAHEURISTIC,
           "tabu search, N5 neighbourhood (Nowicki & Smutnicki 1996), random tenure, kicks "
           "(Numba)",
           options=(
               shared.iterations("one tabu move", "200 000"),
               shared.restart(DEFAULT_RESTART, " and kick it"),
               Option("strength", int, 4, "random swaps of adjacent critical operations per "
                      "kick", minimum=0),
               shared.stall(0),
           ),
           objectives=("makespan",), warm_up=partial(warm_up, "dispatch", "tabu")),
    Method("alns", PROBLEM, f"{_HERE}.alns:run", Kind.METAHEURISTIC,
           "adaptive large-neighbourhood search: bandit-chosen destroys (random, machines, "
           "window, critical, jobs; three sizes), CP-SAT or HiGHS repair, N5 tabu polish",
           options=shared.alns(
               "one destroy and repair", "200", DESTROYS,
               Option("sizes", str, ",".join(f"{s:g}" for s in DEFAULT_SIZES),
                      "shares of the operations a destroy frees, comma-separated (one "
                      "variant per structure and size)"),
               Option("repair", str, "cpsat", "cpsat: CP-SAT on the freed part with the rest "
                      "in order and hints; milp: Manne's MILP with the order binaries of the "
                      "rest fixed, HiGHS", choices=("cpsat", "milp")),
               Option("repair_time", float, 1.0, "limit of one repair: CP-SAT deterministic "
                      "seconds, HiGHS seconds", minimum=0.001),
               Option("polish", int, 500, "N5 tabu iterations after each repair (makespan; "
                      "0: none)", minimum=0),
               Option("differ", bool, False, "a repair returns the best schedule of the "
                      "neighbourhood with another machine order, which may be worse, so the "
                      "annealing (worse, accept) and restart act; off: the best of the "
                      "neighbourhood, never worse (a descent: they have nothing to act on)"),
               shared.hint_time(_HINT_TIME + " (makespan); the start of the search"),
           ), fixed={"hint": True}, warm_up=partial(warm_up, "dispatch", "tabu")),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("cpsat", "dispatch-best", "baseline")
