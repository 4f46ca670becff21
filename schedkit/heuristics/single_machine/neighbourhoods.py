"""Destroy and repair operators of the single-machine ALNS (:func:`~schedkit.heuristics.alns.
run_alns`), on job sequences.

Destroys (each with a size, the number of jobs it frees; the bandit chooses among the sizes):

- ``window``: the jobs at consecutive positions of a random window;
- ``random``: jobs drawn uniformly;
- ``costly``: jobs drawn with probability proportional to their cost in the objective (their
  weighted tardiness, …), uniformly when every job costs 0.

Repairs, each followed by the descent of ``ls`` (:func:`.local_search_kernels.improve`: the
variable-neighbourhood descent, or dynasearch):

- ``dp``: a window is put in its best order by the subset DP of
  :func:`.neighbourhood_kernels.window_dp` (exact without release dates); other freed jobs
  are re-inserted greedily;
- ``insertion``: the freed jobs are re-inserted greedily, in random order
  (:func:`.neighbourhood_kernels.insert_jobs`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...instances import SingleMachine
from ..alns import Freed, State
from . import local_search_kernels as LK
from . import neighbourhood_kernels as NK
from . import objective_kernels as OK
from .sequences import job_arrays, objective_code

__all__ = ["DESTROYS", "REPAIRS", "DEFAULT_SIZES", "operators"]

DESTROYS = ("window", "random", "costly")
REPAIRS = ("dp", "insertion")
#: Default jobs freed per destroy (a window of 12 is 2^12 · 12 DP steps).
DEFAULT_SIZES = (6, 9, 12)

Operator = Callable[[State, np.random.RandomState], State]


def operators(inst: SingleMachine, structures: tuple[str, ...], sizes: tuple[int, ...],
              repairs: tuple[str, ...], window: int = -1,
              ) -> tuple[dict[str, Operator], dict[str, Operator]]:
    """The named destroys (``structure-size``) and repairs for :func:`run_alns`; ``window``
    chooses the descent after a repair (:func:`.local_search_kernels.improve`)."""
    p, d, w, r = job_arrays(inst)
    code = objective_code(inst)
    n = inst.n_jobs
    exact_window = not bool(np.any(r > 0))

    def _costs(seq: np.ndarray) -> np.ndarray:
        """Each position's share of the objective (lateness counted when positive)."""
        comp = OK.completion_times(p, r, seq).astype(np.float64)
        late = comp - d[seq]
        cost = (w[seq] * np.maximum(late, 0.0), np.maximum(late, 0.0), np.maximum(late, 0.0),
                w[seq] * comp, w[seq] * (late > 0))[code]
        return np.asarray(cost, dtype=np.float64)

    def make_destroy(structure: str, k: int) -> Operator:
        k = max(1, min(k, n))

        def destroy(state: State, rng: np.random.RandomState) -> Freed:
            seq = state.solution
            if structure == "window":
                lo = int(rng.randint(0, n - k + 1))
                return Freed(seq, state.value, seq[lo:lo + k].copy(), lo)
            if structure == "random":
                jobs = seq[rng.choice(n, size=k, replace=False)]
            else:
                cost = _costs(seq)
                total = cost.sum()
                jobs = seq[rng.choice(n, size=k, replace=False,
                                      p=cost / total if total > 0 and
                                      np.count_nonzero(cost) >= k else None)]
            return Freed(seq, state.value, jobs.astype(np.int64), -1)
        return destroy

    def insert(state: Freed, rng: np.random.RandomState) -> np.ndarray:
        assert state.freed is not None
        rest = state.solution[~np.isin(state.solution, state.freed)]
        return NK.insert_jobs(p, d, w, r, code, rest, rng.permutation(state.freed))

    def make_repair(name: str) -> Operator:
        def repair(state: State, rng: np.random.RandomState) -> State:
            assert isinstance(state, Freed) and state.freed is not None
            if name == "dp" and state.window >= 0 and exact_window:
                seq = NK.window_dp(p, d, w, code, state.solution, state.window,
                                   state.freed.shape[0])
            else:
                seq = insert(state, rng)
            # The whole descent after every repair: running only its adjacent interchanges
            # (and the whole one when they beat the current) made iterations ten times
            # faster but reached 116 of the 125 wt100 best-known values at 2 s, against 120
            # and 123 in two runs with the whole descent (benchmarks/alns.md).
            value = LK.improve(p, d, w, r, code, seq, window)
            return State(seq, float(value))
        return repair

    destroys = {f"{s}-{k}": make_destroy(s, k) for s in structures for k in sizes}
    return destroys, {name: make_repair(name) for name in repairs}
