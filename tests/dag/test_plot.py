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


def test_a_long_workflow_shows_its_unit_and_every_tick_in_full() -> None:
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "tiny_wf.json"
    # Microseconds: the schedule spans millions of time units, which matplotlib would write
    # as ticks 0…4 with a "1e6" in the corner (where the legend used to sit).
    inst = sk.read(data, time_scale=1e6)
    res = sk.solve(inst, "heft")
    ax = plot_dag(inst, res.solution)
    ax.figure.canvas.draw()
    assert ax.get_xlabel() == "time (s)"
    assert ax.xaxis.get_offset_text().get_text() == ""
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all("e" not in t for t in ticks)
    seconds = res.objective / 1e6
    assert any(f"makespan = {seconds:g} s" in t.get_text() for t in ax.texts)
    assert ax.get_title().endswith(f"{seconds:g} s")
    # The same workflow in milliseconds (the reader's default) reads the same in seconds.
    ms = sk.read(data)
    ax = plot_dag(ms, sk.solve(ms, "heft").solution)
    assert ax.get_xlabel() == "time (s)"


def test_a_graph_without_a_time_unit_says_time_and_ids_every_task() -> None:
    inst = sk.load("topcuoglu2002")
    ax = plot_dag(inst, sk.solve(inst, "heft").solution)
    assert ax.get_xlabel() == "time"
    assert {p.get_gid() for p in ax.patches if p.get_gid()} == {f"task-{t}" for t in range(10)}


def test_the_wait_legend_sits_beside_the_chart_clear_of_the_labels() -> None:
    inst = sk.load("wf-montage")  # 4 processors, waits for data between them
    res = sk.solve(inst, "heft")
    ax = plot_dag(inst, res.solution)
    ax.figure.canvas.draw()
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["idle, waiting for data"]
    box = legend.get_window_extent()
    assert box.x0 >= ax.get_window_extent().x1  # outside the axes, right of them
    (makespan,) = [t for t in ax.texts if t.get_text().startswith(" makespan = ")]
    assert not box.overlaps(makespan.get_window_extent())
    assert not box.overlaps(ax.xaxis.label.get_window_extent())
    assert makespan.get_text().endswith(" s") and ax.get_xlabel() == "time (s)"
