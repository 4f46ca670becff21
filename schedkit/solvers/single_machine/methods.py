"""The single-machine methods: one registry line each (the adapter is imported only when it
runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.single_machine.dp import DP_DEFAULT_MAX_JOBS
from ...heuristics.single_machine.neighbourhoods import DEFAULT_SIZES, DESTROYS, REPAIRS
from ...heuristics.single_machine.rules import ATC_DEFAULT_K, COVERT_DEFAULT_K, RULES
from ...heuristics.single_machine.sequences import NEIGHBOURHOODS
from ...heuristics.single_machine.ssdp import (
    SSDP_ITERATIONS,
    SSDP_MAX_M,
    SSDP_MAX_STATES,
    SSDP_STAGE3_ITERATIONS,
)
from ...heuristics.single_machine.warmup import warm_up
from .. import options as shared
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO"]

PROBLEM = "single_machine"
_HERE = __name__.rsplit(".", 1)[0]
_WARM = "the best rule + local search"
_HINT_TIME = "10 % of the time limit, at most 2 s; 0.5 s without a limit"
_NEIGHBOURHOOD = Option("neighbourhood", str, "auto", "descent: vnd (interchange and insertion "
                        "descents), dynasearch (best set of independent swaps and insertions; "
                        "sum objectives, no release dates), auto (dynasearch where it applies)",
                        choices=NEIGHBOURHOODS)
_DOMINANCE = Option("dominance", bool, True, "add dominance precedences (Emmons; Jackson; "
                    "Smith) when there are no release dates")

_RULES = {
    "edd": "earliest due date (Jackson); optimal for Lmax without release dates",
    "spt": "shortest processing time first",
    "wspt": "weighted shortest processing time (Smith); optimal for ΣwjCj without releases",
    "mdd": "modified due date (Baker & Bertrand)",
    "moore": "Moore-Hodgson; optimal for ΣUj (equal weights) without release dates",
    "eddc": "EDD Challenger (Çetinkaya et al. 2025)",
    "mddc": "MDD Challenger (Çetinkaya et al. 2025)",
    "atc": "apparent tardiness cost (Vepsalainen & Morton)",
    "covert": "cost over time (Carroll)",
}
_LOOK_AHEAD = {
    "atc": Option("k", float, ATC_DEFAULT_K, "look-ahead parameter (Vepsalainen & Morton's "
                  "k = 2)"),
    "covert": Option("k", float, COVERT_DEFAULT_K, "look-ahead in processing times of slack"),
}
assert set(_RULES) == set(RULES), "every rule needs a registry line"


METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.single_machine.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible schedule: the jobs in the given order",
        warm_up=partial(warm_up, "baseline")),
    Method("cpsat", PROBLEM, f"{_HERE}.cpsat:run", Kind.EXACT,
           "OR-Tools CP-SAT model (interval variables, no-overlap); proves optimality",
           options=(shared.hint(_WARM), shared.hint_time(_HINT_TIME), _DOMINANCE),
           warm_up=partial(warm_up, "rules", "ls"),
           backends=shared.CPSAT),
    Method("milp", PROBLEM, f"{_HERE}.milp:run", Kind.EXACT,
           "MILP through PuLP (CBC bundled, HiGHS with highspy); honest time-limited status",
           options=(
               shared.backend(),
               Option("model", str, "positional", "positional (Keha et al.) or time-indexed "
                      "(Sousa & Wolsey)", choices=("positional", "time_indexed")),
               shared.hint(_WARM), shared.hint_time(_HINT_TIME), _DOMINANCE,
           ), warm_up=partial(warm_up, "rules", "ls"),
           backends=shared.HIGHS),
    Method("dp", PROBLEM, f"{_HERE}.dp:run", Kind.EXACT,
           "dynamic program over the 2^n subsets (Pareto labels with release dates)",
           options=(Option("max_jobs", int, DP_DEFAULT_MAX_JOBS, "refuse instances with more "
                           "jobs", minimum=1),), warm_up=partial(warm_up, "rules", "dp")),
    Method("ssdp", PROBLEM, f"{_HERE}.ssdp:run", Kind.EXACT,
           "successive sublimation DP (Tanaka, Fujikuma & Araki 2009): Lagrangian bound, "
           "job-occurrence constraints added to the DP state, CP-SAT on the completion times "
           "left; no release dates (Numba)",
           options=(
               Option("hint_time", float, -1.0, "seconds of ls for the incumbent (-1: 10 % of "
                      "the time limit, at most 2 s; 0.5 s without a limit)"),
               Option("iterations", int, SSDP_ITERATIONS, "most subgradient iterations of stage 1",
                      minimum=1),
               Option("max_states", int, SSDP_MAX_STATES, "most stage-3 states held at once "
                      "(about 32 bytes each)", minimum=1024),
               Option("max_m", int, SSDP_MAX_M, "most jobs with occurrence constraints "
                      "(capped at what one int64 state key holds: 56 at n = 100)", minimum=0),
               Option("add", int, 2, "most jobs added to M per round", minimum=1),
               Option("stage3_iterations", int, SSDP_STAGE3_ITERATIONS,
                      "most subgradient steps on the stage-3 relaxation per |M|", minimum=1),
               Option("finish", bool, True, "after stages 1 and 2 and at a stage-3 cap, give "
                      "CP-SAT a share of the time on the completion times left"),
           ), objectives=("total_weighted_tardiness", "total_tardiness",
                          "total_weighted_completion"),
           warm_up=partial(warm_up, "rules", "ls", "ssdp")),
    *(Method(rule, PROBLEM, f"{_HERE}.rules:run_rule", Kind.HEURISTIC, summary + " (Numba)",
             options=(_LOOK_AHEAD[rule],) if rule in _LOOK_AHEAD else (),
             fixed={"rule": rule}, warm_up=partial(warm_up, "rules"))
      for rule, summary in _RULES.items()),
    Method("ls", PROBLEM, f"{_HERE}.ls:run", Kind.METAHEURISTIC,
           "iterated local search: dynasearch or interchange/insertion descents, random kicks "
           "(Numba, seeded)",
           options=(
               shared.iterations("one kick and descent", "max(50, 40000 // n)"),
               Option("strength", int, 3, "random interchanges per kick", minimum=0),
               shared.restart(50, ""),
               shared.stall(-1, "max(2000, 50 n)"),
               Option("init", str, "best", "start: the best rule, or one rule",
                      choices=("best", *RULES)),
               _NEIGHBOURHOOD,
           ), warm_up=partial(warm_up, "rules", "ls")),
    Method("alns", PROBLEM, f"{_HERE}.alns:run", Kind.METAHEURISTIC,
           "adaptive large-neighbourhood search: window/random/costly destroys, window DP or "
           "greedy insertion repair, descent (Numba kernels)",
           options=shared.alns(
               "one destroy, repair and descent", "5000", DESTROYS,
               Option("sizes", str, ",".join(map(str, DEFAULT_SIZES)), "jobs a destroy frees, "
                      "comma-separated (one variant per structure and size; at most 16)"),
               shared.operators("repairs", REPAIRS, "repairs"), _NEIGHBOURHOOD,
           ), warm_up=partial(warm_up, "rules", "ls", "alns")),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("ls", "baseline")
