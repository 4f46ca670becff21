"""Job-shop readers and writers: the standard and Taillard formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedkit.instances import JobShop
from schedkit.instances.catalogue import catalogue, load
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import read, write

from ..cases import DATA, write_file


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


# --- the Taillard permutation rule, header sizes, caps --------------------------------------------
TA2 = "2 3\n1 2 3\n4 5 6\n{row0}\n{row1}\n"


def test_taillard_machine_rows_must_be_permutations(tmp_path: Path) -> None:
    good = write_file(tmp_path, "ok.txt", TA2.format(row0="3 1 2", row1="1 2 3"))
    assert read(good, format="taillard").route(0) == [(2, 1), (0, 2), (1, 3)]
    bad = write_file(tmp_path, "bad.txt", TA2.format(row0="3 1 2", row1="1 3 3"))
    with pytest.raises(InputError) as info:
        read(bad, format="taillard")
    err = info.value
    assert (err.line, err.field) == (5, "jobs[1].operations[2].machine")
    assert "machine 3 appears twice" in str(err) and "machine 2 not at all" in str(err)


def test_standard_format_accepts_a_repeated_machine(tmp_path: Path) -> None:
    # Beasley's format lists "the machine number and processing time for each step": it does not
    # require a permutation, so recirculation (a job visiting a machine twice) is read.
    inst = read(write_file(tmp_path, "re.txt", "1 2\n0 3 0 4\n"), format="jobshop")
    assert inst.route(0) == [(0, 3), (0, 4)]


def test_taillard_writer_refuses_a_repeated_machine(tmp_path: Path) -> None:
    inst = JobShop.from_routes([[(0, 3), (0, 4)], [(1, 1), (0, 2)]], machines=2)
    with pytest.raises(InputError, match="exactly once"):
        write(inst, tmp_path / "x.txt", format="taillard")
    write(inst, tmp_path / "x.txt", format="jobshop")  # the standard format holds it
    assert read(tmp_path / "x.txt").data_dict() == inst.data_dict()


def test_header_announcing_more_jobs_than_the_file_holds(tmp_path: Path) -> None:
    for fmt, text in (("jobshop", "10000000000000 2\n0 1 1 1\n"),
                      ("taillard", "10000000000000 2\n1 1\n")):
        with pytest.raises(InputError, match="announces 10000000000000 jobs") as info:
            read(write_file(tmp_path, "h.txt", text), format=fmt)
        assert info.value.line == 2 and info.value.field == "jobs[1]"


def test_model_caps_are_reported_with_the_job_line(tmp_path: Path) -> None:
    big = 2**52
    text = f"2 2\n0 1 1 1\n0 {big} 1 {big}\n"
    with pytest.raises(InputError, match="not below 2\\*\\*53") as info:
        read(write_file(tmp_path, "big.txt", text), format="jobshop")
    assert (info.value.line, info.value.field) == (3, "jobs[1].operations[0].duration")


def test_bundled_job_shops_load_under_the_caps() -> None:
    names = [e.name for e in catalogue("jobshop")]
    for name in names[::8] + ["ta80"]:
        inst = load(name)
        assert inst.n_ops == inst.n_jobs * inst.machines
