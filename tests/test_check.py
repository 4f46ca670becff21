"""check()/check_file()/`schedkit check`: every claim of a result record is re-verified."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedkit as sk
from schedkit.cli import main
from schedkit.solvers.result import gap, gap_to_best_known

PROBLEMS = ["jobshop", "single_machine", "dag", "expert_placement", "sequence_parallel"]
STATUSES = ["optimal", "feasible", "infeasible", "unknown", "error"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def record_findings(found: list[sk.Violation]) -> list[str]:
    return [v.message for v in found if v.kind == "record"]


def write_jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def la01() -> tuple[sk.Instance, dict[str, Any]]:
    inst = sk.load("la01")
    rec = sk.solve(inst, "dispatch").to_dict()
    assert rec["status"] == "feasible" and rec["objective"] == 735  # the reported case
    assert inst.bounds.lower == inst.bounds.upper == 666
    return inst, rec


@pytest.fixture(scope="module")
def ft06() -> tuple[sk.Instance, dict[str, Any]]:
    inst = sk.load("ft06")
    return inst, sk.solve(inst, "baseline").to_dict()


# --- the reported cases -------------------------------------------------------------------


def test_la01_relabelled_optimal_at_735(la01, tmp_path, capsys) -> None:
    inst, rec = la01
    forged = dict(rec, status="optimal", bound=735.0, gap=0.0)  # gap made consistent too
    found = record_findings(sk.check(inst, forged))
    assert any(m.startswith("bound:") and "735" in m and "666" in m for m in found), found
    assert any(m.startswith("status: optimal") and "735" in m and "666" in m for m in found)
    code, out, _ = run(capsys, "check", "la01", str(write_jsonl(tmp_path / "r.jsonl", forged)))
    assert code == 1 and "known optimum 666" in out and "1 with findings" in out


def test_la01_bound_above_the_objective(la01) -> None:
    inst, rec = la01
    forged = dict(rec, bound=9999.0, gap=gap(735.0, 9999.0))
    found = record_findings(sk.check(inst, forged))
    assert any(m.startswith("bound:") and "9999" in m and "objective 735" in m for m in found)
    assert any(m.startswith("bound:") and "9999" in m and "666" in m for m in found)


def test_jobshop_record_that_says_dag(la01) -> None:
    inst, rec = la01
    found = record_findings(sk.check(inst, dict(rec, problem="dag")))
    assert found == ["problem: recorded 'dag' but the instance is a 'jobshop' instance"]


def test_two_records_one_with_a_changed_hash_both_reported(ft06, tmp_path, capsys) -> None:
    inst, good = ft06
    bad = copy.deepcopy(good)
    bad["solution"]["start"][0][1] = 0  # infeasible …
    bad["instance_sha256"] = "f" * 64  # … and disguised as another instance's record
    path = write_jsonl(tmp_path / "r.jsonl", good, bad)
    code, out, _ = run(capsys, "check", "ft06", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "r.jsonl:1 ft06 baseline seed=0 [feasible]: ok"
    assert lines[1].startswith("r.jsonl:2 ft06 baseline seed=0 [feasible]: ")
    assert "instance_sha256: recorded ffffffffffff" in out and "precedence" in out
    assert lines[-1] == "2 checked, 1 ok, 1 with findings; 0 records of other instances skipped"
    reports = sk.check_file(inst, path)
    assert [bool(v) for _, v in reports] == [False, True] and reports.skipped == 0


def test_records_of_other_instances_are_skipped_and_counted(ft06, la01, tmp_path,
                                                            capsys) -> None:
    _, good = ft06
    _, other = la01
    path = write_jsonl(tmp_path / "r.jsonl", other, good, other)
    code, out, _ = run(capsys, "check", "ft06", str(path))
    assert code == 0
    assert out.splitlines() == ["r.jsonl:2 ft06 baseline seed=0 [feasible]: ok",
                                "1 checked, 1 ok, 0 with findings; "
                                "2 records of other instances skipped"]
    code, _, err = run(capsys, "check", "ft06", str(write_jsonl(tmp_path / "o.jsonl", other)))
    assert code == 2 and "no record for instance 'ft06'" in err and "1 records" in err


def test_a_renamed_instance_still_matches_by_hash(ft06, tmp_path) -> None:
    inst, good = ft06
    path = write_jsonl(tmp_path / "r.jsonl", dict(good, instance="my-ft06"))
    ((label, found),) = sk.check_file(inst, path)
    assert "my-ft06" in label and found == []


# --- the other claims ---------------------------------------------------------------------


def test_every_finding_is_reported_not_only_the_first(ft06) -> None:
    inst, rec = ft06
    forged = dict(rec, problem="dag", instance_sha256="0" * 64, objective=1.0, bound=2.0,
                  best_known=50, gap_to_best_known=None)
    fields = {m.split(":")[0] for m in record_findings(sk.check(inst, forged))}
    assert fields >= {"problem", "instance_sha256", "objective", "bound", "gap",
                      "gap_to_best_known", "best_known"}


def test_claims_without_a_solution_or_unverified(ft06) -> None:
    inst, rec = ft06
    found = record_findings(sk.check(inst, dict(rec, solution=None)))
    assert any(m.startswith("solution: status feasible") for m in found)
    found = record_findings(sk.check(inst, dict(rec, verified=False)))  # the schema's rule, too
    assert found == ["verified: status feasible but verified is false"]
    found = record_findings(sk.check(inst, dict(rec, objective=None, gap=None,
                                                gap_to_best_known=None)))
    assert found == ["objective: status feasible but objective is null"]


@pytest.mark.parametrize("status", ["unknown", "error", "infeasible"])
def test_other_statuses_carry_no_verified_solution(ft06, status) -> None:
    inst, rec = ft06
    found = record_findings(sk.check(inst, dict(rec, status=status)))
    assert any(m.startswith(f"verified: true but status is {status}") for m in found)


def test_infeasible_claims(ft06) -> None:
    inst, rec = ft06
    forged = dict(rec, status="infeasible", objective=None, bound=None, gap=None,
                  gap_to_best_known=None, verified=False)
    found = record_findings(sk.check(inst, forged))
    assert any("infeasible but the record's solution is feasible" in m for m in found)
    assert any("infeasible but the instance has a known optimum 55" in m for m in found)
    found = record_findings(sk.check(inst, dict(forged, objective=152.0)))
    assert any(m.startswith("objective: recorded objective 152 but status infeasible")
               for m in found)


def test_optimal_below_the_known_lower_bound(ft06) -> None:
    inst, rec = ft06
    loose = dataclasses.replace(inst, bounds=sk.Bounds(lower=200, upper=None))
    forged = dict(rec, best_known=None, gap_to_best_known=None)
    found = record_findings(sk.check(loose, forged))
    assert found == ["objective: recorded objective 152 is below the instance's known lower "
                     "bound 200 (bounds.lower)"]


def test_optimal_needs_bound_equal_to_objective(ft06) -> None:
    inst, rec = ft06
    found = record_findings(sk.check(inst, dict(rec, status="optimal")))
    assert any(m.startswith("status: optimal but bound 52 != objective 152") for m in found)


def test_an_honest_error_record_is_fine(ft06) -> None:
    inst, rec = ft06
    honest = dict(rec, status="error", objective=None, gap=None, gap_to_best_known=None,
                  verified=False)
    assert sk.check(inst, honest) == []
    rejected = copy.deepcopy(honest)  # solve() keeps a rejected solution for debugging
    rejected["solution"]["start"][0][1] = 0
    assert sk.check(inst, rejected) == []
    # … but a recorded objective is a claim about that solution
    assert any(v.kind == "precedence" for v in sk.check(inst, dict(rejected, objective=152.0,
                                                                   gap=gap(152.0, 52.0))))


def test_a_record_not_shaped_as_one_is_an_input_error(ft06, tmp_path) -> None:
    inst, rec = ft06
    with pytest.raises(sk.InputError) as err:
        sk.check(inst, dict(rec, objective="152"))
    assert err.value.field == "objective"
    path = write_jsonl(tmp_path / "r.jsonl", rec, dict(rec, bound="x"))
    with pytest.raises(sk.InputError) as err:
        sk.check_file(inst, path)
    assert err.value.line == 2


def test_bare_solution_files_still_work(ft06, tmp_path) -> None:
    inst, rec = ft06
    path = tmp_path / "sol.json"
    path.write_text(json.dumps(rec["solution"]))
    assert sk.check_file(inst, path) == [("sol.json", [])]
    bad = copy.deepcopy(rec["solution"])
    bad["start"][0][0] = -1
    path.write_text(json.dumps(bad))
    ((_, found),) = sk.check_file(inst, path)
    assert "range" in {v.kind for v in found}


# --- tampering with genuine records -------------------------------------------------------


@pytest.fixture(scope="module")
def genuine() -> list[tuple[sk.Instance, dict[str, Any]]]:
    ft06 = sk.load("ft06")
    single = sk.generate("single_machine", seed=1, n=8)
    dag = sk.load("topcuoglu2002")
    out = [
        (ft06, sk.solve(ft06, "baseline")),
        (ft06, sk.solve(ft06, "dispatch")),
        (single, sk.solve(single, "ls", seed=1)),
        (single, sk.solve(single, "dp")),  # an optimal record
        (dag, sk.solve(dag, "heft")),
    ]
    for inst, res in out:
        assert res.verified and "start" in res.solution
        assert sk.check(inst, res) == []
    assert {res.status for _, res in out} == {"feasible", "optimal"}
    return [(inst, res.to_dict()) for inst, res in out]


def _other_number(draw: st.DrawFn, value: float | None) -> Any:
    """A number clearly different from ``value`` (or None, if ``value`` is not)."""
    if value is not None and draw(st.booleans()):
        return None
    base = 0.0 if value is None else float(value)
    step = draw(st.floats(1.0, 1e4) if abs(base) >= 1 else st.floats(1e-3, 10.0))
    return base + draw(st.sampled_from([-1, 1])) * step


@st.composite
def tampered(draw: st.DrawFn, genuine: list[tuple[sk.Instance, dict[str, Any]]]
             ) -> tuple[sk.Instance, dict[str, Any], str]:
    inst, original = draw(st.sampled_from(genuine))
    rec = copy.deepcopy(original)
    what = draw(st.sampled_from(["objective", "bound", "status", "gap", "gap_to_best_known",
                                 "best_known", "problem", "instance_sha256", "start",
                                 "verified"]))
    if what in ("objective", "bound", "gap", "gap_to_best_known", "best_known"):
        rec[what] = _other_number(draw, rec[what])
    elif what == "status":
        # optimal → feasible only understates what was proved: not a false claim
        rec["status"] = draw(st.sampled_from(
            [s for s in STATUSES if s not in (rec["status"], "feasible")]
            if rec["status"] == "optimal" else [s for s in STATUSES if s != rec["status"]]))
    elif what == "problem":
        rec["problem"] = draw(st.sampled_from([p for p in PROBLEMS if p != inst.problem]))
    elif what == "instance_sha256":
        rec["instance_sha256"] = draw(st.text("0123456789abcdef", min_size=64, max_size=64)
                                      .filter(lambda h: h != original["instance_sha256"]))
    elif what == "verified":
        rec["verified"] = False
    else:
        starts = rec["solution"]["start"]
        if inst.problem == "jobshop":
            j = draw(st.integers(0, len(starts) - 1))
            row, k = starts[j], draw(st.integers(0, len(starts[j]) - 1))
        else:
            row, k = starts, draw(st.integers(0, len(starts) - 1))
        row[k] = -draw(st.integers(1, 1000))  # before time 0 (and every release date)
    return inst, rec, what


@st.composite
def moved(draw: st.DrawFn, genuine: list[tuple[sk.Instance, dict[str, Any]]]
          ) -> tuple[sk.Instance, dict[str, Any]]:
    """A record with one start time moved by 1 to 100 units, either way."""
    inst, original = draw(st.sampled_from(genuine))
    rec = copy.deepcopy(original)
    starts = rec["solution"]["start"]
    if inst.problem == "jobshop":
        starts = starts[draw(st.integers(0, len(starts) - 1))]
    k = draw(st.integers(0, len(starts) - 1))
    starts[k] += draw(st.sampled_from([-1, 1])) * draw(st.integers(1, 100))
    return inst, rec


def test_untouched_genuine_records_pass(genuine) -> None:
    for inst, rec in genuine:
        assert sk.check(inst, rec) == []
        assert sk.check(inst, sk.Result.from_dict(rec)) == []


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_tampering_is_caught(genuine, data) -> None:
    inst, rec, what = data.draw(tampered(genuine))
    found = sk.check(inst, rec)
    assert found, f"tampering with {what} went unnoticed"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_moved_start_time_is_caught_unless_nothing_false_is_claimed(genuine, data) -> None:
    inst, rec = data.draw(moved(genuine))
    ev = sk.evaluate(inst, rec["solution"])
    found = sk.check(inst, rec)
    if ev.feasible and ev.objective == pytest.approx(rec["objective"], rel=1e-9):
        assert found == []  # still feasible and as good: the record stays true
    else:
        assert found


def test_tampering_a_result_object_is_caught_too(genuine) -> None:
    inst, rec = genuine[0]
    res = sk.Result.from_dict(rec)
    for change in ({"verified": False}, {"status": "unknown"}, {"bound": res.objective + 1},
                   {"gap_to_best_known": gap_to_best_known(res.objective, 54)}):
        assert sk.check(inst, dataclasses.replace(res, **change)), change
