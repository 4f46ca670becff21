"""Evaluator of expert placement: feasibility, objective, cheap lower bound and balancedness.

Solution: ``{"replicas": [[[gpu, …] per expert] per layer]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..checking import Found, Malformed, member, parse_ints
from .model import ExpertPlacement

__all__ = ["check", "objective", "lower_bound", "metrics", "gpu_loads", "hop_matrix"]


def _parse(inst: ExpertPlacement, solution: Any, found: Found) -> list[list[list[int]]]:
    layers = member(solution, "replicas")
    L, E, G = inst.n_layers, inst.n_experts, inst.gpus
    if not isinstance(layers, Sequence) or isinstance(layers, str) or len(layers) > L:
        raise Malformed(f"replicas must be a list of {L} layers")
    out: list[list[list[int]]] = []
    for layer in range(L):
        if layer >= len(layers):
            found.add("missing", f"layer {layer} has no placement")
            out.append([[] for _ in range(E)])
            continue
        experts = layers[layer]
        if not isinstance(experts, Sequence) or isinstance(experts, str) or len(experts) > E:
            raise Malformed(f"replicas[{layer}] must be a list of {E} experts' GPU lists")
        row = []
        for e in range(E):
            gpus = parse_ints(experts[e], f"replicas[{layer}][{e}]").tolist() if e < len(experts) \
                else []
            if not gpus:
                found.add("missing", f"expert {e} has no replica in layer {layer}")
            for g in gpus:
                if not 0 <= g < G:
                    found.add("range", f"layer {layer} expert {e}: GPU {g} out of range "
                                       f"0..{G - 1}")
            gpus = [g for g in gpus if 0 <= g < G]
            if len(set(gpus)) < len(gpus):
                found.add("replica_same_gpu", f"layer {layer}: expert {e} has two replicas on "
                                              f"one GPU ({gpus})")
            row.append(gpus)
        out.append(row)
    return out


def gpu_loads(inst: ExpertPlacement, reps: list[list[list[int]]]) -> np.ndarray:
    """float64 (L, G): token load of each GPU, an expert's load split evenly over its replicas."""
    loads = np.zeros((inst.n_layers, inst.gpus))
    for layer, row in enumerate(reps):
        for e, gpus in enumerate(row):
            if gpus:
                np.add.at(loads[layer], gpus, inst.load[layer, e] / len(gpus))
    return loads


def check(inst: ExpertPlacement, solution: Any, found: Found
                            ) -> list[list[list[int]]]:
    reps = _parse(inst, solution, found)
    S = inst.slots_per_gpu
    for layer, row in enumerate(reps):
        count = np.bincount([g for gpus in row for g in gpus], minlength=inst.gpus)
        for g in np.flatnonzero(count != S).tolist():
            found.add("slots", f"layer {layer}: GPU {g} holds {int(count[g])} replicas, "
                               f"slots_per_gpu = {S}")
    return reps


def hop_matrix(inst: ExpertPlacement) -> np.ndarray:
    node = np.arange(inst.gpus) // inst.gpus_per_node
    hop = np.where(node[:, None] == node[None, :], inst.intra_node, inst.inter_node)
    np.fill_diagonal(hop, 0.0)
    return hop.astype(np.float64)


def objective(inst: ExpertPlacement, reps: list[list[list[int]]]) -> float:
    max_load = float(gpu_loads(inst, reps).max(axis=1).sum())
    if inst.objective == "max_load":
        return max_load
    hop = hop_matrix(inst)
    share = np.zeros((inst.n_layers, inst.n_experts, inst.gpus))
    for layer, row in enumerate(reps):
        for e, gpus in enumerate(row):
            if gpus:
                share[layer, e, gpus] = 1.0 / len(gpus)
    traffic = 0.0
    for layer in range(inst.n_layers - 1):
        mean_hop = share[layer] @ hop @ share[layer + 1].T  # E x E mean hop between replicas
        traffic += float((inst.traffic[layer] * mean_hop).sum())
    return inst.per_token * max_load + traffic


def lower_bound(inst: ExpertPlacement) -> float:
    # The heaviest GPU carries at least the mean, and at least the heaviest expert split over as
    # many replicas as it can get (one per GPU; the other experts keep one slot each).
    r_max = min(inst.gpus, inst.slots - inst.n_experts + 1)
    per_layer = np.maximum(inst.load.sum(axis=1) / inst.gpus, inst.load.max(axis=1) / r_max)
    return float(per_layer.sum()) * (inst.per_token if inst.objective != "max_load" else 1.0)


def metrics(inst: ExpertPlacement, reps: list[list[list[int]]]) -> dict[str, Any]:
    """Per layer: the largest GPU load and balancedness = mean / max GPU load."""
    loads = gpu_loads(inst, reps)
    peak = loads.max(axis=1)
    bal = np.where(peak > 0, loads.mean(axis=1) / np.where(peak > 0, peak, 1.0), 1.0)
    return {"max_load_per_layer": peak.tolist(), "balancedness": bal.tolist()}
