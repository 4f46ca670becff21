"""Heuristics of sequence parallel: the trivial baseline and the planners in use today
(static and adaptive SP from FlexSP's evaluation, Megatron-style dynamic CP, WLB-style packing
for degree 1)."""

from .baseline import baseline_solution
from .baselines import adaptive_plan, dcp_plan, sequence_times, static_plan, wlb_plan

__all__ = ["baseline_solution", "static_plan", "adaptive_plan", "dcp_plan", "wlb_plan",
           "sequence_times"]
