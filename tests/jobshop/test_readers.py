"""Job-shop readers and writers: the standard and Taillard formats."""

from __future__ import annotations

from pathlib import Path

from schedkit.instances import JobShop
from schedkit.instances.catalogue import load
from schedkit.instances.datadir import data_dir
from schedkit.instances.readers import read, write

from ..cases import DATA


def test_ft06_standard_format() -> None:
    inst = read(data_dir() / "jobshop/standard/ft06.txt")
    assert isinstance(inst, JobShop)
    assert (inst.n_jobs, inst.machines) == (6, 6)
    assert inst.route(0)[0] == (2, 1)
    assert inst.name == "ft06" and inst.objective == "makespan"


def test_ta01_taillard_round_trip_equals_standard(tmp_path: Path) -> None:
    ta01 = load("ta01")
    out = tmp_path / "ta01.txt"
    write(ta01, out, format="taillard")
    assert out.read_text().startswith("Nb of jobs")
    back = read(out)  # detected as taillard
    assert back.meta["format"] == "taillard"
    assert back.data_dict() == ta01.data_dict()


def test_taillard_header_bounds_and_instances() -> None:
    first = read(DATA / "tai3x3.txt")
    assert first.name == "tai3x3-1"
    assert first.route(1) == [(2, 2), (0, 6), (1, 1)]
    assert (first.bounds.lower, first.bounds.upper) == (15, 20)
    second = read(DATA / "tai3x3.txt", instance=2)
    assert (second.n_jobs, second.machines) == (2, 2)
    assert second.route(0) == [(1, 3), (0, 4)]
    assert second.bounds.optimum == 11


def test_jobshop_round_trip(tmp_path: Path) -> None:
    for name in ("ft06", "abz7", "ta80"):
        inst = load(name)
        out = tmp_path / f"{name}.txt"
        write(inst, out)
        back = read(out)
        assert back.meta["format"] == "jobshop" and back.data_dict() == inst.data_dict()
