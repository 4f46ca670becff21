"""The single-machine instance ``single_machine`` (``DESIGN.md`` §3): n jobs on one machine.

Exactness cap (checked on construction). With H = max_j r_j + Σ_j p_j (every job of a
schedule without unforced idle time, and so of every schedule the methods return, completes by
H), D = max(0, −min_j d_j) and W = max(Σ_j w_j, n):

* ``H + max_j |d_j| < 2**53``, so every completion time and every lateness C_j − d_j, hence
  max_lateness, is an exact integer;
* ``W·(H + D) < 2**53``, so Σ w_j T_j, Σ T_j, Σ w_j C_j and Σ w_j U_j (each at most
  W·(H + D)) and every partial sum of the evaluator's float64 dot products are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._fields import EXACT_LIMIT, check_exact, exact_sum, int_array, require_keys
from ..base import Instance, optional_vector
from ..errors import InputError

__all__ = ["SingleMachine"]


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
        object.__setattr__(self, "weight", optional_vector(self.weight, "weight", n, 1,
                                                            min_value=0))
        object.__setattr__(self, "release", optional_vector(self.release, "release", n, 0,
                                                             min_value=0))
        self._check_exact()

    def _check_exact(self) -> None:
        """The exactness cap of the module docstring, naming the largest contributor."""
        p, d, w, r = self.processing, self.due, self.weight, self.release
        work, top_release = exact_sum(p), int(r.max())
        late = max(0, -int(d.min()))
        far = max(abs(int(d.min())), abs(int(d.max())))
        horizon = top_release + work
        if horizon + far >= EXACT_LIMIT:
            what = "max release + total processing + max |due date|"
            if far > max(work, top_release):
                j = int(np.argmax(np.abs(d)))
                check_exact(horizon + far, f"due[{j}]", int(d[j]), what)
            if top_release > work:
                j = int(np.argmax(r))
                check_exact(horizon + far, f"release[{j}]", top_release, what)
            j = int(np.argmax(p))
            check_exact(horizon + far, f"processing[{j}]", int(p[j]), what)
        weights = exact_sum(w)
        total = max(weights, p.size) * (horizon + late)
        if total >= EXACT_LIMIT:
            tail = " - min due date)" if late else ")"
            if weights > p.size:
                j = int(np.argmax(w))
                check_exact(total, f"weight[{j}]", int(w[j]),
                            "sum of weights * (max release + total processing" + tail)
            j = int(np.argmax(p))
            check_exact(total, f"processing[{j}]", int(p[j]),
                        "n * (max release + total processing" + tail)

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
