"""Numba kernels (arrays in, arrays out) and the heuristics built on them."""

from .baseline import baseline_solution

__all__ = ["baseline_solution"]
