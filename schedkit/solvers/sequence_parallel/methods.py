"""The sequence-parallel methods: one registry line each (the adapter is imported only when it
runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.sequence_parallel.baselines import ADAPTIVE_MARGIN, WLB_EXTRA
from ...heuristics.sequence_parallel.planner import EXTRA as HETSP_EXTRA
from ...heuristics.sequence_parallel.planner import STARTS as HETSP_STARTS
from ...heuristics.sequence_parallel.planner import SWAPS as HETSP_SWAPS
from ...heuristics.sequence_parallel.split import (
    EXACT_MODELS,
    FULL_MAX_SEQUENCES,
    SPLIT_BUCKETS,
    SPLIT_EXTRA,
)
from ...heuristics.sequence_parallel.warmup import warm_up
from .. import options as shared
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO"]

PROBLEM = "sequence_parallel"
_HERE = __name__.rsplit(".", 1)[0]

# The options of the exact methods (cpsat, milp).
_EXACT_OPTIONS = (
    Option("model", str, "auto", "full: the whole batch in one exact model (micro-batch "
           "slots); split: FlexSP's linear-partition split into micro-batches, one model each "
           f"(feasible, no global proof); auto: full up to {FULL_MAX_SEQUENCES} sequences, "
           "else split", choices=EXACT_MODELS),
    Option("buckets", int, SPLIT_BUCKETS, "split mode: bucket each micro-batch's lengths "
           "into at most this many buckets (padding-minimising DP; 0 = off, one item per "
           "distinct length)",
           minimum=0),
    Option("extra", int, SPLIT_EXTRA, "split mode: candidate micro-batch counts beyond "
           "the fewest the linear partition can cut", minimum=0),
    shared.hint("the best of hetsp, adaptive, megatron-dcp and static (or initial); "
                "returned when the solver finds nothing better"),
    shared.hint_time("10 % of the time limit, at most 1 s (1 s without one); 0: the "
                     "baselines only"),
)

METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.sequence_parallel.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible allocation: one group of all devices, micro-batches in input order"),
    Method("static", PROBLEM, f"{_HERE}.baselines:run_static", Kind.HEURISTIC,
           "FlexSP's static baseline: one SP group of the largest degree, micro-batches by "
           "best-fit decreasing on tokens (Numba)", warm_up=partial(warm_up, "packing")),
    Method("adaptive", PROBLEM, f"{_HERE}.baselines:run_adaptive", Kind.HEURISTIC,
           "FlexSP's adaptive baseline: the best homogeneous SP degree, best-fit decreasing "
           "at 90 % of a group's memory (Numba)",
           options=(
               Option("margin", float, ADAPTIVE_MARGIN, "fraction of a group's memory the "
                      "packing fills (FlexSP: 0.9); a longer sequence gets a group alone",
                      minimum=0.01),
               Option("degree", int, 0, "use only this degree (0 = the best allowed one)",
                      minimum=0),
           ), warm_up=partial(warm_up, "packing")),
    Method("megatron-dcp", PROBLEM, f"{_HERE}.baselines:run_dcp", Kind.HEURISTIC,
           "Megatron-Core-style dynamic context parallelism: power-of-two CP size per sample, "
           "samples by length, micro-batches filled greedily (Numba)",
           warm_up=partial(warm_up, "packing")),
    Method("hetsp", PROBLEM, f"{_HERE}.planner:run", Kind.METAHEURISTIC,
           "fast planner: micro-batch count, sorted-run/LPT assignment, mixed-degree groups by "
           "bisection on best-fit decreasing, move/swap local search between micro-batches "
           "(Numba, seeded)",
           options=(
               Option("starts", int, HETSP_STARTS, "starts per micro-batch count (sorted "
                      "runs, LPT, then perturbed LPT), each improved by the local search",
                      minimum=1),
               Option("extra", int, HETSP_EXTRA, "micro-batch counts tried beyond the fewest "
                      "the memory allows", minimum=0),
               Option("swaps", int, HETSP_SWAPS, "swap partners tried in each other "
                      "micro-batch (0: moves only)", minimum=0),
               shared.iterations("one step: a start's assignment or one visit of a "
                                 "micro-batch by the local search", "every start to the end "
                                 "of its descent"),
           ), warm_up=partial(warm_up, "planner")),
    Method("wlb", PROBLEM, f"{_HERE}.baselines:run_wlb", Kind.HEURISTIC,
           "degree 1 only: WLB-LLM workload-balanced packing (a1·s²+a2·s) over the DP ranks "
           "under the token capacity (Numba)",
           options=(Option("extra", int, WLB_EXTRA, "also try this many more micro-batches "
                           "than the fewest that fit", minimum=0),),
           warm_up=partial(warm_up, "packing")),
    Method("cpsat", PROBLEM, f"{_HERE}.cpsat:run", Kind.EXACT,
           "OR-Tools CP-SAT model (times scaled to integers, rounded down for a valid bound) "
           "of the whole batch, or FlexSP's split into per-micro-batch models",
           options=_EXACT_OPTIONS, warm_up=partial(warm_up, "packing", "split", "planner"),
           backends=shared.CPSAT),
    Method("milp", PROBLEM, f"{_HERE}.milp:run", Kind.EXACT,
           "FlexSP's MILP through PuLP (CBC bundled, HiGHS with highspy) of the whole batch, "
           "or per micro-batch after the linear-partition split; honest time-limited status",
           options=(shared.backend(), *_EXACT_OPTIONS),
           warm_up=partial(warm_up, "packing", "split", "planner"),
           backends=shared.HIGHS),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("hetsp", "adaptive", "baseline")
