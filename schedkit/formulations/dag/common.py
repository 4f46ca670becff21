"""What the exact DAG models share: communication tables, levels, processor symmetry."""

from __future__ import annotations

import numpy as np

from ...instances import DAG

__all__ = ["comm_table", "comm_by_source", "interchangeable_processors", "canonical_labels",
           "levels", "successor_closure"]


def comm_table(instance: DAG) -> np.ndarray:
    """float64 (E, P, P): time of edge e from processor p to q (0 on the diagonal).

    Written as the evaluator writes it, ``latency[p] + data / bandwidth[p, q]``, so an exact
    model and the evaluator agree to the last bit.
    """
    bw = instance.bandwidth_matrix()
    lat = instance.latency_vector()
    P = instance.processors
    data = np.asarray(instance.edge_data, dtype=np.float64)
    same = np.eye(P, dtype=bool)
    safe_bw = np.where(same, 1.0, bw)
    table = lat[None, :, None] + data[:, None, None] / safe_bw[None, :, :]
    table[:, same] = 0.0
    return table


def comm_by_source(instance: DAG) -> bool:
    """True when an edge's time across processors depends on the sending processor only
    (one bandwidth between every pair: scalar or constant off the diagonal)."""
    bw = instance.bandwidth_matrix()
    off = ~np.eye(instance.processors, dtype=bool)
    return bool(instance.processors < 2 or np.all(bw[off] == bw[off][0]))


def interchangeable_processors(instance: DAG) -> bool:
    """True when relabelling processors maps schedules to schedules of the same makespan:
    identical costs, one latency and one bandwidth everywhere (P|prec|Cmax with uniform
    communication)."""
    lat = instance.latency_vector()
    return instance.identical() and comm_by_source(instance) and bool(np.all(lat == lat[0]))


def canonical_labels(proc: np.ndarray, processors: int) -> np.ndarray:
    """Relabel processors in order of first use by task index (task 0's processor becomes 0,
    the next new one 1, …): the representative that the symmetry-breaking constraints keep."""
    label = np.full(processors, -1, dtype=np.int64)
    nxt = 0
    for p in np.asarray(proc, dtype=np.int64).tolist():
        if label[p] < 0:
            label[p] = nxt
            nxt += 1
    unused = label < 0
    label[unused] = np.arange(nxt, processors)
    return label[np.asarray(proc, dtype=np.int64)]


def levels(instance: DAG, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top level (longest path of ``weight`` before t) and bottom level (longest path from t,
    t included) of every task, without communication: s_t >= top[t] and
    s_t + bottom[t] <= makespan in every schedule when ``weight`` is a lower bound on run time.
    """
    n = instance.n_tasks
    top = np.zeros(n, dtype=weight.dtype)
    bottom = weight.copy()
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for u, v in instance.edges.tolist():
        preds[v].append(u)
        succs[u].append(v)
    order = instance.topological_order().tolist()
    for t in order:
        for u in preds[t]:
            top[t] = max(top[t], top[u] + weight[u])
    for t in reversed(order):
        for v in succs[t]:
            bottom[t] = max(bottom[t], weight[t] + bottom[v])
    return top, bottom


def successor_closure(instance: DAG) -> list[set[int]]:
    """Every task's descendants (transitive closure): pairs related by a path need no
    ordering decision, precedence already orders them."""
    n = instance.n_tasks
    succs: list[list[int]] = [[] for _ in range(n)]
    for u, v in instance.edges.tolist():
        succs[u].append(v)
    reach: list[set[int]] = [set() for _ in range(n)]
    for t in reversed(instance.topological_order().tolist()):
        for v in succs[t]:
            reach[t].add(v)
            reach[t] |= reach[v]
    return reach
