"""The one table of problem families: every shared mechanism of :mod:`schedkit.instances`
dispatches through :data:`FAMILIES` (adding a family adds one entry here)."""

from __future__ import annotations

from . import dag, expert_placement, jobshop, sequence_parallel, single_machine
from .base import Instance
from .family import Family

__all__ = ["FAMILIES", "PROBLEMS"]

#: problem id -> family, in the order of ``DESIGN.md`` §1.
FAMILIES: dict[str, Family] = {
    f.problem: f
    for f in (jobshop.FAMILY, single_machine.FAMILY, dag.FAMILY, expert_placement.FAMILY,
              sequence_parallel.FAMILY)
}

#: problem id -> instance class.
PROBLEMS: dict[str, type[Instance]] = {p: f.model for p, f in FAMILIES.items()}
