"""bench.py: runs a suite, appends results, resumes without re-running, prints the tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


SUITE = """
name = "tiny"
instances = ["ft06", "wt40-51", "topcuoglu2002"]
methods = ["baseline", {name = "baseline", label = "baseline-again"}]
seeds = [0, 1]
[[generate]]
problem = "sequence_parallel"
seeds = [3]
shape = {sequences = 8}
"""


def test_run_resume_and_report(bench, tmp_path, capsys) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    out = tmp_path / "tiny.jsonl"
    assert bench.run_suite(suite, out) == 4 * 2 * 2
    lines = out.read_text().splitlines()
    assert len(lines) == 16
    assert bench.run_suite(suite, out) == 0  # resumable: nothing new
    assert len(out.read_text().splitlines()) == 16
    assert bench.main(["report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "### Per instance" in text and "### Per method" in text
    assert "| ft06" in text and "baseline-again" in text
    assert "absolute deviation" in text  # wt40-51 has best known 0


def test_smoke_suite_file_is_valid(bench) -> None:
    suite = bench.load_suite(ROOT / "suites" / "smoke.toml")
    assert len(suite["instances"]) >= 10
    problems = {i.problem for i in suite["instances"]}
    assert problems == {"jobshop", "single_machine", "dag", "expert_placement",
                        "sequence_parallel"}


@pytest.mark.parametrize(("text", "field"), [
    ("instances = ['ft06']\nmethods = []", "methods"),
    ("instances = ['ft06']\nmethods = ['baseline']\ncolour = 1", "colour"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = [-1]", "time_limits"),
    ("instances = ['ft06'\n", None),
])
def test_bad_suites_are_input_errors(bench, tmp_path, text, field) -> None:
    suite = tmp_path / "bad.toml"
    suite.write_text(text)
    with pytest.raises(bench.sk.InputError) as err:
        bench.load_suite(suite)
    assert str(suite) in str(err.value)
    if field:
        assert err.value.field == field


def test_shifted_geomean(bench) -> None:
    assert bench.shifted_geomean([0.0, 0.0]) == pytest.approx(0.0)
    assert bench.shifted_geomean([1.0, 3.0], shift=1.0) == pytest.approx(8 ** 0.5 - 1)
