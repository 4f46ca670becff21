"""The evaluation protocol of expert placement: plan on one window of load statistics, score on
the next.

This is how the OpenEvolve/ADRS EPLB task and the LauzHack MoE competition judge a placement
policy: a plan computed from window t's expert loads is deployed while window t+1's tokens
arrive, so what counts is its balance on window t+1. :func:`rolling` walks a load history
(``ExpertPlacement.history``, windows × layers × experts) and returns one row per (window,
method): the planning window's max GPU load and gap to the lower bound, and the next window's
balancedness per GPU (mean / max GPU load) and per physical slot (mean / max replica load), its
peak-to-average ratio (max / mean GPU load), the changed slots against the plan deployed
before, and the planner's time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ...instances import ExpertPlacement, InputError
from ...instances.evaluate import lower_bound, metrics
from ...instances.expert_placement.plan import to_eplb_arrays
from ..solve import solve

__all__ = ["rolling", "summarise_rolling"]


def _score(inst: ExpertPlacement, solution: Mapping[str, Any]) -> dict[str, Any]:
    """Balance of ``solution`` on ``inst``'s loads, averaged over the layers."""
    m = metrics(inst, solution)
    peak = np.asarray(m["max_load_per_layer"])
    mean = inst.load.sum(axis=1) / inst.gpus
    par = np.where(mean > 0, peak / np.where(mean > 0, mean, 1.0), 1.0)
    return {"max_load": float(peak.sum()), "balancedness": float(np.mean(m["balancedness"])),
            "min_balancedness": float(np.min(m["balancedness"])),
            "slot_balancedness": float(np.mean(m["slot_balancedness"])),
            "par": float(np.mean(par)), "max_load_per_layer": peak.tolist()}


def rolling(
    instance: ExpertPlacement,
    methods: Sequence[str],
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    max_changed_fraction: float | None = None,
    max_changed_layers: int | None = None,
    windows: Iterable[int] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Plan on window t with each method and score the plan on window t+1.

    Parameters
    ----------
    instance
        An expert-placement instance with a ``history`` of at least two windows.
    methods
        Method names (``schedkit methods expert_placement``).
    time_limit, seed, workers
        Passed to :func:`schedkit.solve` for every plan.
    options
        Method options by method name.
    max_changed_fraction, max_changed_layers
        Migration budget: from the second planned window on, each method's previous plan is the
        one it deployed for the window before, and its new plan may change at most this
        fraction of all slots (rounded down) and this many layers. ``None``: unlimited (the
        moves are still counted).
    windows
        The windows t to plan on (default: every window but the last).
    on_row
        Called with each row as soon as it is ready (progress on long histories).

    Returns
    -------
    list of dict
        One row per (window, method): ``window``, ``method``, ``status``, ``planner_s``
        (the whole ``solve()`` call), ``plan`` (max GPU load summed over the layers on window
        t, ``bound`` the lower bound there, ``gap``, ``max_load_per_layer``), ``next`` (the
        :func:`_score` of the plan on window t+1: ``max_load``, ``balancedness``,
        ``min_balancedness``,
        ``slot_balancedness``, ``par``), ``changed_slots`` and ``changed_layers`` against
        the method's previous plan (0 for the first window).
    """
    if not isinstance(instance, ExpertPlacement) or instance.history is None or \
            instance.history.shape[0] < 2:
        raise InputError("the evaluation protocol needs an expert-placement instance with a "
                         "load history of at least 2 windows (generate with windows=N)",
                         field="history")
    T = instance.history.shape[0]
    chosen = list(range(T - 1)) if windows is None else [int(t) for t in windows]
    for t in chosen:
        if not 0 <= t < T - 1:
            raise InputError(f"window {t}: must be in 0..{T - 2} (the next window is scored)",
                             field="windows")
    if max_changed_fraction is not None and not 0 <= max_changed_fraction <= 1:
        raise InputError(f"must be in [0, 1], got {max_changed_fraction!r}",
                         field="max_changed_fraction")
    budget = None if max_changed_fraction is None else \
        math.floor(max_changed_fraction * instance.n_layers * instance.slots + 1e-9)
    deployed: dict[str, np.ndarray] = {}
    rows: list[dict[str, Any]] = []
    for t in chosen:
        nxt = instance.window(t + 1)
        for name in methods:
            previous = deployed.get(name)
            limited = previous is not None
            plan = instance.window(
                t, previous=previous, max_changed_slots=budget if limited else None,
                max_changed_layers=max_changed_layers if limited else None)
            res = solve(plan, name, time_limit=time_limit, seed=seed, workers=workers,
                        options=(options or {}).get(name))
            row: dict[str, Any] = {"window": t, "method": name, "status": str(res.status),
                                   "planner_s": res.runtime_s, "changed_slots": 0,
                                   "changed_layers": 0}
            if res.solution is None or res.objective is None:
                row["detail"] = res.stop_detail
                rows.append(row)
                if on_row is not None:
                    on_row(row)
                continue
            bound = max(float(res.bound), lower_bound(plan)) if res.bound is not None else \
                lower_bound(plan)
            m = metrics(plan, res.solution)
            row["plan"] = {"max_load": res.objective, "bound": bound,
                           "gap": (res.objective - bound) / max(abs(res.objective), 1e-9),
                           "max_load_per_layer": m["max_load_per_layer"]}
            row["next"] = _score(nxt, res.solution)
            if previous is not None:
                row["changed_slots"] = int(m["changed_slots"])
                row["changed_layers"] = int(np.count_nonzero(m["changed_slots_per_layer"]))
            phy2log, _, _ = to_eplb_arrays(plan, res.solution, old_phy2log=previous)
            deployed[name] = np.asarray(phy2log, dtype=np.int64)
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows


def summarise_rolling(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per method: means over the windows of :func:`rolling`'s rows (medians for time)."""
    out = []
    for name in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == name and "next" in r]
        if not mine:
            out.append({"method": name, "windows": 0})
            continue
        out.append({
            "method": name, "windows": len(mine),
            "plan_gap": float(np.mean([r["plan"]["gap"] for r in mine])),
            "next_balancedness": float(np.mean([r["next"]["balancedness"] for r in mine])),
            "next_slot_balancedness": float(np.mean([r["next"]["slot_balancedness"]
                                                     for r in mine])),
            "next_par": float(np.mean([r["next"]["par"] for r in mine])),
            "changed_slots": float(np.mean([r["changed_slots"] for r in mine])),
            "planner_s": float(np.median([r["planner_s"] for r in mine])),
        })
    return out
