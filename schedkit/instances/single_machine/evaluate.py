"""Evaluator of the single machine: feasibility, objective and cheap lower bound.

Solution: ``{"sequence": [job, …], "start": [s_j] (optional)}``; without ``start`` the earliest
start times of the sequence are used (:func:`start_times`). The data are integers, so start times
must be integers too (of magnitude at most 2^53) and every comparison is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..checking import PER_KIND, Found, member, parse_ints
from .bounds import tardiness_bound
from .model import SingleMachine

__all__ = ["check", "objective", "lower_bound", "schedule", "start_times"]


def start_times(inst: SingleMachine, sequence: np.ndarray) -> np.ndarray:
    """Earliest start times of jobs processed in ``sequence`` order (release dates respected)."""
    start = np.zeros(inst.n_jobs, dtype=np.int64)
    t = 0
    p, r = inst.processing.tolist(), inst.release.tolist()
    for j in sequence.tolist():
        t = max(t, r[j])
        start[j] = t
        t += p[j]
    return start


def _parse(inst: SingleMachine, solution: Any, found: Found) -> tuple[np.ndarray, np.ndarray]:
    seq = parse_ints(member(solution, "sequence"), "sequence")
    n = inst.n_jobs
    out = (seq < 0) | (seq >= n)
    for j in seq[out].tolist()[:PER_KIND]:
        found.add("range", f"job {j} is out of range 0..{n - 1}")
    seq = seq[~out]
    counts = np.bincount(seq, minlength=n)
    for j in np.flatnonzero(counts > 1).tolist():
        found.add("duplicate", f"job {j} appears {int(counts[j])} times in the sequence")
    for j in np.flatnonzero(counts == 0).tolist():
        found.add("missing", f"job {j} is not in the sequence")
    if isinstance(solution, Mapping) and solution.get("start") is not None:
        start = parse_ints(solution["start"], "start", n)
    else:
        start = start_times(inst, seq)
    return seq, start


def check(inst: SingleMachine, solution: Any, found: Found
                          ) -> tuple[np.ndarray, np.ndarray]:
    seq, start = _parse(inst, solution, found)
    p = inst.processing
    for j in np.flatnonzero(start < inst.release).tolist():
        found.add("release", f"job {j} starts at {start[j]} before its release "
                             f"{int(inst.release[j])}")
    if found.count["duplicate"] == 0 and seq.size > 1:
        a, b = seq[:-1], seq[1:]
        bad = np.flatnonzero(start[b] < start[a] + p[a])
        for i in bad.tolist():
            found.add("overlap", f"job {int(b[i])} starts at {start[b[i]]} before job "
                                 f"{int(a[i])} (before it in the sequence) ends at "
                                 f"{start[a[i]] + p[a[i]]}")
    return seq, start


def objective(inst: SingleMachine, parsed: tuple[np.ndarray, np.ndarray]
                              ) -> float:
    _, start = parsed
    completion = start + inst.processing
    late = completion - inst.due
    obj = inst.objective
    if obj == "max_lateness":
        return float(late.max())
    if obj == "total_weighted_completion":
        return float(np.dot(inst.weight, completion))
    if obj == "weighted_tardy_jobs":
        return float(np.dot(inst.weight, late > 0))
    tard = np.maximum(0.0, late)
    if obj == "total_tardiness":
        return float(tard.sum())
    return float(np.dot(inst.weight, tard))


def lower_bound(inst: SingleMachine) -> float:
    """Max lateness: EDD; ΣwjCj: WSPT; ΣwjUj: every job alone; ΣwjTj and ΣTj: every job alone
    and the Lagrangian bound of the time-indexed model (:mod:`.bounds`)."""
    p, d, w, r = inst.processing, inst.due, inst.weight, inst.release
    alone = r + p  # completion of each job if it ran first
    obj = inst.objective
    if obj == "max_lateness":
        # EDD ignoring release dates is optimal for 1||Lmax (Jackson 1955); releases only delay.
        order = np.argsort(d, kind="stable")
        return float(max((np.cumsum(p[order]) - d[order]).max(), (alone - d).max()))
    if obj == "total_weighted_completion":
        # WSPT ignoring release dates is optimal for 1||ΣwjCj (Smith 1956).
        ratio = np.where(w > 0, p / np.maximum(w, 1e-300), np.inf)
        order = np.argsort(ratio, kind="stable")
        return float(max(np.dot(w[order], np.cumsum(p[order])), np.dot(w, alone)))
    if obj == "weighted_tardy_jobs":
        return float(np.dot(w, alone > d))
    if obj == "total_tardiness":
        w = np.ones_like(w)
    alone_cost = float(np.dot(w, np.maximum(0, alone - d)))
    return max(alone_cost, tardiness_bound(p, d, w, r))


def schedule(inst: SingleMachine, parsed: tuple[np.ndarray, np.ndarray], solution: Any
             ) -> list[dict[str, Any]]:
    """One row per job, in processing order: ``position``, ``job``, ``release``, ``start``,
    ``end``, ``processing``, ``due``, ``lateness`` (end − due), ``tardiness`` (lateness if
    positive, else 0) and ``weight``."""
    seq, start = parsed
    p, r, d, w = (a.tolist() for a in (inst.processing, inst.release, inst.due, inst.weight))
    rows: list[dict[str, Any]] = []
    for i, j in enumerate(seq.tolist()):
        s = int(start[j])
        end = s + p[j]
        rows.append({"position": i, "job": j, "release": r[j], "start": s, "end": end,
                     "processing": p[j], "due": d[j], "lateness": end - d[j],
                     "tardiness": max(0, end - d[j]), "weight": w[j]})
    return rows
