"""Robustness: replaying a schedule's decisions under perturbed run times."""

from __future__ import annotations

import numpy as np
import pytest

import schedkit as sk
from schedkit.instances.dag.robustness import Robustness, parse_noise, replay, robustness


@pytest.fixture(scope="module")
def montage() -> sk.DAG:
    return sk.load("wf-montage")


def test_same_seed_same_numbers(montage: sk.DAG) -> None:
    res = sk.solve(montage, "heft")
    a = robustness(montage, res, noise="lognormal:0.2", samples=300, seed=5)
    b = robustness(montage, res.solution, noise="lognormal:0.2", samples=300, seed=5)
    c = robustness(montage, res.to_dict(), noise="lognormal:0.2", samples=300, seed=6)
    assert isinstance(a, Robustness)
    assert np.array_equal(a.samples, b.samples) and a.to_dict() == b.to_dict()
    assert not np.array_equal(a.samples, c.samples)
    assert a.planned == res.objective == a.nominal  # HEFT's schedule is left-justified
    assert a.worst >= a.p95 >= a.median and a.worst == a.samples.max()
    assert a.n_samples == 300 and a.samples.shape == (300,)
    assert "planned" in a.summary() and a.to_dict(with_samples=True)["samples"][0] == a.samples[0]


def test_every_method_and_the_exact_one(montage: sk.DAG) -> None:
    for method, kw in (("cpsat", {"time_limit": 2, "workers": 2}), ("peft", {}),
                       ("list", {}), ("cpop", {}), ("baseline", {})):
        res = sk.solve(montage, method, **kw)
        rob = robustness(montage, res, noise="uniform:0.1", samples=50, seed=1)
        assert rob.nominal <= rob.planned * (1 + 1e-12)
        assert np.isfinite(rob.samples).all()


def test_no_noise_replays_the_plan_shifted_left() -> None:
    inst = sk.generate("dag", tasks=30, processors=3, seed=2)
    res = sk.solve(inst, "heft")
    late = {"processor": res.solution["processor"],
            "start": [s + 5.0 for s in res.solution["start"]]}  # everything 5 later: feasible
    assert sk.evaluate(inst, late).feasible
    rob = robustness(inst, late, noise="none", samples=3)
    assert rob.planned == res.objective + 5.0
    assert rob.nominal == rob.mean == rob.worst == res.objective
    start = replay(inst, late)
    assert sk.evaluate(inst, {"processor": late["processor"], "start": start.tolist()}).feasible


def test_replay_keeps_processor_order_and_scales_with_durations() -> None:
    inst = sk.load("topcuoglu2002")
    sol = sk.solve(inst, "heft").solution
    proc = np.asarray(sol["processor"])
    dur = inst.cost[np.arange(inst.n_tasks), proc]
    twice = replay(inst, sol, durations=2 * dur, comm=np.zeros(inst.edges.shape[0]))
    for p in range(inst.processors):
        on = np.flatnonzero(proc == p)
        assert (np.argsort(np.asarray(sol["start"])[on]) == np.argsort(twice[on])).all()
    batch = replay(inst, sol, durations=np.stack([dur, 2 * dur]))
    assert batch.shape == (2, inst.n_tasks)
    assert np.array_equal(batch[0], replay(inst, sol))


def test_slower_runs_never_finish_earlier() -> None:
    inst = sk.generate("dag", tasks=40, processors=4, seed=3)
    sol = sk.solve(inst, "heft").solution
    rob = robustness(inst, sol, noise="uniform:0.3", samples=200, seed=0)
    assert rob.samples.min() > 0
    slow = robustness(inst, sol, noise="uniform:0.0", samples=2, seed=0)
    assert slow.mean == pytest.approx(rob.planned)


@pytest.mark.parametrize(("spec", "parsed"), [("lognormal:0.2", ("lognormal", 0.2)),
                                              (" Uniform:0.1 ", ("uniform", 0.1)),
                                              ("none", ("none", 0.0))])
def test_parse_noise(spec: str, parsed: tuple) -> None:
    assert parse_noise(spec) == parsed


@pytest.mark.parametrize("spec", ["gauss:0.1", "lognormal", "lognormal:x", "uniform:1.5",
                                  "lognormal:-1", "none:1", 3])
def test_bad_noise_is_an_input_error(spec) -> None:
    with pytest.raises(sk.InputError, match="noise"):
        parse_noise(spec)


def test_bad_inputs() -> None:
    inst = sk.load("topcuoglu2002")
    sol = sk.solve(inst, "heft").solution
    with pytest.raises(sk.InputError, match="samples"):
        robustness(inst, sol, samples=0)
    with pytest.raises(sk.InputError, match="infeasible"):
        robustness(inst, {"processor": sol["processor"], "start": [0] * 10})
    with pytest.raises(sk.InputError, match="dag"):
        robustness(sk.load("ft06"), sol)
    with pytest.raises(sk.InputError, match="solution"):
        robustness(inst, 42)
