"""Exact models of sequence parallel: CP-SAT (:mod:`.cpsat`) and MILP (:mod:`.milp`) of the
whole batch (the *full* model, micro-batch slots) and of one micro-batch (FlexSP's model,
optionally bucketed); :mod:`.common` holds what both share. They build models and never solve
them; the adapters in :mod:`schedkit.solvers.sequence_parallel` do."""

from .common import Items, candidate_groups, make_items, plan_solution, slot_count, time_scale
from .cpsat import SpCpSat, build_cpsat, build_full_cpsat, build_microbatch_cpsat, hint_cpsat
from .milp import SpMilp, build_full_milp, build_microbatch_milp, build_milp, hint_milp

__all__ = ["Items", "SpCpSat", "SpMilp", "build_cpsat", "build_full_cpsat",
           "build_full_milp", "build_microbatch_cpsat", "build_microbatch_milp", "build_milp",
           "candidate_groups", "hint_cpsat", "hint_milp", "make_items", "plan_solution",
           "slot_count", "time_scale"]
