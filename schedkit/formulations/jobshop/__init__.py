"""Exact job-shop models: CP-SAT (interval scheduling) and the disjunctive MILP of Manne."""

from .cpsat import JobShopCpSat, build_cpsat, keep_order
from .milp import JobShopMilp, build_milp, keep_order_milp

__all__ = ["JobShopCpSat", "JobShopMilp", "build_cpsat", "build_milp", "keep_order",
           "keep_order_milp"]
