"""Readers and writers across formats: detection, round trips, and malformed input of every kind.

The per-format facts (known instances, format-specific round trips) are in
``tests/<problem>/test_readers.py``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedkit.instances import Instance, JobShop
from schedkit.instances.catalogue import load
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import FORMATS, read, write

from .cases import DATA, write_file


# ---------------------------------------------------------------------------------------------
# known facts
# ---------------------------------------------------------------------------------------------
def test_formats_listed() -> None:
    assert set(FORMATS) == {"json", "jobshop", "taillard", "orlib-wt", "stg", "wfcommons",
                            "heft-example", "moe-examples"}


def test_detection(tmp_path: Path) -> None:
    cases = {
        "ft06.txt": "jobshop", "tai3x3.txt": "taillard", "wt3.txt": "orlib-wt",
        "small.stg": "stg", "tiny_wf.json": "wfcommons",
    }
    for name, fmt in cases.items():
        src = data_dir() / "jobshop/standard/ft06.txt" if name == "ft06.txt" else DATA / name
        assert read(src).meta["format"] == fmt
    plain = write_file(tmp_path, "noheader.txt", "2 2\n1 2\n3 4\n2 1\n1 2\n")
    assert read(plain).meta["format"] == "taillard"
    stg_txt = write_file(tmp_path, "graph.txt", (DATA / "small.stg").read_text())
    assert read(stg_txt).meta["format"] == "stg"
    assert read(data_dir() / "moe/known_examples.json").name == "eplb_readme_example"


@pytest.mark.parametrize("name,content", [
    ("x.json", '{"hello": 1}'),
    ("x.json", "[1, 2]"),
    ("x.txt", "hello world\n"),
    ("x.dat", "1 2 3\n"),
])
def test_undetectable_lists_formats(tmp_path: Path, name: str, content: str) -> None:
    path = write_file(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read(path)
    msg = str(info.value)
    assert name in msg and "cannot tell" in msg and "jobshop" in msg and "wfcommons" in msg


def test_unknown_format_and_option(tmp_path: Path) -> None:
    path = data_dir() / "jobshop/standard/ft06.txt"
    with pytest.raises(InputError, match="unknown format 'xml'"):
        read(path, format="xml")
    with pytest.raises(InputError) as info:
        read(path, processors=4)
    assert info.value.field == "options.processors"
    assert "accepted: none" in str(info.value)
    with pytest.raises(InputError, match="accepted: processors"):
        read(data_dir() / "dag/stg/50/rand0000.stg", procs=4)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="cannot read"):
        read(tmp_path)


# ---------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ft06", "wt40-1", "stg50-0000", "wf-blast-small",
                                  "topcuoglu2002", "eplb-readme", "flashlb-pr"])
def test_json_round_trip(tmp_path: Path, name: str) -> None:
    inst = load(name)
    out = tmp_path / f"{name}.json"
    write(inst, out)
    assert read(out) == inst


def test_writers_refuse(tmp_path: Path) -> None:
    ft06 = load("ft06")
    due = JobShop.from_routes([ft06.route(j) for j in range(6)], machines=6, due=[5] * 6)
    for fmt in ("jobshop", "taillard"):
        with pytest.raises(InputError, match="makespan data only"):
            write(due, tmp_path / "x.txt", format=fmt)
    ragged = JobShop.from_routes([[(0, 1)], [(0, 2), (1, 3)]], machines=2)
    with pytest.raises(InputError, match="one operation per machine"):
        write(ragged, tmp_path / "x.txt")
    with pytest.raises(InputError, match="identical processors"):
        write(load("topcuoglu2002"), tmp_path / "x.stg")
    with pytest.raises(InputError, match="every edge's data must be 0"):
        write(read(DATA / "tiny_wf.json", processors=1), tmp_path / "x.stg")
    with pytest.raises(InputError, match="holds jobshop instances"):
        write(load("wt40-1"), tmp_path / "x.txt", format="jobshop")
    with pytest.raises(InputError, match="cannot be written"):
        write(ft06, tmp_path / "x.json", format="wfcommons")
    with pytest.raises(InputError, match="cannot tell the format"):
        write(ft06, tmp_path / "x.out")


# ---------------------------------------------------------------------------------------------
# malformed input: (format, file name, content, line or None, field or None, message part)
# ---------------------------------------------------------------------------------------------
JS = "2 3\n0 1 1 2 2 3\n0 3 1 5 2 4\n"
TA = "Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\nMachines\n1 2\n2 1\n"
STG = "3\n0 0 0\n1 2 1 0\n2 3 1 1\n3 4 2 1 2\n4 0 1 3\n"


def _stg(line3: str | None = None, line4: str | None = None, line5: str | None = None,
         tail: str = "4 0 1 3\n") -> str:
    return (f"3\n0 0 0\n{line3 or '1 2 1 0'}\n{line4 or '2 3 1 1'}\n{line5 or '3 4 2 1 2'}\n"
            + tail)


def _wf(edit) -> str:
    doc = json.loads((DATA / "tiny_wf.json").read_text())
    edit(doc)
    return json.dumps(doc, indent=1)


def _spec(doc: dict) -> dict:
    return doc["workflow"]["specification"]


def _set(obj: dict, path: list, value) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _del(obj: dict, path: list) -> None:
    for key in path[:-1]:
        obj = obj[key]
    del obj[path[-1]]


HEFT = json.loads((data_dir() / "dag/canonical/topcuoglu2002_10task.json").read_text())
MOE = json.loads((data_dir() / "moe/known_examples.json").read_text())


def _heft(path: list, value=None, delete: bool = False) -> str:
    doc = copy.deepcopy(HEFT)
    if delete:
        _del(doc, path)
    else:
        _set(doc, path, value)
    return json.dumps(doc)


def _moe(path: list, value=None, delete: bool = False) -> str:
    doc = copy.deepcopy(MOE)
    if delete:
        _del(doc, path)
    else:
        _set(doc, path, value)
    return json.dumps(doc)


def _cycle(doc: dict) -> None:
    _spec(doc)["tasks"][0]["parents"] = ["merge_ID04"]


MALFORMED = [
    # --- jobshop (standard) ---
    ("jobshop", "ft.txt", "", None, None, "empty"),
    ("jobshop", "ft.txt", "# only a comment\n\n", None, None, "empty"),
    ("jobshop", "ft.txt", "2 3 1\n0 1 1 2 2 3\n", 1, "header", "expected 'n m'"),
    ("jobshop", "ft.txt", "2 x\n", 1, "machines", "must be an integer, got 'x'"),
    ("jobshop", "ft.txt", "0 3\n", 1, "n_jobs", "must be >= 1"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2 2 3\n0 3 1 5 2 -4\n", 3,
     "jobs[1].operations[2].duration", "must be >= 0, got -4"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 x 2 3\n0 3 1 5 2 4\n", 2,
     "jobs[0].operations[1].duration", "must be an integer"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2.5 2 3\n0 3 1 5 2 4\n", 2,
     "jobs[0].operations[1].duration", "got '2.5'"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2 2\n0 3 1 5 2 4\n", 2, "jobs[0]", "expected 6"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2 2 3 4\n0 3 1 5 2 4\n", 2, "jobs[0]", "got 7"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2 2 3\n", 2, "jobs[1]", "end of file"),
    ("jobshop", "ft.txt", JS + "0 1 1 1 2 1\n", 4, "jobs", "extra line"),
    ("jobshop", "ft.txt", "2 3\n0 1 3 2 2 3\n0 3 1 5 2 4\n", 2,
     "jobs[0].operations[1].machine", "must be <= 2"),
    ("jobshop", "ft.txt", "2 3\n-1 1 1 2 2 3\n0 3 1 5 2 4\n", 2,
     "jobs[0].operations[0].machine", "must be >= 0"),
    ("jobshop", "ft.txt", "2 3\n0 1 1 2 2 3\n0 3 1 5 2 99999999999999999999999\n", 3,
     "jobs[1].operations[2].duration", "too large"),
    ("jobshop", "ft.txt", "# c\n\n# c\n" + JS.replace("2 4\n", "2 -1\n"), 6,
     "jobs[1].operations[2].duration", "must be >= 0"),
    ("jobshop", "ft.txt", b"2 3\n0 1 1 2 2 3\n0 3 \xff\xfe 5 2 4\n", 3, None, "not UTF-8"),
    # --- taillard ---
    ("taillard", "ta.txt", "", None, None, "empty"),
    ("taillard", "ta.txt", "2 2 7\n1 2\n", 1, "header", "'n m [time_seed"),
    ("taillard", "ta.txt", TA.replace("3 4\n", "3 -1\n"), 5,
     "jobs[1].operations[1].duration", "must be >= 0, got -1"),
    ("taillard", "ta.txt", TA.replace("Machines\n1 2", "Machines\n0 2"), 7,
     "jobs[0].operations[0].machine", "must be >= 1"),
    ("taillard", "ta.txt", TA.replace("2 1\n", "3 1\n"), 8,
     "jobs[1].operations[0].machine", "must be <= 2"),
    ("taillard", "ta.txt", TA.replace("3 4\n", "3\n"), 5, "jobs[1]", "expected 2 durations"),
    ("taillard", "ta.txt", TA.replace("1 2\n2 1\n", "1 2\n"), 7, "jobs[1]", "end of file"),
    ("taillard", "ta.txt", TA.replace("\n2 2\n", "\n2 2 1 1 5 9\n"), 2,
     "header.lower_bound", "must be <= 5"),
    ("taillard", "ta.txt", TA + "7\n", 9, "header", "instance 2"),
    ("taillard", "ta.txt", TA.replace("Machines\n1 2", "Machines\n1 b"), 7,
     "jobs[0].operations[1].machine", "must be an integer"),
    # --- orlib-wt (n = 2 from the name: 6 integers per instance) ---
    ("orlib-wt", "wt2.txt", "", None, None, "empty"),
    ("orlib-wt", "wt2.txt", "1 2 3 x 5 6\n", 1, "weight[1]", "must be an integer"),
    ("orlib-wt", "wt2.txt", "1\n-2\n3 4 5 6\n", 2, "processing[1]", "must be >= 0"),
    ("orlib-wt", "wt2.txt", "1 2 3 4 5 6\n7 8 9 -1 0 0\n", 2, "weight[1]", "instance 2"),
    ("orlib-wt", "wt2.txt", "1 2 3 4 5 6\n7 8\n", 2, "weight[0]", "not a multiple"),
    ("orlib-wt", "wt2.txt", "1 2 3 4 5 6 7 8 9 10 11 12 13\n", 1, "processing[1]",
     "instance 3"),
    # --- stg ---
    ("stg", "g.stg", "", None, None, "empty"),
    ("stg", "g.stg", "3 4\n" + STG[2:], 1, "header", "task count n alone"),
    ("stg", "g.stg", _stg(line4="2 -3 1 1"), 4, "tasks[2].cost", "must be >= 0, got -3"),
    ("stg", "g.stg", _stg(line4="2 3.5 1 1"), 4, "tasks[2].cost", "must be an integer"),
    ("stg", "g.stg", _stg(line4="2 3 1 7"), 4, "tasks[2].predecessors[0]", "must be <= 4"),
    ("stg", "g.stg", _stg(line4="2 3 1 -1"), 4, "tasks[2].predecessors[0]", "must be >= 0"),
    ("stg", "g.stg", _stg(line3="1 2 1 2"), 3, "tasks[1].predecessors", "cycle"),
    ("stg", "g.stg", _stg(line5="3 4 3 1 2"), 5, "tasks[3].predecessors", "declares 3"),
    ("stg", "g.stg", _stg(line5="3 4"), 5, "tasks[3]", "expected 'id cost"),
    ("stg", "g.stg", _stg(tail=""), 5, "tasks[4]", "end of file"),
    ("stg", "g.stg", _stg(line4="5 3 1 1"), 4, "tasks[2].id", "expected 2, got 5"),
    ("stg", "g.stg", STG + "5 0 0\n", 7, "tasks", "extra line"),
    ("stg", "g.stg", STG.replace("0 0 0", "0 5 0"), 2, "tasks[0].cost", "must cost 0"),
    ("stg", "g.stg", _stg(line4="2 3 1 2"), 4, "tasks[2].predecessors[0]", "itself"),
    ("stg", "g.stg", _stg(line5="3 4 2 1 1"), 5, "tasks[3].predecessors[1]", "duplicate"),
    ("stg", "g.stg", _stg(line5="3 4 2 1 4"), 5, "tasks[3].predecessors[1]", "exit task"),
    ("stg", "g.stg", "0\n0 0 0\n1 0 1 0\n", 1, "n_tasks", "must be >= 1"),
    # --- wfcommons ---
    ("wfcommons", "w.json", "", None, None, "empty"),
    ("wfcommons", "w.json", "{\n  \"schemaVersion\": \"1.5\",\n}", 3, None, "invalid JSON"),
    ("wfcommons", "w.json", _wf(lambda d: d.update(schemaVersion="2.0")), None,
     "schemaVersion", "unsupported WfFormat version '2.0'"),
    ("wfcommons", "w.json", _wf(lambda d: d.pop("schemaVersion")), None, "schemaVersion",
     "is missing"),
    ("wfcommons", "w.json", _wf(lambda d: d.pop("workflow")), None, "workflow", "is missing"),
    ("wfcommons", "w.json",
     _wf(lambda d: d["workflow"]["execution"]["tasks"][1].update(runtimeInSeconds=-2)), None,
     "workflow.execution.tasks[1].runtimeInSeconds", "must be >= 0"),
    ("wfcommons", "w.json",
     _wf(lambda d: d["workflow"]["execution"]["tasks"][1].update(runtimeInSeconds="slow")),
     None, "workflow.execution.tasks[1].runtimeInSeconds", "must be a number"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d)["tasks"][2].update(parents=["nope"])),
     None, "workflow.specification.tasks[2].parents[0]", "unknown task id 'nope'"),
    ("wfcommons", "w.json", _wf(_cycle), None, "workflow.specification.tasks[", "cycle"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d)["tasks"][1].update(parents=["left_ID02"])),
     None, "workflow.specification.tasks[1].parents[0]", "cannot depend on itself"),
    ("wfcommons", "w.json", _wf(lambda d: d["workflow"]["execution"]["tasks"].pop()), None,
     "workflow.execution.tasks", "no entry"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d)["files"][0].update(sizeInBytes=-1)), None,
     "workflow.specification.files[0].sizeInBytes", "must be >= 0"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d)["tasks"][1].update(id="split_ID01")), None,
     "workflow.specification.tasks[1]", "duplicate task id"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d).update(tasks={})), None,
     "workflow.specification.tasks", "must be a list"),
    ("wfcommons", "w.json", _wf(lambda d: _spec(d)["tasks"][3]["inputFiles"].append("z")),
     None, "workflow.specification.tasks[3].inputFiles[2]", "unknown file id 'z'"),
    ("wfcommons", "w.json", '{"schemaVersion": "1.5", "workflow": {"x": NaN}}', None, None,
     "NaN"),
    ("wfcommons", "w.json",
     (DATA / "tiny_wf_v14.json").read_text().replace('"runtimeInSeconds": 2.0',
                                                     '"runtimeInSeconds": -2.0'),
     None, "workflow.tasks[1].runtimeInSeconds", "must be >= 0"),
    ("wfcommons", "w.json",
     (DATA / "tiny_wf_v14.json").read_text().replace('"link": "input"', '"link": "in"', 1),
     None, "workflow.tasks[0].files[0].link", "must be 'input' or 'output'"),
    # --- heft-example ---
    ("heft-example", "h.json", "", None, None, "empty"),
    ("heft-example", "h.json", _heft(["exec_time", 1, 2], -5), None, "exec_time[1][2]",
     "must be >= 0"),
    ("heft-example", "h.json", _heft(["exec_time", 1], [1, 2]), None, "exec_time",
     "rectangular"),
    ("heft-example", "h.json", _heft(["edges", 0, 1], 10), None, "edges[0][1]",
     "task index 0..9"),
    ("heft-example", "h.json", _heft(["edges", 0], [0, 1]), None, "edges[0]",
     "[u, v, comm]"),
    ("heft-example", "h.json", _heft(["n_procs"], 4), None, "n_procs", "exec_time has 3"),
    ("heft-example", "h.json", _heft(["edges", 14], [9, 0, 1]), None, "data.edges", "cycle"),
    ("heft-example", "h.json", _heft(["exec_time"], delete=True), None, "exec_time",
     "is missing"),
    # --- moe-examples ---
    ("moe-examples", "m.json", "", None, None, "empty"),
    ("moe-examples", "m.json", _moe(["examples", 0, "weight", 0, 1], -3), None,
     "examples[0].weight[0][1]", "must be >= 0"),
    ("moe-examples", "m.json", _moe(["examples", 0, "weight", 0, 0], "x"), None,
     "examples[0].weight[0][0]", "must be a finite number"),
    ("moe-examples", "m.json", _moe(["examples", 0, "num_replicas"], 17), None,
     "examples[0].num_replicas", "multiple of num_gpus"),
    ("moe-examples", "m.json", _moe(["examples", 0, "num_groups"], 5), None,
     "examples[0].num_groups", "must divide"),
    ("moe-examples", "m.json", _moe(["examples", 0, "weight"], delete=True), None,
     "examples[0].weight", "is missing"),
    ("moe-examples", "m.json", _moe(["examples"], []), None, "examples", "must not be empty"),
    ("moe-examples", "m.json", _moe(["examples", 0, "num_gpus"], 0), None,
     "examples[0].num_gpus", "must be >= 1"),
    # --- json (schedkit/instance@1) ---
    ("json", "i.json", "", None, None, "empty"),
    ("json", "i.json", '{"schema": "schedkit/instance@9", "problem": "jobshop", "data": {}}',
     None, "schema", "unsupported schema"),
    ("json", "i.json", '{\n"schema": "schedkit/instance@1",\n"problem": jobshop}', 3, None,
     "invalid JSON"),
    ("json", "i.json", json.dumps({"schema": "schedkit/instance@1", "problem": "jobshop",
                                   "data": {"machines": 1, "jobs": [{"operations": [
                                       {"machine": 0, "duration": -4}]}]}}), None,
     "data.jobs[0].operations[0].duration", "must be >= 0"),
]


def _case_id(case: tuple) -> str:
    fmt, _, content, line, field, msg = case
    return f"{fmt}-{field or 'file'}-{re.sub(r'[^a-z]+', '_', msg.lower())[:24]}"


@pytest.mark.parametrize("case", MALFORMED, ids=[_case_id(c) for c in MALFORMED])
def test_malformed(tmp_path: Path, case: tuple) -> None:
    fmt, name, content, line, field, message = case
    path = write_file(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read(path, format=fmt)
    err = info.value
    text = str(err)
    assert type(err) is InputError
    assert "\n" not in text
    where = f"{name}:{line}: " if line is not None else f"{name}: "
    assert where in text, text
    assert err.line == line
    if field is not None:
        assert err.field is not None and err.field.startswith(field), text
        assert f" {err.field}: " in text
    assert message in text, text


def test_malformed_example_message(tmp_path: Path) -> None:
    path = write_file(tmp_path, "ft.txt", "2 3\n0 1 1 2 2 3\n0 3 1 5 2 -4\n")
    with pytest.raises(InputError) as info:
        read(path)
    assert str(info.value) == f"{path}:3: jobs[1].operations[2].duration: must be >= 0, got -4"


@pytest.mark.parametrize("fmt,src,options,field", [
    ("taillard", DATA / "tai3x3.txt", {"instance": 3}, "options.instance"),
    ("taillard", DATA / "tai3x3.txt", {"instance": 0}, "options.instance"),
    ("orlib-wt", DATA / "wt3.txt", {"instance": 3}, "options.instance"),
    ("orlib-wt", DATA / "wt3.txt", {"n": "x"}, "options.n"),
    ("stg", DATA / "small.stg", {"processors": 0}, "options.processors"),
    ("wfcommons", DATA / "tiny_wf.json", {"bandwidth": 1, "ccr": 1}, "options.ccr"),
    ("wfcommons", DATA / "tiny_wf.json", {"speeds": [1, 2], "processors": 3},
     "options.speeds"),
    ("wfcommons", DATA / "tiny_wf.json", {"speeds": [1, -2]}, "options.speeds[1]"),
    ("wfcommons", DATA / "tiny_wf.json", {"heterogeneity": 2}, "options.heterogeneity"),
    ("wfcommons", DATA / "tiny_wf.json", {"time_scale": 0}, "options.time_scale"),
    ("moe-examples", data_dir() / "moe/known_examples.json", {"example": "nope"},
     "options.example"),
])
def test_bad_options(fmt: str, src: Path, options: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        read(src, format=fmt, **options)
    assert info.value.field == field


# ---------------------------------------------------------------------------------------------
# fuzzing: random text and mutated valid files give an Instance or an InputError, nothing else
# ---------------------------------------------------------------------------------------------
SEEDS = {
    "jobshop": ("ft06.txt", (data_dir() / "jobshop/standard/ft06.txt").read_text()),
    "taillard": ("tai3x3.txt", (DATA / "tai3x3.txt").read_text()),
    "orlib-wt": ("wt3.txt", (DATA / "wt3.txt").read_text()),
    "stg": ("small.stg", (DATA / "small.stg").read_text()),
    "wfcommons": ("tiny_wf.json", (DATA / "tiny_wf.json").read_text()),
    "heft-example": ("h.json", (data_dir() / "dag/canonical/topcuoglu2002_10task.json")
                     .read_text()),
    "moe-examples": ("m.json", (data_dir() / "moe/known_examples.json").read_text()),
    "json": ("i.json", ""),  # an instance document: the json_seed fixture
}
SPECIAL = ["-1", "0", "1", "x", "1.5", "-0", "999999", "99999999999999999999", "1e999", "NaN",
           "#", "{", "}", "[", "]", ":", ",", '"', "null", "true", '""', "[]", "{}", "٣",
           "1_0", "\t", "\x00", "Times", "Machines", "Nb"]

token = st.one_of(st.sampled_from(SPECIAL), st.integers(-10**6, 10**6).map(str))


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        op = draw(st.sampled_from(["del_line", "dup_line", "swap_lines", "del_tok", "dup_tok",
                                   "rep_tok", "rep_tok", "rep_tok"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "del_line":
            del lines[i]
        elif op == "dup_line":
            lines.insert(i, lines[i])
        elif op == "swap_lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            toks = lines[i].split(" ")
            k = draw(st.integers(0, len(toks) - 1))
            if op == "del_tok":
                del toks[k]
            elif op == "dup_tok":
                toks.insert(k, toks[k])
            else:
                toks[k] = draw(token)
            lines[i] = " ".join(toks)
    out = "\n".join(lines)
    if draw(st.integers(0, 5)) == 0:
        out = out[: draw(st.integers(0, len(out)))]
    return out


@pytest.fixture(scope="module")
def json_seed(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("seed") / "s.json"
    write(load("stg50-0000"), out)
    return out.read_text()


def _check(path: Path, fmt: str | None, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    try:
        result = read(path, format=fmt)
    except InputError as err:
        assert "\n" not in str(err)
        assert path.name in str(err)
        assert not SAFETY_NET.search(str(err)), f"safety net hit: {err}"
    else:
        assert isinstance(result, Instance)


SAFETY_NET = re.compile(r"\((ValueError|KeyError|TypeError|IndexError|OverflowError|"
                        r"RecursionError|ZeroDivisionError|AttributeError):")
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_fuzz_mutated(tmp_path: Path, json_seed: str, fmt: str, data: st.DataObject) -> None:
    name, seed = SEEDS[fmt]
    if fmt == "json":
        seed = json_seed
    _check(tmp_path / name, fmt, data.draw(mutated(seed)))


JSON_VALUES = st.sampled_from([-1, 0, 1.5, "x", None, [], {}, [1, 2], [[1, -1]], True, 10**30,
                               "", [[]], {"id": "x"}])


def _leaf_paths(obj, prefix=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield prefix + (key,)
            yield from _leaf_paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield prefix + (i,)
            yield from _leaf_paths(value, prefix + (i,))


@pytest.mark.parametrize("fmt", ["wfcommons", "heft-example", "moe-examples", "json"])
@FUZZ
@given(data=st.data())
def test_fuzz_json_structure(tmp_path: Path, json_seed: str, fmt: str,
                             data: st.DataObject) -> None:
    name, seed = SEEDS[fmt]
    doc = json.loads(json_seed if fmt == "json" else seed)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_leaf_paths(doc))
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(JSON_VALUES))
    _check(tmp_path / name, fmt, json.dumps(doc))


@pytest.mark.parametrize("fmt", [None, *sorted(SEEDS)])
@FUZZ
@given(text=st.text(alphabet=st.sampled_from("0123456789 -\n#.x{}[]\":,TimesNb"),
                    max_size=120))
def test_fuzz_random_text(tmp_path: Path, fmt: str | None, text: str) -> None:
    name = {"orlib-wt": "wt2.txt", "stg": "r.stg"}.get(fmt or "", "r.txt")
    _check(tmp_path / name, fmt, text)


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=64))
def test_fuzz_bytes(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(blob)
    try:
        assert isinstance(read(path), Instance)
    except InputError as err:
        assert "\n" not in str(err) and "b.txt" in str(err)


def test_fuzz_seeds_are_valid(json_seed: str, tmp_path: Path) -> None:
    for fmt, (name, seed) in SEEDS.items():
        path = tmp_path / name
        path.write_text(json_seed if fmt == "json" else seed)
        assert isinstance(read(path, format=fmt), Instance)
    assert np.all(load("stg50-0000").cost >= 1)
