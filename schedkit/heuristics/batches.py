"""Running a search kernel in batches until a time limit, an iteration limit or its own stop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BatchRun", "run_in_batches"]


@dataclass
class BatchRun:
    """``iterations`` run, seconds from ``started`` to the last new best, and why it stopped:
    ``"iteration limit"``, ``"time limit"`` or ``"kernel"`` (the kernel stopped by itself)."""

    iterations: int
    time_to_best_s: float
    stopped: str


def run_in_batches(step: Callable[[int, int], tuple[int, float]], best: float, *,
                   started: float, time_limit: float | None, iterations: int | None,
                   first_batch: int = 1, max_batch: int = 1024) -> BatchRun:
    """Call ``step(done, todo)`` — run up to ``todo`` more iterations, return (iterations run,
    best value) — until a limit is reached or a call runs fewer iterations than asked. ``best``
    is the best value before the first call.

    With a time limit (counted from the ``time.perf_counter()`` reading ``started``) batches
    grow to about 20 ms and never aim past the deadline; without one they double up to
    ``max_batch``. The batch sizes, hence the results, depend only on the iteration limit when
    there is no time limit.
    """
    done = 0
    batch = first_batch
    deadline = None if time_limit is None else started + time_limit
    time_to_best = time.perf_counter() - started
    while True:
        todo = batch if iterations is None else min(batch, iterations - done)
        if todo <= 0:
            return BatchRun(done, time_to_best, "iteration limit")
        b0 = time.perf_counter()
        steps, value = step(done, todo)
        now = time.perf_counter()
        done += steps
        if value < best:
            best = value
            time_to_best = now - started
        if steps < todo:
            return BatchRun(done, time_to_best, "kernel")
        if deadline is not None:
            left = deadline - now
            if left <= 0:
                return BatchRun(done, time_to_best, "time limit")
            per_step = max((now - b0) / max(steps, 1), 1e-7)
            batch = int(max(1, min(batch * 2, 0.02 / per_step, left / per_step)))
        else:
            batch = min(batch * 2, max_batch)
