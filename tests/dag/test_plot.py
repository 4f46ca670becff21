"""The DAG Gantt chart: rows per processor, labelled boxes, communication waits, makespan."""

from __future__ import annotations

import pytest

import schedkit as sk
from schedkit.plotting.dag import communication_waits, plot_dag

pytest.importorskip("matplotlib")


def test_plot_dag_on_the_heft_example(tmp_path) -> None:
    inst = sk.load("topcuoglu2002")
    res = sk.solve(inst, "heft")
    ax = plot_dag(inst, res.solution, title="HEFT")
    assert ax.get_title() == "HEFT"
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"processor {p}" for p in range(3)]
    texts = {t.get_text() for t in ax.texts}
    assert {str(t) for t in range(10)} <= texts
    assert any("makespan = 80" in t for t in texts)
    waits = communication_waits(inst, res.solution)
    assert waits and all(lo < hi for _, _, lo, hi in waits)
    # Task 1 (0-based) waits on processor 0 for the data of task 0 (on processor 2):
    # it ends at 9 and the message of 18 arrives at 27.
    assert (1, 0, 9.0, 27.0) in waits
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == len(waits)
    ax.figure.savefig(tmp_path / "heft.png")
    assert (tmp_path / "heft.png").stat().st_size > 0


def test_plot_dag_large_and_without_communication() -> None:
    inst = sk.load("stg50-0000", processors=4)
    res = sk.solve(inst, "list")
    assert communication_waits(inst, res.solution) == []
    ax = plot_dag(inst, res.solution)
    assert len(ax.patches) == inst.n_tasks


def test_plot_dag_rejects_infeasible_and_other_problems() -> None:
    inst = sk.load("topcuoglu2002")
    with pytest.raises(sk.InputError, match="infeasible"):
        plot_dag(inst, {"processor": [0] * 10, "start": [0] * 10})
    with pytest.raises(sk.InputError, match="dag"):
        plot_dag(sk.load("ft06"), {"start": []})
