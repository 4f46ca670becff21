"""``schedkit rebalance``: loads in, EPLB's plan arrays out, in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from schedkit.cli import cli, main
from schedkit.instances.expert_placement.plan import from_eplb_arrays, read_plan

README_WEIGHT = [[90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
                 [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27]]
README_PHY2LOG = [[5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
                  [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1]]
README_FLAGS = ["--replicas", "16", "--gpus", "8", "--nodes", "2", "--groups", "4"]


@pytest.fixture
def loads(tmp_path: Path) -> Path:
    path = tmp_path / "loads.json"
    path.write_text(json.dumps({"weight": README_WEIGHT}))
    return path


@pytest.mark.parametrize("suffix", [".json", ".npz", ".npy"])
def test_one_line_call_writes_eplbs_plan(tmp_path: Path, loads: Path, suffix: str) -> None:
    out = tmp_path / f"plan{suffix}"
    result = CliRunner().invoke(cli, ["rebalance", str(loads), *README_FLAGS, "--method", "eplb",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2].split()[:3] == ["0", "156", "0.8277"]
    assert lines[3].split()[:3] == ["1", "179.5", "0.8050"]
    assert lines[4].split()[:2] == ["total", "335.5"]
    assert "eplb feasible" in lines[5]
    plan = read_plan(out)
    # The same replicas on every GPU as EPLB's README plan (slots on a GPU by expert id).
    assert from_eplb_arrays(plan.phy2log, 8) == from_eplb_arrays(README_PHY2LOG, 8)


def test_history_window_previous_plan_and_budget(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    rows = ["window,layer," + ",".join(f"e{i}" for i in range(12))]
    for t, scale in enumerate((1.0, 2.0)):
        for layer, w in enumerate(README_WEIGHT):
            rows.append(f"{t},{layer}," + ",".join(str(x * scale if t else x) for x in w))
    history.write_text("\n".join(rows) + "\n")
    runner = CliRunner()
    first = tmp_path / "first.json"
    done = runner.invoke(cli, ["rebalance", str(history), *README_FLAGS, "-m", "eplb",
                               "--window", "0", "--out", str(first)])
    assert done.exit_code == 0, done.output
    assert "window 0 of 2" in done.output
    second = tmp_path / "second.npz"
    done = runner.invoke(cli, ["rebalance", str(history), "--replicas", "16", "--gpus", "8",
                               "-m", "eplb", "--option", "fix_defects=true", "--previous",
                               str(first), "--max-changed-slots", "4", "--out", str(second)])
    assert done.exit_code == 0, done.output
    total = [line for line in done.output.splitlines() if line.startswith("total")][0]
    assert int(total.split()[-1]) <= 4
    old, new = read_plan(first).phy2log, read_plan(second).phy2log
    assert int((old != new).sum()) == int(total.split()[-1])  # stayers keep their slot


def test_baseline_method(tmp_path: Path, loads: Path) -> None:
    out = tmp_path / "p.json"
    done = CliRunner().invoke(cli, ["rebalance", str(loads), "--replicas", "16", "--gpus",
                                    "8", "--method", "baseline", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert np.array_equal(read_plan(out).logcnt.sum(axis=1), [16, 16])


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BAD = [
    (["--replicas", "15", "--gpus", "8"], "--replicas"),
    (["--replicas", "16", "--gpus", "8", "--nodes", "3"], "--nodes"),
    (["--replicas", "16", "--gpus", "8", "--groups", "5"], "--groups"),
    (["--replicas", "16", "--gpus", "8", "--window", "3"], "--window"),
    (["--replicas", "16", "--gpus", "8", "--max-changed-slots", "3"], "--previous"),
    (["--replicas", "16", "--gpus", "8", "--option", "fix_defects=maybe", "-m", "eplb"],
     "option fix_defects"),
    (["--replicas", "16", "--gpus", "8", "-m", "nope"], "method"),
    (["--replicas", "16", "--gpus", "8", "-m", "eplb", "--option", "policy=hierarchical"],
     "option policy"),
    (["--replicas", "104", "--gpus", "8"], "--replicas"),
]


@pytest.mark.parametrize(("flags", "field"), BAD, ids=[b[1] for b in BAD])
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         loads: Path, flags: list[str], field: str) -> None:
    code, _, err = _main(capsys, "rebalance", str(loads), *flags, "--out",
                         str(tmp_path / "p.json"))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert field in err
    assert not (tmp_path / "p.json").exists()


def test_bad_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                          loads: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3\n")
    code, _, err = _main(capsys, "rebalance", str(bad), "--replicas", "4", "--gpus", "2",
                         "--out", str(tmp_path / "p.json"))
    assert code == 2 and "bad.csv:2" in err and len(err.strip().splitlines()) == 1
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"phy2log": [[0, 1]]}))
    code, _, err = _main(capsys, "rebalance", str(loads), *README_FLAGS, "--previous", str(old),
                         "--out", str(tmp_path / "p.json"))
    assert code == 2 and "--previous" in err
    code, _, err = _main(capsys, "rebalance", str(loads), *README_FLAGS, "-m", "eplb",
                         "--out", str(tmp_path / "p.txt"))
    assert code == 2 and "--out" in err and ".txt" in err


def test_eplbs_defect_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path, loads: Path) -> None:
    code, _, err = _main(capsys, "rebalance", str(loads), "--replicas", "16", "--gpus", "8",
                         "-m", "eplb", "--option", "fix_defects=false",
                         "--out", str(tmp_path / "p.json"))
    assert code == 1 and "EPLB issue #22" in err and "Traceback" not in err
    assert not (tmp_path / "p.json").exists()
