"""HEFT, CPOP, PEFT and list scheduling: known answers, every method on generated DAGs."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics import dag as H

HEURISTICS = [("heft", {}), ("heft", {"insertion": False}), ("cpop", {}), ("peft", {}),
              ("list", {"priority": "bottom_level"}), ("list", {"priority": "hlfet"}),
              ("list", {"priority": "etf"}), ("list", {"priority": "random"})]
IDS = [m + "".join(f"-{v}" for v in o.values()) for m, o in HEURISTICS]


def test_topcuoglu_example_known_answers() -> None:
    """The paper's Fig. 2 DAG: HEFT 80 and CPOP 86 (Topcuoglu, Hariri & Wu 2002, Fig. 3)."""
    inst = sk.load("topcuoglu2002")
    heft = sk.solve(inst, "heft")
    cpop = sk.solve(inst, "cpop")
    assert (heft.status, heft.objective) == ("feasible", 80.0)
    assert (cpop.status, cpop.objective) == ("feasible", 86.0)
    assert inst.meta["reference_makespans"]["HEFT"] == heft.objective
    assert inst.meta["reference_makespans"]["CPOP"] == cpop.objective
    # The HEFT schedule of the paper's Fig. 3 (processors 0-based: P1 -> 0).
    assert heft.solution["processor"] == [2, 0, 2, 1, 2, 1, 2, 0, 1, 1]
    assert heft.solution["start"] == [0, 27, 9, 18, 28, 26, 38, 57, 56, 73]


@pytest.mark.parametrize(("method", "options"), HEURISTICS, ids=IDS)
@pytest.mark.parametrize("shape", [
    {"tasks": 30, "processors": 4, "seed": 1},
    {"tasks": 60, "processors": 3, "ccr": 5.0, "seed": 2},
    {"tasks": 40, "processors": 5, "heterogeneity": 0.0, "ccr": 0.0, "seed": 3},
    {"tasks": 1, "processors": 2, "seed": 4},
], ids=["ccr1", "ccr5", "identical", "single-task"])
def test_heuristics_are_verified_with_metrics(method: str, options: dict, shape: dict) -> None:
    inst = sk.generate("dag", **shape)
    res = sk.solve(inst, method, options=options, seed=3)
    assert res.verified, res.stop_reason
    # A heuristic proves nothing, unless solve() sees it meet the cheap lower bound.
    assert res.status == ("optimal" if res.objective == res.bound else "feasible")
    assert res.bound <= res.objective
    assert res.bound == pytest.approx(sk.lower_bound(inst))
    ref = sk.metrics(inst, res.solution)
    for key in ("makespan", "slr", "speedup", "efficiency"):
        assert res.stats[key] == pytest.approx(ref[key], rel=1e-12)


def test_identical_processors_without_communication_is_p_prec_cmax() -> None:
    """On STG graphs every list schedule is within Graham's 2 - 1/m of the optimum."""
    inst = sk.load("stg50-0000", processors=4)
    opt = inst.bounds.optimum
    for prio in H.LIST_PRIORITIES:
        res = sk.solve(inst, "list", options={"priority": prio})
        assert opt <= res.objective <= (2 - 1 / 4) * opt


def test_random_priority_depends_on_the_seed_only() -> None:
    inst = sk.generate("dag", tasks=50, processors=4, seed=5)
    a = sk.solve(inst, "list", options={"priority": "random"}, seed=7)
    b = sk.solve(inst, "list", options={"priority": "random"}, seed=7)
    c = sk.solve(inst, "list", options={"priority": "random"}, seed=8)
    assert a.solution == b.solution
    assert a.solution != c.solution


def test_insertion_fills_idle_gaps() -> None:
    """With the insertion policy a task may start in an idle gap before tasks placed earlier."""
    inst = sk.generate("dag", tasks=12, processors=3, seed=22)
    a, b = H.heft(inst), H.heft(inst, insertion=False)
    assert sk.evaluate(inst, a.solution()).objective == a.makespan == 244.0
    assert sk.evaluate(inst, b.solution()).objective == b.makespan == 270.0
    # Without insertion every processor runs its tasks in HEFT's rank order; with it, some
    # task runs before a task of higher rank on its processor.
    a_dag = H.dag_arrays(inst)
    from schedkit.heuristics.dag import rank_kernels as K
    rank = K.upward_rank(K.mean_costs(a_dag.cost), a_dag.succ_ptr, a_dag.succ_dst,
                         K.mean_comm(a_dag.succ_data, a_dag.bw, a_dag.lat), a_dag.topo)

    def out_of_rank_order(s: H.DagSchedule) -> bool:
        for p in range(inst.processors):
            on = np.flatnonzero(s.processor == p)
            by_start = on[np.argsort(s.start[on])]
            if (np.diff(rank[by_start]) > 0).any():
                return True
        return False

    assert out_of_rank_order(a) and not out_of_rank_order(b)


def test_list_option_is_checked() -> None:
    inst = sk.generate("dag", tasks=5, processors=2, seed=1)
    with pytest.raises(sk.InputError, match="priority"):
        sk.solve(inst, "list", options={"priority": "alphabetical"})
    with pytest.raises(sk.InputError, match="priority"):
        H.list_scheduling(inst, "alphabetical")


def test_zero_cost_tasks_and_latency_and_bandwidth_matrix() -> None:
    """Every kernel respects latency[p] + data / bandwidth[p, q] and zero-cost tasks."""
    rng = np.random.default_rng(0)
    n, P = 25, 3
    cost = rng.integers(0, 9, size=(n, P)).astype(float)
    cost[3] = 0.0
    edges = [[u, v] for u in range(n) for v in range(u + 1, n) if rng.random() < 0.15]
    bw = rng.uniform(0.5, 2.0, size=(P, P))
    inst = sk.DAG(processors=P, cost=cost, edges=edges,
                  edge_data=rng.uniform(0, 10, size=len(edges)), bandwidth=bw,
                  latency=[0.5, 1.0, 0.25])
    for method, options in HEURISTICS:
        res = sk.solve(inst, method, options=options)
        assert res.verified, (method, res.stop_reason)


def test_best_heuristic_is_the_shortest() -> None:
    inst = sk.generate("dag", tasks=40, processors=3, seed=9)
    best = H.best_heuristic(inst)
    for f in (H.heft, H.peft, H.cpop):
        assert best.makespan <= f(inst).makespan
