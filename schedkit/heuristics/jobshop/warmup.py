"""Compiling the job-shop kernels before a time limit starts (:func:`warm_up`)."""

from __future__ import annotations

from functools import cache

from ...instances import JobShop
from ..search import Stop
from .baseline import baseline_solution
from .dispatch import dispatch_best
from .tabu import tabu_search

__all__ = ["PARTS", "warm_up"]


def _tiny(due: bool) -> JobShop:
    return JobShop.from_routes([[(0, 2), (1, 3)], [(1, 2), (0, 1)], [(0, 1), (1, 1)]],
                               due=[4, 6, 5] if due else None, name="warm-up")


@cache
def _part(name: str) -> None:
    if name == "baseline":
        baseline_solution(_tiny(False))
    elif name == "dispatch":
        for due in (False, True):  # due dates change the kernel's argument types
            dispatch_best(_tiny(due), random_runs=1)
    elif name == "tabu":
        tabu_search(_tiny(False), None, Stop(iterations=20))
    else:
        raise ValueError(f"no job-shop warm-up part {name!r} (parts: {', '.join(PARTS)})")


#: The parts :func:`warm_up` can compile.
PARTS = ("baseline", "dispatch", "tabu")


def warm_up(*parts: str) -> None:
    """Compile (or load from Numba's cache) the kernels of ``parts`` by running them once on a
    tiny instance; each part at most once per process."""
    for name in parts:
        _part(name)
