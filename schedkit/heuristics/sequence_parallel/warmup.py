"""Compiling the sequence-parallel kernels before a time limit starts (:func:`warm_up`)."""

from __future__ import annotations

from functools import cache

from ...instances import SequenceParallel
from .baselines import adaptive_plan, dcp_plan, static_plan, wlb_plan
from .split import buckets, partitions

__all__ = ["PARTS", "warm_up"]


def _tiny() -> SequenceParallel:
    return SequenceParallel(devices=4, devices_per_node=2, memory_tokens=100, degrees=[1, 2, 4],
                            lengths=[50, 90, 30, 20, 60],
                            cost={"a1": 1e-6, "a2": 1e-3, "b1": 0.01,
                                  "comm_bytes_per_token": 1e6,
                                  "bandwidth": {"2": 1.0, "4": 0.5}},
                            name="warm-up")


@cache
def _part(name: str) -> None:
    if name == "packing":
        inst = _tiny()
        static_plan(inst)
        adaptive_plan(inst)
        dcp_plan(inst)
        wlb_plan(inst)
    elif name == "split":
        inst = _tiny()
        partitions(inst, 1)
        buckets(inst.lengths, 2)
    elif name == "planner":
        from .planner import hetsp_plan  # the planner imports baselines, as this module does

        hetsp_plan(_tiny(), starts=2, extra=1)
    else:
        raise ValueError(f"no sequence-parallel warm-up part {name!r} (parts: {', '.join(PARTS)})")


#: The parts :func:`warm_up` can compile.
PARTS = ("packing", "split", "planner")


def warm_up(*parts: str) -> None:
    """Compile (or load from Numba's cache) the kernels of ``parts`` by running them once on a
    tiny instance; each part at most once per process."""
    for name in parts:
        _part(name)
