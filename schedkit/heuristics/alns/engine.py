"""The ALNS engine: N-Wouda/ALNS's loop, operator selection and acceptance (the ``alns``
package), with what it lacks added in schedkit's layer.

Adaptive large neighbourhood search (Ropke & Pisinger, "An adaptive large neighborhood search
heuristic for the pickup and delivery problem with time windows", Transportation Science 40(4),
2006): each iteration a *destroy* operator frees part of the current solution and a *repair*
operator rebuilds it; a selection scheme learns which pair pays off, an acceptance criterion
decides whether the candidate becomes the current solution.

Added here:

* **Composite stopping** through the one stopping protocol
  (:class:`~schedkit.heuristics.search.Stop`): time limit and iteration limit and ``stall``
  iterations without a new best, and the run's interruption — the first that holds (ALNS's
  own criteria stop on one; its issues #113 and #137).
* **Time-based cooling** (:class:`Annealing`): simulated annealing whose temperature falls
  geometrically with the share of the *time* used (of the iteration limit when there is no
  time limit), so a run cools to its end whatever the speed of its operators (ALNS issue #140).
* **Robust autofit**: the start temperature accepts a candidate ``worse`` (a fraction) worse
  than the start with probability ``accept``, where the fraction is of max(|objective|,
  ``floor``) — a start objective of 0 (a tardiness instance already on time) or a tiny one
  does not give a zero temperature.
* **Restarts from the best**: after ``restart`` iterations without a new best the next
  destroy starts from the best solution and its candidate is accepted.
* **Statistics**: per operator, how often it was chosen and the outcomes (new best, better,
  accepted, rejected), and the objective trace (current and best per iteration, at most
  :data:`TRACE_POINTS` points) for ``Result.stats`` and the plots.

Same seed and iteration limit give the same result when the operators are deterministic given
their random generator (a CP-SAT repair must then use a deterministic limit, not seconds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..search import Stop, StopReason

__all__ = ["State", "Freed", "Annealing", "AlnsRun", "run_alns", "SELECTIONS", "TRACE_POINTS"]

#: Selection schemes of the ``alns`` package offered by :func:`run_alns`.
SELECTIONS = ("roulette", "segmented", "ucb")
#: Points of the objective trace kept in the statistics at most.
TRACE_POINTS = 200
#: Roulette-wheel scores for (new best, better, accepted, rejected) — the ordering of the
#: ALNS literature (Ropke & Pisinger 2006 use 33, 9, 13 for the first three).
SCORES = (25.0, 5.0, 1.0, 0.0)


@dataclass
class State:
    """A solution in the search: ``solution`` (the problem's own representation, e.g. a
    schema solution or arrays) and its ``value`` (to be minimised). The ``alns`` package asks
    a state for ``objective()``."""

    solution: Any
    value: float

    def objective(self) -> float:
        return self.value


@dataclass
class Freed(State):
    """What a destroy returns: the state it came from (``solution``, ``value``, unchanged) and
    what a repair may rebuild — ``freed`` (a mask or the freed items, as the problem's
    operators agree) and, when they are consecutive positions, ``window`` (the first; -1
    otherwise)."""

    freed: Any = None
    window: int = -1


Operator = Callable[[State, np.random.RandomState], State]


@dataclass
class Annealing:
    """Simulated annealing with time-based cooling (module docstring).

    The temperature at progress p ∈ [0, 1] (share of the time limit used, else of the
    iteration limit) is ``start·(end/start)^p``; a worse candidate is accepted with
    probability exp(−(candidate − current) / temperature).
    """

    start: float
    end: float
    progress: Callable[[], float]

    def temperature(self) -> float:
        p = min(1.0, max(0.0, self.progress()))
        return self.start * (self.end / self.start) ** p

    def __call__(self, rng: np.random.RandomState, best: State, current: State,
                 candidate: State) -> bool:
        delta = candidate.value - current.value
        if delta <= 0:
            return True
        t = self.temperature()
        return t > 0 and bool(rng.random() < math.exp(-delta / t))

    @classmethod
    def autofit(cls, start_value: float, progress: Callable[[], float], *,
                worse: float = 0.05, accept: float = 0.5, end_share: float = 0.002,
                floor: float = 1.0) -> Annealing:
        """The start temperature accepts a candidate ``worse``·max(|start_value|, ``floor``)
        worse with probability ``accept``; the end temperature is ``end_share`` of it."""
        if not 0 < accept < 1 or worse <= 0 or not 0 < end_share <= 1 or floor <= 0:
            raise ValueError("autofit needs 0 < accept < 1, worse > 0, 0 < end_share <= 1 "
                             "and floor > 0")
        scale = max(abs(float(start_value)), float(floor))
        start = -worse * scale / math.log(accept)
        return cls(start, start * end_share, progress)


@dataclass
class AlnsRun:
    """What :func:`run_alns` did: the best state, iterations, why it stopped, seconds to the
    best, and the statistics for ``Result.stats``."""

    best: State
    iterations: int
    reason: StopReason
    time_to_best_s: float
    stats: dict[str, Any] = field(default_factory=dict)


class _Stopper:
    """The stopping protocol as an ``alns`` stopping criterion (called before each
    iteration); it also counts iterations and stalls, and decides restarts."""

    def __init__(self, stop: Stop, restart: int, lower: float | None) -> None:
        self.stop = stop
        self.restart = restart
        self.lower = lower
        self.iterations = -1
        self.since_best = 0
        self.best_value = math.inf
        self.reason = StopReason.FINISHED
        self.time_to_best = 0.0
        self.restart_due = False
        self.restarts = 0
        self.best_state: State | None = None

    def __call__(self, rng: np.random.RandomState, best: State, current: State) -> bool:
        self.iterations += 1
        self.best_state = best
        if best.value < self.best_value:
            if self.iterations > 0:
                self.time_to_best = time.perf_counter() - self.stop.started
            if self.stop.on_best is not None:  # the start's value, then each new best
                self.stop.on_best(float(best.value))
            self.best_value = best.value
            self.since_best = 0
        elif self.iterations > 0:
            self.since_best += 1
        s = self.stop
        if self.lower is not None and best.value <= self.lower:
            self.reason = StopReason.LOWER_BOUND
        elif s.iterations is not None and self.iterations >= s.iterations:
            self.reason = StopReason.ITERATION_LIMIT
        elif s.time_limit is not None and time.perf_counter() - s.started >= s.time_limit:
            self.reason = StopReason.TIME_LIMIT
        elif s.stall > 0 and self.since_best >= s.stall:
            self.reason = StopReason.NO_IMPROVEMENT
        elif s.interrupt is not None and s.interrupt():
            self.reason = StopReason.INTERRUPTED
        else:
            self.restart_due = self.restart > 0 and self.since_best > 0 and \
                self.since_best % self.restart == 0
            return False
        return True

    def progress(self) -> float:
        s = self.stop
        if s.time_limit is not None and s.time_limit > 0:
            return (time.perf_counter() - s.started) / s.time_limit
        if s.iterations:
            return max(0, self.iterations) / s.iterations
        return 0.0


def _selection(name: str, n_destroy: int, n_repair: int) -> Any:
    from alns.select import AlphaUCB, RouletteWheel, SegmentedRouletteWheel

    if name == "roulette":
        return RouletteWheel(list(SCORES), 0.8, n_destroy, n_repair)
    if name == "segmented":
        return SegmentedRouletteWheel(list(SCORES), 0.8, 50, n_destroy, n_repair)
    if name == "ucb":
        return AlphaUCB([5.0, 2.0, 1.0, 0.5], 0.05, n_destroy, n_repair)
    raise ValueError(f"unknown selection {name!r} (one of {', '.join(SELECTIONS)})")


def run_alns(initial: State, destroys: Mapping[str, Operator], repairs: Mapping[str, Operator],
             stop: Stop, *, seed: int = 0, selection: str = "roulette", restart: int = 0,
             worse: float = 0.05, accept: float = 0.5, floor: float = 1.0,
             lower: float | None = None) -> AlnsRun:
    """Adaptive large neighbourhood search from ``initial`` (module docstring).

    Parameters
    ----------
    initial
        The start state.
    destroys, repairs
        Operators ``op(state, rng) -> state`` by name (``rng``: numpy's ``RandomState``, as
        the ``alns`` package passes it). A destroy must not change its input.
    stop
        The stopping rule (time, iterations, stall, interruption: the first that holds).
    seed
        Seeds the selection, the acceptance and the operators' generator.
    selection
        One of :data:`SELECTIONS`: ``roulette`` (adaptive roulette wheel, decay 0.8),
        ``segmented`` (segments of 50 iterations) or ``ucb`` (α-UCB, α = 0.05).
    restart
        Iterations without a new best after which the search goes back to the best (0: never).
    worse, accept, floor
        The autofit of :class:`Annealing`.
    lower
        A valid lower bound on the objective: the search stops when the best reaches it.

    Returns
    -------
    AlnsRun
        ``stats``: ``iterations``, ``restarts``, ``operators`` (``{name: {"chosen": n,
        "best": …, "better": …, "accepted": …, "rejected": …}}`` for destroys and repairs),
        ``trace`` (``{"iteration": [...], "current": [...], "best": [...]}``), ``stopped``.
    """
    from alns import ALNS

    if not destroys or not repairs:
        raise ValueError("ALNS needs at least one destroy and one repair operator")
    if restart < 0:
        raise ValueError(f"restart must be >= 0, got {restart}")
    engine = ALNS(np.random.RandomState(int(seed) % 2**32))
    stopper = _Stopper(stop, restart, lower)
    anneal = Annealing.autofit(initial.value, stopper.progress, worse=worse, accept=accept,
                               floor=floor)

    def restarting(op: Operator) -> Operator:
        def destroy(state: State, rng: np.random.RandomState) -> State:
            if stopper.restart_due and stopper.best_state is not None:
                stopper.restarts += 1
                return op(stopper.best_state, rng)
            return op(state, rng)
        return destroy

    def accepting(rng: np.random.RandomState, best: State, current: State,
                  candidate: State) -> bool:
        if stopper.restart_due:
            return True  # the candidate was built from the best: it becomes the current
        return anneal(rng, best, current, candidate)

    for name, op in destroys.items():
        engine.add_destroy_operator(restarting(op), name=name)
    for name, op in repairs.items():
        engine.add_repair_operator(op, name=name)
    result = engine.iterate(initial, _selection(selection, len(destroys), len(repairs)),
                            accepting, stopper)
    stats = result.statistics
    outcomes = ("best", "better", "accepted", "rejected")
    operators: dict[str, dict[str, int]] = {}
    for counts in (stats.destroy_operator_counts, stats.repair_operator_counts):
        for name, row in counts.items():
            operators[name] = {"chosen": int(sum(row)),
                               **{o: int(c) for o, c in zip(outcomes, row, strict=True)}}
    current = np.asarray(stats.objectives, dtype=np.float64)
    best_trace = np.minimum.accumulate(current) if current.size else current
    keep = np.unique(np.linspace(0, max(current.size - 1, 0),
                                 min(current.size, TRACE_POINTS)).astype(np.int64))
    iterations = max(0, stopper.iterations)
    return AlnsRun(result.best_state, iterations, stopper.reason, stopper.time_to_best, {
        "iterations": iterations, "restarts": stopper.restarts, "operators": operators,
        "selection": selection, "start_temperature": anneal.start,
        "trace": {"iteration": keep.tolist(), "current": current[keep].tolist(),
                  "best": best_trace[keep].tolist()},
        "stopped": stopper.reason})
