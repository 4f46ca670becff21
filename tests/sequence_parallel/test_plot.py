"""The sequence-parallel chart: micro-batches along time, groups spanning their devices."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import schedkit as sk  # noqa: E402
from schedkit.instances import InputError  # noqa: E402
from schedkit.plotting.sequence_parallel import plan_boxes, plot_sp_plan  # noqa: E402

from ..cases import SP, SP_OK  # noqa: E402


def test_plan_boxes_match_the_step_time():
    boxes, spans = plan_boxes(SP, SP_OK)
    assert [(b["mb"], b["degree"], b["sequences"]) for b in boxes] == [(0, 1, 2), (0, 2, 1),
                                                                        (1, 4, 1)]
    assert spans[1][0] == pytest.approx(spans[0][1])
    assert spans[1][0] + spans[1][1] == pytest.approx(sk.evaluate(SP, SP_OK).objective)
    assert boxes[2]["start"] == pytest.approx(spans[0][1])


def test_plot_writes_a_png(tmp_path):
    inst = sk.generate("sequence_parallel", sequences=48, devices=16,
                       source="commoncrawl_like", seed=2)
    r = sk.solve(inst, "megatron-dcp")
    ax = plot_sp_plan(inst, r.solution, title="plan")
    path = tmp_path / "plan.png"
    ax.figure.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ax.get_title() == "plan" and ax.get_ylabel() == "devices"
    # One rectangle per contiguous run of a group's devices.
    groups = sum(len(mb) for mb in r.solution["microbatches"])
    assert len(ax.patches) == groups


def test_non_contiguous_group_is_drawn_in_runs():
    sol = {"microbatches": [[{"devices": [0, 2], "sequences": [1]},
                             {"devices": [1], "sequences": [0, 2]}],
                            [{"devices": [0, 1, 2, 3], "sequences": [3]}]]}
    ax = plot_sp_plan(SP, sol)
    assert len(ax.patches) == 4  # 0 | 2 | 1 | 0-3


def test_plot_refuses_bad_plans():
    with pytest.raises(InputError) as err:
        plot_sp_plan(SP, {"microbatches": [[{"devices": [0], "sequences": [0]}]]})
    assert err.value.field == "solution" and "infeasible" in str(err.value)
    with pytest.raises(InputError) as err:
        plot_sp_plan(sk.load("ft06"), {"start": []})
    assert err.value.field == "problem"


def test_plot_of_a_result(tmp_path):
    from schedkit.plotting.gantt import resolve

    inst = sk.generate("sequence_parallel", sequences=24, devices=8, seed=1)
    r = sk.solve(inst, "adaptive")
    # What the dispatch in schedkit.plotting.charts.plot_result passes on.
    got, solution, title = resolve(r, inst)
    ax = plot_sp_plan(got, solution, title=title)
    assert ax.get_title().startswith(inst.name)
    from schedkit.plotting import save_plot

    try:
        save_plot(r, tmp_path / "r.png", inst)
    except InputError as err:
        if "no chart for sequence_parallel" in str(err):
            pytest.skip("charts.plot_result does not dispatch to plot_sp_plan yet")
        raise
    assert (tmp_path / "r.png").stat().st_size > 0
