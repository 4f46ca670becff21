"""The job-shop instance ``jobshop`` (``DESIGN.md`` §3): routes of operations on machines.

Caps (checked on construction):

* ``machines <= MAX_MACHINES`` (10**6): the count is announced, not carried by the data, and
  the evaluator and the heuristics allocate per-machine arrays.
* Exactness: with H = max_j r_j + Σ_k p_k (every operation of a semi-active schedule, and so of
  every schedule the methods return, ends by H: each one starts at a release date or at the
  end of another operation, with no gap), W = max(1, Σ_j w_j) and D = max(0, −min_j d_j),
  ``W·(H + D) < 2**53``. Then makespan <= H, Σ w_j C_j <= W·H and Σ w_j T_j <= W·(H + D):
  every objective and every partial sum of the evaluator's float64 dot products is an exact
  integer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from .._fields import (
    EXACT_LIMIT,
    as_int,
    check_exact,
    exact_sum,
    int_array,
    require_keys,
    require_mapping,
)
from ..base import Instance, optional_vector
from ..errors import InputError

__all__ = ["JobShop", "MAX_MACHINES"]

#: Most machines an instance may announce (see the module docstring).
MAX_MACHINES = 10**6
_EXACT = " (2**53: integers must stay exact)"


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
        m = as_int(self.machines, "machines", min_value=1, max_value=MAX_MACHINES,
                   why=" (the size cap of a job shop)")
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
            raise InputError(f"machine {int(mach[k])} out of range 0..{m - 1}",
                             field=self._op_field(k, "machine"))
        if (dur < 0).any():
            k = int(np.argmax(dur < 0))
            raise InputError(
                f"must be >= 0, got {int(dur[k])}", field=self._op_field(k, "duration")
            )
        n = offsets.size - 1
        object.__setattr__(self, "release", optional_vector(self.release, "release", n, 0,
                                                             min_value=0))
        object.__setattr__(self, "weight", optional_vector(self.weight, "weight", n, 1,
                                                            min_value=0))
        if self.due is not None:
            object.__setattr__(self, "due", int_array(self.due, "due", shape=(n,)))
        if self.objective == "total_weighted_tardiness" and self.due is None:
            raise InputError("total_weighted_tardiness needs due dates", field="jobs[0].due")
        self._check_exact()

    def _check_exact(self) -> None:
        """``W·(H + D) < 2**53`` (module docstring), naming the largest contributor."""
        dur, release, weight = self.op_duration, self.release, self.weight
        work, top_release = exact_sum(dur), int(release.max())
        late = 0 if self.due is None else max(0, -int(self.due.min()))
        horizon = top_release + work + late
        if horizon >= EXACT_LIMIT:
            what = "max release + total processing" + (" - min due date" if late else "")
            if late > max(work, top_release):
                j = int(np.argmin(self.due))
                check_exact(horizon, f"jobs[{j}].due", int(self.due[j]), what)
            if top_release > work:
                j = int(np.argmax(release))
                check_exact(horizon, f"jobs[{j}].release", top_release, what)
            k = int(np.argmax(dur))
            check_exact(horizon, self._op_field(k, "duration"), int(dur[k]), what)
        total = max(1, exact_sum(weight)) * horizon
        if total >= EXACT_LIMIT:
            j = int(np.argmax(weight))
            check_exact(total, f"jobs[{j}].weight", int(weight[j]),
                        "sum of weights * (max release + total processing"
                        + (" - min due date)" if late else ")"))

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

    @cached_property
    def ops_per_job(self) -> int | None:
        """The number of operations of each job when every job has the same number (as in
        the classic benchmarks), else ``None``; computed once (the instance is frozen)."""
        steps = np.diff(self.job_offsets)
        return int(steps[0]) if (steps == steps[0]).all() else None

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
                route.append((as_int(op["machine"], where + ".machine", min_value=0,
                                      max_value=EXACT_LIMIT, why=_EXACT),
                               as_int(op["duration"], where + ".duration", min_value=0,
                                      max_value=EXACT_LIMIT, why=_EXACT)))
            routes.append(route)
            release.append(as_int(job.get("release", 0), f"jobs[{j}].release", min_value=0,
                                  max_value=EXACT_LIMIT, why=_EXACT))
            weight.append(as_int(job.get("weight", 1), f"jobs[{j}].weight", min_value=0,
                                 max_value=EXACT_LIMIT, why=_EXACT))
            d = job.get("due")
            due.append(None if d is None else as_int(d, f"jobs[{j}].due",
                                                     min_value=-EXACT_LIMIT,
                                                     max_value=EXACT_LIMIT, why=_EXACT))
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
