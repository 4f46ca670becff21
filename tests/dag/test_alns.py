"""DAG ALNS: the destroys, the restricted CP-SAT model and the method (never worse than HEFT)."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.formulations.dag.cpsat import build, keep_assignment
from schedkit.heuristics.dag.neighbourhoods import DESTROYS, freed_tasks
from schedkit.solvers.backends.cpsat import solve_cpsat


def _orders(proc: np.ndarray, start: np.ndarray, tasks: np.ndarray) -> dict[int, list[int]]:
    return {int(p): [int(t) for t in tasks[np.argsort(start[tasks], kind="stable")]
                     if proc[t] == p] for p in np.unique(proc[tasks])}


@pytest.mark.parametrize("structure", DESTROYS)
def test_destroys_free_at_least_k_tasks(structure: str) -> None:
    inst = sk.generate("dag", seed=4, tasks=30, processors=4)
    heft = sk.solve(inst, "heft")
    proc = np.asarray(heft.solution["processor"])
    start = np.asarray(heft.solution["start"], dtype=float)
    rng = np.random.RandomState(0)
    for k in (2, 9, 30, 40):
        freed = freed_tasks(structure, proc, start, 4, k, rng)
        assert min(k, 30) <= int(freed.sum()) <= 30
    if structure == "processors":
        freed = freed_tasks(structure, proc, start, 4, 1, rng)
        assert len(np.unique(proc[freed])) >= 2  # tasks can move between two processors
    with pytest.raises(ValueError):
        freed_tasks("nope", proc, start, 4, 3, rng)


def test_keep_assignment_keeps_processors_and_orders_of_the_rest() -> None:
    inst = sk.load("topcuoglu2002")
    heft = sk.solve(inst, "heft")
    proc = np.asarray(heft.solution["processor"])
    start = np.asarray(heft.solution["start"], dtype=float)
    freed = np.zeros(inst.n_tasks, dtype=bool)
    freed[[2, 5, 7]] = True
    built = build(inst, hint=heft.solution, symmetry_breaking=False)
    keep_assignment(built, proc, start, freed)
    out = solve_cpsat(built.model, time_limit=30, workers=1, seed=0)
    assert out.status == "optimal"
    p, s = built.read(out.solver)
    kept = np.flatnonzero(~freed)
    assert np.array_equal(p[kept], proc[kept])
    assert _orders(p, s, kept) == _orders(proc, start, kept)
    assert out.objective / built.data.scale <= heft.objective
    # Identical processors: the symmetry-breaking model relabels them, so it is refused.
    stg = sk.load("stg50-0001", processors=4)
    h = sk.solve(stg, "heft")
    with pytest.raises(ValueError):
        keep_assignment(build(stg, hint=h.solution), np.asarray(h.solution["processor"]),
                        np.asarray(h.solution["start"]), np.zeros(stg.n_tasks, dtype=bool))


def test_alns_reaches_the_topcuoglu_optimum() -> None:
    res = sk.solve("topcuoglu2002", "alns", seed=0, workers=1, options={"iterations": 30})
    assert res.verified and res.objective == 73  # HEFT: 80
    assert res.status == "feasible"  # nothing proves 73 here


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_alns_never_worse_than_heft(seed: int) -> None:
    inst = sk.generate("dag", seed=seed, tasks=25, processors=3)
    heft = sk.solve(inst, "heft")
    res = sk.solve(inst, "alns", seed=seed, workers=1, options={"iterations": 8})
    assert res.verified and res.objective <= heft.objective + 1e-9
    assert res.stats["repairs"] == 8


def test_alns_is_reproducible_with_an_iteration_limit() -> None:
    inst = sk.generate("dag", seed=7, tasks=20, processors=3)
    runs = [sk.solve(inst, "alns", seed=3, workers=1, options={"iterations": 6})
            for _ in range(2)]
    assert runs[0].solution == runs[1].solution
    assert runs[0].stats["operators"] == runs[1].stats["operators"]


@pytest.mark.parametrize(("options", "field"), [
    ({"destroys": "window,x"}, "option destroys"),
    ({"sizes": "0"}, "option sizes"),
    ({"sizes": "2"}, "option sizes"),
])
def test_alns_option_errors(options: dict, field: str) -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve("topcuoglu2002", "alns", options={"iterations": 1, **options})
    assert err.value.field == field


def test_auto_runs_heft_without_a_time_limit_and_alns_with_one() -> None:
    """benchmarks/alns.md §3: with a time limit alns (from the HEFT schedule) is never worse
    than HEFT, so auto spends the time on it."""
    inst = sk.load("topcuoglu2002")
    quick = sk.solve(inst)
    timed = sk.solve(inst, time_limit=2)
    assert quick.method == "heft"
    assert timed.method == "alns"
    assert timed.ok and quick.ok
    assert timed.objective <= quick.objective
    assert sk.resolve_method(inst, "auto", 2.0).name == "alns"
    assert sk.AUTO_TIMED["dag"][0] == "alns"
    assert sk.AUTO_TIMED["jobshop"] == sk.AUTO["jobshop"]
