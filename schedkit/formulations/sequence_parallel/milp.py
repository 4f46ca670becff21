"""MILP of sequence-parallel allocation through PuLP (builds only; the adapter solves with CBC
or HiGHS).

FlexSP's per-micro-batch model (Wang et al., "FlexSP: Accelerating LLM Training via Flexible
Sequence Parallelism", ASPLOS 2025, arXiv:2412.01523), extended to J micro-batch slots. For
slot j, candidate group g = (degree d_g, copy c) and item i (:mod:`.common`: a distinct
length, or a bucket) that g's memory holds:

* y[j, g] ∈ {0, 1}: group g is formed in slot j;
* x[j, g, i] ∈ {0, …, u} integer (binary when n_i = 1), u = min(n_i, ⌊C·d_g / L_i⌋):
  sequences of item i in that group; Σ_{j, g} x[j, g, i] = n_i (every sequence placed once);
* memory Σ_i L_i·x[j, g, i] <= C·d_g·y[j, g] and x[j, g, i] <= u·y[j, g];
* group time b1·y[j, g] + Σ_i t(L_i, d_g)·x[j, g, i] <= T_j;
* devices Σ_g d_g·y[j, g] <= N (FlexSP asks for exactly N; the evaluator allows fewer);
* slot used: u_j ∈ {0, 1}, y[j, g] <= u_j <= Σ_g y[j, g], u_j >= u_{j+1},
  Σ_j u_j >= ⌈Σ s / (N·C)⌉, T_j >= (b1 + min t)·u_j;
* the work cut N·T_j >= N·b1·u_j + Σ_g d_g·Σ_i t(L_i, d_g)·x[j, g, i] (valid: a used slot's
  groups each take at most T_j − b1 besides b1 and their degrees sum to at most N — the
  per-micro-batch form of the evaluator's cheap bound, which the LP relaxation then keeps);
* symmetry: y[j, (d, c)] >= y[j, (d, c+1)] (groups of one degree used in order), and
  with sequences labelled in item order, copy c and slot j hold item i only if
  c, j <= n_0 + … + n_i − 1 (:func:`~.common.candidate_groups` proves it valid: groups and
  micro-batches sorted by their first item);
* minimise Σ_j T_j, optionally Σ_j T_j <= UB (the warm start).

**Full model** (:func:`build_full_milp`): every sequence, items = distinct lengths, J slots
(:func:`~.common.slot_count`): exact. **Micro-batch model** (:func:`build_microbatch_milp`):
one micro-batch's sequences, J = 1 (FlexSP's model, minimising its slowest group M = T_0),
optionally bucketed.

Times are in milliseconds (:data:`~.common.MS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from ...instances import SequenceParallel
from ..deadline import Deadline
from .common import (
    MS,
    Items,
    candidate_groups,
    hint_values,
    make_items,
    slot_count,
)

__all__ = ["SpMilp", "build_milp", "build_full_milp", "build_microbatch_milp", "hint_milp"]


@dataclass
class SpMilp:
    """A built PuLP model: ``y[j][g]``, ``x[j][g]`` ({item: variable}), ``T[j]`` (ms) of
    ``slots`` slots over ``groups`` (:func:`~.common.candidate_groups`); ``objective`` in ms."""

    problem: Any
    items: Items
    groups: list[tuple[int, int, list[int]]]
    slots: int
    y: list[list[Any]]
    x: list[list[dict[int, Any]]]
    T: list[Any]
    objective: Any
    used: list[Any] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def read(self) -> list[list[tuple[int, list[int]]]]:
        """The solved plan: micro-batches of (degree, sequence ids), rounding the counts."""
        left = [list(m) for m in self.items.members]
        plan = []
        for j in range(self.slots):
            mb = []
            for g, (dj, _, _) in enumerate(self.groups):
                seqs: list[int] = []
                for i, var in self.x[j][g].items():
                    n = int(round(var.value() or 0.0))
                    n = min(n, len(left[i]))
                    seqs.extend(left[i][:n])
                    del left[i][:n]
                if seqs:
                    mb.append((self.items.degrees[dj], seqs))
            plan.append(mb)
        if any(left):
            # Rounding lost a sequence (tolerances): the caller's check rejects the plan.
            plan.append([(self.items.degrees[-1], [k for m in left for k in m])])
        return plan

    def value(self) -> float:
        """The objective of the solved model, in seconds."""
        return float(pulp.value(self.objective) or 0.0) / MS


def build_milp(inst: SequenceParallel, items: Items, slots: int, *, upper: float | None = None,
               deadline: Deadline | None = None, name: str = "sp") -> SpMilp:
    """The model of the module docstring over ``items`` and ``slots`` slots.

    Parameters
    ----------
    inst
        The instance.
    items
        What to place (:func:`~.common.make_items`).
    slots
        J >= 1.
    upper
        Seconds: Σ_j T_j <= upper (a plan at most as slow as the warm start); ``None``: none.
    deadline
        Raises :class:`~schedkit.formulations.deadline.OutOfTime` when building takes too
        long.
    """
    dl = deadline or Deadline()
    C, N, b1 = inst.memory_tokens, inst.devices, inst.cost.b1 * MS
    groups = candidate_groups(inst, items)
    last = items.last_label
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    n_items = items.length.size
    T = [prob.add_variable(f"T{j}", lowBound=0) for j in range(slots)]
    ys: list[list[Any]] = []
    xs: list[list[dict[int, Any]]] = []
    placed: list[list[Any]] = [[] for _ in range(n_items)]
    used = [prob.add_variable(f"u{j}", cat=pulp.LpBinary) for j in range(slots)]
    unit = b1 + float(items.time.min()) * MS if items.time.size else b1
    fewest = max(1, -(-int((items.length * items.count).sum()) // (N * C)))
    for j in range(slots):
        yj, xj, work = [], [], []
        for g, (dj, c, held) in enumerate(groups):
            d = items.degrees[dj]
            y = prob.add_variable(f"y{j}_{g}", cat=pulp.LpBinary)
            prob += y <= used[j]
            xg: dict[int, Any] = {}
            for i in held:
                dl.tick()
                if j > int(last[i]):
                    continue  # the symmetry rule on the slots (common.candidate_groups)
                u = min(int(items.count[i]), (C * d) // int(items.length[i]))
                if u < 1:
                    continue
                var = prob.add_variable(f"x{j}_{g}_{i}", lowBound=0, upBound=u,
                                      cat=pulp.LpBinary if u == 1 else pulp.LpInteger)
                xg[i] = var
                placed[i].append(var)
                prob += var <= u * y
            tokens = pulp.lpSum(int(items.length[i]) * v for i, v in xg.items())
            prob += tokens <= C * d * y
            busy = pulp.lpSum(float(items.time[i, dj]) * MS * v for i, v in xg.items())
            prob += b1 * y + busy <= T[j]
            work.append(d * busy)
            yj.append(y)
            xj.append(xg)
            if c > 0:
                prob += yj[g - 1] >= y  # the previous group has the same degree
        prob += pulp.lpSum(items.degrees[groups[g][0]] * yj[g] for g in range(len(groups))) <= N
        prob += N * T[j] >= N * b1 * used[j] + pulp.lpSum(work)
        prob += T[j] >= unit * used[j]
        prob += used[j] <= pulp.lpSum(yj)
        if j > 0:
            prob += used[j - 1] >= used[j]
        ys.append(yj)
        xs.append(xj)
    for i in range(n_items):
        prob += pulp.lpSum(placed[i]) == int(items.count[i])
    prob += pulp.lpSum(used) >= min(slots, fewest)
    objective = pulp.lpSum(T)
    prob += objective
    if upper is not None:
        prob += objective <= upper * MS * (1 + 1e-9) + 1e-9
    stats = {"slots": slots, "items": int(n_items), "candidate_groups": len(groups),
             "bucketed": items.bucketed}
    return SpMilp(prob, items, groups, slots, ys, xs, T, objective, used, stats)


def build_full_milp(inst: SequenceParallel, *, upper: float | None = None, at_least: int = 1,
                    deadline: Deadline | None = None) -> SpMilp:
    """The exact model of the whole batch: items = distinct lengths, J slots
    (:func:`~.common.slot_count` from ``upper``, at least ``at_least``)."""
    items = make_items(inst)
    return build_milp(inst, items, slot_count(inst, items, upper, at_least), upper=upper,
                      deadline=deadline, name="sp_full")


def build_microbatch_milp(inst: SequenceParallel, seqs: np.ndarray,
                          bucket: np.ndarray | None = None,
                          deadline: Deadline | None = None) -> SpMilp:
    """FlexSP's model of one micro-batch holding ``seqs`` (bucketed by ``bucket``, the bucket
    of each of ``seqs``, when given): one slot, minimise its slowest group."""
    items = make_items(inst, seqs, bucket)
    return build_milp(inst, items, 1, deadline=deadline, name="sp_microbatch")


def hint_milp(inst: SequenceParallel, built: SpMilp,
              plan: list[list[tuple[int, list[int]]]]) -> bool:
    """Set the variables' initial values to ``plan`` (CBC's MIP start); False when the plan is
    not a plan of the model (:func:`~.common.hint_values`)."""
    found = hint_values(inst, built.items, built.groups, built.slots, plan)
    if found is None:
        return False
    y, x, times = found
    for j in range(built.slots):
        built.T[j].setInitialValue(times[j] * MS * (1 + 1e-12))
        built.used[j].setInitialValue(int(any(y.get((j, g), 0) for g in range(len(built.groups)))))
        for g in range(len(built.groups)):
            built.y[j][g].setInitialValue(y.get((j, g), 0))
            for i, var in built.x[j][g].items():
                var.setInitialValue(x.get((j, g, i), 0))
    return True
