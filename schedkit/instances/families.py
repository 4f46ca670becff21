"""The one table of problem families: every shared mechanism of :mod:`schedkit.instances`
dispatches through :data:`FAMILIES` (adding a family adds one entry here)."""

from __future__ import annotations

from . import dag, expert_placement, jobshop, sequence_parallel, single_machine
from .base import Instance
from .errors import InputError, did_you_mean
from .family import Family

__all__ = ["FAMILIES", "PROBLEMS", "problem_id"]

#: problem id -> family, in the order of ``DESIGN.md`` §1.
FAMILIES: dict[str, Family] = {
    f.problem: f
    for f in (jobshop.FAMILY, single_machine.FAMILY, dag.FAMILY, expert_placement.FAMILY,
              sequence_parallel.FAMILY)
}

#: problem id -> instance class.
PROBLEMS: dict[str, type[Instance]] = {p: f.model for p, f in FAMILIES.items()}


def problem_id(name: object, field: str = "problem") -> str:
    """The problem id ``name`` stands for: ``single-machine`` and ``single_machine`` (any case)
    are both ``single_machine``. Every place that takes a problem name from a user goes
    through here, so that one spelling works everywhere.

    Raises
    ------
    InputError
        For a name that is no problem (naming ``field``, with the closest id).
    """
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    if key in PROBLEMS:
        return str(key)
    raise InputError(f"unknown problem {name!r}{did_you_mean(str(key), PROBLEMS)} (choose from "
                     f"{', '.join(PROBLEMS)})", field=field)
