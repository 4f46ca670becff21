"""The OR-Library weighted-tardiness reader (orlib-wt) and its best-known values."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedkit.instances import SingleMachine
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import read

from ..cases import DATA, write_file


def test_wt40_1_best_known() -> None:
    inst = read(data_dir() / "tardiness/orlib/wt40.txt")
    assert isinstance(inst, SingleMachine)
    assert inst.name == "wt40-1" and inst.n_jobs == 40
    assert inst.objective == "total_weighted_tardiness"
    assert inst.bounds.upper == 913 and inst.bounds.lower == 913  # optimal per the index
    assert inst.processing[:3].tolist() == [26, 24, 79]


def test_wt_open_and_wt100_prefers_best_b() -> None:
    open19 = read(data_dir() / "tardiness/orlib/wt40.txt", instance=19)
    assert (open19.bounds.lower, open19.bounds.upper) == (None, 77122)
    wt100 = read(data_dir() / "tardiness/orlib/wt100.txt", instance=111)
    assert "wtbest100b" in wt100.bounds.source and wt100.bounds.lower is None
    a = (data_dir() / "tardiness/orlib/wtbest100a.txt").read_text().split()
    b = (data_dir() / "tardiness/orlib/wtbest100b.txt").read_text().split()
    assert a[110] != b[110] and wt100.bounds.upper == int(b[110])


def test_wt_small_fixture() -> None:
    inst = read(DATA / "wt3.txt", instance=2)
    assert inst.name == "wt3-2" and inst.bounds is None
    assert inst.processing.tolist() == [10, 1, 4]
    assert inst.weight.tolist() == [2, 2, 1]
    assert inst.due.tolist() == [3, 12, 0]


def test_wt_needs_n(tmp_path: Path) -> None:
    path = write_file(tmp_path, "data.txt", "1 2 3 4 5 6\n")
    with pytest.raises(InputError) as info:
        read(path, format="orlib-wt")
    assert info.value.field == "options.n" and "data.txt" in str(info.value)
    assert read(path, format="orlib-wt", n=2).processing.tolist() == [1, 2]


# --- the announced n and the caps -----------------------------------------------------------------
def test_n_from_the_name_must_fit_the_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "wt99999999999.txt", "1 2 3\n")
    with pytest.raises(InputError) as err:
        read(path)
    assert err.value.field == "n" and "needs 3*n = 299999999997 integers" in str(err.value)
    with pytest.raises(InputError, match="needs 3\\*n = 30 integers"):
        read(write_file(tmp_path, "wt1.txt", "1 2 3\n"), n=10)


def test_exactness_cap_names_the_line(tmp_path: Path) -> None:
    big = 2**52
    path = write_file(tmp_path, "wt2.txt", f"1 2\n3 4\n5 6\n{big} {big}\n1 1\n0 {2**53}\n")
    assert read(path).n_jobs == 2  # instance 1 is fine
    with pytest.raises(InputError) as err:
        read(path, instance=2)
    e = err.value
    assert (e.line, e.field) == (4, "processing[0]") and "(instance 2)" in str(e)


def test_bundled_wt_instances_load_under_the_caps() -> None:
    from schedkit.instances.catalogue import catalogue, load

    names = [e.name for e in catalogue("single_machine")]
    for name in names[::25] + ["wt100-125"]:
        assert load(name).n_jobs in (40, 50, 100)
