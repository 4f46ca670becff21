"""cpsat and milp on DAGs: known optima, agreement, honest statuses with rounded data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from ortools.sat.python import cp_model

import schedkit as sk
from schedkit.formulations.dag import cpsat as cpmodel
from schedkit.formulations.dag.common import canonical_labels

HEURISTICS = [("heft", {}), ("cpop", {}), ("peft", {}), ("list", {"priority": "bottom_level"}),
              ("list", {"priority": "hlfet"}), ("list", {"priority": "etf"}),
              ("list", {"priority": "random"})]


def test_cpsat_proves_73_on_the_topcuoglu_example() -> None:
    res = sk.solve("topcuoglu2002", "cpsat", time_limit=30, workers=2)
    assert (res.status, res.objective, res.bound) == ("optimal", 73.0, 73.0)
    assert res.best_known == 73 and res.gap_to_best_known == 0
    for key in ("makespan", "slr", "speedup", "efficiency"):
        assert key in res.stats


@pytest.mark.parametrize("name", ["stg50-0001", "stg50-0026", "stg100-0014"])
def test_cpsat_closes_stg_graphs_on_4_processors(name: str) -> None:
    """stg50-0001's optimum 94 lies above its critical path 89: the cumulative reasoning
    (timetable edge finding) proves it."""
    inst = sk.load(name, processors=4)
    res = sk.solve(inst, "cpsat", time_limit=10, workers=2)
    assert res.objective == inst.bounds.optimum
    assert res.status == "optimal"


def test_cpsat_and_milp_agree_on_20_small_instances() -> None:
    """≤ 12 tasks, 3 heterogeneous processors, communication (CCR 1): where both prove
    optimality they agree; every heuristic is at least the optimum; all verified."""
    both = 0
    for seed in range(1, 21):
        inst = sk.generate("dag", tasks=8 + seed % 5, processors=3, seed=seed)
        cp = sk.solve(inst, "cpsat", time_limit=20, workers=1)
        mi = sk.solve(inst, "milp", time_limit=20, workers=1)
        assert cp.verified and mi.verified
        assert cp.bound <= cp.objective + 1e-9 and mi.bound <= mi.objective + 1e-9
        if cp.status == mi.status == "optimal":
            both += 1
            assert cp.objective == pytest.approx(mi.objective, rel=1e-6)
        opt = cp.objective if cp.status == "optimal" else mi.objective
        for method, options in HEURISTICS:
            h = sk.solve(inst, method, options=options, seed=seed)
            assert h.verified and h.objective >= opt - 1e-6 * opt
    assert both >= 18


def test_milp_highs_backend() -> None:
    """In a fresh process: highspy and OR-Tools 9.12 each bundle a HiGHS library, and whichever
    is imported second fails to load in this environment."""
    code = (
        "import highspy, schedkit as sk\n"
        "r = sk.solve('topcuoglu2002', 'milp', time_limit=30, options={'backend': 'highs'})\n"
        "print(r.status, r.objective, r.bound)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    if "No module named 'highspy'" in proc.stderr:
        pytest.skip("highspy is not installed")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["optimal", "73.0", "73.0"]


def test_fractional_times_are_scaled_exactly_or_reported_as_feasible() -> None:
    """Costs in halves: scale 10 makes the model exact, so optimality is proved. Irrational
    communication times cannot be exact: the status is feasible, the bound still valid."""
    base = sk.generate("dag", tasks=8, processors=2, seed=4)
    halves = sk.DAG(processors=2, cost=base.cost / 2, edges=base.edges,
                    edge_data=base.edge_data / 2, name="halves")
    data = cpmodel.integer_data(halves)
    assert data.exact and data.scale == 10.0
    cp = sk.solve(halves, "cpsat", time_limit=20)
    mi = sk.solve(halves, "milp", time_limit=20)
    assert cp.status == mi.status == "optimal"
    assert cp.objective == pytest.approx(mi.objective, rel=1e-9)

    odd = sk.DAG(processors=2, cost=base.cost, edges=base.edges,
                 edge_data=base.edge_data * np.sqrt(2), name="irrational")
    data = cpmodel.integer_data(odd)
    assert not data.exact and data.scale == 1.0
    res = sk.solve(odd, "cpsat", time_limit=20)
    assert res.status == "feasible" and res.verified
    exact = sk.solve(odd, "milp", time_limit=20)
    assert exact.status == "optimal"
    assert res.bound <= exact.objective + 1e-9 <= res.objective + 1e-9
    # Large scaled times are judged integral by a few ulps, not a relative tolerance: the
    # byte-sized data of a workflow over a fitted bandwidth are not integers at any scale.
    assert not cpmodel.integer_data(sk.load("wf-epigenomics")).exact
    assert cpmodel.integer_data(sk.load("topcuoglu2002")).exact


def test_cpsat_on_a_wfcommons_workflow_is_verified() -> None:
    """Byte-sized data over a fitted bandwidth: communication times are fractional."""
    inst = sk.load("wf-srasearch")
    res = sk.solve(inst, "cpsat", time_limit=5, workers=2)
    assert res.verified and res.status in ("feasible", "optimal")
    heft = sk.solve(inst, "heft")
    assert res.objective <= heft.objective
    assert res.bound <= res.objective


def test_symmetry_breaking_keeps_the_optimum() -> None:
    inst = sk.load("stg50-0001", processors=4)
    values = []
    for sym in (True, False):
        built = cpmodel.build(inst, symmetry_breaking=sym)
        assert built.symmetry_breaking is sym
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 30
        solver.parameters.num_workers = 2
        solver.parameters.use_timetable_edge_finding_in_cumulative = True
        assert solver.solve(built.model) == cp_model.OPTIMAL
        values.append(solver.objective_value)
    assert values[0] == values[1] == inst.bounds.optimum
    assert canonical_labels(np.array([2, 2, 0, 1, 0]), 3).tolist() == [0, 0, 1, 2, 1]
    heterogeneous = sk.generate("dag", tasks=6, processors=3, seed=1)
    assert not cpmodel.build(heterogeneous).symmetry_breaking


def test_time_limited_cpsat_without_proof_is_feasible() -> None:
    inst = sk.generate("dag", tasks=60, processors=4, seed=11)
    res = sk.solve(inst, "cpsat", time_limit=0.5, workers=1)
    assert res.verified
    assert res.status in ("feasible", "optimal")
    if res.status == "feasible":
        assert res.bound < res.objective
