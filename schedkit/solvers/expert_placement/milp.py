"""Adapter of ``milp`` for expert placement: the models of
:mod:`schedkit.formulations.expert_placement.milp`, solved by the one PuLP runner (CBC or
HiGHS), layer by layer or all together (:mod:`.exact`).

A layer of the even split with ``max_load`` goes to the pattern model: a bisection over the
candidate maxima (the loads of the GPU patterns between the cheap lower bound and the warm
start's maximum), one feasibility MILP per level, up to :data:`MAX_PATTERNS` patterns. With
a previous plan its optimum then caps the assignment model, which minimises the changed
slots. Everything else (free split, budgets, traffic, too many patterns) is the assignment
model.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pulp

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.expert_placement.common import count_choices, geometry, layer_lower_bounds
from ...formulations.expert_placement.milp import (
    MAX_PATTERNS,
    PlacementMilp,
    build_milp,
    build_pattern_milp,
    enumerate_patterns,
    hint_milp,
    minimise_moves_milp,
)
from ...instances import ExpertPlacement
from ..backends.pulp import MIN_TIME_S, solve_pulp
from ..registry import MethodResult, RunContext
from ..result import Status
from .exact import Block, run_exact

__all__ = ["MAX_PATTERNS", "run"]


def _left(end: float | None) -> float | None:
    return None if end is None else max(0.0, end - time.perf_counter())


def _peak(w: np.ndarray, onto: np.ndarray) -> float:
    """Largest GPU load of one layer's plan (E, G), the evaluator's way."""
    loads = np.zeros(onto.shape[1])
    cnt = onto.sum(axis=1)
    for e in range(onto.shape[0]):
        if cnt[e]:
            np.add.at(loads, np.flatnonzero(onto[e]), w[e] / cnt[e])
    return float(loads.max())


def _pattern_block(inst: ExpertPlacement, layer: int, hint: np.ndarray | None,
                   upper: float | None, end: float | None, ctx: RunContext,
                   hierarchical: bool | None = None) -> Block | None:
    """One layer by the pattern model: a bisection over the candidate maxima (the loads of
    the GPU patterns), each level a MILP whose optimum 0 means feasible; ``None`` when the
    patterns are too many (the assignment model is used instead).

    Every candidate below the lowest level not refuted is proved impossible, so that level
    is a bound even when the time runs out; optimal when it meets the best plan found.
    """
    if hierarchical is None:
        hierarchical = bool(ctx.options["hierarchical"])
    geo = geometry(inst, hierarchical)
    w = inst.load[layer]
    choices = count_choices(w, geo, upper, "even")
    patterns = enumerate_patterns(w, choices, geo, upper)
    if not patterns:
        return None
    lb = float(layer_lower_bounds(inst, "even")[layer])
    levels = sorted({round(load, 9) for _, load in patterns})
    levels = [v for v in levels if v >= lb * (1 - 1e-12) - 1e-9] or levels[-1:]
    plan = None if hint is None else hint[0]
    lo, hi = 0, len(levels) - 1
    if plan is not None:
        best = _peak(w, plan)
        hi = max([i for i, v in enumerate(levels) if v <= best * (1 + 1e-9) + 1e-9],
                 default=hi)
    stats: dict[str, Any] = {"model": "patterns", "patterns": len(patterns),
                             "levels": len(levels), "milps": 0, "nodes": 0}
    detail = "bisection finished"
    while lo < hi or plan is None:
        if lo > hi:
            break
        mid = (lo + hi) // 2 if plan is not None else hi
        try:
            built = build_pattern_milp(inst, layer, patterns, choices, geo, levels[mid],
                                       deadline=Deadline(end))
        except OutOfTime:
            detail = "the time ran out while building a level's model"
            break
        out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=_left(end),
                         workers=ctx.workers, seed=ctx.seed, interrupt=ctx.interrupted, run=ctx)
        stats["milps"] += 1
        stats["nodes"] += int(out.stats.get("nodes") or 0)
        if out.solved and out.objective is not None and out.objective < 0.5:
            plan = built.read()
            peak = _peak(w, plan)
            hi = max([i for i, v in enumerate(levels) if v <= peak * (1 + 1e-9) + 1e-9],
                     default=mid)
        elif (out.status == Status.OPTIMAL and (out.objective or 0) >= 0.5) or \
                (out.bound is not None and out.bound > 0.5):
            lo = mid + 1
        else:
            detail = f"level {levels[mid]:g} undecided ({out.stats['pulp_status']})"
            break
    stats["detail"] = detail
    bound = levels[min(lo, len(levels) - 1)]
    if plan is None:
        return Block(Status.UNKNOWN, None, None, bound, stats)
    value = _peak(w, plan)
    proved = lo >= hi and value <= bound * (1 + 1e-9) + 1e-9
    return Block(Status.OPTIMAL if proved else Status.FEASIBLE, plan[None], value,
                 value if proved else min(bound, value), stats)


#: Most ways of splitting the groups over the nodes that :func:`_hierarchical_block` tries.
MAX_SPLITS = 1000


def _splits(groups: list[int], size: int) -> Iterator[list[tuple[int, ...]]]:
    """Every split of ``groups`` into sets of ``size``, as lists of sets (the nodes are
    interchangeable, so the set holding the first group comes first)."""
    if not groups:
        yield []
        return
    first, rest = groups[0], groups[1:]
    for combo in itertools.combinations(rest, size - 1):
        left = [q for q in rest if q not in combo]
        for tail in _splits(left, size):
            yield [(first, *combo), *tail]


def _hierarchical_block(inst: ExpertPlacement, layer: int, hint: np.ndarray | None,
                        end: float | None, ctx: RunContext) -> Block | None:
    """One layer under the hierarchical constraint, decomposed: for a split of the groups
    over the nodes the nodes are independent (each a global problem over its experts and
    GPUs, solved by :func:`_pattern_block`), and the layer's optimum is the least over the
    splits of the largest node optimum. Splits are tried in order of their cheap bound and
    cut off once that bound reaches the best plan; each node problem is solved once.
    ``None`` when there are more than :data:`MAX_SPLITS` splits."""
    geo = geometry(inst, True)
    assert geo.group_of is not None
    splits = list(itertools.islice(_splits(list(range(geo.n_groups)),
                                          geo.n_groups // geo.nodes), MAX_SPLITS + 1))
    if len(splits) > MAX_SPLITS:
        return None
    w = inst.load[layer]
    subs: dict[tuple[int, ...], tuple[np.ndarray, ExpertPlacement]] = {}
    for split in splits:
        for groups in split:
            if groups not in subs:
                experts = np.flatnonzero(np.isin(geo.group_of, groups))
                subs[groups] = (experts, ExpertPlacement(
                    name="node", objective="max_load", gpus=geo.per_node,
                    gpus_per_node=geo.per_node, slots_per_gpu=geo.S, load=w[experts][None]))
    cheap = {k: float(layer_lower_bounds(sub, "even")[0]) for k, (_, sub) in subs.items()}
    splits.sort(key=lambda sp: max(cheap[k] for k in sp))
    best_plan = None if hint is None else hint[0]
    best = np.inf if best_plan is None else _peak(w, best_plan)
    solved: dict[tuple[int, ...], Block] = {}
    bound = np.inf
    stats: dict[str, Any] = {"model": "patterns per node", "splits": len(splits),
                             "node_models": 0, "milps": 0}
    proved = True
    for split in splits:
        lb = max(cheap[k] for k in split)
        if lb >= best * (1 - 1e-12) - 1e-9:
            bound = min(bound, lb)
            break  # every later split has a bound at least as high
        value, split_bound, plans = 0.0, 0.0, []
        for groups in split:
            if groups not in solved:
                found = _pattern_block(subs[groups][1], 0, None, None, end, ctx, False)
                if found is None:
                    return None
                solved[groups] = found
                stats["node_models"] += 1
                stats["milps"] += found.stats.get("milps", 0)
            node = solved[groups]
            split_bound = max(split_bound, node.bound if node.bound is not None else lb)
            if node.plan is None or node.objective is None:
                value = np.inf
            else:
                value = max(value, node.objective)
                plans.append((groups, node.plan[0]))
            proved = proved and node.status == Status.OPTIMAL
        bound = min(bound, split_bound)
        if value < best:
            best = value
            best_plan = np.zeros((geo.E, geo.G), dtype=bool)
            for n, (groups, sub_plan) in enumerate(plans):
                experts = subs[groups][0]
                best_plan[np.ix_(experts, np.arange(n * geo.per_node,
                                                    (n + 1) * geo.per_node))] = sub_plan
    else:
        bound = min(bound, best)
    bound = min(bound, best)
    if best_plan is None:
        return Block(Status.UNKNOWN, None, None, None if not np.isfinite(bound) else
                     float(bound), stats)
    proved = proved and bound >= best * (1 - 1e-9) - 1e-9
    stats["detail"] = "splits finished" if proved else "splits undecided"
    value = _peak(w, best_plan)
    return Block(Status.OPTIMAL if proved else Status.FEASIBLE, best_plan[None], value,
                 value if proved else float(bound), stats)


def _solve_block(inst: ExpertPlacement, layers: list[int], hint: np.ndarray | None,
                 upper: list[float] | None, seconds: float | None, ctx: RunContext) -> Block:
    end = None if seconds is None else time.perf_counter() + seconds
    split = ctx.options["split"]
    backend = ctx.options["backend"]
    if split == "even" and inst.objective == "max_load" and len(layers) == 1:
        if ctx.options["hierarchical"]:
            found = _hierarchical_block(inst, layers[0], hint, end, ctx)
        else:
            found = _pattern_block(inst, layers[0], hint, None if upper is None else upper[0],
                                   end, ctx)
        if found is not None:
            if inst.previous is None or found.plan is None:
                return found
            # A previous plan: the pattern model's optimum caps the assignment model, which
            # then minimises the changed slots (the patterns know no GPU identity).
            hint, upper = found.plan, [float(found.objective or 0.0)]
            first = found
        else:
            first = None
    else:
        first = None
    try:
        built = build_milp(inst, layers, split=split,
                           hierarchical=bool(ctx.options["hierarchical"]), upper=upper,
                           deadline=Deadline(end))
    except OutOfTime:
        return Block(Status.UNKNOWN, None, None, None,
                     {"detail": "the time ran out while building the model"})
    if hint is not None:
        hint_milp(inst, built, hint)
    if first is not None and built.moves is not None and first.objective is not None:
        return _fewest_moves(inst, built, first, end, ctx)
    out = solve_pulp(built.problem, backend=backend, time_limit=_left(end), workers=ctx.workers,
                     seed=ctx.seed, warm_start=hint is not None, interrupt=ctx.interrupted, run=ctx)
    stats: dict[str, Any] = {**built.stats, **out.stats, "detail": out.stats["pulp_status"]}
    if out.status == Status.INFEASIBLE:
        return Block(Status.INFEASIBLE, None, None, None, stats)
    if not out.solved:
        return Block(Status.UNKNOWN, None, None, out.bound, stats)
    plan = built.read()
    value = float(pulp.value(built.objective))
    if built.moves is not None and ((left := _left(end)) is None or left > MIN_TIME_S):
        # Second phase: the fewest changed slots among the plans at most as bad.
        minimise_moves_milp(built, value)
        hint_milp(inst, built, plan)
        again = solve_pulp(built.problem, backend=backend, time_limit=_left(end),
                           workers=ctx.workers, seed=ctx.seed, warm_start=True,
                           interrupt=ctx.interrupted, run=ctx)
        stats["moves_phase"] = again.stats["pulp_status"]
        if again.solved:
            plan = built.read()
            value = float(pulp.value(built.objective))
            stats["moves_proved_fewest"] = again.status == Status.OPTIMAL
    proved = out.status == Status.OPTIMAL and split == "even"
    bound = value if proved else out.bound
    # The model's value is the plan's only when proved (an incumbent's M_l may be slack).
    return Block(Status.OPTIMAL if proved else Status.FEASIBLE, plan,
                 value if proved else None, bound, stats)


def _fewest_moves(inst: ExpertPlacement, built: PlacementMilp, first: Block, end: float | None,
                  ctx: RunContext) -> Block:
    """The second phase on the assignment model after the pattern model's first."""
    assert first.plan is not None and first.objective is not None
    minimise_moves_milp(built, first.objective)
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=_left(end),
                     workers=ctx.workers, seed=ctx.seed, warm_start=True,
                     interrupt=ctx.interrupted, run=ctx)
    first.stats["moves_phase"] = out.stats["pulp_status"]
    if out.solved:
        plan = built.read()
        value = _peak(inst.load[built.layers[0]], plan[0])
        if value <= first.objective * (1 + 1e-9) + 1e-9:
            first.plan, first.objective = plan, value
            first.stats["moves_proved_fewest"] = out.status == Status.OPTIMAL
    return first


def run(instance: ExpertPlacement, ctx: RunContext) -> MethodResult:
    """Solve the even split (or the free split, a bound) as a MILP; ``optimal`` only when the
    backend proves every model with a zero gap."""
    return run_exact(instance, ctx, _solve_block, "milp")
