"""The task-graph instance ``dag`` (``DESIGN.md`` §3): tasks on heterogeneous processors with
communication.

Finiteness cap (checked on construction): the longest possible schedule, every task at its
largest cost and every edge at its slowest transfer one after another,

    T = Σ_t max_p cost[t, p] + Σ_e (max_p latency[p] + data_e / min_{p≠q} bandwidth[p, q])

(no transfer term with one processor), must be at most
:data:`~schedkit.instances._fields.FLOAT_LIMIT` = 1e300. Every semi-active schedule (each
task starts when its processor frees or its last input arrives) ends by T, and so do the
critical path, the sequential time and HEFT's ranks, so the makespan and the metrics stay
finite. A transfer of finite data over a tiny bandwidth (1e10 bytes at 1e-300) overflows
and is rejected too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._fields import (
    FLOAT_LIMIT,
    as_int,
    as_number,
    check_float_total,
    float_array,
    float_total,
    int_array,
    is_scalar,
    require_keys,
)
from ..base import Instance, json_number, json_numbers
from ..errors import InputError

__all__ = ["DAG", "MAX_COST_ENTRIES"]

#: Most entries (tasks × processors) of a cost matrix that a reader option or the generator may
#: create: 160 MB of float64, about 1 GB as the Python lists of a JSON document. (A cost matrix
#: read from a file is as large as the file and is not capped.)
MAX_COST_ENTRIES = 2 * 10**7


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class DAG(Instance):
    """Task graph on P heterogeneous processors with communication (HEFT's model).

    Communication time of edge (u, v) with u on p and v on q is 0 if p == q, else
    ``latency[p] + data_uv / bandwidth[p, q]`` (Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002).

    Parameters
    ----------
    processors
        Number of processors P.
    cost
        float64 (N, P): execution time of task t on processor p.
    edges
        int64 (E, 2): precedence pairs (u, v); the graph must be acyclic.
    edge_data
        float64 (E,): data volume of each edge; defaults to 0.
    bandwidth
        A positive number or a float64 (P, P) matrix (diagonal unused).
    latency
        A non-negative number or a float64 (P,) vector.
    """

    problem: ClassVar[str] = "dag"
    objectives: ClassVar[tuple[str, ...]] = ("makespan",)

    processors: int
    cost: Any
    edges: Any = None
    edge_data: Any = None
    bandwidth: Any = 1.0
    latency: Any = 0.0

    def _validate(self) -> None:
        P = as_int(self.processors, "processors", min_value=1)
        object.__setattr__(self, "processors", P)
        cost = float_array(self.cost, "cost", ndim=2, min_value=0.0)
        if cost.shape[0] == 0:
            raise InputError("must have at least one task", field="cost")
        if cost.shape[1] != P:
            raise InputError(f"must have {P} entries (one per processor), got {cost.shape[1]}",
                             field="cost[0]")
        object.__setattr__(self, "cost", cost)
        n = cost.shape[0]
        edges = np.zeros((0, 2), np.int64) if self.edges is None or len(self.edges) == 0 else \
            int_array(self.edges, "edges", ndim=2, min_value=0, max_value=n - 1, shape=(None, 2))
        edges = np.ascontiguousarray(edges, dtype=np.int64)
        edges.setflags(write=False)
        object.__setattr__(self, "edges", edges)
        e = edges.shape[0]
        if self.edge_data is None:
            data = np.zeros(e)
            data.setflags(write=False)
        else:
            data = float_array(self.edge_data, "edge_data", min_value=0.0, shape=(e,))
        object.__setattr__(self, "edge_data", data)
        if e:
            loops = edges[:, 0] == edges[:, 1]
            if loops.any():
                i = int(np.argmax(loops))
                raise InputError(f"self-loop on task {int(edges[i, 0])}", field=f"edges[{i}]")
            keys = edges[:, 0] * n + edges[:, 1]
            uniq, first = np.unique(keys, return_index=True)
            if uniq.size != e:
                dup = sorted(set(range(e)) - set(first.tolist()))[0]
                raise InputError(
                    f"duplicate edge {int(edges[dup, 0])}->{int(edges[dup, 1])}",
                    field=f"edges[{dup}]",
                )
        object.__setattr__(self, "_topo", _topological_order(n, edges))
        if is_scalar(self.bandwidth):
            b = as_number(self.bandwidth, "bandwidth")
            if b <= 0:
                raise InputError(f"must be > 0, got {b:g}", field="bandwidth")
            object.__setattr__(self, "bandwidth", json_number(b))
        else:
            bm = float_array(self.bandwidth, "bandwidth", ndim=2, min_value=0.0, shape=(P, P))
            off = ~np.eye(P, dtype=bool)
            if (bm[off] <= 0).any():
                p, q = np.argwhere((bm <= 0) & off)[0]
                raise InputError("must be > 0 between different processors",
                                 field=f"bandwidth[{p}][{q}]")
            object.__setattr__(self, "bandwidth", bm)
        if is_scalar(self.latency):
            lat = as_number(self.latency, "latency", min_value=0.0)
            object.__setattr__(self, "latency", json_number(lat))
        else:
            object.__setattr__(self, "latency",
                               float_array(self.latency, "latency", min_value=0.0, shape=(P,)))
        self._check_finite()

    def _check_finite(self) -> None:
        """The finiteness cap of the module docstring, naming the largest contributor."""
        what = ("the longest possible schedule (every largest task cost and slowest transfer "
                "in a row)")
        longest = self.cost.max(axis=1)
        work = float_total(longest)
        comm, lat, slow = np.zeros(0), 0.0, 1.0
        if self.processors > 1 and self.edges.shape[0]:
            slow = float(self.bandwidth_matrix().min())  # the diagonal is +inf
            lat = float(np.max(self.latency_vector()))
            with np.errstate(over="ignore", invalid="ignore"):
                comm = lat + self.edge_data / slow
        moved = float_total(comm)
        total = float_total(work, moved)
        if total <= FLOAT_LIMIT:
            return
        if comm.size and not moved <= work:
            i = int(np.argmax(comm))
            u, v = (int(x) for x in self.edges[i])
            check_float_total(total, f"edges[{i}]", (
                f"the transfer {u}->{v} of {comm[i]:g} (latency {lat:g} + data "
                f"{self.edge_data[i]:g} / bandwidth {slow:g})"), what)
        t = int(np.argmax(longest))
        p = int(np.argmax(self.cost[t]))
        check_float_total(total, f"cost[{t}][{p}]", float(self.cost[t, p]), what)

    @property
    def n_tasks(self) -> int:
        return int(self.cost.shape[0])

    def topological_order(self) -> np.ndarray:
        """Tasks in a topological order (Kahn's algorithm, smallest index first)."""
        return self._topo  # type: ignore[attr-defined]

    def bandwidth_matrix(self) -> np.ndarray:
        """float64 (P, P) bandwidths (diagonal set to +inf: same processor, no transfer)."""
        P = self.processors
        b = np.full((P, P), float(self.bandwidth)) if np.ndim(self.bandwidth) == 0 \
            else np.array(self.bandwidth, dtype=np.float64)
        np.fill_diagonal(b, np.inf)
        return b

    def latency_vector(self) -> np.ndarray:
        """float64 (P,) start-up latency of a transfer leaving processor p."""
        if np.ndim(self.latency) == 0:
            return np.full(self.processors, float(self.latency))
        return np.array(self.latency, dtype=np.float64)

    def identical(self) -> bool:
        """True when every task costs the same on every processor (P|prec|Cmax-like)."""
        return bool((self.cost == self.cost[:, :1]).all())

    def size(self) -> str:
        return f"{self.n_tasks} tasks, {self.edges.shape[0]} edges, {self.processors} processors"

    def data_dict(self) -> dict[str, Any]:
        edges = [[int(u), int(v), json_number(d)]
                 for (u, v), d in zip(self.edges.tolist(), self.edge_data.tolist(), strict=True)]
        return {
            "processors": self.processors,
            "cost": json_numbers(self.cost),
            "edges": edges,
            "bandwidth": json_numbers(self.bandwidth),
            "latency": json_numbers(self.latency),
        }

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("processors", "cost"), ("edges", "bandwidth", "latency"))
        raw = data.get("edges") or []
        if not isinstance(raw, list):
            raise InputError("must be a list of [u, v, data] triples", field="edges")
        pairs, vol = [], []
        for i, e in enumerate(raw):
            if not isinstance(e, list) or len(e) not in (2, 3):
                raise InputError("must be a [u, v, data] triple", field=f"edges[{i}]")
            pairs.append([as_int(e[0], f"edges[{i}][0]", min_value=0),
                          as_int(e[1], f"edges[{i}][1]", min_value=0)])
            vol.append(as_number(e[2], f"edges[{i}][2]", min_value=0.0) if len(e) == 3 else 0.0)
        return {
            "processors": data["processors"],
            "cost": data["cost"],
            "edges": pairs,
            "edge_data": vol,
            "bandwidth": data.get("bandwidth", 1.0),
            "latency": data.get("latency", 0.0),
        }


def _topological_order(n: int, edges: np.ndarray) -> np.ndarray:
    """Kahn's algorithm; raises InputError naming a task on a cycle."""
    import heapq

    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = np.zeros(n, dtype=np.int64)
    for u, v in edges.tolist():
        succ[u].append(v)
        indeg[v] += 1
    heap = [t for t in range(n) if indeg[t] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        t = heapq.heappop(heap)
        order.append(t)
        for v in succ[t]:
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(heap, v)
    if len(order) != n:
        t = int(np.argmax(indeg > 0))
        raise InputError(f"the graph has a cycle through task {t}", field="edges")
    out = np.asarray(order, dtype=np.int64)
    out.setflags(write=False)
    return out
