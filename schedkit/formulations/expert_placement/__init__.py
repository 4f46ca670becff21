"""Exact models of expert placement: CP-SAT (:mod:`.cpsat`) and MILP (:mod:`.milp`) of the even
split (and the free split, a relaxation), with the hierarchical group-to-node constraint,
migration budgets and the cross-layer traffic objective; :mod:`.common` holds what both share.
They build models and never solve them; the adapters in
:mod:`schedkit.solvers.expert_placement` do."""

from .cpsat import PlacementCpSat, build_cpsat, hint_cpsat
from .cpsat import minimise_moves as minimise_moves_cpsat
from .milp import (
    PatternMilp,
    PlacementMilp,
    build_milp,
    build_pattern_milp,
    enumerate_patterns,
    hint_milp,
    minimise_moves_milp,
)

__all__ = ["PatternMilp", "PlacementCpSat", "PlacementMilp", "build_cpsat", "build_milp",
           "build_pattern_milp", "enumerate_patterns", "hint_cpsat", "hint_milp",
           "minimise_moves_cpsat", "minimise_moves_milp"]
