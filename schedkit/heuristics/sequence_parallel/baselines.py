"""The planners LLM-training engineers use today, as baselines for sequence parallel.

* :func:`static_plan` — one SP group of the largest degree (all N devices when N is allowed),
  micro-batches by best-fit decreasing on its token capacity (FlexSP's ``static`` baseline:
  Megatron-LM / DeepSpeed-Ulysses with a fixed SP degree).
* :func:`adaptive_plan` — FlexSP's ``adaptive`` baseline: the best single homogeneous degree d
  for the batch, N/d groups per micro-batch, sequences packed by best-fit decreasing at 90 % of
  a group's memory.
* :func:`dcp_plan` — Megatron-Core's dynamic context parallelism, as described: samples sorted
  by length, each with the smallest power-of-two CP size that holds it, micro-batches filled
  greedily.
* :func:`wlb_plan` — degree 1 only (pure data parallelism): WLB-LLM's workload-balanced packing
  of sequences onto the DP ranks under a token capacity.

Cost model and units: :class:`~schedkit.instances.sequence_parallel.model.FlexSPCost`
(seconds). Every plan is scored by the one evaluator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import InputError, SequenceParallel
from ...instances.sequence_parallel import evaluate
from .packing_kernels import balanced_pack, best_fit_decreasing, chunk_bins, dcp_greedy

__all__ = ["sequence_times", "by_length", "static_plan", "adaptive_plan", "dcp_plan", "wlb_plan",
           "ADAPTIVE_MARGIN", "WLB_EXTRA"]

#: FlexSP's adaptive baseline packs a group of degree d up to 0.9·C·d tokens.
ADAPTIVE_MARGIN = 0.9
#: :func:`wlb_plan` also tries this many micro-batches more than the fewest that fit.
WLB_EXTRA = 2

# One planned group: (micro-batch, first device, degree, sequence ids).
_Group = tuple[int, int, int, list[int]]


def sequence_times(inst: SequenceParallel, degree: int) -> np.ndarray:
    """Seconds each sequence takes on a group of ``degree`` devices, without the group's b1.

    The same formula as the evaluator's ``group_time``:
    ``(a1·s² + a2·s)/d + (s/d)·((d−1)/d)·comm_bytes_per_token / (bandwidth[d]·1e9)``.
    """
    c = inst.cost
    s = inst.lengths.astype(np.float64)
    d = int(degree)
    t = (c.a1 * s * s + c.a2 * s) / d
    if d > 1:
        t = t + (s / d) * ((d - 1) / d) * c.comm_bytes_per_token / (c.bandwidth[d] * 1e9)
    return t


def _solution(groups: list[_Group]) -> dict[str, Any]:
    """The schema's solution from planned groups (empty groups dropped)."""
    n_mb = 1 + max((g[0] for g in groups), default=-1)
    mbs: list[list[dict[str, Any]]] = [[] for _ in range(n_mb)]
    for mb, first, d, seqs in sorted(groups, key=lambda g: (g[0], g[1])):
        if seqs:
            mbs[mb].append({"devices": list(range(first, first + d)),
                            "sequences": sorted(seqs)})
    return {"microbatches": [mb for mb in mbs if mb]}


def _step_time(inst: SequenceParallel, groups: list[_Group]) -> float:
    """The evaluator's step time of planned groups."""
    by_mb: dict[int, list[tuple[int, list[int]]]] = {}
    for mb, _, d, seqs in groups:
        by_mb.setdefault(mb, []).append((d, seqs))
    return evaluate.objective(inst, list(by_mb.values()))


def _members(bin_of: np.ndarray) -> list[list[int]]:
    """Items of each bin, bins in index order."""
    out: list[list[int]] = [[] for _ in range(int(bin_of.max()) + 1)]
    for k, b in enumerate(bin_of.tolist()):
        out[b].append(k)
    return out


def _homogeneous(inst: SequenceParallel, degree: int, bins: list[list[int]]
                 ) -> list[_Group]:
    """Bins as groups of one degree, N // degree per micro-batch, slowest bins together."""
    t = sequence_times(inst, degree)
    bin_time = np.array([inst.cost.b1 + float(t[b].sum()) for b in bins], dtype=np.float64)
    per_mb = inst.devices // degree
    mb_of = chunk_bins(bin_time, per_mb).tolist()
    slot: dict[int, int] = {}
    groups: list[_Group] = []
    for b, seqs in enumerate(bins):
        mb = mb_of[b]
        i = slot.get(mb, 0)
        slot[mb] = i + 1
        groups.append((mb, i * degree, degree, seqs))
    return groups


def by_length(inst: SequenceParallel) -> np.ndarray:
    """int64 (K,): the sequences longest first, ties by index (so that plans are
    deterministic)."""
    return np.lexsort((np.arange(inst.n_sequences), -inst.lengths)).astype(np.int64)


def static_plan(inst: SequenceParallel) -> dict[str, Any]:
    """FlexSP's ``static`` baseline: one group of the largest allowed degree D (all N devices
    when N is an allowed degree), one group per micro-batch, sequences packed into micro-batches
    by best-fit decreasing on the group's C·D tokens.

    Wang et al., "FlexSP", ASPLOS 2025 (arXiv:2412.01523): the static SP of Megatron-LM and
    DeepSpeed-Ulysses. Since one group's time is b1 plus the sum of its sequences' times, the
    step time is (number of micro-batches)·b1 + Σ_k t(s_k, D), and BFD keeps the count small.
    """
    D = int(inst.degrees[-1])
    cap = inst.memory_tokens * D
    bin_of = best_fit_decreasing(inst.lengths, by_length(inst), cap, cap)
    return _solution([(b, 0, D, seqs) for b, seqs in enumerate(_members(bin_of))])


def adaptive_plan(inst: SequenceParallel, *, margin: float = ADAPTIVE_MARGIN,
                  degree: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """FlexSP's ``adaptive`` baseline: the best single homogeneous SP degree for the batch.

    For every allowed degree d whose groups hold the longest sequence: N // d groups of d
    devices per micro-batch; sequences packed by best-fit decreasing into groups of
    ``margin``·C·d tokens (FlexSP: 0.9; a sequence above that but within C·d gets a group of
    its own); groups formed until every sequence is placed and put into micro-batches slowest
    first (:func:`~.packing_kernels.chunk_bins`). The degree with the smallest modelled step
    time wins (Wang et al., "FlexSP", ASPLOS 2025, arXiv:2412.01523).

    Parameters
    ----------
    inst
        The instance.
    margin
        Fraction of a group's memory BFD fills, in (0, 1].
    degree
        Use only this degree (0 = try every allowed degree).

    Returns
    -------
    solution, stats
        ``stats``: the chosen ``degree`` and ``step_time_by_degree``.
    """
    if not 0 < margin <= 1:
        raise InputError(f"must be in (0, 1] (a group holds at most its memory), got {margin!r}",
                         field="option margin")
    longest = int(inst.lengths.max())
    C = inst.memory_tokens
    allowed = inst.degrees.tolist()
    if degree:
        if degree not in allowed:
            raise InputError(f"degree {degree} is not an allowed degree {allowed}",
                             field="option degree")
        if longest > C * degree:
            raise InputError(f"degree {degree} holds {C * degree} tokens, but a sequence has "
                             f"{longest}", field="option degree")
        candidates = [degree]
    else:
        candidates = [d for d in allowed if C * d >= longest]
    order = by_length(inst)
    best: tuple[float, int, list[_Group]] | None = None
    times: dict[str, float] = {}
    for d in candidates:
        cap = max(1, int(margin * C * d))
        bin_of = best_fit_decreasing(inst.lengths, order, cap, C * d)
        groups = _homogeneous(inst, d, _members(bin_of))
        step = _step_time(inst, groups)
        times[str(d)] = step
        if best is None or step < best[0]:
            best = (step, d, groups)
    assert best is not None  # the largest degree holds every sequence (model check)
    return _solution(best[2]), {"degree": best[1], "step_time_by_degree": times}


def _cp_size(inst: SequenceParallel) -> np.ndarray:
    """Each sequence's CP size: the smallest power-of-two allowed degree that holds it (the
    smallest allowed degree that holds it when no power of two does)."""
    C = inst.memory_tokens
    allowed = inst.degrees.tolist()
    pow2 = [d for d in allowed if d & (d - 1) == 0]
    out = np.empty(inst.n_sequences, dtype=np.int64)
    for k, s in enumerate(inst.lengths.tolist()):
        fits = [d for d in pow2 if C * d >= s] or [d for d in allowed if C * d >= s]
        out[k] = fits[0]
    return out


def dcp_plan(inst: SequenceParallel) -> tuple[dict[str, Any], dict[str, Any]]:
    """Megatron-Core-style dynamic context parallelism (as described in NVIDIA Megatron-Core's
    dynamic CP; summarised in issue 12): samples sorted by length, longest first; each gets the
    smallest power-of-two CP size whose memory holds it; micro-batches are filled greedily —
    a sample opens a group of its CP size while the micro-batch has free devices, else joins
    the least-loaded group of its size with room, else a new micro-batch starts
    (:func:`~.packing_kernels.dcp_greedy`).

    Returns
    -------
    solution, stats
        ``stats``: how many sequences got each CP size (``cp_sizes``).
    """
    cp = _cp_size(inst)
    times = np.empty(inst.n_sequences, dtype=np.float64)
    for d in np.unique(cp).tolist():
        times[cp == d] = sequence_times(inst, d)[cp == d]
    group_of, group_mb, group_degree, group_first = dcp_greedy(
        inst.lengths, cp, times, by_length(inst), inst.memory_tokens, inst.devices)
    G = int((group_mb >= 0).sum())
    members: list[list[int]] = [[] for _ in range(G)]
    for k, g in enumerate(group_of.tolist()):
        members[g].append(k)
    groups = [(int(group_mb[g]), int(group_first[g]), int(group_degree[g]), members[g])
              for g in range(G)]
    sizes, counts = np.unique(cp, return_counts=True)
    return _solution(groups), {"cp_sizes": {str(d): int(c) for d, c in
                                            zip(sizes.tolist(), counts.tolist(), strict=True)}}


def wlb_plan(inst: SequenceParallel, *, extra: int = WLB_EXTRA
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Degree 1 only: WLB-LLM-style workload-balanced packing over the N data-parallel ranks.

    The special case of the problem without sequence parallelism: every group is one device
    (a DP rank) holding at most C tokens. With m micro-batches there are m·N bins; sequences,
    by decreasing workload a1·s² + a2·s (attention is quadratic, the rest linear: WLB-LLM,
    Wang et al., "WLB-LLM: Workload-Balanced 4D Parallelism for Large Language Model
    Training", arXiv:2503.17924, 2025), go to the least-loaded bin with room
    (:func:`~.packing_kernels.balanced_pack`). m starts at the fewest micro-batches the
    tokens need (⌈Σs / (N·C)⌉) and grows until every sequence fits; ``extra`` more values of m
    are tried as well (each micro-batch costs b1, but more bins balance better), keeping the
    plan with the smallest step time.

    Raises
    ------
    InputError
        (``method``) when degree 1 is not allowed or a sequence is longer than C.
    """
    if int(inst.degrees[0]) != 1:
        raise InputError("wlb packs onto single devices, but degree 1 is not an allowed degree "
                         f"{inst.degrees.tolist()}", field="method")
    C, N, K = inst.memory_tokens, inst.devices, inst.n_sequences
    longest = int(inst.lengths.max())
    if longest > C:
        k = int(np.argmax(inst.lengths))
        raise InputError(f"wlb packs onto single devices of {C} tokens, but sequence {k} has "
                         f"{longest} (use adaptive, megatron-dcp or static)", field="method")
    s = inst.lengths.astype(np.float64)
    work = inst.cost.a1 * s * s + inst.cost.a2 * s
    order = np.lexsort((np.arange(K), -work)).astype(np.int64)
    m = max(1, -(-int(inst.lengths.sum()) // (N * C)))
    tried: dict[str, float] = {}
    best: tuple[float, int, list[_Group]] | None = None
    fitted: int | None = None
    while True:
        bin_of = balanced_pack(inst.lengths, work, order, C, m * N)
        if bin_of[0] >= 0:
            fitted = m if fitted is None else fitted
            bins = [b for b in _members(bin_of) if b]
            groups = _homogeneous(inst, 1, bins)
            step = _step_time(inst, groups)
            tried[str(m)] = step
            if best is None or step < best[0]:
                best = (step, m, groups)
        elif fitted is not None:
            break
        # With m·N >= K bins one is always empty when a sequence comes, so it fits: the loop
        # ends by then at the latest.
        if (fitted is not None and m >= fitted + extra) or m * N >= K:
            break
        m += 1
    assert best is not None
    return _solution(best[2]), {"microbatches": len({g[0] for g in best[2]}),
                                "step_time_by_microbatches": tried}
