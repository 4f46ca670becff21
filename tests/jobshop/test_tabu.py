"""Tabu search for the job shop and the tabu-search warm start of the exact methods."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.jobshop import dispatch, tabu_search
from schedkit.heuristics.jobshop import tabu_kernels as TK
from schedkit.heuristics.search import Stop
from schedkit.instances.evaluate import check, objective


@pytest.mark.parametrize(("name", "optimum", "iterations"),
                         [("ft06", 55, 20_000), ("la01", 666, 20_000), ("ft10", 930, 400_000)])
def test_tabu_reaches_known_optimum(name: str, optimum: int, iterations: int) -> None:
    res = sk.solve(name, "tabu", seed=0, options={"iterations": iterations})
    assert res.verified and res.objective == optimum


def test_tabu_is_reproducible_with_an_iteration_limit() -> None:
    inst = sk.load("la16")
    runs = [tabu_search(inst, None, Stop(iterations=3000), seed=5) for _ in range(2)]
    assert runs[0][0] == runs[1][0] and runs[0][1] == runs[1][1]
    assert runs[0][2]["iterations"] == 3000
    other = tabu_search(inst, None, Stop(iterations=3000), seed=6)
    assert not check(inst, other[0])


def test_tabu_improves_on_its_start_and_never_worsens_it() -> None:
    inst = sk.load("ta01")
    start = dispatch(inst, "spt")
    sol, makespan, stats = tabu_search(inst, start, Stop(iterations=5000), seed=0)
    assert not check(inst, sol)
    assert makespan == objective(inst, sol) < objective(inst, start) == stats["initial_makespan"]


def test_tabu_respects_release_dates() -> None:
    inst = sk.generate("jobshop", seed=3, jobs=8, machines=5)
    inst = sk.JobShop(machines=inst.machines, job_offsets=inst.job_offsets,
                      op_machine=inst.op_machine, op_duration=inst.op_duration,
                      release=np.arange(inst.n_jobs) * 40, name="released")
    res = sk.solve(inst, "tabu", seed=1, options={"iterations": 2000})
    assert res.verified and res.status in ("feasible", "optimal")
    cp = sk.solve(inst, "cpsat", time_limit=30, workers=2)
    assert cp.status == "optimal" and res.objective >= cp.objective


def test_tabu_on_generated_instances_never_below_cpsat_optimum() -> None:
    for seed in range(6):
        inst = sk.generate("jobshop", seed=seed, jobs=6, machines=6)
        cp = sk.solve(inst, "cpsat", time_limit=20, workers=2, seed=seed)
        ts = sk.solve(inst, "tabu", seed=seed, options={"iterations": 3000})
        assert cp.status == "optimal" and ts.verified
        assert ts.objective >= cp.objective
        assert ts.objective <= 1.1 * cp.objective  # 6x6: tabu search lands within 10 %


def test_tabu_rejects_other_objectives_and_bad_initial() -> None:
    inst = sk.generate("jobshop", seed=1, jobs=4, machines=3,
                       objective="total_weighted_completion")
    with pytest.raises(sk.InputError, match="does not support objective"):
        sk.solve(inst, "tabu")
    ft06 = sk.load("ft06")
    bad = {"start": [[0] * 6 for _ in range(6)]}
    with pytest.raises(sk.InputError, match="infeasible"):
        sk.solve(ft06, "tabu", initial=bad)
    with pytest.raises(sk.InputError):
        sk.solve(ft06, "tabu", options={"tenure": 3})


def test_heads_tails_detects_a_cycle_and_matches_the_evaluator() -> None:
    # Two jobs over machines 0 then 1 (job 0) and 1 then 0 (job 1).
    inst = sk.JobShop.from_routes([[(0, 3), (1, 2)], [(1, 4), (0, 1)]], machines=2)
    job_pred = np.array([-1, 0, -1, 2])
    job_succ = np.array([1, -1, 3, -1])
    rel = np.zeros(4, dtype=np.int64)
    work = [np.zeros(4, dtype=np.int64) for _ in range(7)]
    offsets = np.array([0, 2, 4])

    def makespan(seq: list[int]) -> int:
        pos, mp, ms, head, tail, order, indeg = work
        TK.machine_links(offsets, np.array(seq), pos, mp, ms)
        return TK.heads_tails(job_pred, job_succ, rel, inst.op_duration, mp, ms, head, tail,
                              order, indeg)

    # machine 0: op 0 then op 3; machine 1: op 2 then op 1 -> no cycle
    assert makespan([0, 3, 2, 1]) == 6
    # machine 0: op 3 before op 0, machine 1: op 1 before op 2 -> 0→1→2→3→0 is a cycle
    assert makespan([3, 0, 1, 2]) == -1


def test_cpsat_warm_start_uses_tabu_search() -> None:
    res = sk.solve("ta01", "cpsat", time_limit=6, workers=2, seed=0)
    assert res.verified and res.stats["hint_from"].endswith("+tabu")
    assert res.objective <= res.stats["hint_objective"]
    off = sk.solve("ft06", "cpsat", time_limit=20, workers=2, options={"hint": False})
    assert off.status == "optimal" and off.objective == 55 and "hint_from" not in off.stats


def test_exact_methods_fall_back_to_the_warm_start() -> None:
    # All the time goes to the warm start: CP-SAT has none left, the warm start is returned.
    res = sk.solve("ta41", "cpsat", time_limit=1, workers=2, options={"hint_time": 1})
    assert res.status == "feasible" and res.verified
    assert res.objective == res.stats["hint_objective"]
    assert res.stop_reason == sk.StopReason.TIME_LIMIT and "warm start" in res.stop_detail


def test_milp_takes_the_initial_solution() -> None:
    inst = sk.load("ta01")
    start = dispatch(inst, "mwkr")
    res = sk.solve(inst, "milp", time_limit=3, workers=1, initial=start,
                   options={"hint_time": 0})
    assert res.verified and res.stats["hint_from"] == "initial"
    assert res.objective <= objective(inst, start)


SCRIPT = """
import json, schedkit as sk
from schedkit.heuristics.jobshop import tabu_search
from schedkit.heuristics.search import Stop
inst = sk.load("ft10")
sol, ms, st = tabu_search(inst, None, Stop(iterations=300), seed=2)
print(json.dumps([sol["start"], ms]))
"""


def test_tabu_kernel_same_with_and_without_jit(jit_outputs) -> None:
    outs = jit_outputs(SCRIPT)
    assert outs[0] == outs[1]
