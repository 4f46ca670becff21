"""The stopping protocol of the iterative searches (``tabu``, ``ls``) and why a run stopped.

A search stops at the first of three criteria, the three of N-Wouda/ALNS's
``StoppingCriterion`` family (``MaxRuntime``, ``MaxIterations``, ``NoImprovement``):

- a time limit, in seconds from :attr:`Stop.started`;
- an iteration limit (one *iteration* is one step of the method's main loop: a tabu move, a
  kick-and-descent of iterated local search);
- ``stall`` iterations in a row without a new best solution (0: never);

and also when its kernel proves it cannot do better (the best reached a lower bound), or when it
is interrupted (Ctrl-C: :attr:`Stop.interrupt` says so between batches). The options
``iterations``, ``stall`` and ``restart`` of every search method count these same iterations.

An iteration limit reproduces: the same seed and limit give the same result on any machine. A
time limit does not: how far a search gets in so many seconds depends on the machine and its
load.

A kernel runs in batches: :func:`run_search` calls ``step(done, todo)`` with growing batch sizes,
checks the clock between batches and never aims past the time limit. The kernel itself checks
the stall criterion after every iteration (a new best resets it inside a batch), so the result
for a given iteration limit does not depend on the batch sizes or the machine's speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["StopReason", "Stop", "SearchRun", "run_search"]


class StopReason(StrEnum):
    """Why a method stopped (the ``stop_reason`` of a :class:`~schedkit.Result`).

    The free-text detail (the solver's own status, what was returned instead) is kept apart, in
    ``stop_detail``.
    """

    #: It ran to its end: a construction heuristic or a DP finished, or an exact solver ended by
    #: itself (with a proof, or with the answer its status gives).
    FINISHED = "finished"
    TIME_LIMIT = "time limit"
    ITERATION_LIMIT = "iteration limit"
    #: ``stall`` iterations without a new best.
    NO_IMPROVEMENT = "no improvement"
    #: The best objective reached a valid lower bound: nothing better exists.
    LOWER_BOUND = "lower bound"
    #: The method needed more memory than it may use.
    MEMORY_LIMIT = "memory limit"
    #: Ctrl-C: the search stopped early and returned its best solution so far.
    INTERRUPTED = "interrupted"
    #: The method failed, or returned something the evaluator rejected.
    ERROR = "error"


@dataclass(frozen=True)
class Stop:
    """When a search stops: the first of ``time_limit`` seconds from ``started`` (a
    ``time.perf_counter()`` reading), ``iterations`` iterations and ``stall`` iterations without
    a new best (0: never), or ``interrupt()`` turning true (checked between batches). At least
    one of the two limits must be given, and a time limit must be finite.

    ``on_best(value)``, when given, is told of the start's value and of each new best value as
    the search finds it (the progress log of ``schedkit solve -v``); it only reports and never
    changes the search, so a run gives the same result with and without it."""

    time_limit: float | None = None
    iterations: int | None = None
    stall: int = 0
    started: float = field(default_factory=time.perf_counter)
    interrupt: Callable[[], bool] | None = None
    on_best: Callable[[float], None] | None = None

    def __post_init__(self) -> None:
        if self.time_limit is None and self.iterations is None:
            raise ValueError("a search needs a time limit or an iteration limit")
        if self.time_limit is not None and not math.isfinite(self.time_limit):
            raise ValueError(f"a time limit must be finite, got {self.time_limit}")
        if self.stall < 0:
            raise ValueError(f"stall must be >= 0, got {self.stall}")


@dataclass(frozen=True)
class SearchRun:
    """What :func:`run_search` did: ``iterations`` run, seconds from the start to the last new
    best, and why it stopped."""

    iterations: int
    time_to_best_s: float
    reason: StopReason


def run_search(step: Callable[[int, int], tuple[int, float, int]], best: float, stop: Stop, *,
               first_batch: int = 1, max_batch: int = 1024) -> SearchRun:
    """Run a search kernel in batches until ``stop`` says so.

    Parameters
    ----------
    step
        ``step(done, todo)`` runs up to ``todo`` more iterations (``done`` ran before) and
        returns (iterations run, best value, iterations since the best last improved). It runs
        fewer than ``todo`` only when it stops by itself: at ``stop.stall`` iterations without
        a new best, or at a lower bound.
    best
        The best value before the first call.
    stop
        The stopping rule.
    first_batch, max_batch
        Batch sizes: the first, and the largest without a time limit (with one, batches grow
        to about 20 ms at the last batch's pace and never aim past a quarter of the time left
        at the slowest pace seen: a search whose steps change cost by 100x between phases,
        like ``hetsp``'s starts and descents, would otherwise overshoot by a whole batch).
    """
    done = 0
    batch = first_batch
    slowest = 0.0  # seconds per iteration, the slowest batch so far
    deadline = None if stop.time_limit is None else stop.started + stop.time_limit
    time_to_best = time.perf_counter() - stop.started
    if stop.on_best is not None and math.isfinite(best):
        stop.on_best(float(best))  # where the search starts
    if deadline is not None and time.perf_counter() >= deadline:
        return SearchRun(0, time_to_best, StopReason.TIME_LIMIT)  # no time for a first batch
    while True:
        todo = batch if stop.iterations is None else min(batch, stop.iterations - done)
        if todo <= 0:
            return SearchRun(done, time_to_best, StopReason.ITERATION_LIMIT)
        b0 = time.perf_counter()
        steps, value, since = step(done, todo)
        now = time.perf_counter()
        done += steps
        if value < best:
            best = value
            time_to_best = now - stop.started
            if stop.on_best is not None:
                stop.on_best(float(value))
        if steps < todo:
            stalled = stop.stall > 0 and since >= stop.stall
            return SearchRun(done, time_to_best,
                             StopReason.NO_IMPROVEMENT if stalled else StopReason.LOWER_BOUND)
        if stop.interrupt is not None and stop.interrupt():
            return SearchRun(done, time_to_best, StopReason.INTERRUPTED)
        if deadline is not None:
            left = deadline - now
            if left <= 0:
                return SearchRun(done, time_to_best, StopReason.TIME_LIMIT)
            per_step = max((now - b0) / max(steps, 1), 1e-7)
            slowest = max(slowest, per_step)
            # A quarter of what is left: near the deadline the batches shrink geometrically,
            # so a batch slower than any before still ends about in time.
            batch = int(max(1, min(batch * 2, 0.02 / per_step, 0.25 * left / slowest)))
        else:
            batch = min(batch * 2, max_batch)
