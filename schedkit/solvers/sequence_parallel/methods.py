"""The sequence-parallel methods: one registry line each."""

from __future__ import annotations

from ..common import solution_adapter
from ..registry import Kind, Method

__all__ = ["METHODS", "AUTO"]

PROBLEM = "sequence_parallel"

METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.sequence_parallel.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible allocation: one group of all devices, micro-batches in input order"),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("baseline",)
