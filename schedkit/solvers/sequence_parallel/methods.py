"""The sequence-parallel methods: one registry line each (the adapter is imported only when it
runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.sequence_parallel.baselines import ADAPTIVE_MARGIN, WLB_EXTRA
from ...heuristics.sequence_parallel.warmup import warm_up
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO"]

PROBLEM = "sequence_parallel"
_HERE = __name__.rsplit(".", 1)[0]

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
    Method("wlb", PROBLEM, f"{_HERE}.baselines:run_wlb", Kind.HEURISTIC,
           "degree 1 only: WLB-LLM workload-balanced packing (a1·s²+a2·s) over the DP ranks "
           "under the token capacity (Numba)",
           options=(Option("extra", int, WLB_EXTRA, "also try this many more micro-batches "
                           "than the fewest that fit", minimum=0),),
           warm_up=partial(warm_up, "packing")),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("adaptive", "baseline")
