"""The shared ALNS engine on a problem whose optimum is known (one machine, ΣwjCj: Smith's
WSPT order is optimal): it reaches the optimum, stops by each criterion of the stopping
protocol, reproduces with a seed and an iteration limit, restarts from the best, autofits a
zero objective, and reports operator statistics and the objective trace."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from schedkit.heuristics.alns import TRACE_POINTS, Annealing, State, run_alns
from schedkit.heuristics.search import Stop, StopReason

RNG = np.random.default_rng(4)
P = RNG.integers(1, 20, 12)
W = RNG.integers(1, 10, 12)


def _value(seq: list[int]) -> float:
    t = np.cumsum(P[seq])
    return float((W[seq] * t).sum())


OPTIMUM = _value(sorted(range(12), key=lambda j: (P[j] / W[j], j)))


def _destroy(k: int):
    def op(state: State, rng: np.random.RandomState) -> State:
        seq = list(state.solution)
        out = sorted(rng.choice(len(seq), size=k, replace=False).tolist(), reverse=True)
        removed = [seq.pop(i) for i in out]
        return State((seq, removed), math.inf)
    return op


def _greedy(state: State, rng: np.random.RandomState) -> State:
    seq, removed = state.solution
    seq = list(seq)
    for j in removed:
        best = min(range(len(seq) + 1), key=lambda i: _value(seq[:i] + [j] + seq[i:]))
        seq.insert(best, j)
    return State(seq, _value(seq))


def _random(state: State, rng: np.random.RandomState) -> State:
    seq, removed = state.solution
    seq = list(seq)
    for j in removed:
        seq.insert(int(rng.randint(len(seq) + 1)), j)
    return State(seq, _value(seq))


DESTROYS = {"remove-2": _destroy(2), "remove-4": _destroy(4)}
REPAIRS = {"greedy": _greedy, "random": _random}


def _start() -> State:
    seq = list(range(12))[::-1]
    return State(seq, _value(seq))


@pytest.mark.parametrize("selection", ["roulette", "segmented", "ucb"])
def test_reaches_the_wspt_optimum(selection):
    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=400), seed=1,
                   selection=selection)
    assert run.best.value == pytest.approx(OPTIMUM)
    assert run.reason == StopReason.ITERATION_LIMIT and run.iterations == 400


def test_same_seed_and_iterations_reproduce():
    a = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=60), seed=7)
    b = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=60), seed=7)
    assert a.best.solution == b.best.solution and a.stats["trace"] == b.stats["trace"]
    assert a.stats["operators"] == b.stats["operators"]


def test_stall_and_time_limits_stop_it():
    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=10**6, stall=30), seed=2)
    assert run.reason == StopReason.NO_IMPROVEMENT and run.iterations < 10**6
    t0 = time.perf_counter()
    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(time_limit=0.2), seed=2)
    assert run.reason == StopReason.TIME_LIMIT and time.perf_counter() - t0 < 2.0


def test_interrupt_stops_it():
    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=1000, interrupt=lambda: True))
    assert run.reason == StopReason.INTERRUPTED and run.iterations == 0


def test_restarts_from_the_best():
    run = run_alns(_start(), DESTROYS, {"random": _random}, Stop(iterations=200), seed=3,
                   restart=10)
    assert run.stats["restarts"] > 0
    assert run.best.value <= _start().value


def test_statistics_and_trace():
    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=500), seed=5)
    ops = run.stats["operators"]
    assert set(ops) == {"remove-2", "remove-4", "greedy", "random"}
    assert sum(ops[d]["chosen"] for d in DESTROYS) == 500
    assert all(o["chosen"] == o["best"] + o["better"] + o["accepted"] + o["rejected"]
               for o in ops.values())
    trace = run.stats["trace"]
    assert len(trace["iteration"]) <= TRACE_POINTS and trace["iteration"][0] == 0
    assert trace["best"] == sorted(trace["best"], reverse=True)  # never worse
    assert trace["best"][-1] == pytest.approx(run.best.value)


def test_autofit_of_a_zero_objective_gives_a_positive_temperature():
    sa = Annealing.autofit(0.0, lambda: 0.0, floor=1.0)
    assert sa.start > 0 and sa.end > 0
    # A candidate 5 % of the floor worse is accepted about half the time at the start.
    assert math.exp(-0.05 / sa.start) == pytest.approx(0.5)
    cold = Annealing(sa.start, sa.end, lambda: 1.0)
    assert cold.temperature() == pytest.approx(sa.end)


def test_bad_arguments():
    with pytest.raises(ValueError, match="destroy"):
        run_alns(_start(), {}, REPAIRS, Stop(iterations=5))
    with pytest.raises(ValueError, match="selection"):
        run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=5), selection="greedy")
    with pytest.raises(ValueError, match="restart"):
        run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=5), restart=-1)


def test_statistics_plots(tmp_path):
    from schedkit.plotting.alns import plot_alns_operators, plot_alns_trace

    run = run_alns(_start(), DESTROYS, REPAIRS, Stop(iterations=50), seed=1)
    ax = plot_alns_trace(run.stats)
    assert len(ax.lines) == 2 and list(ax.lines[1].get_ydata()) == run.stats["trace"]["best"]
    ax.figure.savefig(tmp_path / "trace.png")
    ax = plot_alns_operators(run.stats)
    # One bar per operator and outcome; the bars of an operator add up to its choices.
    assert len(ax.patches) == 4 * len(run.stats["operators"])
    ax.figure.savefig(tmp_path / "operators.png")
    assert (tmp_path / "trace.png").stat().st_size > 0
