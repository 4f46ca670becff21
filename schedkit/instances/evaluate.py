"""The one evaluator: feasibility check, objective and cheap lower bound for every problem.

Every solution any method returns is re-checked here, from scratch, before a result may be called
feasible or optimal. Solutions are plain JSON-like dicts (``DESIGN.md`` §3):

=====================  =======================================================================
problem                solution
=====================  =======================================================================
``jobshop``            ``{"start": [[s_jk, …] per job]}``
``single_machine``     ``{"sequence": [job, …], "start": [s_j] (optional)}``
``dag``                ``{"processor": [p_t], "start": [s_t]}``
``expert_placement``   ``{"replicas": [[[gpu, …] per expert] per layer]}``
``sequence_parallel``  ``{"microbatches": [[{"devices": [...], "sequences": [...]}, …], …]}``
=====================  =======================================================================
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError
from .model import DAG, ExpertPlacement, Instance, JobShop, SequenceParallel, SingleMachine

__all__ = [
    "Violation",
    "Evaluation",
    "VIOLATION_KINDS",
    "check",
    "objective",
    "evaluate",
    "lower_bound",
    "metrics",
    "sm_start_times",
]

VIOLATION_KINDS = (
    "format",  # the solution is not shaped as the problem's solution must be
    "range",  # an index (machine, processor, GPU, device, job) or a time out of range
    "missing",  # a job, operation, task, expert or sequence without a place
    "duplicate",  # a job or sequence placed twice
    "release",  # started before its release date
    "overlap",  # two operations/tasks at once on one machine/processor
    "precedence",  # a successor started before its predecessor (plus communication) finished
    "slots",  # a GPU's replica count differs from slots_per_gpu
    "replica_same_gpu",  # two replicas of one expert on one GPU
    "degree",  # a sequence-parallel group whose size is not an allowed degree
    "device_reuse",  # a device in two groups of one micro-batch
    "memory",  # a group holds more tokens than its devices' memory
)

#: Relative tolerance for float times (DAG communication is fractional).
TOL = 1e-9
_PER_KIND = 10  # violations listed per kind before they are only counted


@dataclass(frozen=True)
class Violation:
    """One broken rule of a solution: ``kind`` is one of :data:`VIOLATION_KINDS`."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Evaluation:
    """Outcome of :func:`evaluate`: violations, and the objective when the solution is feasible."""

    violations: list[Violation] = field(default_factory=list)
    objective: float | None = None

    @property
    def feasible(self) -> bool:
        return not self.violations


class _Found:
    """Collects violations, listing the first few of each kind and counting the rest."""

    def __init__(self) -> None:
        self.items: list[Violation] = []
        self.extra: dict[str, int] = defaultdict(int)
        self.count: dict[str, int] = defaultdict(int)

    def add(self, kind: str, message: str) -> None:
        self.count[kind] += 1
        if self.count[kind] <= _PER_KIND:
            self.items.append(Violation(kind, message))
        else:
            self.extra[kind] += 1

    def result(self) -> list[Violation]:
        out = list(self.items)
        for kind, n in self.extra.items():
            out.append(Violation(kind, f"... and {n} more {kind} violations"))
        return out


class _Malformed(Exception):
    """Internal: the solution cannot be read as this problem's solution."""


def _numbers(value: Any, what: str, n: int | None = None) -> np.ndarray:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence | np.ndarray):
        raise _Malformed(f"{what} must be a list of numbers")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Malformed(f"{what} must be a list of numbers") from None
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise _Malformed(f"{what} must be a flat list of finite numbers")
    if n is not None and arr.size != n:
        raise _Malformed(f"{what} must have {n} entries, got {arr.size}")
    return arr


def _ints(value: Any, what: str, n: int | None = None) -> np.ndarray:
    arr = _numbers(value, what, n)
    if (arr != np.round(arr)).any():
        raise _Malformed(f"{what} must hold integers")
    return arr.astype(np.int64)


def _key(solution: Any, key: str) -> Any:
    if not isinstance(solution, Mapping) or key not in solution:
        raise _Malformed(f"the solution must be an object with a {key!r} member")
    return solution[key]


def _tol(*arrays: np.ndarray) -> float:
    scale = max([1.0] + [float(np.abs(a).max()) for a in arrays if np.size(a)])
    return TOL * scale


def _check_machine_overlap(
    found: _Found, resource: np.ndarray, start: np.ndarray, dur: np.ndarray, label: Any, what: str
) -> None:
    """Flag intervals [start, start+dur) that intersect on one resource (zero length never do)."""
    tol = _tol(start, dur)
    keep = dur > 0
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((start[idx], resource[idx]))]
    r, s, e = resource[order], start[order], start[order] + dur[order]
    bad = np.flatnonzero((r[1:] == r[:-1]) & (s[1:] < e[:-1] - tol))
    for i in bad.tolist():
        a, b = int(order[i]), int(order[i + 1])
        found.add("overlap", f"{label(a)} [{s[i]:g}, {e[i]:g}) and {label(b)} "
                             f"[{s[i + 1]:g}, {e[i + 1]:g}) overlap on {what} {int(r[i])}")


# ---------------------------------------------------------------------------------------------
# job shop
# ---------------------------------------------------------------------------------------------
def _js_start(inst: JobShop, solution: Any, found: _Found) -> np.ndarray:
    rows = _key(solution, "start")
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise _Malformed("start must be a list with one list of start times per job")
    n = inst.n_jobs
    if len(rows) > n:
        raise _Malformed(f"start has {len(rows)} jobs, the instance {n}")
    sizes = np.diff(inst.job_offsets)
    if len(rows) == n and all(isinstance(r, list | tuple | np.ndarray) and len(r) == size
                              for r, size in zip(rows, sizes.tolist(), strict=True)):
        # Fast path for the common, well-shaped case; anything odd falls through to the
        # row-by-row reading below, which names the problem.
        try:
            flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64,
                               count=inst.n_ops)
        except (TypeError, ValueError):
            flat = None
        if flat is not None and np.isfinite(flat).all():
            return flat
    start = np.full(inst.n_ops, np.nan)
    for j in range(n):
        a, b = int(inst.job_offsets[j]), int(inst.job_offsets[j + 1])
        if j >= len(rows):
            found.add("missing", f"job {j} has no start times")
            continue
        s = _numbers(rows[j], f"start[{j}]")
        if s.size > b - a:
            raise _Malformed(f"start[{j}] has {s.size} entries, job {j} has {b - a} operations")
        if s.size < b - a:
            found.add("missing", f"job {j}: operations {s.size}..{b - a - 1} have no start time")
        start[a:a + s.size] = s
    return start


def _check_jobshop(inst: JobShop, solution: Any, found: _Found) -> np.ndarray:
    start = _js_start(inst, solution, found)
    dur = inst.op_duration.astype(np.float64)
    off = inst.job_offsets
    have = ~np.isnan(start)
    tol = _tol(start[have], dur)

    def label(k: int) -> str:
        j = int(np.searchsorted(off, k, side="right") - 1)
        return f"job {j} op {k - int(off[j])}"

    for k in np.flatnonzero(have & (start < -tol)).tolist():
        found.add("range", f"{label(k)} starts at {start[k]:g} < 0")
    first = off[:-1]
    late = have[first] & (start[first] < inst.release - tol)
    for j in np.flatnonzero(late).tolist():
        found.add("release", f"job {j} starts at {start[first[j]]:g} before its release "
                             f"{int(inst.release[j])}")
    nxt = np.arange(inst.n_ops - 1)
    same_job = np.ones(inst.n_ops - 1, dtype=bool)
    same_job[off[1:-1] - 1] = False
    pairs = nxt[same_job & have[:-1] & have[1:]]
    bad = pairs[start[pairs + 1] < start[pairs] + dur[pairs] - tol]
    for k in bad.tolist():
        found.add("precedence", f"{label(k + 1)} starts at {start[k + 1]:g} before {label(k)} "
                                f"ends at {start[k] + dur[k]:g}")
    idx = np.flatnonzero(have)
    sub_label = (lambda i: label(int(idx[i])))  # noqa: E731 - tiny adapter
    _check_machine_overlap(found, inst.op_machine[idx], start[idx], dur[idx], sub_label,
                           "machine")
    return start


def _objective_jobshop(inst: JobShop, start: np.ndarray) -> float:
    end = start + inst.op_duration
    completion = end[inst.job_offsets[1:] - 1]
    if inst.objective == "makespan":
        return float(np.max(end))
    if inst.objective == "total_weighted_completion":
        return float(np.dot(inst.weight, completion))
    tard = np.maximum(0.0, completion - inst.due)
    return float(np.dot(inst.weight, tard))


def _lb_jobshop(inst: JobShop) -> float:
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
    for m in np.flatnonzero(used).tolist():
        on = np.flatnonzero(inst.op_machine == m)
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


# ---------------------------------------------------------------------------------------------
# single machine
# ---------------------------------------------------------------------------------------------
def sm_start_times(inst: SingleMachine, sequence: np.ndarray) -> np.ndarray:
    """Earliest start times of jobs processed in ``sequence`` order (release dates respected)."""
    start = np.zeros(inst.n_jobs)
    t = 0.0
    p, r = inst.processing, inst.release
    for j in sequence.tolist():
        t = max(t, float(r[j]))
        start[j] = t
        t += float(p[j])
    return start


def _sm_parse(inst: SingleMachine, solution: Any, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    seq = _ints(_key(solution, "sequence"), "sequence")
    n = inst.n_jobs
    out = (seq < 0) | (seq >= n)
    for j in seq[out].tolist()[:_PER_KIND]:
        found.add("range", f"job {j} is out of range 0..{n - 1}")
    seq = seq[~out]
    counts = np.bincount(seq, minlength=n)
    for j in np.flatnonzero(counts > 1).tolist():
        found.add("duplicate", f"job {j} appears {int(counts[j])} times in the sequence")
    for j in np.flatnonzero(counts == 0).tolist():
        found.add("missing", f"job {j} is not in the sequence")
    if isinstance(solution, Mapping) and solution.get("start") is not None:
        start = _numbers(solution["start"], "start", n)
    else:
        start = sm_start_times(inst, seq)
    return seq, start


def _check_single_machine(inst: SingleMachine, solution: Any, found: _Found
                          ) -> tuple[np.ndarray, np.ndarray]:
    seq, start = _sm_parse(inst, solution, found)
    p = inst.processing.astype(np.float64)
    tol = _tol(start, p)
    for j in np.flatnonzero(start < inst.release - tol).tolist():
        found.add("release", f"job {j} starts at {start[j]:g} before its release "
                             f"{int(inst.release[j])}")
    if found.count["duplicate"] == 0 and seq.size > 1:
        a, b = seq[:-1], seq[1:]
        bad = np.flatnonzero(start[b] < start[a] + p[a] - tol)
        for i in bad.tolist():
            found.add("overlap", f"job {int(b[i])} starts at {start[b[i]]:g} before job "
                                 f"{int(a[i])} (before it in the sequence) ends at "
                                 f"{start[a[i]] + p[a[i]]:g}")
    return seq, start


def _objective_single_machine(inst: SingleMachine, parsed: tuple[np.ndarray, np.ndarray]
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


def _lb_single_machine(inst: SingleMachine) -> float:
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
    tard = np.maximum(0, alone - d)
    return float(tard.sum() if obj == "total_tardiness" else np.dot(w, tard))


# ---------------------------------------------------------------------------------------------
# task graph
# ---------------------------------------------------------------------------------------------
def _dag_parse(inst: DAG, solution: Any) -> tuple[np.ndarray, np.ndarray]:
    n = inst.n_tasks
    proc = _ints(_key(solution, "processor"), "processor", n)
    start = _numbers(_key(solution, "start"), "start", n)
    return proc, start


def _check_dag(inst: DAG, solution: Any, found: _Found) -> tuple[np.ndarray, np.ndarray] | None:
    n, P = inst.n_tasks, inst.processors
    try:
        proc, start = _dag_parse(inst, solution)
    except _Malformed as err:
        # A short list is a task without a place; report it as such, not as a shape error.
        for key in ("processor", "start"):
            val = solution.get(key) if isinstance(solution, Mapping) else None
            if isinstance(val, Sequence) and not isinstance(val, str) and len(val) < n:
                found.add("missing", f"tasks {len(val)}..{n - 1} have no {key}")
        if found.count["missing"]:
            return None
        raise err
    bad = (proc < 0) | (proc >= P)
    for t in np.flatnonzero(bad).tolist():
        found.add("range", f"task {t} on processor {int(proc[t])}, out of range 0..{P - 1}")
    if bad.any():
        return None
    for t in np.flatnonzero(start < 0).tolist():
        found.add("range", f"task {t} starts at {start[t]:g} < 0")
    dur = inst.cost[np.arange(n), proc]
    end = start + dur
    tol = _tol(start, dur)
    if inst.edges.size:
        u, v = inst.edges[:, 0], inst.edges[:, 1]
        comm = _comm_times(inst, proc[u], proc[v], inst.edge_data)
        late = np.flatnonzero(start[v] < end[u] + comm - tol)
        for i in late.tolist():
            found.add("precedence", f"task {int(v[i])} starts at {start[v[i]]:g} before task "
                                    f"{int(u[i])}'s result arrives at {end[u[i]] + comm[i]:g}")
    _check_machine_overlap(found, proc, start, dur, lambda t: f"task {t}", "processor")
    return proc, start


def _comm_times(inst: DAG, pu: np.ndarray, pv: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Communication time per edge: 0 on one processor, else latency[p] + data / bandwidth[p,q]."""
    bw = inst.bandwidth_matrix()
    lat = inst.latency_vector()
    same = pu == pv
    comm = np.where(same, 0.0, lat[pu] + data / np.where(same, 1.0, bw[pu, pv]))
    return comm


def _objective_dag(inst: DAG, parsed: tuple[np.ndarray, np.ndarray]) -> float:
    proc, start = parsed
    return float(np.max(start + inst.cost[np.arange(inst.n_tasks), proc]))


def dag_critical_path(inst: DAG) -> float:
    """Longest path with every task at its minimum cost and no communication."""
    w = inst.cost.min(axis=1)
    best = w.copy()
    preds: list[list[int]] = [[] for _ in range(inst.n_tasks)]
    for u, v in inst.edges.tolist():
        preds[v].append(u)
    for t in inst.topological_order().tolist():
        if preds[t]:
            best[t] = w[t] + max(best[u] for u in preds[t])
    return float(best.max())


def _lb_dag(inst: DAG) -> float:
    work = float(inst.cost.min(axis=1).sum()) / inst.processors
    return max(dag_critical_path(inst), work)


# ---------------------------------------------------------------------------------------------
# expert placement
# ---------------------------------------------------------------------------------------------
def _ep_parse(inst: ExpertPlacement, solution: Any, found: _Found) -> list[list[list[int]]]:
    layers = _key(solution, "replicas")
    L, E, G = inst.n_layers, inst.n_experts, inst.gpus
    if not isinstance(layers, Sequence) or isinstance(layers, str) or len(layers) > L:
        raise _Malformed(f"replicas must be a list of {L} layers")
    out: list[list[list[int]]] = []
    for layer in range(L):
        if layer >= len(layers):
            found.add("missing", f"layer {layer} has no placement")
            out.append([[] for _ in range(E)])
            continue
        experts = layers[layer]
        if not isinstance(experts, Sequence) or isinstance(experts, str) or len(experts) > E:
            raise _Malformed(f"replicas[{layer}] must be a list of {E} experts' GPU lists")
        row = []
        for e in range(E):
            gpus = _ints(experts[e], f"replicas[{layer}][{e}]").tolist() if e < len(experts) \
                else []
            if not gpus:
                found.add("missing", f"expert {e} has no replica in layer {layer}")
            for g in gpus:
                if not 0 <= g < G:
                    found.add("range", f"layer {layer} expert {e}: GPU {g} out of range "
                                       f"0..{G - 1}")
            gpus = [g for g in gpus if 0 <= g < G]
            if len(set(gpus)) < len(gpus):
                found.add("replica_same_gpu", f"layer {layer}: expert {e} has two replicas on "
                                              f"one GPU ({gpus})")
            row.append(gpus)
        out.append(row)
    return out


def _ep_gpu_loads(inst: ExpertPlacement, reps: list[list[list[int]]]) -> np.ndarray:
    """float64 (L, G): token load of each GPU, an expert's load split evenly over its replicas."""
    loads = np.zeros((inst.n_layers, inst.gpus))
    for layer, row in enumerate(reps):
        for e, gpus in enumerate(row):
            if gpus:
                np.add.at(loads[layer], gpus, inst.load[layer, e] / len(gpus))
    return loads


def _check_expert_placement(inst: ExpertPlacement, solution: Any, found: _Found
                            ) -> list[list[list[int]]]:
    reps = _ep_parse(inst, solution, found)
    S = inst.slots_per_gpu
    for layer, row in enumerate(reps):
        count = np.bincount([g for gpus in row for g in gpus], minlength=inst.gpus)
        for g in np.flatnonzero(count != S).tolist():
            found.add("slots", f"layer {layer}: GPU {g} holds {int(count[g])} replicas, "
                               f"slots_per_gpu = {S}")
    return reps


def _ep_hop_matrix(inst: ExpertPlacement) -> np.ndarray:
    node = np.arange(inst.gpus) // inst.gpus_per_node
    hop = np.where(node[:, None] == node[None, :], inst.intra_node, inst.inter_node)
    np.fill_diagonal(hop, 0.0)
    return hop.astype(np.float64)


def _objective_expert_placement(inst: ExpertPlacement, reps: list[list[list[int]]]) -> float:
    max_load = float(_ep_gpu_loads(inst, reps).max(axis=1).sum())
    if inst.objective == "max_load":
        return max_load
    hop = _ep_hop_matrix(inst)
    share = np.zeros((inst.n_layers, inst.n_experts, inst.gpus))
    for layer, row in enumerate(reps):
        for e, gpus in enumerate(row):
            if gpus:
                share[layer, e, gpus] = 1.0 / len(gpus)
    traffic = 0.0
    for layer in range(inst.n_layers - 1):
        mean_hop = share[layer] @ hop @ share[layer + 1].T  # E x E mean hop between replicas
        traffic += float((inst.traffic[layer] * mean_hop).sum())
    return inst.per_token * max_load + traffic


def _lb_expert_placement(inst: ExpertPlacement) -> float:
    # The heaviest GPU carries at least the mean, and at least the heaviest expert split over as
    # many replicas as it can get (one per GPU; the other experts keep one slot each).
    r_max = min(inst.gpus, inst.slots - inst.n_experts + 1)
    per_layer = np.maximum(inst.load.sum(axis=1) / inst.gpus, inst.load.max(axis=1) / r_max)
    return float(per_layer.sum()) * (inst.per_token if inst.objective != "max_load" else 1.0)


# ---------------------------------------------------------------------------------------------
# sequence parallel
# ---------------------------------------------------------------------------------------------
def _sp_groups(inst: SequenceParallel, solution: Any, found: _Found) -> list[list[tuple]]:
    mbs = _key(solution, "microbatches")
    if not isinstance(mbs, Sequence) or isinstance(mbs, str):
        raise _Malformed("microbatches must be a list of micro-batches")
    N, K = inst.devices, inst.n_sequences
    seen = np.zeros(K, dtype=np.int64)
    out: list[list[tuple]] = []
    for b, mb in enumerate(mbs):
        if not isinstance(mb, Sequence) or isinstance(mb, str):
            raise _Malformed(f"microbatches[{b}] must be a list of groups")
        used: dict[int, int] = {}
        groups = []
        for g, group in enumerate(mb):
            if not isinstance(group, Mapping) or "devices" not in group or \
                    "sequences" not in group:
                raise _Malformed(f"microbatches[{b}][{g}] must be an object with devices and "
                                 "sequences")
            dev = _ints(group["devices"], f"microbatches[{b}][{g}].devices").tolist()
            seqs = _ints(group["sequences"], f"microbatches[{b}][{g}].sequences").tolist()
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


def _sp_group_time(inst: SequenceParallel, degree: int, seqs: list[int]) -> float:
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


def _check_sequence_parallel(inst: SequenceParallel, solution: Any, found: _Found
                             ) -> list[list[tuple]]:
    return _sp_groups(inst, solution, found)


def _objective_sequence_parallel(inst: SequenceParallel, mbs: list[list[tuple]]) -> float:
    return float(sum(max((_sp_group_time(inst, d, s) for d, s in mb), default=0.0)
                     for mb in mbs))


def _lb_sequence_parallel(inst: SequenceParallel) -> float:
    # Work bound: a group of degree d busy for t uses d·t device-seconds, and each micro-batch
    # lasts as long as its slowest group, so N·step >= Σ d·t >= Σ_k (a1 s² + a2 s) + b1.
    c = inst.cost
    s = inst.lengths.astype(np.float64)
    work = float((c.a1 * s * s + c.a2 * s).sum()) + c.b1
    bound = work / inst.devices
    # Each sequence alone needs a group big enough for its tokens.
    for k in np.argsort(-s)[: min(inst.n_sequences, 64)].tolist():
        need = [d for d in inst.degrees.tolist() if inst.memory_tokens * d >= s[k]]
        single = min(inst.sequence_time(s[k], d) for d in need) + c.b1
        bound = max(bound, single)
    return bound


# ---------------------------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------------------------
_CHECK = {
    "jobshop": _check_jobshop,
    "single_machine": _check_single_machine,
    "dag": _check_dag,
    "expert_placement": _check_expert_placement,
    "sequence_parallel": _check_sequence_parallel,
}
_OBJECTIVE = {
    "jobshop": _objective_jobshop,
    "single_machine": _objective_single_machine,
    "dag": _objective_dag,
    "expert_placement": _objective_expert_placement,
    "sequence_parallel": _objective_sequence_parallel,
}
_LOWER = {
    "jobshop": _lb_jobshop,
    "single_machine": _lb_single_machine,
    "dag": _lb_dag,
    "expert_placement": _lb_expert_placement,
    "sequence_parallel": _lb_sequence_parallel,
}


def _parse(instance: Instance, solution: Any) -> tuple[list[Violation], Any]:
    """Violations, and the parsed solution (meaningful only when there are none)."""
    found = _Found()
    parsed = None
    try:
        parsed = _CHECK[instance.problem](instance, solution, found)
    except _Malformed as err:
        found.add("format", str(err))
    return found.result(), parsed


def check(instance: Instance, solution: Any) -> list[Violation]:
    """Every rule ``solution`` breaks on ``instance`` (empty list: feasible).

    Never raises for a malformed solution: that is reported as a ``format`` violation.
    """
    return _parse(instance, solution)[0]


def objective(instance: Instance, solution: Any) -> float:
    """The objective value of ``solution`` recomputed from scratch.

    Raises
    ------
    InputError
        If the solution is infeasible (the objective of an infeasible solution means nothing).
    """
    ev = evaluate(instance, solution)
    if not ev.feasible:
        raise InputError(f"infeasible solution: {ev.violations[0]}", field="solution")
    return ev.objective


def evaluate(instance: Instance, solution: Any) -> Evaluation:
    """Check ``solution`` and, when feasible, compute its objective (one parse for both)."""
    violations, parsed = _parse(instance, solution)
    if violations:
        return Evaluation(violations, None)
    return Evaluation([], _OBJECTIVE[instance.problem](instance, parsed))


def lower_bound(instance: Instance) -> float:
    """A valid lower bound on the optimal objective that is cheap to compute.

    job shop: max of release + job length and, per machine, Jackson's preemptive schedule with
    heads and tails (makespan), Σ w_j·(r_j + p_j) or Σ w_j·max(0, r_j + p_j − d_j) otherwise; single machine:
    every job alone, plus EDD (Lmax) and WSPT (ΣwjCj) without release dates; DAG: the critical
    path of minimum costs and total minimum work / P; expert placement: Σ_l max(mean GPU load,
    heaviest expert over its maximum replica count); sequence parallel: total work / devices and
    the longest sequence on its best feasible group.
    """
    cached = instance.__dict__.get("_lower_bound")
    if cached is None:
        cached = _LOWER[instance.problem](instance)
        # Instances are frozen with read-only arrays: the bound can be kept on the object.
        object.__setattr__(instance, "_lower_bound", cached)
    return cached


def metrics(instance: Instance, solution: Any) -> dict[str, Any]:
    """Derived metrics of a feasible solution (empty where a problem has none).

    DAG: makespan, SLR (makespan / critical path of minimum costs), speedup (best single
    processor's sequential time / makespan) and efficiency (speedup / P), as defined by Topcuoglu,
    Hariri & Wu (2002). Expert placement: per-layer balancedness = mean / max GPU load.
    """
    violations, parsed = _parse(instance, solution)
    if violations:
        return {}
    if isinstance(instance, DAG):
        makespan = _objective_dag(instance, parsed)
        cp = dag_critical_path(instance)
        sequential = float(instance.cost.sum(axis=0).min())
        speedup = sequential / makespan if makespan > 0 else float("nan")
        return {
            "makespan": makespan,
            "slr": makespan / cp if cp > 0 else float("nan"),
            "speedup": speedup,
            "efficiency": speedup / instance.processors,
        }
    if isinstance(instance, ExpertPlacement):
        loads = _ep_gpu_loads(instance, parsed)
        peak = loads.max(axis=1)
        bal = np.where(peak > 0, loads.mean(axis=1) / np.where(peak > 0, peak, 1.0), 1.0)
        return {"max_load_per_layer": peak.tolist(), "balancedness": bal.tolist()}
    return {}
