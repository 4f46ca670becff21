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
