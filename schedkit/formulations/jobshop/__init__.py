"""Exact job-shop models: CP-SAT (interval scheduling) and the disjunctive MILP of Manne."""

from .cpsat import JobShopCpSat, build_cpsat, change_order, keep_order, machine_arcs
from .milp import JobShopMilp, build_milp, change_order_milp, keep_order_milp

__all__ = ["JobShopCpSat", "JobShopMilp", "build_cpsat", "build_milp", "change_order",
           "change_order_milp", "keep_order", "keep_order_milp", "machine_arcs"]
