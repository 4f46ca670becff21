"""The trivial feasible schedule of the ``baseline`` method for expert placement: it exercises the
whole pipeline and gives every benchmark table a floor."""

from __future__ import annotations

from typing import Any

from ...instances import ExpertPlacement

__all__ = ["baseline_solution"]


def baseline_solution(inst: ExpertPlacement) -> dict[str, Any]:
    """The ``baseline`` schedule: round robin, slot i (GPU i // S) holds expert i mod E."""
    # Slot i (GPU i // S) holds expert i mod E: round robin. Two replicas of one expert are E
    # slots apart, and E >= S, so they never share a GPU.
    E, S = inst.n_experts, inst.slots_per_gpu
    layer: list[list[int]] = [[] for _ in range(E)]
    for i in range(inst.slots):
        layer[i % E].append(i // S)
    return {"replicas": [[list(g) for g in layer] for _ in range(inst.n_layers)]}
