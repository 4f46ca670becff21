"""The sequence-parallel evaluator: the step time and every kind of violation."""

from __future__ import annotations

import copy

import pytest

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
