"""ssdp: agrees with the subset DP, proves known optima, stays honest under a time limit."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.single_machine import ssdp_kernels as K
from schedkit.instances import SingleMachine

CASES = [
    (n, tf, rdd, weighted, objective, seed)
    for seed, (n, tf, rdd) in enumerate([(10, 0.2, 0.2), (12, 0.6, 0.6), (14, 0.8, 0.4),
                                          (16, 0.4, 1.0), (16, 1.0, 0.2), (13, 0.6, 0.2)])
    for weighted, objective in ((True, "total_weighted_tardiness"),
                                (False, "total_tardiness"),
                                (True, "total_weighted_completion"))
]


@pytest.mark.parametrize(("n", "tf", "rdd", "weighted", "objective", "seed"), CASES)
def test_ssdp_agrees_with_dp(n, tf, rdd, weighted, objective, seed) -> None:
    inst = sk.generate("single_machine", n=n, tf=tf, rdd=rdd, weighted=weighted, seed=seed,
                       objective=objective)
    exact = sk.solve(inst, "dp")
    # no local search: the incumbent is the best rule, so stage 3 has work to do
    res = sk.solve(inst, "ssdp", time_limit=30, options={"hint_time": 0})
    assert res.verified
    assert res.status == "optimal", res.stop_reason
    assert res.objective == pytest.approx(exact.objective)
    assert res.bound == pytest.approx(exact.objective)


@pytest.mark.parametrize("name", ["wt40-1", "wt40-4", "wt40-5"])
def test_ssdp_proves_known_wt40_optima(name: str) -> None:
    res = sk.solve(name, "ssdp", time_limit=30)
    assert res.status == "optimal"
    assert res.objective == res.best_known


@pytest.mark.parametrize("name", ["wt40-2", "wt40-3", "wt40-11"])
def test_ssdp_never_claims_optimal_above_the_optimum(name: str) -> None:
    res = sk.solve(name, "ssdp", time_limit=5, options={"hint_time": 0.1})
    best = res.best_known
    assert res.bound <= best
    if res.status == "optimal":
        assert res.objective == best


def test_tiny_time_limit_gives_a_feasible_answer_with_a_valid_bound() -> None:
    inst = sk.load("wt100-2")
    res = sk.solve(inst, "ssdp", time_limit=0.3)
    assert res.verified and res.status in ("feasible", "optimal")
    assert res.bound <= res.best_known <= res.objective


def test_ssdp_refuses_release_dates() -> None:
    inst = SingleMachine(processing=[2, 3, 1], due=[3, 4, 2], release=[0, 1, 0])
    with pytest.raises(sk.InputError, match="release dates"):
        sk.solve(inst, "ssdp")


def test_jobs_of_length_zero() -> None:
    inst = SingleMachine(processing=[0, 3, 2, 0, 4], due=[-1, 2, 3, 0, 5],
                         weight=[2, 1, 3, 1, 2])
    res = sk.solve(inst, "ssdp", time_limit=10)
    assert res.status == "optimal"
    assert res.objective == sk.solve(inst, "dp").objective


SCRIPT = """
import json
import numpy as np
from schedkit.heuristics.single_machine.ssdp import ssdp_search
import schedkit as sk
inst = sk.generate("single_machine", n=9, tf=0.8, rdd=0.4, seed=3)
p, d, w = (np.asarray(a, dtype=np.int64) for a in (inst.processing, inst.due, inst.weight))
seq, value, bound, proved, _ = ssdp_search(p, d, w, np.arange(9, dtype=np.int64),
                                           iterations=40)
print(json.dumps([seq.tolist(), value, bound, proved]))
"""


def test_ssdp_kernels_agree_with_and_without_jit(jit_outputs) -> None:
    compiled, interpreted = jit_outputs(SCRIPT)
    assert compiled == interpreted
    assert compiled[3] and compiled[1] == compiled[2]


def test_forward_and_backward_costs_match_brute_force() -> None:
    p = np.array([3, 1, 2, 2, 1], dtype=np.int64)
    d = np.array([4, 2, 6, 5, 3], dtype=np.int64)
    w = np.array([1, 2, 1, 3, 2], dtype=np.int64)
    lam = np.array([1.0, 0.5, 2.0, 0.0, 1.5])
    horizon = int(p.sum())
    c = K.cost_table(p, d, w, horizon)
    alive = np.ones((5, horizon + 1), dtype=np.bool_)
    g = K.backward(p, c, lam, horizon, alive)

    def cost(k: int, t: int) -> float:
        return float(w[k] * max(0, t - d[k]) - lam[k])

    def allowed(i: int, k: int, t: int) -> bool:  # i ends at t, k follows
        if i < 0:
            return True
        here = cost(i, t) + cost(k, t + p[k])
        there = cost(k, t - p[i] + p[k]) + cost(i, t + p[k])
        return k != i and not (there < here or (there == here and k < i))

    def best(t: int, prev: int) -> float:
        if t == horizon:
            return 0.0
        return min((cost(k, t + p[k]) + best(t + p[k], k) for k in range(5)
                    if t + p[k] <= horizon and allowed(prev, k, t)), default=np.inf)

    for t in range(horizon + 1):
        for i in range(5):
            if t >= p[i]:
                want = best(t, i)
                assert (g[i, t] >= 1e299) if want == np.inf else g[i, t] == pytest.approx(want)
    value, count, _ = K.forward(p, c, lam, horizon, alive)
    assert value == pytest.approx(best(0, -1))
    assert K.start_cost(p, c, lam, g) == pytest.approx(value)
    assert int(np.dot(count, p)) == horizon
