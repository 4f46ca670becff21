"""Splitting a global batch into micro-batches, bucketing lengths, and a one-micro-batch plan.

FlexSP (Wang et al., "FlexSP: Accelerating LLM Training via Flexible Sequence Parallelism",
ASPLOS 2025, arXiv:2412.01523) solves one MILP per micro-batch; the batch is first cut into
micro-batches by a linear-partition DP over the lengths sorted in decreasing order, for a few
candidate counts, and sequences are bucketed (a DP minimising the padding) so that the model
has one integer count per bucket and group. This module has those two DPs
(:func:`linear_partition`, :func:`buckets`; kernels in :mod:`.split_kernels`) and a greedy
plan of one micro-batch (:func:`microbatch_greedy`) that warm-starts the per-micro-batch
models.

API (the fast planner may call these too):

* ``sequence_bounds(inst)`` → (w, single): w_k = min over the degrees d that hold s_k
  (C·d >= s_k) of d·t(s_k, d), the least device-seconds of sequence k, and
  single_k = min over those d of t(s_k, d), its least time alone.
* ``fewest_parts(inst)`` → ⌈Σ s / (N·C)⌉, the fewest micro-batches the tokens allow.
* ``linear_partition(inst, parts)`` → (part of each sequence, estimate) or ``None``.
* ``partitions(inst, extra)`` → the cuts for m = m_min … m_min + extra (m_min: the fewest
  counts the DP can cut).
* ``buckets(lengths, count)`` → (bucket of each sequence, largest length of each bucket).
* ``microbatch_greedy(inst, seqs)`` → groups [(degree, [sequence ids])] of one micro-batch
  or ``None``.
"""

from __future__ import annotations

import numpy as np

from ...instances import InputError, SequenceParallel
from .baselines import by_length, sequence_times
from .split_kernels import bucket_dp, partition_dp

__all__ = ["sequence_bounds", "fewest_parts", "linear_partition", "partitions", "buckets",
           "microbatch_greedy", "microbatch_bound", "Partition", "SPLIT_BUCKETS", "SPLIT_EXTRA",
           "EXACT_MODELS", "FULL_MAX_SEQUENCES"]

#: Default bucket count of the exact methods' split mode (FlexSP buckets its lengths; 16
#: buckets keep a micro-batch model of a 512-sequence, 64-device batch at about 16·127
#: integer counts).
SPLIT_BUCKETS = 16
#: Default number of candidate micro-batch counts beyond the fewest.
SPLIT_EXTRA = 2
#: The ``model`` option of the exact methods, and the largest batch ``model=auto`` gives the
#: full model (kept here, beside the split they choose between, so that the registry reads
#: them without importing a solver). Measured on 7B FlexSP batches on 8 devices (seeds 1–3,
#: 2 shared cores): the full model is proved by CP-SAT / HiGHS / CBC in at most 0.2 / 0.8 /
#: 1.7 s with 12 sequences, 0.3 / 3.4 / 7.2 s with 14, and CBC misses 15 s with 16.
EXACT_MODELS = ("auto", "full", "split")
FULL_MAX_SEQUENCES = 12

#: One cut of the batch: (m, part of each sequence (K,) int64, the DP's estimate Σ_parts).
Partition = tuple[int, np.ndarray, float]


def sequence_bounds(inst: SequenceParallel) -> tuple[np.ndarray, np.ndarray]:
    """(w, single), float64 (K,) each: the least device-seconds of every sequence and its
    least time alone, over the allowed degrees whose memory holds it — the per-sequence terms
    of :func:`~schedkit.instances.sequence_parallel.evaluate.lower_bound`."""
    K = inst.n_sequences
    work = np.full(K, np.inf)
    single = np.full(K, np.inf)
    for d in inst.degrees.tolist():
        held = inst.lengths <= inst.memory_tokens * d
        t = sequence_times(inst, d)
        work = np.where(held, np.minimum(work, d * t), work)
        single = np.where(held, np.minimum(single, t), single)
    return work, single


def fewest_parts(inst: SequenceParallel) -> int:
    """⌈Σ s / (N·C)⌉ (at least 1): one micro-batch holds at most N·C tokens."""
    cap = inst.devices * inst.memory_tokens
    return max(1, -(-int(inst.lengths.sum()) // cap))


def linear_partition(inst: SequenceParallel, parts: int, fill: float = 1.0
                     ) -> tuple[np.ndarray, float] | None:
    """Sequences sorted by decreasing length, cut into ``parts`` contiguous micro-batches
    minimising the sum of their estimated times (FlexSP's micro-batch split).

    The estimate of a part P is its lower bound b1 + max(Σ_{k∈P} w_k / N, single_longest)
    (:func:`sequence_bounds`; the per-micro-batch form of the evaluator's ``lower_bound``);
    a part of more than N·C tokens is forbidden (no plan holds it).

    Parameters
    ----------
    inst
        The instance.
    parts
        m >= 1 micro-batches (at most K).
    fill
        A part may hold at most ``fill``·N·C tokens (0 < fill <= 1; 1 = what the devices hold).
        Below 1 leaves the groups room: a micro-batch filled to the last token rarely packs
        into groups of the allowed degrees.

    Returns
    -------
    (part, estimate) or None
        ``part``: int64 (K,), the micro-batch 0..m−1 of each sequence id (micro-batch 0 holds
        the longest); ``estimate``: the DP's objective. ``None`` when no cut into m parts
        meets the token capacity.
    """
    if isinstance(parts, bool) or not isinstance(parts, int | np.integer) or parts < 1:
        raise InputError(f"must be an integer >= 1, got {parts!r}", field="parts")
    K = inst.n_sequences
    if parts > K:
        return None
    order = by_length(inst)
    work, single = sequence_bounds(inst)
    cut = partition_dp(inst.lengths[order].astype(np.int64), work[order].astype(np.float64),
                       single[order].astype(np.float64), int(parts), inst.devices,
                       int(fill * inst.devices * inst.memory_tokens), float(inst.cost.b1))
    if cut[0] < 0:
        return None
    part = np.empty(K, dtype=np.int64)
    part[order] = cut
    estimate = 0.0
    for j in range(int(parts)):
        members = np.flatnonzero(part == j)
        estimate += inst.cost.b1 + max(float(work[members].sum()) / inst.devices,
                                       float(single[members].max()))
    return part, estimate


def partitions(inst: SequenceParallel, extra: int, fill: float = 1.0) -> list[Partition]:
    """The cuts of :func:`linear_partition` for m = m_min, …, m_min + ``extra`` (capped at
    K), where m_min is the fewest parts, from :func:`fewest_parts` up, that the DP can cut
    under the token capacity ``fill``·N·C (contiguous parts may need more than
    ⌈Σs/(N·C)⌉)."""
    if not 0 < fill <= 1:
        raise InputError(f"must be in (0, 1], got {fill!r}", field="fill")
    if isinstance(extra, bool) or not isinstance(extra, int | np.integer) or extra < 0:
        raise InputError(f"must be an integer >= 0, got {extra!r}", field="option extra")
    K = inst.n_sequences
    out: list[Partition] = []
    m = fewest_parts(inst)
    first: int | None = None
    while m <= K:
        found = linear_partition(inst, m, fill)
        if found is not None:
            first = m if first is None else first
            out.append((m, found[0], found[1]))
        if first is not None and m >= first + extra:
            break
        m += 1
    return out


def buckets(lengths: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Lengths grouped into at most ``count`` buckets of contiguous sorted lengths, minimising
    the padding Σ_k (bucket's largest length − s_k) (FlexSP's bucketing, an exact DP).

    Parameters
    ----------
    lengths
        int (K,) lengths (any order).
    count
        B >= 1 buckets at most.

    Returns
    -------
    bucket, top
        ``bucket``: int64 (K,), the bucket of each input position; ``top``: int64 (B',), the
        largest length of each bucket (B' <= B; buckets by increasing length).
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise InputError(f"must be an integer >= 1, got {count!r}", field="option buckets")
    s = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(s, kind="stable")
    sorted_b = bucket_dp(s[order], int(count))
    bucket = np.empty(s.size, dtype=np.int64)
    bucket[order] = sorted_b
    n = int(sorted_b.max()) + 1 if s.size else 0
    top = np.zeros(n, dtype=np.int64)
    np.maximum.at(top, bucket, s)
    return bucket, top


def microbatch_bound(inst: SequenceParallel, seqs: np.ndarray) -> float:
    """The lower bound on one micro-batch of ``seqs``: b1 + max(Σ w / N, max single)."""
    work, single = sequence_bounds(inst)
    return float(inst.cost.b1 + max(float(work[seqs].sum()) / inst.devices,
                                    float(single[seqs].max())))


def microbatch_greedy(inst: SequenceParallel, seqs: np.ndarray
                      ) -> list[tuple[int, list[int]]] | None:
    """A plan of one micro-batch holding ``seqs``: for every allowed degree d whose groups
    hold the longest of them, N // d groups of degree d; sequences by decreasing time go to
    the least-loaded group with memory room (LPT under a capacity). The homogeneous plan
    with the smallest slowest group wins; ``None`` when no degree fits them all.

    Returns
    -------
    list of (degree, sequence ids) or None
        The non-empty groups (at most N devices in all).
    """
    seqs = np.asarray(seqs, dtype=np.int64)
    C, N, b1 = inst.memory_tokens, inst.devices, inst.cost.b1
    lengths = inst.lengths[seqs]
    longest = int(lengths.max())
    best: tuple[float, list[tuple[int, list[int]]]] | None = None
    for d in inst.degrees.tolist():
        if C * d < longest:
            continue
        t = sequence_times(inst, d)[seqs]
        n_groups = N // d
        load = np.zeros(n_groups)
        room = np.full(n_groups, C * d, dtype=np.int64)
        members: list[list[int]] = [[] for _ in range(n_groups)]
        ok = True
        for i in np.lexsort((seqs, -t)).tolist():
            fits = np.flatnonzero(room >= lengths[i])
            if fits.size == 0:
                ok = False
                break
            g = int(fits[np.argmin(load[fits])])
            load[g] += t[i]
            room[g] -= lengths[i]
            members[g].append(int(seqs[i]))
        if not ok:
            continue
        groups = [(d, sorted(m)) for m in members if m]
        value = b1 + float(max(load[g] for g in range(n_groups) if members[g]))
        if best is None or value < best[0]:
            best = (value, groups)
    return None if best is None else best[1]
