"""Single-machine heuristics: feasible, never below the optimum, exact where theory says so."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics import single_machine as H
from schedkit.instances import InputError, SingleMachine

from .cases import SMALL

RULES = ["edd", "spt", "wspt", "mdd", "atc", "covert", "moore", "eddc", "mddc"]
HEURISTICS = [*RULES, "ls"]


@pytest.mark.parametrize("method", HEURISTICS)
def test_heuristics_are_verified_and_never_below_the_optimum(method, optima) -> None:
    for inst in SMALL:
        res = sk.solve(inst, method, seed=3, options={"iterations": 30} if method == "ls"
                       else None)
        assert res.verified, (inst.name, res.stop_reason)
        assert res.objective >= optima[inst.name] - 1e-9, inst.name
        assert res.bound <= optima[inst.name] + 1e-9
        if res.status == "optimal":
            assert res.objective == pytest.approx(optima[inst.name]), inst.name


@pytest.mark.parametrize("neighbourhood", ["auto", "vnd"])
def test_ls_finds_every_small_optimum(optima, neighbourhood) -> None:
    for inst in SMALL:
        res = sk.solve(inst, "ls", seed=0,
                       options={"iterations": 200, "neighbourhood": neighbourhood})
        assert res.objective == pytest.approx(optima[inst.name]), inst.name


@pytest.mark.parametrize("method", ["ls", "alns"])
def test_dynasearch_is_refused_where_it_does_not_apply(method) -> None:
    base = sk.generate("single_machine", n=12, seed=4)
    released = SingleMachine(processing=base.processing, due=base.due, weight=base.weight,
                             release=np.arange(12) * 3)
    with pytest.raises(InputError, match="dynasearch needs") as err:
        sk.solve(released, method, options={"iterations": 5, "neighbourhood": "dynasearch"})
    assert err.value.field == "option neighbourhood"
    res = sk.solve(released, method, options={"iterations": 5})  # auto: the descent
    assert res.verified


@pytest.mark.parametrize(("rule", "objective", "unit_weights"), [
    ("edd", "max_lateness", False),
    ("wspt", "total_weighted_completion", False),
    ("moore", "weighted_tardy_jobs", True),
])
def test_special_cases_are_optimal_and_match_dp(rule, objective, unit_weights) -> None:
    for seed in range(6):
        base = sk.generate("single_machine", n=9, seed=seed, tf=0.6, rdd=0.4)
        w = np.ones(9, dtype=np.int64) if unit_weights else base.weight
        inst = SingleMachine(processing=base.processing, due=base.due, weight=w,
                             objective=objective)
        res = sk.solve(inst, rule)
        assert res.status == "optimal" and res.verified
        assert res.objective == sk.solve(inst, "dp").objective
        assert res.stats["proof"]


def test_special_cases_are_only_heuristics_elsewhere() -> None:
    base = sk.generate("single_machine", n=9, seed=4, tf=0.6, rdd=0.4)
    with_release = SingleMachine(processing=base.processing, due=base.due,
                                 release=np.arange(9) * 20, objective="max_lateness")
    assert not H.special_case_exact(with_release, "edd")
    weighted = base.with_objective("weighted_tardy_jobs")
    assert not H.special_case_exact(weighted, "moore")  # unequal weights
    assert not H.special_case_exact(base, "edd")  # tardiness


def test_mddc_reproduces_the_papers_example() -> None:
    # Çetinkaya et al. (2025), Section 4.4: MDDC sequences 3, 5, 2, 0, 1, 4 (ΣTj = 141, the
    # optimum) where MDD gives 1, 0, 2, 3, 5, 4 (ΣTj = 144).
    inst = SingleMachine(processing=[10, 11, 10, 10, 11, 10], due=[15, 11, 13, 11, 12, 11],
                         objective="total_tardiness")
    assert H.rule_sequence(inst, "mddc").tolist() == [3, 5, 2, 0, 1, 4]
    assert H.sequence_value(inst, H.rule_sequence(inst, "mddc")) == 141
    assert H.rule_sequence(inst, "mdd").tolist() == [1, 0, 2, 3, 5, 4]
    assert H.sequence_value(inst, H.rule_sequence(inst, "mdd")) == 144
    assert sk.solve(inst, "dp").objective == 141


def test_eddc_starts_from_spt_and_pulls_early_due_dates_forward() -> None:
    # SPT order is 0, 1, 2 (p = 1, 2, 3). Job 2 (d = 1) passes job 1 because job 1 (d = 50)
    # completes at 3 < 50; it cannot pass job 0 (d = 1 is not later than its own d = 1).
    inst = SingleMachine(processing=[1, 2, 3], due=[1, 50, 1], objective="total_tardiness")
    assert H.rule_sequence(inst, "eddc").tolist() == [0, 2, 1]


def _mdd_reference(inst: SingleMachine) -> list[int]:
    """MDD by definition: at time t the released job of least max(d, t + p), then index."""
    p, d, r = inst.processing.tolist(), inst.due.tolist(), inst.release.tolist()
    left, t, seq = set(range(inst.n_jobs)), 0, []
    while left:
        ready = [j for j in left if r[j] <= t] or None
        if ready is None:
            t = min(r[j] for j in left)
            continue
        j = min(ready, key=lambda j: (max(d[j], t + p[j]), j))
        seq.append(j)
        left.remove(j)
        t += p[j]
    return seq


def _atc_reference(inst: SingleMachine, k: float) -> list[int]:
    p, d, w = inst.processing, inst.due, inst.weight
    scale = k * p.mean()
    left, t, seq = set(range(inst.n_jobs)), 0, []
    while left:
        j = max(left, key=lambda j: (w[j] / p[j] * np.exp(-max(0, d[j] - p[j] - t) / scale),
                                     -j))
        seq.append(j)
        left.remove(j)
        t += p[j]
    return seq


def test_heap_rules_match_their_definitions() -> None:
    rng = np.random.default_rng(5)
    for k in range(60):
        n = int(rng.integers(1, 30))
        inst = SingleMachine(processing=rng.integers(1, 20, n), due=rng.integers(-5, 150, n),
                             weight=rng.integers(1, 5, n),
                             release=rng.integers(0, 80, n) if k % 2 else None)
        assert H.rule_sequence(inst, "mdd").tolist() == _mdd_reference(inst)
        if k % 2 == 0:  # ATC is stated without release dates; floats: compare objectives
            ref = np.array(_atc_reference(inst, 2.0))
            assert H.sequence_value(inst, H.rule_sequence(inst, "atc", k=2.0)) == \
                pytest.approx(H.sequence_value(inst, ref))


def test_rules_handle_zero_processing_and_weights() -> None:
    inst = SingleMachine(processing=[0, 3, 0, 2], due=[0, 1, 5, 2], weight=[0, 2, 3, 0],
                         release=[0, 0, 4, 1])
    for rule in RULES:
        res = sk.solve(inst, rule)
        assert res.verified, rule


def test_ls_reaches_the_wt40_1_optimum_and_is_seeded() -> None:
    inst = sk.load("wt40-1")
    a = sk.solve(inst, "ls", seed=7, options={"iterations": 40, "init": "edd"})
    b = sk.solve(inst, "ls", seed=7, options={"iterations": 40, "init": "edd"})
    assert a.solution == b.solution
    res = sk.solve(inst, "ls", time_limit=2, seed=0, options={"init": "edd"})
    assert res.objective == 913 == res.best_known


def test_ls_stops_at_a_zero_lower_bound_with_a_proof() -> None:
    base = sk.generate("single_machine", n=30, seed=2)
    # Due dates at the total processing time: every order is on time, ΣwjTj = 0 = the bound.
    easy = SingleMachine(processing=base.processing, due=np.full(30, base.processing.sum()),
                         weight=base.weight)
    res = sk.solve(easy, "ls", time_limit=30, options={"init": "spt"})
    assert res.objective == 0 and res.status == "optimal" and res.runtime_s < 10
    assert res.stats["reached_lower_bound"]


def test_ls_stops_when_it_stalls() -> None:
    res = sk.solve(sk.load("wt40-1"), "ls", time_limit=30, options={"stall": 50})
    assert res.stats["stalled"] and res.stop_reason.startswith("no improvement")


def test_auto_uses_local_search() -> None:
    assert sk.solve(sk.generate("single_machine", n=10, seed=1)).method == "ls"
