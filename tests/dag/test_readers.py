"""DAG readers and writers: STG, the HEFT example, and WfCommons workflows."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedkit.instances import DAG
from schedkit.instances.catalogue import load
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import read, write

from ..cases import DATA, write_file


def test_stg50_0000() -> None:
    path = data_dir() / "dag/stg/50/rand0000.stg"
    inst = read(path)
    assert isinstance(inst, DAG)
    assert inst.name == "stg50-0000"
    assert (inst.n_tasks, inst.processors) == (50, 4)
    assert inst.identical() and not inst.edge_data.any()
    assert (inst.bounds.lower, inst.bounds.upper) == (66, 66)  # 50/rand0000.stg,50,4,66,66
    assert "stg_rnc_50_100_optimal.csv" in inst.bounds.source
    assert read(path, processors=8).bounds.optimum == 55
    assert read(path, processors=3).bounds is None  # no row for 3 processors


def test_stg_bounds_tightened_by_cpsat_rows() -> None:
    inst = read(data_dir() / "dag/stg/50/rand0009.stg", processors=4)
    # table: 132..134 (bounds); cpsat_closed_bounds.csv closes it at 134
    assert (inst.bounds.lower, inst.bounds.upper) == (134, 134)
    assert "cpsat_closed_bounds.csv" in inst.bounds.source


def test_stg_small_fixture_drops_dummies() -> None:
    inst = read(DATA / "small.stg", processors=2)
    assert inst.cost[:, 0].tolist() == [2, 3, 4, 1]
    assert inst.edges.tolist() == [[0, 1], [0, 2], [1, 3], [2, 3]]


def test_topcuoglu_example() -> None:
    inst = read(data_dir() / "dag/canonical/topcuoglu2002_10task.json")
    assert (inst.n_tasks, inst.processors, inst.edges.shape[0]) == (10, 3, 15)
    assert inst.bounds.optimum == 73
    assert inst.cost[0].tolist() == [14, 16, 9]
    assert inst.edge_data[0] == 18 and inst.bandwidth == 1 and inst.latency == 0


def test_wfcommons_diamond() -> None:
    inst = read(DATA / "tiny_wf.json", ccr=2.0)
    assert inst.edges.tolist() == [[0, 1], [0, 2], [1, 3], [2, 3]]
    assert inst.edge_data.tolist() == [1000, 4000, 200, 0]
    assert inst.cost[:, 0].tolist() == [1500, 2000, 250, 1]  # ms, minimum 1
    mean_comm = inst.edge_data.mean() / inst.bandwidth
    assert mean_comm / inst.cost.mean() == pytest.approx(2.0)
    assert inst.meta["time_scale"] == 1000 and inst.meta["ccr"] == pytest.approx(2.0)
    fixed = read(DATA / "tiny_wf.json", bandwidth=10, speeds=[1, 2], time_scale=10)
    assert fixed.processors == 2 and fixed.bandwidth == 10
    assert fixed.cost.tolist() == [[15, 8], [20, 10], [3, 1], [1, 1]]  # half rounds up


def test_wfcommons_old_layout_matches_new() -> None:
    new = read(DATA / "tiny_wf.json")
    old = read(DATA / "tiny_wf_v14.json")
    assert old.data_dict() == new.data_dict()


def test_wfcommons_heterogeneity_is_seeded() -> None:
    path = data_dir() / "dag/wfcommons/helloworld-chain-5-chameleon.json"
    a = read(path, heterogeneity=0.5, seed=3, processors=3)
    b = read(path, heterogeneity="0.5", seed="3", processors="3")  # CLI-style strings
    assert a == b
    assert all(0.75 <= s <= 1.25 for s in a.meta["speeds"])
    assert a.edge_data.tolist() == [16666667] * 4
    assert not a.identical()


def test_stg_round_trip(tmp_path: Path) -> None:
    inst = load("stg100-0003")
    out = tmp_path / "g.stg"
    write(inst, out)
    back = read(out)
    assert back.data_dict() == inst.data_dict()
    # written in the published fixed-width layout: the original file's task lines come back
    original = (data_dir() / "dag/stg/100/rand0003.stg").read_text().split("\n")
    assert out.read_text().split("\n")[:3] == original[:3]


# --- announced sizes, options that create the cost matrix, caps -----------------------------------
def test_stg_header_must_fit_the_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "g.stg", "1000000000000\n0 0 0\n1 2 1 0\n")
    with pytest.raises(InputError, match="announces n = 1000000000000") as err:
        read(path)
    assert (err.value.line, err.value.field) == (3, "tasks[2]")


def test_stg_processors_option_is_capped() -> None:
    with pytest.raises(InputError) as err:
        read(DATA / "small.stg", processors=10**8)
    assert err.value.field == "options.processors" and "size cap" in str(err.value)


def test_wfcommons_runtime_overflow_names_the_runtime(tmp_path: Path) -> None:
    import json

    doc = json.loads((DATA / "tiny_wf.json").read_text())
    doc["workflow"]["execution"]["tasks"][1]["runtimeInSeconds"] = 1e300
    path = write_file(tmp_path, "w.json", json.dumps(doc))
    with pytest.raises(InputError) as err:
        read(path)
    assert err.value.field == "workflow.execution.tasks[1].runtimeInSeconds"
    assert "above the cap 1e+300" in str(err.value)
    doc["workflow"]["execution"]["tasks"][1]["runtimeInSeconds"] = 1e290
    write_file(tmp_path, "w.json", json.dumps(doc))
    assert read(path).cost.max() == pytest.approx(1e293)  # finite, below the cap: accepted


@pytest.mark.parametrize(("options", "field"), [
    ({"processors": 10**9}, "options.processors"),
    ({"processors": 10**7}, "options.processors"),
    ({"speeds": [1.0, float("inf")]}, "options.speeds[1]"),
    ({"time_scale": float("nan")}, "options.time_scale"),
    ({"bandwidth": 1e-300}, "data.edges["),
])
def test_wfcommons_options_are_capped(options, field) -> None:
    with pytest.raises(InputError) as err:
        read(DATA / "tiny_wf.json", **options)
    assert err.value.field.startswith(field), err.value


def test_heft_example_cap_names_exec_time(tmp_path: Path) -> None:
    import json

    doc = json.loads((data_dir() / "dag/canonical/topcuoglu2002_10task.json").read_text())
    doc["exec_time"][3] = [1e300, 1e300, 1e300]
    doc["exec_time"][4] = [1e300, 1e300, 1e300]
    with pytest.raises(InputError) as err:
        read(write_file(tmp_path, "h.json", json.dumps(doc)))
    assert err.value.field == "exec_time[3][0]"


def test_bundled_dags_load_under_the_caps() -> None:
    from schedkit.instances.catalogue import catalogue

    names = [e.name for e in catalogue("dag")]
    for name in names[::5] + [n for n in names if n.startswith(("wf-", "topcuoglu"))]:
        assert load(name).n_tasks >= 1
