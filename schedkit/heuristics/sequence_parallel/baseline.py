"""The trivial feasible schedule of the ``baseline`` method for sequence parallel: it exercises the
whole pipeline and gives every benchmark table a floor."""

from __future__ import annotations

from typing import Any

from ...instances import SequenceParallel

__all__ = ["baseline_solution"]


def baseline_solution(inst: SequenceParallel) -> dict[str, Any]:
    """The ``baseline`` schedule: one group of the largest allowed degree; sequences in input
    order, a new micro-batch whenever its memory is full."""
    # One group of the largest allowed degree; sequences in input order, a new micro-batch
    # whenever the group's memory is full.
    d = int(inst.degrees[-1])
    cap = inst.memory_tokens * d
    devices = list(range(d))
    mbs: list[list[dict[str, Any]]] = []
    current: list[int] = []
    tokens = 0
    for k, s in enumerate(inst.lengths.tolist()):
        if current and tokens + s > cap:
            mbs.append([{"devices": devices, "sequences": current}])
            current, tokens = [], 0
        current.append(k)
        tokens += s
    mbs.append([{"devices": devices, "sequences": current}])
    return {"microbatches": mbs}
