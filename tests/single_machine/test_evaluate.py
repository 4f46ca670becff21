"""The single-machine evaluator: objectives and every kind of violation."""

from __future__ import annotations

import pytest

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
