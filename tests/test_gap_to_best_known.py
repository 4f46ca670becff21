"""gap_to_best_known is the relative deviation (objective − bk)/|bk| everywhere: in Result, the
re-check, the reader of older files, the ``schedkit solve`` table and the bench tables."""

from __future__ import annotations

import json
from typing import Any

import pytest

import schedkit as sk
from schedkit.cli import main
from schedkit.solvers.result import gap_to_best_known, legacy_gap_to_best_known
from schedkit.solvers.result import gap_to_best_known_text as cell


@pytest.fixture(scope="module")
def zero_bk() -> str:
    """A bundled instance whose best known value is 0 (OR-Library wt40 has some)."""
    for entry in sk.catalogue("single_machine"):
        inst = sk.load(entry.name)
        if inst.bounds is not None and inst.bounds.upper == 0:
            return entry.name
    raise AssertionError("no bundled instance with best known 0")


@pytest.fixture(scope="module")
def ft06_record() -> dict[str, Any]:
    return sk.solve("ft06", "baseline").to_dict()


def test_the_definition() -> None:
    assert gap_to_best_known(110, 100) == pytest.approx(0.1)
    assert gap_to_best_known(90, 100) == pytest.approx(-0.1)  # better than the best known
    assert gap_to_best_known(-5, -10) == pytest.approx(0.5)  # Lmax: worse is still positive
    assert gap_to_best_known(12, 0) is None
    assert gap_to_best_known(None, 100) is None and gap_to_best_known(5, None) is None


def test_the_table_cell() -> None:
    assert cell(110, 100) == "10.00%"
    assert cell(90, 100) == "-10.00%"
    assert cell(12, 0) == "+12 (bk 0)"
    assert cell(0, 0) == "0 (bk 0)"
    assert cell(None, 100) == "-" and cell(7, None) == "-"


def test_solve_records_the_relative_deviation(ft06_record) -> None:
    res = sk.Result.from_dict(ft06_record)
    assert res.best_known == 55
    assert res.gap_to_best_known == pytest.approx((res.objective - 55) / 55)
    assert ft06_record["gap_to_best_known"] == pytest.approx((res.objective - 55) / 55)


def test_best_known_zero_records_null(zero_bk) -> None:
    res = sk.solve(zero_bk, "baseline")
    assert res.best_known == 0 and res.ok
    assert res.gap_to_best_known is None
    assert sk.check(sk.load(zero_bk), res) == []


def test_older_records_read_with_the_new_meaning_and_check_clean(ft06_record, zero_bk) -> None:
    obj = ft06_record["objective"]
    old = dict(ft06_record, gap_to_best_known=(obj - 55) / obj)  # as written before
    assert old["gap_to_best_known"] == pytest.approx(legacy_gap_to_best_known(obj, 55))
    assert sk.Result.from_dict(old).gap_to_best_known == pytest.approx((obj - 55) / 55)
    assert sk.check(sk.load("ft06"), old) == []
    zero = sk.solve(zero_bk, "baseline").to_dict()
    old_zero = dict(zero, gap_to_best_known=zero["objective"])  # the absolute number of old
    assert sk.Result.from_dict(old_zero).gap_to_best_known is None
    assert sk.check(sk.load(zero_bk), old_zero) == []


def test_a_wrong_value_is_a_finding_naming_the_new_definition(ft06_record) -> None:
    obj = ft06_record["objective"]
    forged = dict(ft06_record, gap_to_best_known=0.5)
    found = [v.message for v in sk.check(sk.load("ft06"), forged)]
    want = f"{(obj - 55) / 55:.10g}"
    assert found == [f"gap_to_best_known: recorded 0.5 but gap_to_best_known(objective "
                     f"{obj:.10g}, best_known 55) is {want}"]


def _solve_rows(capsys, *args: str) -> tuple[list[str], list[list[str]]]:
    code = main(["solve", *args])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("time limit ")  # the run's limits, above the table
    header = out[1].split()
    return header, [line.split() for line in out[3:]]


def test_the_solve_table_has_best_known_and_the_deviation(capsys, zero_bk) -> None:
    header, rows = _solve_rows(capsys, "ft06", "-m", "baseline")
    assert header == ["instance", "method", "status", "objective", "bound", "gap",
                      "best_known", "gap_to_bk", "time_s"]
    ((name, _, _, objective, _, _, best, dev, _),) = rows
    assert (name, best) == ("ft06", "55")
    assert dev == cell(float(objective), 55) and dev.endswith("%")
    _, rows = _solve_rows(capsys, zero_bk, "-m", "baseline")
    row = " ".join(rows[0])
    objective = float(rows[0][3])
    assert f"{cell(objective, 0)} " in row and "(bk 0)" in row


def test_the_bench_tables_use_the_same_cell(tmp_path, zero_bk) -> None:
    from schedkit import bench

    results = [sk.solve("ft06", "baseline"), sk.solve(zero_bk, "baseline")]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in results))
    text = bench.report(list(sk.read_results(path)))
    ft06, zero = results
    assert f"/ {cell(ft06.objective, 55)} /" in text
    assert f"/ {cell(zero.objective, 0)} /" in text and "(bk 0)" in text
