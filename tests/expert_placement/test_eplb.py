"""The ``eplb`` method: DeepSeek EPLB's published plan, its defects and their fix, migration."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.expert_placement.eplb import (
    FLASHLB_RATIO,
    eplb_plan,
    eplb_solution,
    rebalance_experts,
)
from schedkit.instances import ExpertPlacement, InputError
from schedkit.instances.expert_placement.evaluate import changed_slots, gpu_loads
from schedkit.instances.expert_placement.plan import from_eplb_arrays, to_eplb_arrays

README_WEIGHT = [[90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
                 [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27]]
README_PHY2LOG = [[5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
                  [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1]]
FLASHLB_WEIGHT = [[600, 560, 120, 120, 20, 10, 10, 10]]


def _ep(name: str, **shape: Any) -> ExpertPlacement:
    """A bundled (name) or generated (shape, seed=name) expert-placement instance."""
    inst = sk.generate("expert_placement", seed=int(name), **shape) if shape else sk.load(name)
    assert isinstance(inst, ExpertPlacement)
    return inst


def _solution(result: sk.Result) -> dict[str, Any]:
    assert result.solution is not None, result.stop_detail
    return dict(result.solution)


def _peaks(phy2log: Any, weight: Any, gpus: int) -> np.ndarray:
    """Each layer's GPU loads, sorted, of a phy2log (an expert split evenly over its slots)."""
    weight = np.asarray(weight, dtype=float)
    out = []
    for layer, row in enumerate(phy2log):
        cnt = np.bincount(row, minlength=weight.shape[1])
        out.append(np.sort((weight[layer] / cnt)[row].reshape(gpus, -1).sum(axis=1)))
    return np.array(out)


def _has_duplicate(phy2log: Any, gpus: int) -> bool:
    per_gpu = phy2log.shape[1] // gpus
    return any(len(set(r.tolist())) < per_gpu for row in phy2log
               for r in row.reshape(gpus, per_gpu))


# -- the published examples ----------------------------------------------------------------------
def test_readme_plan_reproduced_exactly() -> None:
    phy2log, log2phy, logcnt = rebalance_experts(README_WEIGHT, 16, 4, 2, 8)
    assert phy2log.tolist() == README_PHY2LOG
    assert logcnt.tolist() == [np.bincount(r, minlength=12).tolist() for r in README_PHY2LOG]
    assert log2phy.shape == (2, 12, 5)
    for layer in range(2):
        for e in range(12):
            slots = [j for j in log2phy[layer, e].tolist() if j >= 0]
            assert slots == [j for j, x in enumerate(README_PHY2LOG[layer]) if x == e]
    assert _peaks(phy2log, README_WEIGHT, 8).max(axis=1).tolist() == [156.0, 179.5]


def test_readme_through_solve_matches_the_published_loads() -> None:
    inst = sk.load("eplb-readme")
    result = sk.solve(inst, "eplb", options={"fix_defects": False})
    assert result.status == "feasible" and result.verified
    assert result.objective == pytest.approx(156.0 + 179.5)
    assert result.stats["policy"] == "hierarchical"
    assert result.solution == from_eplb_arrays(README_PHY2LOG, 8)
    assert sk.metrics(inst, result.solution)["max_load_per_layer"] == [156.0, 179.5]


def test_flashlb_example_gives_232_and_shows_issue_22() -> None:
    phy2log, _, logcnt = rebalance_experts(FLASHLB_WEIGHT, 16, 1, 1, 8)
    assert _peaks(phy2log, FLASHLB_WEIGHT, 8).max() == 232.0
    assert logcnt.tolist() == [[5, 5, 1, 1, 1, 1, 1, 1]]
    assert _has_duplicate(phy2log, 8)  # expert 1's two replicas of 112 share GPU 7
    result = sk.solve("flashlb-pr", "eplb", options={"fix_defects": False})
    assert result.status == "error" and result.solution is None
    assert "EPLB issue #22" in result.stop_detail and "fix_defects=true" in result.stop_detail
    assert result.stats["eplb_max_load_per_layer"] == [232.0]
    with pytest.raises(InputError, match="#22"):
        eplb_solution(_ep("flashlb-pr"))


def test_flashlb_example_fixed_is_feasible_at_232() -> None:
    result = sk.solve("flashlb-pr", "eplb", options={"fix_defects": True})
    assert result.status == "feasible" and result.objective == pytest.approx(232.0)
    assert result.bound is not None and result.bound <= 590 / 3 + 1e-9


# -- fix_defects ---------------------------------------------------------------------------------
CASES = [  # (experts, gpus, slots_per_gpu, num_groups, num_nodes)
    (8, 8, 2, 1, 1), (12, 8, 2, 4, 2), (16, 4, 4, 4, 2), (16, 8, 3, 8, 4), (12, 4, 3, 1, 1),
    (24, 8, 4, 6, 2), (8, 2, 4, 2, 2),
]


@pytest.mark.parametrize(("E", "G", "S", "groups", "nodes"), CASES)
@pytest.mark.parametrize("seed", range(4))
def test_fix_defects_never_two_replicas_on_a_gpu_and_ignores_input_order(
        E: int, G: int, S: int, groups: int, nodes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct, skewed values: many ties and many hot experts.
    weight = (rng.integers(1, 5, size=(3, E)) ** 3).astype(float)
    weight[:, 0] *= 20
    plan = rebalance_experts(weight, G * S, groups, nodes, G, fix_defects=True)
    assert not _has_duplicate(plan.phy2log, G)
    # Relabel experts (groups as blocks, experts inside a group): every GPU load is the same.
    size = E // groups
    perm = np.concatenate([rng.permutation(size) + g * size for g in rng.permutation(groups)])
    again = rebalance_experts(weight[:, perm], G * S, groups, nodes, G, fix_defects=True)
    assert not _has_duplicate(again.phy2log, G)
    np.testing.assert_allclose(_peaks(again.phy2log, weight[:, perm], G),
                               _peaks(plan.phy2log, weight, G))


def test_fix_defects_keeps_the_readme_loads() -> None:
    plan = rebalance_experts(README_WEIGHT, 16, 4, 2, 8, fix_defects=True)
    assert _peaks(plan.phy2log, README_WEIGHT, 8).max(axis=1).tolist() == [156.0, 179.5]


# -- every plan passes the evaluator ---------------------------------------------------------------
INSTANCES = [
    dict(preset="mixtral", layers=2),
    dict(layers=3, experts=16, gpus=8, gpus_per_node=4, slots_per_gpu=3, groups=4),
    dict(layers=2, experts=32, gpus=8, gpus_per_node=2, slots_per_gpu=5, groups=4, skew="zipf"),
    dict(layers=2, experts=12, gpus=4, gpus_per_node=4, slots_per_gpu=3),
]


@pytest.mark.parametrize("shape", INSTANCES, ids=lambda s: "-".join(map(str, s.values())))
@pytest.mark.parametrize("policy", ["auto", "global", "hierarchical"])
def test_every_plan_passes_the_evaluator_or_names_issue_22(shape: dict[str, Any],
                                                           policy: str) -> None:
    inst = _ep("3", **shape)
    if policy == "hierarchical" and not inst.groups:
        with pytest.raises(InputError, match="policy"):
            sk.solve(inst, "eplb", options={"policy": policy})
        return
    fixed = sk.solve(inst, "eplb", options={"policy": policy, "fix_defects": True})
    assert fixed.status in ("feasible", "optimal") and fixed.verified, fixed.stop_detail
    faithful = sk.solve(inst, "eplb", options={"policy": policy})
    if faithful.status == "error":
        assert "EPLB issue #22" in faithful.stop_detail
    else:
        assert faithful.verified
    assert fixed.bound is not None and fixed.objective is not None
    assert fixed.bound <= fixed.objective + 1e-9


def test_bad_geometry_names_the_field() -> None:
    with pytest.raises(InputError, match="num_replicas"):
        rebalance_experts(README_WEIGHT, 15, 4, 2, 8)
    with pytest.raises(InputError, match="num_groups"):
        rebalance_experts(README_WEIGHT, 16, 5, 1, 8)
    with pytest.raises(InputError, match="policy"):
        rebalance_experts(README_WEIGHT, 18, 4, 3, 6, policy="hierarchical")
    with pytest.raises(InputError, match="weight"):
        rebalance_experts([[1.0, -2.0]], 2, 1, 1, 1)
    with pytest.raises(InputError, match="option policy"):
        sk.solve("eplb-readme", "eplb", options={"policy": "nope"})


# -- migration -----------------------------------------------------------------------------------
def _with_previous(inst: ExpertPlacement, previous: np.ndarray, **budget: Any
                   ) -> ExpertPlacement:
    return ExpertPlacement(name=inst.name, gpus=inst.gpus, gpus_per_node=inst.gpus_per_node,
                           slots_per_gpu=inst.slots_per_gpu, load=inst.load, groups=inst.groups,
                           previous=previous, **budget)


def _baseline_plan(inst: ExpertPlacement) -> np.ndarray:
    return to_eplb_arrays(inst, _solution(sk.solve(inst, "baseline"))).phy2log


MIGRATION = dict(layers=6, experts=16, gpus=8, gpus_per_node=4, slots_per_gpu=3, groups=4,
                 skew="zipf")


@pytest.mark.parametrize("fix", [False, True])
@pytest.mark.parametrize("budget", [dict(), dict(max_changed_slots=30),
                                    dict(max_changed_layers=2), dict(max_changed_slots=0),
                                    dict(max_changed_slots=40, max_changed_layers=1)])
def test_migration_budget_is_respected(fix: bool, budget: dict[str, int]) -> None:
    inst = _ep("5", **MIGRATION)
    old = _baseline_plan(inst)
    moved = _with_previous(inst, old, **budget)
    result = sk.solve(moved, "eplb", options={"fix_defects": fix})
    if not fix and result.status == "error":  # a re-planned layer has EPLB's defect
        assert "EPLB issue #22" in result.stop_detail
        return
    assert result.status in ("feasible", "optimal"), result.stop_detail
    changed = changed_slots(moved, _solution(result)["replicas"])
    assert result.stats["changed_slots"] == int(changed.sum())
    assert changed.sum() <= budget.get("max_changed_slots", 10**9)
    assert (changed > 0).sum() <= budget.get("max_changed_layers", 10**9)
    old_peaks = gpu_loads(moved, from_eplb_arrays(old, inst.gpus)["replicas"]).max(axis=1)
    new_peaks = np.array(sk.metrics(moved, result.solution)["max_load_per_layer"])
    assert (new_peaks <= old_peaks + 1e-9).all()  # a re-planned layer never gets worse
    unchanged = [layer for layer in range(inst.n_layers)
                 if layer not in result.stats["replanned_layers"]]
    for layer in unchanged:
        assert changed[layer] == 0
    if budget:  # FlashLB: only layers whose peak/average improves >= 1.15x are re-planned
        for layer in result.stats["replanned_layers"]:
            assert old_peaks[layer] >= FLASHLB_RATIO * new_peaks[layer] or changed[layer] == 0


def test_migration_without_budget_replans_every_improving_layer() -> None:
    inst = _ep("5", **MIGRATION)
    fresh = sk.solve(inst, "eplb", options={"fix_defects": True})
    moved = _with_previous(inst, _baseline_plan(inst))
    result = sk.solve(moved, "eplb", options={"fix_defects": True})
    assert result.objective == pytest.approx(fresh.objective)
    # Renumbering GPUs to the deployed plan changes slots, not loads: against its own plan
    # nothing moves.
    again = sk.solve(_with_previous(inst, to_eplb_arrays(inst, _solution(fresh)).phy2log), "eplb",
                     options={"fix_defects": True})
    assert again.stats["changed_slots"] == 0


def test_a_previous_plan_with_issue_22_is_replanned_first_or_reported() -> None:
    inst = _ep("flashlb-pr")
    broken = rebalance_experts(inst.load, 16, 1, 1, 8).phy2log  # GPU 7 holds expert 1 twice
    result = sk.solve(_with_previous(inst, broken, max_changed_slots=16), "eplb",
                      options={"fix_defects": True})
    assert result.status == "feasible" and result.stats["replanned_layers"] == [0]
    # Two changed slots suffice to swap the duplicate apart.
    mended = sk.solve(_with_previous(inst, broken, max_changed_slots=2), "eplb",
                      options={"fix_defects": True})
    assert mended.status == "feasible" and mended.stats["changed_slots"] <= 2
    for fix in (False, True):
        stuck = sk.solve(_with_previous(inst, broken, max_changed_slots=0), "eplb",
                         options={"fix_defects": fix})
        assert stuck.status == "error" and "EPLB issue #22" in stuck.stop_detail
        assert "budget" in stuck.stop_detail


def test_eplb_plan_reports_per_layer_peaks() -> None:
    out = eplb_plan(_ep("eplb-readme"))
    assert out.error == "" and out.stats["eplb_max_load_per_layer"] == [156.0, 179.5]


KERNEL_SCRIPT = """
import json, numpy as np
from schedkit.heuristics.expert_placement.eplb import rebalance_experts
w = np.random.default_rng(0).integers(1, 5, size=(3, 24)).astype(float) ** 3
out = [rebalance_experts(README, 16, 4, 2, 8).phy2log.tolist(),
       rebalance_experts(w, 32, 6, 2, 8, fix_defects=True).phy2log.tolist(),
       rebalance_experts(w, 40, 1, 1, 8).phy2log.tolist()]
print(json.dumps(out))
""".replace("README", repr(README_WEIGHT))


def test_kernels_compiled_and_interpreted_agree(jit_outputs: Any) -> None:
    compiled, interpreted = jit_outputs(KERNEL_SCRIPT)
    assert compiled == interpreted
    assert compiled[0] == README_PHY2LOG


def test_repair_swaps_a_duplicate_away_keeping_the_larger_load_small() -> None:
    from schedkit.heuristics.expert_placement.eplb import _repair

    # GPU 0 holds expert 0 twice (5 + 5), GPU 1 experts 1 (3) and 2 (1). Swapping expert 0
    # with expert 1 or 2 both give loads {8, 6}; the tie goes to the heavier expert 1.
    gpu = _repair(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2]), np.array([5.0, 5, 3, 1]),
                  np.array([10.0, 3, 1]), 2)
    assert gpu.tolist() == [0, 1, 0, 1]


def test_hierarchical_fix_needs_enough_experts_per_node() -> None:
    # 4 experts per node, 6 slots per GPU: auto falls back to the global policy.
    inst = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=6, groups=2,
                           load=[[float(x) for x in range(1, 9)]])
    result = sk.solve(inst, "eplb", options={"fix_defects": True})
    assert result.status in ("feasible", "optimal") and result.stats["policy"] == "global"
    with pytest.raises(InputError, match="option policy"):
        sk.solve(inst, "eplb", options={"fix_defects": True, "policy": "hierarchical"})
