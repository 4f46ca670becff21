"""Interchange with serving engines: EPLB's plan arrays and expert-load files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.expert_placement.eplb import rebalance_experts
from schedkit.instances import ExpertPlacement, InputError
from schedkit.instances.expert_placement.evaluate import changed_slots
from schedkit.instances.expert_placement.plan import (
    Geometry,
    Plan,
    check_plan,
    from_eplb_arrays,
    read_loads,
    read_plan,
    to_eplb_arrays,
    write_plan,
)

README_PHY2LOG = [[5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
                  [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1]]


def _solution(result: sk.Result) -> dict[str, Any]:
    assert result.solution is not None, result.stop_detail
    return dict(result.solution)


def _random_phy2log(rng: np.random.Generator, L: int, E: int, G: int, S: int) -> np.ndarray:
    """Random plans: every expert once, the other slots random (duplicates on a GPU allowed)."""
    out = []
    for _ in range(L):
        row = np.concatenate([np.arange(E), rng.integers(0, E, size=G * S - E)])
        out.append(rng.permutation(row))
    return np.array(out, dtype=np.int64)


PLANS = [np.array(README_PHY2LOG),
         rebalance_experts([[600, 560, 120, 120, 20, 10, 10, 10]], 16, 1, 1, 8).phy2log,
         *(_random_phy2log(np.random.default_rng(s), 3, 10, 4, 4) for s in range(3))]
GPUS = [8, 8, 4, 4, 4]


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("phy2log", "gpus"), list(zip(PLANS, GPUS, strict=True)))
def test_phy2log_solution_phy2log_is_exact_with_the_old_plan(phy2log: np.ndarray,
                                                             gpus: int) -> None:
    solution = from_eplb_arrays(phy2log, gpus)
    geometry = Geometry(gpus, phy2log.shape[1] // gpus)
    back = to_eplb_arrays(geometry, solution, old_phy2log=phy2log)
    assert back.phy2log.dtype == np.int64
    np.testing.assert_array_equal(back.phy2log, phy2log)
    for a, b in zip(back, check_plan(phy2log), strict=True):
        np.testing.assert_array_equal(a, b)
    # Without the old plan the GPUs hold the same experts, by id.
    plain = to_eplb_arrays(geometry, solution)
    assert from_eplb_arrays(plain.phy2log, gpus) == solution


@pytest.mark.parametrize("suffix", [".json", ".npz", ".npy"])
@pytest.mark.parametrize(("phy2log", "gpus"), list(zip(PLANS, GPUS, strict=True)))
def test_plan_files_round_trip_exactly(tmp_path: Path, suffix: str, phy2log: np.ndarray,
                                       gpus: int) -> None:
    plan = check_plan(phy2log)
    path = write_plan(tmp_path / f"plan{suffix}", plan)
    back = read_plan(path, num_experts=plan.logcnt.shape[1])
    for a, b in zip(back, plan, strict=True):
        assert a.dtype == np.int64
        np.testing.assert_array_equal(a, b)


def test_eplb_rank_ordered_log2phy_is_accepted(tmp_path: Path) -> None:
    plan = check_plan(README_PHY2LOG)
    l2p = plan.log2phy.copy()
    l2p[0, 5, :2] = l2p[0, 5, [1, 0]]  # expert 5's slots in the other order
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"phy2log": README_PHY2LOG, "log2phy": l2p.tolist(),
                                "logcnt": plan.logcnt.tolist()}))
    np.testing.assert_array_equal(read_plan(path).log2phy, l2p)  # kept as stored


def test_experts_that_stay_keep_their_slot() -> None:
    inst = sk.load("eplb-readme")
    assert isinstance(inst, ExpertPlacement)
    old = np.array(README_PHY2LOG)
    new = _solution(sk.solve(inst, "eplb", options={"policy": "global", "fix_defects": True}))
    arrays = to_eplb_arrays(inst, new, old_phy2log=old)
    moved = ExpertPlacement(gpus=8, gpus_per_node=4, slots_per_gpu=2, load=inst.load, groups=3,
                            previous=old)
    # slot-level changes = the evaluator's count (an expert that stays keeps its slot)
    assert (arrays.phy2log != old).sum(axis=1).tolist() == \
        changed_slots(moved, new["replicas"]).tolist()
    assert from_eplb_arrays(arrays.phy2log, 8) == new


def test_to_eplb_arrays_checks_the_solution() -> None:
    inst = sk.load("flashlb-pr")
    good = _solution(sk.solve(inst, "baseline"))
    bad = {"replicas": [[list(g) for g in good["replicas"][0]]]}
    bad["replicas"][0][0].append(bad["replicas"][0][1][0])
    with pytest.raises(InputError, match=r"solution.replicas\[0\].*holds 3 replicas"):
        to_eplb_arrays(inst, bad)
    with pytest.raises(InputError, match="old_phy2log"):
        to_eplb_arrays(inst, good, old_phy2log=[[0, 1]])
    with pytest.raises(InputError, match="geometry"):
        to_eplb_arrays("nope", good)


def test_plan_arrays_are_checked_against_each_other(tmp_path: Path) -> None:
    plan = check_plan(README_PHY2LOG)
    cnt = plan.logcnt.copy()
    cnt[1, 3] += 1
    with pytest.raises(InputError, match=r"logcnt\[1\]\[3\]"):
        check_plan(README_PHY2LOG, plan.log2phy, cnt)
    l2p = plan.log2phy.copy()
    l2p[0, 0, 0] = 3
    with pytest.raises(InputError, match=r"log2phy\[0\]\[0\]"):
        check_plan(README_PHY2LOG, l2p, plan.logcnt)
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"phy2log": README_PHY2LOG, "extra": 1}))
    with pytest.raises(InputError, match=r"p\.json: extra: unknown field"):
        read_plan(path)
    path.write_text(json.dumps({"phy2log": [[0, -1]]}))
    with pytest.raises(InputError, match=r"p\.json: phy2log\[0\]\[1\]"):
        read_plan(path)
    with pytest.raises(InputError, match="unknown plan file type"):
        write_plan(tmp_path / "p.txt", plan)
    assert isinstance(read_plan(write_plan(tmp_path / "q.json", plan)), Plan)


# -- load files ----------------------------------------------------------------------------------
LOADS = [[1, 2, 3], [4, 5, 6.5]]
HISTORY = [LOADS, [[0, 0, 1], [2, 2, 2]]]

GOOD = [
    ("a.json", json.dumps(LOADS), LOADS),
    ("b.json", json.dumps({"load": LOADS, "model": "x"}), LOADS),
    ("c.json", json.dumps({"weight": HISTORY}), HISTORY),
    ("d.csv", "1,2,3\n4,5,6.5\n", LOADS),
    ("e.csv", "# loads\ne0,e1,e2\n1,2,3\n\n4,5,6.5\n", LOADS),
    ("f.csv", "layer,e0,e1,e2\n0,1,2,3\n1,4,5,6.5\n", LOADS),
    ("g.csv", "window,e0,e1,e2\n7,1,2,3\n7,4,5,6.5\n8,0,0,1\n8,2,2,2\n", HISTORY),
    ("h.csv", "window,layer,a,b,c\n0,0,1,2,3\n0,1,4,5,6.5\n1,0,0,0,1\n1,1,2,2,2\n", HISTORY),
]


@pytest.mark.parametrize(("name", "text", "want"), GOOD, ids=[g[0] for g in GOOD])
def test_read_loads_formats(tmp_path: Path, name: str, text: str, want: list) -> None:
    path = tmp_path / name
    path.write_text(text)
    got = read_loads(path)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array(want, dtype=float))


@pytest.mark.parametrize("want", [LOADS, HISTORY])
def test_read_loads_npy(tmp_path: Path, want: list) -> None:
    path = tmp_path / "w.npy"
    np.save(path, np.array(want, dtype=np.float32))
    np.testing.assert_array_equal(read_loads(path), np.array(want, dtype=float))


BAD = [  # (file, content, what the message must name)
    ("w.json", "[[1, 2], [3]]", ["w.json", "load", "rectangular"]),
    ("w.json", "[[1, -2]]", ["w.json", "load[0][1]", ">= 0"]),
    ("w.json", "[[1, 2],\n [3, NaN]]", ["w.json:2"]),
    ("w.json", '{"loads": [[1]]}', ["w.json", "load", "weight"]),
    ("w.json", '{"load": [[1]], "weight": [[1]]}', ["w.json", "exactly one"]),
    ("w.json", "[1, 2, 3]", ["w.json", "load", "[layers][experts]"]),
    ("w.json", "[[]]", ["w.json", "load", "empty"]),
    ("w.json", '[["a"]]', ["w.json", "load[0][0]"]),
    ("w.csv", "1,2,3\n4,5\n", ["w.csv:2", "expected 3 cells"]),
    ("w.csv", "e0,e1\n1,2\n3,x\n", ["w.csv:3", "e1", "number"]),
    ("w.csv", "1,2\n3,-1\n", ["w.csv:2", "column 2", ">= 0"]),
    ("w.csv", "1,inf\n", ["w.csv:1", "finite"]),
    ("w.csv", "layer,a\n0,1\n2,1\n", ["w.csv:3", "layer", "expected layer 1"]),
    ("w.csv", "window,a\n0,1\n1,1\n0,2\n", ["w.csv:4", "window", "again"]),
    ("w.csv", "window,a\n0,1\n0,1\n1,2\n", ["w.csv", "window", "layers"]),
    ("w.csv", "# nothing\n", ["w.csv", "empty"]),
    ("w.csv", "a,b\n", ["w.csv", "no rows"]),
    ("w.npy", "not numpy", ["w.npy", "not a numpy .npy file"]),
    ("w.txt", "1,2", ["w.txt", "unknown load file type"]),
]


@pytest.mark.parametrize(("name", "text", "parts"), BAD, ids=[f"{b[0]}-{i}"
                                                             for i, b in enumerate(BAD)])
def test_bad_load_files_name_file_line_and_field(tmp_path: Path, name: str, text: str,
                                                 parts: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_loads(path)
    message = str(err.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message


def test_bad_npy_arrays(tmp_path: Path) -> None:
    path = tmp_path / "w.npy"
    np.save(path, np.array([[1.0, np.nan]]))
    with pytest.raises(InputError, match=r"w\.npy: load\[0\]\[1\]"):
        read_loads(path)
    np.save(path, np.array([1.0, 2.0]))
    with pytest.raises(InputError, match=r"w\.npy: load"):
        read_loads(path)
    np.save(path, np.array([[1, None]], dtype=object))
    with pytest.raises(InputError, match=r"w\.npy: holds Python objects"):
        read_loads(path)
    with pytest.raises(InputError, match="cannot read"):
        read_loads(tmp_path / "missing.json")
