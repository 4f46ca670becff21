"""Evaluator of sequence-parallel allocation: feasibility, step time and cheap lower bound.

Solution: ``{"microbatches": [[{"devices": [...], "sequences": [...]}, …], …]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..checking import Found, Malformed, member, parse_ints
from .model import SequenceParallel

__all__ = ["check", "objective", "lower_bound", "schedule", "group_time"]


def _groups(inst: SequenceParallel, solution: Any, found: Found) -> list[list[tuple]]:
    mbs = member(solution, "microbatches")
    if not isinstance(mbs, Sequence) or isinstance(mbs, str):
        raise Malformed("microbatches must be a list of micro-batches")
    N, K = inst.devices, inst.n_sequences
    seen = np.zeros(K, dtype=np.int64)
    out: list[list[tuple]] = []
    for b, mb in enumerate(mbs):
        if not isinstance(mb, Sequence) or isinstance(mb, str):
            raise Malformed(f"microbatches[{b}] must be a list of groups")
        used: dict[int, int] = {}
        groups = []
        for g, group in enumerate(mb):
            if not isinstance(group, Mapping) or "devices" not in group or \
                    "sequences" not in group:
                raise Malformed(f"microbatches[{b}][{g}] must be an object with devices and "
                                 "sequences")
            dev = parse_ints(group["devices"], f"microbatches[{b}][{g}].devices").tolist()
            seqs = parse_ints(group["sequences"], f"microbatches[{b}][{g}].sequences").tolist()
            for x in dev:
                if not 0 <= x < N:
                    found.add("range", f"micro-batch {b} group {g}: device {x} out of range "
                                       f"0..{N - 1}")
                elif x in used:
                    found.add("device_reuse", f"micro-batch {b}: device {x} is in group "
                                              f"{used[x]} and group {g}")
                else:
                    used[x] = g
            d = len(dev)
            if d not in inst.degrees.tolist():
                found.add("degree", f"micro-batch {b} group {g} has {d} devices; allowed "
                                    f"degrees {inst.degrees.tolist()}")
            ok = [k for k in seqs if 0 <= k < K]
            for k in seqs:
                if not 0 <= k < K:
                    found.add("range", f"micro-batch {b} group {g}: sequence {k} out of range "
                                       f"0..{K - 1}")
            np.add.at(seen, ok, 1)
            tokens = int(inst.lengths[ok].sum()) if ok else 0
            if d and tokens > inst.memory_tokens * d:
                found.add("memory", f"micro-batch {b} group {g} holds {tokens} tokens on {d} "
                                    f"devices > {inst.memory_tokens} per device")
            groups.append((d, ok))
        out.append(groups)
    for k in np.flatnonzero(seen == 0).tolist():
        found.add("missing", f"sequence {k} is in no group")
    for k in np.flatnonzero(seen > 1).tolist():
        found.add("duplicate", f"sequence {k} is in {int(seen[k])} groups")
    return out


def group_time(inst: SequenceParallel, degree: int, seqs: list[int]) -> float:
    if not seqs or degree < 1:
        return 0.0
    c = inst.cost
    s = inst.lengths[seqs].astype(np.float64)
    t = float(((c.a1 * s * s + c.a2 * s) / degree).sum())
    if degree > 1:
        bw = c.bandwidth.get(degree)
        if bw is None:  # only reachable for an infeasible degree; keep the objective finite
            return c.b1 + t
        t += float((s / degree).sum()) * ((degree - 1) / degree) * c.comm_bytes_per_token \
            / (bw * 1e9)
    return c.b1 + t


def check(inst: SequenceParallel, solution: Any, found: Found
                             ) -> list[list[tuple]]:
    return _groups(inst, solution, found)


def objective(inst: SequenceParallel, mbs: list[list[tuple]]) -> float:
    return float(sum(max((group_time(inst, d, s) for d, s in mb), default=0.0)
                     for mb in mbs))


def lower_bound(inst: SequenceParallel) -> float:
    """A valid lower bound on the step time of any plan.

    A micro-batch's groups g (degree d_g, Σ d_g <= N) each take T_g = b1 + Σ_{k in g}
    t(s_k, d_g), so the micro-batch takes max_g T_g >= b1 + Σ_g d_g (T_g − b1) / Σ_g d_g
    >= b1 + Σ_{k in it} w_k / N, where w_k = min over the degrees d that hold s_k (C·d >= s_k)
    of d·t(s_k, d), the least device-seconds sequence k can take. A micro-batch holds at most
    N·C tokens, so there are m >= ⌈Σ s / (N·C)⌉ of them, and the step time is at least
    m·b1 + Σ_k w_k / N. The longest sequences give a second bound: each alone takes at least
    b1 + min_d t(s_k, d).
    """
    c = inst.cost
    lengths = inst.lengths.tolist()
    degrees = inst.degrees.tolist()
    C, N = inst.memory_tokens, inst.devices
    micro_batches = max(1, -(-int(sum(lengths)) // (N * C)))
    work = 0.0
    bound = 0.0
    for s in lengths:
        held = [d for d in degrees if C * d >= s]
        if not held:  # only an instance the model refuses; keep the bound finite and valid
            continue
        work += min(d * inst.sequence_time(s, d) for d in held)
    bound = micro_batches * c.b1 + work / N
    # Each sequence alone needs a group big enough for its tokens.
    order = np.argsort(-inst.lengths.astype(np.float64))[: min(inst.n_sequences, 64)]
    for k in order.tolist():
        need = [d for d in degrees if C * d >= lengths[k]]
        if need:
            bound = max(bound, min(inst.sequence_time(lengths[k], d) for d in need) + c.b1)
    return bound


def schedule(inst: SequenceParallel, mbs: list[list[tuple]], solution: Any
             ) -> list[dict[str, Any]]:
    """One row per sequence (the task is a sequence, the resource its group of devices), by
    micro-batch, group and the group's order: ``sequence``, ``length``, ``microbatch``,
    ``group`` (its index in the micro-batch), ``degree``, ``devices``, and ``start``/``end``:
    when the group is busy within the step (micro-batches run one after another, each as long
    as its slowest group; a group's time is b1 plus its sequences' times)."""
    raw = solution["microbatches"]
    rows: list[dict[str, Any]] = []
    clock = 0.0
    for b, groups in enumerate(mbs):
        times = [group_time(inst, d, seqs) for d, seqs in groups]
        for g, (d, seqs) in enumerate(groups):
            devices = [int(x) for x in raw[b][g]["devices"]]
            rows.extend({"sequence": k, "length": int(inst.lengths[k]), "microbatch": b,
                         "group": g, "degree": d, "devices": devices, "start": clock,
                         "end": clock + times[g]} for k in seqs)
        clock += max(times, default=0.0)
    return rows
