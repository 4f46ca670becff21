"""The MoE expert-placement instance ``expert_placement`` (``DESIGN.md`` §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._fields import as_int, as_number, float_array, require_keys, require_mapping
from ..base import Instance, json_number, json_numbers
from ..errors import InputError

__all__ = ["ExpertPlacement"]


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
