"""Heuristics of sequence parallel: for now the trivial baseline."""

from .baseline import baseline_solution

__all__ = ["baseline_solution"]
