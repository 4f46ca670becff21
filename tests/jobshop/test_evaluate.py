"""The job-shop evaluator: objectives, every kind of violation, and the lower bound."""

from __future__ import annotations

import numpy as np
import pytest

from schedkit.instances import InputError, JobShop
from schedkit.instances.evaluate import VIOLATION_KINDS, check, evaluate, lower_bound

from ..cases import JS, JS_OK, kinds


def test_jobshop_feasible_objectives() -> None:
    assert check(JS, JS_OK) == []
    assert evaluate(JS, JS_OK).objective == 7  # makespan: J0 ends 7, J1 ends 6
    # completions 7 and 6; tardiness 2*(7-5) + 1*(6-6) = 4; weighted completion 2*7 + 6 = 20
    assert evaluate(JS.with_objective("total_weighted_tardiness"), JS_OK).objective == 4
    assert evaluate(JS.with_objective("total_weighted_completion"), JS_OK).objective == 20


@pytest.mark.parametrize(("solution", "kind"), [
    ({"start": [[0, 3], [1, 5]]}, "overlap"),      # J0 op1 on m1 [3,5) vs J1 op0 [1,5)
    ({"start": [[0, 2], [5, 9]]}, "precedence"),   # J0 op1 starts before op0 ends
    ({"start": [[0, 5], [0, 5]]}, "release"),      # J1 released at 1
    ({"start": [[0, 5], [1]]}, "missing"),
    ({"start": [[0, 5]]}, "missing"),
    ({"start": [[-1, 5], [1, 5]]}, "range"),
    ({"begin": [[0, 5], [1, 5]]}, "format"),
    ({"start": [[0, 5, 9], [1, 5]]}, "format"),
    ({"start": "soon"}, "format"),
])
def test_jobshop_violations(solution, kind) -> None:
    found = check(JS, solution)
    assert kind in kinds(found), found
    assert all(v.kind in VIOLATION_KINDS for v in found)
    assert all(str(v).startswith(v.kind) for v in found)


def test_jackson_preemptive_bound_small_case() -> None:
    from schedkit.instances.jobshop.evaluate import _jackson_preemptive

    # op0 released at 0 (p 4, tail 1); op1 released at 1 (p 2, tail 10) preempts it:
    # op1 runs [1, 3) -> 3 + 10 = 13; op0 finishes at 6 -> 6 + 1 = 7.
    assert _jackson_preemptive(np.array([0, 1]), np.array([4, 2]), np.array([1, 10])) == 13


def test_jobshop_bound_never_exceeds_published_lower_bounds() -> None:
    import schedkit as sk

    names = [e.name for e in sk.catalogue("jobshop")]
    assert len(names) == 162
    for name in names:
        inst = sk.load(name)
        assert lower_bound(inst) <= inst.bounds.lower, name
    assert lower_bound(sk.load("ft10")) == 808  # stronger than max(job, machine) = 655


# --- exactness and finiteness caps of the instance ------------------------------------------------
def test_objectives_at_the_exactness_cap_are_exact() -> None:
    big = 2**52
    inst = JobShop.from_routes([[(0, big), (1, big - 1)]], machines=2)
    sol = {"start": [[0, big]]}
    assert evaluate(inst, sol).objective == 2**53 - 1  # exact: the largest integer below 2**53
    tw = JobShop.from_routes([[(0, big // 2)], [(1, big // 2 - 1)]], machines=2,
                             weight=[1, 1], due=[0, 0], objective="total_weighted_tardiness")
    assert evaluate(tw, {"start": [[0], [0]]}).objective == big - 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"routes": [[(0, 2**52)], [(0, 2**52)]]}, "data.jobs[0].operations[0].duration"),
    ({"routes": [[(0, 2**30)]], "weight": [2**23]}, "data.jobs[0].weight"),
    ({"routes": [[(0, 1)]], "release": [2**53 - 1]}, "data.jobs[0].release"),
    ({"routes": [[(0, 1)]], "due": [-(2**53) + 1]}, "data.jobs[0].due"),
    ({"routes": [[(0, 1)]], "machines": 10**6 + 1}, "data.machines"),
])
def test_instances_beyond_the_caps_are_refused(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        JobShop.from_routes(kwargs.pop("routes"), **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e400, "3", True, [1]])
def test_non_finite_and_non_integer_data_are_refused(bad) -> None:
    for key in ("op_duration", "release", "weight", "due"):
        kw = {"machines": 1, "job_offsets": [0, 1], "op_machine": [0], "op_duration": [3],
              key: [bad]}
        with pytest.raises(InputError) as err:
            JobShop(**kw)
        assert err.value.field.startswith(f"data.{key}")
