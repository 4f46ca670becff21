"""The trivial feasible schedule of the ``baseline`` method for dag: it exercises the
whole pipeline and gives every benchmark table a floor."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import DAG
from ..kernels import chain_decode

__all__ = ["baseline_solution"]


def baseline_solution(inst: DAG) -> dict[str, Any]:
    """The ``baseline`` schedule: every task on the processor that is fastest in total, in
    topological order (no communication)."""
    p = int(np.argmin(inst.cost.sum(axis=0)))
    dur = np.ascontiguousarray(inst.cost[:, p])
    start = chain_decode(dur, inst.topological_order())
    return {"processor": [p] * inst.n_tasks, "start": start.tolist()}
