"""CP-SAT model of expert placement (builds only; the adapter solves).

**Even split** (DeepSeek EPLB's model: an expert's load splits evenly over its replicas), per
layer l of the model:

* y[e, k] ∈ {0, 1}: expert e has k replicas, Σ_k y[e, k] = 1, k ∈ K_e ⊆ [1, min(G, R−E+1)]
  (:func:`~.common.count_choices`: counts that would make one replica heavier than a known
  plan's largest GPU load are left out);
* z[e, g, k] ∈ {0, 1}: GPU g holds a replica of e and e has k replicas (the product
  x[e, g]·y[e, k] of the textbook model, disaggregated): Σ_k z[e, g, k] <= 1 (at most one
  replica per GPU), Σ_g z[e, g, k] = k·y[e, k] (so x[e, g] = Σ_k z[e, g, k] and r_e = Σ_g x);
* Σ_{e,k} z[e, g, k] = S on every GPU; Σ_e r_e = R (redundant);
* load(g) = Σ_{e,k} c[e, k]·z[e, g, k] <= M_l with the integer replica weights
  c[e, k] = w_e·D / k; minimise Σ_l M_l;
* redundant: Σ_g load(g) = Σ_{e,k} c[e, k]·k·y[e, k] and Σ_k c[e, k]·y[e, k] <= M_l (no
  replica outweighs the heaviest GPU).

**Integer scaling**: D = 10**d · lcm(counts), where 10**d (d <= 6) makes every load an
integer and the LCM makes every w_e / k one; M_l / D is then exactly the evaluator's
largest GPU load (up to float rounding). When D would take the objective past 2**50 the
loads are scaled by a power of two and rounded down instead (:class:`~.common.Scale`): the
bound stays valid, the optimum proves nothing (``exact`` is false).

**Free split** (``split="free"``, tokens split freely over an expert's replicas as in SGLang's
and LPLB's balancers): x[e, g] ∈ {0, 1}, 1 <= Σ_g x[e, g] <= min(G, R−E+1), integer shares
0 <= f[e, g] <= W_e·x[e, g] with Σ_g f[e, g] = W_e, load(g) = Σ_e f[e, g]. With
D = 10**d·lcm(1..G) the integer optimum equals the continuous one times D (for a fixed
placement the optimum is a subset's load over its number of GPUs — Hall's condition — and the
flow polytope is integral), so the model's bound is a bound of the even split.

**Hierarchical** (EPLB's hierarchical policy): a[q, n] ∈ {0, 1} puts group q on node n,
Σ_n a[q, n] = 1, Σ_q a[q, n] = groups / nodes, and z[e, g, k] ⇒ a[group(e), node(g)].

**Symmetry** (optional, :func:`~.common.symmetry_mode`): GPU loads non-increasing over the
GPUs of each layer (of each node, and nodes by their first GPU, when hierarchical or when the
traffic objective ties the layers; then in the first layer only). The hint is permuted to
match. Off by default: CP-SAT's presolve detects the GPU symmetry (orbitopes) on its own.

**Migration** against the previous plan (``inst.previous``): the slots GPU g keeps are the
experts it held before and holds again, changed(l) = G·S − Σ_{(e, g) ∈ old(l)} x[e, g]
(the evaluator's :func:`~schedkit.instances.expert_placement.evaluate.changed_slots`);
Σ_l changed(l) <= max_changed_slots; t_l ∈ {0, 1} marks a touched layer,
¬t_l ⇒ changed(l) = 0, Σ_l t_l <= max_changed_layers. Both couple the layers, so the adapter
then builds one model of all layers. :func:`minimise_moves` turns a solved model into the
second phase: fewest changed slots among the plans at most as bad.

**Traffic** (``load_and_traffic``, R = E, one replica per expert; the integer linear models of
MoETuner, Go & Mahajan, arXiv:2502.06643, 2025, and ExFlow, Yao et al., arXiv:2401.08383,
2024): for each pair (e in layer l, e' in layer l+1) with traffic T > 0, sG ⇔ same GPU and
sN ⇔ same node (node literals n[l, e, ν] = Σ_{g ∈ ν} x[l, e, g]) and the hop cost
T·(inter·(1 − sN) + intra·(sN − sG)). sG = Σ_g p[e, e', g] with product literals
p = x[l, e, g] ∧ x[l+1, e', g] for every pair (not only those with traffic) and the RLT
equalities Σ_{e'} p[e, e', g] = S·x[l, e, g], Σ_e p[e, e', g] = S·x[l+1, e', g] (Adams and
Johnson's linearisation of the quadratic assignment problem: on a 16-expert, 4-GPU, 4-layer
instance it lifted CP-SAT's bound after 60 s from 9 092 to 31 470, the incumbent being
51 655 — still far from a proof at that size; 8 experts on 4 GPUs over 2 layers close);
likewise sN over the nodes, and Σ_{g ∈ ν} p[e, e', g] <= q[e, e', ν]. Objective
per_token·Σ_l M_l + Σ pairs, scaled by D·Q with 10**q making per_token and every T·cost
integral (rounded down otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instances import ExpertPlacement
from ..deadline import Deadline
from .common import (
    SCALE_CAP,
    Geometry,
    Scale,
    chosen_layers,
    count_choices,
    decimal_scale,
    geometry,
    layer_lower_bounds,
    load_scale,
    old_sets,
    symmetry_mode,
)

__all__ = ["PlacementCpSat", "build_cpsat", "hint_cpsat", "minimise_moves"]


@dataclass
class PlacementCpSat:
    """A built CP-SAT placement model and what reads its answer back.

    ``cells[i][e][g]``: the literals whose sum is x[e, g] in model layer ``layers[i]`` (one
    per replica count; one literal under the free split). ``peak[i]``: M of that layer, in
    units of 1 / ``scale.factor``. The model's objective divided by ``objective_factor`` is
    the real objective (a lower bound of it unless ``exact``).
    """

    model: Any
    layers: list[int]
    geo: Geometry
    split: str
    cells: list[list[list[list[Any]]]]
    counts: list[list[list[int]]]
    peak: list[Any]
    scale: Scale
    objective: Any
    objective_factor: float
    exact: bool
    symmetry: str
    moves: Any | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    ys: list[Any] = field(default_factory=list)

    def read(self, value: Callable[[Any], int]) -> np.ndarray:
        """bool (len(layers), E, G): the plan in the solved values (``solver.value``)."""
        out = np.zeros((len(self.layers), self.geo.E, self.geo.G), dtype=bool)
        for i, layer in enumerate(self.cells):
            for e, row in enumerate(layer):
                for g, lits in enumerate(row):
                    out[i, e, g] = any(value(v) for v in lits)
        return out

    def real_bound(self, bound: float | None) -> float | None:
        """The solver's bound on the scaled objective as a bound on the real objective."""
        if bound is None or not math.isfinite(bound):
            return None
        slack = 0.0 if self.exact or self.split == "even" else 1.0 * len(self.layers)
        # Integer model: its optimum is at least ceil(bound).
        return max(0.0, (math.ceil(bound - 1e-6) - slack) / self.objective_factor)


def _layer_loads(w: np.ndarray, onto: np.ndarray, scale: Scale) -> np.ndarray:
    """Integer GPU loads of one plan layer (E, G) under the model's scaling."""
    counts = onto.sum(axis=1)
    out = np.zeros(onto.shape[1], dtype=object)
    for e, g in zip(*np.nonzero(onto), strict=True):
        out[g] += scale.coef(float(w[e]), int(counts[e]))
    return out


def _symmetry_order(loads: np.ndarray, geo: Geometry, by_node: bool) -> np.ndarray:
    """A GPU permutation ``perm`` such that the loads ``loads[perm]`` meet the symmetry
    constraints: non-increasing overall, or inside each node and nodes by their first GPU."""
    keyed = [int(v) for v in loads]
    if not by_node:
        return np.array(sorted(range(geo.G), key=lambda g: -keyed[g]), dtype=np.int64)
    g_n = geo.per_node
    inside = [sorted(range(n * g_n, (n + 1) * g_n), key=lambda g: -keyed[g])
              for n in range(geo.nodes)]
    inside.sort(key=lambda gpus: -keyed[gpus[0]])
    return np.array([g for gpus in inside for g in gpus], dtype=np.int64)


def canonical_hint(inst: ExpertPlacement, built: PlacementCpSat,
                   hint: np.ndarray) -> np.ndarray:
    """The hint (len(layers), E, G) with its GPUs permuted to meet the symmetry constraints
    (the permuted plan is as good: the constraints only cut symmetric copies)."""
    out = hint.copy()
    if built.symmetry == "none":
        return out
    by_node = built.geo.hierarchical or built.symmetry == "first"
    for i, layer in enumerate(built.layers):
        if built.symmetry == "first" and i > 0:
            break
        perm = _symmetry_order(_layer_loads(inst.load[layer], hint[i], built.scale),
                               built.geo, by_node)
        if built.symmetry == "first":
            out = hint[:, :, perm]
        else:
            out[i] = hint[i][:, perm]
    return out


def _even_layer(model: Any, w: np.ndarray, choices: list[list[int]], geo: Geometry,
                scale: Scale, name: str, deadline: Deadline
                ) -> tuple[list[list[list[Any]]], list[Any], list[dict[int, Any]]]:
    """Variables and per-expert constraints of one even-split layer: cells, GPU load
    expressions, and y[e][k]."""
    E, G = geo.E, geo.G
    cells: list[list[list[Any]]] = [[[] for _ in range(G)] for _ in range(E)]
    loads: list[list[tuple[Any, int]]] = [[] for _ in range(G)]
    ys: list[dict[int, Any]] = []
    for e in range(E):
        y = {k: model.new_bool_var(f"{name}y{e}_{k}") for k in choices[e]}
        model.add_exactly_one(y.values())
        ys.append(y)
        for k, yk in y.items():
            deadline.tick()
            c = scale.coef(float(w[e]), k)
            zs = []
            for g in range(G):
                z = model.new_bool_var(f"{name}z{e}_{g}_{k}")
                zs.append(z)
                cells[e][g].append(z)
                loads[g].append((z, c))
            model.add(sum(zs) == k * yk)
        for g in range(G):
            if len(cells[e][g]) > 1:
                model.add_at_most_one(cells[e][g])
    exprs = [sum(c * z for z, c in terms) for terms in loads]
    model.add(sum(k * yk for y in ys for k, yk in y.items()) == geo.R)
    # Redundant: the GPU loads add up to the layer's load (exactly so when the scaling is).
    model.add(sum(exprs) == sum(scale.coef(float(w[e]), k) * k * yk
                                for e, y in enumerate(ys) for k, yk in y.items()))
    return cells, exprs, ys


def _free_layer(model: Any, w: np.ndarray, geo: Geometry, scale: Scale, name: str,
                deadline: Deadline) -> tuple[list[list[list[Any]]], list[Any], list[list[Any]]]:
    """Variables and per-expert constraints of one free-split layer: cells, GPU load
    expressions, and the shares f[e][g]."""
    E, G = geo.E, geo.G
    cells: list[list[list[Any]]] = []
    shares: list[list[Any]] = []
    top = geo.max_count
    for e in range(E):
        W = scale.coef(float(w[e]), 1)
        row, fs = [], []
        for g in range(G):
            deadline.tick()
            x = model.new_bool_var(f"{name}x{e}_{g}")
            f = model.new_int_var(0, W, f"{name}f{e}_{g}")
            model.add(f <= W * x)
            row.append([x])
            fs.append(f)
        model.add(sum(fs) == W)
        xs = [c[0] for c in row]
        model.add_linear_constraint(sum(xs), 1, top)
        cells.append(row)
        shares.append(fs)
    exprs = [sum(shares[e][g] for e in range(E)) for g in range(G)]
    return cells, exprs, shares


def _hierarchy(model: Any, cells: list[list[list[Any]]], geo: Geometry, name: str) -> list:
    """Group-to-node literals a[q][n] and the constraints that keep each group on its node."""
    assert geo.group_of is not None
    a = [[model.new_bool_var(f"{name}a{q}_{n}") for n in range(geo.nodes)]
         for q in range(geo.n_groups)]
    for q in range(geo.n_groups):
        model.add_exactly_one(a[q])
    for n in range(geo.nodes):
        model.add(sum(a[q][n] for q in range(geo.n_groups)) == geo.n_groups // geo.nodes)
    node = geo.node_of
    for e, row in enumerate(cells):
        q = int(geo.group_of[e])
        for g, lits in enumerate(row):
            for lit in lits:
                model.add_implication(lit, a[q][int(node[g])])
    return a


def _symmetry(model: Any, exprs: list[Any], geo: Geometry, by_node: bool) -> None:
    if not by_node:
        for g in range(geo.G - 1):
            model.add(exprs[g] >= exprs[g + 1])
        return
    g_n = geo.per_node
    for n in range(geo.nodes):
        for g in range(n * g_n, (n + 1) * g_n - 1):
            model.add(exprs[g] >= exprs[g + 1])
        if n + 1 < geo.nodes:
            model.add(exprs[n * g_n] >= exprs[(n + 1) * g_n])


def _migration(model: Any, inst: ExpertPlacement, layers: list[int],
               cells: list[list[list[list[Any]]]], geo: Geometry) -> Any | None:
    """The budget constraints against the previous plan; returns Σ changed slots."""
    old = old_sets(inst)
    if old is None:
        return None
    full = geo.G * geo.S
    kept = [sum(lit for e, g in zip(*np.nonzero(old[layer]), strict=True)
                for lit in cells[i][e][g]) for i, layer in enumerate(layers)]
    if inst.max_changed_slots is not None:
        model.add(sum(full - k for k in kept) <= inst.max_changed_slots)
    if inst.max_changed_layers is not None:
        touched = []
        for i, k in enumerate(kept):
            t = model.new_bool_var(f"touched{layers[i]}")
            model.add(k == full).only_enforce_if(~t)
            touched.append(t)
        model.add(sum(touched) <= inst.max_changed_layers)
    return sum(full - k for k in kept)


def _traffic_scale(inst: ExpertPlacement, scale: Scale, upper_total: float) -> tuple[float, bool]:
    """Q such that per_token·Q and every T·cost·Q are integers (``exact``) and the scaled
    objective stays under the cap; else a power of ten small enough, rounding down."""
    T = inst.traffic
    vals = [inst.per_token]
    if T is not None:
        nz = T[T > 0]
        vals += [*(nz * inst.intra_node).tolist(), *(nz * inst.inter_node).tolist()]
    dec = decimal_scale(np.array(vals))
    q = float(dec) if dec is not None else 1e6
    exact = dec is not None and scale.exact
    while q * scale.factor * max(upper_total, 1.0) > SCALE_CAP and q > 1e-12:
        q /= 10.0
        exact = False
    return q, exact


def _products(model: Any, a: list[Any], b: list[Any], size: int,
              name: str) -> list[list[list[Any]]]:
    """Literals p[e][e2][j] = a[e][j] ∧ b[e2][j] over the columns j (GPUs or nodes) with
    the RLT equalities Σ_e2 p[e][e2][j] = size·a[e][j] and Σ_e p[e][e2][j] = size·b[e2][j]
    (each column holds ``size`` experts in both layers), which make the products exact
    from above and tighten the linear relaxation."""
    E, J = len(a), len(a[0])
    p = [[[model.new_bool_var(f"{name}{e}_{e2}_{j}") for j in range(J)] for e2 in range(E)]
         for e in range(E)]
    for e in range(E):
        for e2 in range(E):
            for j in range(J):
                model.add_implication(p[e][e2][j], a[e][j])
                model.add_implication(p[e][e2][j], b[e2][j])
    for j in range(J):
        for e in range(E):
            model.add(sum(p[e][e2][j] for e2 in range(E)) == size * a[e][j])
            model.add(sum(p[e2][e][j] for e2 in range(E)) == size * b[e][j])
    return p


def _traffic(model: Any, inst: ExpertPlacement, cells: list[list[list[list[Any]]]],
             geo: Geometry, factor: float, deadline: Deadline) -> tuple[Any, int]:
    """The hop-cost terms (scaled by ``factor``, rounded down) and the number of pairs with
    traffic."""
    node = geo.node_of
    L = len(cells)
    x = [[[lits[0] for lits in row] for row in layer] for layer in cells]
    xn = []
    for i in range(L):
        layer_n = []
        for e in range(geo.E):
            lits = []
            for n in range(geo.nodes):
                v = model.new_bool_var(f"n{i}_{e}_{n}")
                model.add(v == sum(x[i][e][g] for g in range(geo.G) if node[g] == n))
                lits.append(v)
            layer_n.append(lits)
        xn.append(layer_n)
    terms = []
    pairs = 0
    for i in range(L - 1):
        deadline.check()
        same_gpu = _products(model, x[i], x[i + 1], geo.S, f"w{i}_")
        same_node = _products(model, xn[i], xn[i + 1], geo.S * geo.per_node, f"v{i}_")
        for e in range(geo.E):
            for e2 in range(geo.E):
                for n in range(geo.nodes):
                    # Same GPU implies same node.
                    model.add(sum(same_gpu[e][e2][g] for g in range(geo.G) if node[g] == n)
                              <= same_node[e][e2][n])
        for e, e2 in zip(*np.nonzero(inst.traffic[i]), strict=True):
            deadline.tick()
            t = float(inst.traffic[i, e, e2])
            sg = sum(same_gpu[e][e2])
            sn = sum(same_node[e][e2])
            c_inter = math.floor(t * inst.inter_node * factor + 1e-9)
            c_intra = math.floor(t * inst.intra_node * factor + 1e-9)
            # inter·(1 − sN) + intra·(sN − sG)
            terms.append(c_inter + (c_intra - c_inter) * sn - c_intra * sg)
            pairs += 1
    return sum(terms), pairs


def build_cpsat(inst: ExpertPlacement, layers: Sequence[int] | None = None, *,
                split: str = "even", hierarchical: bool = False,
                upper: Sequence[float] | None = None, symmetry_breaking: bool = False,
                deadline: Deadline | None = None) -> PlacementCpSat:
    """Build the CP-SAT model of the module docstring for some layers of ``inst``.

    Parameters
    ----------
    inst
        The instance. ``load_and_traffic`` needs R = E (one replica per expert) and all
        layers in one model.
    layers
        The layers of this model (default all). Layers are independent for ``max_load``
        without a migration budget; a budget or the traffic objective needs all of them.
    split
        ``even`` (the evaluator's model) or ``free`` (a relaxation: its bound bounds the even
        split).
    hierarchical
        Every expert group on one node, groups even over the nodes.
    upper
        Per model layer, an upper bound on its largest GPU load in some optimal plan (a
        feasible plan's value, see the adapter): caps M_l and drops replica counts that
        could not beat it.
    symmetry_breaking
        Sort the GPU loads (see the module docstring). Off by default: CP-SAT's presolve
        finds the GPU orbitopes itself, and the sorted loads slowed the proofs on the EPLB
        README example fifty-fold (0.13 s against 6.7 s to refute a maximum of 135).
    deadline
        Raise :class:`~schedkit.formulations.deadline.OutOfTime` past it.
    """
    from ortools.sat.python import cp_model

    chosen, traffic = chosen_layers(inst, split, layers)
    geo = geometry(inst, hierarchical)
    deadline = deadline or Deadline()
    free = split == "free"
    lbs = layer_lower_bounds(inst, split)
    sub = inst.load[chosen]
    choices = [count_choices(inst.load[layer], geo, None if upper is None else upper[i], split)
               for i, layer in enumerate(chosen)]
    counts_used = sorted({k for layer in choices for ks in layer for k in ks}) if not free \
        else list(range(1, geo.G + 1))
    scale = load_scale(sub, counts_used, float(sub.sum()))
    model = cp_model.CpModel()
    symmetry = symmetry_mode(inst, chosen) if symmetry_breaking else "none"
    cells_all: list[Any] = []
    peaks: list[Any] = []
    ys_all: list[Any] = []
    for i, layer in enumerate(chosen):
        w = inst.load[layer]
        name = f"l{layer}_"
        if free:
            cells, exprs, _ = _free_layer(model, w, geo, scale, name, deadline)
            ys_all.append(None)
        else:
            cells, exprs, ys = _even_layer(model, w, choices[i], geo, scale, name, deadline)
            ys_all.append(ys)
        for g in range(geo.G):
            model.add(sum(lit for row in cells for lit in row[g]) == geo.S)
        if geo.hierarchical:
            _hierarchy(model, cells, geo, name)
        total = sum(scale.coef(float(we), 1) for we in w)
        lo = math.ceil(lbs[layer] * scale.factor - 1e-6) if scale.exact else 0
        hi = total
        if upper is not None:
            hi = min(hi, math.ceil(upper[i] * scale.factor + 1e-6) + 1)
        lo = min(lo, hi)
        m = model.new_int_var(lo, hi, f"M{layer}")
        for expr in exprs:
            model.add(expr <= m)
        if not free:
            # Redundant: no replica outweighs the heaviest GPU (prunes counts as M falls).
            for e, y in enumerate(ys_all[-1]):
                model.add(sum(scale.coef(float(w[e]), k) * yk for k, yk in y.items()) <= m)
        if symmetry == "layer" or (symmetry == "first" and i == 0):
            _symmetry(model, exprs, geo, geo.hierarchical or symmetry == "first")
        cells_all.append(cells)
        peaks.append(m)
    moves = _migration(model, inst, chosen, cells_all, geo)
    stats: dict[str, Any] = {"model_layers": len(chosen), "load_scale": scale.factor,
                             "symmetry": symmetry}
    if traffic:
        upper_total = inst.per_token * float(sub.sum()) + (
            float(inst.traffic.sum()) * max(inst.inter_node, inst.intra_node)
            if inst.traffic is not None else 0.0)
        q, exact = _traffic_scale(inst, scale, upper_total)
        factor = q * scale.factor
        a = math.floor(inst.per_token * q + 1e-9)
        hops, pairs = (0, 0) if inst.traffic is None else \
            _traffic(model, inst, cells_all, geo, factor, deadline)
        objective = a * sum(peaks) + hops
        stats["traffic_pairs"] = pairs
    else:
        factor, exact = float(scale.factor), scale.exact
        objective = sum(peaks)
    model.minimize(objective)
    deadline.check()
    counts = [[list(ks) for ks in layer] for layer in choices]
    stats["exact_scaling"] = exact
    stats["variables"] = len(model.proto.variables)
    stats["constraints"] = len(model.proto.constraints)
    return PlacementCpSat(model, chosen, geo, split, cells_all, counts, peaks, scale,
                          objective, factor, exact, symmetry, moves, stats, ys_all)


def hint_cpsat(inst: ExpertPlacement, built: PlacementCpSat, hint: np.ndarray) -> np.ndarray:
    """Hint a feasible plan (len(layers), E, G), permuted to meet the symmetry constraints
    (:func:`canonical_hint`); returns the permuted plan."""
    plan = canonical_hint(inst, built, hint)
    model = built.model
    model.clear_hints()
    ys = built.ys
    for i, layer in enumerate(built.layers):
        onto = plan[i]
        cnt = onto.sum(axis=1)
        loads = _layer_loads(inst.load[layer], onto, built.scale)
        for e in range(built.geo.E):
            ks = built.counts[i][e] if built.split == "even" else [1]
            if built.split == "even" and int(cnt[e]) not in ks:
                continue
            for g in range(built.geo.G):
                lits = built.cells[i][e][g]
                for k, lit in zip(ks, lits, strict=True):
                    model.add_hint(lit, bool(onto[e, g]) and
                                   (built.split == "free" or k == int(cnt[e])))
            if ys[i] is not None:
                for k, yk in ys[i][e].items():
                    model.add_hint(yk, k == int(cnt[e]))
        if built.split == "even":
            model.add_hint(built.peak[i], int(max(loads)))
    return plan


def minimise_moves(built: PlacementCpSat, objective_value: int) -> None:
    """Second phase: keep the objective at most ``objective_value`` (scaled, as the solver
    reported it) and minimise the changed slots against the previous plan."""
    if built.moves is None:
        raise ValueError("the model has no previous plan")
    built.model.add(built.objective <= int(objective_value))
    built.model.minimize(built.moves)
