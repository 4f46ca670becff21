"""The sequence-parallel instance ``sequence_parallel`` (``DESIGN.md`` §3) and FlexSP's cost
model.

Caps (checked on construction):

* ``devices <= MAX_DEVICES`` (2**20): the count is announced, and a group of the largest
  degree lists that many device ids.
* Exactness: ``memory_tokens < 2**53`` and Σ_k s_k < 2**53, so every token count of a group
  (and a group's memory ``memory_tokens · degree`` compared with it) is exact.
* Finiteness: a feasible solution has at most K non-empty groups and a micro-batch lasts as
  long as its slowest group, so its step time is at most the sum of all group times, which
  :func:`step_time_terms` bounds by Σ_k (b1 + a1·s_k² + a2·s_k + s_k·comm_bytes_per_token /
  (min bandwidth·1e9)) (degree 1 is the slowest compute, (d−1)/d² < 1). That bound must be
  at most :data:`~schedkit.instances._fields.FLOAT_LIMIT` = 1e300. FlexSP's cost model times
  s² overflows quickly: ``a1 = 1e308`` is rejected, not turned into an infinite step time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._fields import (
    EXACT_LIMIT,
    FLOAT_LIMIT,
    as_int,
    as_number,
    check_exact,
    check_float_total,
    exact_sum,
    float_total,
    int_array,
    require_keys,
    require_mapping,
)
from ..base import Instance, json_number
from ..errors import InputError

__all__ = ["FlexSPCost", "SequenceParallel", "MAX_DEVICES", "step_time_terms"]

#: Most devices an instance may announce (see the module docstring).
MAX_DEVICES = 2**20


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
        ``{degree: GB/s}`` for every degree > 1: the bandwidth in this formula. FlexSP's own
        formula, ``(comm_bytes_per_token·s / 2**20 / d) / v_d`` ms without the (d−1)/d share,
        is the same for ``bandwidth[d] = v_d·1.048576·(d−1)/d``; the FlexSP presets of
        :func:`~schedkit.instances.sequence_parallel.generate.sequence_parallel` store that.

    All times are in seconds (FlexSP publishes its constants in milliseconds).
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


def step_time_terms(cost: FlexSPCost, lengths: np.ndarray, degrees: np.ndarray
                    ) -> tuple[dict[str, float], int | None]:
    """The terms of the bound on the step time of any feasible solution (module docstring).

    Parameters
    ----------
    cost
        The cost model.
    lengths
        int64 (K,) sequence lengths.
    degrees
        The allowed group degrees.

    Returns
    -------
    terms, degree
        ``{"a1": a1·Σs², "a2": a2·Σs, "comm": comm_bytes_per_token·Σs / (min bandwidth·1e9),
        "b1": K·b1}`` (``inf`` where a term overflows) and the degree of the slowest
        bandwidth (``None`` when no allowed degree exceeds 1: no communication).
    """
    s = lengths.astype(np.float64)
    slow = min((d for d in degrees.tolist() if d > 1), key=lambda d: cost.bandwidth[d],
               default=None)
    with np.errstate(over="ignore", invalid="ignore"):
        total = float_total(s)
        squares = float_total(s * s)
        comm = 0.0 if slow is None else \
            cost.comm_bytes_per_token * total / (cost.bandwidth[slow] * 1e9)
        terms = {"a1": cost.a1 * squares, "a2": cost.a2 * total, "comm": comm,
                 "b1": cost.b1 * s.size}
    return {k: float_total(v) for k, v in terms.items()}, slow


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
        N = as_int(self.devices, "devices", min_value=1, max_value=MAX_DEVICES,
                   why=" (the size cap of sequence parallel)")
        n = as_int(self.devices_per_node, "devices_per_node", min_value=1)
        if N % n:
            raise InputError(f"must divide devices={N}, got {n}", field="devices_per_node")
        C = as_int(self.memory_tokens, "memory_tokens", min_value=1,
                   max_value=EXACT_LIMIT - 1, why=" (token counts must stay exact)")
        degrees = int_array(self.degrees, "degrees", min_value=1)
        if degrees.size and int(degrees.max()) > N:
            k = int(np.argmax(degrees > N))
            raise InputError(f"degree {int(degrees[k])} is above devices={N}",
                             field=f"degrees[{k}]")
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
                raise InputError(f"no bandwidth for degree {d} (allowed degrees "
                                 f"{degrees.tolist()})", field="cost.bandwidth")
        cap = C * int(degrees[-1])
        if (lengths > cap).any():
            k = int(np.argmax(lengths > cap))
            raise InputError(f"sequence of {int(lengths[k])} tokens exceeds the memory of the "
                             f"largest group ({cap} tokens)", field=f"lengths[{k}]")
        tokens = exact_sum(lengths)
        if tokens >= EXACT_LIMIT:
            k = int(np.argmax(lengths))
            check_exact(tokens, f"lengths[{k}]", int(lengths[k]), "the total token count")
        _check_finite(cost, lengths, degrees)
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


def _check_finite(cost: FlexSPCost, lengths: np.ndarray, degrees: np.ndarray) -> None:
    """The finiteness cap of the module docstring, naming the largest term's coefficient."""
    terms, slow = step_time_terms(cost, lengths, degrees)
    total = float_total(*terms.values())
    if total <= FLOAT_LIMIT:
        return
    what = ("the longest possible step time (sum over sequences of b1 + a1*s^2 + a2*s + the "
            "slowest all-to-all)")
    worst = max(terms, key=lambda k: terms[k])
    if worst == "comm" and slow is not None:
        # The bandwidth is to blame if the all-to-alls would fit the cap at 1 GB/s.
        at_one = cost.comm_bytes_per_token * float_total(lengths) / 1e9
        if cost.bandwidth[slow] < 1.0 and at_one <= FLOAT_LIMIT:
            check_float_total(total, f"cost.bandwidth.{slow}", float(cost.bandwidth[slow]),
                              what)
    name = "comm_bytes_per_token" if worst == "comm" else worst
    check_float_total(total, f"cost.{name}", float(getattr(cost, name)), what)
