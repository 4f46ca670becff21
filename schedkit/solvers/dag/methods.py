"""The task-graph methods: one registry line each (the adapter is imported only when it runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.dag import LIST_PRIORITIES
from ...heuristics.dag.neighbourhoods import DEFAULT_SIZES, DESTROYS
from ...heuristics.dag.warmup import warm_up
from .. import options as shared
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO", "AUTO_TIMED"]

PROBLEM = "dag"
_HERE = __name__.rsplit(".", 1)[0]


METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.dag.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible schedule: everything on one processor in topological order",
        warm_up=partial(warm_up, "baseline")),
    Method("cpsat", PROBLEM, f"{_HERE}.cpsat:run", Kind.EXACT,
           "OR-Tools CP-SAT model (interval variables, no-overlap); proves optimality",
           options=(
               Option("hint", bool, True, "hint the best cheap schedule (HEFT, PEFT, CPOP, "
                      "list)"),
               Option("symmetry_breaking", bool, True, "order interchangeable processors"),
               Option("scale", float, 0.0, "model time units per instance unit (0: "
                      "automatic)", minimum=0.0),
           ), warm_up=partial(warm_up, "list"),
           backends=shared.CPSAT),
    Method("milp", PROBLEM, f"{_HERE}.milp:run", Kind.EXACT,
           "MILP through PuLP (CBC bundled, HiGHS with highspy); honest time-limited status",
           options=(shared.backend(),), warm_up=partial(warm_up, "list"),
           backends=shared.HIGHS),
    Method("heft", PROBLEM, f"{_HERE}.list_scheduling:run_heft", Kind.HEURISTIC,
           "HEFT: upward rank, earliest finish time with insertion (Topcuoglu et al. 2002; "
           "Numba)",
           options=(Option("insertion", bool, True, "let a task fill an idle gap between "
                           "tasks already on a processor"),), warm_up=partial(warm_up, "list")),
    Method("cpop", PROBLEM, f"{_HERE}.list_scheduling:run_cpop", Kind.HEURISTIC,
           "CPOP: critical path on its fastest processor, the rest by EFT (Topcuoglu et al. "
           "2002)", warm_up=partial(warm_up, "list")),
    Method("peft", PROBLEM, f"{_HERE}.list_scheduling:run_peft", Kind.HEURISTIC,
           "PEFT: optimistic cost table look-ahead (Arabnejad & Barbosa 2014; Numba)",
           warm_up=partial(warm_up, "list")),
    Method("list", PROBLEM, f"{_HERE}.list_scheduling:run_list", Kind.HEURISTIC,
           "list scheduling for P|prec|Cmax and beyond: a task starts as early as it can "
           "(Numba)",
           options=(Option("priority", str, "bottom_level", "bottom_level (b-level), hlfet "
                           "(static level), etf (earliest task first) or random (seeded)",
                           choices=LIST_PRIORITIES),), warm_up=partial(warm_up, "list")),
    Method("alns", PROBLEM, f"{_HERE}.alns:run", Kind.METAHEURISTIC,
           "adaptive large-neighbourhood search from the best of HEFT/PEFT/CPOP/list: window, "
           "processor-subset and random destroys, CP-SAT repair; never worse than its start",
           options=shared.alns(
               "one destroy and repair", "100", DESTROYS,
               Option("sizes", str, ",".join(f"{s:g}" for s in DEFAULT_SIZES),
                      "shares of the tasks a destroy frees, comma-separated (one variant per "
                      "structure and size)"),
               Option("repair_time", float, 1.0, "limit of one CP-SAT repair in deterministic "
                      "seconds", minimum=0.001),
           ), warm_up=partial(warm_up, "list")),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("heft", "baseline")

#: What ``method="auto"`` picks when the run has a time limit: ``alns`` starts from the HEFT
#: schedule and never returned a longer one on the bundled WfCommons workflows, up to 16.6 %
#: shorter at 30 s (``benchmarks/alns.md`` §3); HEFT alone finishes at once and would leave
#: the time unused.
AUTO_TIMED = ("alns", "heft", "baseline")
