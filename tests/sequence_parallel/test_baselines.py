"""The sequence-parallel baselines: static, adaptive, megatron-dcp, wlb — hand-computed plans,
brute force where cheap, every plan verified by the evaluator, kernels with and without JIT."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.sequence_parallel import packing_kernels as K
from schedkit.instances import InputError
from schedkit.instances.evaluate import evaluate

from .hand import LINEAR, hand_instance

METHODS = ("static", "adaptive", "megatron-dcp", "wlb")

_inst = hand_instance


SHORT = _inst([9, 8, 7, 6, 5, 4, 3, 2])  # every sequence fits one device
MIXED = _inst([35, 15, 12, 5, 4])


def _solve(inst, method, **options):
    r = sk.solve(inst, method, options=options or None)
    # A heuristic's plan is optimal only where it meets the lower bound (SHORT at degree 4:
    # 2 micro-batches · b1 + 44 tokens of work / 4 devices = 31).
    assert r.verified and (r.status == "feasible" or r.status == "optimal" and
                           r.objective == pytest.approx(r.bound)), r
    return r


# --- hand-computed plans ---------------------------------------------------------------------
def test_static_by_hand():
    # BFD into groups of 4·10 tokens: {9,8,7,6,5,4} and {3,2}:
    # (10 + 39/4) + (10 + 5/4) = 31.
    r = _solve(SHORT, "static")
    assert r.objective == pytest.approx(31.0)
    assert [[sorted(SHORT.lengths[g["sequences"]].tolist(), reverse=True) for g in mb]
            for mb in r.solution["microbatches"]] == [[[9, 8, 7, 6, 5, 4]], [[3, 2]]]
    assert all(g["devices"] == [0, 1, 2, 3] for mb in r.solution["microbatches"] for g in mb)


@pytest.mark.parametrize(("degree", "step"), [
    # d = 1: BFD at 9 tokens: {9} {8} {7,2} {6,3} {5,4} -> 19 19 19 19 | 18.
    (1, 37.0),
    # d = 2: BFD at 18: {9,8} {7,6,5} {4,3,2} -> 19 18.5 | 14.5.
    (2, 33.5),
    # d = 4: BFD at 36: {9,8,7,6,5} {4,3,2} -> 18.75 + 12.25.
    (4, 31.0),
])
def test_adaptive_by_hand(degree, step):
    r = _solve(SHORT, "adaptive", degree=degree)
    assert r.objective == pytest.approx(step)


def test_adaptive_picks_the_best_degree():
    # Brute force over the degree option: the method's choice is the best of them.
    for inst in (SHORT, MIXED, sk.generate("sequence_parallel", sequences=40, devices=16,
                                           source="commoncrawl_like", seed=3)):
        best = _solve(inst, "adaptive")
        fits = [d for d in inst.degrees.tolist()
                if inst.memory_tokens * d >= inst.lengths.max()]
        each = {d: _solve(inst, "adaptive", degree=d).objective for d in fits}
        assert best.objective == pytest.approx(min(each.values()))
        assert best.stats["degree"] == min(each, key=lambda d: each[d])


def test_adaptive_margin_fills_groups_only_so_far():
    r = _solve(SHORT, "adaptive", degree=4, margin=0.5)  # 20 tokens a group
    for mb in r.solution["microbatches"]:
        for g in mb:
            assert SHORT.lengths[g["sequences"]].sum() <= 20


def test_megatron_dcp_by_hand():
    # CP sizes 4, 2, 2, 1, 1. Micro-batches: {35 on 4}; {15 on 2, 12 on 2}; {5 on 1, 4 on 1}:
    # 18.75 + max(17.5, 16) + max(15, 14) = 51.25.
    r = _solve(MIXED, "megatron-dcp")
    assert r.objective == pytest.approx(51.25)
    assert r.stats["cp_sizes"] == {"1": 2, "2": 2, "4": 1}
    assert [[len(g["devices"]) for g in mb] for mb in r.solution["microbatches"]] == \
        [[4], [2, 2], [1, 1]]


def test_megatron_dcp_power_of_two_sizes():
    # With degrees 1, 3, 4 a sequence of 25 tokens gets 4 (a power of two), not 3.
    inst = _inst([25, 5], degrees=[1, 3, 4], cost={**LINEAR, "bandwidth": {"3": 1, "4": 1}})
    r = _solve(inst, "megatron-dcp")
    assert r.stats["cp_sizes"] == {"1": 1, "4": 1}


def test_megatron_dcp_fills_open_groups():
    # All on one device each: 9, 8, 7, 6 open groups; 5 fits none of them (10 tokens):
    # new micro-batch 5, 4, 3, 2 -> 19 + 15.
    r = _solve(SHORT, "megatron-dcp")
    assert r.objective == pytest.approx(34.0)
    # Once the devices are taken a sequence joins the least-loaded group of its size with
    # room: 6 and 5 open groups, 4 joins 5, 3 joins 6; 2 fits neither (10 tokens), nor 1.
    r = _solve(_inst([6, 5, 4, 3, 2, 1], devices=2, degrees=[1, 2],
                     cost={**LINEAR, "bandwidth": {"2": 1.0}}), "megatron-dcp")
    assert [[sorted(g["sequences"]) for g in mb] for mb in r.solution["microbatches"]] == \
        [[[0, 3], [1, 2]], [[4], [5]]]


def test_wlb_by_hand():
    # ⌈44 / 40⌉ = 2 micro-batches of 4 ranks: one sequence each; 19 + 15.
    r = _solve(SHORT, "wlb")
    assert r.objective == pytest.approx(34.0)
    assert all(len(g["devices"]) == 1 for mb in r.solution["microbatches"] for g in mb)


def test_wlb_balances_quadratic_work():
    # 2 ranks, capacity 100 tokens, cost s²: LPT puts 60 and 30+30... by workload, not tokens.
    inst = _inst([60, 50, 40, 30], devices=2, memory_tokens=100, degrees=[1],
                 cost={**LINEAR, "a1": 1.0, "a2": 0.0, "b1": 0.0})
    r = _solve(inst, "wlb")
    groups = sorted(sorted(inst.lengths[g["sequences"]].tolist()) for mb in
                    r.solution["microbatches"] for g in mb)
    # Brute force over the 2^4 splits onto two ranks within 100 tokens.
    best = min(max(sum(s * s for s, x in zip(inst.lengths.tolist(), side, strict=True) if x),
                   sum(s * s for s, x in zip(inst.lengths.tolist(), side, strict=True)
                       if not x))
               for side in itertools.product((0, 1), repeat=4)
               if sum(s for s, x in zip(inst.lengths.tolist(), side, strict=True) if x) <= 100
               and sum(s for s, x in zip(inst.lengths.tolist(), side, strict=True)
                       if not x) <= 100)
    assert groups == [[30, 60], [40, 50]] and r.objective == pytest.approx(best)


def test_wlb_more_microbatches_when_tokens_do_not_fit():
    inst = _inst([10, 10, 10, 10, 10], devices=2, degrees=[1, 2],
                 cost={**LINEAR, "bandwidth": {"2": 1.0}})
    r = _solve(inst, "wlb")
    assert len(r.solution["microbatches"]) == 3 and r.objective == pytest.approx(60.0)


# --- every method, every source: the evaluator accepts -------------------------------------------
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("source", ["wikipedia", "github_like", "commoncrawl_like"])
def test_methods_verified_on_generated(method, source):
    inst = sk.generate("sequence_parallel", sequences=64, devices=16, source=source,
                       degrees="1,2,3,4,6,8,16", seed=7, max_length=5000)
    r = _solve(inst, method)
    assert r.bound is not None and r.bound <= r.objective + 1e-9


def test_flexsp_grid_shape():
    # One global batch of FlexSP's grid: 64 GPUs, batch 512, 384K cap, the long tail.
    inst = sk.generate("sequence_parallel", preset="13b", sequences=512, devices=64,
                       source="github_like", max_length=393216, seed=1)
    steps = {m: _solve(inst, m).objective for m in ("static", "adaptive", "megatron-dcp")}
    ev = evaluate(inst, sk.solve(inst, "baseline").solution)
    assert ev.feasible and all(v <= ev.objective * 1.2 for v in steps.values())


# --- bad input for the methods --------------------------------------------------------------------
@pytest.mark.parametrize(("inst", "options", "field", "words"), [
    (MIXED, {}, "method", "sequence 0 has 35"),
    (_inst([5], degrees=[2, 4], cost=LINEAR), {}, "method", "degree 1 is not"),
])
def test_wlb_refuses(inst, options, field, words):
    with pytest.raises(InputError) as err:
        sk.solve(inst, "wlb", options=options)
    assert err.value.field == field and words in str(err.value)


@pytest.mark.parametrize(("options", "field", "words"), [
    ({"degree": 3}, "option degree", "not an allowed degree"),
    ({"degree": 1}, "option degree", "holds 10 tokens"),
    ({"margin": 0.0}, "option margin", ">= 0.01"),
    ({"margin": 1.5}, "option margin", "(0, 1]"),
    ({"bogus": 1}, None, "bogus"),
])
def test_adaptive_bad_options(options, field, words):
    with pytest.raises(InputError) as err:
        sk.solve(MIXED, "adaptive", options=options)
    assert words in str(err.value)
    if field is not None:
        assert err.value.field == field


# --- kernels ------------------------------------------------------------------------------------
def test_best_fit_decreasing_kernel():
    sizes = np.array([9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
    order = np.arange(8, dtype=np.int64)
    assert K.best_fit_decreasing(sizes, order, 9, 10).tolist() == [0, 1, 2, 3, 4, 4, 3, 2]
    # Above the capacity but within solo: a bin alone.
    assert K.best_fit_decreasing(np.array([10, 1], dtype=np.int64),
                                 np.array([0, 1], dtype=np.int64), 9, 10).tolist() == [0, 1]


def test_balanced_pack_reports_no_room():
    out = K.balanced_pack(np.array([6, 6], dtype=np.int64), np.array([1.0, 1.0]),
                          np.array([0, 1], dtype=np.int64), 10, 1)
    assert out.tolist() == [-1, -1]


def test_chunk_bins_is_optimal_by_brute_force():
    rng = np.random.default_rng(0)
    for G in (1, 2, 3):
        t = rng.random(6)
        mb = K.chunk_bins(t, G)
        got = sum(t[mb == b].max() for b in np.unique(mb))
        best = min(sum(max(t[i] for i in range(6) if a[i] == b) for b in set(a))
                   for a in itertools.product(range(6), repeat=6)
                   if max(a.count(b) for b in set(a)) <= G)
        assert got == pytest.approx(best)


def test_kernels_with_and_without_jit(jit_outputs):
    script = """
import json
import numpy as np
from schedkit.heuristics.sequence_parallel import packing_kernels as K
rng = np.random.default_rng(1)
s = rng.integers(1, 50, 40).astype(np.int64)
order = np.argsort(-s, kind="stable").astype(np.int64)
deg = np.where(s > 30, 4, np.where(s > 10, 2, 1)).astype(np.int64)
out = {
  "bfd": K.best_fit_decreasing(s, order, 45, 50).tolist(),
  "bal": K.balanced_pack(s, s.astype(np.float64) ** 2, order, 60, 12).tolist(),
  "dcp": [a.tolist() for a in K.dcp_greedy(s, deg, s / deg, order, 20, 8)],
  "chunk": K.chunk_bins(rng.random(9), 4).tolist(),
}
print(json.dumps(out))
"""
    compiled, plain = jit_outputs(script)
    assert compiled == plain


def test_solutions_are_json():
    r = sk.solve(MIXED, "megatron-dcp")
    assert json.loads(json.dumps(r.solution)) == r.solution


def test_megatron_dcp_without_powers_of_two_takes_the_smallest_fitting_degree():
    inst = _inst([25, 15, 5], devices=6, degrees=[1, 3, 6],
                 cost={**LINEAR, "bandwidth": {"3": 1.0, "6": 1.0}})
    r = _solve(inst, "megatron-dcp")
    # The only power of two allowed is 1, which holds 10 tokens: 25 and 15 take the smallest
    # allowed degree that holds them (3), 5 takes 1.
    assert r.stats["cp_sizes"] == {"1": 1, "3": 2}


@pytest.mark.parametrize("method", METHODS)
def test_plans_are_deterministic(method):
    inst = sk.generate("sequence_parallel", sequences=96, devices=8, source="synthetic",
                       max_length=3000, seed=11)  # wlb: every sequence fits one device
    assert sk.solve(inst, method, seed=1).solution == sk.solve(inst, method, seed=2).solution
