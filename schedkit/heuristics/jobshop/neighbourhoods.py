"""Destroy operators of the job-shop ALNS: which operations a large-neighbourhood step frees.

A schedule is kept as flat start times (operation order). A destroy picks a set of operations
to *free*; the repair then keeps the relative order of every other pair of operations on each
machine and may re-sequence and re-time the freed ones anywhere — the relaxation-induced
neighbourhood of LNS for scheduling (Shaw, "Using constraint programming and local search
methods to solve vehicle routing problems", CP 1998; for the job shop, the "time window" and
"resource" neighbourhoods of Godard, Laborie & Nuijten, ICAPS 2005, which CP-SAT's own LNS also
uses). Five structures, each with a size (the share of all operations freed) that the bandit
chooses among, as Balans does with its parameterised destroy variants (Cai, Kadıoğlu &
Dilkina, arXiv 2412.14382):

- ``random``: operations drawn uniformly;
- ``machines``: every operation of randomly drawn machines;
- ``window``: the operations that start in a random time window (consecutive in start order);
- ``critical``: for the makespan, the blocks of a critical path (operations processed back to
  back on one machine, Nowicki & Smutnicki, Management Science 42(6), 1996) with their job
  neighbours; for sum objectives, the operations of jobs drawn with probability proportional
  to their share of the objective;
- ``jobs``: every operation of randomly drawn jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...instances import JobShop
from . import tabu_kernels as TK
from .tabu import graph_arrays, machine_sequences

__all__ = ["DESTROYS", "DEFAULT_SIZES", "Neighbourhoods"]

#: The destroy structures, in the order of the module docstring.
DESTROYS = ("random", "machines", "window", "critical", "jobs")
#: Default shares of the operations a destroy frees (each a variant the bandit chooses among).
DEFAULT_SIZES = (0.1, 0.2, 0.3)
#: A destroy frees at least this many operations (fewer leave nothing to re-sequence).
MIN_FREED = 4


@dataclass
class Neighbourhoods:
    """The destroys of one instance (its arrays computed once).

    Every destroy is ``method(start, k, rng) -> freed`` with ``start`` the flat start times of
    a feasible schedule, ``k`` the number of operations to free (at least :data:`MIN_FREED`,
    at most all) and ``rng`` numpy's ``RandomState``; ``freed`` is a boolean mask over the
    operations. None changes ``start``.
    """

    instance: JobShop

    def __post_init__(self) -> None:
        g = graph_arrays(self.instance)
        self.n_ops = self.instance.n_ops
        self.op_job, self.job_pred, self.job_succ = g.op_job, g.job_pred, g.job_succ
        self.op_release, self.machine_offsets = g.op_release, g.machine_offsets

    def size(self, share: float) -> int:
        """Operations a destroy of ``share`` frees."""
        return int(min(self.n_ops, max(MIN_FREED, round(share * self.n_ops))))

    def random(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        freed = np.zeros(self.n_ops, dtype=bool)
        freed[rng.choice(self.n_ops, size=k, replace=False)] = True
        return freed

    def machines(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        return self._whole(self.instance.op_machine, self.instance.machines, k, rng)

    def jobs(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        return self._whole(self.op_job, self.instance.n_jobs, k, rng)

    def window(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        order = np.argsort(start, kind="stable")
        lo = int(rng.randint(0, self.n_ops - k + 1))
        freed = np.zeros(self.n_ops, dtype=bool)
        freed[order[lo:lo + k]] = True
        return freed

    def critical(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        inst = self.instance
        if inst.objective != "makespan":
            return self._costly_jobs(start, k, rng)
        seq = machine_sequences(inst, start)
        n = self.n_ops
        pos, mach_pred, mach_succ, head, tail, work, indeg = (
            np.zeros(n, dtype=np.int64) for _ in range(7))
        TK.machine_links(self.machine_offsets, seq, pos, mach_pred, mach_succ)
        makespan = TK.heads_tails(self.job_pred, self.job_succ, self.op_release,
                                  inst.op_duration, mach_pred, mach_succ, head, tail, work,
                                  indeg)
        critical = head + inst.op_duration + tail == makespan
        # Blocks: maximal runs of critical operations back to back on one machine.
        ops = seq[critical[seq]]
        prev = mach_pred[ops]
        tight = (prev >= 0) & critical[np.maximum(prev, 0)] & \
            (head[np.maximum(prev, 0)] + inst.op_duration[np.maximum(prev, 0)] == head[ops])
        block = np.cumsum(~tight) - 1
        freed = np.zeros(n, dtype=bool)
        count = 0
        for b in rng.permutation(int(block[-1]) + 1 if ops.size else 0):
            members = ops[block == b]
            near = np.concatenate([members, self.job_pred[members], self.job_succ[members],
                                   mach_pred[members], mach_succ[members]])
            near = near[near >= 0]
            _, first = np.unique(near, return_index=True)
            near = near[np.sort(first)]  # each once, in the order found
            near = near[~freed[near]]
            freed[near[:max(0, k - count)]] = True
            count += min(near.size, max(0, k - count))
            if count >= k:
                return freed
        return self._top_up(freed, start, k, rng)  # few critical operations: add a window

    def _whole(self, group: np.ndarray, groups: int, k: int,
               rng: np.random.RandomState) -> np.ndarray:
        """Every operation of groups (machines or jobs) drawn in random order until at least
        ``k`` operations are freed."""
        sizes = np.bincount(group, minlength=groups)
        order = rng.permutation(groups)
        take = order[:int(np.searchsorted(np.cumsum(sizes[order]), k)) + 1]
        return np.isin(group, take)

    def _costly_jobs(self, start: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
        """Jobs drawn with probability proportional to their weighted tardiness (or weighted
        completion), until ``k`` operations are freed; uniformly when every job costs 0."""
        inst = self.instance
        last = inst.job_offsets[1:] - 1
        end = start[last] + inst.op_duration[last]
        if inst.objective == "total_weighted_completion":
            cost = inst.weight * end
        else:
            cost = inst.weight * np.maximum(0, end - inst.due)
        cost = cost.astype(np.float64)
        total = cost.sum()
        p = cost / total if total > 0 else None
        positive = int(np.count_nonzero(cost)) if total > 0 else inst.n_jobs
        sizes = np.diff(inst.job_offsets)
        chosen = rng.choice(inst.n_jobs, size=positive, replace=False, p=p)
        take = chosen[:int(np.searchsorted(np.cumsum(sizes[chosen]), k)) + 1]
        return self._top_up(np.isin(self.op_job, take), start, k, rng)

    def _top_up(self, freed: np.ndarray, start: np.ndarray, k: int,
                rng: np.random.RandomState) -> np.ndarray:
        """``freed`` with operations added until ``k`` are free: those not yet freed that
        start next in a random window (consecutive in start order)."""
        need = k - int(freed.sum())
        if need > 0:
            order = np.argsort(start, kind="stable")
            rest = order[~freed[order]]
            lo = int(rng.randint(0, rest.size - need + 1))
            freed[rest[lo:lo + need]] = True
        return freed
