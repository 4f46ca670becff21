"""The Gantt chart of job-shop and single-machine schedules: the objective it states, due dates
and late jobs, labels and ids that find every job (figure objects, not pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

import schedkit as sk
from schedkit.instances import SingleMachine
from schedkit.plotting import plot_gantt

pytest.importorskip("matplotlib")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _legend(ax) -> tuple[str, list[str]]:
    legend = ax.get_legend()
    assert legend is not None
    return legend.get_title().get_text(), [t.get_text() for t in legend.get_texts()]


def _boxes(ax) -> dict[str, object]:
    return {p.get_gid(): p for p in ax.patches if p.get_gid()}


def test_single_machine_states_its_objective_due_dates_and_late_jobs() -> None:
    # Order 0, 1, 2: completions 3, 4, 6 against due dates 2, 5, 6 — only job 0 is late,
    # by 1, with weight 2.
    inst = SingleMachine(processing=[3, 1, 2], due=[2, 5, 6], weight=[2, 1, 1], name="three")
    ax = plot_gantt({"sequence": [0, 1, 2]}, inst)
    assert not any("Cmax" in t for t in _texts(ax))
    title, entries = _legend(ax)
    assert title == "ΣwjTj = 2"
    assert "late job (1 of 3)" in entries and "due date" in entries
    boxes = _boxes(ax)
    assert set(boxes) == {"job-0", "job-1", "job-2"}
    hatched = {gid for gid, p in boxes.items() if p.get_hatch()}
    assert hatched == {"job-0"}
    assert to_hex(boxes["job-0"].get_edgecolor()) == to_hex("crimson")
    # The due-date triangles: on time in grey (jobs 1, 2), late in red (job 0).
    marks = {to_hex(line.get_color()): sorted(line.get_xdata().tolist())
             for line in ax.lines if line.get_marker() == "v"}
    assert marks == {to_hex("dimgray"): [5, 6], to_hex("crimson"): [2]}
    # The late job's due date is joined to its completion.
    (segments,) = [c.get_segments() for c in ax.collections]
    assert [(s[0][0], s[1][0]) for s in segments] == [(2, 3)]


@pytest.mark.parametrize(("objective", "name"), [("total_tardiness", "ΣTj"),
                                                   ("max_lateness", "Lmax"),
                                                   ("weighted_tardy_jobs", "ΣwjUj")])
def test_each_due_date_objective_is_named(objective: str, name: str) -> None:
    inst = SingleMachine(processing=[3, 1, 2], due=[2, 5, 6], weight=[2, 1, 1],
                         objective=objective)
    value = sk.evaluate(inst, {"sequence": [0, 1, 2]}).objective
    title, _ = _legend(plot_gantt({"sequence": [0, 1, 2]}, inst))
    assert title == f"{name} = {value:g}"


def test_weighted_completion_draws_no_due_dates() -> None:
    inst = SingleMachine(processing=[3, 1, 2], due=[2, 5, 6], weight=[2, 1, 1],
                         objective="total_weighted_completion")
    ax = plot_gantt({"sequence": [1, 2, 0]}, inst)
    assert "ΣwjCj = 16" in _texts(ax)  # completions 1, 3, 6 weighted 1, 1, 2
    assert ax.get_legend() is None and not [ln for ln in ax.lines if ln.get_marker() == "v"]
    assert not any(p.get_hatch() for p in ax.patches)


def test_a_makespan_chart_still_marks_cmax() -> None:
    res = sk.solve("ft06", "baseline")
    ax = plot_gantt(res)
    assert f" Cmax = {res.objective:g}" in _texts(ax)
    assert not any(p.get_hatch() for p in ax.patches)
    assert ax.get_xlabel() == "time"


def test_a_job_shop_tardiness_chart_marks_the_last_operation_of_late_jobs() -> None:
    # Job 0: machine 0 for 3, then machine 1 for 2 (ends at 5, due 4: late by 1); job 1:
    # machine 1 for 2, then machine 0 for 1 (ends at 4, due 10).
    inst = sk.JobShop.from_routes([[(0, 3), (1, 2)], [(1, 2), (0, 1)]], due=[4, 10],
                                  objective="total_weighted_tardiness")
    ax = plot_gantt({"start": [[0, 3], [0, 3]]}, inst)
    title, entries = _legend(ax)
    assert title == "ΣwjTj = 1" and "late job (1 of 2)" in entries
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and (hatched[0].get_x(), hatched[0].get_width()) == (3, 2)
    marks = {to_hex(line.get_color()): (line.get_xdata().tolist(), line.get_ydata().tolist())
             for line in ax.lines if line.get_marker() == "v"}
    # Each due date over the row of the job's last operation: job 0 on machine 1, job 1 on 0.
    assert marks == {to_hex("crimson"): ([4], [1 - 0.45]), to_hex("dimgray"): ([10], [-0.45])}


def test_wt40_result_counts_its_late_jobs() -> None:
    inst = sk.load("wt40-1")
    res = sk.solve(inst, "edd")
    ax = plot_gantt(res)
    seq = np.asarray(res.solution["sequence"])
    completion = np.empty(inst.n_jobs)
    completion[seq] = np.cumsum(inst.processing[seq])
    late = int((completion > inst.due).sum())
    title, entries = _legend(ax)
    assert title == f"ΣwjTj = {res.objective:g}"
    assert f"late job ({late} of 40)" in entries
    assert sum(1 for p in ax.patches if p.get_hatch()) == late


def test_every_one_of_100_jobs_is_findable() -> None:
    inst = sk.load("wt100-1")
    res = sk.solve(inst, "wspt")
    ax = plot_gantt(res)
    boxes = _boxes(ax)
    assert set(boxes) == {f"job-{j}" for j in range(100)}  # each box has its id
    labels = [t for t in ax.texts if t.get_text().isdigit()]
    assert len(labels) >= 30  # labelled where a label fits …
    assert any(t.get_rotation() == 90 for t in labels)  # … upright in narrow boxes
    for t in labels:  # each label sits on its own job's box
        box = boxes[f"job-{t.get_text()}"]
        x, y = t.get_position()
        assert box.get_x() <= x <= box.get_x() + box.get_width()
    # Jobs too narrow for a label are found by highlighting them.
    widths = {j: boxes[f"job-{j}"].get_width() for j in range(100)}
    narrow = min(widths, key=widths.__getitem__)
    assert str(narrow) not in {t.get_text() for t in labels}
    ax = plot_gantt(res, highlight=[narrow])
    coloured = {gid for gid, p in _boxes(ax).items()
                if to_hex(p.get_facecolor()) != "#dddddd"}
    assert coloured == {f"job-{narrow}"}
    assert [t.get_text() for t in ax.texts if t.get_text().isdigit()] == [str(narrow)]


def test_labels_off() -> None:
    ax = plot_gantt(sk.solve("ft06", "baseline"), labels=False)
    assert not [t for t in ax.texts if t.get_text().isdigit()]


def test_plot_highlights_jobs_from_the_command_line(tmp_path, capsys) -> None:
    from schedkit.cli import main

    runs = tmp_path / "r.jsonl"
    assert main(["solve", "ft06", "-m", "dispatch-best", "-o", str(runs), "-q"]) == 0
    svg = tmp_path / "ft06.svg"
    assert main(["plot", str(runs), "-o", str(svg), "--highlight", "2,4"]) == 0
    assert svg.exists() and 'id="job-2' in svg.read_text()
    capsys.readouterr()
    assert main(["plot", str(runs), "-o", str(svg), "--highlight", "2,x"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --highlight: must be job numbers separated by commas, got '2,x'"]
    assert main(["plot", str(runs), "-o", str(svg), "--highlight", "6"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --highlight: no job 6 in ft06 (jobs 0 to 5)"]


def test_plot_output_errors_name_the_flag(tmp_path, capsys) -> None:
    from schedkit.cli import main

    runs = tmp_path / "r.jsonl"
    assert main(["solve", "ft06", "-m", "baseline", "-o", str(runs), "-q"]) == 0
    capsys.readouterr()
    assert main(["plot", str(runs), "-o", str(tmp_path / "x.gif")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --output: unsupported image type '.gif' (use .png, .svg or .pdf)"]
    missing = tmp_path / "nowhere"
    assert main(["plot", str(runs), "-o", str(missing / "x.png")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --output: folder '{missing}' does not exist"]
