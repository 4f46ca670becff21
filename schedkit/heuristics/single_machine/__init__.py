"""Single-machine heuristics: dispatching rules, iterated local search, the subset DP, and the
trivial baseline. Kernels by concern (:mod:`.objective_kernels`, :mod:`.rule_kernels`,
:mod:`.local_search_kernels`, :mod:`.dp_kernels`), each with its wrapper."""

from .baseline import baseline_solution
from .dp import DP_DEFAULT_MAX_JOBS, dp_optimum
from .local_search import descent_window, local_search
from .rules import (
    ATC_DEFAULT_K,
    COVERT_DEFAULT_K,
    RULES,
    best_rule,
    rule_sequence,
    special_case_exact,
)
from .sequences import dynasearch_fits, job_arrays, objective_code, sequence_value, solution
from .ssdp import SSDP_MAX_M, SSDP_MAX_STATES, Finish, ssdp_search

__all__ = [
    "ATC_DEFAULT_K",
    "COVERT_DEFAULT_K",
    "DP_DEFAULT_MAX_JOBS",
    "RULES",
    "SSDP_MAX_M",
    "SSDP_MAX_STATES",
    "Finish",
    "baseline_solution",
    "best_rule",
    "descent_window",
    "dp_optimum",
    "dynasearch_fits",
    "job_arrays",
    "local_search",
    "objective_code",
    "rule_sequence",
    "sequence_value",
    "solution",
    "special_case_exact",
    "ssdp_search",
]
