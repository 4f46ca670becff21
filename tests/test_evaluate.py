"""The evaluator across families: violation capping, and lower bounds below feasible objectives.

The per-family rules are tested in ``tests/<problem>/test_evaluate.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from schedkit.instances import SingleMachine
from schedkit.instances.evaluate import check, evaluate, lower_bound

from .cases import DG, EP, EP_OK, JS, JS_OK, SM, SP, SP_OK


def test_violation_lists_are_capped_but_counted() -> None:
    big = SingleMachine(processing=np.ones(100, dtype=int), due=np.zeros(100, dtype=int))
    found = check(big, {"sequence": []})
    assert len(found) == 11
    assert "90 more missing" in str(found[-1])


@pytest.mark.parametrize("inst", [JS, SM, DG, EP, SP], ids=lambda i: i.problem)
def test_lower_bound_is_below_a_feasible_objective(inst) -> None:
    sol = {"jobshop": JS_OK, "single_machine": {"sequence": [0, 2, 1]},
           "dag": {"processor": [0, 1, 0], "start": [0, 5, 2]},
           "expert_placement": EP_OK, "sequence_parallel": SP_OK}[inst.problem]
    assert lower_bound(inst) <= evaluate(inst, sol).objective + 1e-9


# -- exact comparisons and numbers only (issue 10) --------------------------------------------
@pytest.mark.parametrize(("inst", "solution"), [
    (JS, {"start": [["0", 5], [1, 5]]}),
    (JS, {"start": [[0, 5], [True, 5]]}),
    (JS, {"start": [[0, 5.5], [1, 5]]}),
    (JS, {"start": [[0, 2.0**60], [1, 5]]}),
    (SM, {"sequence": ["0", 2, 1]}),
    (SM, {"sequence": [0, 2, 1], "start": ["0", 3, 7]}),
    (SM, {"sequence": [0, 2, 1], "start": [0, 3.5, 7]}),
    (DG, {"processor": [0, 1, 0], "start": [0, "5", 2]}),
    (DG, {"processor": [0, 1, 0], "start": [0, None, 2]}),
    (DG, {"processor": [0, False, 0], "start": [0, 5, 2]}),
    (EP, {"replicas": [[["0"], [1], [2], [3]]]}),
    (SP, {"microbatches": [[{"devices": ["0", 1], "sequences": [0, 1, 2]}]]}),
], ids=lambda x: getattr(x, "problem", None) or "")
def test_non_numeric_or_inexact_values_are_format_violations(inst, solution) -> None:
    found = check(inst, solution)
    assert "format" in {v.kind for v in found}, found


def test_integer_problems_compare_exactly_whatever_the_solution_holds() -> None:
    # A weight-0 job at t = 1e12 used to widen the tolerance to 1e3 time units, so that every
    # other operation could overlap unnoticed.
    from schedkit.instances import JobShop

    inst = JobShop.from_routes([[(0, 5)], [(0, 5)], [(1, 1)]], weight=[1, 1, 0],
                               objective="total_weighted_completion", name="wide")
    overlapping = {"start": [[0], [1], [10**12]]}
    assert {v.kind for v in check(inst, overlapping)} == {"overlap"}
    assert check(inst, {"start": [[0], [5], [10**12]]}) == []


def test_float_tolerance_comes_from_the_instance_not_the_solution() -> None:
    from schedkit.instances import DAG

    inst = DAG(processors=1, cost=[[2.0], [2.0], [1.0]], name="far")
    # Tasks 0 and 1 overlap by 1 time unit; task 2 far away must not hide it.
    assert {v.kind for v in check(inst, {"processor": [0, 0, 0],
                                         "start": [0.0, 1.0, 1e12]})} == {"overlap"}
    assert check(inst, {"processor": [0, 0, 0], "start": [0.0, 2.0, 1e12]}) == []
