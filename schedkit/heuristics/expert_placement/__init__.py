"""Heuristics of expert placement: for now the trivial baseline."""

from .baseline import baseline_solution

__all__ = ["baseline_solution"]
