"""The single-machine evaluator: objectives and every kind of violation."""

from __future__ import annotations

import numpy as np
import pytest

from schedkit.instances import InputError, SingleMachine
from schedkit.instances.evaluate import check, evaluate

from ..cases import SM, kinds


def test_single_machine_objectives() -> None:
    sol = {"sequence": [0, 2, 1]}  # starts 0, 3, 7; completions 3, 9, 7
    ev = evaluate(SM, sol)
    assert ev.feasible
    # weighted tardiness: 1*0 + 2*0 + 3*(7-5) = 6
    assert ev.objective == 6
    assert evaluate(SM.with_objective("total_tardiness"), sol).objective == 2
    assert evaluate(SM.with_objective("max_lateness"), sol).objective == 2
    assert evaluate(SM.with_objective("total_weighted_completion"), sol).objective == 3 + 18 + 21
    assert evaluate(SM.with_objective("weighted_tardy_jobs"), sol).objective == 3


@pytest.mark.parametrize(("solution", "kind"), [
    ({"sequence": [0, 2, 2]}, "duplicate"),
    ({"sequence": [0, 2]}, "missing"),
    ({"sequence": [0, 1, 2, 7]}, "range"),
    ({"sequence": [2, 0, 1], "start": [1, 4, 0]}, "release"),   # job 2 released at 1
    ({"sequence": [0, 1, 2], "start": [0, 2, 5]}, "overlap"),  # job 1 starts before 0 ends
    ({"sequence": [0, 1, 2], "start": [0, 3]}, "format"),
    ({"order": [0, 1, 2]}, "format"),
])
def test_single_machine_violations(solution, kind) -> None:
    assert kind in kinds(check(SM, solution))


# --- exactness and finiteness caps of the instance ------------------------------------------------
def test_objectives_at_the_exactness_cap_are_exact() -> None:
    # One job of 2**53 - 1: the largest exact completion time and lateness.
    one = SingleMachine(processing=[2**53 - 1], due=[0], objective="max_lateness")
    assert evaluate(one, {"sequence": [0]}).objective == 2**53 - 1
    # Two jobs: W = max(sum of weights, n) = 2, so H may reach (2**53 - 1) // 2.
    a, b = 2**51, 2**51 - 1
    two = SingleMachine(processing=[a, b], due=[0, 0], objective="total_tardiness")
    assert evaluate(two, {"sequence": [0, 1]}).objective == a + (a + b)  # exact
    with pytest.raises(InputError, match=r"n \* \(max release \+ total processing\)"):
        SingleMachine(processing=[a, a], due=[0, 0])


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"processing": [2**52, 2**52], "due": [0, 0]}, "data.processing[0]"),
    ({"processing": [1, 1], "due": [2**53 - 1, 0]}, "data.due[0]"),
    ({"processing": [2**30, 1], "due": [0, 0], "weight": [2**23, 1]}, "data.weight[0]"),
    ({"processing": [1, 1], "due": [0, 0], "release": [2**53 - 1, 0]}, "data.release[0]"),
    ({"processing": [1, 2**53 + 1], "due": [0, 0]}, "data.processing[1]"),
])
def test_instances_beyond_the_caps_are_refused(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        SingleMachine(**kwargs)
    assert err.value.field == field


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 2.5, "3", True, [1], None])
def test_non_finite_and_non_integer_data_are_refused(bad) -> None:
    for key in ("processing", "due", "weight", "release"):
        kw = {"processing": [3, 1], "due": [4, 4], key: [1, bad]}
        with pytest.raises(InputError) as err:
            SingleMachine(**kw)
        assert err.value.field == f"data.{key}[1]", err.value
