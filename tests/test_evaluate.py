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
