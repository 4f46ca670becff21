"""The expert-placement methods: one registry line each (the adapter is imported only when it
runs)."""

from __future__ import annotations

from functools import partial

from ...heuristics.expert_placement.balance import DEFAULT_STARTS, DEFAULT_TOLERANCE
from ...heuristics.expert_placement.warmup import warm_up
from .. import options as shared
from ..common import solution_adapter
from ..registry import Kind, Method, Option

__all__ = ["METHODS", "AUTO"]

PROBLEM = "expert_placement"
_HERE = __name__.rsplit(".", 1)[0]
_SPLIT = Option("split", str, "even", "even: an expert's load splits evenly over its replicas "
                "(EPLB's model, what the evaluator scores); free: tokens split freely over the "
                "replicas (SGLang/LPLB style), a lower bound of the even split",
                choices=("even", "free"))
_HIERARCHICAL = Option("hierarchical", bool, False, "keep every expert group on one node "
                       "(needs the instance's groups; EPLB's hierarchical policy)")

METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.expert_placement.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible placement: round robin over the slots",
        warm_up=partial(warm_up, "baseline")),
    Method("eplb", PROBLEM, f"{_HERE}.eplb:run", Kind.HEURISTIC,
           "DeepSeek EPLB's hierarchical / global policy, re-implemented (greedy, no bound)",
           options=(
               Option("policy", str, "auto", "auto (hierarchical when the groups divide over "
                      "the nodes, as EPLB), hierarchical or global",
                      choices=("auto", "hierarchical", "global")),
               Option("fix_defects", bool, True, "never two replicas of one expert on one "
                      "GPU (EPLB issue #22) and ties broken by expert id (issue #8); false: "
                      "EPLB's own behaviour, exactly (its plans can then be infeasible)"),
           ), warm_up=partial(warm_up, "eplb")),
    Method("balance", PROBLEM, f"{_HERE}.balance:run", Kind.METAHEURISTIC,
           "fast planner: replica apportionment, distinct-GPU placement and a move/swap "
           "local search off the heaviest GPU, multi-start (Numba, seeded)",
           options=(
               Option("starts", int, DEFAULT_STARTS, "multi-start: constructions (LPT, "
                      "replica trades, perturbed orders) and their local search per layer",
                      minimum=1),
               shared.iterations("one start of one layer (a construction and its local "
                                 "search), or one kick in traffic mode", "every start of "
                                 "every layer"),
               Option("tolerance", float, DEFAULT_TOLERANCE, "relative gap to a layer's "
                      "lower bound at which its further starts are skipped", minimum=0.0),
               Option("eplb_start", bool, False, "also start from EPLB's plan: never worse "
                      "than EPLB by construction, costs EPLB's time"),
           ), warm_up=partial(warm_up, "balance", "eplb")),
    Method("cpsat", PROBLEM, f"{_HERE}.cpsat:run", Kind.EXACT,
           "OR-Tools CP-SAT model of the even split (replica counts and placement, layers "
           "independent); proves optimality",
           options=(_SPLIT, _HIERARCHICAL, shared.hint("the balance planner; EPLB's "
                                                       "hierarchical plan with hierarchical")),
           warm_up=partial(warm_up, "balance", "eplb"),
           backends=shared.CPSAT),
    Method("milp", PROBLEM, f"{_HERE}.milp:run", Kind.EXACT,
           "MILP of the even split through PuLP (CBC bundled, HiGHS with highspy); honest "
           "time-limited status",
           options=(shared.backend(), _SPLIT, _HIERARCHICAL,
                    shared.hint("the balance planner; EPLB's hierarchical plan with "
                                "hierarchical")),
           warm_up=partial(warm_up, "balance", "eplb"),
           backends=shared.HIGHS),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("balance", "baseline")
