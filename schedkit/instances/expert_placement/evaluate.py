"""Evaluator of expert placement: feasibility, objective, cheap lower bound and balancedness.

Solution: ``{"replicas": [[[gpu, …] per expert] per layer]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..checking import MAX_EXACT, Found, Malformed, member, parse_ints
from .model import ExpertPlacement

__all__ = ["check", "objective", "lower_bound", "schedule", "metrics", "gpu_loads",
           "hop_matrix", "changed_slots", "replica_lower_bound"]


def _plain_ints(experts: Sequence[Any]) -> bool:
    """Whether every GPU list of a layer is a list or tuple of Python ints of magnitude below
    2^53: then it needs no per-list parsing (what methods return; files take the full path,
    whose errors name the entry)."""
    try:
        return all(type(gpus) in (list, tuple) and all(type(g) is int for g in gpus)
                   for gpus in experts) and \
            all(-MAX_EXACT <= g <= MAX_EXACT for gpus in experts for g in gpus)
    except TypeError:
        return False


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
        fast = _plain_ints(experts)
        for e in range(E):
            if e >= len(experts):
                gpus = []
            elif fast:
                gpus = list(experts[e])
            else:
                gpus = parse_ints(experts[e], f"replicas[{layer}][{e}]").tolist()
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
    L, G = inst.n_layers, inst.gpus
    layer_of, expert_of, gpu_of, count_of = [], [], [], []
    for layer, row in enumerate(reps):
        for e, gpus in enumerate(row):
            k = len(gpus)
            layer_of.extend([layer] * k)
            expert_of.extend([e] * k)
            gpu_of.extend(gpus)
            count_of.extend([k] * k)
    if not gpu_of:
        return np.zeros((L, G))
    li, ei = np.asarray(layer_of, dtype=np.int64), np.asarray(expert_of, dtype=np.int64)
    share = inst.load[li, ei] / np.asarray(count_of, dtype=np.float64)
    flat = np.bincount(li * G + np.asarray(gpu_of, dtype=np.int64), weights=share,
                       minlength=L * G)
    return flat.reshape(L, G)


def check(inst: ExpertPlacement, solution: Any, found: Found
                            ) -> list[list[list[int]]]:
    reps = _parse(inst, solution, found)
    S = inst.slots_per_gpu
    for layer, row in enumerate(reps):
        count = np.bincount([g for gpus in row for g in gpus], minlength=inst.gpus)
        for g in np.flatnonzero(count != S).tolist():
            found.add("slots", f"layer {layer}: GPU {g} holds {int(count[g])} replicas, "
                               f"slots_per_gpu = {S}")
    if inst.previous is not None:
        changed = changed_slots(inst, reps)
        if inst.max_changed_slots is not None and changed.sum() > inst.max_changed_slots:
            found.add("budget", f"{int(changed.sum())} changed slots against the previous plan, "
                                f"max_changed_slots = {inst.max_changed_slots}")
        touched = int((changed > 0).sum())
        if inst.max_changed_layers is not None and touched > inst.max_changed_layers:
            found.add("budget", f"{touched} layers changed against the previous plan, "
                                f"max_changed_layers = {inst.max_changed_layers}")
    return reps


def changed_slots(inst: ExpertPlacement, reps: list[list[list[int]]]) -> np.ndarray:
    """int64 (L,): slots whose expert changes from ``inst.previous`` to ``reps``, per layer.

    GPU g of layer l changes S − |experts on g before ∩ experts on g after| slots: an expert
    that stays on a GPU keeps its slot (as vLLM keeps it when it passes the previous plan).
    """
    if inst.previous is None:
        return np.zeros(inst.n_layers, dtype=np.int64)
    S, G, E = inst.slots_per_gpu, inst.gpus, inst.n_experts
    out = np.zeros(inst.n_layers, dtype=np.int64)
    for layer, row in enumerate(reps):
        new = np.zeros((G, E), dtype=bool)
        for e, gpus in enumerate(row):
            new[gpus, e] = True
        old = np.zeros((G, E), dtype=bool)
        old[np.repeat(np.arange(G), S), inst.previous[layer]] = True
        out[layer] = G * S - int((old & new).sum())
    return out


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


def replica_lower_bound(load: np.ndarray, replicas: int, gpus: int) -> float:
    """The least possible largest per-replica load of one layer: min over replica counts
    r_e >= 1, Σ r_e = R, r_e <= G of max_e w_e / r_e.

    Giving the next replica to the expert with the largest load per replica is optimal for
    this min-max apportionment (each step lowers the current maximum or nothing can); the
    heaviest GPU holds a replica, so its load is at least this.
    """
    counts = np.ones(load.size)
    spare = replicas - load.size
    while spare > 0:
        per = load / counts
        per[counts >= gpus] = -1.0
        e = int(np.argmax(per))
        if per[e] <= 0:
            break
        counts[e] += 1
        spare -= 1
    return float((load / counts).max())


def lower_bound(inst: ExpertPlacement) -> float:
    # The heaviest GPU carries at least the mean, and at least the largest replica of the best
    # apportionment (replica_lower_bound).
    per_layer = [max(float(w.sum()) / inst.gpus, replica_lower_bound(w, inst.slots, inst.gpus))
                 for w in inst.load]
    return float(sum(per_layer)) * (inst.per_token if inst.objective != "max_load" else 1.0)


def metrics(inst: ExpertPlacement, reps: list[list[list[int]]]) -> dict[str, Any]:
    """Per layer: the largest GPU load, balancedness = mean / max GPU load, the same per
    physical slot (mean / max replica load), and changed slots against ``inst.previous``."""
    loads = gpu_loads(inst, reps)
    peak = loads.max(axis=1)
    bal = np.where(peak > 0, loads.mean(axis=1) / np.where(peak > 0, peak, 1.0), 1.0)
    slot_bal = []
    for layer, row in enumerate(reps):
        per = [inst.load[layer, e] / len(g) for e, g in enumerate(row) if g]
        top = max(per, default=0.0)
        slot_bal.append(float(inst.load[layer].sum() / inst.slots / top) if top > 0 else 1.0)
    out: dict[str, Any] = {"max_load_per_layer": peak.tolist(), "balancedness": bal.tolist(),
                           "slot_balancedness": slot_bal}
    if inst.previous is not None:
        changed = changed_slots(inst, reps)
        out["changed_slots_per_layer"] = changed.tolist()
        out["changed_slots"] = int(changed.sum())
    return out


def schedule(inst: ExpertPlacement, reps: list[list[list[int]]], solution: Any
             ) -> list[dict[str, Any]]:
    """One row per replica (the task is an expert's replica, the resource a GPU), layer by
    layer, expert by expert: ``layer``, ``expert``, ``replica`` (0, 1, … among the expert's
    replicas), ``gpu``, ``node`` and ``load``, the tokens it serves (the expert's load split
    evenly over its replicas)."""
    rows: list[dict[str, Any]] = []
    for layer, experts in enumerate(reps):
        for e, gpus in enumerate(experts):
            share = float(inst.load[layer, e]) / len(gpus) if gpus else 0.0
            rows.extend({"layer": layer, "expert": e, "replica": i, "gpu": g,
                         "node": g // inst.gpus_per_node, "load": share}
                        for i, g in enumerate(gpus))
    return rows
