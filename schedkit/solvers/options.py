"""Options that several methods share, declared once so that a name has one meaning and one
unit everywhere (``DESIGN.md`` §5): the MILP backend, the warm start of exact methods, and the
iteration counts of the searches (:mod:`schedkit.heuristics.search`)."""

from __future__ import annotations

from .backends.pulp import BACKENDS
from .registry import Option

__all__ = ["backend", "hint", "hint_time", "iterations", "restart", "stall"]


def backend() -> Option:
    """``backend``: the MILP solver PuLP runs."""
    return Option("backend", str, "cbc", "MILP solver: CBC (bundled with PuLP) or HiGHS "
                  "(needs highspy)", choices=BACKENDS)


def hint(what: str) -> Option:
    """``hint``: warm-start the exact model with ``what``."""
    return Option("hint", bool, True, f"warm start (hint, bound): {what}")


def hint_time(default: str) -> Option:
    """``hint_time``: seconds of search for the warm start (-1: ``default``)."""
    return Option("hint_time", float, -1.0, f"seconds of search for the warm start (-1: "
                  f"{default})", minimum=-1.0)


def iterations(unit: str, default: str) -> Option:
    """``iterations``: the iteration limit of a search (0: none with a time limit)."""
    return Option("iterations", int, 0, f"iteration limit; an iteration is {unit} (0: none "
                  f"with a time limit, else {default})", minimum=0)


def restart(default: int, then: str) -> Option:
    """``restart``: iterations without a new best before the search goes back to its best."""
    return Option("restart", int, default, f"every this many iterations without a new best, "
                  f"go back to the best solution{then} (0: never)", minimum=0)


def stall(default: int, automatic: str | None = None) -> Option:
    """``stall``: stop after this many iterations without a new best (0: never; -1: the
    method's automatic value, where it has one)."""
    if automatic is None:
        return Option("stall", int, default, "stop after this many iterations without a new "
                      "best (0: never)", minimum=0)
    return Option("stall", int, default, "stop after this many iterations without a new best "
                  f"(0: never; -1: {automatic})", minimum=-1)
