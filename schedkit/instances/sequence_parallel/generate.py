"""Sequence-parallel allocation instances: real or synthetic length mixes, FlexSP-style costs."""

import gzip
from typing import Any

import numpy as np

from .._fields import EXACT_LIMIT
from ..datadir import data_dir
from ..errors import InputError
from ..generating import (
    blame_option,
    check_choice,
    check_float,
    check_int,
    check_seed,
    check_size,
    provenance,
)
from .model import MAX_DEVICES, FlexSPCost, SequenceParallel

__all__ = ["sequence_parallel", "SP_PRESETS", "CHOICES", "wikipedia_lengths",
           "flexsp_cost", "MAX_SEQUENCES"]

#: Most sequences of a generated batch: 2·10**6 take about 0.2 GB and 3 s through
#: ``schedkit generate``, so the cap stays near 1 GB.
MAX_SEQUENCES = 10**7

#: Model shapes behind ``preset``: layers L, hidden size h, parameters N (LLaMA 7B/13B/33B,
#: Touvron et al., arXiv:2302.13971, 2023) and the tokens one device holds (an estimate for
#: 80 GB GPUs with activation checkpointing; smaller for bigger models, whose weights and
#: optimizer state take more of the memory).
SP_PRESETS: dict[str, dict[str, float]] = {
    "7b": {"layers": 32, "hidden": 4096, "params": 6.7e9, "memory_tokens": 24576},
    "13b": {"layers": 40, "hidden": 5120, "params": 13e9, "memory_tokens": 16384},
    "30b": {"layers": 60, "hidden": 6656, "params": 32.5e9, "memory_tokens": 8192},
}

CHOICES = {"preset": tuple(SP_PRESETS), "source": ("wikipedia", "synthetic")}

WIKIPEDIA_FILE = "sp/flexsp_wikipedia_seqlens_1M.txt.gz"

# Synthetic mixture fitted by eye to the Wikipedia sample (instances/sp/README.md): log-length
# mean 5.95 and sd 1.26; a Pareto tail from about the sample's p90 (2112 tokens) puts p99 near
# 10K tokens as in the sample, where a pure log-normal gives ~7K.
_LOG_MEAN, _LOG_SD = 5.95, 1.26
_TAIL_WEIGHT, _TAIL_START, _TAIL_EXPONENT = 0.02, 2048.0, 1.2

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
            raise InputError(f"cannot read the Wikipedia length sample: {err}",
                             source=str(path)) from None
        # bytes.split + one int64 conversion is ~10x faster than numpy.loadtxt here.
        arr = np.array(raw.split(), dtype=np.int64)
        if arr.size == 0 or (arr < 1).any():
            raise InputError("the Wikipedia length sample must hold positive integers",
                             source=str(path))
        arr.setflags(write=False)
        _WIKI = arr
    return _WIKI


def _sig(x: float) -> float:
    # Six significant digits: the estimates are not more precise, and files stay readable.
    return float(f"{x:.6g}")


def flexsp_cost(preset: str, *, degrees: list[int], devices_per_node: int,
                peak_tflops: float = 312.0, mfu: float = 0.5, intra_bandwidth: float = 150.0,
                inter_bandwidth: float = 20.0, group_overhead: float = 0.005) -> FlexSPCost:
    """FlexSP cost coefficients estimated for one of :data:`SP_PRESETS`.

    See :func:`sequence_parallel` for the derivation.
    """
    shape = SP_PRESETS[preset]
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
    memory_tokens: int = 0,
    peak_tflops: float = 312.0,
    mfu: float = 0.5,
    intra_bandwidth: float = 150.0,
    inter_bandwidth: float = 20.0,
    group_overhead: float = 0.005,
    seed: int = 0,
) -> SequenceParallel:
    """A sequence-parallel batch with FlexSP's cost model and estimated 7B/13B/30B coefficients.

    The cost model is that of FlexSP (Wang et al., "FlexSP: Accelerating Large Language Model
    Training via Flexible Sequence Parallelism", ASPLOS 2025; see
    :class:`~schedkit.instances.sequence_parallel.model.FlexSPCost`). The coefficients below
    are **estimates derived from first principles, not numbers published by FlexSP**.

    Parameters
    ----------
    preset : str
        Model size: 7b, 13b or 30b (LLaMA shapes).
    sequences : int
        Number of sequences in the batch K (>= 1).
    devices : int
        Number of devices N (>= 1); group degrees are the powers of two up to N.
    devices_per_node : int
        Devices per node; must divide N (if N is smaller, the job sits in one node of N).
    source : str
        Length distribution: wikipedia (sample of FlexSP's 10^6 Wikipedia lengths, with
        replacement) or synthetic (log-normal body with a Pareto tail).
    memory_tokens : int
        Tokens one device holds C; 0 = preset's (7b 24576, 13b 16384, 30b 8192).
    peak_tflops : float
        Peak throughput of one device in TFLOP/s (A100 bf16 dense: 312).
    mfu : float
        Model-FLOPs utilisation in (0, 1] reached in practice.
    intra_bandwidth : float
        All-to-all bandwidth in GB/s of groups inside one node (NVLink class).
    inter_bandwidth : float
        All-to-all bandwidth in GB/s of groups spanning nodes (InfiniBand class).
    group_overhead : float
        b1, seconds each formed group pays once.
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    SequenceParallel
        Named ``sp-<preset>-<K>x<N>-<wiki|syn>-s<seed>``.

    Notes
    -----
    Compute. Training one sequence of s tokens takes about ``6·N_params·s + 12·L·h·s²`` FLOPs:
    2 per parameter per token forward and 4 backward (Kaplan et al., "Scaling laws for neural
    language models", arXiv:2001.08361, 2020), and for attention 4·s²·h forward per layer (QKᵀ
    and AV), ×3 with backward (Narayanan et al., "Efficient large-scale language model training
    on GPU clusters using Megatron-LM", SC'21). Divided by an effective throughput
    F = peak_tflops·10¹²·mfu: ``a1 = 12·L·h / F`` s/token², ``a2 = 6·N_params / F`` s/token.
    For 7B on A100 at 50 % MFU: a1 ≈ 1.01e-8, a2 ≈ 2.58e-4 (a 4K-token sequence: ~1.2 s).

    Communication. DeepSpeed-Ulysses (Jacobs et al., arXiv:2309.14509, 2023) runs 4 all-to-alls
    per layer forward (Q, K, V in, attention output back) and as many backward; each moves
    h bf16 values = 2h bytes per token. So ``comm_bytes_per_token = 8·2h·L = 16·L·h``
    (7B: 2 MiB). The group bandwidth is ``intra_bandwidth`` when the degree is <= the devices
    per node, else ``inter_bandwidth``; ``b1 = group_overhead``. Coefficients are rounded to six
    significant digits.

    Lengths. Drawn with replacement from the Wikipedia sample (``instances/sp/README.md``) or
    from the synthetic mixture: with probability 0.98 ``exp(Normal(5.95, 1.26))`` (the sample's
    log-length mean and sd), else a Pareto tail ``2048·U^(-1/1.2)``; rounded up to integers.
    Either way lengths are clipped to ``C·D`` (D the largest degree), the most one group can
    hold, so every instance is feasible.

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
    C = check_int(memory_tokens, "memory_tokens", min_value=0, max_value=EXACT_LIMIT - 1,
                  why=" (token counts must stay exact)") or \
        int(SP_PRESETS[preset]["memory_tokens"])
    tflops = check_float(peak_tflops, "peak_tflops", positive=True)
    mfu = check_float(mfu, "mfu", positive=True, max_value=1.0)
    bw_in = check_float(intra_bandwidth, "intra_bandwidth", positive=True)
    bw_out = check_float(inter_bandwidth, "inter_bandwidth", positive=True)
    b1 = check_float(group_overhead, "group_overhead", min_value=0.0)

    degrees = [1 << i for i in range(N.bit_length()) if 1 << i <= N]
    cap = C * degrees[-1]
    rng = np.random.default_rng(seed)
    if source == "wikipedia":
        pool = wikipedia_lengths()
        lengths = pool[rng.integers(0, pool.size, size=K)]
    else:
        tail = rng.random(K) < _TAIL_WEIGHT
        body = rng.lognormal(_LOG_MEAN, _LOG_SD, size=K)
        pareto = _TAIL_START * (1.0 - rng.random(K)) ** (-1.0 / _TAIL_EXPONENT)
        # Clip in floating point first: the Pareto tail can exceed int64.
        lengths = np.ceil(np.minimum(np.where(tail, pareto, body), cap)).astype(np.int64)
    lengths = np.clip(lengths, 1, cap)

    tag = "wiki" if source == "wikipedia" else "syn"
    name = f"sp-{preset}-{K}x{N}-{tag}-s{seed}"
    shape = {"preset": preset, "sequences": K, "devices": N, "devices_per_node": n,
             "source": source, "memory_tokens": C, "peak_tflops": tflops, "mfu": mfu,
             "intra_bandwidth": bw_in, "inter_bandwidth": bw_out, "group_overhead": b1}
    try:
        cost = flexsp_cost(preset, degrees=degrees, devices_per_node=n, peak_tflops=tflops,
                           mfu=mfu, intra_bandwidth=bw_in, inter_bandwidth=bw_out,
                           group_overhead=b1)
        return SequenceParallel(devices=N, devices_per_node=n, memory_tokens=C,
                                degrees=degrees, lengths=lengths, cost=cost, name=name,
                                meta=provenance("sequence_parallel", seed, shape))
    except InputError as err:
        blame_option(err, _culprits(shape, degrees))


def _culprits(shape: dict[str, Any], degrees: list[int]) -> dict[str, tuple[str, Any]]:
    """Model field -> the option behind it, for :func:`blame_option`."""
    # The compute coefficients scale with 1 / (peak_tflops·mfu): blame the one further below
    # its default.
    compute = min(("peak_tflops", 312.0), ("mfu", 0.5), key=lambda o: shape[o[0]] / o[1])[0]
    links = [("intra_bandwidth" if d <= shape["devices_per_node"] else "inter_bandwidth")
             for d in degrees if d > 1]
    slow = min(links or ["intra_bandwidth"], key=lambda o: shape[o])
    out: dict[str, tuple[str, Any]] = {}
    for model, option in (("cost.a1", compute), ("cost.a2", compute),
                          ("cost.comm_bytes_per_token", slow), ("cost.bandwidth", slow),
                          ("cost.b1", "group_overhead"), ("lengths", "memory_tokens")):
        out[model] = out["data." + model] = (option, shape[option])
    return out
