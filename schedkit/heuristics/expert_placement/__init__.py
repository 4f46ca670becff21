"""Heuristics of expert placement: the round-robin baseline, DeepSeek EPLB's policies and the
fast planner ``balance``."""

from .balance import balance_solution
from .baseline import baseline_solution
from .eplb import eplb_solution, rebalance_experts

__all__ = ["balance_solution", "baseline_solution", "eplb_solution", "rebalance_experts"]
