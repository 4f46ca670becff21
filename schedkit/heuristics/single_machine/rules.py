"""Single-machine dispatching rules: wrappers over :mod:`.rule_kernels`.

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

from collections.abc import Callable
from typing import Any

import numpy as np

from ...instances import SingleMachine
from . import rule_kernels as RK
from .sequences import job_arrays, sequence_value

__all__ = ["RULES", "ATC_DEFAULT_K", "COVERT_DEFAULT_K", "rule_sequence", "special_case_exact",
           "best_rule"]

#: ATC look-ahead: Vepsalainen & Morton (1987) found k = 2 a good single value across due-date
#: tightness (their range of good values is roughly 1.5 … 3 for tight due dates).
ATC_DEFAULT_K = 2.0
#: COVERT look-ahead: k = 2 processing times of slack, the value Vepsalainen & Morton compared.
COVERT_DEFAULT_K = 2.0


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
    return RK.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _spt(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, _d, _w, r = job_arrays(inst)
    key = p.astype(np.float64)
    return RK.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _wspt(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, _d, w, r = job_arrays(inst)
    with np.errstate(divide="ignore"):
        key = 1.0 / _ratio(p, w)  # p/w; w = 0 gives +inf (last), p = 0 < w gives 0 (first)
    return RK.dispatch_two_class(p, r, key, 0.0, key, 0.0, _static(key))


def _mdd(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, r = job_arrays(inst)
    return RK.dispatch_two_class(p, r, d.astype(np.float64), 0.0, p.astype(np.float64), 1.0,
                                (d - p).astype(np.float64))


def _atc(inst: SingleMachine, k: float = ATC_DEFAULT_K, **_: Any) -> np.ndarray:
    p, d, w, r = job_arrays(inst)
    # p̄ is the mean processing time of all jobs: fixed, so that the early jobs keep one order
    # (Vepsalainen & Morton average over the jobs waiting in the queue).
    scale = k * max(float(p.mean()), 1e-9)
    with np.errstate(divide="ignore"):
        late = -np.log(_ratio(p, w))
    early = late + (d - p) / scale
    return RK.dispatch_two_class(p, r, early, -1.0 / scale, late, 0.0,
                                (d - p).astype(np.float64))


def _covert(inst: SingleMachine, k: float = COVERT_DEFAULT_K, **_: Any) -> np.ndarray:
    p, d, w, r = job_arrays(inst)
    return RK.covert_sequence(p, d, w, r, float(k))


def _moore(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, w, _r = job_arrays(inst)
    return RK.moore_hodgson(p, d, w)


def _eddc(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, _r = job_arrays(inst)
    return RK.eddc_sequence(p, d)


def _mddc(inst: SingleMachine, **_: Any) -> np.ndarray:
    p, d, _w, r = job_arrays(inst)
    return RK.mddc_sequence(p, d, r)


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
