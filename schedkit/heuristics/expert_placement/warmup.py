"""Compiling the expert-placement kernels before a time limit starts (:func:`warm_up`)."""

from __future__ import annotations

from functools import cache

import numpy as np

from ...instances import ExpertPlacement
from .balance import balance_solution
from .baseline import baseline_solution
from .eplb_kernels import warm_up as warm_up_eplb

__all__ = ["PARTS", "warm_up"]


def _tiny(**extra: object) -> ExpertPlacement:
    load = [[9.0, 5.0, 4.0, 1.0], [2.0, 7.0, 3.0, 3.0]]
    return ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=3, load=load,
                           name="warm-up", **extra)  # type: ignore[arg-type]


@cache
def _part(name: str) -> None:
    if name == "baseline":
        baseline_solution(_tiny())
    elif name == "balance":
        balance_solution(_tiny(), starts=4, tolerance=0.0)  # plan mode, every start kind
        previous = np.array([[0, 1, 2, 3, 0, 1], [0, 1, 2, 3, 1, 2]])
        balance_solution(_tiny(previous=previous, max_changed_slots=2))  # migration mode
        balance_solution(_tiny(previous=previous, max_changed_layers=1))  # layer budget only
        traffic = np.ones((1, 4, 4))
        tiny = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2,
                               load=[[9.0, 5.0, 4.0, 1.0], [2.0, 7.0, 3.0, 3.0]],
                               traffic=traffic, objective="load_and_traffic", name="warm-up")
        balance_solution(tiny, starts=2)  # traffic mode and its kicks
    elif name == "eplb":
        warm_up_eplb()
    else:
        raise ValueError(f"no expert-placement warm-up part {name!r} "
                         f"(parts: {', '.join(PARTS)})")


#: The parts :func:`warm_up` can compile.
PARTS = ("baseline", "balance", "eplb")


def warm_up(*parts: str) -> None:
    """Compile (or load from Numba's cache) the kernels of ``parts`` by running them once on a
    tiny instance; each part at most once per process."""
    for name in parts:
        _part(name)
