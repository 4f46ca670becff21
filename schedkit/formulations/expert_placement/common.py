"""What the exact expert-placement models share: the geometry (hierarchical groups and nodes),
the replica counts an expert may take, plans as boolean arrays, integer scaling for CP-SAT and
the per-layer bounds that shrink the models.

A *plan* here is a boolean array ``onto`` of shape (L, E, G): ``onto[l, e, g]`` says that GPU g
holds a replica of expert e in layer l (at most one per GPU, so this is the whole placement;
an expert's replica count is ``onto[l, e].sum()``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...instances import ExpertPlacement, InputError
from ...instances.expert_placement.evaluate import replica_lower_bound

__all__ = ["Geometry", "geometry", "count_choices", "plan_array", "plan_replicas", "old_sets",
           "layer_lower_bounds", "hierarchical_ok", "hierarchical_round_robin", "decimal_scale",
           "Scale", "load_scale", "SCALE_CAP", "symmetry_mode"]

#: Largest scaled objective an integer model may reach: 2**50 keeps every scaled value an exact
#: float64 (the reported objective is the integer optimum divided by the scale) and far from
#: CP-SAT's int64 limits.
SCALE_CAP = 2**50


@dataclass(frozen=True)
class Geometry:
    """Sizes of one layer, and the groups and nodes of the hierarchical constraint.

    ``group_of[e]`` is expert e's group and ``n_groups`` their number (``None`` without the
    hierarchical constraint); ``node_of[g]`` is GPU g's node.
    """

    E: int
    G: int
    S: int
    per_node: int
    nodes: int
    hierarchical: bool
    group_of: np.ndarray | None
    n_groups: int

    @property
    def R(self) -> int:
        return self.G * self.S

    @property
    def node_of(self) -> np.ndarray:
        return np.arange(self.G) // self.per_node

    @property
    def max_count(self) -> int:
        """Most replicas any expert can get: one per GPU (of its node when hierarchical), and
        every other expert (of the node) keeps one slot."""
        if not self.hierarchical:
            return min(self.G, self.R - self.E + 1)
        experts_per_node = self.E // self.nodes
        return min(self.per_node, self.per_node * self.S - experts_per_node + 1)


def chosen_layers(inst: ExpertPlacement, split: str, layers: Sequence[int] | None
                  ) -> tuple[list[int], bool]:
    """The layers a model covers and whether it has the traffic objective, after the checks
    both models make: ``split`` is even or free; the traffic model needs one replica per
    expert and all layers in one model."""
    if split not in ("even", "free"):
        raise InputError(f"must be even or free, got {split!r}", field="option split")
    chosen = list(range(inst.n_layers)) if layers is None else [int(v) for v in layers]
    traffic = inst.objective == "load_and_traffic"
    if traffic and inst.slots != inst.n_experts:
        raise InputError(f"the exact traffic model needs one replica per expert (R = "
                         f"{inst.slots} slots = E = {inst.n_experts} experts)",
                         field="slots_per_gpu")
    if traffic and len(chosen) != inst.n_layers and inst.n_layers > 1:
        raise ValueError("the traffic objective needs all layers in one model")
    return chosen, traffic


def geometry(inst: ExpertPlacement, hierarchical: bool) -> Geometry:
    """The geometry of ``inst``; InputError when the hierarchical constraint cannot hold.

    Hierarchical (DeepSeek EPLB's hierarchical policy): the ``groups`` (group SIZE) of
    consecutive experts form E / size groups; every group lives on one node (all replicas of
    its experts on that node's GPUs) and every node gets the same number of groups.
    """
    E, G, S, g = inst.n_experts, inst.gpus, inst.slots_per_gpu, inst.gpus_per_node
    nodes = G // g
    if not hierarchical:
        return Geometry(E, G, S, g, nodes, False, None, 1)
    if inst.groups is None:
        raise InputError("the hierarchical option needs the instance's expert groups",
                         field="groups")
    n_groups = E // inst.groups
    if n_groups % nodes:
        raise InputError(f"hierarchical: {n_groups} expert groups (size {inst.groups}) do not "
                         f"divide evenly over {nodes} nodes", field="groups")
    per_node = E // nodes
    if not S <= per_node <= g * S:
        raise InputError(f"hierarchical: a node holds {per_node} experts in {g * S} slots of "
                         f"{S} per GPU; needs slots_per_gpu <= {per_node} <= "
                         f"gpus_per_node * slots_per_gpu", field="groups")
    group_of = np.arange(E) // inst.groups
    return Geometry(E, G, S, g, nodes, True, group_of, n_groups)


def symmetry_mode(inst: ExpertPlacement, layers: Sequence[int]) -> str:
    """Which GPU symmetry a model may break.

    ``layer``: every layer on its own (max_load without a previous plan): all GPUs are
    interchangeable (within nodes and nodes as blocks when hierarchical), in each layer
    separately. ``first``: the traffic objective ties consecutive layers, so only a
    permutation applied to every layer at once keeps the objective: broken in the first layer
    by permutations inside nodes and of whole nodes. ``none``: a previous plan fixes the
    identity of every GPU.
    """
    if inst.previous is not None:
        return "none"
    if inst.objective == "load_and_traffic" and len(layers) > 1:
        return "first"
    return "layer"


def layer_lower_bounds(inst: ExpertPlacement, split: str) -> np.ndarray:
    """float64 (L,): a lower bound on the largest GPU load of every layer.

    Even split: max(Σw/G, the min-max replica load of the best apportionment,
    :func:`~schedkit.instances.expert_placement.evaluate.replica_lower_bound`). Free split:
    max(Σw/G, max_e w_e / (most replicas)) — the replica bound assumes even shares.
    """
    G = inst.gpus
    out = np.empty(inst.n_layers)
    for layer, w in enumerate(inst.load):
        mean = float(w.sum()) / G
        if split == "even":
            out[layer] = max(mean, replica_lower_bound(w, inst.slots, G))
        else:
            out[layer] = max(mean, float(w.max()) / min(G, inst.slots - inst.n_experts + 1))
    return out


def count_choices(w: np.ndarray, geo: Geometry, upper: float | None,
                  split: str) -> list[list[int]]:
    """The replica counts each expert of a layer (loads ``w``) may take in the model.

    At most :attr:`Geometry.max_count`. Even split with ``upper`` (the largest GPU load of a
    feasible plan, or an upper bound on the layer's maximum in some optimal plan): a replica
    carries w_e / r_e and sits on some GPU, so r_e >= w_e / upper in every plan at least as
    good; counts below are dropped.
    """
    top = geo.max_count
    out = []
    for we in np.asarray(w, dtype=np.float64).tolist():
        lo = 1
        if split == "even" and upper is not None and upper > 0 and we > 0:
            # A hair of slack for float error; a count kept too many costs nothing.
            lo = max(1, math.ceil(we / upper * (1 - 1e-12) - 1e-9))
        out.append(list(range(min(lo, top), top + 1)))
    return out


def plan_array(inst: ExpertPlacement, replicas: Any) -> np.ndarray:
    """bool (L, E, G) of a solution ``{"replicas": …}`` (duplicates on a GPU collapse)."""
    onto = np.zeros((inst.n_layers, inst.n_experts, inst.gpus), dtype=bool)
    for layer, row in enumerate(replicas["replicas"]):
        for e, gpus in enumerate(row):
            onto[layer, e, list(gpus)] = True
    return onto


def plan_replicas(onto: np.ndarray) -> dict[str, Any]:
    """The solution ``{"replicas": [[[gpu, …] per expert] per layer]}`` of a plan array."""
    return {"replicas": [[np.flatnonzero(row).tolist() for row in layer] for layer in onto]}


def old_sets(inst: ExpertPlacement) -> np.ndarray | None:
    """bool (L, E, G): the previous plan (``inst.previous``, EPLB's phy2log) as a plan array, or
    ``None`` without one."""
    if inst.previous is None:
        return None
    L, S = inst.n_layers, inst.slots_per_gpu
    old = np.zeros((L, inst.n_experts, inst.gpus), dtype=bool)
    gpu = np.arange(inst.slots) // S
    for layer in range(L):
        old[layer, inst.previous[layer], gpu] = True
    return old


def hierarchical_ok(geo: Geometry, onto: np.ndarray) -> bool:
    """Whether a plan array keeps every group on one node with the groups even over nodes."""
    if not geo.hierarchical:
        return True
    assert geo.group_of is not None
    node = geo.node_of
    for layer in onto:
        used = np.zeros((geo.n_groups, geo.nodes), dtype=bool)
        for e, g in zip(*np.nonzero(layer), strict=True):
            used[geo.group_of[e], node[g]] = True
        if (used.sum(axis=1) != 1).any() or \
                (used.sum(axis=0) != geo.n_groups // geo.nodes).any():
            return False
    return True


def hierarchical_round_robin(inst: ExpertPlacement, geo: Geometry) -> np.ndarray:
    """A feasible hierarchical plan: group q on node q // (groups per node), then round robin
    inside each node (slot i of the node holds its i mod m-th expert, m experts per node >= S,
    so no GPU gets an expert twice)."""
    onto = np.zeros((inst.n_layers, geo.E, geo.G), dtype=bool)
    m = geo.E // geo.nodes  # consecutive groups, so node n holds experts n*m … (n+1)*m - 1
    for n in range(geo.nodes):
        for i in range(geo.per_node * geo.S):
            onto[:, n * m + i % m, n * geo.per_node + i // geo.S] = True
    return onto


def decimal_scale(values: np.ndarray, max_digits: int = 6) -> int | None:
    """The smallest 10**d (d <= ``max_digits``) that makes every value an integer, else
    ``None``."""
    v = np.abs(np.asarray(values, dtype=np.float64).ravel())
    for d in range(max_digits + 1):
        f = 10.0**d
        scaled = v * f
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            return 10**d
    return None


@dataclass(frozen=True)
class Scale:
    """Integer loads of CP-SAT: a replica of expert e with k replicas weighs ``coef(w, k)``,
    and a scaled load divided by ``factor`` is the real one. ``exact``: the scaled loads are
    the real ones times ``factor`` exactly; otherwise they are rounded down (the model's
    bound stays valid, its optimum proves nothing)."""

    factor: int
    exact: bool
    decimals: int  # 10**d that makes the loads integral (exact case)

    def coef(self, w: float, k: int) -> int:
        if self.exact:
            return int(round(w * self.decimals)) * (self.factor // self.decimals // k)
        return int(math.floor(w * self.factor / k))


def load_scale(loads: np.ndarray, counts: Sequence[int], cap_total: float) -> Scale:
    """The integer scale of the loads: 10**d (integral loads) times the LCM of the replica
    counts, so w_e / k is an integer for every count k; exact when the scaled total stays
    under :data:`SCALE_CAP`. Else the largest power of two under the cap, rounding down."""
    dec = decimal_scale(loads)
    lcm = math.lcm(*counts) if counts else 1
    total = max(float(cap_total), 1.0)
    if dec is not None and dec * lcm * total <= SCALE_CAP:
        return Scale(dec * lcm, True, dec)
    return Scale(2 ** max(0, int(math.floor(math.log2(SCALE_CAP / total)))), False, 1)
