"""Single-machine heuristics and the subset DP: wrappers over :mod:`.sm_kernels`.

The wrappers turn a :class:`~schedkit.instances.SingleMachine` into int64 arrays once, call a
Numba kernel and hand back a job sequence (``int64`` array) or a solution dict
``{"sequence": [...], "start": [...]}`` as the evaluator reads it.

Rules (each one O(n log n) unless noted), all non-delay with release dates:

========  ====================================================================================
``edd``   earliest due date (Jackson 1955); optimal for 1||Lmax
``spt``   shortest processing time
``wspt``  weighted shortest processing time p/w (Smith 1956); optimal for 1||ΣwjCj
``mdd``   modified due date max(d, t + p) (Baker & Bertrand 1982)
``atc``   apparent tardiness cost (Vepsalainen & Morton 1987), look-ahead ``k`` (default 2)
``covert``  cost over time (Carroll 1965), look-ahead ``k`` (default 2); O(n²)
``moore``   Moore–Hodgson (Moore 1968); optimal for 1||ΣUj
``eddc``  EDD Challenger (Çetinkaya et al. 2025); O(n²)
``mddc``  MDD Challenger (Çetinkaya et al. 2025); O(n²)
========  ====================================================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..instances import SingleMachine
from ..instances.evaluate import lower_bound
from . import sm_kernels as K
from .batches import run_in_batches

__all__ = [
    "RULES",
    "ATC_DEFAULT_K",
    "COVERT_DEFAULT_K",
    "DP_DEFAULT_MAX_JOBS",
    "objective_code",
    "job_arrays",
    "rule_sequence",
    "special_case_exact",
    "best_rule",
    "sm_solution",
    "sequence_value",
    "local_search",
    "dp_optimum",
]

#: ATC look-ahead: Vepsalainen & Morton (1987) found k = 2 a good single value across due-date
#: tightness (their range of good values is roughly 1.5 … 3 for tight due dates).
ATC_DEFAULT_K = 2.0
#: COVERT look-ahead: k = 2 processing times of slack, the value Vepsalainen & Morton compared.
COVERT_DEFAULT_K = 2.0
#: Largest n the subset DP accepts by default (2^20 ≈ 10^6 subsets, about 40 MB of labels).
DP_DEFAULT_MAX_JOBS = 20


def objective_code(inst: SingleMachine) -> int:
    """Index of the instance's objective in ``SingleMachine.objectives`` (the kernels' code)."""
    return SingleMachine.objectives.index(inst.objective)


def job_arrays(inst: SingleMachine) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contiguous int64 ``p, d, w, r``."""
    return tuple(np.ascontiguousarray(a, dtype=np.int64)  # type: ignore[return-value]
                 for a in (inst.processing, inst.due, inst.weight, inst.release))


def _ratio(p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """w/p with p = 0 read as infinitely urgent (or worthless when w = 0 too)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = w / p.astype(np.float64)
    out[(p == 0) & (w > 0)] = np.inf
    out[(p == 0) & (w == 0)] = 0.0
    return out


def _static(key: np.ndarray) -> np.ndarray:
    return np.full(key.shape[0], np.inf)


def _edd(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, r = job_arrays(inst)
    key = d.astype(np.float64)
    return K.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _spt(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, _d, _w, r = job_arrays(inst)
    key = p.astype(np.float64)
    return K.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _wspt(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, _d, w, r = job_arrays(inst)
    with np.errstate(divide="ignore"):
        key = 1.0 / _ratio(p, w)  # p/w; w = 0 gives +inf (last), p = 0 < w gives 0 (first)
    return K.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _mdd(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, r = job_arrays(inst)
    return K.dispatch_two_class(p, r, d.astype(np.float64), 0.0, p.astype(np.float64), 1.0,
                                (d - p).astype(np.float64))


def _atc(inst: SingleMachine, k: float = ATC_DEFAULT_K, **_: Any) -> np.ndarray:
    p, d, w, r = job_arrays(inst)
    # p̄ is the mean processing time of all jobs: fixed, so that the early jobs keep one order
    # (Vepsalainen & Morton average over the jobs waiting in the queue).
    scale = k * max(float(p.mean()), 1e-9)
    with np.errstate(divide="ignore"):
        late = -np.log(_ratio(p, w))
    early = late + (d - p) / scale
    return K.dispatch_two_class(p, r, early, -1.0 / scale, late, 0.0,
                                (d - p).astype(np.float64))


def _covert(inst: SingleMachine, k: float = COVERT_DEFAULT_K, **_: Any) -> np.ndarray:
    p, d, w, r = job_arrays(inst)
    return K.covert_sequence(p, d, w, r, float(k))


def _moore(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, w, _r = job_arrays(inst)
    return K.moore_hodgson(p, d, w)


def _eddc(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, _r = job_arrays(inst)
    return K.eddc_sequence(p, d)


def _mddc(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, r = job_arrays(inst)
    return K.mddc_sequence(p, d, r)


#: Rule name → function(instance, **options) → job sequence.
RULES: dict[str, Callable[..., np.ndarray]] = {
    "edd": _edd,
    "spt": _spt,
    "wspt": _wspt,
    "mdd": _mdd,
    "atc": _atc,
    "covert": _covert,
    "moore": _moore,
    "eddc": _eddc,
    "mddc": _mddc,
}


def rule_sequence(inst: SingleMachine, rule: str, **options: Any) -> np.ndarray:
    """The job sequence of dispatching rule ``rule`` (a key of :data:`RULES`)."""
    return RULES[rule](inst, **options)


def special_case_exact(inst: SingleMachine, rule: str) -> bool:
    """True when ``rule`` is proved optimal for this instance's objective and data.

    EDD for 1||Lmax (Jackson 1955), WSPT for 1||ΣwjCj (Smith 1956), Moore–Hodgson for 1||ΣUj
    (Moore 1968; equal weights make ΣwjUj a multiple of ΣUj). None of them with release dates:
    1|r_j|Lmax and 1|r_j|ΣCj are strongly NP-hard (Lenstra, Rinnooy Kan & Brucker 1977).
    """
    if np.any(inst.release > inst.release.min()):
        return False  # a common release date only shifts every schedule
    obj = inst.objective
    if rule == "edd":
        return obj == "max_lateness"
    if rule == "wspt":
        return obj == "total_weighted_completion"
    if rule == "moore":
        return obj == "weighted_tardy_jobs" and bool(np.all(inst.weight == inst.weight[0]))
    return False


def sequence_value(inst: SingleMachine, seq: np.ndarray) -> float:
    """Objective of ``seq`` computed by the kernel (the evaluator re-checks it in solve())."""
    p, d, w, r = job_arrays(inst)
    return float(K.sequence_objective(p, d, w, r, objective_code(inst),
                                      np.ascontiguousarray(seq, dtype=np.int64)))


def sm_solution(inst: SingleMachine, seq: np.ndarray) -> dict[str, Any]:
    """``{"sequence", "start"}`` with the earliest start times of ``seq``."""
    p, _d, _w, r = job_arrays(inst)
    seq = np.ascontiguousarray(seq, dtype=np.int64)
    comp = K.completion_times(p, r, seq)
    start = np.empty(seq.shape[0], dtype=np.int64)
    start[seq] = comp - p[seq]
    return {"sequence": seq.tolist(), "start": start.tolist()}


#: Rules tried by :func:`best_rule` (COVERT, EDDC and MDDC are O(n²): skipped above this n).
_QUADRATIC_MAX_N = 5000


def best_rule(inst: SingleMachine) -> tuple[str, np.ndarray, float]:
    """The best sequence among all rules (ties: the first in :data:`RULES` order)."""
    best: tuple[str, np.ndarray, float] | None = None
    for name in RULES:
        if name in ("covert", "eddc", "mddc") and inst.n_jobs > _QUADRATIC_MAX_N:
            continue
        seq = rule_sequence(inst, name)
        value = sequence_value(inst, seq)
        if best is None or value < best[2]:
            best = (name, seq, value)
    assert best is not None
    return best


def local_search(
    inst: SingleMachine,
    start: np.ndarray,
    *,
    time_limit: float | None = None,
    iterations: int | None = None,
    strength: int = 3,
    restart: int = 50,
    stall: int = 0,
    seed: int = 0,
    lower: float | None = None,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Iterated local search from ``start`` (see :func:`.sm_kernels.ils_run`).

    Runs the kernel in batches until the wall-clock ``time_limit``, the ``iterations`` limit,
    ``stall`` iterations without a new best (0: no such rule) or the ``lower`` bound is reached
    (a time or iteration limit must be given). Seeded: the
    same seed and iteration limit give the same result; a time limit makes it depend on speed.

    Returns
    -------
    sequence, objective, stats
    """
    if time_limit is None and iterations is None:
        raise ValueError("local_search needs a time limit or an iteration limit")
    t0 = time.perf_counter()
    p, d, w, r = job_arrays(inst)
    code = objective_code(inst)
    cur = np.ascontiguousarray(start, dtype=np.int64).copy()
    cur_obj = K.descent(p, d, w, r, code, cur)
    best = cur.copy()
    best_obj = cur_obj
    lb = lower_bound(inst) if lower is None else lower
    rng = 1 + (int(seed) * 2654435761 + 12345) % (2**31 - 3)  # LCG states are 1 .. 2^31-2
    state = {"cur": cur_obj, "best": best_obj, "since": 0, "rng": rng}

    def step(done: int, todo: int) -> tuple[int, float]:
        state["cur"], state["best"], state["since"], state["rng"], steps = K.ils_run(
            p, d, w, r, code, cur, state["cur"], best, state["best"], todo, strength, restart,
            state["since"], stall, float(lb), state["rng"])
        return int(steps), state["best"]

    run = run_in_batches(step, best_obj, started=t0, time_limit=time_limit,
                         iterations=iterations)
    best_obj, since = state["best"], state["since"]
    stats = {"iterations": run.iterations, "time_to_best_s": round(run.time_to_best_s, 6),
             "stalled": bool(stall > 0 and since >= stall),
             "reached_lower_bound": bool(best_obj <= lb + 1e-9 * max(1.0, abs(lb)))}
    return best, float(best_obj), stats


def dp_optimum(
    inst: SingleMachine, *, time_limit: float | None = None, max_labels: int = 60_000_000,
) -> tuple[np.ndarray, float, dict[str, Any]] | None:
    """Exact optimum by the DP over subsets (:func:`.sm_kernels.dp_chunk`).

    State space: all 2^n subsets of jobs; one label per subset without release dates (time
    O(n·2^n), memory ≈ 40 bytes · 2^n), a Pareto set of (completion, cost) labels per subset with
    them. The caller bounds n; ``max_labels`` bounds the label memory.

    Returns
    -------
    (sequence, objective, stats), or None when the time limit ran out first.

    Raises
    ------
    MemoryError
        When the Pareto sets need more than ``max_labels`` labels.
    """
    t0 = time.perf_counter()
    n = inst.n_jobs
    p, d, w, r = job_arrays(inst)
    code = objective_code(inst)
    full = (1 << n) - 1
    start = np.zeros(full + 1, dtype=np.int64)
    count = np.zeros(full + 1, dtype=np.int64)
    cap = min(max_labels, max(1024, 2 * (full + 1)))
    lab_t = np.zeros(cap, dtype=np.int64)
    lab_c = np.zeros(cap, dtype=np.float64)
    lab_prev = np.full(cap, -1, dtype=np.int64)
    lab_job = np.full(cap, -1, dtype=np.int64)
    lab_c[0] = -np.inf if code == K.OBJ_MAX_LATENESS else 0.0
    count[0] = 1
    nlab = 1
    mask = 1
    chunk = 1 << 14
    widest = 1
    while mask <= full:
        hi = min(full + 1, mask + chunk)
        mask, nlab, most = K.dp_chunk(p, d, w, r, code, mask, hi, start, count, lab_t, lab_c,
                                      lab_prev, lab_job, nlab)
        widest = max(widest, most)
        if mask < hi:  # out of label room
            if lab_t.shape[0] >= max_labels:
                raise MemoryError(f"the DP needs more than {max_labels} labels")
            grow = min(max_labels, 2 * lab_t.shape[0])
            lab_t = np.resize(lab_t, grow)
            lab_c = np.resize(lab_c, grow)
            lab_prev = np.resize(lab_prev, grow)
            lab_job = np.resize(lab_job, grow)
        if time_limit is not None and time.perf_counter() - t0 > time_limit and mask <= full:
            return None
    first = start[full]
    best = first + int(np.argmin(lab_c[first:first + count[full]]))
    seq = []
    lab = best
    while lab_job[lab] >= 0:
        seq.append(int(lab_job[lab]))
        lab = lab_prev[lab]
    seq.reverse()
    stats = {"subsets": full + 1, "labels": int(nlab), "max_labels_per_subset": int(widest)}
    return np.array(seq, dtype=np.int64), float(lab_c[best]), stats
