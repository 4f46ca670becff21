"""CP-SAT model of sequence-parallel allocation (builds only; the adapter solves).

The same model as :mod:`.milp` (FlexSP's per-micro-batch model, Wang et al., ASPLOS 2025,
arXiv:2412.01523, extended to J slots; variables y, x, T, the memory, device, work and
symmetry constraints, minimise Σ_j T_j) in integers.

**Integer scaling and the bound.** CP-SAT needs integer coefficients. Times are multiplied by
S = 2**e (:func:`~.common.time_scale`: S·UB ≈ 2**40) and **rounded down**:
τ'(i, d) = ⌊S·t(L_i, d)⌋, b1' = ⌊S·b1⌋. For every plan, each group's scaled time is at most
S times its real time, so the model's value of a plan is at most S times its real step time,
and the model's optimum — and any bound CP-SAT proves on it — divided by S is a lower bound
of the real optimum (:meth:`SpCpSat.real_bound`). Rounding down loses less than one unit per
term: a plan's real step time is below (model value + J·(K + 1)) / S, so a plan proved
optimal in the model is optimal for the real objective within J·(K + 1)/S ≈ J·(K+1)·UB·2**−40
— the adapter re-scores the plan with the evaluator and claims ``optimal`` only when that
score meets the real bound to 1e-9 relative, else ``feasible`` with the bound.

The warm start's value caps the objective at ⌈S·UB⌉ (its model value is at most S·UB).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instances import SequenceParallel
from ..deadline import Deadline
from .common import Items, candidate_groups, hint_values, make_items, slot_count, time_scale

__all__ = ["SpCpSat", "build_cpsat", "build_full_cpsat", "build_microbatch_cpsat",
           "hint_cpsat"]


@dataclass
class SpCpSat:
    """A built CP-SAT model: ``y[j][g]``, ``x[j][g]`` ({item: variable}), ``T[j]`` (scaled)
    over ``groups`` (:func:`~.common.candidate_groups`), and the time scale ``scale``."""

    model: Any
    items: Items
    groups: list[tuple[int, int, list[int]]]
    slots: int
    y: list[list[Any]]
    x: list[list[dict[int, Any]]]
    T: list[Any]
    objective: Any
    scale: float
    stats: dict[str, Any] = field(default_factory=dict)

    def read(self, value: Callable[[Any], int]) -> list[list[tuple[int, list[int]]]]:
        """The solved plan (``value`` = ``solver.value``): micro-batches of (degree, ids)."""
        left = [list(m) for m in self.items.members]
        plan = []
        for j in range(self.slots):
            mb = []
            for g, (dj, _, _) in enumerate(self.groups):
                seqs: list[int] = []
                for i, var in self.x[j][g].items():
                    n = int(value(var))
                    seqs.extend(left[i][:n])
                    del left[i][:n]
                if seqs:
                    mb.append((self.items.degrees[dj], seqs))
            plan.append(mb)
        return plan

    def real_bound(self, bound: float | None) -> float | None:
        """A lower bound of the real step time from CP-SAT's bound on the scaled objective
        (module docstring: floored coefficients; the integer optimum is >= ⌈bound⌉)."""
        if bound is None or not math.isfinite(bound):
            return None
        return max(0.0, math.ceil(bound - 1e-6) / self.scale)


def build_cpsat(inst: SequenceParallel, items: Items, slots: int, *, upper: float | None = None,
                deadline: Deadline | None = None, scale_upper: float | None = None) -> SpCpSat:
    """The model of the module docstring over ``items`` and ``slots`` slots.

    Parameters
    ----------
    inst, items, slots
        As :func:`~.milp.build_milp`.
    upper
        Seconds: the objective is at most ⌈S·upper⌉; ``None``: no cap.
    deadline
        Raises :class:`~schedkit.formulations.deadline.OutOfTime` when building takes too
        long.
    scale_upper
        The step time S is chosen for (default ``upper``, else Σ of every sequence alone on
        its slowest degree, an upper bound of any plan's time with one micro-batch per
        sequence).
    """
    from ortools.sat.python import cp_model

    dl = deadline or Deadline()
    C, N = inst.memory_tokens, inst.devices
    groups = candidate_groups(inst, items)
    last = items.last_label
    fewest = max(1, -(-int((items.length * items.count).sum()) // (N * C)))
    if scale_upper is None:
        scale_upper = upper
    if scale_upper is None:
        scale_upper = float(((inst.cost.b1 + items.time.max(axis=1)) * items.count).sum())
    S = time_scale(scale_upper)
    tau = np.floor(items.time * S).astype(np.int64)
    b1 = int(math.floor(inst.cost.b1 * S))
    # The largest value a slot time can need: every item on the slowest degree, in one group.
    t_max = b1 * len(groups) + int((tau.max(axis=1) * items.count).sum())
    cap = t_max if upper is None else min(t_max, int(math.ceil(upper * S)))
    model = cp_model.CpModel()
    n_items = items.length.size
    T = [model.new_int_var(0, cap, f"T{j}") for j in range(slots)]
    ys: list[list[Any]] = []
    xs: list[list[dict[int, Any]]] = []
    placed: list[list[Any]] = [[] for _ in range(n_items)]
    used = [model.new_bool_var(f"u{j}") for j in range(slots)]
    unit = b1 + int(tau.min()) if tau.size else b1
    for j in range(slots):
        yj, xj, work = [], [], []
        for g, (dj, c, held) in enumerate(groups):
            d = items.degrees[dj]
            y = model.new_bool_var(f"y{j}_{g}")
            model.add_implication(y, used[j])
            xg: dict[int, Any] = {}
            for i in held:
                dl.tick()
                if j > int(last[i]):
                    continue  # the symmetry rule on the slots (common.candidate_groups)
                u = min(int(items.count[i]), (C * d) // int(items.length[i]))
                if u < 1:
                    continue
                var = model.new_bool_var(f"x{j}_{g}_{i}") if u == 1 else \
                    model.new_int_var(0, u, f"x{j}_{g}_{i}")
                xg[i] = var
                placed[i].append(var)
                if u == 1:
                    model.add_implication(var, y)
                else:
                    model.add(var <= u * y)
            model.add(sum(int(items.length[i]) * v for i, v in xg.items()) <= C * d * y)
            busy = sum(int(tau[i, dj]) * v for i, v in xg.items())
            model.add(b1 * y + busy <= T[j])
            work.append(d * busy)
            yj.append(y)
            xj.append(xg)
            if c > 0:
                model.add_implication(y, yj[g - 1])  # the previous group has the same degree
        model.add(sum(items.degrees[groups[g][0]] * yj[g] for g in range(len(groups))) <= N)
        model.add(N * T[j] >= N * b1 * used[j] + sum(work))
        model.add(T[j] >= unit * used[j])
        model.add_bool_or(yj).only_enforce_if(used[j])
        if j > 0:
            model.add_implication(used[j], used[j - 1])
        ys.append(yj)
        xs.append(xj)
    for i in range(n_items):
        model.add(sum(placed[i]) == int(items.count[i]))
    model.add(sum(used) >= min(slots, fewest))
    objective = sum(T)
    # The cheap bound in the model's own (floored) units: every used slot pays b1' at least
    # and the slots' devices do all the work (the work cuts summed).
    least = np.where(np.array([[int(L) <= C * d for d in items.degrees] for L in
                               items.length.tolist()]).reshape(tau.shape),
                     tau * np.array(items.degrees, dtype=np.int64), np.iinfo(np.int64).max)
    total = sum(int(a) * int(n) for a, n in zip(least.min(axis=1).tolist(),
                                                items.count.tolist(), strict=True))
    lb = min(slots, fewest) * b1 + -(-total // N)
    model.add(objective >= lb)
    model.minimize(objective)
    if upper is not None:
        model.add(objective <= cap)
    stats = {"slots": slots, "items": int(n_items), "candidate_groups": len(groups),
             "bucketed": items.bucketed, "time_scale": S}
    return SpCpSat(model, items, groups, slots, ys, xs, T, objective, S, stats)


def build_full_cpsat(inst: SequenceParallel, *, upper: float | None = None, at_least: int = 1,
                     deadline: Deadline | None = None) -> SpCpSat:
    """The exact model of the whole batch: items = distinct lengths, J slots
    (:func:`~.common.slot_count` from ``upper``, at least ``at_least``)."""
    items = make_items(inst)
    return build_cpsat(inst, items, slot_count(inst, items, upper, at_least), upper=upper,
                       deadline=deadline)


def build_microbatch_cpsat(inst: SequenceParallel, seqs: np.ndarray,
                           bucket: np.ndarray | None = None, *, upper: float | None = None,
                           deadline: Deadline | None = None) -> SpCpSat:
    """FlexSP's model of one micro-batch holding ``seqs`` (bucketed by ``bucket`` when given):
    one slot, minimise its slowest group; ``upper`` only sets the scale (no cap: a bucketed
    model's plans may all be slower than an unbucketed hint)."""
    items = make_items(inst, seqs, bucket)
    return build_cpsat(inst, items, 1, deadline=deadline, scale_upper=upper)


def hint_cpsat(inst: SequenceParallel, built: SpCpSat,
               plan: list[list[tuple[int, list[int]]]]) -> bool:
    """Hint CP-SAT with ``plan``; False when it is not a plan of the model."""
    found = hint_values(inst, built.items, built.groups, built.slots, plan)
    if found is None:
        return False
    y, x, _ = found
    m = built.model
    for j in range(built.slots):
        for g in range(len(built.groups)):
            m.add_hint(built.y[j][g], y.get((j, g), 0))
            for i, var in built.x[j][g].items():
                m.add_hint(var, x.get((j, g, i), 0))
    return True
