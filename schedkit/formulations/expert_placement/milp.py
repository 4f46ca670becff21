"""MILP of expert placement through PuLP (builds only; the adapter solves with CBC or HiGHS).

The same model as :mod:`.cpsat` in real numbers (no integer scaling), per layer l of the model:

* binaries x[e, g] (GPU g holds a replica of e) and y[e, k] (e has k replicas, k ∈ K_e,
  :func:`~.common.count_choices`), Σ_k y[e, k] = 1, Σ_g x[e, g] = Σ_k k·y[e, k],
  Σ_e x[e, g] = S, Σ_e r_e = R (redundant);
* the product x[e, g]·y[e, k] disaggregated into continuous z[e, g, k] ∈ [0, 1] with
  z <= y[e, k], Σ_k z[e, g, k] = x[e, g] and Σ_g z[e, g, k] = k·y[e, k]: with x and y binary
  z is exact, and the LP relaxation keeps Σ_g load(g) = Σ_e w_e;
* load(g) = Σ_{e,k} (w_e / k)·z[e, g, k] <= M_l, and w_e / r_e <= M_l (redundant); minimise
  Σ_l M_l.

Free split (``split="free"``): continuous shares 0 <= f[e, g] <= w_e·x[e, g],
Σ_g f[e, g] = w_e, 1 <= Σ_g x[e, g] <= min(G, R−E+1), load(g) = Σ_e f[e, g]: an LP-exact
relaxation of the even split (SGLang/LPLB's split), its bound bounds the even split.

Hierarchical: binaries a[q, n], Σ_n a[q, n] = 1, Σ_q a[q, n] = groups / nodes,
x[e, g] <= a[group(e), node(g)]. Symmetry (:func:`~.common.symmetry_mode`): the GPU loads
are sorted as in the CP-SAT model only when ``symmetry_breaking`` is asked for (on layer 0 of
the EPLB README example HiGHS ended 30 s at 136, bound 132, without it and at 146, bound 129,
with it).

This *assignment model* handles every option (free split, previous plan, budgets, traffic),
but its linear relaxation is weak (the bound stays near Σw/G) and the GPUs are
interchangeable. Where they are (even split, max_load, one layer), the adapter uses the
*pattern model* (:func:`build_pattern_milp`) instead: no GPU symmetry, one MILP per candidate
maximum in a bisection.

Migration: changed(l) = G·S − Σ_{(e, g) ∈ old(l)} x[e, g], Σ_l changed(l) <=
max_changed_slots; binaries t_l with G·S·t_l >= changed(l), Σ_l t_l <= max_changed_layers.

Traffic (``load_and_traffic``, R = E; MoETuner, arXiv:2502.06643, and ExFlow,
arXiv:2401.08383): for each pair (e, l; e', l+1) with traffic T > 0, continuous
sG, sN ∈ [0, 1] made exact by sG <= 1 − x[l, e, g] + x[l+1, e', g] and
sG >= x[l, e, g] + x[l+1, e', g] − 1 for every GPU g (likewise sN with the node sums
Σ_{g ∈ ν} x), sG <= sN; cost T·(inter·(1 − sN) + intra·(sN − sG)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instances import ExpertPlacement
from ..deadline import Deadline
from .common import (
    Geometry,
    chosen_layers,
    count_choices,
    geometry,
    layer_lower_bounds,
    old_sets,
    symmetry_mode,
)

__all__ = ["MAX_PATTERNS", "PatternMilp", "PlacementMilp", "build_milp", "build_pattern_milp",
           "enumerate_patterns", "hint_milp", "minimise_moves_milp"]


@dataclass
class PlacementMilp:
    """A built PuLP placement model: ``x[i][e][g]`` the binaries of model layer
    ``layers[i]``, ``peak[i]`` its M, ``objective`` the real objective (no scaling)."""

    problem: Any
    layers: list[int]
    geo: Geometry
    split: str
    x: list[list[list[Any]]]
    y: list[list[dict[int, Any]]]
    z: list[list[list[dict[int, Any]]]]
    peak: list[Any]
    objective: Any
    moves: Any | None = None
    hier: list[list[list[Any]]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def read(self) -> np.ndarray:
        """bool (len(layers), E, G): the plan in the solved values."""
        return np.array([[[(v.value() or 0.0) > 0.5 for v in row] for row in layer]
                         for layer in self.x], dtype=bool).reshape(
            len(self.layers), self.geo.E, self.geo.G)


def _even_layer(prob: Any, w: np.ndarray, choices: list[list[int]], geo: Geometry,
                x: list[list[Any]], name: str, deadline: Deadline
                ) -> tuple[list[Any], list[dict[int, Any]], list[list[dict[int, Any]]]]:
    import pulp

    E, G = geo.E, geo.G
    ys: list[dict[int, Any]] = []
    zs: list[list[dict[int, Any]]] = []
    terms: list[list[tuple[Any, float]]] = [[] for _ in range(G)]
    for e in range(E):
        y = {k: prob.add_variable(f"{name}y{e}_{k}", cat="Binary") for k in choices[e]}
        prob += pulp.lpSum(y.values()) == 1
        prob += pulp.lpSum(x[e]) == pulp.lpSum(k * yk for k, yk in y.items())
        row = []
        for g in range(G):
            deadline.tick()
            zg = {k: prob.add_variable(f"{name}z{e}_{g}_{k}", lowBound=0, upBound=1)
                  for k in choices[e]}
            for k, v in zg.items():
                prob += v <= y[k]
                terms[g].append((v, float(w[e]) / k))
            prob += pulp.lpSum(zg.values()) == x[e][g]
            row.append(zg)
        for k, yk in y.items():
            prob += pulp.lpSum(row[g][k] for g in range(G)) == k * yk
        ys.append(y)
        zs.append(row)
    prob += pulp.lpSum(k * yk for y in ys for k, yk in y.items()) == geo.R
    loads = [pulp.lpSum(c * v for v, c in t) for t in terms]
    return loads, ys, zs


def _free_layer(prob: Any, w: np.ndarray, geo: Geometry, x: list[list[Any]], name: str,
                deadline: Deadline) -> list[Any]:
    import pulp

    E, G = geo.E, geo.G
    f = [[prob.add_variable(f"{name}f{e}_{g}", lowBound=0) for g in range(G)] for e in range(E)]
    for e in range(E):
        deadline.tick()
        for g in range(G):
            prob += f[e][g] <= float(w[e]) * x[e][g]
        prob += pulp.lpSum(f[e]) == float(w[e])
        prob += pulp.lpSum(x[e]) >= 1
        prob += pulp.lpSum(x[e]) <= geo.max_count
    return [pulp.lpSum(f[e][g] for e in range(E)) for g in range(G)]


def _hierarchy(prob: Any, x: list[list[Any]], geo: Geometry, name: str) -> list[list[Any]]:
    import pulp

    assert geo.group_of is not None
    a = [[prob.add_variable(f"{name}a{q}_{n}", cat="Binary") for n in range(geo.nodes)]
         for q in range(geo.n_groups)]
    for q in range(geo.n_groups):
        prob += pulp.lpSum(a[q]) == 1
    for n in range(geo.nodes):
        prob += pulp.lpSum(a[q][n] for q in range(geo.n_groups)) == geo.n_groups // geo.nodes
    node = geo.node_of
    for e, row in enumerate(x):
        for g, v in enumerate(row):
            prob += v <= a[int(geo.group_of[e])][int(node[g])]
    return a


def _symmetry(prob: Any, loads: list[Any], geo: Geometry, by_node: bool) -> None:
    if not by_node:
        for g in range(geo.G - 1):
            prob += loads[g] >= loads[g + 1]
        return
    g_n = geo.per_node
    for n in range(geo.nodes):
        for g in range(n * g_n, (n + 1) * g_n - 1):
            prob += loads[g] >= loads[g + 1]
        if n + 1 < geo.nodes:
            prob += loads[n * g_n] >= loads[(n + 1) * g_n]


def _migration(prob: Any, inst: ExpertPlacement, layers: list[int], x: list[list[list[Any]]],
               geo: Geometry) -> Any | None:
    import pulp

    old = old_sets(inst)
    if old is None:
        return None
    full = geo.G * geo.S
    changed = [full - pulp.lpSum(x[i][e][g] for e, g in zip(*np.nonzero(old[layer]),
                                                             strict=True))
               for i, layer in enumerate(layers)]
    if inst.max_changed_slots is not None:
        prob += pulp.lpSum(changed) <= inst.max_changed_slots
    if inst.max_changed_layers is not None:
        touched = [prob.add_variable(f"touched{layer}", cat="Binary") for layer in layers]
        for c, t in zip(changed, touched, strict=True):
            prob += c <= full * t
        prob += pulp.lpSum(touched) <= inst.max_changed_layers
    return pulp.lpSum(changed)


def _products(prob: Any, a: list[list[Any]], b: list[list[Any]], size: int,
              name: str) -> list[list[list[Any]]]:
    """Continuous p[e][e2][j] = a[e][j]·b[e2][j] over the columns j (GPUs or nodes), exact
    from p <= a, p <= b and the RLT equalities Σ_e2 p[e][e2][j] = size·a[e][j],
    Σ_e p[e][e2][j] = size·b[e2][j] (each column holds ``size`` experts in both layers;
    Adams and Johnson's linearisation of the quadratic assignment problem)."""
    import pulp

    E, J = len(a), len(a[0])
    p = [[[prob.add_variable(f"{name}{e}_{e2}_{j}", lowBound=0, upBound=1) for j in range(J)]
          for e2 in range(E)] for e in range(E)]
    for e in range(E):
        for e2 in range(E):
            for j in range(J):
                prob += p[e][e2][j] <= a[e][j]
                prob += p[e][e2][j] <= b[e2][j]
    for j in range(J):
        for e in range(E):
            prob += pulp.lpSum(p[e][e2][j] for e2 in range(E)) == size * a[e][j]
            prob += pulp.lpSum(p[e2][e][j] for e2 in range(E)) == size * b[e][j]
    return p


def _traffic(prob: Any, inst: ExpertPlacement, x: list[list[list[Any]]], geo: Geometry,
             deadline: Deadline) -> tuple[Any, int]:
    import pulp

    node = geo.node_of
    xn = [[[pulp.lpSum(row[g] for g in range(geo.G) if node[g] == n) for n in range(geo.nodes)]
           for row in layer] for layer in x]
    terms = []
    pairs = 0
    for i in range(len(x) - 1):
        deadline.check()
        same_gpu = _products(prob, x[i], x[i + 1], geo.S, f"w{i}_")
        same_node = _products(prob, xn[i], xn[i + 1], geo.S * geo.per_node, f"v{i}_")
        for e in range(geo.E):
            for e2 in range(geo.E):
                for n in range(geo.nodes):
                    prob += pulp.lpSum(same_gpu[e][e2][g] for g in range(geo.G)
                                       if node[g] == n) <= same_node[e][e2][n]
        for e, e2 in zip(*np.nonzero(inst.traffic[i]), strict=True):
            deadline.tick()
            t = float(inst.traffic[i, e, e2])
            sg = pulp.lpSum(same_gpu[e][e2])
            sn = pulp.lpSum(same_node[e][e2])
            terms.append(t * inst.inter_node * (1 - sn) + t * inst.intra_node * (sn - sg))
            pairs += 1
    return pulp.lpSum(terms), pairs


def build_milp(inst: ExpertPlacement, layers: Sequence[int] | None = None, *,
               split: str = "even", hierarchical: bool = False,
               upper: Sequence[float] | None = None, symmetry_breaking: bool = False,
               deadline: Deadline | None = None) -> PlacementMilp:
    """Build the MILP of the module docstring for some layers of ``inst`` (parameters as
    :func:`~.cpsat.build_cpsat`; ``symmetry_breaking`` sorts the GPU loads)."""
    import pulp

    chosen, traffic = chosen_layers(inst, split, layers)
    geo = geometry(inst, hierarchical)
    deadline = deadline or Deadline()
    free = split == "free"
    lbs = layer_lower_bounds(inst, split)
    symmetry = symmetry_mode(inst, chosen) if symmetry_breaking else "none"
    prob = pulp.LpProblem("expert_placement", pulp.LpMinimize)
    xs: list[Any] = []
    ys_all: list[Any] = []
    zs_all: list[Any] = []
    peaks: list[Any] = []
    hier: list[Any] = []
    for i, layer in enumerate(chosen):
        w = inst.load[layer]
        name = f"l{layer}_"
        x = [[prob.add_variable(f"{name}x{e}_{g}", cat="Binary") for g in range(geo.G)]
             for e in range(geo.E)]
        hi = float(w.sum())
        if upper is not None:
            hi = min(hi, float(upper[i]) * (1 + 1e-9) + 1e-9)
        m = prob.add_variable(f"M{layer}", lowBound=min(float(lbs[layer]) * (1 - 1e-9), hi),
                              upBound=hi)
        if free:
            loads = _free_layer(prob, w, geo, x, name, deadline)
            ys_all.append([])
            zs_all.append([])
        else:
            choices = count_choices(w, geo, None if upper is None else upper[i], split)
            loads, ys, zs = _even_layer(prob, w, choices, geo, x, name, deadline)
            for e, y in enumerate(ys):
                prob += pulp.lpSum(float(w[e]) / k * yk for k, yk in y.items()) <= m
            ys_all.append(ys)
            zs_all.append(zs)
        for g in range(geo.G):
            prob += pulp.lpSum(x[e][g] for e in range(geo.E)) == geo.S
            prob += loads[g] <= m
        if geo.hierarchical:
            hier.append(_hierarchy(prob, x, geo, name))
        if symmetry == "layer" or (symmetry == "first" and i == 0):
            _symmetry(prob, loads, geo, geo.hierarchical or symmetry == "first")
        xs.append(x)
        peaks.append(m)
    moves = _migration(prob, inst, chosen, xs, geo)
    stats: dict[str, Any] = {"model_layers": len(chosen), "symmetry": symmetry}
    if traffic:
        hops, pairs = (0, 0) if inst.traffic is None else \
            _traffic(prob, inst, xs, geo, deadline)
        objective = inst.per_token * pulp.lpSum(peaks) + hops
        stats["traffic_pairs"] = pairs
    else:
        objective = pulp.lpSum(peaks)
    prob.setObjective(objective)
    deadline.check()
    return PlacementMilp(prob, chosen, geo, split, xs, ys_all, zs_all, peaks, objective, moves,
                         hier, stats)


def hint_milp(inst: ExpertPlacement, built: PlacementMilp, hint: np.ndarray) -> None:
    """Set a feasible plan (len(layers), E, G) as the variables' initial values (CBC's MIP
    start; HiGHS through PuLP ignores them)."""
    node = built.geo.node_of
    for i, layer in enumerate(built.layers):
        onto = hint[i]
        cnt = onto.sum(axis=1)
        w = inst.load[layer]
        loads = np.zeros(built.geo.G)
        for e in range(built.geo.E):
            for g in range(built.geo.G):
                built.x[i][e][g].setInitialValue(int(onto[e, g]))
            if onto[e].any():
                loads[onto[e]] += w[e] / cnt[e]
            if built.split == "even":
                for k, yk in built.y[i][e].items():
                    yk.setInitialValue(int(k == cnt[e]))
                    for g in range(built.geo.G):
                        built.z[i][e][g][k].setInitialValue(int(k == cnt[e] and onto[e, g]))
        if built.split == "even":
            built.peak[i].setInitialValue(float(loads.max()))
        if built.hier:
            assert built.geo.group_of is not None
            for q, row in enumerate(built.hier[i]):
                used = {int(node[g]) for e in np.flatnonzero(built.geo.group_of == q)
                        for g in np.flatnonzero(onto[e])}
                for n, v in enumerate(row):
                    v.setInitialValue(int(n in used))


def minimise_moves_milp(built: PlacementMilp, objective_value: float) -> None:
    """Second phase: keep the objective at most ``objective_value`` (up to a relative 1e-9)
    and minimise the changed slots against the previous plan."""
    if built.moves is None:
        raise ValueError("the model has no previous plan")
    slack = 1e-9 * max(1.0, abs(objective_value))
    built.problem += built.objective <= objective_value + slack
    built.problem.setObjective(built.moves)


# --- The pattern model (one layer, interchangeable GPUs) ---------------------------------

#: Most GPU patterns the pattern model enumerates; beyond, the adapter uses the assignment
#: model above.
MAX_PATTERNS = 20_000


def enumerate_patterns(w: np.ndarray, choices: list[list[int]], geo: Geometry,
                       upper: float | None, cap: int = MAX_PATTERNS
                       ) -> list[tuple[tuple[tuple[int, int], ...], float]] | None:
    """Every GPU pattern of one layer: S (expert, replica count) pairs of distinct experts
    whose replica loads w_e / k add up to at most ``upper`` (and, hierarchical, whose groups
    fit on one node). ``None`` when there are more than ``cap``."""
    E, S = geo.E, geo.S
    top = np.inf if upper is None else float(upper) * (1 + 1e-12) + 1e-9
    per_node = geo.n_groups // geo.nodes
    out: list[tuple[tuple[tuple[int, int], ...], float]] = []
    stack: list[tuple[int, tuple[tuple[int, int], ...], float, frozenset]] = \
        [(0, (), 0.0, frozenset())]
    while stack:
        start, chosen, load, groups = stack.pop()
        if len(chosen) == S:
            out.append((chosen, load))
            if len(out) > cap:
                return None
            continue
        for e in range(start, E - (S - len(chosen)) + 1):
            g2 = groups
            if geo.group_of is not None:
                g2 = groups | {int(geo.group_of[e])}
                if len(g2) > per_node:
                    continue
            for k in choices[e]:
                c = float(w[e]) / k
                if load + c <= top:
                    stack.append((e + 1, (*chosen, (e, k)), load + c, g2))
    return out


@dataclass
class PatternMilp:
    """The pattern model of one layer at one level v: ``count[(p, ν)]`` GPUs of node ν use
    pattern p; the objective counts the GPUs whose pattern is heavier than v (0: a plan with
    maximum <= v exists)."""

    problem: Any
    patterns: list[tuple[tuple[tuple[int, int], ...], float]]
    count: dict[tuple[int, int], Any]
    geo: Geometry
    level: float

    def read(self) -> np.ndarray:
        """bool (E, G): GPUs filled node by node with the chosen patterns."""
        onto = np.zeros((self.geo.E, self.geo.G), dtype=bool)
        nxt = [n * self.geo.per_node for n in range(self.geo.nodes)]
        for (p, n), v in self.count.items():
            for _ in range(int(round(v.value() or 0.0))):
                for e, _k in self.patterns[p][0]:
                    onto[e, nxt[n]] = True
                nxt[n] += 1
        return onto


def build_pattern_milp(inst: ExpertPlacement, layer: int,
                       patterns: list[tuple[tuple[tuple[int, int], ...], float]],
                       choices: list[list[int]], geo: Geometry, level: float,
                       deadline: Deadline | None = None) -> PatternMilp:
    """The pattern (configuration) model of one layer with interchangeable GPUs, in the line
    of Gilmore and Gomory's cutting-stock model: integer n[p, ν] GPUs of node ν use pattern p
    (one node without the hierarchical constraint), Σ_p n[p, ν] = GPUs per node, binaries
    y[e, k] with Σ_k y[e, k] = 1 and Σ_{p ∋ (e, k), ν} n[p, ν] = k·y[e, k]; hierarchical:
    binaries a[q, ν] (group 0 on node 0: nodes are interchangeable), n[p, ν] <= g·a[q, ν]
    for every group q of p. Minimise the GPUs whose pattern is heavier than ``level``: the
    optimum is 0 exactly when a plan with largest GPU load <= ``level`` exists, and any
    proved positive bound proves there is none. GPU symmetry is gone from this model."""
    import pulp

    deadline = deadline or Deadline()
    nodes = geo.nodes if geo.hierarchical else 1
    per = geo.per_node if geo.hierarchical else geo.G
    prob = pulp.LpProblem(f"patterns_l{layer}", pulp.LpMinimize)
    y = [{k: prob.add_variable(f"y{e}_{k}", cat="Binary") for k in choices[e]}
         for e in range(geo.E)]
    for row in y:
        prob += pulp.lpSum(row.values()) == 1
    a = None
    if geo.hierarchical:
        assert geo.group_of is not None
        a = [[prob.add_variable(f"a{q}_{n}", cat="Binary") for n in range(nodes)]
             for q in range(geo.n_groups)]
        for q in range(geo.n_groups):
            prob += pulp.lpSum(a[q]) == 1
        for n in range(nodes):
            prob += pulp.lpSum(a[q][n] for q in range(geo.n_groups)) == geo.n_groups // nodes
        prob += a[0][0] == 1
    count: dict[tuple[int, int], Any] = {}
    uses: dict[tuple[int, int], list[tuple[Any, int]]] = {}
    heavy = []
    top = level * (1 + 1e-12) + 1e-9
    for p, (types, load) in enumerate(patterns):
        deadline.tick()
        for n in range(nodes):
            v = prob.add_variable(f"n{p}_{n}", lowBound=0, upBound=per, cat="Integer")
            count[(p, n)] = v
            if a is not None:
                assert geo.group_of is not None
                for q in {int(geo.group_of[e]) for e, _ in types}:
                    prob += v <= per * a[q][n]
            for t in types:
                uses.setdefault(t, []).append((v, n))
            if load > top:
                heavy.append(v)
    for n in range(nodes):
        prob += pulp.lpSum(v for (p, m), v in count.items() if m == n) == per
    for e in range(geo.E):
        for k, yk in y[e].items():
            prob += pulp.lpSum(v for v, _ in uses.get((e, k), [])) == k * yk
    prob += pulp.lpSum(k * yk for row in y for k, yk in row.items()) == geo.R  # redundant
    # A variable fixed at 0 keeps the objective an expression when no pattern is heavy.
    prob.setObjective(pulp.lpSum(heavy) + prob.add_variable("zero", lowBound=0, upBound=0))
    deadline.check()
    return PatternMilp(prob, patterns, count, geo, level)
