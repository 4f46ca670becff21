"""Single-machine ALNS: the window DP and insertion kernels, the operators and the method."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics import single_machine as H
from schedkit.heuristics.alns import Freed, State
from schedkit.heuristics.single_machine import neighbourhood_kernels as NK
from schedkit.heuristics.single_machine import objective_kernels as OK
from schedkit.heuristics.single_machine.neighbourhoods import operators

from .cases import SMALL

NO_RELEASE = [i for i in SMALL if not np.any(i.release > 0)]

SCRIPT = """
import json, numpy as np, schedkit as sk
from schedkit.heuristics import single_machine as H
from schedkit.heuristics.single_machine import neighbourhood_kernels as NK
inst = sk.load("wt40-7")
p, d, w, r = H.job_arrays(inst)
seq = H.rule_sequence(inst, "edd")
out = {"dp": NK.window_dp(p, d, w, 0, seq, 5, 10).tolist(),
       "ins": NK.insert_jobs(p, d, w, r, 0, seq[:30], seq[30:]).tolist()}
print(json.dumps(out))
"""


def _brute_window(inst: sk.SingleMachine, seq: np.ndarray, lo: int, k: int) -> float:
    p, d, w, r = H.job_arrays(inst)
    code = H.objective_code(inst)
    best = np.inf
    for perm in itertools.permutations(seq[lo:lo + k].tolist()):
        trial = seq.copy()
        trial[lo:lo + k] = perm
        best = min(best, OK.sequence_objective(p, d, w, r, code, trial))
    return best


@pytest.mark.parametrize("inst", NO_RELEASE[:8], ids=lambda i: i.name)
def test_window_dp_is_the_best_order_of_the_window(inst: sk.SingleMachine) -> None:
    p, d, w, r = H.job_arrays(inst)
    code = H.objective_code(inst)
    seq = H.rule_sequence(inst, "spt")
    n = inst.n_jobs
    for lo, k in ((0, n), (1, min(4, n - 1)), (n - 3, 3)):
        out = NK.window_dp(p, d, w, code, seq, lo, k)
        assert sorted(out.tolist()) == list(range(n))
        assert np.array_equal(out[:lo], seq[:lo]) and np.array_equal(out[lo + k:], seq[lo + k:])
        assert OK.sequence_objective(p, d, w, r, code, out) == pytest.approx(
            _brute_window(inst, seq, lo, k))


def test_window_dp_of_everything_is_the_dp_optimum(optima) -> None:
    for inst in NO_RELEASE:
        p, d, w, r = H.job_arrays(inst)
        code = H.objective_code(inst)
        out = NK.window_dp(p, d, w, code, np.arange(inst.n_jobs, dtype=np.int64), 0,
                           inst.n_jobs)
        assert OK.sequence_objective(p, d, w, r, code, out) == pytest.approx(
            optima[inst.name]), inst.name


def test_insertion_puts_each_job_where_it_costs_least() -> None:
    inst = sk.load("wt40-3")
    p, d, w, r = H.job_arrays(inst)
    seq = H.rule_sequence(inst, "edd")
    rest, job = seq[1:], seq[:1]
    out = NK.insert_jobs(p, d, w, r, 0, rest, job)
    values = [OK.sequence_objective(p, d, w, r, 0, np.insert(rest, k, job[0]))
              for k in range(rest.size + 1)]
    assert OK.sequence_objective(p, d, w, r, 0, out) == min(values)
    assert sorted(NK.insert_jobs(p, d, w, r, 0, seq[:10], seq[10:]).tolist()) == list(range(40))


def test_kernels_same_with_and_without_jit(jit_outputs) -> None:
    outs = jit_outputs(SCRIPT)
    assert outs[0] == outs[1]


def test_operators_free_the_named_jobs_and_repair_to_a_permutation() -> None:
    inst = sk.load("wt40-5")
    seq = H.rule_sequence(inst, "edd")
    value = H.sequence_value(inst, seq)
    destroys, repairs = operators(inst, ("window", "random", "costly"), (5, 9), ("dp",
                                                                                "insertion"))
    assert set(destroys) == {f"{s}-{k}" for s in ("window", "random", "costly") for k in (5, 9)}
    rng = np.random.RandomState(0)
    for name, destroy in destroys.items():
        freed = destroy(State(seq, value), rng)
        assert isinstance(freed, Freed) and freed.freed is not None
        assert freed.freed.size == int(name.split("-")[1])
        assert np.array_equal(freed.solution, seq)  # the destroy changes nothing
        if name.startswith("window"):
            lo = freed.window
            assert np.array_equal(seq[lo:lo + freed.freed.size], freed.freed)
        for repair in repairs.values():
            out = repair(freed, rng)
            assert sorted(out.solution.tolist()) == list(range(40))
            assert out.value == H.sequence_value(inst, out.solution)


def test_dp_repair_never_worsens_a_window_before_the_descent() -> None:
    # The window DP keeps the rest: the repaired value is at most the current one (the
    # descent after it only improves).
    inst = sk.load("wt40-9")
    seq = H.rule_sequence(inst, "mdd")
    value = H.sequence_value(inst, seq)
    destroys, repairs = operators(inst, ("window",), (12,), ("dp",))
    rng = np.random.RandomState(2)
    for _ in range(5):
        assert repairs["dp"](destroys["window-12"](State(seq, value), rng), rng).value <= value


def test_alns_finds_every_small_optimum(optima) -> None:
    for inst in SMALL:
        res = sk.solve(inst, "alns", seed=0, options={"iterations": 60, "sizes": "3,5"})
        assert res.verified and res.objective == pytest.approx(optima[inst.name]), inst.name
        if res.status == "optimal":
            assert res.bound == pytest.approx(res.objective)


@pytest.mark.parametrize("name", ["wt40-1", "wt40-19", "wt40-42"])
def test_alns_reaches_the_wt40_optimum(name: str) -> None:
    # OR-Library's wt40 best-known values are proved optima.
    inst = sk.load(name)
    res = sk.solve(inst, "alns", seed=0, options={"iterations": 400})
    assert res.objective == inst.bounds.upper


def test_alns_is_reproducible_with_an_iteration_limit() -> None:
    runs = [sk.solve("wt100-3", "alns", seed=5, options={"iterations": 40}) for _ in range(2)]
    assert runs[0].solution == runs[1].solution
    assert runs[0].stats["operators"] == runs[1].stats["operators"]
    other = sk.solve("wt100-3", "alns", seed=6, options={"iterations": 40})
    assert other.stats["operators"] != runs[0].stats["operators"]  # the seed is used


def test_alns_with_release_dates_uses_insertion_and_stays_feasible() -> None:
    inst = next(i for i in SMALL if np.any(i.release > 0))
    res = sk.solve(inst, "alns", seed=1, options={"iterations": 20, "repairs": "dp",
                                                  "destroys": "window", "sizes": "4"})
    assert res.verified and res.stats["operators"]["dp"]["chosen"] == 20


@pytest.mark.parametrize(("options", "field"), [
    ({"destroys": "window,x"}, "option destroys"),
    ({"repairs": ""}, "option repairs"),
    ({"sizes": "0"}, "option sizes"),
    ({"sizes": "17"}, "option sizes"),
    ({"sizes": "a,b"}, "option sizes"),
])
def test_alns_option_errors(options: dict, field: str) -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve("wt40-1", "alns", options={"iterations": 1, **options})
    assert err.value.field == field
