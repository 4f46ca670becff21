"""The ``balance`` planner of expert placement: per layer, replica apportionment, LPT
placement on distinct GPUs and a local search off the heaviest GPU, multi-start and seeded
(:mod:`.balance_kernels`); a migration-aware mode under a changed-slot budget and a traffic
mode for ``load_and_traffic``.

The replication step (largest load per replica first) is the one DeepSeek EPLB publishes
(deepseek-ai/EPLB README); the placement is Graham's LPT rule (SIAM J. Appl. Math. 17(2),
1969) with slot and distinctness constraints; the traffic goal is MoETuner's (Go & Mahajan,
arXiv:2502.06643, 2025) and ExFlow's (Yao et al., arXiv:2401.08383, 2024), searched here by
swaps instead of their ILP. The migration budget follows vLLM's practice of keeping an
expert's slot when it stays on its GPU.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ...instances import ExpertPlacement, InputError
from ...instances.expert_placement.evaluate import hop_matrix
from ..search import Stop, StopReason, run_search
from . import balance_kernels as K
from .baseline import baseline_solution

__all__ = ["balance_solution", "plan_rows", "solution_from_rows", "relabel_gpus", "moves_cap",
           "DEFAULT_STARTS", "DEFAULT_TOLERANCE", "TRAFFIC_KICKS", "TRAFFIC_PASSES"]

#: Starts per layer when the caller gives none.
DEFAULT_STARTS = 8
#: Relative gap to a layer's lower bound at which it counts as solved (0.1 %).
DEFAULT_TOLERANCE = 1e-3
#: Iterations (kick and descent) of the traffic mode's iterated local search per start
#: beyond the first.
TRAFFIC_KICKS = 4
#: Most passes of the traffic search over all slot pairs.
TRAFFIC_PASSES = 50


def moves_cap(inst: ExpertPlacement) -> int:
    """Most moves of one local search (200 per slot): a safety cap, the search ends by itself
    long before (every move lowers the sorted GPU loads lexicographically)."""
    return 200 * inst.slots


def solution_from_rows(rows: np.ndarray, inst: ExpertPlacement) -> dict[str, Any]:
    """The solution ``{"replicas": …}`` of slot rows (L, R) (slot j on GPU j // S)."""
    S, E = inst.slots_per_gpu, inst.n_experts
    gpu_of = [j // S for j in range(inst.slots)]
    out = []
    for row in np.asarray(rows).tolist():
        layer: list[list[int]] = [[] for _ in range(E)]
        for e, g in zip(row, gpu_of, strict=True):
            layer[e].append(g)
        out.append(layer)
    return {"replicas": out}


def plan_rows(inst: ExpertPlacement, solution: Mapping[str, Any]) -> np.ndarray:
    """Slot rows (L, R) of a feasible solution: each GPU's experts in increasing id (which of
    a GPU's slots holds which expert does not change loads or moves). InputError when a GPU
    does not hold exactly S replicas."""
    L, G, S = inst.n_layers, inst.gpus, inst.slots_per_gpu
    rows = np.zeros((L, G * S), dtype=np.int64)
    for layer, experts in enumerate(solution["replicas"]):
        fill = np.zeros(G, dtype=np.int64)
        for e, gpus in enumerate(experts):
            for g in gpus:
                if fill[g] >= S:
                    raise InputError(f"layer {layer}: GPU {g} holds more than slots_per_gpu = "
                                     f"{S} replicas", field="replicas")
                rows[layer, g * S + fill[g]] = e
                fill[g] += 1
        if (fill < S).any():
            raise InputError(f"layer {layer}: GPU {int(np.argmin(fill))} holds fewer than "
                             f"slots_per_gpu = {S} replicas", field="replicas")
    return rows


def balance_solution(
    inst: ExpertPlacement,
    *,
    starts: int = DEFAULT_STARTS,
    seed: int = 0,
    iterations: int | None = None,
    stop: Stop | None = None,
    initial_plans: Iterable[Mapping[str, Any]] = (),
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plan every layer: the best of ``starts`` constructions, each improved by local search.

    Modes, picked from the instance:

    * **plan** (``max_load``, no budget; with ``inst.previous``, each layer's GPUs are then
      renamed to change the fewest slots, :func:`relabel_gpus`): per layer, the local search of
      :func:`.balance_kernels.local_search` from each of ``initial_plans`` (e.g. EPLB's plan:
      the result is then never worse on any layer), from ``inst.previous`` if given, from the
      LPT placement of the greedy apportionment, and from ``starts − 1`` perturbed LPT
      placements (:func:`.balance_kernels.plan_units`).
    * **migrate** (``inst.previous`` with ``max_changed_slots`` or ``max_changed_layers``):
      the deployed plan improved by the budgeted greedy of :func:`.balance_kernels.migrate`;
      a budget of 0 returns the deployed plan. With only a layer budget, the better of that
      and fresh plans for the layers that gain most from one (FlashLB's practice of
      re-planning a few layers).
    * **traffic** (``load_and_traffic``, no budget): the best of the contiguous
      (round-robin), the load-balanced and the given plans, then swaps for per_token · max
      load + traffic · hop (:func:`.balance_kernels.traffic_search`), then an iterated local
      search: ``TRAFFIC_KICKS · (starts − 1)`` kicks of a few random swaps, each followed by
      the descent, keeping the best (iterations count these kicks).

    Parameters
    ----------
    inst
        The instance.
    starts
        Constructions per layer (>= 1); the first is the unperturbed LPT placement (plus the
        given plans).
    seed
        Seed of the perturbations: the same seed and ``iterations`` give the same plan.
    iterations
        Most units to run, a unit being one start of one layer (construction and local
        search); the first start of every layer always runs. ``None``: all ``starts × L``.
        In traffic mode: most kicks of the iterated local search.
    stop
        Time limit (and interruption) of the multi-start, :mod:`schedkit.heuristics.search`;
        its iteration limit counts units as ``iterations`` does.
    initial_plans
        Feasible solutions to start from as well (plan mode).
    tolerance
        Relative gap to the layer's lower bound (``evaluate.lower_bound``'s per-layer term)
        at which a layer counts as solved: its search stops and its remaining starts are
        skipped (0: only at the bound itself).

    Returns
    -------
    solution, stats
        ``stats``: ``mode``, ``iterations`` (units), ``moves``, ``max_load_per_layer``,
        ``stopped`` (a :class:`~schedkit.heuristics.search.StopReason`) and, with a previous
        plan, ``changed_slots``/``changed_layers``.
    """
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise InputError(f"must be an integer >= 1, got {starts!r}", field="option starts")
    if not 0.0 <= tolerance < 1.0:
        raise InputError(f"must be in [0, 1), got {tolerance!r}", field="option tolerance")
    t0 = time.perf_counter()
    W = np.ascontiguousarray(inst.load, dtype=np.float64)
    G, S = inst.gpus, inst.slots_per_gpu
    budget = inst.previous is not None and (inst.max_changed_slots is not None
                                            or inst.max_changed_layers is not None)
    if budget:
        rows, stats = _migrate(inst, W, starts, seed, tolerance)
    elif inst.objective == "load_and_traffic":
        rows, stats = _traffic(inst, W, starts, seed, iterations, stop, initial_plans,
                               tolerance)
    else:
        rows, stats = _plan(inst, W, starts, seed, iterations, stop, initial_plans, tolerance)
        if inst.previous is not None:
            rows = relabel_gpus(rows, inst.previous, G, S, inst.n_experts)
    loads = np.array([K.slot_loads(W[layer], rows[layer], G, S) for layer in range(len(W))])
    stats["max_load_per_layer"] = loads.max(axis=1).tolist()
    if inst.previous is not None:
        changed = [G * S - _kept(inst, layer, rows[layer]) for layer in range(len(W))]
        stats["changed_slots"] = int(sum(changed))
        stats["changed_layers"] = int(sum(c > 0 for c in changed))
    stats["planner_ms"] = round(1000 * (time.perf_counter() - t0), 3)
    return solution_from_rows(rows, inst), stats


def relabel_gpus(rows: np.ndarray, prev: np.ndarray, G: int, S: int, E: int) -> np.ndarray:
    """Rows (L, R) with each layer's GPUs renamed to keep as many experts as possible where
    ``prev`` has them: GPU loads are unchanged (all GPUs are alike), the changed slots
    (S − |old ∩ new| per GPU) are the fewest over all renamings (an assignment problem,
    solved exactly by ``scipy.optimize.linear_sum_assignment``)."""
    from scipy.optimize import linear_sum_assignment  # only migration needs it: import late

    out = rows.copy()
    gpu = np.repeat(np.arange(G), S)
    for layer in range(rows.shape[0]):
        new = np.zeros((G, E))
        old = np.zeros((G, E))
        new[gpu, rows[layer]] = 1.0
        old[gpu, prev[layer]] = 1.0
        _, to = linear_sum_assignment(-(new @ old.T))  # new GPU g becomes old GPU to[g]
        out[layer] = rows[layer].reshape(G, S)[np.argsort(to)].reshape(-1)
    return out


def _kept(inst: ExpertPlacement, layer: int, row: np.ndarray) -> int:
    S = inst.slots_per_gpu
    gpu = np.arange(inst.slots) // S
    old = set(zip(gpu.tolist(), inst.previous[layer].tolist(), strict=True))
    return len(old & set(zip(gpu.tolist(), row.tolist(), strict=True)))


def _row_ok(row: np.ndarray, E: int, S: int) -> bool:
    """Whether a slot row is a feasible layer: every expert present, none twice on a GPU."""
    per_gpu = row.reshape(-1, S)
    distinct = np.sort(per_gpu, axis=1)
    return bool(np.unique(row).size == E and (np.diff(distinct, axis=1) > 0).all())


def _starts_array(inst: ExpertPlacement, plans: Iterable[Mapping[str, Any]]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Start rows (K, L, R) of the given plans and the deployed one, and which of their
    layers are feasible starts (K, L): a faithful EPLB plan may put two replicas of an expert
    on one GPU, and such a layer is no start."""
    rows = [plan_rows(inst, p) for p in plans]
    if inst.previous is not None:
        rows.append(np.ascontiguousarray(inst.previous, dtype=np.int64))
    L, R, E, S = inst.n_layers, inst.slots, inst.n_experts, inst.slots_per_gpu
    if not rows:
        return np.zeros((0, L, R), dtype=np.int64), np.zeros((0, L), dtype=np.uint8)
    valid = np.array([[_row_ok(r[layer], E, S) for layer in range(L)] for r in rows],
                     dtype=np.uint8)
    return np.ascontiguousarray(np.stack(rows), dtype=np.int64), valid


def _plan(inst: ExpertPlacement, W: np.ndarray, starts: int, seed: int,
          iterations: int | None, stop: Stop | None,
          initial_plans: Iterable[Mapping[str, Any]], tolerance: float
          ) -> tuple[np.ndarray, dict[str, Any]]:
    L, G, S = inst.n_layers, inst.gpus, inst.slots_per_gpu
    inits, valid = _starts_array(inst, initial_plans)
    lb = K.layer_bounds(W, G, S)
    best = np.zeros((L, G * S), dtype=np.int64)
    best_max = np.zeros(L)
    cap = moves_cap(inst)
    # The first start of every layer always runs: it is the least that makes a plan.
    done, moves = K.plan_units(W, G, S, int(seed), 0, L, inits, valid, best, best_max, lb,
                                  tolerance, cap)
    total = starts * L
    limit = total if iterations is None else max(L, min(total, int(iterations)))
    if stop is not None and stop.iterations is not None:
        limit = max(L, min(limit, int(stop.iterations)))
    state = {"moves": int(moves)}
    reason = StopReason.FINISHED
    if limit > L:
        run_stop = stop if stop is not None else Stop(iterations=limit - L)
        run_stop = dataclasses.replace(run_stop, iterations=limit - L)

        def step(ran: int, todo: int) -> tuple[int, float, int]:
            n, m = K.plan_units(W, G, S, int(seed), L + ran, L + ran + todo, inits, valid,
                                best, best_max, lb, tolerance, cap)
            state["moves"] += int(m)
            return int(n), float(best_max.sum()), 0

        run = run_search(step, float(best_max.sum()), run_stop, first_batch=L,
                         max_batch=max(L, 1024))
        done += run.iterations
        if run.reason != StopReason.ITERATION_LIMIT or limit < total:
            reason = run.reason
    return best, {"mode": "plan", "iterations": int(done), "moves": state["moves"],
                  "starts": starts, "stopped": reason}


def _migrate(inst: ExpertPlacement, W: np.ndarray, starts: int, seed: int,
             tolerance: float) -> tuple[np.ndarray, dict[str, Any]]:
    prev = np.ascontiguousarray(inst.previous, dtype=np.int64)
    slots = -1 if inst.max_changed_slots is None else int(inst.max_changed_slots)
    layers = -1 if inst.max_changed_layers is None else int(inst.max_changed_layers)
    L, R = prev.shape
    G, S = inst.gpus, inst.slots_per_gpu
    rows, _, moves = K.migrate(W, prev, G, S, slots, layers, 200 * L * R)
    stats: dict[str, Any] = {"mode": "migrate", "iterations": int(moves), "moves": int(moves),
                             "stopped": StopReason.FINISHED}
    if slots < 0:
        # Only a layer budget (FlashLB's practice): re-plan the layers whose balancedness
        # (mean / max) gains most from a fresh plan, keep the others; the greedy's answer
        # when that is better.
        fresh, fresh_stats = _plan(inst, W, starts, seed, None, None, (), tolerance)
        mean = W.sum(axis=1) / G
        before = np.array([K.slot_loads(W[layer], rows[layer], G, S).max()
                           for layer in range(L)])
        after = np.array([K.slot_loads(W[layer], fresh[layer], G, S).max()
                          for layer in range(L)])
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(after > 0, mean / after, 1.0) - np.where(before > 0,
                                                                     mean / before, 1.0)
        picked = [int(layer) for layer in np.argsort(-gain, kind="stable")[:layers]
                  if gain[layer] > 0]
        chosen = prev.copy()
        for layer in range(L):
            K.repair_row(W[layer], chosen[layer], G, S)  # as the greedy did
        chosen[picked] = relabel_gpus(fresh[picked], prev[picked], G, S, inst.n_experts)
        value = sum(K.slot_loads(W[layer], chosen[layer], G, S).max() for layer in range(L))
        greedy = sum(K.slot_loads(W[layer], rows[layer], G, S).max() for layer in range(L))
        if value < greedy:
            rows = chosen
            stats.update(mode="migrate-layers", moves=fresh_stats["moves"],
                         iterations=fresh_stats["iterations"])
    return rows, stats


def _traffic(inst: ExpertPlacement, W: np.ndarray, starts: int, seed: int,
             iterations: int | None, stop: Stop | None,
             initial_plans: Iterable[Mapping[str, Any]], tolerance: float
             ) -> tuple[np.ndarray, dict[str, Any]]:
    G, S = inst.gpus, inst.slots_per_gpu
    hop = hop_matrix(inst)
    T = (np.zeros((0, inst.n_experts, inst.n_experts)) if inst.traffic is None
         else np.ascontiguousarray(inst.traffic, dtype=np.float64))
    candidates = [plan_rows(inst, baseline_solution(inst))]
    balanced, _ = _plan(inst, W, starts, seed, None, stop, (), tolerance)
    candidates.append(balanced)
    candidates += [plan_rows(inst, p) for p in initial_plans]
    values = [K.traffic_value(W, T, hop, c, G, S, float(inst.per_token)) for c in candidates]
    pick = int(np.argmin(values))
    rows = np.ascontiguousarray(candidates[pick]).copy()
    per_token = float(inst.per_token)
    passes, swaps = K.traffic_search(W, T, hop, rows, G, S, per_token, TRAFFIC_PASSES)
    best_value = K.traffic_value(W, T, hop, rows, G, S, per_token)
    # Iterated local search: kick the best plan by a few random swaps, descend again, keep
    # the better; TRAFFIC_KICKS iterations per further start.
    state: dict[str, Any] = {"rng": int(K.unit_state(int(seed), 0, 0)), "best": best_value,
             "since": 0,
             "passes": int(passes), "swaps": int(swaps), "kicks": 0}
    kicks = max(2, inst.slots // 8)

    def step(done: int, todo: int) -> tuple[int, float, int]:
        nonlocal rows
        for _ in range(todo):
            trial = rows.copy()
            state["rng"] = int(K.traffic_kick(trial, G, S, kicks, state["rng"]))
            p, w = K.traffic_search(W, T, hop, trial, G, S, per_token, TRAFFIC_PASSES)
            state["passes"] += int(p)
            state["swaps"] += int(w)
            state["kicks"] += 1
            value = K.traffic_value(W, T, hop, trial, G, S, per_token)
            if value < state["best"] - 1e-9 * max(1.0, abs(state["best"])):
                rows, state["best"], state["since"] = trial, value, 0
            else:
                state["since"] += 1
        return todo, state["best"], state["since"]

    limit = TRAFFIC_KICKS * (starts - 1)
    for cap in (iterations, None if stop is None else stop.iterations):
        if cap is not None:
            limit = min(limit, max(0, int(cap)))
    reason = StopReason.FINISHED
    if limit > 0:
        run_stop = dataclasses.replace(stop if stop is not None else Stop(iterations=limit),
                                       iterations=limit)
        run = run_search(step, best_value, run_stop)
        if run.reason != StopReason.ITERATION_LIMIT:
            reason = run.reason
    start_names = ["contiguous", "balanced"] + ["initial"] * (len(candidates) - 2)
    return rows, {"mode": "traffic", "iterations": int(state["kicks"]),
                  "passes": int(state["passes"]), "moves": int(state["swaps"]),
                  "start": start_names[pick],
                  "start_objective": float(values[pick]), "objective": float(state["best"]),
                  "stopped": reason}
