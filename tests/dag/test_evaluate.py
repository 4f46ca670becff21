"""The DAG evaluator: communication delays, metrics, and every kind of violation."""

from __future__ import annotations

import pytest

from schedkit.instances.evaluate import check, evaluate, metrics

from ..cases import DG, kinds


def test_dag_communication_and_metrics() -> None:
    # 0 on p0 [0,2); 1 on p1 needs 2 + 6/2 = 5; 2 on p0 right after 0.
    sol = {"processor": [0, 1, 0], "start": [0, 5, 2]}
    ev = evaluate(DG, sol)
    assert ev.feasible and ev.objective == 6
    m = metrics(DG, sol)
    assert m["makespan"] == 6
    assert m["slr"] == pytest.approx(6 / 3)  # critical path of minimum costs: 2 + 1
    assert m["speedup"] == pytest.approx(5 / 6)  # p1 alone: 3 + 1 + 1 = 5
    assert m["efficiency"] == pytest.approx(5 / 12)


@pytest.mark.parametrize(("solution", "kind"), [
    ({"processor": [0, 1, 0], "start": [0, 4, 2]}, "precedence"),  # data arrives at 5
    ({"processor": [0, 0, 0], "start": [0, 2, 3]}, "overlap"),  # task 1 [2,6) and 2 [3,4)
    ({"processor": [0, 2, 0], "start": [0, 5, 2]}, "range"),
    ({"processor": [0, 1], "start": [0, 5]}, "missing"),
    ({"processor": [0, 1, 0], "start": [0, 5, -1]}, "range"),
    ({"processor": [0, 1, 0]}, "format"),
])
def test_dag_violations(solution, kind) -> None:
    assert kind in kinds(check(DG, solution))
