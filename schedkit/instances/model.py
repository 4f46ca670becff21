"""The instance schema ``schedkit/instance@1``: one frozen dataclass per problem family.

Every class validates on construction and raises :class:`~schedkit.instances.errors.InputError`
naming the offending field (``data.<field>[i]…``) and value. Arrays are read-only numpy arrays
(int64 where the quantity is integral, float64 otherwise). ``to_dict``/``from_dict`` give the JSON
envelope of ``DESIGN.md`` §3; :mod:`schedkit.instances.jsonio` reads and writes files.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ._fields import (
    as_int,
    as_number,
    float_array,
    int_array,
    require_keys,
    require_mapping,
)
from .errors import InputError

__all__ = [
    "SCHEMA",
    "Bounds",
    "Instance",
    "JobShop",
    "SingleMachine",
    "DAG",
    "ExpertPlacement",
    "SequenceParallel",
    "FlexSPCost",
    "PROBLEMS",
]

SCHEMA = "schedkit/instance@1"


def json_number(x: Any) -> int | float:
    """A number as JSON wants it: integral values as ``int`` so that files stay readable."""
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        return int(x)
    xf = float(x)
    return int(xf) if xf.is_integer() and abs(xf) < 2**53 else xf


def json_numbers(arr: Any) -> Any:
    """Nested lists of :func:`json_number` for an array (int arrays stay ints)."""
    a = np.asarray(arr)
    if a.dtype.kind in "iu":
        return a.tolist()
    if a.ndim == 0:
        return json_number(a.item())
    return [json_numbers(row) for row in a] if a.ndim > 1 else [json_number(v) for v in a]


@dataclass(frozen=True, kw_only=True)
class Bounds:
    """Best known bounds on the optimal objective (``lower == upper`` means the optimum is known).

    Parameters
    ----------
    lower, upper
        Best known lower and upper bound; either may be ``None``.
    source
        Where they come from (paper, file, solver run).
    """

    lower: float | int | None = None
    upper: float | int | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        for name in ("lower", "upper"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, json_number(as_number(v, f"bounds.{name}")))
        if self.lower is not None and self.upper is not None and self.lower > self.upper + 1e-9:
            raise InputError(
                f"lower bound {self.lower} exceeds upper bound {self.upper}", field="bounds"
            )
        if self.source is not None and not isinstance(self.source, str):
            raise InputError("must be a string", field="bounds.source")

    @property
    def optimum(self) -> float | int | None:
        """The optimum if it is known (``lower == upper``), else ``None``."""
        if self.lower is not None and self.lower == self.upper:
            return self.upper
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper, "source": self.source}

    @classmethod
    def from_dict(cls, obj: Any) -> Bounds | None:
        if obj is None:
            return None
        obj = require_mapping(obj, "bounds")
        require_keys(obj, "bounds", (), ("lower", "upper", "source"))
        return cls(lower=obj.get("lower"), upper=obj.get("upper"), source=obj.get("source"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class Instance(ABC):
    """Common envelope of every problem instance.

    Subclasses add the problem data. Two instances are equal when their canonical JSON documents
    are equal.

    Parameters
    ----------
    name
        Instance name, e.g. ``"ft06"``.
    objective
        One of the class's ``objectives``; empty means the problem's default (the first).
    bounds
        Best known bounds, if any.
    meta
        Free-form provenance: family, generator, seed, licence, scale factors, ...
    """

    problem: ClassVar[str] = ""
    objectives: ClassVar[tuple[str, ...]] = ()

    name: str = "unnamed"
    objective: str = ""
    bounds: Bounds | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"must be a non-empty string, got {self.name!r}", field="name")
        objective = self.objective or self.objectives[0]
        if objective not in self.objectives:
            raise InputError(
                f"unknown objective {objective!r} for {self.problem} "
                f"(choose from {', '.join(self.objectives)})",
                field="objective",
            )
        object.__setattr__(self, "objective", objective)
        if isinstance(self.bounds, Mapping):
            object.__setattr__(self, "bounds", Bounds.from_dict(self.bounds))
        elif self.bounds is not None and not isinstance(self.bounds, Bounds):
            raise InputError("must be an object with lower/upper/source", field="bounds")
        if not isinstance(self.meta, Mapping):
            raise InputError("must be an object", field="meta")
        object.__setattr__(self, "meta", dict(self.meta))
        try:
            self._validate()
        except InputError as err:
            if err.field and not err.field.startswith(("data", "objective", "name", "bounds")):
                raise err.located(field_prefix="data") from None
            raise

    # -- subclass hooks ---------------------------------------------------------------------
    @abstractmethod
    def _validate(self) -> None:
        """Check and normalise the problem fields (raise InputError naming the field)."""

    @abstractmethod
    def data_dict(self) -> dict[str, Any]:
        """The ``data`` member of the JSON document."""

    @classmethod
    @abstractmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor keywords from the ``data`` member of a document."""

    @abstractmethod
    def size(self) -> str:
        """A short human description of the instance size, e.g. ``"6 jobs x 6 machines"``."""

    # -- envelope ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The whole ``schedkit/instance@1`` document as JSON-ready Python objects."""
        return {
            "schema": SCHEMA,
            "problem": self.problem,
            "name": self.name,
            "objective": self.objective,
            "data": self.data_dict(),
            "bounds": None if self.bounds is None else self.bounds.to_dict(),
            "meta": dict(self.meta),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], **envelope: Any) -> Instance:
        """Build from the ``data`` member of a document (fields named ``data.…`` on error)."""
        data = require_mapping(data, "data")
        try:
            kwargs = cls._kwargs_from_data(data)
        except InputError as err:
            if err.field and not err.field.startswith("data"):
                raise err.located(field_prefix="data") from None
            raise
        return cls(**kwargs, **envelope)

    def with_bounds(self, bounds: Bounds | None) -> Instance:
        """A copy with other best-known bounds."""
        import dataclasses

        return dataclasses.replace(self, bounds=bounds)

    def with_objective(self, objective: str) -> Instance:
        """A copy with another objective."""
        import dataclasses

        return dataclasses.replace(self, objective=objective, bounds=None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, {self.size()}, objective={self.objective!r})"


def _optional_vector(
    value: Any, field: str, n: int, default: int, *, min_value: int | None = None
) -> np.ndarray:
    if value is None:
        out = np.full(n, default, dtype=np.int64)
        out.setflags(write=False)
        return out
    return int_array(value, field, min_value=min_value, shape=(n,))


# ---------------------------------------------------------------------------------------------
# job shop
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class JobShop(Instance):
    """Job shop J||Cmax with optional release dates, due dates and weights.

    Operations are stored flat in route order: job ``j`` owns operations
    ``job_offsets[j] … job_offsets[j+1]-1``. Build from routes with :meth:`from_routes`.

    Parameters
    ----------
    machines
        Number of machines M.
    job_offsets
        int64 (n+1,), 0 first, total operation count last.
    op_machine, op_duration
        int64 (total ops,): machine (0-based) and processing time of each operation.
    release, weight
        int64 (n,); defaults 0 and 1.
    due
        int64 (n,) or ``None`` (no due dates; tardiness objectives then need them).
    """

    problem: ClassVar[str] = "jobshop"
    objectives: ClassVar[tuple[str, ...]] = (
        "makespan",
        "total_weighted_tardiness",
        "total_weighted_completion",
    )

    machines: int
    job_offsets: Any
    op_machine: Any
    op_duration: Any
    release: Any = None
    due: Any = None
    weight: Any = None

    def _op_field(self, k: int, what: str) -> str:
        j = int(np.searchsorted(self.job_offsets, k, side="right") - 1)
        return f"jobs[{j}].operations[{k - int(self.job_offsets[j])}].{what}"

    def _validate(self) -> None:
        m = as_int(self.machines, "machines", min_value=1)
        object.__setattr__(self, "machines", m)
        offsets = int_array(self.job_offsets, "job_offsets", min_value=0)
        if offsets.size < 2 or offsets[0] != 0:
            raise InputError("must have at least one job", field="jobs")
        steps = np.diff(offsets)
        if (steps < 1).any():
            j = int(np.argmax(steps < 1))
            raise InputError("a job needs at least one operation", field=f"jobs[{j}].operations")
        object.__setattr__(self, "job_offsets", offsets)
        total = int(offsets[-1])
        mach = int_array(self.op_machine, "op_machine")
        dur = int_array(self.op_duration, "op_duration")
        if mach.shape != (total,) or dur.shape != (total,):
            raise InputError(f"must have {total} operations", field="op_machine")
        object.__setattr__(self, "op_machine", mach)
        object.__setattr__(self, "op_duration", dur)
        bad = (mach < 0) | (mach >= m)
        if bad.any():
            k = int(np.argmax(bad))
            raise InputError(
                f"machine {int(mach[k])} out of range 0..{m - 1}", field=self._op_field(k, "machine")
            )
        if (dur < 0).any():
            k = int(np.argmax(dur < 0))
            raise InputError(
                f"must be >= 0, got {int(dur[k])}", field=self._op_field(k, "duration")
            )
        n = offsets.size - 1
        object.__setattr__(self, "release", _optional_vector(self.release, "release", n, 0,
                                                             min_value=0))
        object.__setattr__(self, "weight", _optional_vector(self.weight, "weight", n, 1,
                                                            min_value=0))
        if self.due is not None:
            object.__setattr__(self, "due", int_array(self.due, "due", shape=(n,)))
        if self.objective == "total_weighted_tardiness" and self.due is None:
            raise InputError("total_weighted_tardiness needs due dates", field="jobs[0].due")

    @classmethod
    def from_routes(
        cls,
        routes: Sequence[Sequence[tuple[int, int]]],
        *,
        machines: int | None = None,
        release: Any = None,
        due: Any = None,
        weight: Any = None,
        **envelope: Any,
    ) -> JobShop:
        """Build from ``routes[j] = [(machine, duration), …]`` in route order."""
        offsets = [0]
        mach: list[Any] = []
        dur: list[Any] = []
        for j, route in enumerate(routes):
            for i, op in enumerate(route):
                if not isinstance(op, Sequence) or isinstance(op, str) or len(op) != 2:
                    raise InputError("must be a (machine, duration) pair",
                                     field=f"data.jobs[{j}].operations[{i}]")
                mach.append(op[0])
                dur.append(op[1])
            offsets.append(len(mach))
        if machines is None:
            machines = int(max((int(x) for x in mach), default=-1)) + 1
        return cls(
            machines=machines,
            job_offsets=offsets,
            op_machine=mach,
            op_duration=dur,
            release=release,
            due=due,
            weight=weight,
            **envelope,
        )

    @property
    def n_jobs(self) -> int:
        return int(self.job_offsets.size - 1)

    @property
    def n_ops(self) -> int:
        return int(self.job_offsets[-1])

    def route(self, j: int) -> list[tuple[int, int]]:
        """``[(machine, duration), …]`` of job ``j`` in route order."""
        a, b = int(self.job_offsets[j]), int(self.job_offsets[j + 1])
        return [(int(self.op_machine[k]), int(self.op_duration[k])) for k in range(a, b)]

    def size(self) -> str:
        return f"{self.n_jobs} jobs x {self.machines} machines"

    def data_dict(self) -> dict[str, Any]:
        jobs = []
        for j in range(self.n_jobs):
            jobs.append(
                {
                    "operations": [{"machine": m, "duration": d} for m, d in self.route(j)],
                    "release": int(self.release[j]),
                    "due": None if self.due is None else int(self.due[j]),
                    "weight": int(self.weight[j]),
                }
            )
        return {"machines": self.machines, "jobs": jobs}

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("machines", "jobs"))
        jobs = data["jobs"]
        if not isinstance(jobs, list) or not jobs:
            raise InputError("must be a non-empty list", field="jobs")
        routes: list[list[tuple[Any, Any]]] = []
        release: list[Any] = []
        due: list[Any] = []
        weight: list[Any] = []
        for j, job in enumerate(jobs):
            job = require_mapping(job, f"jobs[{j}]")
            require_keys(job, f"jobs[{j}]", ("operations",), ("release", "due", "weight"))
            ops = job["operations"]
            if not isinstance(ops, list) or not ops:
                raise InputError("must be a non-empty list", field=f"jobs[{j}].operations")
            route = []
            for i, op in enumerate(ops):
                where = f"jobs[{j}].operations[{i}]"
                op = require_mapping(op, where)
                require_keys(op, where, ("machine", "duration"))
                route.append((as_int(op["machine"], where + ".machine", min_value=0),
                               as_int(op["duration"], where + ".duration", min_value=0)))
            routes.append(route)
            release.append(as_int(job.get("release", 0), f"jobs[{j}].release", min_value=0))
            weight.append(as_int(job.get("weight", 1), f"jobs[{j}].weight", min_value=0))
            d = job.get("due")
            due.append(None if d is None else as_int(d, f"jobs[{j}].due"))
        if any(d is None for d in due) and not all(d is None for d in due):
            j = next(i for i, d in enumerate(due) if d is None)
            raise InputError("either every job has a due date or none has", field=f"jobs[{j}].due")
        machines = as_int(data["machines"], "machines", min_value=1)
        offsets = np.cumsum([0] + [len(r) for r in routes])
        flat = [op for r in routes for op in r]
        return {
            "machines": machines,
            "job_offsets": offsets,
            "op_machine": [m for m, _ in flat],
            "op_duration": [d for _, d in flat],
            "release": release,
            "due": None if due[0] is None else due,
            "weight": weight,
        }


# ---------------------------------------------------------------------------------------------
# single machine
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SingleMachine(Instance):
    """One machine, n jobs: 1|r_j|ΣwjTj, ΣTj, Lmax, ΣwjCj, ΣwjUj.

    Parameters
    ----------
    processing, due
        int64 (n,): processing times (>= 0) and due dates.
    weight, release
        int64 (n,); defaults 1 and 0.
    """

    problem: ClassVar[str] = "single_machine"
    objectives: ClassVar[tuple[str, ...]] = (
        "total_weighted_tardiness",
        "total_tardiness",
        "max_lateness",
        "total_weighted_completion",
        "weighted_tardy_jobs",
    )

    processing: Any
    due: Any
    weight: Any = None
    release: Any = None

    def _validate(self) -> None:
        p = int_array(self.processing, "processing", min_value=0)
        if p.size == 0:
            raise InputError("must have at least one job", field="processing")
        n = p.size
        object.__setattr__(self, "processing", p)
        object.__setattr__(self, "due", int_array(self.due, "due", shape=(n,)))
        object.__setattr__(self, "weight", _optional_vector(self.weight, "weight", n, 1,
                                                            min_value=0))
        object.__setattr__(self, "release", _optional_vector(self.release, "release", n, 0,
                                                             min_value=0))

    @property
    def n_jobs(self) -> int:
        return int(self.processing.size)

    def size(self) -> str:
        return f"{self.n_jobs} jobs"

    def data_dict(self) -> dict[str, Any]:
        return {
            "processing": self.processing.tolist(),
            "due": self.due.tolist(),
            "weight": self.weight.tolist(),
            "release": self.release.tolist(),
        }

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("processing", "due"), ("weight", "release"))
        return {k: data.get(k) for k in ("processing", "due", "weight", "release")}


# ---------------------------------------------------------------------------------------------
# task graph
# ---------------------------------------------------------------------------------------------
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
        if np.ndim(self.bandwidth) == 0:
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
        if np.ndim(self.latency) == 0:
            lat = as_number(self.latency, "latency", min_value=0.0)
            object.__setattr__(self, "latency", json_number(lat))
        else:
            object.__setattr__(self, "latency",
                               float_array(self.latency, "latency", min_value=0.0, shape=(P,)))

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


# ---------------------------------------------------------------------------------------------
# MoE expert placement
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ExpertPlacement(Instance):
    """Place (and replicate) MoE experts on GPUs, layer by layer.

    Each layer has R = gpus·slots_per_gpu physical slots and E <= R experts. A solution gives every
    expert >= 1 replica, fills every GPU's ``slots_per_gpu`` slots exactly, never puts two replicas
    of one expert on one GPU, and an expert's load splits evenly over its replicas (the model of
    DeepSeek's EPLB).

    Objectives: ``max_load`` = Σ_l max_g load(g, l); ``load_and_traffic`` = per_token·max_load +
    Σ_l Σ_{e,e'} traffic[l, e, e'] · mean hop cost between the replicas of e (layer l) and e'
    (layer l+1); the hop cost is 0 on one GPU, ``intra_node`` inside a node, ``inter_node``
    across nodes.

    Parameters
    ----------
    gpus, gpus_per_node, slots_per_gpu
        G, g (must divide G) and S (1 <= S <= E, G·S >= E).
    load
        float64 (L, E): tokens routed to each expert in each layer.
    traffic
        float64 (L-1, E, E) or ``None``: tokens moving from expert e in layer l to e' in l+1.
    groups
        Optional expert-group size (hierarchical EPLB); must divide E.
    per_token, intra_node, inter_node
        Cost coefficients of ``load_and_traffic``.
    """

    problem: ClassVar[str] = "expert_placement"
    objectives: ClassVar[tuple[str, ...]] = ("max_load", "load_and_traffic")

    gpus: int
    gpus_per_node: int
    slots_per_gpu: int
    load: Any
    traffic: Any = None
    groups: int | None = None
    per_token: float = 1.0
    intra_node: float = 1.0
    inter_node: float = 4.0

    def _validate(self) -> None:
        G = as_int(self.gpus, "gpus", min_value=1)
        g = as_int(self.gpus_per_node, "gpus_per_node", min_value=1)
        S = as_int(self.slots_per_gpu, "slots_per_gpu", min_value=1)
        if G % g:
            raise InputError(f"must divide gpus={G}, got {g}", field="gpus_per_node")
        load = float_array(self.load, "load", ndim=2, min_value=0.0)
        L, E = load.shape
        if L == 0 or E == 0:
            raise InputError("must have at least one layer and one expert", field="load")
        if G * S < E:
            raise InputError(f"gpus*slots_per_gpu = {G * S} slots < {E} experts: "
                             "every expert needs a slot", field="slots_per_gpu")
        if S > E:
            raise InputError(f"must be <= the number of experts {E} (a GPU holds at most one "
                             "replica of an expert)", field="slots_per_gpu")
        for name, v in (("gpus", G), ("gpus_per_node", g), ("slots_per_gpu", S)):
            object.__setattr__(self, name, v)
        object.__setattr__(self, "load", load)
        if self.traffic is not None and not (L == 1 and np.size(self.traffic) == 0):
            object.__setattr__(self, "traffic", float_array(
                self.traffic, "traffic", ndim=3, min_value=0.0, shape=(L - 1, E, E)))
        else:
            object.__setattr__(self, "traffic", None)
        if self.groups is not None:
            gs = as_int(self.groups, "groups", min_value=1)
            if E % gs:
                raise InputError(f"expert-group size must divide {E} experts, got {gs}",
                                 field="groups")
            object.__setattr__(self, "groups", gs)
        for name in ("per_token", "intra_node", "inter_node"):
            object.__setattr__(self, name, json_number(as_number(getattr(self, name),
                                                                  f"cost.{name}", min_value=0.0)))
        if self.objective == "load_and_traffic" and self.traffic is None and L > 1:
            raise InputError("load_and_traffic needs a traffic array", field="traffic")

    @property
    def n_layers(self) -> int:
        return int(self.load.shape[0])

    @property
    def n_experts(self) -> int:
        return int(self.load.shape[1])

    @property
    def slots(self) -> int:
        """R = gpus · slots_per_gpu physical slots per layer."""
        return self.gpus * self.slots_per_gpu

    def size(self) -> str:
        return (f"{self.n_layers} layers x {self.n_experts} experts on {self.gpus} GPUs "
                f"x {self.slots_per_gpu} slots")

    def data_dict(self) -> dict[str, Any]:
        return {
            "gpus": self.gpus,
            "gpus_per_node": self.gpus_per_node,
            "slots_per_gpu": self.slots_per_gpu,
            "load": json_numbers(self.load),
            "traffic": None if self.traffic is None else json_numbers(self.traffic),
            "groups": self.groups,
            "cost": {"per_token": self.per_token, "intra_node": self.intra_node,
                     "inter_node": self.inter_node},
        }

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("gpus", "gpus_per_node", "slots_per_gpu", "load"),
                     ("traffic", "groups", "cost"))
        cost = data.get("cost") or {}
        cost = require_mapping(cost, "cost")
        require_keys(cost, "cost", (), ("per_token", "intra_node", "inter_node"))
        kw = {k: data.get(k) for k in ("gpus", "gpus_per_node", "slots_per_gpu", "load",
                                       "traffic", "groups")}
        kw.update({k: cost[k] for k in ("per_token", "intra_node", "inter_node") if k in cost})
        return kw


# ---------------------------------------------------------------------------------------------
# sequence-parallel allocation
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class FlexSPCost:
    """FlexSP-style cost model of one sequence on a sequence-parallel group.

    A sequence of length s on a group of degree d takes ``(a1·s² + a2·s)/d + comm(s, d)`` seconds,
    with the Ulysses all-to-all ``comm(s, d) = (s/d)·((d-1)/d)·comm_bytes_per_token /
    (bandwidth[d]·1e9)`` for d > 1 and 0 for d = 1; every formed group pays ``b1`` once
    (Wang et al., "FlexSP: Accelerating LLM Training via Flexible Sequence Parallelism",
    ASPLOS 2025, whose cost model has this compute/communication/overhead split).

    Parameters
    ----------
    a1, a2
        Quadratic (attention) and linear compute coefficients, seconds per token² / per token.
    b1
        Fixed overhead per formed group, seconds.
    comm_bytes_per_token
        Bytes per token a device sends in the all-to-alls of one training step.
    bandwidth
        ``{degree: GB/s}`` for every degree > 1.
    """

    a1: float
    a2: float
    b1: float
    comm_bytes_per_token: float
    bandwidth: Mapping[int, float]

    def __post_init__(self) -> None:
        for name in ("a1", "a2", "b1", "comm_bytes_per_token"):
            object.__setattr__(self, name, json_number(as_number(getattr(self, name),
                                                                  f"cost.{name}", min_value=0.0)))
        bw = require_mapping(self.bandwidth, "cost.bandwidth")
        clean: dict[int, float] = {}
        for k, v in bw.items():
            key = str(k).strip()
            if not key.isdigit() or int(key) < 1:
                raise InputError("keys must be group degrees", field=f"cost.bandwidth.{k}")
            d = int(key)
            b = as_number(v, f"cost.bandwidth.{k}")
            if b <= 0:
                raise InputError(f"must be > 0, got {b:g}", field=f"cost.bandwidth.{k}")
            clean[d] = json_number(b)
        object.__setattr__(self, "bandwidth", dict(sorted(clean.items())))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FlexSPCost):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.a1, self.a2, self.b1, self.comm_bytes_per_token,
                     tuple(self.bandwidth.items())))

    def to_dict(self) -> dict[str, Any]:
        return {"a1": self.a1, "a2": self.a2, "b1": self.b1,
                "comm_bytes_per_token": self.comm_bytes_per_token,
                "bandwidth": {str(k): v for k, v in self.bandwidth.items()}}


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SequenceParallel(Instance):
    """Split a batch of variable-length sequences into sequence-parallel groups and micro-batches.

    A solution is a list of micro-batches; each holds disjoint device groups of a degree in
    ``degrees``; every sequence is in exactly one group; a group holds at most
    ``memory_tokens · degree`` tokens. Step time = Σ over micro-batches of the slowest group's
    time under :class:`FlexSPCost`.

    Parameters
    ----------
    devices, devices_per_node
        N devices, n per node (n divides N).
    memory_tokens
        C: tokens one device can hold.
    degrees
        Allowed group degrees, e.g. ``[1, 2, 4, 8]``.
    lengths
        int64 (K,): sequence lengths in tokens.
    cost
        :class:`FlexSPCost` or its dict.
    """

    problem: ClassVar[str] = "sequence_parallel"
    objectives: ClassVar[tuple[str, ...]] = ("step_time",)

    devices: int
    devices_per_node: int
    memory_tokens: int
    degrees: Any
    lengths: Any
    cost: Any

    def _validate(self) -> None:
        N = as_int(self.devices, "devices", min_value=1)
        n = as_int(self.devices_per_node, "devices_per_node", min_value=1)
        if N % n:
            raise InputError(f"must divide devices={N}, got {n}", field="devices_per_node")
        C = as_int(self.memory_tokens, "memory_tokens", min_value=1)
        degrees = int_array(self.degrees, "degrees", min_value=1, max_value=N)
        if degrees.size == 0 or (np.diff(degrees) <= 0).any():
            raise InputError("must be a non-empty increasing list", field="degrees")
        lengths = int_array(self.lengths, "lengths", min_value=1)
        if lengths.size == 0:
            raise InputError("must have at least one sequence", field="lengths")
        cost = self.cost
        if isinstance(cost, Mapping):
            require_keys(cost, "cost", ("a1", "a2", "b1", "comm_bytes_per_token", "bandwidth"))
            cost = FlexSPCost(**{k: cost[k] for k in cost})
        elif not isinstance(cost, FlexSPCost):
            raise InputError("must be an object with a1, a2, b1, comm_bytes_per_token, "
                             "bandwidth", field="cost")
        for d in degrees.tolist():
            if d > 1 and d not in cost.bandwidth:
                raise InputError(f"no bandwidth for degree {d}", field="cost.bandwidth")
        cap = C * int(degrees[-1])
        if (lengths > cap).any():
            k = int(np.argmax(lengths > cap))
            raise InputError(f"sequence of {int(lengths[k])} tokens exceeds the memory of the "
                             f"largest group ({cap} tokens)", field=f"lengths[{k}]")
        for name, v in (("devices", N), ("devices_per_node", n), ("memory_tokens", C),
                        ("degrees", degrees), ("lengths", lengths), ("cost", cost)):
            object.__setattr__(self, name, v)

    @property
    def n_sequences(self) -> int:
        return int(self.lengths.size)

    def sequence_time(self, length: float, degree: int) -> float:
        """Seconds for one sequence on a group of ``degree`` devices (without ``b1``)."""
        c = self.cost
        s, d = float(length), int(degree)
        t = (c.a1 * s * s + c.a2 * s) / d
        if d > 1:
            t += (s / d) * ((d - 1) / d) * c.comm_bytes_per_token / (c.bandwidth[d] * 1e9)
        return t

    def size(self) -> str:
        return (f"{self.n_sequences} sequences ({int(self.lengths.sum())} tokens) on "
                f"{self.devices} devices")

    def data_dict(self) -> dict[str, Any]:
        return {
            "devices": self.devices,
            "devices_per_node": self.devices_per_node,
            "memory_tokens": self.memory_tokens,
            "degrees": self.degrees.tolist(),
            "lengths": self.lengths.tolist(),
            "cost": self.cost.to_dict(),
        }

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("devices", "devices_per_node", "memory_tokens", "degrees",
                                "lengths", "cost"))
        cost = require_mapping(data["cost"], "cost")
        return {**{k: data[k] for k in data}, "cost": cost}


PROBLEMS: dict[str, type[Instance]] = {
    cls.problem: cls for cls in (JobShop, SingleMachine, DAG, ExpertPlacement, SequenceParallel)
}
