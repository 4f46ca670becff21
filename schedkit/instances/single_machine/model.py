"""The single-machine instance ``single_machine`` (``DESIGN.md`` §3): n jobs on one machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .._fields import int_array, require_keys
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
