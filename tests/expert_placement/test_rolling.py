"""The evaluation protocol: plan on window t, score on window t+1, with migration budgets."""

from pathlib import Path

import pytest

import schedkit as sk
from schedkit import rolling
from schedkit.instances import InputError
from schedkit.instances.evaluate import metrics


@pytest.fixture(scope="module")
def history():
    return sk.generate("expert_placement", layers=3, windows=4, drift=0.4, seed=7)


def test_replay_scores_each_plan_on_the_next_window(history) -> None:
    rows = rolling(history, ["baseline", "eplb"], seed=0)
    assert [(r["window"], r["method"]) for r in rows] == \
        [(t, m) for t in range(3) for m in ("baseline", "eplb")]
    for row in rows:
        assert row["status"] in ("feasible", "optimal")
        res = sk.solve(history.window(row["window"]), row["method"], seed=0)
        nxt = metrics(history.window(row["window"] + 1), res.solution)
        assert row["next"]["balancedness"] == pytest.approx(sum(nxt["balancedness"]) / 3)
        assert row["plan"]["max_load"] == pytest.approx(res.objective)
        assert 0 <= row["plan"]["gap"] < 1
        assert row["next"]["par"] >= 1.0
    # Without a budget the moves are counted, from the second window on.
    assert all(r["changed_slots"] == 0 for r in rows if r["window"] == 0)
    summary = {s["method"]: s for s in sk.summarise_rolling(rows)}
    assert summary["eplb"]["next_balancedness"] > summary["baseline"]["next_balancedness"]


@pytest.mark.parametrize("fraction", [0.0, 0.05])
def test_replay_keeps_the_migration_budget(history, fraction) -> None:
    rows = rolling(history, ["eplb"], seed=0, max_changed_fraction=fraction)
    cap = int(fraction * history.n_layers * history.slots)
    assert all(r["changed_slots"] <= cap for r in rows)
    if fraction == 0.0:
        assert all(r["next"] == rows[0]["next"] or r["window"] == 0 or r["changed_slots"] == 0
                   for r in rows)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"windows": [3]}, "window 3"), ({"max_changed_fraction": 1.5}, r"\[0, 1\]"),
])
def test_replay_refuses_bad_arguments(history, kwargs, match) -> None:
    with pytest.raises(InputError, match=match):
        rolling(history, ["baseline"], **kwargs)
    with pytest.raises(InputError, match="load history"):
        rolling(sk.load("eplb-readme"), ["baseline"])


def _main(capsys, *args: str) -> tuple[int, str, str]:
    from schedkit.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rolling_command_on_an_instance_and_on_a_loads_file(capsys, tmp_path, history) -> None:
    import json

    import numpy as np

    path = tmp_path / "h.json"
    sk.save(history, path)
    out = tmp_path / "rows.jsonl"
    code, text, err = _main(capsys, "rolling", str(path), "-m", "baseline", "-m", "eplb",
                            "--max-changed-fraction", "0.1", "--out", str(out))
    assert code == 0, err
    assert len(text.strip().splitlines()) == 2 + 3 * 2  # header, rule, 3 windows × 2 methods
    assert "eplb: next-window balancedness" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["method"] for r in rows] == ["baseline", "eplb"] * 3
    # --out - : the rows as JSON Lines on stdout, the table on stderr, no file named -
    code, text, err = _main(capsys, "rolling", str(path), "-m", "baseline", "-m", "eplb",
                            "--max-changed-fraction", "0.1", "--out", "-")
    assert code == 0, err
    def timeless(rs: list[dict]) -> list[dict]:  # planner_s is a measured time
        return [{k: v for k, v in r.items() if k != "planner_s"} for r in rs]

    assert timeless([json.loads(line) for line in text.splitlines()]) == timeless(rows)
    assert err.splitlines()[0].split()[:3] == ["window", "method", "status"]
    assert not (Path.cwd() / "-").exists()
    npy = tmp_path / "h.npy"
    np.save(npy, history.history)
    code, text, err = _main(capsys, "rolling", str(npy), "-m", "eplb", "--replicas",
                            str(history.slots), "--gpus", str(history.gpus), "--nodes",
                            str(history.gpus // history.gpus_per_node))
    assert code == 0, err
    assert len(text.strip().splitlines()) == 2 + 3


@pytest.mark.parametrize(("args", "field"), [
    (["eplb-readme", "-m", "eplb"], "history"),
    (["ft06", "-m", "eplb"], "source"),
    (["H", "-m", "eplb", "--replicas", "24"], "--gpus"),
    (["H", "-m", "nope"], "nope"),
    (["H", "-m", "eplb", "--max-changed-fraction", "2"], "--max-changed-fraction"),
    (["H", "-m", "eplb", "--max-changed-layers", "-1"], "--max-changed-layers"),
])
def test_rolling_command_bad_input_is_one_line(capsys, tmp_path, history, args, field) -> None:
    path = tmp_path / "h.json"
    sk.save(history, path)
    code, text, err = _main(capsys, "rolling", *[str(path) if a == "H" else a for a in args])
    assert code == 2 and field in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and text == ""
