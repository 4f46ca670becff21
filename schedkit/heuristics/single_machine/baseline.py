"""The trivial feasible schedule of the ``baseline`` method for single machine: it exercises the
whole pipeline and gives every benchmark table a floor."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import SingleMachine
from ..kernels import single_machine_decode

__all__ = ["baseline_solution"]


def baseline_solution(inst: SingleMachine) -> dict[str, Any]:
    """The ``baseline`` schedule: the jobs in the given order, each as early as its release date
    allows."""
    seq = np.arange(inst.n_jobs, dtype=np.int64)
    start = single_machine_decode(inst.processing, inst.release, seq)
    return {"sequence": seq.tolist(), "start": start.tolist()}
