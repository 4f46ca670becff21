"""Destroy operators of the DAG ALNS: which tasks a large-neighbourhood step frees.

A schedule is a processor and a start time per task. A destroy picks tasks to *free*; the
repair keeps every other task on its processor and in its order there, and may move the freed
ones to any processor and position (the relaxation-induced neighbourhood of LNS, Shaw, CP
1998). Three structures, each with a size (share of the tasks freed) that the bandit chooses
among:

- ``window``: the tasks that start in a random time window (consecutive in start order);
- ``processors``: every task of randomly drawn processors (at least two, so that tasks can
  move between them);
- ``random``: tasks drawn uniformly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DESTROYS", "DEFAULT_SIZES", "MIN_FREED", "freed_tasks"]

DESTROYS = ("window", "processors", "random")
#: Default shares of the tasks a destroy frees.
DEFAULT_SIZES = (0.1, 0.2, 0.35)
#: A destroy frees at least this many tasks.
MIN_FREED = 2


def freed_tasks(structure: str, processor: np.ndarray, start: np.ndarray, processors: int,
                k: int, rng: np.random.RandomState) -> np.ndarray:
    """The mask of the tasks ``structure`` frees (at least ``k`` of the n tasks, all when
    k >= n) in the schedule (``processor``, ``start``); neither array is changed."""
    n = processor.shape[0]
    k = max(1, min(k, n))
    freed = np.zeros(n, dtype=bool)
    if structure == "window":
        order = np.argsort(start, kind="stable")
        lo = int(rng.randint(0, n - k + 1))
        freed[order[lo:lo + k]] = True
    elif structure == "processors":
        sizes = np.bincount(processor, minlength=processors)
        drawn = rng.permutation(processors)
        reach = int(np.searchsorted(np.cumsum(sizes[drawn]), k)) + 1
        freed[np.isin(processor, drawn[:max(2, reach)])] = True
    elif structure == "random":
        freed[rng.choice(n, size=k, replace=False)] = True
    else:
        raise ValueError(f"unknown destroy {structure!r} (one of {', '.join(DESTROYS)})")
    return freed
