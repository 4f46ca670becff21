"""What the exact expert-placement adapters (``cpsat``, ``milp``) share: the warm start, the
split of the layers into models, the time share of each model, the second phase that
minimises moves, and the assembly of one method result from the models' answers.

Layers are independent for ``max_load`` without a migration budget: each layer is its own
model, solved one after another, each given an equal share of the time still left (a layer
that finishes early leaves its time to the next). A migration budget (changed slots or
layers, which couple the layers) and the traffic objective (which ties consecutive layers)
put all layers into one model.

With a previous plan, a second phase per model keeps the objective at most the first
phase's and minimises the changed slots, in the time the model's share still has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...formulations.expert_placement.common import (
    Geometry,
    geometry,
    hierarchical_ok,
    hierarchical_round_robin,
    layer_lower_bounds,
    old_sets,
    plan_array,
    plan_replicas,
)
from ...heuristics.expert_placement.balance import balance_solution
from ...heuristics.expert_placement.baseline import baseline_solution
from ...heuristics.expert_placement.eplb import eplb_solution
from ...heuristics.search import StopReason
from ...instances import ExpertPlacement, InputError
from ...instances.evaluate import check
from ...instances.expert_placement.evaluate import changed_slots, gpu_loads, objective
from ..common import checked_initial
from ..registry import MethodResult, RunContext
from ..result import Status

__all__ = ["Block", "Warm", "check_options", "coupled", "heuristic_plan", "run_exact",
           "warm_plan"]


@dataclass
class Block:
    """One solved model: status, plan (len(layers), E, G) or ``None``, the model's own
    objective of its layers (``None`` unless exact), a bound on the real objective of its
    layers, and the solver's stats."""

    status: Status
    plan: np.ndarray | None
    objective: float | None
    bound: float | None
    stats: dict[str, Any] = field(default_factory=dict)


#: A backend: (instance, layers, hint plan of those layers or None, upper bounds per layer or
#: None, seconds or None, is this the moves phase's model to continue?) → Block. The adapter
#: of each method supplies one.
SolveBlock = Callable[[ExpertPlacement, list[int], "np.ndarray | None", "list[float] | None",
                       "float | None", RunContext], Block]


@dataclass
class Warm:
    """The warm start: a plan (L, E, G) feasible for the model, its per-layer value
    (largest GPU load) and total objective, and where it came from."""

    plan: np.ndarray | None = None
    layer_values: np.ndarray | None = None
    objective: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def coupled(inst: ExpertPlacement) -> bool:
    """Whether the layers must be solved in one model (a migration budget or traffic)."""
    return inst.objective == "load_and_traffic" or inst.max_changed_slots is not None or \
        inst.max_changed_layers is not None


#: Seconds (at most, and at most a tenth of the time limit) the ``balance`` planner gets for
#: the warm start.
HINT_SECONDS = 1.0


def heuristic_plan(inst: ExpertPlacement, ctx: RunContext, geo: Geometry
                   ) -> list[tuple[str, np.ndarray]]:
    """The heuristic warm starts when no ``initial`` plan is given, best first: the fast
    planner ``balance`` (it knows no hierarchy, so under the hierarchical constraint its plan
    is usually rejected), under the hierarchical constraint EPLB's hierarchical plan (defects
    fixed) and a round robin inside each node, else the round-robin ``baseline`` (always
    feasible without a migration budget).
    """
    out: list[tuple[str, np.ndarray]] = []
    seconds = HINT_SECONDS if ctx.time_limit is None else min(HINT_SECONDS, 0.1 * ctx.time_limit)
    try:
        sol, _ = balance_solution(inst, seed=ctx.seed, stop=ctx.stop(time_limit=seconds))
        out.append(("balance", plan_array(inst, sol)))
    except InputError:
        pass  # a deployed plan its repair cannot fit in the budget: the others remain
    if geo.hierarchical:
        try:
            out.append(("eplb", plan_array(inst, eplb_solution(inst, "hierarchical", True))))
        except InputError:
            pass
        out.append(("round robin per node", hierarchical_round_robin(inst, geo)))
    else:
        out.append(("baseline", plan_array(inst, baseline_solution(inst))))
    return out


def _usable(inst: ExpertPlacement, geo: Geometry, onto: np.ndarray) -> bool:
    """Whether a plan is feasible for the instance (evaluator) and the model (hierarchy)."""
    return not check(inst, plan_replicas(onto)) and hierarchical_ok(geo, onto)


def warm_plan(inst: ExpertPlacement, ctx: RunContext, geo: Geometry) -> Warm:
    """The warm start among ``initial`` (checked), the previous plan (it meets every budget)
    and :func:`heuristic_plan`'s; a plan the model cannot take (off the hierarchy, over the
    migration budget) is not used. Empty when the ``hint`` option is off.

    Of the usable candidates the one with the best objective is the warm start (its value
    bounds the models; ties go to the earlier: initial, previous, balance, round robin)."""
    if not ctx.options["hint"]:
        return Warm(stats={"hint_from": None})
    candidates: list[tuple[str, np.ndarray]] = []
    given = checked_initial(inst, ctx)
    if given is not None:
        candidates.append(("initial", plan_array(inst, given)))
    if inst.previous is not None:
        old = old_sets(inst)
        assert old is not None
        candidates.append(("previous", old))
    candidates.extend(heuristic_plan(inst, ctx, geo))
    rejected: list[str] = []
    best: Warm | None = None
    for source, onto in candidates:
        if not _usable(inst, geo, onto):
            rejected.append(source)
            continue
        sol = plan_replicas(onto)
        value = objective(inst, sol["replicas"])
        if best is None or value < (best.objective or 0.0) - 1e-9 * max(1.0, abs(value)):
            values = gpu_loads(inst, sol["replicas"]).max(axis=1)
            best = Warm(onto, values, value, {"hint_from": source, "hint_objective": value})
    if best is None:
        return Warm(stats={"hint_from": None, "hint_rejected": rejected})
    if rejected:
        best.stats["hint_rejected"] = rejected
    return best


def _uppers(inst: ExpertPlacement, warm: Warm, layers: list[int], lbs: np.ndarray,
            together: bool) -> list[float] | None:
    """Per model layer, an upper bound on its largest GPU load in some optimal plan."""
    if warm.plan is None or warm.layer_values is None or warm.objective is None:
        return None
    if not together:
        return [float(warm.layer_values[layer]) for layer in layers]
    if inst.objective == "load_and_traffic":
        if inst.per_token <= 0:
            return None
        # per_token·M_l <= objective − per_token·Σ_{other layers} M − traffic.
        rest = float(lbs.sum())
        return [(warm.objective - inst.per_token * (rest - lbs[layer])) / inst.per_token
                for layer in layers]
    total = float(warm.layer_values.sum())
    return [total - float(lbs.sum() - lbs[layer]) for layer in layers]


def run_exact(instance: ExpertPlacement, ctx: RunContext, solve_block: SolveBlock,
              method: str) -> MethodResult:
    """Warm start, the models of :func:`coupled` layers, their solves and one result."""
    check_options(instance, ctx)
    split = ctx.options["split"]
    hierarchical = bool(ctx.options["hierarchical"])
    geo = geometry(instance, hierarchical)
    if instance.objective == "load_and_traffic" and instance.slots != instance.n_experts:
        return MethodResult(None, Status.UNKNOWN, stop_reason=StopReason.FINISHED,
                            stop_detail=f"{method}: the exact traffic model needs one replica "
                                        f"per expert (R = {instance.slots} slots, E = "
                                        f"{instance.n_experts} experts); use max_load",
                            stats={"refused": "load_and_traffic with R != E"})
    warm = warm_plan(instance, ctx, geo)
    stats: dict[str, Any] = dict(warm.stats)
    stats.update(split=split, hierarchical=hierarchical)
    lbs = layer_lower_bounds(instance, split)
    together = coupled(instance)
    blocks = [list(range(instance.n_layers))] if together else \
        [[layer] for layer in range(instance.n_layers)]
    stats["models"] = len(blocks)
    answers: list[Block] = []
    for i, layers in enumerate(blocks):
        if ctx.interrupted.is_set():
            answers.append(Block(Status.UNKNOWN, None, None, None, {"skipped": "interrupted"}))
            continue
        left = ctx.time_left()
        share = None if left is None else left / (len(blocks) - i)
        hint = None if warm.plan is None else warm.plan[layers]
        upper = _uppers(instance, warm, layers, lbs, together)
        t0 = time.perf_counter()
        answers.append(solve_block(instance, layers, hint, upper, share, ctx))
        answers[-1].stats["seconds"] = round(time.perf_counter() - t0, 4)
    return _assemble(instance, ctx, warm, blocks, answers, lbs, split, stats)


def _assemble(instance: ExpertPlacement, ctx: RunContext, warm: Warm, blocks: list[list[int]],
              answers: Sequence[Block], lbs: np.ndarray, split: str,
              stats: dict[str, Any]) -> MethodResult:
    L = instance.n_layers
    traffic = instance.objective == "load_and_traffic"
    scale = instance.per_token if traffic else 1.0
    plan = np.zeros((L, instance.n_experts, instance.gpus), dtype=bool)
    complete, exact_objective, model_objective = True, split == "even", 0.0
    bound_total = 0.0
    layer_bounds = [0.0] * L
    statuses = []
    for layers, ans in zip(blocks, answers, strict=True):
        statuses.append(str(ans.status))
        cheap = scale * float(lbs[layers].sum())
        b = cheap if ans.bound is None else max(cheap, ans.bound)
        bound_total += b
        for layer in layers:
            layer_bounds[layer] = b if len(layers) == 1 else scale * float(lbs[layer])
        if ans.status == Status.INFEASIBLE:
            return MethodResult(None, Status.INFEASIBLE, stop_reason=StopReason.FINISHED,
                                stop_detail=f"the model of layers {layers} is infeasible "
                                            "(migration budget or hierarchy)",
                                stats={**stats, "models_status": statuses,
                                       "model_stats": [a.stats for a in answers]})
        if ans.plan is not None:
            plan[layers] = ans.plan
            if ans.objective is None:
                exact_objective = False
            else:
                model_objective += ans.objective
        elif warm.plan is not None and warm.layer_values is not None:
            plan[layers] = warm.plan[layers]
            ans.stats["returned"] = "warm start"
            if traffic:
                exact_objective = False
            else:
                model_objective += float(warm.layer_values[layers].sum())
        else:
            complete = False
    stats.update(models_status=statuses, model_stats=[a.stats for a in answers],
                 layer_bounds=layer_bounds)
    if split == "free":
        stats["free_split_bound"] = bound_total
    proved = split == "even" and all(a.status == Status.OPTIMAL for a in answers)
    if ctx.interrupted.is_set():
        reason = StopReason.INTERRUPTED
    elif proved:
        reason = StopReason.FINISHED
    else:
        reason = StopReason.TIME_LIMIT if ctx.time_limit is not None else StopReason.FINISHED
    detail = "; ".join(f"layers {b[0]}..{b[-1]}: {a.stats.get('detail', a.status)}"
                       for b, a in zip(blocks, answers, strict=True))
    if not complete:
        return MethodResult(None, Status.UNKNOWN, bound=bound_total, stop_reason=reason,
                            stop_detail=f"no plan for every layer ({detail})", stats=stats)
    sol = plan_replicas(plan)
    status = Status.OPTIMAL if proved else Status.FEASIBLE
    if not proved and warm.plan is not None and warm.objective is not None:
        found = objective(instance, sol["replicas"])
        if warm.objective < found:
            # An unproved search can end below its own warm start (CP-SAT on the traffic
            # model, which gets no hint): the warm start is the better answer.
            sol = plan_replicas(warm.plan)
            exact_objective = False
            stats["returned"] = f"warm start ({warm.objective:g} < the solver's {found:g})"
    if instance.previous is not None:
        moves = changed_slots(instance, sol["replicas"])
        stats["changed_slots"] = int(moves.sum())
        stats["changed_slots_per_layer"] = moves.tolist()
    if split == "free":
        detail = f"free split: bound {bound_total:g}; the plan is scored with the even split" \
            f" ({detail})"
    return MethodResult(sol, status, bound=bound_total,
                        objective=model_objective if exact_objective else None,
                        stop_reason=reason, stop_detail=detail, stats=stats)


def check_options(instance: ExpertPlacement, ctx: RunContext) -> None:
    """InputError for options the instance cannot take (before any work)."""
    if ctx.options["split"] == "free" and instance.objective == "load_and_traffic":
        raise InputError("the free split has no traffic model (one replica per expert "
                         "leaves nothing to split)", field="option split")
