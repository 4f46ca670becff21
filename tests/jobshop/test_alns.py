"""Job-shop ALNS: the destroys, the restricted models (CP-SAT and MILP) and the method."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.formulations.jobshop import (
    build_cpsat,
    build_milp,
    change_order,
    change_order_milp,
    keep_order,
    keep_order_milp,
)
from schedkit.heuristics.jobshop import dispatch, flat_starts
from schedkit.heuristics.jobshop.neighbourhoods import DESTROYS, MIN_FREED, Neighbourhoods
from schedkit.instances.evaluate import objective
from schedkit.solvers.backends.cpsat import solve_cpsat
from schedkit.solvers.backends.pulp import solve_pulp


def _machine_orders(inst: sk.JobShop, start: np.ndarray, ops: np.ndarray) -> list[list[int]]:
    """The order of ``ops`` on each machine in the schedule ``start``."""
    return [sorted((k for k in ops.tolist() if inst.op_machine[k] == m),
                   key=lambda k: (start[k], start[k] + inst.op_duration[k]))
            for m in range(inst.machines)]


@pytest.mark.parametrize("structure", DESTROYS)
@pytest.mark.parametrize("name", ["ft06", "la01"])
def test_destroys_free_at_least_k_and_leave_the_schedule(structure: str, name: str) -> None:
    inst = sk.load(name)
    start = flat_starts(dispatch(inst, "mwkr"))
    before = start.copy()
    hood = Neighbourhoods(inst)
    rng = np.random.RandomState(3)
    for share in (0.1, 0.3, 1.0):
        k = hood.size(share)
        freed = getattr(hood, structure)(start, k, rng)
        assert freed.dtype == bool and freed.shape == (inst.n_ops,)
        assert k <= int(freed.sum()) <= inst.n_ops
        assert np.array_equal(start, before)
    assert hood.size(0.0) == MIN_FREED


def test_machines_and_jobs_free_whole_groups() -> None:
    inst = sk.load("la01")
    start = flat_starts(dispatch(inst, "spt"))
    hood = Neighbourhoods(inst)
    rng = np.random.RandomState(0)
    freed = hood.machines(start, 12, rng)
    touched = np.unique(inst.op_machine[freed])
    assert np.all(freed[np.isin(inst.op_machine, touched)])
    freed = hood.jobs(start, 12, rng)
    assert np.all(freed[np.isin(hood.op_job, np.unique(hood.op_job[freed]))])


def test_window_frees_consecutive_starts() -> None:
    inst = sk.load("la01")
    start = flat_starts(dispatch(inst, "spt"))
    freed = Neighbourhoods(inst).window(start, 10, np.random.RandomState(5))
    order = np.argsort(start, kind="stable")
    positions = np.flatnonzero(freed[order])
    assert positions.size == 10 and positions[-1] - positions[0] == 9


def test_critical_frees_the_operations_of_a_critical_path() -> None:
    # With k = all critical operations and more, every operation ending at the makespan (the
    # end of a critical path) is freed.
    inst = sk.load("ft06")
    start = flat_starts(dispatch(inst, "mwkr"))
    end = start + inst.op_duration
    freed = Neighbourhoods(inst).critical(start, inst.n_ops // 2, np.random.RandomState(1))
    assert np.all(freed[end == end.max()])


def test_critical_on_tardiness_prefers_costly_jobs() -> None:
    inst = sk.generate("jobshop", jobs=8, machines=4, seed=2, objective="total_weighted_tardiness",
                       due_dates=True)
    start = flat_starts(dispatch(inst, "spt"))
    hood = Neighbourhoods(inst)
    last = inst.job_offsets[1:] - 1
    cost = inst.weight * np.maximum(0, start[last] + inst.op_duration[last] - inst.due)
    assert cost.max() > 0
    freed = hood.critical(start, 1, np.random.RandomState(0))  # one costly job's operations
    jobs = np.unique(hood.op_job[freed])
    assert np.all(cost[jobs] > 0)


@pytest.mark.parametrize("name", ["ft06", "la01"])
def test_restricted_cpsat_keeps_the_order_of_what_is_not_freed(name: str) -> None:
    inst = sk.load(name)
    start = flat_starts(dispatch(inst, "mwkr"))
    freed = Neighbourhoods(inst).window(start, inst.n_ops // 4, np.random.RandomState(2))
    value = objective(inst, {"start": sk.heuristics.jobshop.start_lists(inst, start)})
    built = build_cpsat(inst, horizon=int(value), strong=True, hint=start)
    added = keep_order(inst, built, start, freed)
    assert added == int((~freed).sum()) - len(np.unique(inst.op_machine[~freed]))
    out = solve_cpsat(built.model, time_limit=30, workers=2, seed=0)
    assert out.status == "optimal" and out.objective <= value
    new = np.array([out.solver.value(v) for v in built.start])
    kept = np.flatnonzero(~freed)
    assert _machine_orders(inst, new, kept) == _machine_orders(inst, start, kept)


def test_nothing_freed_leaves_only_the_schedule_order() -> None:
    # Every order fixed: the neighbourhood's optimum is the semi-active schedule of the
    # current machine sequences, never better than them, and its orders are the same.
    inst = sk.load("ft06")
    start = flat_starts(dispatch(inst, "spt"))
    built = build_cpsat(inst, strong=False)
    keep_order(inst, built, start, np.zeros(inst.n_ops, dtype=bool))
    out = solve_cpsat(built.model, time_limit=30, workers=1, seed=0)
    new = np.array([out.solver.value(v) for v in built.start])
    every = np.arange(inst.n_ops)
    assert _machine_orders(inst, new, every) == _machine_orders(inst, start, every)
    assert out.objective <= objective(inst, {"start": sk.heuristics.jobshop.start_lists(
        inst, start)})


def test_restricted_milp_fixes_the_binaries_of_what_is_not_freed() -> None:
    pytest.importorskip("highspy")
    inst = sk.load("ft06")
    start = flat_starts(dispatch(inst, "mwkr"))
    built = build_milp(inst, horizon=int(start.max() + inst.op_duration.max()))
    none = np.zeros(inst.n_ops, dtype=bool)
    assert keep_order_milp(inst, built, start, none, cap=1000) == len(built.order)
    freed = Neighbourhoods(inst).window(start, 12, np.random.RandomState(4))
    fixed = keep_order_milp(inst, built, start, freed, cap=1000)
    assert fixed == sum(1 for a, b in built.order if not freed[a] and not freed[b])
    out = solve_pulp(built.problem, backend="highs", time_limit=30, workers=1, seed=0)
    assert out.status == "optimal"
    new = np.array([round(v.value()) for v in built.start])
    kept = np.flatnonzero(~freed)
    assert _machine_orders(inst, new, kept) == _machine_orders(inst, start, kept)
    # Restricting again frees what the last neighbourhood fixed.
    keep_order_milp(inst, built, start, ~none, cap=55)
    assert all(y.lowBound == 0 and y.upBound == 1 for y in built.order.values())
    assert solve_pulp(built.problem, backend="highs", time_limit=60, workers=1,
                      seed=0).objective == 55


@pytest.mark.parametrize("backend", ["cpsat", "milp"])
def test_change_order_excludes_exactly_the_current_order(backend: str) -> None:
    # ft06's optimum is 55: restricted to a window around an optimal
    # schedule, the best *other* order is found (changed on some machine, the rest kept), and
    # with the cap at 55 it is still 55 or the model is infeasible — never the schedule itself.
    if backend == "milp":
        pytest.importorskip("highspy")
    inst = sk.load("ft06")
    best = sk.solve(inst, "cpsat", time_limit=30, workers=1, seed=0)
    assert best.status == "optimal" and best.objective == 55
    start = flat_starts(best.solution)
    freed = Neighbourhoods(inst).window(start, 12, np.random.RandomState(1))
    every, kept = np.arange(inst.n_ops), np.flatnonzero(~freed)
    if backend == "cpsat":
        built = build_cpsat(inst, horizon=80, strong=True, hint=start)
        keep_order(inst, built, start, freed)
        assert change_order(inst, built, start, freed) > 0
        out = solve_cpsat(built.model, time_limit=30, workers=1, seed=0)
        new = np.array([out.solver.value(v) for v in built.start])
    else:
        milp = build_milp(inst, horizon=80)
        keep_order_milp(inst, milp, start, freed, cap=80)
        assert change_order_milp(inst, milp, start, freed) > 0
        out = solve_pulp(milp.problem, backend="highs", time_limit=30, workers=1, seed=0)
        new = np.array([round(v.value()) for v in milp.start])
    assert out.status == "optimal" and out.objective >= 55
    assert objective(inst, {"start": sk.heuristics.jobshop.start_lists(inst, new)}) == \
        out.objective
    assert _machine_orders(inst, new, kept) == _machine_orders(inst, start, kept)
    assert _machine_orders(inst, new, every) != _machine_orders(inst, start, every)
    if backend == "milp":  # removed again: the schedule's own order is back in the model
        assert change_order_milp(inst, milp, start, None) == 0
        assert "order_change" not in milp.problem.constraints


@pytest.mark.parametrize("differ", [True, False])
def test_alns_differ_lets_the_annealing_see_worse_candidates(differ: bool) -> None:
    # differ: a repair returns the best other order, sometimes worse, and the annealing
    # rejects some of those; off (the default), every candidate is at least as good.
    res = sk.solve("ft10", "alns", seed=1, workers=1,
                   options={"iterations": 40, "differ": differ})
    assert res.ok and res.verified
    st = res.stats
    rejected = sum(v["rejected"] for k, v in st["operators"].items() if k == "cpsat")
    if differ:
        assert st["candidates_worse"] > 0 and rejected > 0
    else:
        assert st["candidates_worse"] == 0 and rejected == 0
        trace = st["trace"]["current"]
        assert all(b <= a for a, b in zip(trace, trace[1:], strict=False))


@pytest.mark.parametrize("repair", ["cpsat", "milp"])
def test_alns_finds_the_ft06_optimum(repair: str) -> None:
    if repair == "milp":
        pytest.importorskip("highspy")
    res = sk.solve("ft06", "alns", seed=0, workers=1,
                   options={"iterations": 30, "repair": repair, "hint_time": 0})
    assert res.ok and res.verified and res.objective == 55
    assert res.status == "feasible"  # 55 is above the cheap bound: nothing proves it
    st = res.stats
    assert st["iterations"] == 30 and st["repairs"] == 30
    chosen = sum(v["chosen"] for k, v in st["operators"].items() if k != repair)
    assert chosen == 30 == st["operators"][repair]["chosen"]


def test_alns_stops_at_the_lower_bound_and_proves_it() -> None:
    res = sk.solve("la01", "alns", seed=0, options={"iterations": 50})
    assert res.status == "optimal" and res.objective == 666 == res.bound
    assert res.stop_reason == "lower bound" and res.stats["iterations"] < 50


@pytest.mark.parametrize("differ", [False, True])
def test_alns_is_reproducible_with_an_iteration_limit(differ: bool) -> None:
    opts = {"iterations": 15, "hint_time": 0.0, "differ": differ}
    runs = [sk.solve("la16", "alns", seed=7, workers=1, options=opts) for _ in range(2)]
    assert runs[0].solution == runs[1].solution
    assert runs[0].stats["operators"] == runs[1].stats["operators"]
    assert runs[0].stats["trace"] == runs[1].stats["trace"]


@pytest.mark.parametrize("objective_", ["total_weighted_tardiness", "total_weighted_completion"])
def test_alns_on_sum_objectives_matches_the_cpsat_optimum(objective_: str) -> None:
    inst = sk.generate("jobshop", jobs=5, machines=4, seed=3, objective=objective_,
                       due_dates=objective_ == "total_weighted_tardiness")
    exact = sk.solve(inst, "cpsat", time_limit=60, workers=2)
    assert exact.status == "optimal"
    start = sk.solve(inst, "dispatch-best", seed=0)
    res = sk.solve(inst, "alns", seed=0, workers=1, options={"iterations": 25})
    assert res.verified and exact.objective <= res.objective <= start.objective
    assert res.objective == exact.objective


@pytest.mark.parametrize(("options", "field"), [
    ({"destroys": "window,nope"}, "option destroys"),
    ({"destroys": ""}, "option destroys"),
    ({"sizes": "0.1,1.5"}, "option sizes"),
    ({"sizes": "a"}, "option sizes"),
    ({"selection": "greedy"}, "option selection"),
    ({"repair": "gurobi"}, "option repair"),
    ({"hint": False}, "option hint"),
])
def test_alns_option_errors(options: dict, field: str) -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve("ft06", "alns", options={"iterations": 1, **options})
    assert err.value.field == field


def test_alns_destroy_subset_names_the_operators() -> None:
    res = sk.solve("ft06", "alns", seed=1, workers=1,
                   options={"iterations": 6, "destroys": "window", "sizes": "0.2,0.4",
                            "hint_time": 0})
    assert set(res.stats["operators"]) == {"window-20%", "window-40%", "cpsat"}
