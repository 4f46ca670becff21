"""DeepSeek EPLB's expert-parallel load balancer, re-implemented from its published description.

Source of the algorithm (not of this code): deepseek-ai/EPLB, README (MIT): the hierarchical
policy packs expert groups onto nodes, replicates experts inside each node and packs the
replicas onto the node's GPUs; the global policy is the same with one group and one node.
Migration (a previous plan and a budget) follows vLLM, which passes the deployed ``phy2log``
so that an expert that stays on a GPU keeps its slot, and FlashLB (vllm-project/vllm-ascend
PR #3042), which re-plans only the layers whose peak/average ratio improves by at least
1.15x and at most a fixed number of layers per rebalance.

Reproducing the README example exactly (``phy2log = [[5,6,5,7,8,4,3,4,10,9,10,2,0,1,11,1],
[7,10,6,8,6,11,8,9,2,4,5,1,5,0,3,1]]``, max GPU loads 156 and 179.5) pins down these
details, which the faithful mode (``fix_defects=False``) follows:

* Every sort is a *stable* sort by load, descending: equal loads keep their input order. The
  README's layer 1 needs it: node 0 holds three replicas of load 86 (expert 8, expert 9 and
  expert 8's second replica) which must be taken in that order.
* Packing (groups onto nodes, replicas onto GPUs) gives each item, in that order, to the
  lightest pack that still has room, the lowest index among equally light ones.
* Replication starts from one replica per expert and gives the next replica to the expert with
  the largest load per replica, the first in node-local order among equal ones; the added
  replicas come after the originals in node-local physical order (so they lose ties against
  the originals in the packing sort).
* Node-local order: the node's groups in the order they were packed onto it, experts inside a
  group by id. (The README example has no tie that depends on this.)
* Slot order: node by node, GPU by GPU, and on a GPU in the order its replicas were packed.
  Physical slot j lives on GPU j // (R / G).

Known defects of that procedure (kept in the faithful mode, fixed with ``fix_defects=True``):

* EPLB issue #22: the packing ignores which expert a replica belongs to, so two replicas of one
  expert can land on one GPU (FlashLB's example: expert 1's two replicas of load 112 both go to
  GPU 7). Replica counts are not capped at the number of GPUs either.
* EPLB issue #8: ties are broken by input order, so permuting experts of equal load changes
  the plan.

``fix_defects=True`` caps every expert's replicas at the GPUs of its node, packs each replica
onto the lightest GPU with room *that does not hold its expert yet*, repairs any duplicate left
at the end by the swap with another GPU of the node that keeps the two GPUs' larger load
smallest, breaks every tie by load-derived keys first (total load, then the group's sorted
loads) and by expert id last, so that relabelling experts permutes the plan and leaves every
GPU load unchanged; with a previous plan it also renumbers the new plan's GPUs (inside nodes,
nodes as blocks) to keep as many experts where they are as possible, which changes no load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...instances import ExpertPlacement, InputError
from ...instances.expert_placement.evaluate import changed_slots
from ...instances.expert_placement.plan import (
    Plan,
    from_eplb_arrays,
    log2phy_from_phy2log,
)
from .eplb_kernels import balanced_pack, replicate

__all__ = ["rebalance_experts", "eplb_solution", "eplb_plan", "EplbOutcome", "POLICIES",
           "FLASHLB_RATIO"]

#: The policies of :func:`rebalance_experts`.
POLICIES = ("auto", "hierarchical", "global")
#: FlashLB re-plans a layer when the deployed plan's peak/average ratio is at least this
#: multiple of the new plan's (vllm-project/vllm-ascend PR #3042).
FLASHLB_RATIO = 1.15


# -- the three steps -----------------------------------------------------------------------------
def _descending(values: np.ndarray) -> np.ndarray:
    """Indices sorting ``values`` by descending value, ties in input order (a stable sort)."""
    return np.argsort(-values, kind="stable")


def _pack(weights: np.ndarray, order: np.ndarray, packs: int,
          owner: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Balanced packing (:func:`~.eplb_kernels.balanced_pack`): items in ``order`` each go
    to the lightest pack with room; with ``owner`` (the expert of each item, 0..n-1) a pack
    that already holds the item's expert is passed over while another has room."""
    w = np.ascontiguousarray(weights, dtype=np.float64)
    o = np.ascontiguousarray(order, dtype=np.int64)
    if owner is None:
        return balanced_pack(w, o, int(packs), np.zeros(1, dtype=np.int64), 0)
    own = np.ascontiguousarray(owner, dtype=np.int64)
    return balanced_pack(w, o, int(packs), own, int(own.max()) + 1)


def _replicate(weights: np.ndarray, slots: int, cap: int | None,
               canonical: bool) -> tuple[np.ndarray, np.ndarray]:
    """EPLB's replication (:func:`~.eplb_kernels.replicate`): ``(phy2log, count)``, the
    originals first; ``cap`` limits an expert's replicas (``None``: no limit, as EPLB)."""
    return replicate(np.ascontiguousarray(weights, dtype=np.float64), int(slots),
                     0 if cap is None else int(cap), bool(canonical))


def _repair(gpu: np.ndarray, owner: np.ndarray, load: np.ndarray, weights: np.ndarray,
            gpus: int) -> np.ndarray:
    """Remove every duplicate replica by a swap with another GPU (fix of EPLB issue #22).

    ``gpu[i]`` is the GPU of replica ``i`` (of expert ``owner[i]``, load ``load[i]``), inside
    one node of ``gpus`` GPUs. For a duplicate on GPU a, the swap with a replica f on another
    GPU b (f not on a, the duplicate's expert not on b) that keeps max(load a, load b)
    smallest is made; ties by the smaller difference, the lower GPU, the heavier expert.
    When no single swap exists the node falls back to a round robin over its GPUs by expert,
    which always separates replicas (every count is at most ``gpus``).
    """
    gpu = gpu.copy()
    held = np.zeros((gpus, int(owner.max()) + 1), dtype=np.int64)
    np.add.at(held, (gpu, owner), 1)
    if held.max() <= 1:
        return gpu  # the usual case: the owner-aware packing separated every replica
    for _ in range(4 * gpu.size):
        gl = np.bincount(gpu, weights=load, minlength=gpus)
        dup = None
        for g in range(gpus):
            members = owner[gpu == g]
            uniq, cnt = np.unique(members, return_counts=True)
            if (cnt > 1).any():
                e = int(uniq[np.argmax(cnt > 1)])
                dup = (g, int(np.flatnonzero((gpu == g) & (owner == e))[-1]))
                break
        if dup is None:
            return gpu
        a, i = dup
        on_a = set(owner[gpu == a].tolist())
        best: tuple[Any, ...] | None = None
        for j in np.flatnonzero(gpu != a).tolist():
            b, f = int(gpu[j]), int(owner[j])
            if f in on_a or owner[i] in set(owner[gpu == b].tolist()):
                continue
            la = gl[a] - load[i] + load[j]
            lb = gl[b] - load[j] + load[i]
            key = (max(la, lb), abs(la - lb), b, -weights[f], f, j)
            if best is None or key < best:
                best = key
        if best is None:
            break
        j = best[-1]
        gpu[i], gpu[j] = gpu[j], gpu[i]
    # Fallback: replicas grouped by expert, most replicated first, dealt to GPUs in turn.
    experts, counts = np.unique(owner, return_counts=True)
    order = np.concatenate([np.flatnonzero(owner == e)
                            for e in experts[np.argsort(-counts, kind="stable")]])
    gpu[order] = np.arange(gpu.size) % gpus
    return gpu


def _layer(w: np.ndarray, replicas: int, groups: int, nodes: int, gpus: int,
           fix: bool) -> tuple[np.ndarray, np.ndarray]:
    """One layer of the hierarchical policy: ``(phy2log[R], logcnt[E])``."""
    E = w.size
    group_size = E // groups
    node_slots = replicas // nodes
    node_gpus = gpus // nodes
    gw = w.reshape(groups, group_size)
    gload = gw.sum(axis=1)
    if fix:
        # Load-derived keys first (group load, then its sorted loads), group id last.
        keys = [np.arange(groups)] + [-c for c in np.sort(gw, axis=1).T] + [-gload]
        order = np.lexsort(keys)
    else:
        order = _descending(gload)
    node_of, rank = _pack(gload, order, nodes)
    phy2log = np.empty(replicas, dtype=np.int64)
    logcnt = np.zeros(E, dtype=np.int64)
    for node in range(nodes):
        # Node-local experts: the node's groups in packing order (EPLB) or by id (fixed).
        mine = np.flatnonzero(node_of == node)
        mine = mine[np.argsort(rank[mine] if not fix else mine, kind="stable")]
        local = (mine[:, None] * group_size + np.arange(group_size)).ravel()
        lw = w[local]
        phy, cnt = _replicate(lw, node_slots, node_gpus if fix else None, canonical=fix)
        logcnt[local] = cnt
        item = lw[phy] / cnt[phy]
        if fix:
            total = lw[phy]
            order = np.lexsort((np.arange(phy.size), phy, -total, -item))
            gpu, _ = _pack(item, order, node_gpus, owner=phy)
            gpu = _repair(gpu, phy, item, lw, node_gpus)
            # Slot order on a GPU: by expert id (the fixed mode is order-free).
            slot_order = np.lexsort((local[phy], gpu))
        else:
            gpu, rank_on_gpu = _pack(item, _descending(item), node_gpus)
            slot_order = np.lexsort((rank_on_gpu, gpu))
        phy2log[node * node_slots:(node + 1) * node_slots] = local[phy[slot_order]]
    return phy2log, logcnt


# -- the public entry points ---------------------------------------------------------------------
def _check_geometry(E: int, replicas: int, groups: int, nodes: int, gpus: int,
                    hierarchical: bool, fix: bool) -> None:
    if gpus < 1 or replicas % gpus:
        raise InputError(f"num_replicas = {replicas} must be a positive multiple of "
                         f"num_gpus = {gpus}", field="num_replicas")
    if replicas < E:
        raise InputError(f"num_replicas = {replicas} < {E} experts: every expert needs a "
                         "slot", field="num_replicas")
    if nodes < 1 or gpus % nodes:
        raise InputError(f"num_nodes = {nodes} must divide num_gpus = {gpus}",
                         field="num_nodes")
    if groups < 1 or E % groups:
        raise InputError(f"num_groups = {groups} must divide the {E} experts",
                         field="num_groups")
    if fix and replicas // gpus > (E // nodes if hierarchical else E):
        raise InputError(f"{replicas // gpus} slots per GPU but only "
                         f"{E // nodes if hierarchical else E} experts per node: some GPU must "
                         "hold two replicas of one expert", field="num_replicas")
    if hierarchical and groups % nodes:
        raise InputError(f"the hierarchical policy needs num_groups = {groups} divisible by "
                         f"num_nodes = {nodes}", field="policy")


def rebalance_experts(weight: Any, num_replicas: int, num_groups: int, num_nodes: int,
                      num_gpus: int, *, policy: str = "auto",
                      fix_defects: bool = False) -> Plan:
    """DeepSeek EPLB's ``rebalance_experts`` on numpy arrays (deepseek-ai/EPLB, README).

    Parameters
    ----------
    weight
        (L, E) expert loads per layer (or (E,) for one layer), non-negative.
    num_replicas
        R physical slots per layer, a multiple of ``num_gpus`` and at least E.
    num_groups
        Expert groups (each of E / num_groups consecutive experts).
    num_nodes, num_gpus
        Nodes and GPUs (num_gpus / num_nodes per node).
    policy
        ``"hierarchical"`` (groups packed onto nodes, replication inside each node),
        ``"global"`` (one group, one node) or ``"auto"``: hierarchical iff num_groups %
        num_nodes == 0, as EPLB decides.
    fix_defects
        ``False``: EPLB's behaviour, defects included (see the module docstring); ``True``:
        never two replicas of one expert on one GPU, ties broken independently of the input
        order.

    Returns
    -------
    Plan
        ``(phy2log[L, R], log2phy[L, E, R - E + 1], logcnt[L, E])``, int64: slot j lives on GPU
        j // (R / G); ``log2phy`` lists each expert's slots in ascending order, padded with -1
        (EPLB orders them by replica rank; engines use the set).
    """
    w = np.asarray(weight, dtype=np.float64)
    if w.ndim == 1:
        w = w[None, :]
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0 or not np.isfinite(w).all() \
            or (w < 0).any():
        raise InputError("must be a non-empty (layers, experts) array of finite loads >= 0",
                         field="weight")
    if policy not in POLICIES:
        raise InputError(f"must be one of {', '.join(POLICIES)}, got {policy!r}",
                         field="policy")
    R, G, N, K = int(num_replicas), int(num_gpus), int(num_nodes), int(num_groups)
    E = w.shape[1]
    hierarchical = policy == "hierarchical" or (policy == "auto" and N > 0 and K % N == 0)
    _check_geometry(E, R, K, N, G, hierarchical, fix_defects)
    if not hierarchical:
        K, N = 1, 1
    phy2log = np.empty((w.shape[0], R), dtype=np.int64)
    logcnt = np.empty(w.shape, dtype=np.int64)
    for layer in range(w.shape[0]):
        phy2log[layer], logcnt[layer] = _layer(w[layer], R, K, N, G, fix_defects)
    return Plan(phy2log, log2phy_from_phy2log(phy2log, E), logcnt)


# -- the method: an ExpertPlacement in, a solution out --------------------------------------------
@dataclass
class EplbOutcome:
    """What :func:`eplb_plan` found: the solution (``None`` when infeasible), why it is
    infeasible (``error``), and per-layer facts for the stats of the result."""

    solution: dict[str, Any] | None
    error: str
    stats: dict[str, Any]


def _geometry(inst: ExpertPlacement, policy: str) -> tuple[int, int, bool]:
    """(num_groups, num_nodes, hierarchical) of an instance under ``policy``."""
    E, G = inst.n_experts, inst.gpus
    groups = E // inst.groups if inst.groups else 1
    nodes = G // inst.gpus_per_node
    if policy == "auto":
        hierarchical = bool(inst.groups) and groups % nodes == 0
    elif policy == "hierarchical":
        if not inst.groups:
            raise InputError("the hierarchical policy needs the instance's expert groups",
                             field="option policy")
        if groups % nodes:
            raise InputError(f"the hierarchical policy needs the {groups} expert groups to "
                             f"divide over the {nodes} nodes", field="option policy")
        hierarchical = True
    elif policy == "global":
        hierarchical = False
    else:
        raise InputError(f"must be one of {', '.join(POLICIES)}, got {policy!r}",
                         field="option policy")
    return groups, nodes, hierarchical


def _gpu_sets(phy2log: np.ndarray, gpus: int, experts: int) -> np.ndarray:
    """int64 (G, E): replicas of each expert on each GPU in one layer's phy2log."""
    S = phy2log.size // gpus
    out = np.zeros((gpus, experts), dtype=np.int64)
    np.add.at(out, (np.repeat(np.arange(gpus), S), phy2log), 1)
    return out


def _gpu_loads(sets: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each GPU's load when expert e's load splits evenly over its replica count."""
    cnt = sets.sum(axis=0)
    share = np.where(cnt > 0, w / np.maximum(cnt, 1), 0.0)
    return np.asarray(sets @ share, dtype=np.float64)


def _relabel(new: np.ndarray, old: np.ndarray, gpus: int, nodes: int) -> np.ndarray:
    """``new`` (one layer's phy2log) with its GPUs renumbered to overlap ``old`` the most:
    nodes as blocks first, then GPUs inside each node (no load changes)."""
    from scipy.optimize import linear_sum_assignment  # only migration needs it: import late

    E = int(max(new.max(), old.max())) + 1
    S = new.size // gpus
    a = np.minimum(_gpu_sets(new, gpus, E), 1)
    b = np.minimum(_gpu_sets(old, gpus, E), 1)
    overlap = a @ b.T  # new GPU x old GPU: experts they share
    per = gpus // nodes
    target = np.empty(gpus, dtype=np.int64)  # new GPU -> its label
    blocks = overlap.reshape(nodes, per, nodes, per).sum(axis=(1, 3))
    rows, cols = linear_sum_assignment(-blocks)
    for n_new, n_old in zip(rows.tolist(), cols.tolist(), strict=True):
        sub = overlap[n_new * per:(n_new + 1) * per, n_old * per:(n_old + 1) * per]
        r, c = linear_sum_assignment(-sub)
        target[n_new * per + r] = n_old * per + c
    out = np.empty_like(new)
    for g in range(gpus):
        out[target[g] * S:(target[g] + 1) * S] = new[g * S:(g + 1) * S]
    return out


def _duplicates(phy2log: np.ndarray, gpus: int) -> list[tuple[int, int, int]]:
    """(layer, gpu, expert) of every expert with two replicas on one GPU."""
    L, R = phy2log.shape
    S = R // gpus
    out = []
    for layer in range(L):
        per = np.sort(phy2log[layer].reshape(gpus, S), axis=1)
        hit = np.argwhere(per[:, 1:] == per[:, :-1])
        seen = set()
        for g, k in hit.tolist():
            if (g, int(per[g, k])) not in seen:
                seen.add((g, int(per[g, k])))
                out.append((layer, g, int(per[g, k])))
    return out


#: Most GPUs for which the fixed mode renumbers GPUs to the previous plan (the assignment
#: problems are cubic in the GPUs of a node).
_RELABEL_MAX_GPUS = 2048


def eplb_plan(inst: ExpertPlacement, policy: str = "auto",
              fix_defects: bool = False) -> EplbOutcome:
    """EPLB's plan for ``inst``, migration-aware when ``inst.previous`` is set.

    Without a previous plan every layer gets EPLB's plan. With one, every layer is planned and
    compared with the deployed plan (its peak GPU load under ``inst.load``): without a budget
    a layer is re-planned when that lowers its peak (vLLM re-plans every layer; a layer whose
    plan would not improve keeps its placement); with a budget (``max_changed_slots``,
    ``max_changed_layers``) only layers whose peak/average ratio improves by at least
    :data:`FLASHLB_RATIO` are candidates (FlashLB), taken by largest peak reduction while they
    fit the budget. Layers whose deployed plan has two replicas of one expert on one GPU are
    re-planned first (they are infeasible as they are; with ``fix_defects``, when re-planning
    does not fit the budget, their duplicates are swapped apart instead). The others keep the
    previous plan.
    Serving engines keep an expert that stays on a GPU in its slot
    (:func:`~schedkit.instances.expert_placement.plan.to_eplb_arrays` with ``old_phy2log``),
    which is what :func:`~schedkit.instances.expert_placement.evaluate.changed_slots` counts.

    Returns
    -------
    EplbOutcome
        ``error`` is non-empty when the answer is infeasible: the faithful plan has two
        replicas of one expert on one GPU (EPLB issue #22), or the budget cannot re-plan a
        layer whose previous plan has one.
    """
    groups, nodes, hierarchical = _geometry(inst, policy)
    G, E, L = inst.gpus, inst.n_experts, inst.n_layers
    if fix_defects and hierarchical and inst.slots_per_gpu > E // nodes:
        # A node's experts cannot fill a GPU without repeating one: only the global policy
        # can separate the replicas.
        if policy != "auto":
            raise InputError(f"{inst.slots_per_gpu} slots per GPU but {E // nodes} experts "
                             "per node: the hierarchical policy must put two replicas of an "
                             "expert on one GPU", field="option policy")
        hierarchical = False
    plan = rebalance_experts(inst.load, inst.slots, groups if hierarchical else 1,
                             nodes if hierarchical else 1, G,
                             policy="hierarchical" if hierarchical else "global",
                             fix_defects=fix_defects)
    phy2log = plan.phy2log.copy()
    stats: dict[str, Any] = {"policy": "hierarchical" if hierarchical else "global",
                             "fix_defects": bool(fix_defects)}
    if inst.previous is not None:
        phy2log, note = _migrate(inst, phy2log, hierarchical, nodes, fix_defects, stats)
        if note:
            return EplbOutcome(None, note, stats)
    dups = _duplicates(phy2log, G)
    loads = np.array([_gpu_loads(_gpu_sets(phy2log[layer], G, E), inst.load[layer])
                      for layer in range(L)])
    stats["eplb_max_load_per_layer"] = loads.max(axis=1).tolist()
    if dups:
        layer, g, e = dups[0]
        stats["duplicate_replicas"] = [list(d) for d in dups[:100]]
        return EplbOutcome(None, (
            f"EPLB's plan puts two replicas of expert {e} on GPU {g} in layer {layer} "
            f"({len(dups)} such GPU(s) in all; EPLB issue #22), which the evaluator rejects; "
            "run with option fix_defects=true"), stats)
    return EplbOutcome(from_eplb_arrays(phy2log, G, num_experts=E), "", stats)


def _migrate(inst: ExpertPlacement, phy2log: np.ndarray, hierarchical: bool, nodes: int,
             fix: bool, stats: dict[str, Any]) -> tuple[np.ndarray, str]:
    """The layer selection of :func:`eplb_plan` against ``inst.previous``."""
    G, E, L = inst.gpus, inst.n_experts, inst.n_layers
    old = np.asarray(inst.previous, dtype=np.int64)
    if fix and G <= _RELABEL_MAX_GPUS:
        for layer in range(L):
            phy2log[layer] = _relabel(phy2log[layer], old[layer], G,
                                      nodes if hierarchical else 1)
    old_peak = np.empty(L)
    new_peak = np.empty(L)
    for layer in range(L):
        old_peak[layer] = _gpu_loads(_gpu_sets(old[layer], G, E), inst.load[layer]).max()
        new_peak[layer] = _gpu_loads(_gpu_sets(phy2log[layer], G, E), inst.load[layer]).max()
    solution = from_eplb_arrays(phy2log, G, num_experts=E)
    changed = changed_slots(inst, solution["replicas"])
    broken = sorted({d[0] for d in _duplicates(old, G)})
    budgeted = inst.max_changed_slots is not None or inst.max_changed_layers is not None
    if budgeted:
        # FlashLB: peak/average improves >= 1.15x (the average is the same for both plans).
        wanted = [layer for layer in range(L)
                  if old_peak[layer] >= FLASHLB_RATIO * new_peak[layer] and new_peak[layer] > 0]
    else:
        wanted = [layer for layer in range(L) if new_peak[layer] < old_peak[layer]]
    gain = old_peak - new_peak
    order = broken + sorted((x for x in wanted if x not in broken),
                            key=lambda x: (-gain[x], x))
    slot_cap = inst.max_changed_slots if inst.max_changed_slots is not None else L * inst.slots
    layer_cap = inst.max_changed_layers if inst.max_changed_layers is not None else L
    used, chosen = 0, []
    for layer in order:
        cost = int(changed[layer])
        if cost == 0:
            chosen.append(layer)  # nothing moves: free
            continue
        if used + cost <= slot_cap and sum(changed[c] > 0 for c in chosen) < layer_cap:
            chosen.append(layer)
            used += cost
        elif layer in broken:
            # Too dear to re-plan: with the fix, separate the old plan's duplicates by swaps.
            mended = _mend(old[layer], inst.load[layer], G) if fix else None
            mended_cost = G * inst.slots_per_gpu if mended is None else int(
                G * inst.slots_per_gpu
                - (np.minimum(_gpu_sets(mended, G, E), 1)
                   & np.minimum(_gpu_sets(old[layer], G, E), 1)).sum())
            if mended is not None and used + mended_cost <= slot_cap and \
                    sum(changed[c] > 0 for c in chosen) < layer_cap:
                phy2log[layer] = mended
                changed[layer] = mended_cost
                chosen.append(layer)
                used += mended_cost
                continue
            stats["replanned_layers"] = sorted(chosen)
            return phy2log, (
                f"the previous plan puts two replicas of one expert on one GPU in layer "
                f"{layer} (EPLB issue #22) and re-planning it ({cost} changed slots) does not "
                f"fit the migration budget")
    out = old.copy()
    for layer in chosen:
        out[layer] = phy2log[layer]
    stats["replanned_layers"] = sorted(chosen)
    stats["candidate_layers"] = len(wanted)
    stats["changed_slots"] = int(sum(int(changed[c]) for c in chosen))
    return out, ""


def _mend(layer: np.ndarray, w: np.ndarray, gpus: int) -> np.ndarray | None:
    """One layer's phy2log with its duplicate replicas swapped apart (:func:`_repair` over all
    GPUs, the replica counts kept), or ``None`` when some expert has more replicas than GPUs."""
    counts = np.bincount(layer, minlength=w.size)
    if counts.max() > gpus:
        return None
    slot_gpu = np.arange(layer.size) // (layer.size // gpus)
    load = w[layer] / counts[layer]
    moved = _repair(slot_gpu, layer, load, w, gpus)
    return layer[np.lexsort((np.arange(layer.size), moved))]


def eplb_solution(inst: ExpertPlacement, policy: str = "auto",
                  fix_defects: bool = False) -> dict[str, Any]:
    """EPLB's placement of ``inst`` as a solution ``{"replicas": …}`` (see :func:`eplb_plan`).

    Raises
    ------
    InputError
        When the plan is infeasible (two replicas of one expert on one GPU, EPLB issue #22),
        with the advice to set ``fix_defects``.
    """
    out = eplb_plan(inst, policy, fix_defects)
    if out.solution is None:
        raise InputError(out.error, field="option fix_defects")
    return out.solution
