"""The exact methods of expert placement (``cpsat``, ``milp``): proved optima of the fixtures,
the hierarchical optimum, the free-split bound, migration budgets and the traffic model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import schedkit as sk
from schedkit.formulations.expert_placement.common import plan_array, plan_replicas

#: The EPLB README example's plan (DeepSeek EPLB README, hierarchical policy) as phy2log.
EPLB_PHY2LOG = np.array([[5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
                         [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1]])
#: Its maximum GPU loads are 156 and 179.5.
EPLB_TOTAL = 335.5
#: The optimum of the even split with every expert group on one node (found by both
#: methods): 151 + 179.5.
HIERARCHICAL_OPTIMUM = 330.5

METHODS = [
    pytest.param("cpsat", {}, id="cpsat"),
    pytest.param("milp", {"backend": "cbc"}, id="milp-cbc"),
    pytest.param("milp", {"backend": "highs"}, id="milp-highs"),
]
#: The slower checks run once per method (CBC for the MILP).
ONE_EACH = METHODS[:2]


def _phy2log_solution(inst: sk.ExpertPlacement, phy2log: np.ndarray) -> dict:
    """A solution from EPLB's phy2log (slot j on GPU j // S)."""
    reps: list[list[list[int]]] = [[[] for _ in range(inst.n_experts)]
                                   for _ in range(inst.n_layers)]
    for layer, row in enumerate(phy2log):
        for j, e in enumerate(row.tolist()):
            reps[layer][e].append(j // inst.slots_per_gpu)
    return {"replicas": reps}


def _solve(inst, method, options, **kw):
    res = sk.solve(inst, method, time_limit=kw.pop("time_limit", 60), options=options, **kw)
    assert res.verified, res.stop_detail
    return res


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_eplb_readme_global_optimum(method: str, options: dict) -> None:
    res = _solve(sk.load("eplb-readme"), method, options,
                 initial=_phy2log_solution(sk.load("eplb-readme"), EPLB_PHY2LOG))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(308.0)
    assert res.stats["layer_bounds"] == pytest.approx([136.0, 172.0])
    assert res.bound == pytest.approx(308.0)


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_eplb_readme_hierarchical_optimum(method: str, options: dict) -> None:
    inst = sk.load("eplb-readme")
    res = _solve(inst, method, {**options, "hierarchical": True},
                 initial=_phy2log_solution(inst, EPLB_PHY2LOG))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(HIERARCHICAL_OPTIMUM)
    assert 308.0 <= res.objective <= EPLB_TOTAL
    # Every group of 3 experts on one node, two groups per node.
    for layer in res.solution["replicas"]:
        nodes = [{g // inst.gpus_per_node for e in range(3 * q, 3 * q + 3) for g in layer[e]}
                 for q in range(4)]
        assert all(len(n) == 1 for n in nodes)
        assert sorted(n.pop() for n in nodes) == [0, 0, 1, 1]


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_flashlb_optimum(method: str, options: dict) -> None:
    res = _solve(sk.load("flashlb-pr"), method, options)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(590 / 3)


@pytest.mark.parametrize(("method", "options"), ONE_EACH)
def test_free_split_bounds_the_even_split(method: str, options: dict) -> None:
    inst = sk.load("flashlb-pr")
    res = _solve(inst, method, {**options, "split": "free"}, time_limit=3)
    assert res.status in ("feasible", "optimal")
    free = res.stats["free_split_bound"]
    assert sk.lower_bound(inst) - 1e-9 <= res.bound
    assert free <= 590 / 3 + 1e-9 and res.bound <= 590 / 3 + 1e-9
    # The plan is scored with the even split, honestly.
    assert res.objective == pytest.approx(sk.evaluate(inst, res.solution).objective)


def _with_previous(budget: int | None = None, layers: int | None = None) -> sk.ExpertPlacement:
    inst = sk.load("eplb-readme")
    return dataclasses.replace(inst, previous=EPLB_PHY2LOG, max_changed_slots=budget,
                               max_changed_layers=layers)


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_budget_zero_returns_the_previous_plan(method: str, options: dict) -> None:
    inst = _with_previous(budget=0)
    res = _solve(inst, method, options)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(EPLB_TOTAL)
    assert res.stats["changed_slots"] == 0
    assert (plan_array(inst, res.solution) == plan_array(inst, _phy2log_solution(
        inst, EPLB_PHY2LOG))).all()


def _small_previous(budget: int | None, layers: int | None = None
                    ) -> sk.ExpertPlacement:
    inst = sk.generate("expert_placement", experts=6, gpus=3, gpus_per_node=1, layers=2,
                       seed=3)
    prev = np.array([[i % inst.n_experts for i in range(inst.slots)]] * inst.n_layers)
    return dataclasses.replace(inst, previous=prev, max_changed_slots=budget,
                               max_changed_layers=layers)


#: Optima of the small instance under budgets (changed slots, layers), proved by every method.
BUDGET_OPTIMA = {(2, None): 6247.333333333333, (None, 1): 6208.5, (3, 1): 6208.5}


@pytest.mark.parametrize(("method", "options"), METHODS)
@pytest.mark.parametrize(("budget", "layers"), list(BUDGET_OPTIMA))
def test_migration_budgets_are_respected(method: str, options: dict, budget, layers) -> None:
    inst = _small_previous(budget, layers)
    res = _solve(inst, method, options)
    changed = np.array(res.stats["changed_slots_per_layer"])
    if budget is not None:
        assert changed.sum() <= budget
    if layers is not None:
        assert (changed > 0).sum() <= layers
    assert res.status == "optimal"
    # Proved optima of the same budget agree across methods (measured with CP-SAT).
    assert res.objective == pytest.approx(BUDGET_OPTIMA[(budget, layers)])
    unlimited = _solve(_small_previous(None), "cpsat", {})
    assert res.objective >= unlimited.objective - 1e-9


def test_previous_plan_without_budget_keeps_slots() -> None:
    # Second phase: among the optimal plans, the fewest changed slots.
    inst = _with_previous()
    res = _solve(inst, "cpsat", {})
    assert res.status == "optimal" and res.objective == pytest.approx(308.0)
    assert res.stats["changed_slots"] <= 8


def _traffic_instance(seed: int) -> sk.ExpertPlacement:
    return sk.generate("expert_placement", experts=6, gpus=2, gpus_per_node=1, layers=3,
                       objective="load_and_traffic", seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_traffic_optimum_agrees(seed: int) -> None:
    inst = _traffic_instance(seed)
    found = {}
    for method, options in (("cpsat", {}), ("milp", {"backend": "highs"})):
        res = _solve(inst, method, options)
        assert res.status == "optimal", res.stop_detail
        found[method] = res.objective
    assert found["cpsat"] == pytest.approx(found["milp"])
    # No worse than the contiguous (round-robin) placement.
    assert found["cpsat"] <= sk.solve(inst, "baseline").objective + 1e-9


def test_traffic_with_replicas_is_refused() -> None:
    inst = sk.generate("expert_placement", experts=8, gpus=4, slots_per_gpu=3, layers=2,
                       objective="load_and_traffic", seed=0)
    res = sk.solve(inst, "cpsat", time_limit=5)
    assert res.status == "unknown" and "one replica per expert" in res.stop_detail


@pytest.mark.parametrize(("options", "field"), [
    ({"hierarchical": True}, "groups"),
])
def test_bad_options(options: dict, field: str) -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve(sk.load("flashlb-pr"), "cpsat", options=options)
    assert err.value.field == field


def test_free_split_refuses_traffic() -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve(_traffic_instance(0), "milp", options={"split": "free"})
    assert err.value.field == "option split"


def test_plan_arrays_round_trip() -> None:
    inst = sk.load("eplb-readme")
    sol = _phy2log_solution(inst, EPLB_PHY2LOG)
    back = plan_replicas(plan_array(inst, sol))
    assert [[sorted(g) for g in layer] for layer in back["replicas"]] == \
        [[sorted(g) for g in layer] for layer in sol["replicas"]]
