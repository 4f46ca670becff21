"""The bundled catalogue: names, counts, bounds, and loading every entry."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from schedkit.instances import PROBLEMS, Instance
from schedkit.instances.catalogue import CatalogueEntry, catalogue, load
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import FORMATS


def test_every_bundled_name_loads() -> None:
    entries = catalogue()
    start = time.perf_counter()
    for entry in entries:
        inst = load(entry.name)
        assert isinstance(inst, Instance)
        assert inst.name == entry.name and inst.problem == entry.problem
        assert inst.meta["family"] == entry.family
        assert inst.meta["source_file"] == entry.path and inst.meta["license"]
        if inst.bounds is not None and None not in (inst.bounds.lower, inst.bounds.upper):
            assert inst.bounds.lower <= inst.bounds.upper
    assert time.perf_counter() - start < 20


def test_families_and_counts() -> None:
    counts = Counter(e.family for e in catalogue())
    assert counts == {"ft": 3, "la": 40, "abz": 5, "orb": 10, "swv": 20, "yn": 4, "ta": 80,
                      "wt40": 125, "wt100": 125, "stg50": 30, "stg100": 20, "wfcommons": 8,
                      "heft-example": 1, "moe": 2}
    names = [e.name for e in catalogue()]
    assert len(names) == len(set(names)) == 473
    for entry in catalogue():
        assert entry.format in FORMATS and entry.problem in PROBLEMS
        assert (data_dir() / entry.path).is_file() and entry.full_path.is_file()


def test_names() -> None:
    names = {e.name for e in catalogue()}
    for name in ("ft06", "la01", "abz5", "orb01", "swv01", "yn1", "ta01", "ta80", "wt40-1",
                 "wt40-125", "wt100-1", "wt100-125", "stg50-0000", "stg100-0019",
                 "wf-blast-small", "wf-montage", "topcuoglu2002", "eplb-readme", "flashlb-pr"):
        assert name in names
    for name in ("ta01js", "wt40-0", "wt40-126", "ta81", "stg50-0030"):
        assert name not in names


def test_catalogue_is_fast_and_filtered() -> None:
    start = time.perf_counter()
    dags = catalogue("dag")
    assert time.perf_counter() - start < 1.0
    assert {e.problem for e in dags} == {"dag"} and len(dags) == 59
    assert len(catalogue("single_machine")) == 250
    assert catalogue("sequence_parallel") == []
    with pytest.raises(InputError, match="unknown problem"):
        catalogue("flowshop")


def test_jobshop_bounds_from_bks() -> None:
    ft06 = load("ft06")
    assert (ft06.bounds.lower, ft06.bounds.upper) == (55, 55)
    assert ft06.bounds.source == "ScheduleOpt/benchmarks JSPLib bks.json (CC BY-SA 4.0)"
    assert load("la01").bounds.optimum == 666
    ta40 = load("ta40")
    assert (ta40.bounds.lower, ta40.bounds.upper) == (1658, 1669)
    assert ta40.meta["source_file"] == "jobshop/standard/ta40js.txt"
    assert "CC BY-SA 4.0" in ta40.meta["license"]


def test_other_families() -> None:
    wt = load("wt40-1")
    assert wt.n_jobs == 40 and wt.bounds.upper == 913
    stg = load("stg50-0000")
    assert stg.processors == 4 and stg.n_tasks == 50 and stg.bounds.optimum == 66
    stg8 = load("stg50-0000", processors=8)
    assert stg8.processors == 8 and stg8.bounds.optimum == 55
    heft = load("topcuoglu2002")
    assert heft.n_tasks == 10 and heft.bounds.optimum == 73
    wf = load("wf-montage", processors=2, ccr=0.5)
    assert wf.processors == 2 and wf.meta["ccr"] == pytest.approx(0.5)
    assert load("eplb-readme").bounds.optimum == 308


def test_unknown_names() -> None:
    for ref in ("xyz", "ta01js", "wt40-126", ""):
        with pytest.raises(InputError) as info:
            load(ref)
        assert str(info.value) == (f"unknown instance '{ref}' (not a file, not a bundled "
                                   f"name; `schedkit list` shows them; bundled data read from "
                                   f"{data_dir()}; set $SCHEDKIT_DATA to use another folder)")


def test_load_file_path(tmp_path: Path) -> None:
    src = data_dir() / "jobshop/standard/ft06.txt"
    assert load(src).data_dict() == load("ft06").data_dict()
    copy = tmp_path / "mine.txt"
    shutil.copy(src, copy)
    inst = load(str(copy))
    assert inst.name == "mine" and inst.bounds is None


def test_bad_options_for_bundled() -> None:
    with pytest.raises(InputError) as info:
        load("ft06", processors=4)
    assert info.value.field == "options.processors"
    assert str(info.value).startswith("ft06: options.processors: unknown option")
    with pytest.raises(InputError, match="fixed by the bundled name"):
        load("wt40-3", instance=4)
    assert load("wt40-3", instance=3).name == "wt40-3"
    with pytest.raises(InputError, match="in format 'jobshop', not 'stg'"):
        load("ft06", format="stg")
    with pytest.raises(InputError, match="unknown format"):
        load("ft06", format="xml")
    assert load("ft06", format="jobshop").name == "ft06"


def test_entry_is_frozen_and_hashable() -> None:
    entry = catalogue()[0]
    assert isinstance(entry, CatalogueEntry)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.name = "x"  # type: ignore[misc]
    assert len({hash(e) for e in catalogue()}) == len(catalogue())


def test_other_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "jobshop/standard").mkdir(parents=True)
    shutil.copy(data_dir() / "jobshop/standard/ft06.txt", tmp_path / "jobshop/standard")
    monkeypatch.setenv("SCHEDKIT_DATA", str(tmp_path))
    assert [e.name for e in catalogue()] == ["ft06"]
    inst = load("ft06")
    assert inst.bounds is None and inst.n_jobs == 6  # no bks.json there
    with pytest.raises(InputError, match="unknown instance 'la01'"):
        load("la01")


def _pickle_round_trips(obj: object) -> list[object]:
    """``obj`` through pickle as multiprocessing (protocol 4) and as Dask (protocol 5 with
    out-of-band buffers, which come back as writeable memory) send it."""
    import pickle

    buffers: list[pickle.PickleBuffer] = []
    dumped = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    return [pickle.loads(pickle.dumps(obj, protocol=4)),
            pickle.loads(dumped, buffers=[bytearray(b.raw()) for b in buffers])]


@pytest.mark.parametrize("name", ["ft06", "wt40-1", "topcuoglu2002", "eplb-readme"])
def test_an_unpickled_instance_keeps_its_arrays_read_only(name: str) -> None:
    """Runs on Dask get their instance by pickle: its arrays must keep the type the kernels
    were compiled for (a writeable array is another Numba type: a compile inside a run)."""
    import numba
    import numpy as np

    inst = load(name)
    arrays = {k: v for k, v in vars(inst).items() if isinstance(v, np.ndarray)}
    assert arrays and not any(a.flags.writeable for a in arrays.values())
    for back in _pickle_round_trips(inst):
        assert back == inst
        for key, arr in arrays.items():
            assert not getattr(back, key).flags.writeable, key
            assert numba.typeof(getattr(back, key)) == numba.typeof(arr), key
