"""Exact single-machine methods agree with each other; statuses are honest."""

from __future__ import annotations

import itertools

import numpy as np
import pulp
import pytest

import schedkit as sk
from schedkit.instances import SingleMachine

from .cases import SMALL

EXACT = [
    pytest.param("cpsat", {}, id="cpsat"),
    pytest.param("milp", {"model": "positional"}, id="milp-positional"),
    pytest.param("milp", {"model": "time_indexed"}, id="milp-time_indexed"),
]


def test_the_cases_cover_every_objective_and_release_dates() -> None:
    assert len(SMALL) == 30 and max(i.n_jobs for i in SMALL) <= 12
    assert {i.objective for i in SMALL} == set(SingleMachine.objectives)
    assert sum(bool(np.any(i.release > 0)) for i in SMALL) == 10


@pytest.mark.parametrize(("method", "options"), EXACT)
def test_exact_methods_agree_with_dp(method, options, optima) -> None:
    name = method
    agree = 0
    for inst in SMALL:
        res = sk.solve(inst, name, time_limit=20, options=options)
        assert res.verified, (inst.name, res.stop_reason)
        assert res.status == "optimal", (inst.name, res.stop_reason)
        assert res.objective == pytest.approx(optima[inst.name]), inst.name
        assert res.bound == pytest.approx(res.objective)
        agree += 1
    assert agree == 30


def test_dp_matches_brute_force_with_and_without_releases() -> None:
    for inst in SMALL[:12]:
        if inst.n_jobs > 7:
            continue
        p, d, w, r = inst.processing, inst.due, inst.weight, inst.release
        best = min(sk.evaluate(inst, {"sequence": list(s)}).objective
                   for s in itertools.permutations(range(inst.n_jobs)))
        res = sk.solve(inst, "dp")
        assert res.objective == best, (inst.name, p, d, w, r)


def test_dp_refuses_beyond_its_limit() -> None:
    with pytest.raises(sk.InputError, match="2\\^40") as err:
        sk.solve(sk.load("wt40-1"), "dp")
    assert err.value.field == "method"
    small = sk.generate("single_machine", n=9, seed=1)
    with pytest.raises(sk.InputError, match="max_jobs = 8"):
        sk.solve(small, "dp", options={"max_jobs": 8})


@pytest.mark.parametrize(("method", "options"), [
    pytest.param("cpsat", {"hint": False}, id="cpsat"),
    pytest.param("milp", {"hint": False}, id="milp"),
])
def test_time_limited_exact_runs_do_not_claim_optimality(method, options) -> None:
    inst = sk.load("wt40-12")  # not proved by either within a second on these machines
    res = sk.solve(inst, method, time_limit=1.0, options=options)
    assert res.status in ("feasible", "unknown")
    if res.status == "feasible":
        assert res.verified and res.bound < res.objective and res.gap > 0
        assert res.objective >= inst.bounds.upper


def test_warm_start_carries_the_best_known_on_wt40() -> None:
    res = sk.solve("wt40-1", "cpsat", time_limit=3)
    assert res.objective == 913 and res.verified
    assert res.stats["hint_objective"] == 913


def test_highs_backend_solves_or_names_the_install() -> None:
    inst = SMALL[0]
    if not pulp.HiGHS(msg=False).available():  # not installed, or not loadable beside ortools
        with pytest.raises(sk.InputError, match="highspy|backend=cbc"):
            sk.solve(inst, "milp", options={"backend": "highs"})
        return
    res = sk.solve(inst, "milp", time_limit=20, options={"backend": "highs"})
    dp = sk.solve(inst, "dp")
    assert res.status == "optimal" and res.objective == dp.objective
    assert res.stats["backend"] == "highs"


def test_time_indexed_model_refuses_huge_horizons() -> None:
    big = sk.generate("single_machine", n=500, seed=1)
    with pytest.raises(sk.InputError, match="positional"):
        sk.solve(big, "milp", time_limit=5,
                 options={"model": "time_indexed", "hint": False})
