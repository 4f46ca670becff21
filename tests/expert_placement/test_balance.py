"""The ``balance`` planner of expert placement: known optima, feasibility on random shapes,
seeded reproduction, migration budgets, the traffic mode, and the kernels with and without
the JIT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.expert_placement import balance_kernels as K
from schedkit.heuristics.expert_placement.balance import (
    balance_solution,
    plan_rows,
    relabel_gpus,
    solution_from_rows,
)
from schedkit.heuristics.expert_placement.baseline import baseline_solution
from schedkit.instances import ExpertPlacement, InputError
from schedkit.instances.evaluate import check, objective
from schedkit.instances.expert_placement import evaluate as ev


def _random(E: int, G: int, S: int, L: int = 3, seed: int = 0,
            **extra: Any) -> ExpertPlacement:
    rng = np.random.default_rng(seed)
    load = np.round(rng.dirichlet(np.full(E, 0.5), size=L) * 1000)
    return ExpertPlacement(gpus=G, gpus_per_node=1, slots_per_gpu=S, load=load,
                           name=f"rand-{E}-{G}-{S}", **extra)


def test_eplb_readme_reaches_the_global_optimum() -> None:
    inst = sk.load("eplb-readme")
    assert isinstance(inst, ExpertPlacement)
    sol, stats = balance_solution(inst, seed=0)
    assert check(inst, sol) == []
    assert stats["max_load_per_layer"] == [136.0, 172.0]
    assert objective(inst, sol) == 308.0


def test_flashlb_example_reaches_the_optimum() -> None:
    inst = sk.load("flashlb-pr")
    assert isinstance(inst, ExpertPlacement)
    sol, stats = balance_solution(inst, seed=0)
    assert check(inst, sol) == []
    assert stats["max_load_per_layer"][0] == pytest.approx(590 / 3)


def test_solve_proves_a_plan_at_the_lower_bound() -> None:
    # Four equal experts on two GPUs with two slots: the mean is reached.
    inst = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2, load=[[5, 5, 5, 5]],
                           name="flat")
    res = sk.solve(inst, method="balance")
    assert res.status == "optimal" and res.objective == 10.0


@pytest.mark.parametrize(("E", "G", "S"), [(8, 8, 1), (6, 3, 2), (7, 3, 3), (10, 4, 5),
                                           (12, 8, 2), (5, 5, 5), (16, 4, 4), (9, 2, 6),
                                           (12, 4, 3), (1, 1, 1), (3, 1, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_plans_pass_the_evaluator(E: int, G: int, S: int, seed: int) -> None:
    inst = _random(E, G, S, seed=seed)
    sol, stats = balance_solution(inst, starts=4, seed=seed)
    assert check(inst, sol) == []
    assert objective(inst, sol) == pytest.approx(sum(stats["max_load_per_layer"]))
    assert objective(inst, sol) >= ev.lower_bound(inst) - 1e-9
    # Never worse than round robin.
    assert objective(inst, sol) <= objective(inst, baseline_solution(inst)) + 1e-9


def test_never_worse_than_a_start_plan() -> None:
    inst = _random(12, 4, 4, L=4, seed=3)
    start = baseline_solution(inst)
    sol, stats = balance_solution(inst, starts=1, initial_plans=[start])
    per_start = ev.gpu_loads(inst, start["replicas"]).max(axis=1)
    assert np.all(np.array(stats["max_load_per_layer"]) <= per_start + 1e-9)


def test_seeded_runs_reproduce_with_iteration_limits() -> None:
    inst = _random(20, 4, 6, L=5, seed=7)
    runs = [balance_solution(inst, starts=6, seed=11, iterations=17, tolerance=0.0)
            for _ in range(2)]
    assert runs[0][0] == runs[1][0]
    assert runs[0][1]["iterations"] == 17
    res = [sk.solve(inst, method="balance", seed=3, options={"iterations": 12}).solution
           for _ in range(2)]
    assert res[0] == res[1]


def test_solve_with_initial_solution_and_time_limit() -> None:
    inst = _random(20, 4, 6, L=3, seed=4)
    start = baseline_solution(inst)
    res = sk.solve(inst, method="balance", initial=start, time_limit=5.0)
    assert res.status in ("feasible", "optimal")
    assert res.objective is not None and res.objective <= objective(inst, start) + 1e-9
    assert res.stats["initial_plans"] == 1
    with pytest.raises(InputError):
        sk.solve(inst, method="balance", initial={"replicas": [[[0]] * 20] * 3})


def _deployed(inst: ExpertPlacement, seed: int) -> np.ndarray:
    """A deployed plan made on other loads (so that the current ones are unbalanced)."""
    rng = np.random.default_rng(seed)
    other = ExpertPlacement(gpus=inst.gpus, gpus_per_node=inst.gpus_per_node,
                            slots_per_gpu=inst.slots_per_gpu,
                            load=rng.permutation(inst.load.T).T, name="other")
    return plan_rows(other, balance_solution(other)[0])


@pytest.mark.parametrize("budget", [0, 1, 5, 20])
def test_migration_budget_is_respected(budget: int) -> None:
    base = _random(16, 4, 5, L=4, seed=2)
    prev = _deployed(base, 1)
    inst = _random(16, 4, 5, L=4, seed=2, previous=prev, max_changed_slots=budget)
    sol, stats = balance_solution(inst)
    assert check(inst, sol) == []
    assert stats["mode"] == "migrate"
    assert ev.changed_slots(inst, sol["replicas"]).sum() == stats["changed_slots"] <= budget
    before = ev.gpu_loads(inst, [[[j // 5 for j in range(20) if row[j] == e]
                                  for e in range(16)] for row in prev]).max(axis=1).sum()
    assert objective(inst, sol) <= before + 1e-9
    if budget == 0:
        assert np.array_equal(plan_rows(inst, sol), np.sort(prev.reshape(4, 4, 5), axis=2)
                              .reshape(4, 20))
    if budget == 20:
        assert objective(inst, sol) < before


@pytest.mark.parametrize("budget", [{"max_changed_slots": 0}, {"max_changed_slots": 4},
                                    {"max_changed_layers": 1}, {}])
def test_an_infeasible_deployed_plan_is_repaired(budget: dict[str, Any]) -> None:
    # EPLB's faithful plans can put two replicas of one expert on a GPU (its issue #22).
    prev = np.array([[0, 0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 4]])
    inst = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=3,
                           load=[[9, 5, 4, 2, 1], [1, 2, 3, 4, 9]], name="dup", previous=prev)
    sol, stats = balance_solution(inst if not budget else ExpertPlacement(
        gpus=2, gpus_per_node=1, slots_per_gpu=3, load=inst.load, name="dup",
        previous=prev, **budget))
    assert ev.changed_slots(inst, sol["replicas"]).sum() >= 2  # one per broken GPU at least
    assert [m for m in check(inst, sol) if m.kind != "budget"] == []


def test_a_budget_too_small_to_repair_the_deployed_plan_is_named() -> None:
    prev = np.array([[0, 0, 1, 2, 3, 4]])
    inst = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=3, load=[[9, 5, 4, 2, 1]],
                           name="dup", previous=prev, max_changed_slots=0)
    with pytest.raises(InputError, match="max_changed_slots"):
        sk.solve(inst, method="balance")


def test_migration_layer_budget() -> None:
    base = _random(16, 4, 5, L=4, seed=2)
    prev = _deployed(base, 4)
    inst = _random(16, 4, 5, L=4, seed=2, previous=prev, max_changed_layers=1)
    sol, stats = balance_solution(inst)
    assert check(inst, sol) == []
    assert stats["changed_layers"] <= 1


def test_layer_budget_replans_the_layers_that_gain_most() -> None:
    base = _random(16, 4, 5, L=6, seed=8)
    prev = _deployed(base, 3)
    for k in (0, 2):
        inst = _random(16, 4, 5, L=6, seed=8, previous=prev, max_changed_layers=k)
        sol, stats = balance_solution(inst)
        assert check(inst, sol) == []
        assert stats["changed_layers"] <= k


def test_relabelling_gpus_keeps_loads_and_saves_moves() -> None:
    inst = _random(16, 4, 5, L=6, seed=8)
    prev = _deployed(inst, 3)
    rows = plan_rows(inst, balance_solution(inst)[0])
    renamed = relabel_gpus(rows, prev, 4, 5, 16)
    with_prev = _random(16, 4, 5, L=6, seed=8, previous=prev)
    for layer in range(6):
        w = inst.load[layer].astype(float)
        assert np.allclose(np.sort(K.slot_loads(w, rows[layer], 4, 5)),
                           np.sort(K.slot_loads(w, renamed[layer], 4, 5)))
    before = ev.changed_slots(with_prev, solution_from_rows(rows, inst)["replicas"])
    after = ev.changed_slots(with_prev, solution_from_rows(renamed, inst)["replicas"])
    assert np.all(after <= before)
    # Renaming a plan's own GPUs at random is undone exactly.
    shuffled = prev.reshape(6, 4, 5)[:, [2, 0, 3, 1]].reshape(6, 20)
    assert ev.changed_slots(with_prev, solution_from_rows(
        relabel_gpus(shuffled, prev, 4, 5, 16), inst)["replicas"]).sum() == 0


def test_traffic_mode_lowers_traffic_against_the_contiguous_placement() -> None:
    inst = sk.generate("expert_placement", experts=16, gpus=4, gpus_per_node=2, layers=4,
                       objective="load_and_traffic", affinity=0.9, seed=5)
    assert isinstance(inst, ExpertPlacement)
    sol, stats = balance_solution(inst, starts=2)
    assert stats["mode"] == "traffic"
    assert check(inst, sol) == []
    contiguous = baseline_solution(inst)

    def traffic(s: dict[str, Any]) -> float:
        reps = s["replicas"]
        return objective(inst, s) - inst.per_token * ev.gpu_loads(inst, reps).max(axis=1).sum()

    assert objective(inst, sol) < objective(inst, contiguous)
    assert traffic(sol) < traffic(contiguous)
    rows = plan_rows(inst, sol)
    assert K.traffic_value(inst.load.astype(float), inst.traffic.astype(float),
                           ev.hop_matrix(inst), rows, inst.gpus, inst.slots_per_gpu,
                           float(inst.per_token)) == pytest.approx(objective(inst, sol))


def test_bad_options() -> None:
    inst = sk.load("flashlb-pr")
    assert isinstance(inst, ExpertPlacement)
    with pytest.raises(InputError, match="starts"):
        balance_solution(inst, starts=0)
    with pytest.raises(InputError, match="tolerance"):
        balance_solution(inst, tolerance=-1.0)
    with pytest.raises(InputError):
        sk.solve(inst, method="balance", options={"starts": 0})


def test_lpt_repair_keeps_replicas_apart() -> None:
    # Expert 0 on every GPU, placed last: the repair must make room on GPUs without it.
    w = np.array([1.0, 9.0, 9.0, 9.0, 9.0, 9.0])
    cnt = np.array([3, 2, 1, 1, 1, 1])
    for key in (np.array([0.0, 5, 4, 3, 2, 1]), np.array([0.0, 1, 2, 3, 4, 5])):
        row = K.lpt_place(w, cnt, 3, 3, key)
        assert all(len(set(r)) == 3 for r in row.reshape(3, 3).tolist())
        assert np.bincount(row, minlength=6).tolist() == cnt.tolist()


SCRIPT = """
import json
import numpy as np
import schedkit as sk
from schedkit.heuristics.expert_placement.balance import (
    balance_solution,
    plan_rows,
    relabel_gpus,
    solution_from_rows,
)
from schedkit.instances import ExpertPlacement
out = {}
for name in ("eplb-readme", "flashlb-pr"):
    sol, st = balance_solution(sk.load(name), starts=4, seed=2, tolerance=0.0)
    out[name] = [sol, st["max_load_per_layer"], st["moves"]]
rng = np.random.default_rng(0)
load = np.round(rng.dirichlet(np.full(12, 0.5), size=3) * 1000)
inst = ExpertPlacement(gpus=4, gpus_per_node=2, slots_per_gpu=4, load=load, name="r")
sol, st = balance_solution(inst, starts=6, seed=1, tolerance=0.0)
out["random"] = [sol, st["moves"]]
prev = plan_rows(inst, sol)[:, ::-1].copy()
mig = ExpertPlacement(gpus=4, gpus_per_node=2, slots_per_gpu=4, load=load[::-1], name="m",
                      previous=prev, max_changed_slots=6)
sol, st = balance_solution(mig)
out["migrate"] = [sol, st["changed_slots"]]
tr = sk.generate("expert_placement", experts=8, gpus=4, gpus_per_node=2, layers=3,
                 objective="load_and_traffic", affinity=0.8, seed=1)
sol, st = balance_solution(tr, starts=2)
out["traffic"] = [sol, st["moves"]]
print(json.dumps(out))
"""


def test_kernels_agree_with_and_without_jit(
        jit_outputs: Callable[[str], tuple[Any, Any]]) -> None:
    compiled, interpreted = jit_outputs(SCRIPT)
    assert compiled == interpreted
