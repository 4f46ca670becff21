"""Result.schedule(): the per-task table of every family, on bundled instances with known
answers; the rows must reproduce the objective and the solution they come from."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

import schedkit as sk
from schedkit.instances.expert_placement.evaluate import gpu_loads
from tests.sequence_parallel.hand import hand_instance


def _machine_orders(rows: list[dict], resource: str, task: str) -> dict[int, list]:
    """The tasks of each resource in start order."""
    by: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by[row[resource]].append(row)
    return {r: [x[task] for x in sorted(xs, key=lambda x: x["start"])] for r, xs in by.items()}


def test_jobshop_rows_reproduce_the_ft06_optimum_and_the_machine_sequences() -> None:
    inst = sk.load("ft06")
    res = sk.solve(inst, "cpsat", time_limit=30)
    assert (res.status, res.objective) == ("optimal", 55.0)
    rows = res.schedule()  # ft06 is bundled: loaded by name
    assert len(rows) == 36
    assert [(r["job"], r["operation"]) for r in rows] == [(j, k) for j in range(6)
                                                          for k in range(6)]
    assert max(r["end"] for r in rows) == 55
    for r in rows:
        assert (r["machine"], r["duration"]) == inst.route(r["job"])[r["operation"]]
        assert r["end"] == r["start"] + r["duration"]
    # The rows are the solution: its start times, hence its machine sequences.
    start = [[0] * 6 for _ in range(6)]
    for r in rows:
        start[r["job"]][r["operation"]] = r["start"]
    assert start == [list(s) for s in res.solution["start"]]
    assert sk.evaluate(inst, {"start": start}).objective == 55
    flat = np.concatenate([np.asarray(s) for s in res.solution["start"]])
    job = np.repeat(np.arange(6), 6)
    for m, order in _machine_orders(rows, "machine", "job").items():
        on = np.flatnonzero(inst.op_machine == m)
        assert order == job[on[np.argsort(flat[on], kind="stable")]].tolist()
        spans = sorted((r["start"], r["end"]) for r in rows if r["machine"] == m)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_single_machine_rows_reproduce_the_wt40_1_optimum() -> None:
    inst = sk.load("wt40-1")
    res = sk.solve(inst, "ls", seed=0, options={"iterations": 200, "init": "edd"})
    assert res.objective == 913 == res.best_known
    rows = res.schedule(inst)
    assert [r["job"] for r in rows] == list(res.solution["sequence"])
    assert [r["position"] for r in rows] == list(range(40))
    assert sum(r["weight"] * r["tardiness"] for r in rows) == 913
    for r in rows:
        j = r["job"]
        assert (r["processing"], r["due"], r["weight"], r["release"]) == (
            inst.processing[j], inst.due[j], inst.weight[j], inst.release[j])
        assert r["end"] == r["start"] + r["processing"]
        assert r["lateness"] == r["end"] - r["due"]
        assert r["tardiness"] == max(0, r["lateness"])
    assert all(a["end"] <= b["start"] for a, b in zip(rows, rows[1:], strict=False))


def test_dag_rows_reproduce_heft_80_and_the_optimum_73_on_topcuoglu() -> None:
    inst = sk.load("topcuoglu2002")
    for method, expected in (("heft", 80.0), ("cpsat", 73.0)):
        res = sk.solve(inst, method, time_limit=30)
        assert res.objective == expected
        rows = res.schedule()
        assert [r["task"] for r in rows] == list(range(inst.n_tasks))
        assert max(r["end"] for r in rows) == pytest.approx(expected)
        assert [r["processor"] for r in rows] == list(res.solution["processor"])
        for r in rows:
            assert r["duration"] == inst.cost[r["task"], r["processor"]]
            assert r["end"] == pytest.approx(r["start"] + r["duration"])
        for p in range(inst.processors):
            spans = sorted((r["start"], r["end"]) for r in rows if r["processor"] == p)
            assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:], strict=False))


def test_expert_placement_rows_are_the_replicas_of_the_eplb_readme_plan() -> None:
    inst = sk.load("eplb-readme")
    res = sk.solve(inst, "eplb", options={"fix_defects": False})
    rows = res.schedule()
    L, G, S = inst.n_layers, inst.gpus, inst.slots_per_gpu
    assert len(rows) == L * G * S  # every slot holds one replica
    replicas = [[[] for _ in range(inst.n_experts)] for _ in range(L)]
    for r in rows:
        replicas[r["layer"]][r["expert"]].append(r["gpu"])
        assert r["node"] == r["gpu"] // inst.gpus_per_node
    assert replicas == [[list(g) for g in layer] for layer in res.solution["replicas"]]
    load = np.zeros((L, G))
    for r in rows:
        load[r["layer"], r["gpu"]] += r["load"]
    assert np.allclose(load, gpu_loads(inst, replicas))
    assert load.max(axis=1).sum() == pytest.approx(res.objective)
    # Each expert's replicas carry its whole load.
    served = np.zeros((L, inst.n_experts))
    for r in rows:
        served[r["layer"], r["expert"]] += r["load"]
    assert np.allclose(served, inst.load)


def test_sequence_parallel_rows_of_a_hand_plan() -> None:
    # 4 devices of 10 tokens; a sequence of s tokens on d devices takes s/d s, a group 10 s more.
    inst = hand_instance([40, 10, 10])
    plan = {"microbatches": [[{"devices": [0, 1, 2, 3], "sequences": [0]}],
                             [{"devices": [2], "sequences": [1]},
                              {"devices": [0, 1], "sequences": [2]}]]}
    assert sk.evaluate(inst, plan).objective == 20 + 20  # (10 + 40/4) + max(10 + 10, 10 + 5)
    assert sk.schedule(inst, plan) == [
        {"sequence": 0, "length": 40, "microbatch": 0, "group": 0, "degree": 4,
         "devices": [0, 1, 2, 3], "start": 0.0, "end": 20.0},
        {"sequence": 1, "length": 10, "microbatch": 1, "group": 0, "degree": 1,
         "devices": [2], "start": 20.0, "end": 40.0},
        {"sequence": 2, "length": 10, "microbatch": 1, "group": 1, "degree": 2,
         "devices": [0, 1], "start": 20.0, "end": 35.0},
    ]


def test_sequence_parallel_rows_of_a_hetsp_plan_reproduce_its_step_time() -> None:
    inst = sk.generate("sequence_parallel", preset="7b", sequences=12, devices=8, seed=1)
    res = sk.solve(inst, "hetsp", seed=0)
    rows = res.schedule(inst)
    assert sorted(r["sequence"] for r in rows) == list(range(12))
    assert max(r["end"] for r in rows) == pytest.approx(res.objective)
    for r in rows:
        assert r["degree"] == len(r["devices"]) and r["length"] == inst.lengths[r["sequence"]]


def test_schedule_refuses_what_it_cannot_read() -> None:
    inst = sk.JobShop.from_routes([[(0, 2), (1, 3)], [(1, 2), (0, 1)]], name="two")
    res = sk.solve(inst, "dispatch")
    with pytest.raises(sk.InputError, match="unknown instance 'two'.*pass the instance"):
        res.schedule()  # not bundled
    assert len(res.schedule(inst)) == 4
    with pytest.raises(sk.InputError, match="another instance than 'ft06'"):
        res.schedule(sk.load("ft06"))
    empty = sk.Result(problem="jobshop", instance="two", instance_sha256=res.instance_sha256,
                      method="dispatch", status="unknown")
    with pytest.raises(sk.InputError, match="no solution"):
        empty.schedule(inst)
    with pytest.raises(sk.InputError, match="infeasible solution: .*overlap"):
        sk.schedule(inst, {"start": [[0, 2], [1, 3]]})


def test_to_dataframe_of_a_schedule_and_of_a_results_file(tmp_path) -> None:
    pd = pytest.importorskip("pandas")
    inst = sk.load("ft06")
    runs = [sk.solve(inst, "dispatch", options={"rule": rule}) for rule in ("spt", "mwkr")]
    tasks = sk.to_dataframe(runs[0].schedule())
    assert list(tasks.columns) == ["job", "operation", "machine", "start", "end", "duration"]
    assert len(tasks) == 36 and tasks["end"].max() == runs[0].objective
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(r.to_json() + "\n" for r in runs))
    assert next(sk.read_results(path)).schedule() == runs[0].schedule()  # a record read back
    table = sk.to_dataframe(path)
    assert isinstance(table, pd.DataFrame)
    assert table["objective"].tolist() == [r.objective for r in runs]
    assert table["options.rule"].tolist() == ["spt", "mwkr"]
    assert "solution" not in table.columns and table["host.cores"].notna().all()
    # One Result alone gives its row of the file's table (whose extra columns, such as a
    # first run's Numba warm-up time, the other rows leave empty).
    single = sk.to_dataframe(runs[1]).iloc[0].to_dict()
    assert single == {k: table.iloc[1][k] for k in single}
    with pytest.raises(TypeError, match="results file, Results"):
        sk.to_dataframe([1, 2])


def test_to_dataframe_without_pandas_names_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)  # import pandas fails
    with pytest.raises(ImportError, match=r"needs pandas.*pip install pandas.*\[dataframe\]"):
        sk.to_dataframe([])
