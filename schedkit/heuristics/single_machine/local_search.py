"""Iterated local search for one machine, run in batches under the stopping protocol of
:mod:`schedkit.heuristics.search`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..search import Stop, run_search
from . import local_search_kernels as K
from .sequences import (
    DYNASEARCH_WINDOW,
    NEIGHBOURHOODS,
    dynasearch_fits,
    job_arrays,
    objective_code,
)

__all__ = ["local_search", "descent_window"]


def descent_window(inst: SingleMachine, neighbourhood: str = "auto") -> int:
    """The ``window`` of :func:`.local_search_kernels.improve` for a ``neighbourhood`` of
    :data:`.sequences.NEIGHBOURHOODS`: −1 for the variable-neighbourhood descent (``vnd``,
    and ``auto`` where dynasearch does not apply), else dynasearch's segment cap."""
    if neighbourhood not in NEIGHBOURHOODS:
        raise ValueError(f"neighbourhood must be one of {NEIGHBOURHOODS}, got {neighbourhood!r}")
    fits = dynasearch_fits(inst)
    if neighbourhood == "dynasearch" and not fits:
        raise ValueError("dynasearch needs a sum objective and no release dates")
    if neighbourhood == "vnd" or not fits:
        return -1
    return min(DYNASEARCH_WINDOW, inst.n_jobs)


def local_search(
    inst: SingleMachine,
    start: np.ndarray,
    stop: Stop,
    *,
    strength: int = 3,
    restart: int = 50,
    seed: int = 0,
    lower: float | None = None,
    neighbourhood: str = "auto",
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Iterated local search from ``start`` (Lourenço, Martin & Stützle 2003; see
    :func:`.local_search_kernels.ils_run`).

    Parameters
    ----------
    inst
        The instance.
    start
        The first job sequence.
    stop
        When to stop (:class:`~schedkit.heuristics.search.Stop`: time limit, iteration limit,
        ``stall`` iterations without a new best); the search also stops at ``lower``.
    strength
        Random interchanges per kick.
    restart
        Iterations without a new best after which the walk returns to the best (0: never).
    seed
        Seed of the kicks: the same seed and iteration limit give the same result; a time
        limit makes it depend on speed.
    lower
        A lower bound (default: the evaluator's cheap one).
    neighbourhood
        The descent after each kick (:func:`descent_window`): ``vnd``, the interchange and
        insertion descents; ``dynasearch``, steepest descent over sets of independent swaps and
        insertions (no release dates, sum objectives); ``auto``, dynasearch where it applies.

    Returns
    -------
    sequence, objective, stats
        ``stats["stopped"]`` is the :class:`~schedkit.heuristics.search.StopReason`.
    """
    p, d, w, r = job_arrays(inst)
    code = objective_code(inst)
    cur = np.ascontiguousarray(start, dtype=np.int64).copy()
    window = descent_window(inst, neighbourhood)
    cur_obj = K.improve(p, d, w, r, code, cur, window)
    best = cur.copy()
    best_obj = cur_obj
    lb = lower_bound(inst) if lower is None else lower
    # LCG states are 1 .. 2^31-2. (This stream predates kernels.LCG_MODULUS and is kept: another
    # modulus would change every seeded ls result.)
    rng = 1 + (int(seed) * 2654435761 + 12345) % (2**31 - 3)
    state: dict[str, Any] = {"cur": cur_obj, "best": best_obj, "since": 0, "rng": rng}

    def step(done: int, todo: int) -> tuple[int, float, int]:
        state["cur"], state["best"], state["since"], state["rng"], steps = K.ils_run(
            p, d, w, r, code, cur, state["cur"], best, state["best"], todo, strength, restart,
            state["since"], stop.stall, float(lb), state["rng"], window)
        return int(steps), state["best"], int(state["since"])

    run = run_search(step, best_obj, stop)
    best_obj, since = state["best"], state["since"]
    stats: dict[str, Any] = {
        "iterations": run.iterations, "time_to_best_s": round(run.time_to_best_s, 6),
        "stalled": bool(stop.stall > 0 and since >= stop.stall),
        "reached_lower_bound": bool(best_obj <= lb + 1e-9 * max(1.0, abs(lb))),
        "stopped": run.reason}
    return best, float(best_obj), stats
