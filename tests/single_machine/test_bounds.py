"""The Lagrangian lower bound on one-machine tardiness (``instances/single_machine/bounds.py``):
never above an optimum (brute force, the DP, OR-Library's wt40 optima), stronger than every job
alone, exact in the cases where the relaxation holds a true schedule, the same compiled and
interpreted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import schedkit as sk
from schedkit.instances import SingleMachine
from schedkit.instances.single_machine.bounds import tardiness_bound

from .cases import SMALL


def brute_force(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray) -> int:
    """min over every order of Σ w_j·max(0, C_j − d_j), each job as early as it can start."""
    best = None
    for order in itertools.permutations(range(len(p))):
        t = total = 0
        for j in order:
            t = max(t, int(r[j])) + int(p[j])
            total += int(w[j]) * max(0, t - int(d[j]))
        best = total if best is None else min(best, total)
    assert best is not None
    return best


def alone(p: np.ndarray, d: np.ndarray, w: np.ndarray, r: np.ndarray) -> int:
    """The bound of every job on its own (what the cheap bound was before this one)."""
    return int(np.dot(w, np.maximum(0, r + p - d)))


@pytest.mark.parametrize("releases", [False, True], ids=["no-releases", "releases"])
@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unit"])
def test_never_above_the_brute_force_optimum(releases: bool, weighted: bool) -> None:
    rng = np.random.default_rng(7 + 2 * releases + weighted)
    gained = 0
    for _ in range(40):
        n = int(rng.integers(1, 8))
        p = rng.integers(0, 15, n)  # length-0 jobs included
        d = rng.integers(-5, max(1, int(0.7 * p.sum())), n)
        w = rng.integers(0, 6, n) if weighted else np.ones(n, dtype=np.int64)
        r = rng.integers(0, 20, n) if releases else np.zeros(n, dtype=np.int64)
        inst = SingleMachine(processing=p, due=d, weight=w, release=r,
                             objective="total_weighted_tardiness" if weighted
                             else "total_tardiness")
        opt = brute_force(p, d, w, r)
        bound = sk.lower_bound(inst)
        assert bound <= opt, (p.tolist(), d.tolist(), w.tolist(), r.tolist())
        assert bound >= alone(p, d, w, r)
        assert float(bound).is_integer()
        gained += bound > alone(p, d, w, r)
    assert gained >= 10  # the relaxation adds to the jobs-alone bound on many of them


def test_never_above_the_dp_optimum_of_the_small_cases(optima) -> None:
    for inst in SMALL:
        if inst.objective in ("total_weighted_tardiness", "total_tardiness"):
            assert sk.lower_bound(inst) <= optima[inst.name], inst.name


def test_never_above_the_wt40_optima_and_closer_than_the_jobs_alone() -> None:
    # OR-Library's wt40 best-known values are optimal (124 proved, wtinfo.txt); the index marks
    # those with bounds.lower == bounds.upper.
    names = [e.name for e in sk.catalogue("single_machine") if e.name.startswith("wt40-")]
    assert len(names) == 125
    ratios = []
    for name in names:
        inst = sk.load(name)
        assert inst.bounds is not None and inst.bounds.upper is not None
        bound = sk.lower_bound(inst)
        assert bound <= inst.bounds.upper, name
        if inst.bounds.lower is not None:
            assert bound <= inst.bounds.lower, name
        p, d, w, r = inst.processing, inst.due, inst.weight, inst.release
        assert bound >= alone(p, d, w, r), name
        if inst.bounds.upper > 0:
            ratios.append(bound / inst.bounds.upper)
    # Far above the jobs-alone bound (0 on most of these instances): the gap means something.
    assert np.mean(ratios) > 0.5


def test_exact_where_the_relaxation_holds_a_true_schedule() -> None:
    # One job: its tardiness when it starts at its release date.
    assert tardiness_bound(np.array([5]), np.array([3]), np.array([2]), np.array([1])) == 6
    # Every job late whatever the order, unit weights and equal lengths: ΣTj is the same for
    # every order (3 + 6 + 9 − 3·1), and the bound meets it.
    p, d = np.array([3, 3, 3]), np.array([1, 1, 1])
    assert tardiness_bound(p, d, np.ones(3), np.zeros(3)) == 15
    # Weightless jobs and length-0 jobs: only the length-0 job's own lateness counts.
    assert tardiness_bound(np.array([0, 4]), np.array([2, 0]), np.array([3, 0]),
                           np.array([5, 0])) == 9


def test_other_objectives_keep_their_own_bounds() -> None:
    base = dict(processing=[3, 2, 4], due=[2, 3, 4], weight=[1, 2, 1])
    lmax = SingleMachine(**base, objective="max_lateness")
    assert sk.lower_bound(lmax) == 5  # EDD: completions 3, 5, 9 − due dates 2, 3, 4
    wc = SingleMachine(**base, objective="total_weighted_completion")
    assert sk.lower_bound(wc) == 2 * 2 + 1 * 5 + 1 * 9  # WSPT order 1, 0, 2


def test_long_horizons_fall_back_to_the_cheap_bound() -> None:
    p, d = np.array([10**5, 10**5]), np.array([0, 0])
    w, r = np.ones(2), np.zeros(2)
    assert tardiness_bound(p, d, w, r, work_limit=10**6) == 0
    # Within the budget: both orders cost 10^5 + 2·10^5, and a job never follows itself, so
    # every pseudo-schedule is one of them.
    assert tardiness_bound(p, d, w, r) == 3 * 10**5
    assert tardiness_bound(p * 10, d, w, r, work_limit=10**9) == 0  # beyond HORIZON_LIMIT


def test_the_bound_is_the_same_compiled_and_interpreted(jit_outputs) -> None:
    script = """
import json
import numpy as np
from schedkit.instances.single_machine.bounds import tardiness_bound
rng = np.random.default_rng(3)
out = []
for k in range(6):
    n = 6 + k
    p = rng.integers(1, 12, n); d = rng.integers(0, int(p.sum()), n)
    w = rng.integers(1, 9, n); r = rng.integers(0, 15, n) if k % 2 else np.zeros(n, np.int64)
    out.append(tardiness_bound(p, d, w, r))
print(json.dumps(out))
"""
    compiled, interpreted = jit_outputs(script)
    assert compiled == interpreted


@pytest.mark.parametrize("name", ["wt100-2", "wt100-4", "wt100-27", "wt100-32", "wt100-58",
                                  "wt100-82"])
def test_wt100_bound_positive_within_the_budget(name: str) -> None:
    """The ascent from λ = 0 gets above 0 within the work budget on wt100 instances where the
    start from each job's cost in a first schedule ended below 0; never above the optimum."""
    inst = sk.load(name)
    bound = tardiness_bound(inst.processing, inst.due, inst.weight, inst.release)
    assert 0 < bound <= inst.bounds.upper
