"""What the CP-SAT and MILP models of sequence parallel share: the items a model places, the
candidate groups, the number of micro-batch slots, the integer time scale and the turning of
a model's answer into the schema's solution.

**Items.** A model places *items*: an item i has a length L_i, a count n_i of sequences and
their ids. Without bucketing an item is one distinct length (sequences of equal length are
interchangeable, so merging them into one integer count loses nothing and removes their
symmetry). With bucketing (FlexSP, Wang et al., ASPLOS 2025, arXiv:2412.01523) an item is a
bucket of lengths and L_i is its largest length: memory and time are charged at L_i, so the
real time and tokens of every plan of the model are at most the model's (t(s, d) grows with
s), and the model is a restriction — its plans are feasible, its value bounds the real one
from above, but its optimum proves nothing about the unbucketed problem.

**Groups.** In one micro-batch, degree d has at most N // d groups, and at most as many as
there are sequences its memory holds (a non-empty group holds one at least): copies
c = 0 … min(N // d, Σ_{i : L_i <= C·d} n_i) − 1. Degrees whose memory holds no item are left
out.

**Slots.** The full model has J micro-batch slots, J = min(K, ⌊UB / (b1 + τ_min)⌋) with UB
the warm start's step time and τ_min the least time any sequence takes alone: a non-empty
micro-batch holds a group, whose time is b1 plus at least one sequence's time, so a plan with
more than UB / (b1 + τ_min) non-empty micro-batches is worse than the warm start; and a plan
needs no more than K micro-batches (empty ones cost nothing and are dropped). Without a warm
start (or with b1 + τ_min = 0) J = K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...instances import SequenceParallel

__all__ = ["Items", "make_items", "candidate_groups", "slot_count", "time_scale",
           "plan_solution", "plan_groups", "SCALE_TARGET", "MS"]

#: CP-SAT's objective is scaled so that the warm start's step time is about this many units:
#: the rounding error of floored coefficients, at most one unit per sequence and group per
#: micro-batch, stays below 1e-9 of the objective for K <= a few hundred, and every linear
#: expression of the model (at most N·2**40·a few) stays far inside int64.
SCALE_TARGET = 2**40

#: The MILP measures time in milliseconds (FlexSP's unit): objective values of 10**2 … 10**5
#: keep the solvers' absolute tolerances (≈1e-7) far below a meaningful difference.
MS = 1000.0


@dataclass
class Items:
    """What a model places: ``length`` int64 (I,) L_i, ``count`` int64 (I,) n_i, ``members``
    the sequence ids of each item, ``time[i, j]`` = t(L_i, degrees[j]) in seconds (without
    b1), ``degrees`` the allowed degrees, ``bucketed`` whether L_i pads some sequences."""

    length: np.ndarray
    count: np.ndarray
    members: list[list[int]]
    time: np.ndarray
    degrees: list[int]
    bucketed: bool

    @property
    def sequences(self) -> int:
        return int(self.count.sum())

    @property
    def last_label(self) -> np.ndarray:
        """P_i = n_0 + … + n_i − 1: the last label of item i's sequences when the sequences
        are labelled 0.. in item order (the symmetry rule of :func:`candidate_groups`)."""
        return np.cumsum(self.count) - 1


def make_items(inst: SequenceParallel, seqs: np.ndarray | None = None,
               bucket: np.ndarray | None = None) -> Items:
    """The items of the sequences ``seqs`` (all when ``None``).

    Parameters
    ----------
    inst
        The instance.
    seqs
        Sequence ids.
    bucket
        The bucket of each of ``seqs`` (same order), or ``None``: one item per distinct length.
    """
    ids = np.arange(inst.n_sequences) if seqs is None else np.asarray(seqs, dtype=np.int64)
    lengths = inst.lengths[ids]
    key = lengths if bucket is None else np.asarray(bucket, dtype=np.int64)
    members: dict[int, list[int]] = {}
    for k, b in zip(ids.tolist(), key.tolist(), strict=True):
        members.setdefault(int(b), []).append(int(k))
    # Longest items first: the solver branches on the hard ones first.
    groups = sorted(members.values(), key=lambda m: (-int(inst.lengths[m].max()), m[0]))
    length = np.array([int(inst.lengths[m].max()) for m in groups], dtype=np.int64)
    count = np.array([len(m) for m in groups], dtype=np.int64)
    degrees = inst.degrees.tolist()
    time = np.array([[inst.sequence_time(float(L), d) for d in degrees] for L in length.tolist()],
                    dtype=np.float64).reshape(len(groups), len(degrees))
    bucketed = bucket is not None and any(
        int(inst.lengths[m].min()) != int(inst.lengths[m].max()) for m in groups)
    return Items(length, count, [sorted(m) for m in groups], time, degrees, bucketed)


def candidate_groups(inst: SequenceParallel, items: Items) -> list[tuple[int, int, list[int]]]:
    """The candidate groups of one micro-batch: (degree index j, copy c, items it may hold),
    copies of one degree in order (module docstring).

    Symmetry rule: copy c may hold item i only if c <= P_i (:attr:`Items.last_label`). Valid:
    sort the groups of one degree by their smallest item index; the c groups before group c
    each hold a sequence of an item <= any item i of group c, and so does group c, so
    c + 1 <= n_0 + … + n_i. The same rule orders the micro-batch slots (slot j holds item i
    only if j <= P_i)."""
    out: list[tuple[int, int, list[int]]] = []
    C, N = inst.memory_tokens, inst.devices
    last = items.last_label
    for j, d in enumerate(items.degrees):
        fits = [i for i in range(items.length.size) if int(items.length[i]) <= C * d]
        for c in range(N // d):
            held = [i for i in fits if c <= int(last[i])]
            if not held:
                break
            out.append((j, c, held))
    return out


def slot_count(inst: SequenceParallel, items: Items, upper: float | None,
               at_least: int = 1) -> int:
    """J of the full model (module docstring), at least ``at_least`` (the warm start's
    micro-batches: it must stay a plan of the model)."""
    K = items.sequences
    if upper is None:
        return K
    tmin = float(items.time.min()) if items.time.size else 0.0
    unit = inst.cost.b1 + tmin
    if unit <= 0:
        return K
    # A hair of slack so that a warm start of exactly UB / unit micro-batches stays in.
    J = int(math.floor(upper / unit * (1 + 1e-9)))
    return max(1, at_least, min(K, J))


def time_scale(upper: float) -> float:
    """The CP-SAT time scale S: a power of two with S·upper ≈ :data:`SCALE_TARGET`."""
    if not upper > 0 or not math.isfinite(upper):
        return 1.0
    return float(2.0 ** math.floor(math.log2(SCALE_TARGET / upper)))


def plan_groups(plan: list[list[tuple[int, list[int]]]]) -> list[list[tuple[int, list[int]]]]:
    """Micro-batches of (degree, sequence ids) with empty groups and micro-batches dropped."""
    out = []
    for mb in plan:
        groups = [(int(d), sorted(int(k) for k in seqs)) for d, seqs in mb if seqs]
        if groups:
            out.append(groups)
    return out


def plan_solution(plan: list[list[tuple[int, list[int]]]]) -> dict[str, Any]:
    """The schema's solution of micro-batches of (degree, sequence ids): in each micro-batch
    the groups get contiguous device ids, largest degree first (Σ d <= N, so they fit)."""
    mbs = []
    for mb in plan_groups(plan):
        first = 0
        groups = []
        for d, seqs in sorted(mb, key=lambda g: (-g[0], g[1])):
            groups.append({"devices": list(range(first, first + d)), "sequences": seqs})
            first += d
        mbs.append(groups)
    return {"microbatches": mbs}


#: A model's hint: {(slot, group index): 1} for the formed groups, {(slot, group index, item):
#: count}, and the model time (seconds, at the items' lengths) of each slot.
Hint = tuple[dict[tuple[int, int], int], dict[tuple[int, int, int], int], list[float]]


def hint_values(inst: SequenceParallel, items: Items, groups: list[tuple[int, int, list[int]]],
                slots: int, plan: list[list[tuple[int, list[int]]]]) -> Hint | None:
    """A plan as values of the model's variables, micro-batches and the groups of one degree
    ordered by their first item (the symmetry rule of :func:`candidate_groups`); ``None`` when
    the plan is not a plan of the model (a sequence outside the items, more micro-batches
    than slots, more groups of a degree than copies, or a bucket over a group's memory)."""
    item_of: dict[int, int] = {}
    for i, m in enumerate(items.members):
        for k in m:
            item_of[k] = i
    C, b1 = inst.memory_tokens, inst.cost.b1
    mbs = plan_groups(plan)
    if len(mbs) > slots:
        return None
    timed = []
    for mb in mbs:
        rows: list[tuple[int, dict[int, int], float]] = []
        for d, seqs in mb:
            if d not in items.degrees or any(k not in item_of for k in seqs):
                return None
            j = items.degrees.index(d)
            counts: dict[int, int] = {}
            for k in seqs:
                counts[item_of[k]] = counts.get(item_of[k], 0) + 1
            tokens = sum(int(items.length[i]) * n for i, n in counts.items())
            if tokens > C * d:
                return None
            rows.append((j, counts, b1 + sum(float(items.time[i, j]) * n
                                             for i, n in counts.items())))
        # Groups of one degree by their smallest item, as the symmetry rule orders them.
        rows.sort(key=lambda r: (r[0], min(r[1])))
        timed.append((max(r[2] for r in rows), min(min(r[1]) for r in rows), rows))
    timed.sort(key=lambda r: r[1])  # slots by their smallest item (the same rule)
    index = {(j, c): g for g, (j, c, _) in enumerate(groups)}
    y: dict[tuple[int, int], int] = {}
    x: dict[tuple[int, int, int], int] = {}
    last = items.last_label
    for s, (_, _, rows) in enumerate(timed):
        used: dict[int, int] = {}
        for j, counts, _ in rows:
            c = used.get(j, 0)
            used[j] = c + 1
            g = index.get((j, c))
            if g is None:
                return None
            held = groups[g][2]
            if any(i not in held or s > int(last[i]) for i in counts):
                return None
            y[(s, g)] = 1
            for i, n in counts.items():
                x[(s, g, i)] = n
    return y, x, [t for t, _, _ in timed] + [0.0] * (slots - len(timed))
