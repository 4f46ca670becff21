"""The MoE expert-placement instance ``expert_placement`` (``DESIGN.md`` §3).

Caps (checked on construction):

* ``gpus <= MAX_GPUS`` (8192): the count is announced, not carried by the data, and the
  evaluator builds a G×G hop matrix (512 MB at the cap).
* ``layers · gpus · slots_per_gpu <= MAX_SOLUTION_SLOTS`` (5·10**7): every solution fills every
  slot of every layer, so this is the size of any solution.
* Finiteness: with Λ = Σ_{l,e} load[l, e] (max_load = Σ_l max_g load(g, l) <= Λ) and Θ the
  total traffic, ``max(Λ, per_token·Λ + max(intra_node, inter_node)·Θ)`` must be at most
  :data:`~schedkit.instances._fields.FLOAT_LIMIT` = 1e300 — a bound on both objectives of any
  solution (a mean hop cost never exceeds the largest hop cost).
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
    require_keys,
    require_mapping,
)
from ..base import Instance, json_number, json_numbers
from ..errors import InputError

__all__ = ["ExpertPlacement", "MAX_GPUS", "MAX_HISTORY", "MAX_SOLUTION_SLOTS"]

#: Most GPUs an instance may announce (see the module docstring).
MAX_GPUS = 8192
#: Most loads in a history (windows · layers · experts).
MAX_HISTORY = 5 * 10**7
#: Most slots over all layers (layers · gpus · slots_per_gpu), the size of every solution.
MAX_SOLUTION_SLOTS = 5 * 10**7


def _empty(value: Any) -> bool:
    """Whether an array-like holds no number at all (a ragged one is not empty)."""
    try:
        return bool(np.size(value) == 0)
    except ValueError:
        return False


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
    history
        float64 (T, L, E) or ``None``: a history of load windows (the evaluation protocol
        plans on window t and scores on window t+1; ``load`` is the window planned on).
    previous
        int64 (L, R) or ``None``: the plan now deployed, as EPLB's ``phy2log`` (physical slot j
        lives on GPU j // S and holds expert ``previous[l, j]``). Moving to a new plan changes
        S − |experts on g before ∩ experts on g after| slots of GPU g in each layer (a
        serving engine keeps an expert that stays on a GPU in its slot, as vLLM does).
    max_changed_slots, max_changed_layers
        Migration budget against ``previous`` (``None``: unlimited): at most this many changed
        slots over all layers, at most this many layers with a changed slot. A plan over
        budget is infeasible.
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
    history: Any = None
    previous: Any = None
    max_changed_slots: int | None = None
    max_changed_layers: int | None = None

    def _validate(self) -> None:
        G = as_int(self.gpus, "gpus", min_value=1, max_value=MAX_GPUS,
                   why=" (the size cap of expert placement)")
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
        if L * G * S > MAX_SOLUTION_SLOTS:
            raise InputError(f"layers*gpus*slots_per_gpu = {L}*{G}*{S} = {L * G * S} slots, "
                             f"every solution fills them all: must be <= "
                             f"{MAX_SOLUTION_SLOTS} (the size cap of expert placement)",
                             field="slots_per_gpu")
        for name, v in (("gpus", G), ("gpus_per_node", g), ("slots_per_gpu", S)):
            object.__setattr__(self, name, v)
        object.__setattr__(self, "load", load)
        if self.traffic is not None and not (L == 1 and _empty(self.traffic)):
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
        if self.history is not None:
            object.__setattr__(self, "history", float_array(
                self.history, "history", ndim=3, min_value=0.0, shape=(None, L, E)))
            if (self.history.shape[0] * L * E) > MAX_HISTORY:
                raise InputError(f"{self.history.shape[0]}*{L}*{E} loads: must be <= "
                                 f"{MAX_HISTORY} (the size cap of a load history)",
                                 field="history")
        self._validate_migration(L, E, G * S)
        if self.objective == "load_and_traffic" and self.traffic is None and L > 1:
            raise InputError("load_and_traffic needs a traffic array", field="traffic")
        self._check_finite()

    def _validate_migration(self, L: int, E: int, R: int) -> None:
        if self.previous is not None:
            object.__setattr__(self, "previous", int_array(
                self.previous, "migration.previous", ndim=2, min_value=0, max_value=E - 1,
                shape=(L, R)))
        for name, top in (("max_changed_slots", L * R), ("max_changed_layers", L)):
            value = getattr(self, name)
            if value is None:
                continue
            if self.previous is None:
                raise InputError("a migration budget needs the previous plan "
                                 "(migration.previous)", field=f"migration.{name}")
            object.__setattr__(self, name, min(as_int(value, f"migration.{name}", min_value=0),
                                               top))

    def _check_finite(self) -> None:
        """The finiteness cap of the module docstring, naming the largest contributor."""
        what = ("the largest possible objective (max(total load, per_token * total load + "
                "largest hop cost * total traffic))")
        load_total = float_total(self.load)
        traffic = 0.0 if self.traffic is None else float_total(self.traffic)
        hop = max(self.intra_node, self.inter_node) if self.gpus > 1 else 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            scaled, moved = self.per_token * load_total, hop * traffic
        total = max(load_total, float_total(scaled, moved))
        if total <= FLOAT_LIMIT:
            return
        if self.traffic is not None and not moved <= scaled and not moved <= load_total:
            if hop > traffic:
                name = "inter_node" if self.inter_node >= self.intra_node else "intra_node"
                check_float_total(total, f"cost.{name}", float(hop), what)
            idx = np.unravel_index(int(np.argmax(self.traffic)), self.traffic.shape)
            check_float_total(total, "traffic" + "".join(f"[{int(i)}]" for i in idx),
                              float(self.traffic[idx]), what)
        if self.per_token > load_total:
            check_float_total(total, "cost.per_token", float(self.per_token), what)
        layer, e = np.unravel_index(int(np.argmax(self.load)), self.load.shape)
        check_float_total(total, f"load[{int(layer)}][{int(e)}]", float(self.load[layer, e]),
                          what)

    def window(self, t: int, *, previous: Any = None, max_changed_slots: int | None = None,
               max_changed_layers: int | None = None) -> ExpertPlacement:
        """The instance that plans on window ``t`` of the history (no history of its own),
        optionally with a previous plan and a migration budget."""
        if self.history is None:
            raise InputError("the instance has no load history", field="history")
        T = self.history.shape[0]
        if not -T <= t < T:
            raise InputError(f"window {t} out of range: the history has {T} windows",
                             field="window")
        return ExpertPlacement(
            gpus=self.gpus, gpus_per_node=self.gpus_per_node, slots_per_gpu=self.slots_per_gpu,
            load=self.history[t], traffic=self.traffic, groups=self.groups,
            per_token=self.per_token, intra_node=self.intra_node, inter_node=self.inter_node,
            previous=previous, max_changed_slots=max_changed_slots,
            max_changed_layers=max_changed_layers, name=f"{self.name}@w{t % T}",
            objective=self.objective, meta={**self.meta, "window": t % T})

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
            **({} if self.history is None else {"history": json_numbers(self.history)}),
            "cost": {"per_token": self.per_token, "intra_node": self.intra_node,
                     "inter_node": self.inter_node},
            **({} if self.previous is None else {"migration": {
                "previous": self.previous.tolist(),
                "max_changed_slots": self.max_changed_slots,
                "max_changed_layers": self.max_changed_layers}}),
        }

    @classmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        require_keys(data, "", ("gpus", "gpus_per_node", "slots_per_gpu", "load"),
                     ("traffic", "groups", "cost", "migration", "history"))
        migration = require_mapping(data.get("migration") or {}, "migration")
        require_keys(migration, "migration", (),
                     ("previous", "max_changed_slots", "max_changed_layers"))
        cost = data.get("cost") or {}
        cost = require_mapping(cost, "cost")
        require_keys(cost, "cost", (), ("per_token", "intra_node", "inter_node"))
        kw = {k: data.get(k) for k in ("gpus", "gpus_per_node", "slots_per_gpu", "load",
                                       "traffic", "groups", "history")}
        kw.update({k: cost[k] for k in ("per_token", "intra_node", "inter_node") if k in cost})
        kw.update({k: migration[k] for k in ("previous", "max_changed_slots", "max_changed_layers")
                   if migration.get(k) is not None})
        return kw
