"""Compiling the single-machine kernels before a time limit starts (:func:`warm_up`)."""

from __future__ import annotations

from functools import cache

import numpy as np

from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..search import Stop
from .baseline import baseline_solution
from .dp import dp_optimum
from .local_search import local_search
from .neighbourhood_kernels import insert_jobs, window_dp
from .rules import RULES, rule_sequence
from .sequences import job_arrays, sequence_value, solution
from .ssdp import ssdp_search

__all__ = ["PARTS", "warm_up"]


def _tiny(release: bool) -> SingleMachine:
    return SingleMachine(processing=[3, 1, 2, 2], due=[4, 2, 6, 5], weight=[1, 2, 1, 3],
                         release=[0, 2, 1, 0] if release else None, name="warm-up")


@cache
def _part(name: str) -> None:
    if name == "baseline":
        baseline_solution(_tiny(False))
    elif name == "rules":
        for release in (False, True):  # release dates take another path of the kernels
            inst = _tiny(release)
            for rule in RULES:
                seq = rule_sequence(inst, rule)
                sequence_value(inst, seq)
                solution(inst, seq)
    elif name == "ls":
        inst = _tiny(False)
        local_search(inst, np.arange(inst.n_jobs, dtype=np.int64), Stop(iterations=3))
    elif name == "alns":
        p, d, w, r = job_arrays(_tiny(False))
        seq = np.arange(4, dtype=np.int64)
        window_dp(p, d, w, 0, seq, 1, 2)
        insert_jobs(p, d, w, r, 0, seq[:2], seq[2:])
    elif name == "bound":  # the Lagrangian tardiness bound that every solve computes
        for release in (False, True):
            lower_bound(_tiny(release))
    elif name == "dp":
        for release in (False, True):
            dp_optimum(_tiny(release))
    elif name == "ssdp":
        p, d, w, _ = job_arrays(_tiny(False))
        ssdp_search(p, d, w, np.arange(4, dtype=np.int64), iterations=3)
    else:
        raise ValueError(f"no single-machine warm-up part {name!r} (parts: {', '.join(PARTS)})")


#: The parts :func:`warm_up` can compile.
PARTS = ("baseline", "rules", "ls", "dp", "alns", "ssdp")


def warm_up(*parts: str) -> None:
    """Compile (or load from Numba's cache) the kernels of ``parts``, and those of the lower
    bound, by running them once on a tiny instance; each part at most once per process."""
    for name in ("bound", *parts):
        _part(name)
