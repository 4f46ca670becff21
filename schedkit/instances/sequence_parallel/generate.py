"""Sequence-parallel allocation instances: FlexSP's published cost constants (or our own
first-principles estimates), memory from a GPU budget, real or synthetic length mixes."""

import gzip
import math
from typing import Any

import numpy as np

from .._fields import EXACT_LIMIT
from ..datadir import data_dir, describe_data_dir
from ..errors import InputError
from ..generating import (
    blame_option,
    check_choice,
    check_float,
    check_int,
    check_seed,
    check_size,
    option_field,
    provenance,
)
from .model import MAX_DEVICES, FlexSPCost, SequenceParallel

__all__ = ["sequence_parallel", "SP_PRESETS", "FLEXSP_PRESETS", "ESTIMATE_PRESETS",
           "FLEXSP_BANDWIDTH", "LENGTH_MIXTURES", "CHOICES", "wikipedia_lengths",
           "flexsp_cost", "flexsp_memory_tokens", "flexsp_bandwidth", "estimated_cost",
           "parse_degrees", "parse_bandwidths", "MAX_SEQUENCES"]

#: Most sequences of a generated batch: 2·10**6 take about 0.2 GB and 3 s through
#: ``schedkit generate``, so the cap stays near 1 GB.
MAX_SEQUENCES = 10**7

#: FlexSP's profiled constants (Wang et al., "FlexSP: Accelerating Large Language Model Training
#: via Flexible Sequence Parallelism", ASPLOS 2025, arXiv:2412.01523, as quoted in issue 12):
#: a1 [ms/token²], a2 [ms/token], b1 [ms], the parameter count in billions behind its ZeRO-3
#: model states, and the activation memory per token [MB]. Layers and hidden size (for the
#: all-to-all volume) are the LLaMA shapes (Touvron et al., arXiv:2302.13971, 2023): FlexSP's
#: constants are for 7B/13B/30B GPT/LLaMA-style models; the shapes are our assumption.
FLEXSP_PRESETS: dict[str, dict[str, float]] = {
    "7b": {"a1_ms": 5.128e-6, "a2_ms": 0.1840, "b1_ms": 629.36, "params_b": 7.0,
           "act_mb_per_token": 4.48, "layers": 32, "hidden": 4096},
    "13b": {"a1_ms": 9.285e-6, "a2_ms": 0.3060, "b1_ms": 1132.56, "params_b": 13.0,
            "act_mb_per_token": 4.22, "layers": 40, "hidden": 5120},
    "30b": {"a1_ms": 1.543e-5, "a2_ms": 0.8036, "b1_ms": 2789.36, "params_b": 30.0,
            "act_mb_per_token": 3.42, "layers": 60, "hidden": 6656},
}

#: FlexSP's measured all-to-all bandwidth v_d [GB/s] per SP degree at 8 GPUs per node
#: (arXiv:2412.01523): inside a node up to degree 8, across nodes above.
FLEXSP_BANDWIDTH: dict[int, float] = {2: 119.5, 4: 104.1, 8: 96.5, 16: 10.33, 32: 5.94,
                                      64: 4.87}
FLEXSP_DEVICES_PER_NODE = 8
#: FlexSP's experiments budget 30 GB per GPU.
FLEXSP_MEMORY_GB = 30.0

#: Our own first-principles estimates (the presets before FlexSP's constants were used), kept
#: under ``<size>-est`` because they are parametrised by the hardware (peak throughput, MFU,
#: link bandwidths): the only presets for asking "what if" about GPUs FlexSP did not profile.
#: Layers L, hidden size h, parameters N (LLaMA 7B/13B/33B) and the tokens one device holds
#: (an estimate for 80 GB GPUs with activation checkpointing).
ESTIMATE_PRESETS: dict[str, dict[str, float]] = {
    "7b-est": {"layers": 32, "hidden": 4096, "params": 6.7e9, "memory_tokens": 24576},
    "13b-est": {"layers": 40, "hidden": 5120, "params": 13e9, "memory_tokens": 16384},
    "30b-est": {"layers": 60, "hidden": 6656, "params": 32.5e9, "memory_tokens": 8192},
}

#: Every preset name -> its constants.
SP_PRESETS: dict[str, dict[str, float]] = {**FLEXSP_PRESETS, **ESTIMATE_PRESETS}

#: Synthetic length mixtures: (log-mean, log-sd) of the log-normal body, the weight of the
#: Pareto tail, where it starts [tokens] and its exponent α (P(s > x) = w·(start/x)^α).
#: ``synthetic`` is fitted by eye to the Wikipedia sample (schedkit/data/sp/README.md). The two
#: long-tail mixtures are our assumptions, not fits (FlexSP's GitHub and CommonCrawl length
#: files are not bundled): see :func:`sequence_parallel`.
LENGTH_MIXTURES: dict[str, tuple[float, float, float, float, float]] = {
    "synthetic": (5.95, 1.26, 0.02, 2048.0, 1.2),
    "github_like": (math.log(1500.0), 1.6, 0.10, 16384.0, 1.0),
    "commoncrawl_like": (math.log(1200.0), 1.1, 0.05, 8192.0, 1.3),
}

CHOICES = {"preset": tuple(SP_PRESETS), "source": ("wikipedia", *LENGTH_MIXTURES)}

WIKIPEDIA_FILE = "sp/flexsp_wikipedia_seqlens_1M.txt.gz"

_TAGS = {"wikipedia": "wiki", "synthetic": "syn", "github_like": "gh",
         "commoncrawl_like": "cc"}

# Defaults of the options that only the estimate presets use.
_ESTIMATE_DEFAULTS = {"peak_tflops": 312.0, "mfu": 0.5, "intra_bandwidth": 150.0,
                      "inter_bandwidth": 20.0, "group_overhead": 0.005}

# FlexSP's all-to-all time is (bytes / 2**20 / d) / v_d, read as milliseconds (MB over GB/s);
# the model's is (s/d)·((d-1)/d)·bytes / (bandwidth·1e9) seconds. They agree when
# bandwidth = v_d·((d-1)/d)·2**20/1e6 (see :func:`flexsp_bandwidth`).
_MIB_MS_PER_GB_S = 2**20 / 1e6  # = 1.048576

_WIKI: np.ndarray | None = None


def wikipedia_lengths() -> np.ndarray:
    """The 10^6 Wikipedia document lengths shipped by FlexSP, read once and cached.

    Returns
    -------
    numpy.ndarray
        Read-only int64 array of token counts (``data_dir()/sp``; Apache-2.0, see its README).
    """
    global _WIKI
    if _WIKI is None:
        path = data_dir() / WIKIPEDIA_FILE
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        except OSError as err:
            raise InputError(f"cannot read the Wikipedia length sample: {err.strerror or err} "
                             f"({describe_data_dir()})", source=str(path)) from None
        # bytes.split + one int64 conversion is ~10x faster than numpy.loadtxt here.
        arr = np.array(raw.split(), dtype=np.int64)
        if arr.size == 0 or (arr < 1).any():
            raise InputError("the Wikipedia length sample must hold positive integers",
                             source=str(path))
        arr.setflags(write=False)
        _WIKI = arr
    return _WIKI


def _sig(x: float) -> float:
    # Six significant digits: the constants are not more precise, and files stay readable.
    return float(f"{x:.6g}")


def parse_degrees(text: str, devices: int) -> list[int]:
    """The allowed group degrees from ``"1,2,3,4,6,8"`` ("" = the powers of two up to N).

    Parameters
    ----------
    text
        Comma-separated increasing degrees, each in ``1..devices``.
    devices
        N.

    Returns
    -------
    list of int
    """
    field = option_field("degrees")
    if not isinstance(text, str):
        raise InputError(f"must be a comma-separated list of degrees, got {text!r}", field=field)
    if not text.strip():
        return [1 << i for i in range(devices.bit_length()) if 1 << i <= devices]
    out: list[int] = []
    for part in text.split(","):
        word = part.strip()
        if not word.isdigit() or int(word) < 1:
            raise InputError(f"degrees must be positive integers, got {word!r}", field=field)
        d = int(word)
        if d > devices:
            raise InputError(f"degree {d} is above devices={devices}", field=field)
        if out and d <= out[-1]:
            raise InputError(f"must be increasing, got {d} after {out[-1]}", field=field)
        out.append(d)
    return out


def parse_bandwidths(text: str) -> dict[int, float]:
    """All-to-all bandwidths from ``"2:119.5,4:104.1"`` (degree: GB/s, FlexSP's v_d)."""
    field = option_field("bandwidths")
    if not isinstance(text, str):
        raise InputError(f"must be degree:GB/s pairs like '2:119.5,4:104.1', got {text!r}",
                         field=field)
    out: dict[int, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key.isdigit() or int(key) < 2:
            raise InputError(f"expected degree:GB/s with degree >= 2, got {part.strip()!r}",
                             field=field)
        try:
            v = float(value)
        except ValueError:
            v = math.nan
        if not math.isfinite(v) or v <= 0:
            raise InputError(f"bandwidth of degree {key} must be a positive number, got "
                             f"{value!r}", field=field)
        out[int(key)] = v
    return out


def flexsp_bandwidth(degree: int, table: dict[int, float] | None = None) -> float:
    """The model's ``bandwidth[d]`` that reproduces FlexSP's all-to-all time for degree d.

    FlexSP times the all-to-alls of a sequence of s tokens on d devices as
    ``(comm_bytes_per_token·s / 2**20 / d) / v_d`` milliseconds (MiB over GB/s, taken as ms;
    arXiv:2412.01523). The model of :class:`FlexSPCost` charges
    ``(s/d)·((d-1)/d)·comm_bytes_per_token / (bandwidth[d]·1e9)`` seconds. The two agree for
    every s when ``bandwidth[d] = v_d · 1.048576 · (d-1)/d``, which this returns.

    Parameters
    ----------
    degree
        d >= 2.
    table
        ``{degree: v_d}``; default :data:`FLEXSP_BANDWIDTH`. A degree not in it (a
        non-power-of-two such as 3, 6 or 12) takes the bandwidth of the smallest larger degree
        in it (a group of 12 spans two nodes as one of 16 does; never optimistic, as the
        bandwidths fall with the degree).
    """
    table = FLEXSP_BANDWIDTH if table is None else table
    d = int(degree)
    above = [k for k in table if k >= d]
    if not above:
        raise InputError(f"no all-to-all bandwidth for degree {d}: the table stops at "
                         f"{max(table)} (give bandwidths=...,{d}:GB/s)",
                         field=option_field("bandwidths"))
    v = table[min(above)]
    return v * _MIB_MS_PER_GB_S * (d - 1) / d


def flexsp_cost(preset: str, *, degrees: list[int],
                bandwidths: dict[int, float] | None = None) -> FlexSPCost:
    """FlexSP's cost model and profiled constants for one of :data:`FLEXSP_PRESETS`.

    Units. FlexSP publishes a1, a2, b1 in milliseconds; the model (and the evaluator) count
    seconds, so they are divided by 1000 (rounded to six significant digits, which keeps the
    published digits exactly). The all-to-all volume is FlexSP's
    ``4·2·layers·hidden·2`` bytes per token (4 all-to-alls forward and 4 backward, bf16);
    the bandwidths are converted by :func:`flexsp_bandwidth`.

    Parameters
    ----------
    preset
        7b, 13b or 30b.
    degrees
        The allowed degrees; every one above 1 gets a bandwidth.
    bandwidths
        ``{degree: v_d}`` in FlexSP's units (GB/s); default :data:`FLEXSP_BANDWIDTH`.
    """
    p = FLEXSP_PRESETS[preset]
    return FlexSPCost(
        a1=_sig(p["a1_ms"] / 1000.0),
        a2=_sig(p["a2_ms"] / 1000.0),
        b1=_sig(p["b1_ms"] / 1000.0),
        comm_bytes_per_token=4 * 2 * int(p["layers"]) * int(p["hidden"]) * 2,
        bandwidth={d: flexsp_bandwidth(d, bandwidths) for d in degrees if d > 1},
    )


def flexsp_memory_tokens(preset: str, devices: int, memory_gb: float) -> int:
    """FlexSP's per-device token capacity C for a GPU memory budget.

    ``C = floor((memory_gb·1024 − model_states_MB) / act_per_token_MB)`` with ZeRO-3 model
    states ``16·params_B·1024 / N`` MB (2 bytes of bf16 weights, 2 of gradients, 12 of fp32
    Adam state per parameter, sharded over the N devices; Rajbhandari et al., "ZeRO",
    SC'20) and FlexSP's activation memory per token (arXiv:2412.01523).

    Raises
    ------
    InputError
        (``generate.memory_gb``) when the budget leaves no room for one token.
    """
    p = FLEXSP_PRESETS[preset]
    states = 16.0 * p["params_b"] * 1024.0 / devices
    C = math.floor((memory_gb * 1024.0 - states) / p["act_mb_per_token"])
    if C < 1:
        raise InputError(f"{memory_gb:g} GB per device leaves no room for activations: ZeRO-3 "
                         f"model states of {preset} take {states:.0f} MB on each of {devices} "
                         "devices (more devices or more memory)",
                         field=option_field("memory_gb"))
    return C


def estimated_cost(preset: str, *, degrees: list[int], devices_per_node: int,
                   peak_tflops: float = 312.0, mfu: float = 0.5, intra_bandwidth: float = 150.0,
                   inter_bandwidth: float = 20.0, group_overhead: float = 0.005
                   ) -> FlexSPCost:
    """Our first-principles cost coefficients for one of :data:`ESTIMATE_PRESETS`.

    See the Notes of :func:`sequence_parallel` for the derivation.
    """
    shape = ESTIMATE_PRESETS[preset]
    L, h, N = shape["layers"], shape["hidden"], shape["params"]
    flops_per_s = peak_tflops * 1e12 * mfu
    bandwidth = {d: intra_bandwidth if d <= devices_per_node else inter_bandwidth
                 for d in degrees if d > 1}
    return FlexSPCost(
        a1=_sig(12 * L * h / flops_per_s),
        a2=_sig(6 * N / flops_per_s),
        b1=_sig(group_overhead),
        comm_bytes_per_token=16 * L * h,
        bandwidth=bandwidth,
    )


def sequence_parallel(
    preset: str = "7b",
    *,
    sequences: int = 64,
    devices: int = 16,
    devices_per_node: int = 8,
    source: str = "wikipedia",
    memory_gb: float = 0.0,
    memory_tokens: int = 0,
    max_length: int = 0,
    degrees: str = "",
    bandwidths: str = "",
    peak_tflops: float = 312.0,
    mfu: float = 0.5,
    intra_bandwidth: float = 150.0,
    inter_bandwidth: float = 20.0,
    group_overhead: float = 0.005,
    seed: int = 0,
) -> SequenceParallel:
    """A sequence-parallel batch under FlexSP's cost model.

    The cost model is that of FlexSP (Wang et al., "FlexSP: Accelerating Large Language Model
    Training via Flexible Sequence Parallelism", ASPLOS 2025, arXiv:2412.01523; see
    :class:`~schedkit.instances.sequence_parallel.model.FlexSPCost`). The presets 7b, 13b, 30b
    carry FlexSP's published constants; 7b-est, 13b-est, 30b-est our own estimates.

    Parameters
    ----------
    preset : str
        7b, 13b, 30b (FlexSP's profiled constants) or 7b-est, 13b-est, 30b-est (our
        first-principles estimates, parametrised by the hardware options below).
    sequences : int
        Number of sequences in the batch K (>= 1); FlexSP's grid uses a global batch of 512.
    devices : int
        Number of devices N (>= 1).
    devices_per_node : int
        Devices per node; must divide N (if N is smaller, the job sits in one node of N).
        FlexSP's bandwidths were measured at 8 per node.
    source : str
        Length distribution: wikipedia (FlexSP's 10^6 Wikipedia lengths, sampled with
        replacement), synthetic (a Wikipedia-like mixture), github_like or commoncrawl_like
        (long-tail mixtures, see Notes).
    memory_gb : float
        GPU memory budget per device in GB for the FlexSP presets; 0 = FlexSP's 30 GB.
        C = (memory_gb·1024 − ZeRO-3 model states in MB) / activation MB per token.
    memory_tokens : int
        Tokens one device holds C, instead of memory_gb; 0 = from memory_gb (FlexSP presets)
        or the preset's (7b-est 24576, 13b-est 16384, 30b-est 8192).
    max_length : int
        Longest sequence in tokens (FlexSP's grid: 196608 = 192K or 393216 = 384K); longer
        documents are truncated to it. 0 = what the largest group holds (C·D). A value above
        C·D is refused.
    degrees : str
        Allowed group degrees, comma-separated and increasing, e.g. "1,2,3,4,6,8"
        (non-powers of two allowed); "" = the powers of two up to N.
    bandwidths : str
        FlexSP presets: all-to-all bandwidths v_d as "degree:GB/s,…" replacing FlexSP's
        measured table (needed for degrees above 64 or other clusters); "" = FlexSP's.
    peak_tflops : float
        Estimate presets: peak throughput of one device in TFLOP/s (A100 bf16 dense: 312).
    mfu : float
        Estimate presets: model-FLOPs utilisation in (0, 1] reached in practice.
    intra_bandwidth : float
        Estimate presets: all-to-all GB/s of groups inside one node (NVLink class).
    inter_bandwidth : float
        Estimate presets: all-to-all GB/s of groups spanning nodes (InfiniBand class).
    group_overhead : float
        Estimate presets: b1, seconds each formed group pays once.
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    SequenceParallel
        Named ``sp-<preset>-<K>x<N>-<wiki|syn|gh|cc>-s<seed>``; times in seconds.

    Notes
    -----
    FlexSP presets. A sequence of s tokens on d devices costs ``(a1·s² + a2·s)/d`` plus FlexSP's
    all-to-all time ``(16·L·h·s / 2**20 / d) / v_d`` ms, and each formed group b1, with the
    profiled a1, a2, b1 of :data:`FLEXSP_PRESETS` (ms, stored in seconds) and the measured
    v_d of :data:`FLEXSP_BANDWIDTH` (converted to the model's formula by
    :func:`flexsp_bandwidth`, exactly). Degrees FlexSP did not measure take the bandwidth of
    the next larger measured degree; degrees above 64 need ``bandwidths``. C comes from the
    memory budget (:func:`flexsp_memory_tokens`): at 30 GB on 64 GPUs, 7b 6457, 13b 6490,
    30b 6736 tokens per device. At 30 GB the ZeRO-3 model states alone need at least 4
    devices for 7b, 7 for 13b and 17 for 30b.

    Estimate presets. Training one sequence of s tokens takes about ``6·N_params·s +
    12·L·h·s²`` FLOPs: 2 per parameter per token forward and 4 backward (Kaplan et al.,
    "Scaling laws for neural language models", arXiv:2001.08361, 2020), and for attention
    4·s²·h forward per layer (QKᵀ and AV), ×3 with backward (Narayanan et al., "Efficient
    large-scale language model training on GPU clusters using Megatron-LM", SC'21). Divided by
    an effective throughput F = peak_tflops·10¹²·mfu: ``a1 = 12·L·h / F`` s/token²,
    ``a2 = 6·N_params / F`` s/token. DeepSpeed-Ulysses (Jacobs et al., arXiv:2309.14509,
    2023) runs 4 all-to-alls per layer forward and as many backward, each moving 2h bytes
    per token: ``comm_bytes_per_token = 16·L·h``; the group bandwidth is ``intra_bandwidth``
    when the degree is <= the devices per node, else ``inter_bandwidth``;
    ``b1 = group_overhead``. These presets reproduce the instances generated before FlexSP's
    constants were added under the bare names (same lengths, cost and C).

    Lengths. Drawn with replacement from the Wikipedia sample (``schedkit/data/sp/README.md``) or
    from a mixture of :data:`LENGTH_MIXTURES`: with probability 1 − w ``exp(Normal(μ, σ))``,
    else a Pareto tail ``start·U^(-1/α)``, rounded up to integers. Assumptions (FlexSP
    describes GitHub and CommonCrawl as long-tailed, GitHub the longest; their length files
    are not bundled):

    * synthetic (Wikipedia-like): μ = 5.95, σ = 1.26 (the sample's log-lengths), w = 0.02 from
      2048 tokens with α = 1.2; median ~350, mean ~1000 tokens.
    * github_like (source files and concatenated repositories): median 1500 (μ = ln 1500),
      σ = 1.6, w = 0.10 from 16K tokens with α = 1.0; capped at 384K: median ~1.9K, mean
      ~11.6K, 23 % above 8K, 64 % of the tokens in sequences above 32K.
    * commoncrawl_like (web pages): median 1200, σ = 1.1, w = 0.05 from 8K tokens with
      α = 1.3; capped at 384K: median ~1.3K, mean ~3.4K, 9 % above 8K, 23 % of the tokens
      above 32K.

    Every length is truncated to ``max_length`` (or C·D), so every instance is feasible
    (FlexSP's loader drops longer documents instead; truncation keeps K and the random
    stream). The draws do not depend on the preset, the memory, the degrees or
    ``max_length``: changing those changes only the truncation.

    Size caps: ``sequences <= MAX_SEQUENCES`` (10**7) and the model's ``devices <=
    MAX_DEVICES`` (2**20) and ``memory_tokens < 2**53``. Options that make the model's other
    caps fail (lengths adding up to 2**53, a step time above 1e300 from a tiny throughput or
    bandwidth or a huge group overhead) are reported naming the option.
    """
    seed = check_seed(seed)
    preset = check_choice(preset, "preset", CHOICES["preset"])
    K = check_int(sequences, "sequences", min_value=1)
    check_size(K, "sequences", MAX_SEQUENCES, "sequences")
    N = check_int(devices, "devices", min_value=1)
    check_size(N, "devices", MAX_DEVICES, "devices")
    n = check_int(devices_per_node, "devices_per_node", min_value=1)
    if N < n:
        n = N
    if N % n:
        raise InputError(f"must divide devices={N}, got {n}",
                         field="generate.devices_per_node")
    source = check_choice(source, "source", CHOICES["source"])
    allowed = parse_degrees(degrees, N)
    mem_gb = check_float(memory_gb, "memory_gb", min_value=0.0)
    C_given = check_int(memory_tokens, "memory_tokens", min_value=0,
                        max_value=EXACT_LIMIT - 1, why=" (token counts must stay exact)")
    if mem_gb > 0 and C_given > 0:
        raise InputError("give memory_gb or memory_tokens, not both", field="generate.memory_gb")
    L_max = check_int(max_length, "max_length", min_value=0)
    est = {"peak_tflops": check_float(peak_tflops, "peak_tflops", positive=True),
           "mfu": check_float(mfu, "mfu", positive=True, max_value=1.0),
           "intra_bandwidth": check_float(intra_bandwidth, "intra_bandwidth", positive=True),
           "inter_bandwidth": check_float(inter_bandwidth, "inter_bandwidth", positive=True),
           "group_overhead": check_float(group_overhead, "group_overhead", min_value=0.0)}
    shape: dict[str, Any] = {"preset": preset, "sequences": K, "devices": N,
                             "devices_per_node": n, "source": source}
    if preset in FLEXSP_PRESETS:
        for name, value in est.items():
            if value != _ESTIMATE_DEFAULTS[name]:
                raise InputError(f"applies only to the estimate presets "
                                 f"({', '.join(ESTIMATE_PRESETS)}), not to {preset}",
                                 field=option_field(name))
        table = parse_bandwidths(bandwidths) if bandwidths.strip() else None
        if table is None and N > FLEXSP_DEVICES_PER_NODE and n != FLEXSP_DEVICES_PER_NODE:
            raise InputError(f"FlexSP's bandwidths were measured at {FLEXSP_DEVICES_PER_NODE} "
                             f"devices per node, got {n} (give bandwidths=...)",
                             field="generate.devices_per_node")
        if table is not None:
            for d in allowed:
                if d > 1 and d not in table:
                    raise InputError(f"no bandwidth for allowed degree {d}",
                                     field=option_field("bandwidths"))
        if C_given:
            C = C_given
        else:
            mem_gb = mem_gb or FLEXSP_MEMORY_GB
            C = flexsp_memory_tokens(preset, N, mem_gb)
        shape.update(memory_gb=mem_gb, memory_tokens=C_given, bandwidths=bandwidths.strip())
        make_cost = lambda: flexsp_cost(preset, degrees=allowed, bandwidths=table)  # noqa: E731
    else:
        if mem_gb > 0:
            raise InputError(f"applies only to the FlexSP presets ({', '.join(FLEXSP_PRESETS)});"
                             f" give memory_tokens for {preset}", field="generate.memory_gb")
        if bandwidths.strip():
            raise InputError(f"applies only to the FlexSP presets; {preset} takes "
                             "intra_bandwidth and inter_bandwidth", field="generate.bandwidths")
        C = C_given or int(ESTIMATE_PRESETS[preset]["memory_tokens"])
        shape.update(memory_gb=0.0, memory_tokens=C, bandwidths="")
        make_cost = lambda: estimated_cost(preset, degrees=allowed,  # noqa: E731
                                           devices_per_node=n, **est)
    group_cap = C * allowed[-1]
    if L_max > group_cap:
        raise InputError(f"{L_max} tokens exceed what the largest group holds (degree "
                         f"{allowed[-1]} x {C} tokens per device = {group_cap}); use more "
                         "devices or memory, or a smaller max_length",
                         field="generate.max_length")
    cap = L_max or group_cap
    # meta.shape holds every option, resolved, so that it alone rebuilds the instance.
    shape.update(max_length=L_max, degrees=",".join(map(str, allowed)), **est)

    rng = np.random.default_rng(seed)
    if source == "wikipedia":
        pool = wikipedia_lengths()
        lengths = pool[rng.integers(0, pool.size, size=K)]
    else:
        # The order of the draws is that of the first synthetic mixture: keep it, so that the
        # same seed gives the same lengths.
        mu, sd, weight, start, alpha = LENGTH_MIXTURES[source]
        tail = rng.random(K) < weight
        body = rng.lognormal(mu, sd, size=K)
        pareto = start * (1.0 - rng.random(K)) ** (-1.0 / alpha)
        # Clip in floating point first: the Pareto tail can exceed int64.
        lengths = np.ceil(np.minimum(np.where(tail, pareto, body), cap)).astype(np.int64)
    lengths = np.clip(lengths, 1, cap)

    name = f"sp-{preset}-{K}x{N}-{_TAGS[source]}-s{seed}"
    try:
        cost = make_cost()
        return SequenceParallel(devices=N, devices_per_node=n, memory_tokens=C,
                                degrees=allowed, lengths=lengths, cost=cost, name=name,
                                meta=provenance("sequence_parallel", seed, shape))
    except InputError as err:
        blame_option(err, _culprits(shape, allowed))


def _culprits(shape: dict[str, Any], degrees: list[int]) -> dict[str, tuple[str, Any]]:
    """Model field -> the option behind it, for :func:`blame_option`."""
    out: dict[str, tuple[str, Any]] = {}
    if shape["preset"] in FLEXSP_PRESETS:
        pairs = [("cost.a1", "preset"), ("cost.a2", "preset"), ("cost.b1", "preset"),
                 ("cost.comm_bytes_per_token", "preset"),
                 ("cost.bandwidth", "bandwidths" if shape.get("bandwidths") else "preset"),
                 ("lengths", "sequences")]
    else:
        # The compute coefficients scale with 1 / (peak_tflops·mfu): blame the one further
        # below its default.
        compute = min(("peak_tflops", 312.0), ("mfu", 0.5),
                      key=lambda o: shape[o[0]] / o[1])[0]
        links = [("intra_bandwidth" if d <= shape["devices_per_node"] else "inter_bandwidth")
                 for d in degrees if d > 1]
        slow = min(links or ["intra_bandwidth"], key=lambda o: shape[o])
        pairs = [("cost.a1", compute), ("cost.a2", compute),
                 ("cost.comm_bytes_per_token", slow), ("cost.bandwidth", slow),
                 ("cost.b1", "group_overhead"), ("lengths", "memory_tokens")]
    for model, option in pairs:
        out[model] = out["data." + model] = (option, shape[option])
    out["degrees"] = out["data.degrees"] = ("degrees", shape["degrees"])
    return out
