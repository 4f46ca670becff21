"""Random layered task graphs with the parameters of Topcuoglu, Hariri & Wu (2002)."""

import math

import numpy as np

from .._fields import EXACT_LIMIT
from ..errors import InputError
from ..generating import (
    check_float,
    check_int,
    check_seed,
    check_size,
    fmt,
    option_field,
    provenance,
    round_half_up,
)
from .model import DAG, MAX_COST_ENTRIES

__all__ = ["dag", "realised_ccr", "CHOICES", "MAX_TASKS", "MAX_EDGES", "MAX_MEAN_COST"]

#: Most tasks of a generated DAG. The successor draw scans the later levels of every task, so
#: the time grows with tasks²: 10**5 tasks take about 20 s, 2·10**5 (out_degree 12) about 2 min.
MAX_TASKS = 2 * 10**5
#: Most edges a generated DAG may get: the bound min(v·(v−1)/2, 2·v·out_degree) of the Notes.
#: About 2·10**6 edges take 1 GB through ``schedkit generate`` (sets of successors, the edge
#: list, the JSON text); 2·10**5 tasks at out_degree 12 (bound 4.8·10**6) peak at 1.1 GB.
MAX_EDGES = 5 * 10**6
#: Largest ``mean_cost``: costs are at most 2·w·(1 + β/2) <= 4·w = 2**52, exact integers.
MAX_MEAN_COST = 2**50

#: Choices of the generator's text options (it has none).
CHOICES: dict[str, tuple[str, ...]] = {}


def realised_ccr(instance: DAG) -> float:
    """Mean edge communication time over mean computation cost (Topcuoglu et al.'s CCR).

    Uses the scalar bandwidth and latency of a generated instance: communication time of an
    edge = latency + data / bandwidth. 0 for a graph without edges.
    """
    if instance.edges.shape[0] == 0:
        return 0.0
    bw = float(np.mean(instance.bandwidth)) if np.ndim(instance.bandwidth) else \
        float(instance.bandwidth)
    comm = float(np.mean(instance.latency)) + float(np.mean(instance.edge_data)) / bw
    return comm / float(np.mean(instance.cost))


def dag(
    tasks: int = 100,
    *,
    processors: int = 4,
    ccr: float = 1.0,
    heterogeneity: float = 1.0,
    alpha: float = 1.0,
    out_degree: int = 3,
    mean_cost: int = 50,
    seed: int = 0,
) -> DAG:
    """A random layered DAG on heterogeneous processors (Topcuoglu et al. 2002, §5.1).

    Follows the random-graph generator of H. Topcuoglu, S. Hariri and M.-Y. Wu,
    "Performance-effective and low-complexity task scheduling for heterogeneous computing",
    *IEEE Transactions on Parallel and Distributed Systems* 13(3):260–274, 2002: shape
    parameter α, out-degree, CCR, and the range-percentage β of computation costs.

    Parameters
    ----------
    tasks : int
        Number of tasks v (>= 1).
    processors : int
        Number of processors P (>= 1).
    ccr : float
        Communication-to-computation ratio (>= 0); 0 gives zero edge data (P|prec|Cmax-like
        communication).
    heterogeneity : float
        Topcuoglu's β in [0, 2]: the spread of a task's cost over processors; 0 gives
        identical processors.
    alpha : float
        Shape α > 0: height ≈ √v/α levels of mean width ≈ α·√v (α < 1: long thin graphs,
        α > 1: short wide ones).
    out_degree : int
        Mean out-degree of the tasks above the last level (>= 1).
    mean_cost : int
        Topcuoglu's w_DAG, the average computation cost (>= 1).
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    DAG
        Named ``dag-<v>x<P>-ccr<ccr>-b<β>-a<α>-s<seed>``, bandwidth 1, latency 0.

    Notes
    -----
    Structure. H = max(1, min(v, round(√v/α))) levels; each level gets one task and the other
    v − H tasks go to levels uniformly at random (Topcuoglu draws each level's width from a
    uniform distribution of mean α√v; spreading a fixed v keeps the task count exact). Tasks
    are numbered level by level, so index order is a topological order. Every task below the
    first level gets one predecessor drawn uniformly from the level just above (so every task
    beyond the first level has >= 1 predecessor and the graph has exactly H levels). Then every
    task above the last level draws a target out-degree uniformly from 1 … 2·out_degree − 1
    (mean ``out_degree``) and, if it has fewer successors, gains new ones drawn uniformly
    without replacement from all tasks of later levels.

    Costs. Each task draws a mean cost w̄_i ~ U[1, 2·w_DAG], then its cost on each processor
    ~ U[w̄_i(1 − β/2), w̄_i(1 + β/2)], rounded half up and at least 1 (integers so that CP-SAT
    can use them unscaled).

    Communication. Edge data are raw_e ~ U[0, 2] rescaled so that their mean equals
    ccr × (mean of the integer cost matrix), then rounded half up. With bandwidth 1 and latency
    0 the data are the communication times, so the realised CCR (:func:`realised_ccr`) matches
    ``ccr`` up to rounding, instead of only in expectation as in the paper.

    Size caps, checked before anything is drawn: ``tasks <= MAX_TASKS`` (2·10**5),
    ``tasks·processors <= MAX_COST_ENTRIES`` (2·10**7 costs), and the edge bound
    ``min(v·(v−1)/2, 2·v·out_degree) <= MAX_EDGES`` (5·10**6; the first-level links give at
    most v edges, the out-degree draws at most v·(2·out_degree − 1) more). ``mean_cost <=
    MAX_MEAN_COST`` (2**50) keeps every cost an exact integer, and a ``ccr`` that would make
    an edge's data reach 2**53 is refused (the data must be exact integers too); the DAG's
    finiteness cap then always holds.
    """
    seed = check_seed(seed)
    v = check_int(tasks, "tasks", min_value=1)
    P = check_int(processors, "processors", min_value=1)
    ccr = check_float(ccr, "ccr", min_value=0.0)
    beta = check_float(heterogeneity, "heterogeneity", min_value=0.0, max_value=2.0)
    alpha = check_float(alpha, "alpha", positive=True)
    deg = check_int(out_degree, "out_degree", min_value=1)
    w_dag = check_int(mean_cost, "mean_cost", min_value=1, max_value=MAX_MEAN_COST,
                      why=" (2**50: costs must stay exact integers)")
    check_size(v, "tasks", MAX_TASKS, "tasks")
    check_size(v * P, "processors", MAX_COST_ENTRIES, "tasks*processors costs")
    check_size(min(v * (v - 1) // 2, 2 * v * deg), "out_degree", MAX_EDGES,
               "the edge bound min(tasks*(tasks-1)/2, 2*tasks*out_degree)")

    rng = np.random.default_rng(seed)
    height = max(1, min(v, int(round_half_up(math.sqrt(v) / alpha))))
    widths = 1 + rng.multinomial(v - height, np.full(height, 1.0 / height))
    start = np.concatenate(([0], np.cumsum(widths))).astype(np.int64)
    level = np.repeat(np.arange(height), widths)

    succ: list[set[int]] = [set() for _ in range(v)]
    for t in range(int(start[1]), v):
        lv = int(level[t])
        u = int(rng.integers(start[lv - 1], start[lv]))
        succ[u].add(t)
    targets = rng.integers(1, 2 * deg, size=v)
    for u in range(int(start[height - 1])):
        missing = int(targets[u]) - len(succ[u])
        if missing <= 0:
            continue
        later = np.arange(start[level[u] + 1], v)
        # Sorted candidates so the draw does not depend on set iteration order.
        free = later[~np.isin(later, sorted(succ[u]))]
        pick = rng.choice(free, size=min(missing, free.size), replace=False)
        succ[u].update(int(x) for x in pick)
    edges = np.array([(u, t) for u in range(v) for t in sorted(succ[u])],
                     dtype=np.int64).reshape(-1, 2)

    wbar = rng.uniform(1.0, 2.0 * w_dag, size=(v, 1))
    raw_cost = rng.uniform(wbar * (1 - beta / 2), wbar * (1 + beta / 2), size=(v, P))
    cost = np.maximum(round_half_up(raw_cost), 1)

    raw = rng.uniform(0.0, 2.0, size=edges.shape[0])
    if edges.shape[0] and ccr > 0 and raw.sum() > 0:
        target = ccr * float(cost.mean())
        scaled = raw * (target * raw.size / raw.sum())
        if not float(scaled.max()) + 0.5 < EXACT_LIMIT:
            raise InputError(f"gives edge data up to {float(scaled.max()):g}, which must stay "
                             "below 2**53 (exact integers)", field=option_field("ccr"))
        data = round_half_up(scaled)
    else:
        data = np.zeros(edges.shape[0], dtype=np.int64)

    name = f"dag-{v}x{P}-ccr{fmt(ccr)}-b{fmt(beta)}-a{fmt(alpha)}-s{seed}"
    shape = {"tasks": v, "processors": P, "ccr": ccr, "heterogeneity": beta, "alpha": alpha,
             "out_degree": deg, "mean_cost": w_dag}
    return DAG(processors=P, cost=cost, edges=edges, edge_data=data, bandwidth=1.0,
               latency=0.0, name=name, meta=provenance("dag", seed, shape))
