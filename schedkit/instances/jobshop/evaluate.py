"""Evaluator of the job shop: feasibility, objective and cheap lower bound.

Solution: ``{"start": [[s_jk, …] per job]}`` (operations in route order). The data are integers,
so start times must be integers too (of magnitude at most 2^53) and every comparison is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..checking import (
    MAX_EXACT,
    Found,
    Malformed,
    check_machine_overlap,
    exact_ints,
    member,
    numbers_only,
    parse_ints,
)
from .model import JobShop

__all__ = ["check", "objective", "lower_bound", "schedule"]

#: Largest product an int64 sort key may reach (with room to spare below 2**63).
_KEY_LIMIT = 2**62


@dataclass(frozen=True)
class _Layout:
    """What the checks need of an instance besides its arrays, computed once per instance
    (a pure function of it; instances are frozen with read-only arrays)."""

    #: Operations per job, as a list (compared with the lengths of a solution's rows).
    sizes: list[int]
    #: The first operation of each job.
    first: np.ndarray
    #: ``same_job[k]``: operations k and k + 1 belong to one job (k + 1 follows k on its route).
    same_job: np.ndarray
    #: The operations of positive duration (the only ones that can overlap), or ``None`` when
    #: that is every operation; their machines and durations.
    timed: np.ndarray | None
    timed_machine: np.ndarray
    timed_duration: np.ndarray
    #: The longest duration.
    longest: int


def _layout(inst: JobShop) -> _Layout:
    cached = inst.__dict__.get("_check_layout")
    if cached is None:
        off = inst.job_offsets
        same_job = np.ones(max(inst.n_ops - 1, 0), dtype=bool)
        same_job[off[1:-1] - 1] = False
        positive = inst.op_duration > 0
        timed = None if positive.all() else np.flatnonzero(positive)
        cached = _Layout(sizes=np.diff(off).tolist(), first=off[:-1], same_job=same_job,
                         timed=timed,
                         timed_machine=inst.op_machine if timed is None else
                         inst.op_machine[timed],
                         timed_duration=inst.op_duration if timed is None else
                         inst.op_duration[timed],
                         longest=int(inst.op_duration.max()))
        object.__setattr__(inst, "_check_layout", cached)
    return cached


def _plain_starts(inst: JobShop, layout: _Layout,
                  rows: Any) -> tuple[np.ndarray, int, int] | None:
    """The start times of the plain case, every row a list of Python ints of the job's
    length and magnitude at most 2^53, as int64, with their smallest and largest; ``None`` for
    anything else, which the general reading (:func:`_start_times`) then decides.

    In the plain case the general reading gets exactly these values: the floats it converts
    the ints to are exact below 2^53.
    """
    if not isinstance(rows, list | tuple) or set(map(type, rows)) != {list} or \
            list(map(len, rows)) != layout.sizes:
        return None
    flat: list[Any] = []
    for row in rows:
        flat += row
    if set(map(type, flat)) != {int}:  # no bool, float, numpy scalar or anything else
        return None
    try:
        start = np.fromiter(flat, dtype=np.int64, count=inst.n_ops)
    except OverflowError:
        return None
    low, high = int(start.min()), int(start.max())
    if high > MAX_EXACT or low < -MAX_EXACT:
        return None
    return start, low, high


def _no_violation(inst: JobShop, layout: _Layout, start: np.ndarray, low: int,
                  high: int) -> bool:
    """True when a schedule with a start time for every operation (the smallest ``low``, the
    largest ``high``) breaks none of the rules :func:`check` tests: no start before 0 or
    before the job's release, every operation after its route predecessor ends, and no two
    operations of positive duration overlapping on a machine."""
    if low < 0 or (start[layout.first] < inst.release).any():
        return False
    dur = inst.op_duration
    if ((start[1:] - start[:-1] < dur[:-1]) & layout.same_job).any():
        return False
    s = start if layout.timed is None else start[layout.timed]
    if s.size < 2:
        return True
    e = s + layout.timed_duration
    span = high + layout.longest + 1  # above every end time
    if inst.machines * span >= _KEY_LIMIT:
        m = layout.timed_machine
        order = np.lexsort((s, m))
        m, s, e = m[order], s[order], e[order]
        return not ((m[1:] == m[:-1]) & (s[1:] < e[:-1])).any()
    # Machine m's times shifted into [m·span, (m+1)·span). Sorted on their own, the starts
    # and the ends of one machine take the same places, and its intervals (positive lengths,
    # half-open) are disjoint iff each one's i-th smallest end is at most its (i+1)-th
    # smallest start: then at most one interval is open at any time. Across the boundary of
    # two machines the test always holds, so one comparison of the two sorted arrays checks
    # every machine.
    # (Keys below 2**31 sort as int32, twice as fast.)
    base = layout.timed_machine * span
    keys = np.int32 if inst.machines * span <= np.iinfo(np.int32).max else np.int64
    starts = (base + s).astype(keys, copy=False)
    ends = (base + e).astype(keys, copy=False)
    starts.sort()
    ends.sort()
    return bool((ends[:-1] <= starts[1:]).all())


def _start_times(inst: JobShop, solution: Any, found: Found) -> tuple[np.ndarray, np.ndarray]:
    """int64 start time of every operation, and which operations have one."""
    rows = member(solution, "start")
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise Malformed("start must be a list with one list of start times per job")
    n = inst.n_jobs
    if len(rows) > n:
        raise Malformed(f"start has {len(rows)} jobs, the instance {n}")
    sizes = np.diff(inst.job_offsets)
    if len(rows) == n and all(isinstance(r, list | tuple | np.ndarray) and len(r) == size
                              for r, size in zip(rows, sizes.tolist(), strict=True)):
        # Fast path for the common, well-shaped case; anything odd falls through to the
        # row-by-row reading below, which names the problem.
        try:
            numbers_only(itertools.chain.from_iterable(rows), "start")
            flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64,
                               count=inst.n_ops)
        except (Malformed, TypeError, ValueError):
            flat = None
        if flat is not None and np.isfinite(flat).all():
            return exact_ints(flat, "start"), np.ones(inst.n_ops, dtype=bool)
    start = np.zeros(inst.n_ops, dtype=np.int64)
    have = np.zeros(inst.n_ops, dtype=bool)
    for j in range(n):
        a, b = int(inst.job_offsets[j]), int(inst.job_offsets[j + 1])
        if j >= len(rows):
            found.add("missing", f"job {j} has no start times")
            continue
        s = parse_ints(rows[j], f"start[{j}]")
        if s.size > b - a:
            raise Malformed(f"start[{j}] has {s.size} entries, job {j} has {b - a} operations")
        if s.size < b - a:
            found.add("missing", f"job {j}: operations {s.size}..{b - a - 1} have no start time")
        start[a:a + s.size] = s
        have[a:a + s.size] = True
    return start, have


def check(inst: JobShop, solution: Any, found: Found) -> np.ndarray:
    # The common case first: a well-formed schedule that breaks no rule is read and checked
    # with a few array operations. Anything else (and every schedule that breaks a rule) goes
    # through the reading and the checks below, which name each violation.
    layout = _layout(inst)
    if isinstance(solution, Mapping) and "start" in solution:
        plain = _plain_starts(inst, layout, solution["start"])
        if plain is not None and _no_violation(inst, layout, *plain):
            return plain[0]
    start, have = _start_times(inst, solution, found)
    dur = inst.op_duration
    off = inst.job_offsets

    def label(k: int) -> str:
        j = int(np.searchsorted(off, k, side="right") - 1)
        return f"job {j} op {k - int(off[j])}"

    for k in np.flatnonzero(have & (start < 0)).tolist():
        found.add("range", f"{label(k)} starts at {start[k]} < 0")
    first = off[:-1]
    late = have[first] & (start[first] < inst.release)
    for j in np.flatnonzero(late).tolist():
        found.add("release", f"job {j} starts at {start[first[j]]} before its release "
                             f"{int(inst.release[j])}")
    nxt = np.arange(inst.n_ops - 1)
    same_job = np.ones(inst.n_ops - 1, dtype=bool)
    same_job[off[1:-1] - 1] = False
    pairs = nxt[same_job & have[:-1] & have[1:]]
    bad = pairs[start[pairs + 1] < start[pairs] + dur[pairs]]
    for k in bad.tolist():
        found.add("precedence", f"{label(k + 1)} starts at {start[k + 1]} before {label(k)} "
                                f"ends at {start[k] + dur[k]}")
    idx = np.flatnonzero(have)
    sub_label = (lambda i: label(int(idx[i])))  # noqa: E731 - tiny adapter
    check_machine_overlap(found, inst.op_machine[idx], start[idx], dur[idx], sub_label,
                           "machine")
    return start


def objective(inst: JobShop, start: np.ndarray) -> float:
    end = start + inst.op_duration
    completion = end[inst.job_offsets[1:] - 1]
    if inst.objective == "makespan":
        return float(np.max(end))
    if inst.objective == "total_weighted_completion":
        return float(np.dot(inst.weight, completion))
    tard = np.maximum(0.0, completion - inst.due)
    return float(np.dot(inst.weight, tard))


def lower_bound(inst: JobShop) -> float:
    dur = inst.op_duration
    off = inst.job_offsets
    job_len = np.add.reduceat(dur, off[:-1])
    if inst.objective == "total_weighted_completion":
        return float(np.dot(inst.weight, inst.release + job_len))
    if inst.objective == "total_weighted_tardiness":
        return float(np.dot(inst.weight, np.maximum(0, inst.release + job_len - inst.due)))
    # One-machine relaxation with heads and tails: a machine cannot start before the smallest
    # head of its operations and must be followed by the smallest tail.
    job_of = np.repeat(np.arange(inst.n_jobs), np.diff(off))
    cum = np.cumsum(dur) - dur  # sum of durations before op k over all ops
    head = inst.release[job_of] + cum - cum[off[job_of]]
    tail = job_len[job_of] - (cum - cum[off[job_of]]) - dur
    lb = float(np.max(inst.release + job_len))
    M = inst.machines
    min_head = np.full(M, np.inf)
    min_tail = np.full(M, np.inf)
    np.minimum.at(min_head, inst.op_machine, head)
    np.minimum.at(min_tail, inst.op_machine, tail)
    load = np.bincount(inst.op_machine, weights=dur, minlength=M)
    used = np.isfinite(min_head)
    if used.any():
        lb = max(lb, float((min_head + load + min_tail)[used].max()))
    # Each machine's operations in index order, from one stable sort (not one scan per machine).
    by_machine = np.argsort(inst.op_machine, kind="stable")
    ends = np.cumsum(np.bincount(inst.op_machine, minlength=M))
    for m in np.flatnonzero(used).tolist():
        on = by_machine[(ends[m - 1] if m else 0):ends[m]]
        lb = max(lb, _jackson_preemptive(head[on], dur[on], tail[on]))
    return lb


def _jackson_preemptive(head: np.ndarray, dur: np.ndarray, tail: np.ndarray) -> float:
    """Makespan of Jackson's preemptive schedule on one machine with heads and tails.

    At every moment the released operation with the largest tail runs (preempting if needed);
    max(completion + tail) is the optimum of the preemptive one-machine relaxation and so a
    lower bound of the job shop (Carlier, EJOR 11:42-47, 1982; Carlier & Pinson 1989).
    """
    import heapq

    order = np.argsort(head, kind="stable").tolist()
    left = dur.astype(np.float64).tolist()
    r, q = head.tolist(), tail.tolist()
    ready: list[tuple[float, int]] = []
    t, i, best = 0.0, 0, 0.0
    while i < len(order) or ready:
        if not ready:
            t = max(t, r[order[i]])
        while i < len(order) and r[order[i]] <= t:
            heapq.heappush(ready, (-q[order[i]], order[i]))
            i += 1
        _, k = heapq.heappop(ready)
        # run k until it ends or the next release, whichever is first
        nxt = r[order[i]] if i < len(order) else np.inf
        run = min(left[k], nxt - t)
        t += run
        left[k] -= run
        if left[k] > 0:
            heapq.heappush(ready, (-q[k], k))
        else:
            best = max(best, t + q[k])
    return best


def schedule(inst: JobShop, start: np.ndarray, solution: Any) -> list[dict[str, Any]]:
    """One row per operation, job by job in route order: ``job``, ``operation`` (its place on
    the route), ``machine``, ``start``, ``end``, ``duration``."""
    job = np.repeat(np.arange(inst.n_jobs), np.diff(inst.job_offsets)).tolist()
    first = inst.job_offsets[:-1].tolist()
    starts, dur = start.tolist(), inst.op_duration.tolist()
    return [{"job": j, "operation": k - first[j], "machine": m, "start": s, "end": s + d,
             "duration": d}
            for k, (j, m, s, d) in enumerate(zip(job, inst.op_machine.tolist(), starts, dur,
                                                 strict=True))]
