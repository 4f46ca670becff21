"""Synthetic MoE expert-load instances: skewed per-layer popularity, cross-layer affinity."""

import math

import numpy as np

from .._fields import EXACT_LIMIT
from ..errors import InputError
from ..generating import (
    auto_int,
    blame_option,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_seed,
    check_size,
    option_field,
    provenance,
)
from .model import MAX_GPUS, MAX_SOLUTION_SLOTS, ExpertPlacement

__all__ = ["expert_placement", "EXPERT_PRESETS", "CHOICES", "MAX_LOADS", "MAX_TRAFFIC"]

#: Most loads (layers × experts) of a generated instance: 80 MB of int64, about 0.4 GB as JSON.
MAX_LOADS = 10**7
#: Most traffic entries ((layers − 1) × experts²): 4·2000² entries take about 0.45 GB and 21 s
#: through ``schedkit generate`` (one E×E transition matrix per layer pair and the JSON text),
#: so the cap stays near 1 GB.
MAX_TRAFFIC = 25 * 10**6

#: Shapes behind ``preset``; any of them can be overridden by its option.
#: ``deepseek-v3``: 256 routed experts, top-8 routing, 8 GPUs per node (DeepSeek-AI,
#: "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024). The real model has 58 MoE layers
#: (61 layers, the first 3 dense) and was served with 32 GPUs per prefill unit, each holding
#: 8 experts + 1 redundant one; layers = 4 keeps the default instance small.
#: ``mixtral``: 8 experts, top-2 (Jiang et al., "Mixtral of Experts", arXiv:2401.04088, 2024;
#: 32 layers in the real model), on a small 2-node, 4-GPU deployment.
#: ``none``: a generic small shape.
EXPERT_PRESETS: dict[str, dict[str, int]] = {
    "none": {"layers": 4, "experts": 16, "gpus": 8, "gpus_per_node": 4, "top_k": 2,
             "tokens": 4096},
    "deepseek-v3": {"layers": 4, "experts": 256, "gpus": 32, "gpus_per_node": 8, "top_k": 8,
                    "tokens": 16384},
    "mixtral": {"layers": 8, "experts": 8, "gpus": 4, "gpus_per_node": 2, "top_k": 2,
                "tokens": 4096},
}

CHOICES = {
    "preset": tuple(EXPERT_PRESETS),
    "skew": ("dirichlet", "zipf"),
    "objective": ExpertPlacement.objectives,
}


def _cap(p: np.ndarray, cap: float) -> np.ndarray:
    """Clip probabilities at ``cap`` and hand the excess to the others in proportion.

    Top-k routing sends a token to k *distinct* experts, so one expert receives at most a
    fraction 1/k of all token-expert assignments.
    """
    p = p.copy()
    fixed = np.zeros(p.size, dtype=bool)
    for _ in range(p.size):
        over = ~fixed & (p > cap)
        if not over.any():
            break
        fixed |= over
        excess = float((p[fixed] - cap).sum())
        p[fixed] = cap
        rest = ~fixed
        mass = float(p[rest].sum())
        p[rest] += excess * (p[rest] / mass if mass > 0 else 1.0 / rest.sum())
    return p / p.sum()


def _popularity(rng: np.random.Generator, E: int, k: int, skew: str, concentration: float,
                zipf_s: float) -> np.ndarray:
    if skew == "dirichlet":
        p = rng.dirichlet(np.full(E, concentration))
    else:
        p = np.arange(1, E + 1, dtype=np.float64) ** -zipf_s
    # A floor keeps every expert reachable (tiny concentrations or large s underflow to 0,
    # which would also break the without-replacement draw of preferred sets).
    p = np.maximum(p, 1e-15)
    p /= p.sum()
    # Which expert is hot differs from layer to layer.
    p = p[rng.permutation(E)]
    return _cap(p, 1.0 / k)


def expert_placement(
    preset: str = "none",
    *,
    layers: int = 0,
    experts: int = 0,
    gpus: int = 0,
    gpus_per_node: int = 0,
    slots_per_gpu: int = 0,
    tokens: int = 0,
    top_k: int = 0,
    skew: str = "dirichlet",
    concentration: float = 2.0,
    zipf_s: float = 1.0,
    affinity: float = 0.5,
    objective: str = "max_load",
    traffic: bool = False,
    groups: int = 0,
    intra_node: float = 1.0,
    inter_node: float = 4.0,
    windows: int = 1,
    drift: float = 0.1,
    group_concentration: float = 0.0,
    seed: int = 0,
) -> ExpertPlacement:
    """A synthetic MoE expert-placement instance: skewed loads, optional cross-layer traffic.

    Integer options left at 0 take the preset's value (:data:`EXPERT_PRESETS`).

    Parameters
    ----------
    preset : str
        none (generic small shape), deepseek-v3 (256 experts, top-8, 8 GPUs/node; 4 layers and
        32 GPUs by default, the real model has 58 MoE layers) or mixtral (8 experts, top-2).
    layers : int
        Number of MoE layers L; 0 = preset's.
    experts : int
        Routed experts per layer E; 0 = preset's.
    gpus : int
        Number of GPUs G; 0 = preset's.
    gpus_per_node : int
        GPUs per node (must divide G); 0 = gcd of the preset's value and G.
    slots_per_gpu : int
        Expert slots per GPU S (G·S >= E, S <= E); 0 = ceil(E/G) + 1 for max_load (one
        redundant slot per GPU, as DeepSeek-V3's deployment) and ceil(E/G) for
        load_and_traffic (no replication, as MoETuner/ExFlow), capped at E.
    tokens : int
        Tokens in the batch T; each is routed to top_k experts per layer; 0 = preset's.
    top_k : int
        Experts per token k (<= E); 0 = preset's.
    skew : str
        Popularity law of the experts of a layer: dirichlet or zipf.
    concentration : float
        Dirichlet concentration (> 0); smaller is more skewed.
    zipf_s : float
        Zipf exponent s (>= 0): the r-th most popular expert has weight r^-s.
    affinity : float
        Fraction in [0, 1] of an expert's tokens that go on to its preferred experts of the
        next layer.
    objective : str
        max_load (EPLB's goal) or load_and_traffic (needs traffic; generated automatically).
    traffic : bool
        Include the (L-1)×E×E traffic array even for max_load.
    groups : int
        Expert-group size for hierarchical balancing (must divide E); 0 = none. DeepSeek-V3
        routes within 8 groups of 32 experts.
    intra_node : float
        Cost per token of a hop between GPUs of one node.
    inter_node : float
        Cost per token of a hop between nodes.
    windows : int
        Windows of load statistics in the history (1: no history). Window 0 is ``load``.
    drift : float
        Temporal drift (>= 0): from one window to the next every expert's popularity is
        multiplied by exp(drift·N(0, 1)) (a log-normal random walk) and renormalised.
    group_concentration : float
        Group-limited routing (needs ``groups``; 0: off): each layer draws group weights
        ~ Dirichlet(group_concentration·1) and an expert's popularity is multiplied by its
        group's weight, so tokens concentrate in a few groups (DeepSeek-V3 sends a token to at
        most 4 of its 8 groups; smaller is more concentrated).
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    ExpertPlacement
        Named ``ep-[<preset>-]<L>x<E>-g<G>x<S>-s<seed>``.

    Notes
    -----
    Loads. Layer by layer, a popularity vector p over the E experts is drawn — Dirichlet(c·1)
    or Zipf p_r ∝ r^-s — and permuted by a fresh random permutation (hot experts differ across
    layers). Since a token picks k *distinct* experts, no expert can get more than 1/k of the
    T·k assignments: p is clipped at 1/k and the excess shared by the others in proportion.
    Then ``load[l] ~ Multinomial(T·k, p)`` (integers).

    Traffic (after all loads, so loads do not depend on it). Each assignment of layer l is
    followed to one assignment of layer l+1 — a simplification: a token's k experts in l and k
    in l+1 would give k² pairs. Expert e of layer l has a preferred set A(e) of k experts of
    layer l+1, drawn without replacement with probabilities p_{l+1} (hot experts attract
    affinity more often, as in the inter-layer affinity measured by ExFlow, Yao et al.,
    arXiv:2401.08383, 2024, and exploited by MoETuner, Go & Mahajan, arXiv:2502.06643, 2025).
    Row e: ``traffic[l, e] ~ Multinomial(load[l, e], q_e)`` with
    ``q_e = affinity·p_{l+1}|A(e) + (1 − affinity)·p_{l+1}`` (p restricted to A(e) and
    renormalised). So each row sums exactly to that expert's load; column sums match layer
    l+1's popularity in expectation only when affinity = 0.

    Draws: per layer p then the load; then per layer pair the preferred sets and the rows.

    History (``windows`` > 1; drawn from a second stream, ``default_rng([seed, 1])``, so window 0
    and the traffic are the instance without history). Window t + 1 perturbs window t's
    popularity by the log-normal drift, clips it at 1/k again, and draws its loads from
    Multinomial(T·k, p). These are modelling assumptions, not measured routing statistics:
    the drift law, its independence across experts, and a fixed token count per window.

    Size caps, checked before anything is drawn: ``layers·experts <= MAX_LOADS`` (10**7),
    ``(layers − 1)·experts² <= MAX_TRAFFIC`` (2.5·10**7) when traffic is generated, and the
    model's ``gpus <= MAX_GPUS`` (8192) and ``layers·gpus·slots_per_gpu <=
    MAX_SOLUTION_SLOTS`` (5·10**7). ``tokens·top_k < 2**53`` keeps the loads exact integers
    (and the multinomial draws within int64).
    """
    seed = check_seed(seed)
    if preset is None:
        preset = "none"
    preset = check_choice(preset, "preset", CHOICES["preset"])
    base = EXPERT_PRESETS[preset]
    L = auto_int(layers, "layers", base["layers"])
    E = auto_int(experts, "experts", base["experts"])
    G = auto_int(gpus, "gpus", base["gpus"])
    g = auto_int(gpus_per_node, "gpus_per_node", math.gcd(base["gpus_per_node"], G))
    if G % g:
        raise InputError(f"must divide gpus={G}, got {g}", field=option_field("gpus_per_node"))
    T = auto_int(tokens, "tokens", base["tokens"])
    k = auto_int(top_k, "top_k", min(base["top_k"], E))
    if k > E:
        raise InputError(f"must be <= experts={E}, got {k}", field=option_field("top_k"))
    skew = check_choice(skew, "skew", CHOICES["skew"])
    conc = check_float(concentration, "concentration", positive=True)
    zs = check_float(zipf_s, "zipf_s", min_value=0.0)
    aff = check_float(affinity, "affinity", min_value=0.0, max_value=1.0)
    objective = check_choice(objective, "objective", ExpertPlacement.objectives)
    want_traffic = check_bool(traffic, "traffic") or objective == "load_and_traffic"
    if objective == "load_and_traffic" and L < 2:
        raise InputError("load_and_traffic needs at least 2 layers (traffic runs between "
                         "consecutive layers)", field=option_field("layers"))
    base_slots = -(-E // G)
    S = auto_int(slots_per_gpu, "slots_per_gpu",
                 min(E, base_slots + (objective == "max_load")))
    if G * S < E:
        raise InputError(f"gpus*slots_per_gpu = {G * S} < {E} experts (every expert needs a "
                         "slot)", field=option_field("slots_per_gpu"))
    if S > E:
        raise InputError(f"must be <= experts={E}", field=option_field("slots_per_gpu"))
    grp = check_int(groups, "groups", min_value=0)
    if grp and E % grp:
        raise InputError(f"must divide experts={E}, got {grp}", field=option_field("groups"))
    c_intra = check_float(intra_node, "intra_node", min_value=0.0)
    c_inter = check_float(inter_node, "inter_node", min_value=0.0)
    W = check_int(windows, "windows", min_value=1)
    sigma = check_float(drift, "drift", min_value=0.0)
    g_conc = check_float(group_concentration, "group_concentration", min_value=0.0)
    if g_conc and not grp:
        raise InputError("group-limited routing needs groups (the expert-group size)",
                         field=option_field("group_concentration"))
    check_size(G, "gpus", MAX_GPUS, "gpus")
    check_size(L * E, "layers" if L > E else "experts", MAX_LOADS, "layers*experts loads")
    if want_traffic:
        check_size((L - 1) * E * E, "layers" if L > E else "experts", MAX_TRAFFIC,
                   "(layers-1)*experts^2 traffic entries")
    if W > 1:
        check_size(W * L * E, "windows", MAX_LOADS, "windows*layers*experts history loads")
    check_size(L * G * S, max((L, "layers"), (G, "gpus"), (S, "slots_per_gpu"))[1],
               MAX_SOLUTION_SLOTS, "layers*gpus*slots_per_gpu slots (every solution fills them)")
    if T * k >= EXACT_LIMIT:
        raise InputError(f"tokens*top_k = {T * k} token-expert assignments must stay below "
                         "2**53 (loads must be exact integers)", field=option_field("tokens"))

    rng = np.random.default_rng(seed)
    pop = np.empty((L, E))
    load = np.empty((L, E), dtype=np.int64)
    extra = np.random.default_rng([seed, 1])  # new draws, so old instances stay identical
    for layer in range(L):
        pop[layer] = _popularity(rng, E, k, skew, conc, zs)
        if g_conc:
            weight = extra.dirichlet(np.full(E // grp, g_conc)) * (E // grp)
            pop[layer] = _cap(np.maximum(pop[layer] * np.repeat(weight, grp), 1e-15), 1.0 / k)
        load[layer] = rng.multinomial(T * k, pop[layer])
    history = None
    if W > 1:
        history = np.empty((W, L, E), dtype=np.int64)
        history[0] = load
        now = pop.copy()
        for t in range(1, W):
            for layer in range(L):
                p = now[layer] * np.exp(sigma * extra.standard_normal(E))
                now[layer] = _cap(np.maximum(p / p.sum(), 1e-15), 1.0 / k)
                history[t, layer] = extra.multinomial(T * k, now[layer])

    flows = None
    if want_traffic and L > 1:
        flows = np.empty((L - 1, E, E), dtype=np.int64)
        for layer in range(L - 1):
            nxt = pop[layer + 1]
            q = np.empty((E, E))
            for e in range(E):
                pref = rng.choice(E, size=k, replace=False, p=nxt)
                focus = np.zeros(E)
                focus[pref] = nxt[pref]
                focus /= focus.sum()
                q[e] = aff * focus + (1 - aff) * nxt
            q /= q.sum(axis=1, keepdims=True)
            flows[layer] = rng.multinomial(load[layer], q)
    elif want_traffic:
        flows = np.zeros((0, E, E), dtype=np.int64)

    tag = "" if preset == "none" else f"{preset}-"
    name = f"ep-{tag}{L}x{E}-g{G}x{S}-s{seed}"
    shape = {"preset": preset, "layers": L, "experts": E, "gpus": G, "gpus_per_node": g,
             "slots_per_gpu": S, "tokens": T, "top_k": k, "skew": skew,
             "concentration": conc, "zipf_s": zs, "affinity": aff, "objective": objective,
             "traffic": want_traffic, "groups": grp, "intra_node": c_intra,
             "inter_node": c_inter, "windows": W, "drift": sigma,
             "group_concentration": g_conc}
    try:
        return ExpertPlacement(
            gpus=G, gpus_per_node=g, slots_per_gpu=S, load=load, traffic=flows,
            groups=grp or None, history=history, intra_node=c_intra, inter_node=c_inter, name=name,
            objective=objective, meta=provenance("expert_placement", seed, shape),
        )
    except InputError as err:
        # Only the hop costs are free enough to break the model's finiteness cap.
        blame_option(err, {"data.cost.intra_node": ("intra_node", c_intra),
                           "data.cost.inter_node": ("inter_node", c_inter)})
