"""The sequence-parallel instance ``sequence_parallel`` (``DESIGN.md`` §3) and FlexSP's cost
model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._fields import as_int, as_number, int_array, require_keys, require_mapping
from ..base import Instance, json_number
from ..errors import InputError

__all__ = ["FlexSPCost", "SequenceParallel"]


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
