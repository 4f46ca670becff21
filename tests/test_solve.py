"""solve(): every method on every problem it supports, verified, bounded, schema-valid."""

from __future__ import annotations

import dataclasses
import json

import pytest

import schedkit as sk

SMALL_SHAPES = {
    "jobshop": {"jobs": 5, "machines": 3},
    "single_machine": {"n": 8},
    "dag": {"tasks": 12, "processors": 3},
    "expert_placement": {"preset": "mixtral", "layers": 2},
    "sequence_parallel": {"preset": "7b", "sequences": 16},
}


def _cases():
    for method in sk.methods():
        yield pytest.param(method.name, method.problem, id=f"{method.name}-{method.problem}")


@pytest.mark.parametrize(("method", "problem"), list(_cases()))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_method_is_verified_and_bounded(method: str, problem: str, seed: int) -> None:
    inst = sk.generate(problem, seed=seed, **SMALL_SHAPES[problem])
    res = sk.solve(inst, method, time_limit=5, seed=seed)
    assert res.status in ("optimal", "feasible"), res.stop_reason
    assert res.verified
    assert sk.evaluate(inst, res.solution).objective == pytest.approx(res.objective)
    assert res.bound <= res.objective + 1e-6 * max(1.0, abs(res.objective))
    assert res.bound >= sk.lower_bound(inst) - 1e-9
    assert res.runtime_s >= 0
    sk.validate_record(res.to_dict())
    assert sk.check(inst, res) == []


@pytest.mark.parametrize(("name", "best"), [("ft06", 55), ("la01", 666)])
def test_bundled_jobshop_baseline_against_best_known(name: str, best: int) -> None:
    res = sk.solve(name, "baseline")
    assert res.status == "feasible"
    assert res.best_known == best
    assert res.bound <= best <= res.objective
    assert res.gap_to_best_known == pytest.approx((res.objective - best) / best)


def test_auto_picks_a_method() -> None:
    res = sk.solve(sk.load("wt40-1"))
    assert res.method in {m.name for m in sk.methods()}
    assert res.ok


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"method": "nope"}, "method"),
    ({"method": "baseline", "options": {"colour": "red"}}, "option colour"),
    ({"method": "baseline", "time_limit": 0}, "time_limit"),
    ({"method": "baseline", "workers": 0}, "workers"),
])
def test_bad_arguments_are_input_errors(kwargs: dict, field: str) -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve(sk.load("ft06"), **kwargs)
    assert err.value.field == field


@pytest.fixture
def fake_method():
    """An unregistered method whose adapter returns whatever the test puts in ``box``;
    ``box["method"]`` is passed to solve()."""
    box: dict = {}
    box["method"] = sk.Method("fake", "jobshop", lambda inst, ctx: box["outcome"](inst),
                              sk.Kind.HEURISTIC, "test double")
    return box


def test_solution_rejected_by_the_evaluator_is_an_error(fake_method) -> None:
    bad = {"start": [[0] * 6] * 6}
    fake_method["outcome"] = lambda inst: sk.MethodResult(bad, sk.Status.OPTIMAL)
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "error"
    assert not res.verified and res.objective is None
    assert res.stop_reason == sk.StopReason.ERROR
    assert "overlap" in res.stop_detail or "precedence" in res.stop_detail
    sk.validate_record(res.to_dict())


def test_backend_objective_disagreeing_with_evaluator_is_an_error(fake_method) -> None:
    good = sk.solve(sk.load("ft06"), "baseline").solution
    fake_method["outcome"] = lambda inst: sk.MethodResult(good, sk.Status.FEASIBLE, objective=1.0)
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "error"
    assert res.stop_reason == sk.StopReason.ERROR and "evaluator objective" in res.stop_detail


def test_claimed_optimal_below_known_bound_is_an_error(fake_method) -> None:
    good = sk.solve(sk.load("ft06"), "baseline").solution
    fake_method["outcome"] = lambda inst: sk.MethodResult(good, sk.Status.OPTIMAL, bound=10_000)
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "error"


def test_optimal_claim_sets_bound_to_objective(fake_method) -> None:
    good = sk.solve(sk.load("ft06"), "baseline").solution
    fake_method["outcome"] = lambda inst: sk.MethodResult(good, sk.Status.OPTIMAL)
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "optimal" and res.bound == res.objective and res.gap == 0


def test_adapter_crash_is_an_error_result(fake_method) -> None:
    def boom(inst):
        raise RuntimeError("backend died")

    fake_method["outcome"] = boom
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "error" and "backend died" in res.stop_detail


def test_result_records_the_versions_of_what_solved_it() -> None:
    from importlib import metadata

    res = sk.solve("ft06", "alns", options={"iterations": 2})
    for dist in ("schedkit", "numpy", "numba", "ortools", "alns", "scipy"):
        assert res.versions[dist] == metadata.version(dist)


def test_result_round_trips_through_jsonl(tmp_path) -> None:
    res = sk.solve(sk.load("topcuoglu2002"), "baseline")
    path = tmp_path / "r.jsonl"
    path.write_text(res.to_json() + "\n" + res.to_json() + "\n")
    back = list(sk.read_results(path))
    assert len(back) == 2 and back[0] == dataclasses.replace(res)


def test_zero_best_known_has_no_relative_deviation() -> None:
    zero = [e.name for e in sk.catalogue("single_machine")
            if sk.load(e.name).bounds and sk.load(e.name).bounds.upper == 0]
    assert zero, "OR-Library wt40 has instances with optimum 0"
    res = sk.solve(zero[0], "baseline")
    assert res.best_known == 0
    assert res.gap_to_best_known is None  # no ratio to 0; tables show the difference


def test_bad_record_fails_schema_validation() -> None:
    rec = sk.solve(sk.load("ft06"), "baseline").to_dict()
    rec["status"] = "great"
    with pytest.raises(sk.InputError) as err:
        sk.validate_record(rec)
    assert err.value.field == "status"
    rec = sk.solve(sk.load("ft06"), "baseline").to_dict()
    rec["runtime_s"] = -1
    with pytest.raises(sk.InputError):
        sk.validate_record(rec)


def test_adapter_with_an_unknown_status_is_an_error_result(fake_method) -> None:
    good = sk.solve(sk.load("ft06"), "baseline").solution
    fake_method["outcome"] = lambda inst: sk.MethodResult(good, "great")  # type: ignore[arg-type]
    res = sk.solve(sk.load("ft06"), fake_method["method"])
    assert res.status == "error" and res.stop_reason == sk.StopReason.ERROR
    assert "great" in res.stop_detail and not res.verified


def test_records_written_before_the_stop_vocabulary_still_read(tmp_path) -> None:
    rec = sk.solve(sk.load("ft06"), "baseline").to_dict()
    del rec["stop_detail"]
    rec["stop_reason"] = "heuristic finished"  # free text, as records held it before
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    (back,) = sk.read_results(path)
    assert back.stop_reason == "heuristic finished" and back.stop_detail == ""
    assert sk.check(sk.load("ft06"), back) == []
    new = sk.solve(sk.load("ft06"), "baseline")
    assert isinstance(new.stop_reason, sk.StopReason) and new.to_dict()["stop_reason"] == "finished"


@pytest.mark.parametrize(("warm_s", "limit", "before_clock"), [(0.2, 1.0, False),
                                                                (0.4, 0.5, True)])
def test_a_short_warm_up_counts_in_the_time_limit_a_long_one_comes_before(
        warm_s: float, limit: float, before_clock: bool) -> None:
    """Loading cached kernels (short) counts in the budget; a compile longer than half the
    limit (a cold cache) is done before the clock starts."""
    import time

    seen: dict[str, float] = {}

    def run(inst: sk.Instance, ctx: sk.RunContext) -> sk.MethodResult:
        seen["left"] = ctx.time_left() or 0.0
        return sk.MethodResult({"starts": [[0] * 6] * 6}, sk.Status.UNKNOWN)

    method = sk.Method("slow-warm-up", "jobshop", run, sk.Kind.HEURISTIC, "test",
                       warm_up=lambda: time.sleep(warm_s))
    res = sk.solve("ft06", method, time_limit=limit)
    assert res.stats["jit_warm_up_s"] >= warm_s
    assert res.stats.get("jit_before_clock", False) is before_clock
    if before_clock:
        assert seen["left"] > limit - 0.1  # the clock started after the warm-up
    else:
        assert seen["left"] < limit - warm_s + 0.01  # the warm-up was spent from the budget
