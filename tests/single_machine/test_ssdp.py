"""ssdp: agrees with the subset DP, proves known optima, stays honest under a time limit."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.single_machine import ssdp_kernels as K
from schedkit.heuristics.single_machine.ssdp import key_room, ssdp_search, state_path
from schedkit.instances import SingleMachine

CASES = [
    (n, tf, rdd, weighted, objective, seed)
    for seed, (n, tf, rdd) in enumerate([(10, 0.2, 0.2), (12, 0.6, 0.6), (14, 0.8, 0.4),
                                          (16, 0.4, 1.0), (16, 1.0, 0.2), (13, 0.6, 0.2)])
    for weighted, objective in ((True, "total_weighted_tardiness"),
                                (False, "total_tardiness"),
                                (True, "total_weighted_completion"))
]


@pytest.mark.parametrize("finish", [False, True])
@pytest.mark.parametrize(("n", "tf", "rdd", "weighted", "objective", "seed"), CASES)
def test_ssdp_agrees_with_dp(n, tf, rdd, weighted, objective, seed, finish: bool) -> None:
    """With ``finish`` CP-SAT searches the nodes stage 1 left against the best rule's value
    (no local search), without it stages 2 and 3 have the work to do."""
    inst = sk.generate("single_machine", n=n, tf=tf, rdd=rdd, weighted=weighted, seed=seed,
                       objective=objective)
    exact = sk.solve(inst, "dp")
    res = sk.solve(inst, "ssdp", time_limit=30, options={"hint_time": 0, "finish": finish})
    assert res.verified
    assert (res.stats["finish_calls"] > 0) == (
        finish and res.stats.get("proved_by") != "stage 1")
    assert res.status == "optimal", res.stop_reason
    assert res.objective == pytest.approx(exact.objective)
    assert res.bound == pytest.approx(exact.objective)


@pytest.mark.parametrize("name", ["wt40-1", "wt40-4", "wt40-5"])
def test_ssdp_proves_known_wt40_optima(name: str) -> None:
    res = sk.solve(name, "ssdp", time_limit=30)
    assert res.status == "optimal"
    assert res.objective == res.best_known


@pytest.mark.parametrize("steps", [1, 30])
def test_stage3_iterations_option_keeps_the_proof(steps: int) -> None:
    """wt40-38 is proved in stage 3 (|M| about 18) with one subgradient step per |M| as with
    the default 30 (without the CP-SAT finish, which proves it after stage 2)."""
    res = sk.solve("wt40-38", "ssdp", time_limit=30,
                   options={"stage3_iterations": steps, "finish": False})
    assert res.status == "optimal"
    assert res.objective == res.best_known == 24499
    assert res.stats["proved_by"] == "stage 3"
    assert res.options["stage3_iterations"] == steps


def test_stage3_iterations_must_be_positive() -> None:
    with pytest.raises(sk.InputError, match="stage3_iterations"):
        sk.solve("wt40-38", "ssdp", time_limit=5, options={"stage3_iterations": 0})


@pytest.mark.parametrize("finish", [False, True])
@pytest.mark.parametrize(("name", "hint"), [("wt40-2", 0.1), ("wt40-3", 0.1), ("wt40-11", 0.1),
                                            ("wt40-13", 0.0), ("wt40-83", 0.0)])
def test_ssdp_never_claims_optimal_above_the_optimum(name: str, hint: float,
                                                     finish: bool) -> None:
    """wt40-13 and wt40-83 are proved by stage 2 (or CP-SAT on the nodes left); from the best
    rule alone (no local search) the elimination against a worse incumbent must keep the
    optimum."""
    res = sk.solve(name, "ssdp", time_limit=10, options={"hint_time": hint, "finish": finish})
    best = res.best_known
    assert res.bound <= best
    if res.status == "optimal":
        assert res.objective == best


def test_low_tardiness_wt100_is_proved_by_cpsat_on_the_nodes_left() -> None:
    """wt100-109 (optimum 232): stage 1's bound is 7, far below, but CP-SAT on the completion
    times stage 1 left finds no schedule below the incumbent."""
    res = sk.solve("wt100-109", "ssdp", time_limit=60, seed=0, workers=1)
    assert res.status == "optimal"
    assert res.objective == res.best_known == 232
    assert res.stats["proved_by"] == "cp-sat on stage 1's nodes"
    assert res.stats["stage1_bound"] < 232


def test_a_finish_that_breaks_its_promise_proves_nothing() -> None:
    """A finish search that calls itself complete but returns a schedule no better than the
    incumbent (or not a permutation) is ignored, not taken as a proof."""
    inst = sk.generate("single_machine", n=14, tf=0.6, rdd=0.2, seed=41)
    opt = sk.solve(inst, "dp").objective
    p, d, w = (np.asarray(a, dtype=np.int64) for a in (inst.processing, inst.due, inst.weight))
    poor = np.argsort(-d).astype(np.int64)
    calls: list[int] = []

    def liar(alive, upper, lower, seconds):
        calls.append(1)
        return (poor if len(calls) % 2 else np.zeros(p.shape[0], dtype=np.int64)), upper, True

    seq, value, bound, proved, stats = ssdp_search(p, d, w, poor, iterations=50, finish=liar)
    assert calls and stats["finish_rejected"] == len(calls)
    assert bound <= opt + 1e-9 <= value + 2e-9
    if proved:
        assert value == pytest.approx(opt)
        assert not str(stats["proved_by"]).startswith("cp-sat")


def test_cpsat_model_keeps_completion_times_to_the_sets_given() -> None:
    """``completion`` restricts each job's completion time: here to the reverse of the
    optimal (EDD, value 0) order, value 0 + (7 − 5) + (9 − 2), which CP-SAT must then take."""
    from ortools.sat.python import cp_model

    from schedkit.formulations.single_machine.cpsat import build

    inst = SingleMachine(processing=[2, 3, 4], due=[2, 5, 9], weight=[1, 1, 1],
                         objective="total_weighted_tardiness")
    free = build(inst, dominance=False)
    solver = cp_model.CpSolver()
    assert solver.solve(free.model) == cp_model.OPTIMAL
    assert solver.objective_value == 0
    forced = build(inst, dominance=False, completion=[[9], [7, 8], [4, 5, 6]])
    solver = cp_model.CpSolver()
    assert solver.solve(forced.model) == cp_model.OPTIMAL
    assert forced.sequence(solver).tolist() == [2, 1, 0]
    assert solver.objective_value == (9 - 2) + (7 - 5) + 0
    empty = build(inst, dominance=False, completion=[[], [5], [9]])
    assert cp_model.CpSolver().solve(empty.model) == cp_model.INFEASIBLE
    with pytest.raises(ValueError, match="3 jobs"):
        build(inst, completion=[[2], [5]])


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
from schedkit.heuristics.single_machine.ssdp import key_room, ssdp_search, state_path
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


def _dominated3_brute(p, c, h, i, k, t) -> bool:
    start = t - p[k] - p[i] - p[h]

    def cost(order) -> float:
        at, total = start, 0.0
        for x in order:
            at += p[x]
            total += c[x, at]
        return total

    here = cost((h, i, k))
    return any(cost(o) < here - 1e-9 or (cost(o) <= here + 1e-9 and o < (h, i, k))
               for o in itertools.permutations((h, i, k)) if o != (h, i, k))


def _small_case(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random 5-job instance for the brute forces: ``(p, cost table, λ, every node alive)``."""
    rng = np.random.default_rng(seed)
    n = 5
    p = rng.integers(1, 4, n).astype(np.int64)
    d = rng.integers(0, 8, n).astype(np.int64)
    w = rng.integers(1, 4, n).astype(np.int64)
    lam = rng.uniform(0, 6, n)
    horizon = int(p.sum())
    c = K.cost_table(p, d, w, horizon)
    alive = np.zeros((n, horizon + 1), dtype=np.bool_)
    for j in range(n):
        alive[j, p[j]:] = True
    return p, c, lam, alive


@pytest.mark.parametrize("seed", range(6))
def test_stage2_forward_and_backward_match_brute_force(seed: int) -> None:
    p, c, lam, alive = _small_case(seed)
    n, horizon = p.shape[0], int(p.sum())
    ids, count = K.node_ids(alive)
    in_ptr, in_src, eid, out_ptr, out_edge, out_job = K.edges(p, c, alive, ids, count)
    ealive = np.ones(in_src.shape[0], dtype=np.bool_)
    value, counts, _ = K.forward2(p, c, lam, alive, ids, in_ptr, in_src, ealive)
    g2 = K.backward2(p, c, lam, alive, ids, in_ptr, in_src, ealive, out_ptr, out_edge, out_job)

    def pair_dominated(i: int, k: int, t: int) -> bool:  # i then k, k ending at t
        s = t - p[k]
        here, there = c[i, s] + c[k, t], c[k, s - p[i] + p[k]] + c[i, t]
        return there < here - 1e-9 or (there <= here + 1e-9 and k < i)

    @functools.cache
    def best(t: int, a: int, b: int) -> float:  # a, b: the last two jobs (−1: none)
        if t == horizon:
            return 0.0
        out = np.inf
        for k in range(n):
            e = t + p[k]
            if e > horizon or k == b or (b >= 0 and k == a):
                continue
            if b >= 0 and pair_dominated(b, k, e):
                continue
            if a >= 0 and _dominated3_brute(p, c, a, b, k, e):
                continue
            out = min(out, c[k, e] - lam[k] + best(e, b, k))
        return out

    want = best(0, -1, -1)
    assert value == pytest.approx(want)
    assert int(np.dot(counts, p)) == horizon
    assert min(c[k, p[k]] - lam[k] + g2[eid[ids[k, p[k]], n]]
               for k in range(n)) == pytest.approx(want)
    for k in range(n):  # every edge's backward cost, against the brute force
        for t in range(p[k], horizon + 1):
            nid = ids[k, t]
            assert list(in_src[in_ptr[nid]:in_ptr[nid + 1]]) == sorted(
                i for i in range(n + 1) if eid[nid, i] >= 0)
            for i in range(n):
                s = t - p[k]
                # an edge: i ≠ k, i fits before, "i then k" not dominated
                assert (eid[nid, i] >= 0) == (i != k and s >= p[i] and s > 0
                                              and not pair_dominated(i, k, t))
                if eid[nid, i] >= 0:
                    want_here = best(t, i, k)
                    got = g2[eid[nid, i]]
                    assert (got >= 1e299) if want_here == np.inf else got == pytest.approx(
                        want_here)
    outs = 0  # the out-edges of node (k, t): exactly the edges k → (m, t + p_m)
    for k, t in zip(*np.nonzero(ids >= 0), strict=True):
        nid = ids[k, t]
        got = sorted((int(out_job[q]), int(out_edge[q]))
                     for q in range(out_ptr[nid], out_ptr[nid + 1]))
        assert got == sorted((m, int(eid[ids[m, t + p[m]], k])) for m in range(n)
                             if t + p[m] <= horizon and eid[ids[m, t + p[m]], k] >= 0)
        outs += len(got)
    assert outs == int((in_src < n).sum())


def _stage3(p, c, lam, members):
    """The stage-3 DP of :func:`K.extend` over the whole horizon with M = ``members``, every
    node alive, no target and no earlier pool: ``(cheapest reduced cost, its jobs)``."""
    n, horizon = p.shape[0], int(p.sum())
    alive = np.zeros((n, horizon + 1), dtype=np.bool_)
    for j in range(n):
        alive[j, p[j]:] = True
    g = K.backward(p, c, lam, horizon, alive)
    pos = np.full(n, -1, dtype=np.int64)
    pos[members] = np.arange(len(members))
    start = np.zeros(horizon + 2, dtype=np.int64)
    job = np.full(4, K.NO_JOB, dtype=np.int64)
    mask, pred, pred2 = (np.full(4, -1, dtype=np.int64) for _ in range(3))
    mask[0] = 0
    val, val2 = np.zeros(4), np.full(4, 1e300)
    start[1] = 1
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
    job, mask, val, pred, val2, pred2, size, status = K.extend(
        p, c, lam, g, pos, np.ascontiguousarray(p[members]), 1e200, 1, horizon + 1, start,
        job, mask, val, pred, val2, pred2, 1, 10**7, empty_i, empty_i, 0,
        np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int32), empty_f)
    assert status == 0
    full = (1 << len(members)) - 1
    ends = [i for i in range(start[horizon], start[horizon + 1]) if mask[i] == full]
    i = min(ends, key=lambda q: val[q])
    return float(val[i]), state_path(job, pred, pred2, i)


@pytest.mark.parametrize("seed", range(6))
def test_stage3_is_between_stage_1_and_2_and_exact_with_every_job_in_m(seed: int) -> None:
    """With M empty the stage-3 relaxation (the two cheapest predecessors of each state, for
    the three-job rules) costs at least stage 1 and at most stage 2 at the same λ; with every
    job in M it is the cheapest schedule (brute force over the orders), and its chain is one."""
    p, c, lam, alive = _small_case(100 + seed)
    n, horizon = p.shape[0], int(p.sum())
    stage1, _, _ = K.forward(p, c, lam, horizon, alive)
    ids, count = K.node_ids(alive)
    in_ptr, in_src, _, _, _, _ = K.edges(p, c, alive, ids, count)
    stage2, _, _ = K.forward2(p, c, lam, alive, ids, in_ptr, in_src,
                              np.ones(in_src.shape[0], dtype=np.bool_))
    none, _ = _stage3(p, c, lam, [])
    assert stage1 - 1e-9 <= none <= stage2 + 1e-9
    if seed < 4:  # measured: here the three-job rules bite (stage 1 alone is lower)
        assert none > stage1 + 1e-3
    every, path = _stage3(p, c, lam, list(range(n)))
    want = min(sum(c[j, t] - lam[j] for j, t in zip(order, np.cumsum(p[list(order)]),
                                                    strict=True))
               for order in itertools.permutations(range(n)))
    assert every == pytest.approx(want)
    assert sorted(path) == list(range(n))
    ends = np.cumsum(p[path])
    assert sum(c[j, t] - lam[j] for j, t in zip(path, ends, strict=True)) == pytest.approx(want)


@pytest.mark.parametrize(("stage2", "max_m", "rounds"), [(False, 2, 3), (True, 2, 3),
                                                          (True, 6, 30), (False, 40, 30)])
def test_partial_bounds_never_exceed_the_optimum(stage2: bool, max_m: int, rounds: int) -> None:
    """Stopped early (few jobs in M, few subgradient steps) the bound is still ≤ the optimum,
    and an optimal claim is the optimum, from a poor incumbent (the elimination against it
    must keep every better schedule)."""
    for seed, (n, tf, rdd) in enumerate([(12, 0.8, 0.4), (14, 0.6, 0.2), (15, 1.0, 0.6)]):
        inst = sk.generate("single_machine", n=n, tf=tf, rdd=rdd, seed=40 + seed)
        opt = sk.solve(inst, "dp").objective
        p, d, w = (np.asarray(a, dtype=np.int64) for a in (inst.processing, inst.due,
                                                             inst.weight))
        poor = np.argsort(-d).astype(np.int64)  # latest due date first
        seq, value, bound, proved, _ = ssdp_search(
            p, d, w, poor, iterations=50, max_m=max_m, stage2=stage2,
            stage3_iterations=rounds)
        assert bound <= opt + 1e-9
        assert value >= opt - 1e-9
        assert float(np.dot(w[seq], np.maximum(0, np.cumsum(p[seq]) - d[seq]))) == value
        if proved:
            assert value == pytest.approx(opt)


@pytest.mark.parametrize("n", [1, 10, 40, 100, 300])
def test_key_room_is_the_largest_m_whose_keys_fit_an_int64(n: int) -> None:
    m = key_room(n)
    top = (1 << 63) - 1
    assert ((1 << m) - 1) * (n + 1) + n + 1 <= top
    assert ((1 << (m + 1)) - 1) * (n + 1) + n + 1 > top
