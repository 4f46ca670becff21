"""Job-shop heuristics: Giffler–Thompson dispatching with priority rules, N5 tabu search for the
makespan, the destroys of the ALNS (:mod:`.neighbourhoods`), and the trivial baseline. Kernels
by concern (:mod:`.dispatch_kernels`, :mod:`.tabu_kernels`), each with its wrapper."""

from .baseline import baseline_solution
from .dispatch import DEFAULT_ATC_K, MODES, RULES, dispatch, dispatch_best, flat_starts, start_lists
from .tabu import DEFAULT_RESTART, default_tenure, tabu_improve, tabu_search

__all__ = [
    "DEFAULT_ATC_K",
    "DEFAULT_RESTART",
    "MODES",
    "RULES",
    "baseline_solution",
    "default_tenure",
    "dispatch",
    "dispatch_best",
    "flat_starts",
    "start_lists",
    "tabu_improve",
    "tabu_search",
]
