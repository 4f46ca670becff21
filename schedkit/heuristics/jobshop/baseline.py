"""The trivial feasible schedule of the ``baseline`` method for jobshop: it exercises the
whole pipeline and gives every benchmark table a floor."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import JobShop
from ..kernels import jobshop_decode
from .dispatch import start_lists

__all__ = ["baseline_solution"]


def baseline_solution(inst: JobShop) -> dict[str, Any]:
    """The ``baseline`` schedule: jobs one after another, each operation as early as its job and
    machine allow."""
    seq = np.repeat(np.arange(inst.n_jobs, dtype=np.int64), np.diff(inst.job_offsets))
    start = jobshop_decode(inst.job_offsets, inst.op_machine, inst.op_duration, inst.release,
                           inst.machines, seq)
    return {"start": start_lists(inst, start)}
