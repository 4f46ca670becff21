"""The expert-placement evaluator: published examples, the traffic objective, violations."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from schedkit.instances import ExpertPlacement, InputError
from schedkit.instances.evaluate import check, evaluate, lower_bound, metrics

from ..cases import EP, EP_OK, kinds


def _replicas_from_phy2log(phy2log, gpus) -> list:
    per_gpu = len(phy2log[0]) // gpus
    out = []
    for layer in phy2log:
        experts = [[] for _ in range(max(layer) + 1)]
        for slot, e in enumerate(layer):
            experts[e].append(slot // per_gpu)
        out.append(experts)
    return out


def test_expert_placement_reproduces_eplb_readme_numbers() -> None:
    """DeepSeek EPLB README example: published per-layer max GPU loads 156.0 and 179.5."""
    weight = [[90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
              [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27]]
    phy2log = [[5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
               [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1]]
    inst = ExpertPlacement(gpus=8, gpus_per_node=4, slots_per_gpu=2, load=weight, groups=3,
                           name="eplb-readme")
    sol = {"replicas": _replicas_from_phy2log(phy2log, 8)}
    ev = evaluate(inst, sol)
    assert ev.feasible, ev.violations
    assert ev.objective == pytest.approx(156.0 + 179.5)
    assert metrics(inst, sol)["balancedness"] == pytest.approx([0.8277, 0.8050], abs=1e-4)
    assert lower_bound(inst) <= 136 + 172  # the published global optimum


def test_expert_placement_flashlb_optimum() -> None:
    """FlashLB PR example: the published optimal replica counts give 590/3."""
    inst = ExpertPlacement(gpus=8, gpus_per_node=8, slots_per_gpu=2,
                           load=[[600, 560, 120, 120, 20, 10, 10, 10]])
    # counts {0:4, 1:3, 2:3, 3:1, 4:1, 5:2, 6:1, 7:1}: each 560/3 replica shares a GPU with a
    # light one (5 or 10), each 150 replica with a 40 or the 20, and 120 with 10.
    reps = [[3, 4, 5, 6], [0, 1, 2], [3, 4, 5], [7], [6], [0, 1], [2], [7]]
    ev = evaluate(inst, {"replicas": [reps]})
    assert ev.feasible, ev.violations
    assert ev.objective == pytest.approx(590 / 3)
    assert lower_bound(inst) == pytest.approx(181.25)


def test_expert_placement_traffic_objective() -> None:
    ev = evaluate(EP, EP_OK)
    assert ev.feasible
    # loads layer0: g0 = 2 + 2 = 4, g1 = 2 + 2 = 4 -> 4; layer1: g0 = 1 + 3, g1 = 1 + 3 -> 4
    # traffic: e0 (g0,g1) -> e0 (g0): mean hop (0 + 5)/2 * 1 = 2.5; e1 (g0) -> e1 (g1): 5 * 2
    # = 10; e2 (g1) -> e2 (g0, g1): (5 + 0)/2 * 3 = 7.5
    assert ev.objective == pytest.approx(8 + 2.5 + 10 + 7.5)


@pytest.mark.parametrize(("mutate", "kind"), [
    (lambda s: s["replicas"][0].__setitem__(1, []), "missing"),
    (lambda s: s["replicas"][0].__setitem__(0, [0, 0]), "replica_same_gpu"),
    (lambda s: s["replicas"][0].__setitem__(1, [1]), "slots"),
    (lambda s: s["replicas"][1].__setitem__(1, [5]), "range"),
    (lambda s: s["replicas"].pop(), "missing"),
    (lambda s: s.__setitem__("replicas", 3), "format"),
])
def test_expert_placement_violations(mutate, kind) -> None:
    sol = copy.deepcopy(EP_OK)
    mutate(sol)
    assert kind in kinds(check(EP, sol))


# --- caps of the instance -------------------------------------------------------------------------
EP_BASE = {"gpus": 2, "gpus_per_node": 1, "slots_per_gpu": 2, "load": [[4, 2, 2], [1, 1, 6]],
           "traffic": [[[1, 0, 0], [0, 2, 0], [0, 0, 3]]], "objective": "load_and_traffic"}


def test_objective_below_the_cap_is_finite() -> None:
    inst = ExpertPlacement(**{**EP_BASE, "load": [[1e299, 1e299, 1e299], [1, 1, 1]],
                              "intra_node": 1.0, "inter_node": 5.0})
    ev = evaluate(inst, EP_OK)
    assert ev.feasible and np.isfinite(ev.objective)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"load": [[1e300, 1e300, 1], [1, 1, 1]]}, "data.load[0][0]"),
    ({"per_token": 1e300}, "data.cost.per_token"),
    ({"inter_node": 1e305}, "data.cost.inter_node"),
    ({"traffic": [[[1e299, 1e299, 0], [0, 0, 0], [0, 0, 0]]], "inter_node": 100.0},
     "data.traffic[0][0][0]"),
    ({"gpus": 8193, "gpus_per_node": 1}, "data.gpus"),
    ({"gpus": 8192, "gpus_per_node": 1, "slots_per_gpu": 3, "traffic": None,
      "objective": "max_load", "load": np.ones((3000, 3))}, "data.slots_per_gpu"),
])
def test_instances_beyond_the_caps_are_refused(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        ExpertPlacement(**{**EP_BASE, **kwargs})
    assert err.value.field == field, err.value


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "3", True, [1]])
def test_non_finite_data_are_refused(bad) -> None:
    for key, value in (("load", [[4, bad, 2], [1, 1, 6]]),
                       ("traffic", [[[1, 0, 0], [0, bad, 0], [0, 0, 3]]]),
                       ("per_token", bad), ("intra_node", bad), ("inter_node", bad)):
        with pytest.raises(InputError) as err:
            ExpertPlacement(**{**EP_BASE, key: value})
        assert key in err.value.field, err.value
