"""The evaluator: known objectives, and every kind of violation caught and named."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from schedkit.instances import DAG, ExpertPlacement, JobShop, SequenceParallel, SingleMachine
from schedkit.instances.evaluate import VIOLATION_KINDS, check, evaluate, lower_bound, metrics

# Two jobs, two machines: J0 = (m0, 3) then (m1, 2); J1 = (m1, 4) then (m0, 1).
JS = JobShop.from_routes([[(0, 3), (1, 2)], [(1, 4), (0, 1)]], name="two-by-two",
                         release=[0, 1], due=[5, 6], weight=[2, 1])
JS_OK = {"start": [[0, 5], [1, 5]]}  # J1 waits for m1 until 1 (release); J0 op1 after J1's op0

SM = SingleMachine(processing=[3, 2, 4], due=[3, 9, 5], weight=[1, 2, 3], release=[0, 0, 1],
                   name="three-jobs")

# HEFT-style: 3 tasks, 2 processors, edge 0->1 with 6 units of data, bandwidth 2.
DG = DAG(processors=2, cost=[[2, 3], [4, 1], [1, 1]], edges=[[0, 1], [0, 2]],
         edge_data=[6, 0], bandwidth=2.0, name="three-tasks")

SP = SequenceParallel(
    devices=4, devices_per_node=2, memory_tokens=100, degrees=[1, 2, 4],
    lengths=[50, 150, 30, 300],
    cost={"a1": 1e-6, "a2": 1e-3, "b1": 0.01, "comm_bytes_per_token": 1e6,
          "bandwidth": {"2": 1.0, "4": 0.5}},
    name="four-seqs",
)
SP_OK = {"microbatches": [
    [{"devices": [0], "sequences": [0, 2]}, {"devices": [1, 2], "sequences": [1]}],
    [{"devices": [0, 1, 2, 3], "sequences": [3]}],
]}


def _kinds(violations) -> set[str]:
    return {v.kind for v in violations}


def test_jobshop_feasible_objectives() -> None:
    assert check(JS, JS_OK) == []
    assert evaluate(JS, JS_OK).objective == 7  # makespan: J0 ends 7, J1 ends 6
    # completions 7 and 6; tardiness 2*(7-5) + 1*(6-6) = 4; weighted completion 2*7 + 6 = 20
    assert evaluate(JS.with_objective("total_weighted_tardiness"), JS_OK).objective == 4
    assert evaluate(JS.with_objective("total_weighted_completion"), JS_OK).objective == 20


@pytest.mark.parametrize(("solution", "kind"), [
    ({"start": [[0, 3], [1, 5]]}, "overlap"),      # J0 op1 on m1 [3,5) vs J1 op0 [1,5)
    ({"start": [[0, 2], [5, 9]]}, "precedence"),   # J0 op1 starts before op0 ends
    ({"start": [[0, 5], [0, 5]]}, "release"),      # J1 released at 1
    ({"start": [[0, 5], [1]]}, "missing"),
    ({"start": [[0, 5]]}, "missing"),
    ({"start": [[-1, 5], [1, 5]]}, "range"),
    ({"begin": [[0, 5], [1, 5]]}, "format"),
    ({"start": [[0, 5, 9], [1, 5]]}, "format"),
    ({"start": "soon"}, "format"),
])
def test_jobshop_violations(solution, kind) -> None:
    found = check(JS, solution)
    assert kind in _kinds(found), found
    assert all(v.kind in VIOLATION_KINDS for v in found)
    assert all(str(v).startswith(v.kind) for v in found)


def test_single_machine_objectives() -> None:
    sol = {"sequence": [0, 2, 1]}  # starts 0, 3, 7; completions 3, 9, 7
    ev = evaluate(SM, sol)
    assert ev.feasible
    # weighted tardiness: 1*0 + 2*0 + 3*(7-5) = 6
    assert ev.objective == 6
    assert evaluate(SM.with_objective("total_tardiness"), sol).objective == 2
    assert evaluate(SM.with_objective("max_lateness"), sol).objective == 2
    assert evaluate(SM.with_objective("total_weighted_completion"), sol).objective == 3 + 18 + 21
    assert evaluate(SM.with_objective("weighted_tardy_jobs"), sol).objective == 3


@pytest.mark.parametrize(("solution", "kind"), [
    ({"sequence": [0, 2, 2]}, "duplicate"),
    ({"sequence": [0, 2]}, "missing"),
    ({"sequence": [0, 1, 2, 7]}, "range"),
    ({"sequence": [2, 0, 1], "start": [1, 4, 0]}, "release"),   # job 2 released at 1
    ({"sequence": [0, 1, 2], "start": [0, 2, 5]}, "overlap"),  # job 1 starts before 0 ends
    ({"sequence": [0, 1, 2], "start": [0, 3]}, "format"),
    ({"order": [0, 1, 2]}, "format"),
])
def test_single_machine_violations(solution, kind) -> None:
    assert kind in _kinds(check(SM, solution))


def test_dag_communication_and_metrics() -> None:
    # 0 on p0 [0,2); 1 on p1 needs 2 + 6/2 = 5; 2 on p0 right after 0.
    sol = {"processor": [0, 1, 0], "start": [0, 5, 2]}
    ev = evaluate(DG, sol)
    assert ev.feasible and ev.objective == 6
    m = metrics(DG, sol)
    assert m["makespan"] == 6
    assert m["slr"] == pytest.approx(6 / 3)  # critical path of minimum costs: 2 + 1
    assert m["speedup"] == pytest.approx(5 / 6)  # p1 alone: 3 + 1 + 1 = 5
    assert m["efficiency"] == pytest.approx(5 / 12)


@pytest.mark.parametrize(("solution", "kind"), [
    ({"processor": [0, 1, 0], "start": [0, 4, 2]}, "precedence"),  # data arrives at 5
    ({"processor": [0, 0, 0], "start": [0, 2, 3]}, "overlap"),  # task 1 [2,6) and 2 [3,4)
    ({"processor": [0, 2, 0], "start": [0, 5, 2]}, "range"),
    ({"processor": [0, 1], "start": [0, 5]}, "missing"),
    ({"processor": [0, 1, 0], "start": [0, 5, -1]}, "range"),
    ({"processor": [0, 1, 0]}, "format"),
])
def test_dag_violations(solution, kind) -> None:
    assert kind in _kinds(check(DG, solution))


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


EP = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2, load=[[4, 2, 2], [1, 1, 6]],
                     traffic=[[[1, 0, 0], [0, 2, 0], [0, 0, 3]]], intra_node=1, inter_node=5,
                     objective="load_and_traffic")
EP_OK = {"replicas": [[[0, 1], [0], [1]], [[0], [1], [0, 1]]]}


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
    assert kind in _kinds(check(EP, sol))


def test_sequence_parallel_step_time() -> None:
    ev = evaluate(SP, SP_OK)
    assert ev.feasible, ev.violations
    c = SP.cost

    def seq(s, d):
        t = (c.a1 * s * s + c.a2 * s) / d
        if d > 1:
            t += (s / d) * ((d - 1) / d) * c.comm_bytes_per_token / (c.bandwidth[d] * 1e9)
        return t

    mb0 = max(c.b1 + seq(50, 1) + seq(30, 1), c.b1 + seq(150, 2))
    mb1 = c.b1 + seq(300, 4)
    assert ev.objective == pytest.approx(mb0 + mb1)
    assert lower_bound(SP) <= ev.objective


@pytest.mark.parametrize(("mutate", "kind"), [
    (lambda s: s["microbatches"][1][0]["sequences"].clear(), "missing"),
    (lambda s: s["microbatches"][0][0]["sequences"].append(3), "duplicate"),
    (lambda s: s["microbatches"][0][0]["sequences"].append(1), "memory"),  # 50+30+150 > 100
    (lambda s: s["microbatches"][0][1]["devices"].__setitem__(0, 0), "device_reuse"),
    (lambda s: s["microbatches"][0][1]["devices"].append(3), "degree"),  # 3 devices
    (lambda s: s["microbatches"][1][0]["devices"].__setitem__(3, 9), "range"),
    (lambda s: s["microbatches"][0][0].pop("devices"), "format"),
])
def test_sequence_parallel_violations(mutate, kind) -> None:
    sol = copy.deepcopy(SP_OK)
    mutate(sol)
    assert kind in _kinds(check(SP, sol))


def test_violation_lists_are_capped_but_counted() -> None:
    big = SingleMachine(processing=np.ones(100, dtype=int), due=np.zeros(100, dtype=int))
    found = check(big, {"sequence": []})
    assert len(found) == 11
    assert "90 more missing" in str(found[-1])


@pytest.mark.parametrize("inst", [JS, SM, DG, EP, SP], ids=lambda i: i.problem)
def test_lower_bound_is_below_a_feasible_objective(inst) -> None:
    sol = {"jobshop": JS_OK, "single_machine": {"sequence": [0, 2, 1]},
           "dag": {"processor": [0, 1, 0], "start": [0, 5, 2]},
           "expert_placement": EP_OK, "sequence_parallel": SP_OK}[inst.problem]
    assert lower_bound(inst) <= evaluate(inst, sol).objective + 1e-9


def test_jackson_preemptive_bound_small_case() -> None:
    from schedkit.instances.evaluate import _jackson_preemptive

    # op0 released at 0 (p 4, tail 1); op1 released at 1 (p 2, tail 10) preempts it:
    # op1 runs [1, 3) -> 3 + 10 = 13; op0 finishes at 6 -> 6 + 1 = 7.
    assert _jackson_preemptive(np.array([0, 1]), np.array([4, 2]), np.array([1, 10])) == 13


def test_jobshop_bound_never_exceeds_published_lower_bounds() -> None:
    import schedkit as sk

    names = [e.name for e in sk.catalogue("jobshop")]
    assert len(names) == 162
    for name in names:
        inst = sk.load(name)
        assert lower_bound(inst) <= inst.bounds.lower, name
    assert lower_bound(sk.load("ft10")) == 808  # stronger than max(job, machine) = 655
