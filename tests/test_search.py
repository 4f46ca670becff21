"""The stopping protocol of the searches (schedkit.heuristics.search): one meaning and one unit
for ``iterations``, ``stall`` and ``restart`` across the methods that search."""

from __future__ import annotations

import time

import pytest

import schedkit as sk
from schedkit.heuristics.search import Stop, StopReason, run_search

# (method, instance) of every search method; each runs iterations of its own main loop.
SEARCHES = [("tabu", "ft10"), ("ls", "wt40-1")]


def _counting(stop_after: int | None = None, stall_at: int | None = None):
    """A fake kernel: each iteration improves until ``stall_at``, and it stops by itself after
    ``stop_after`` iterations in all; returns the step and its log of (done, todo) calls."""
    calls: list[tuple[int, int]] = []
    state = {"best": 1000.0, "since": 0, "done": 0}

    def step(done: int, todo: int) -> tuple[int, float, int]:
        calls.append((done, todo))
        ran = 0
        for _ in range(todo):
            if stop_after is not None and state["done"] >= stop_after:
                break
            state["done"] += 1
            ran += 1
            if stall_at is None or state["done"] < stall_at:
                state["best"] -= 1
                state["since"] = 0
            else:
                state["since"] += 1
        return ran, state["best"], int(state["since"])

    return step, calls


def test_a_search_needs_a_limit() -> None:
    with pytest.raises(ValueError):
        Stop()
    with pytest.raises(ValueError):
        Stop(iterations=5, stall=-1)


def test_iteration_limit_is_exact_and_batches_only_depend_on_it() -> None:
    step, calls = _counting()
    run = run_search(step, 1000.0, Stop(iterations=100), first_batch=1, max_batch=16)
    assert run.reason == StopReason.ITERATION_LIMIT and run.iterations == 100
    assert [todo for _, todo in calls] == [1, 2, 4, 8, 16, 16, 16, 16, 16, 5]
    again, calls2 = _counting()
    run_search(again, 1000.0, Stop(iterations=100), first_batch=1, max_batch=16)
    assert calls2 == calls


def test_kernel_stop_is_no_improvement_or_lower_bound() -> None:
    step, _ = _counting(stop_after=37, stall_at=20)
    run = run_search(step, 1000.0, Stop(iterations=1000, stall=18))
    assert run.reason == StopReason.NO_IMPROVEMENT and run.iterations == 37
    step, _ = _counting(stop_after=37)
    run = run_search(step, 1000.0, Stop(iterations=1000, stall=18))
    assert run.reason == StopReason.LOWER_BOUND and run.iterations == 37


def test_time_limit_stops_the_search() -> None:
    def slow(done: int, todo: int) -> tuple[int, float, int]:
        time.sleep(0.001 * todo)
        return todo, 0.0, done + todo

    t0 = time.perf_counter()
    run = run_search(slow, 1.0, Stop(time_limit=0.2))
    assert run.reason == StopReason.TIME_LIMIT
    assert 0.2 <= time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize(("method", "name"), SEARCHES)
def test_iterations_counts_the_same_thing_in_every_search(method: str, name: str) -> None:
    res = sk.solve(name, method, seed=1, options={"iterations": 30, "stall": 0})
    assert res.stop_reason == StopReason.ITERATION_LIMIT
    assert res.stats["iterations"] == 30


@pytest.mark.parametrize(("method", "name"), SEARCHES)
def test_stall_counts_iterations_without_a_new_best(method: str, name: str) -> None:
    res = sk.solve(name, method, seed=1, options={"iterations": 1_000_000, "stall": 25})
    assert res.stop_reason == StopReason.NO_IMPROVEMENT
    assert 25 <= res.stats["iterations"] < 1_000_000


@pytest.mark.parametrize(("method", "name"), SEARCHES)
def test_search_options_share_their_meaning(method: str, name: str) -> None:
    options = {o.name: o for o in sk.get_method(method, sk.load(name).problem).options}
    for key in ("iterations", "restart", "stall"):
        assert "iteration" in options[key].help, (method, key)
    assert "0: never" in options["restart"].help and "0: never" in options["stall"].help
    with pytest.raises(sk.InputError, match="option restart"):
        sk.solve(name, method, options={"restart": -1, "iterations": 5})
