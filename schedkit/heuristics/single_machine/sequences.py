"""Single-machine sequences as the kernels see them: the job arrays, the objective code, the
value of a sequence and the solution document of a sequence."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import SingleMachine
from . import objective_kernels as K

__all__ = ["objective_code", "job_arrays", "sequence_value", "solution", "NEIGHBOURHOODS",
           "DYNASEARCH_WINDOW", "dynasearch_fits"]

#: The descents of ``ls`` and of the ALNS repairs (``auto``: dynasearch where it applies).
NEIGHBOURHOODS = ("auto", "vnd", "dynasearch")

#: Longest segment of a dynasearch move (O(n·window²) per step).
DYNASEARCH_WINDOW = 100


def objective_code(inst: SingleMachine) -> int:
    """Index of the instance's objective in ``SingleMachine.objectives`` (the kernels' code)."""
    return SingleMachine.objectives.index(inst.objective)


def job_arrays(inst: SingleMachine) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contiguous int64 ``p, d, w, r``."""
    return tuple(np.ascontiguousarray(a, dtype=np.int64)  # type: ignore[return-value]
                 for a in (inst.processing, inst.due, inst.weight, inst.release))


def sequence_value(inst: SingleMachine, seq: np.ndarray) -> float:
    """Objective of ``seq`` computed by the kernel (the evaluator re-checks it in solve())."""
    p, d, w, r = job_arrays(inst)
    return float(K.sequence_objective(p, d, w, r, objective_code(inst),
                                      np.ascontiguousarray(seq, dtype=np.int64)))


def solution(inst: SingleMachine, seq: np.ndarray) -> dict[str, Any]:
    """``{"sequence", "start"}`` with the earliest start times of ``seq``."""
    p, _d, _w, r = job_arrays(inst)
    seq = np.ascontiguousarray(seq, dtype=np.int64)
    comp = K.completion_times(p, r, seq)
    start = np.empty(seq.shape[0], dtype=np.int64)
    start[seq] = comp - p[seq]
    return {"sequence": seq.tolist(), "start": start.tolist()}


def dynasearch_fits(inst: SingleMachine) -> bool:
    """Whether :func:`.local_search_kernels.dynasearch` applies: a sum objective and no
    release dates (a move then keeps its segment's total time)."""
    return inst.objective != "max_lateness" and not bool(np.any(np.asarray(inst.release) > 0))
