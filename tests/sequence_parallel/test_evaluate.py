"""The sequence-parallel evaluator: the step time and every kind of violation."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from schedkit.instances import InputError, SequenceParallel
from schedkit.instances.evaluate import check, evaluate, lower_bound

from ..cases import SP, SP_OK, kinds


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
    assert kind in kinds(check(SP, sol))


# --- caps of the instance -------------------------------------------------------------------------
SP_BASE = {"devices": 4, "devices_per_node": 2, "memory_tokens": 100, "degrees": [1, 2, 4],
           "lengths": [50, 150, 30, 300]}
SP_COST = {"a1": 1e-6, "a2": 1e-3, "b1": 0.01, "comm_bytes_per_token": 1e6,
           "bandwidth": {"2": 1.0, "4": 0.5}}


def _sp(**cost):
    return SequenceParallel(**SP_BASE, cost={**SP_COST, **cost})


def test_a1_that_overflows_the_step_time_is_refused() -> None:
    # The finding: a1 = 1e308 used to give a feasible record with an infinite objective.
    with pytest.raises(InputError) as err:
        _sp(a1=1e308)
    assert err.value.field == "data.cost.a1" and "above the cap 1e+300" in str(err.value)


def test_step_time_below_the_cap_is_finite() -> None:
    inst = _sp(a1=1e294)  # sum of s^2 is 115900, so the bound is about 1.2e299
    ev = evaluate(inst, SP_OK)
    assert ev.feasible and np.isfinite(ev.objective)
    assert np.isfinite(lower_bound(inst))


@pytest.mark.parametrize(("cost", "data", "field"), [
    ({"a2": 1e300}, {}, "data.cost.a2"),
    ({"b1": 1e300}, {}, "data.cost.b1"),
    ({"comm_bytes_per_token": 1e308}, {}, "data.cost.comm_bytes_per_token"),
    ({"bandwidth": {"2": 1.0, "4": 1e-305}}, {}, "data.cost.bandwidth.4"),
    ({}, {"devices": 2**20 + 1, "devices_per_node": 1}, "data.devices"),
    ({}, {"memory_tokens": 2**53}, "data.memory_tokens"),
    ({}, {"memory_tokens": 2**51, "lengths": [2**52, 2**52]}, "data.lengths[0]"),
])
def test_instances_beyond_the_caps_are_refused(cost, data, field) -> None:
    with pytest.raises(InputError) as err:
        SequenceParallel(**{**SP_BASE, **data}, cost={**SP_COST, **cost})
    assert err.value.field == field, err.value


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "3", True, [1]])
def test_non_finite_data_are_refused(bad) -> None:
    for key in ("a1", "a2", "b1", "comm_bytes_per_token"):
        with pytest.raises(InputError) as err:
            _sp(**{key: bad})
        assert err.value.field == f"data.cost.{key}", err.value
    with pytest.raises(InputError) as err:
        _sp(bandwidth={"2": bad, "4": 1.0})
    assert err.value.field == "data.cost.bandwidth.2"
    with pytest.raises(InputError) as err:
        SequenceParallel(**{**SP_BASE, "lengths": [50, bad]}, cost=SP_COST)
    assert err.value.field == "data.lengths[1]"


def _one_per_micro_batch(inst, degrees):
    """Every sequence alone in its own micro-batch on one group of the given degree."""
    return {"microbatches": [[{"devices": list(range(d)), "sequences": [k]}]
                             for k, d in enumerate(degrees)]}


@pytest.mark.parametrize("source", ["wikipedia", "github_like", "commoncrawl_like"])
@pytest.mark.parametrize("seed", range(4))
def test_lower_bound_is_below_every_plan_and_above_the_work_bound(source, seed) -> None:
    import schedkit as sk

    inst = sk.generate("sequence_parallel", source=source, sequences=24, devices=8, seed=seed)
    bound = lower_bound(inst)
    c, s = inst.cost, inst.lengths.astype(float)
    assert bound >= (float((c.a1 * s * s + c.a2 * s).sum()) + c.b1) / inst.devices - 1e-12
    for method in ("static", "adaptive", "megatron-dcp", "baseline"):
        res = sk.solve(inst, method)
        assert res.verified and res.objective >= bound - 1e-9 * res.objective, method
    # Every sequence alone, on each degree that holds it: the bound holds for each such plan.
    held = [[d for d in inst.degrees.tolist() if d * inst.memory_tokens >= x] for x in s]
    for pick in (min, max):
        plan = _one_per_micro_batch(inst, [pick(ds) for ds in held])
        ev = evaluate(inst, plan)
        assert ev.feasible, ev.violations
        assert ev.objective >= bound
