"""The DAG evaluator: communication delays, metrics, and every kind of violation."""

from __future__ import annotations

import numpy as np
import pytest

from schedkit.instances import DAG, InputError
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


# --- the finiteness cap ---------------------------------------------------------------------------
def test_makespan_at_the_cap_is_finite() -> None:
    inst = DAG(processors=2, cost=[[4e299, 4e299], [4e299, 4e299]], edges=[[0, 1]],
               edge_data=[2e299], bandwidth=1.0)
    ev = evaluate(inst, {"processor": [0, 1], "start": [0, 6e299]})
    assert ev.feasible and ev.objective is not None and np.isfinite(ev.objective)
    assert all(np.isfinite(v) for v in metrics(inst, {"processor": [0, 1],
                                                      "start": [0, 6e299]}).values())


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"cost": [[1e300, 1], [1e300, 1]]}, "data.cost[0][0]", "1e+300 makes"),
    ({"cost": [[1e308, 1], [1, 1]]}, "data.cost[0][0]", "above the cap"),
    ({"edge_data": [1e10], "bandwidth": 1e-300}, "data.edges[0]", "bandwidth 1e-300"),
    ({"edge_data": [1], "latency": [1e301, 0]}, "data.edges[0]", "latency 1e+301"),
    ({"edge_data": [1e10], "bandwidth": [[1, 1e-300], [1, 1]]}, "data.edges[0]",
     "bandwidth 1e-300"),
])
def test_instances_beyond_the_cap_are_refused(kwargs, field, message) -> None:
    base = {"processors": 2, "cost": [[1, 1], [1, 1]], "edges": [[0, 1]]}
    with pytest.raises(InputError) as err:
        DAG(**{**base, **kwargs})
    assert err.value.field == field and message in str(err.value)


def test_one_processor_has_no_transfers_to_cap() -> None:
    inst = DAG(processors=1, cost=[[1], [1]], edges=[[0, 1]], edge_data=[1e308],
               bandwidth=1e-300)
    assert evaluate(inst, {"processor": [0, 0], "start": [0, 1]}).objective == 2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "3", True, [1]])
def test_non_finite_data_are_refused(bad) -> None:
    base = {"processors": 2, "cost": [[1, 1], [1, 1]], "edges": [[0, 1]], "edge_data": [1],
            "bandwidth": 1.0, "latency": 0.0}
    for key, value in (("cost", [[1, bad], [1, 1]]), ("edge_data", [bad]), ("bandwidth", bad),
                       ("latency", bad), ("bandwidth", [[1, bad], [1, 1]]),
                       ("latency", [0, bad])):
        with pytest.raises(InputError) as err:
            DAG(**{**base, key: value})
        assert err.value.field.startswith(f"data.{key}"), err.value
