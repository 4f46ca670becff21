"""The expert-placement methods: one registry line each."""

from __future__ import annotations

from ..common import solution_adapter
from ..registry import Kind, Method

__all__ = ["METHODS", "AUTO"]

PROBLEM = "expert_placement"

METHODS = (
    Method("baseline", PROBLEM, solution_adapter(
        "schedkit.heuristics.expert_placement.baseline:baseline_solution"), Kind.HEURISTIC,
        "trivial feasible placement: round robin over the slots"),
)

#: What ``method="auto"`` picks, in order of preference (the first that supports the objective).
AUTO = ("baseline",)
