"""Exact single-machine models (1|r_j|ΣwjTj, ΣTj, Lmax, ΣwjCj, ΣwjUj): build only, never solve.

``cpsat``: interval/no-overlap model for OR-Tools CP-SAT; ``milp``: positional-assignment and
time-indexed MILPs for PuLP. :func:`precedence_pairs` lists the dominance relations both use.
"""

from ._common import horizon, precedence_pairs

__all__ = ["horizon", "precedence_pairs"]
