"""A corpus of malformed inputs, every one through the command line.

Every format of :data:`schedkit.FORMATS` and all five problems: overflowing objectives, size
caps, the Taillard permutation rule, truncated files, wrong types, negative values, huge
integers, NaN and infinity, empty files, wrong nesting. Each input must give exit status 2, no
traceback and exactly one line on stderr that names the file and the line or the field.

The cases of ``tests/test_readers.py`` (``MALFORMED``) run here through the CLI too.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import schedkit as sk
from schedkit.cli import main

from .cases import DATA, write_file
from .test_readers import HEFT, MALFORMED, MOE, STG, TA


def _doc(problem: str, data: dict[str, Any], **extra: Any) -> str:
    return json.dumps({"schema": "schedkit/instance@1", "problem": problem, "data": data,
                       **extra}, indent=1)


def _js(**job: Any) -> str:
    """A one-job job shop whose job has the given keys (operations defaulted)."""
    job.setdefault("operations", [{"machine": 0, "duration": 3}])
    return _doc("jobshop", {"machines": 1, "jobs": [job]})


def _sm(**data: Any) -> str:
    return _doc("single_machine", {"processing": [3, 2], "due": [4, 4], **data})


def _dag(**data: Any) -> str:
    return _doc("dag", {"processors": 2, "cost": [[2, 3], [4, 1]], "edges": [[0, 1, 6]],
                        **data})


def _ep(**data: Any) -> str:
    base: dict[str, Any] = {"gpus": 2, "gpus_per_node": 1, "slots_per_gpu": 2,
                            "load": [[4, 2, 2], [1, 1, 6]]}
    return _doc("expert_placement", {**base, **data})


SP_COST = {"a1": 1e-8, "a2": 2.5e-4, "b1": 0.005, "comm_bytes_per_token": 2097152,
           "bandwidth": {"2": 150, "4": 20}}


def _sp(cost: dict[str, Any] | None = None, **data: Any) -> str:
    base: dict[str, Any] = {"devices": 4, "devices_per_node": 2, "memory_tokens": 100,
                            "degrees": [1, 2, 4], "lengths": [50, 120, 300],
                            "cost": {**SP_COST, **(cost or {})}}
    return _doc("sequence_parallel", {**base, **data})


def _wf(edit: Callable[[dict[str, Any]], Any], base: str = "tiny_wf.json") -> str:
    doc = json.loads((DATA / base).read_text())
    edit(doc)
    return json.dumps(doc, indent=1)


def _exec_tasks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = doc["workflow"]["execution"]["tasks"]
    return tasks


def _files(doc: dict[str, Any]) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = doc["workflow"]["specification"]["files"]
    return files


def _edit(doc: Any, edit: Callable[[Any], Any]) -> str:
    doc = copy.deepcopy(doc)
    edit(doc)
    return json.dumps(doc, indent=1)


def _heft(edit: Callable[[dict[str, Any]], Any]) -> str:
    return _edit(HEFT, edit)


def _moe(edit: Callable[[dict[str, Any]], Any]) -> str:
    return _edit(MOE, edit)


def _first_example(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["examples"][0][key] = value
    return edit


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc[key] = value
    return edit


JS_TEXT = "2 3\n0 1 1 2 2 3\n0 3 1 5 2 4\n"
WT = "1 2\n3 4\n5 6\n"  # wt2.txt: processing 1 2, weights 3 4, due dates 5 6
BIG = 2**52
MOE_G = 16384  # num_gpus above the cap, with num_replicas / num_nodes kept consistent

# (format or None to detect, file name, content, options, location, message part).
# The location is "<name>:<line>: " or a field name; None only for an empty file.
CASES: list[tuple[str | None, str, str | bytes, tuple[str, ...], str | None, str]] = [
    # --- json: jobshop ------------------------------------------------------------------
    ("json", "j.json", _doc("jobshop", {"machines": 1, "jobs": [
        {"operations": [{"machine": 0, "duration": BIG}]},
        {"operations": [{"machine": 0, "duration": BIG}]}]}),
     (), "data.jobs[0].operations[0].duration", "not below 2**53"),
    ("json", "j.json", _js(operations=[{"machine": 0, "duration": 2**20}], weight=2**40), (),
     "data.jobs[0].weight", "sum of weights"),
    ("json", "j.json", _js(release=2**53 + 1), (), "data.jobs[0].release", "must be <="),
    ("json", "j.json", _js(release=2**53 - 2), (), "data.jobs[0].release", "not below 2**53"),
    ("json", "j.json", _js(due=-(2**53) + 2), (), "data.jobs[0].due", "min due date"),
    ("json", "j.json", _doc("jobshop", {"machines": 10**7, "jobs": [
        {"operations": [{"machine": 0, "duration": 1}]}]}), (), "data.machines", "size cap"),
    ("json", "j.json", _doc("jobshop", {"machines": "3", "jobs": [
        {"operations": [{"machine": 0, "duration": 1}]}]}), (), "data.machines",
     "must be an integer"),
    ("json", "j.json", _js(operations=[{"machine": 0, "duration": -1}]), (),
     "data.jobs[0].operations[0].duration", "must be >= 0"),
    ("json", "j.json", _js(operations=[{"machine": 0, "duration": 1.5}]), (),
     "data.jobs[0].operations[0].duration", "must be an integer"),
    ("json", "j.json", _js(operations=[{"machine": 0, "duration": 10**100}]), (),
     "data.jobs[0].operations[0].duration", "must be <="),
    ("json", "j.json", _js().replace('"duration": 3', '"duration": 1e999'), (), "j.json:11: ",
     "number too large"),
    ("json", "j.json", _js().replace('"duration": 3', '"duration": NaN'), (), "j.json:11: ",
     "NaN"),
    ("json", "j.json", _js().replace('"duration": 3', '"duration": -Infinity'), (),
     "j.json:11: ", "Infinity"),
    ("json", "j.json", _js(operations=[{"machine": 4, "duration": 1}]), (),
     "data.jobs[0].operations[0].machine", "out of range"),
    ("json", "j.json", _js(operations=[[0, 3]]), (), "data.jobs[0].operations[0]",
     "must be an object"),
    ("json", "j.json", _doc("jobshop", {"machines": 1, "jobs": {}}), (), "data.jobs",
     "non-empty list"),
    ("json", "j.json", _doc("jobshop", {"machines": 1, "jobs": []}), (), "data.jobs",
     "non-empty list"),
    ("json", "j.json", _js(weight=True), (), "data.jobs[0].weight", "must be an integer"),
    ("json", "j.json", _js()[:70], (), "j.json:", "invalid JSON"),
    ("json", "j.json", json.dumps({"schema": "schedkit/instance@1", "problem": "jobshop"}),
     (), "data", "is missing"),
    ("json", "j.json", _doc("flowshop", {}), (), "problem", "unknown problem"),
    # --- json: single_machine -------------------------------------------------------------
    ("json", "s.json", _sm(processing=[BIG, BIG]), (), "data.processing[0]",
     "not below 2**53"),
    ("json", "s.json", _sm(due=[2**53 - 1, 0]), (), "data.due[0]", "max |due date|"),
    ("json", "s.json", _sm(processing=[2**30, 2**30], weight=[2**24, 1]), (),
     "data.weight[0]", "sum of weights"),
    ("json", "s.json", _sm(processing=[10**100, 1]), (), "data.processing[0]",
     "integer too large"),
    ("json", "s.json", _sm(processing=[1, 2**63]), (), "data.processing[1]",
     "integer too large"),
    ("json", "s.json", _sm(processing=[1.5, 2]), (), "data.processing[0]",
     "must be an integer"),
    ("json", "s.json", _sm(due=[1, 2, 3]), (), "data.due", "must have 2 entries"),
    ("json", "s.json", _sm(processing="abc"), (), "data.processing", "must be a list"),
    ("json", "s.json", _sm(processing=[[1], [2]]), (), "data.processing[0]",
     "must be an integer"),
    ("json", "s.json", _sm(processing=[], due=[]), (), "data.processing", "at least one job"),
    ("json", "s.json", _sm(processing=[-3, 2]), (), "data.processing[0]", "must be >= 0"),
    ("json", "s.json", _sm(release=[0, 1]).replace('"release": [\n   0', '"release": [\n 1e400'),
     (), "s.json:", "number too large"),
    ("json", "s.json", _sm(processing=[True, 2]), (), "data.processing[0]",
     "must be an integer"),
    ("json", "s.json", _sm(priority=[1, 2]), (), "data.priority", "unknown field"),
    # --- json: dag --------------------------------------------------------------------------
    ("json", "d.json", _dag(cost=[[1e300, 1], [1e300, 1]]), (), "data.cost[0][0]",
     "above the cap 1e+300"),
    ("json", "d.json", _dag(edges=[[0, 1, 1e10]], bandwidth=1e-300), (), "data.edges[0]",
     "bandwidth 1e-300"),
    ("json", "d.json", _dag(latency=[1e301, 0]), (), "data.edges[0]", "latency 1e+301"),
    ("json", "d.json", _dag(cost=[[2, -3], [4, 1]]), (), "data.cost[0][1]", "must be >= 0"),
    ("json", "d.json", _dag(cost=[[2, 3], [4]]), (), "data.cost", "rectangular"),
    ("json", "d.json", _dag(edges=[[0, 1, 6], [1, 0, 2]]), (), "data.edges", "cycle"),
    ("json", "d.json", _dag(edges=[[0, 10**30, 6]]), (), "data.edges[0][1]",
     "integer too large"),
    ("json", "d.json", _dag(edges=[[0]]), (), "data.edges[0]", "triple"),
    ("json", "d.json", _dag(processors=0), (), "data.processors", "must be >= 1"),
    ("json", "d.json", _dag(bandwidth=0), (), "data.bandwidth", "must be > 0"),
    ("json", "d.json", _dag(bandwidth="fast"), (), "data.bandwidth", "finite number"),
    ("json", "d.json", _dag(latency=-1), (), "data.latency", "must be >= 0"),
    ("json", "d.json", _dag(cost=[[2, 3], [4, 10**400]]), (), "data.cost[1][1]",
     "number too large"),
    ("json", "d.json", _dag(cost=[[2, 3], [7777, 1]]).replace("7777", "1e999"), (),
     "d.json:", "number too large"),
    ("json", "d.json", _dag(cost=[[[2], [3]], [[4], [1]]]), (), "data.cost[0][0]",
     "must be a finite number"),
    # --- json: expert_placement -------------------------------------------------------------
    ("json", "e.json", _ep(load=[[1e300, 1e300, 1]]), (), "data.load[0][0]",
     "above the cap 1e+300"),
    ("json", "e.json", _ep(cost={"per_token": 1e300}), (), "data.cost.per_token",
     "above the cap 1e+300"),
    ("json", "e.json", _ep(traffic=[[[1, 2, 3]] * 3], cost={"inter_node": 1e305}), (),
     "data.cost.inter_node", "above the cap 1e+300"),
    ("json", "e.json", _ep(gpus=10**6), (), "data.gpus", "size cap"),
    ("json", "e.json", _ep(gpus=8192, slots_per_gpu=3, gpus_per_node=1,
                           load=[[1, 1, 1]] * 3000), (), "data.slots_per_gpu", "size cap"),
    ("json", "e.json", _ep(gpus_per_node=3), (), "data.gpus_per_node", "must divide"),
    ("json", "e.json", _ep(load=[[4, -2, 2], [1, 1, 6]]), (), "data.load[0][1]",
     "must be >= 0"),
    ("json", "e.json", _ep(slots_per_gpu=1), (), "data.slots_per_gpu", "every expert"),
    ("json", "e.json", _ep(traffic=[[1, 2, 3]]), (), "data.traffic[0][0]", "must be a list"),
    ("json", "e.json", _ep(load="heavy"), (), "data.load", "must be a list"),
    ("json", "e.json", _ep(cost={"per_token": 1}).replace('"per_token": 1',
                                                         '"per_token": Infinity'), (),
     "e.json:", "Infinity"),
    # --- json: sequence_parallel ------------------------------------------------------------
    ("json", "p.json", _sp({"a1": 1e308}), (), "data.cost.a1", "above the cap 1e+300"),
    ("json", "p.json", _sp({"b1": 1e300}), (), "data.cost.b1", "above the cap 1e+300"),
    ("json", "p.json", _sp({"bandwidth": {"2": 150, "4": 1e-305}}), (),
     "data.cost.bandwidth.4", "above the cap 1e+300"),
    ("json", "p.json", _sp({"comm_bytes_per_token": 1e308}), (),
     "data.cost.comm_bytes_per_token", "above the cap 1e+300"),
    ("json", "p.json", _sp(devices=2**21, devices_per_node=1), (), "data.devices",
     "size cap"),
    ("json", "p.json", _sp(memory_tokens=2**53), (), "data.memory_tokens", "exact"),
    ("json", "p.json", _sp(memory_tokens=2**51, lengths=[BIG, BIG]), (), "data.lengths[0]",
     "total token count"),
    ("json", "p.json", _sp(lengths=[0, 5]), (), "data.lengths[0]", "must be >= 1"),
    ("json", "p.json", _sp(degrees=[2, 1]), (), "data.degrees", "increasing"),
    ("json", "p.json", _sp({"bandwidth": {"2": 150}}), (), "data.cost.bandwidth",
     "no bandwidth for degree 4"),
    ("json", "p.json", _sp({"a1": "x"}), (), "data.cost.a1", "finite number"),
    ("json", "p.json", _doc("sequence_parallel", {
        "devices": 4, "devices_per_node": 2, "memory_tokens": 100, "degrees": [1],
        "lengths": [5], "cost": [SP_COST]}), (), "data.cost", "must be an object"),
    ("json", "p.json", _sp(lengths=[50, 1000]), (), "data.lengths[1]", "exceeds the memory"),
    ("json", "p.json", _sp({"a1": -1}), (), "data.cost.a1", "must be >= 0"),
    ("json", "p.json", _sp({"a1": 1}).replace('"a1": 1', '"a1": NaN'), (), "p.json:",
     "NaN"),
    # --- jobshop text -----------------------------------------------------------------------
    ("jobshop", "j.txt", "1000000000000000 3\n0 1 1 2 2 3\n", (), "j.txt:2: ", "announces"),
    ("jobshop", "j.txt", f"2 2\n0 {BIG} 1 1\n0 {BIG} 1 1\n", (), "j.txt:2: ",
     "not below 2**53"),
    ("jobshop", "j.txt", "2 0\n\n", (), "j.txt:1: ", "must be >= 1"),
    ("jobshop", "j.txt", "2.0 3\n" + JS_TEXT[4:], (), "j.txt:1: ", "must be an integer"),
    ("jobshop", "j.txt", "-2 3\n" + JS_TEXT[4:], (), "j.txt:1: ", "must be >= 1"),
    ("jobshop", "j.txt", JS_TEXT.replace("2 3\n0 1", "2 3\n0 nan"), (), "j.txt:2: ",
     "got 'nan'"),
    ("jobshop", "j.txt", JS_TEXT.replace("5 2 4", "5 2 inf"), (), "j.txt:3: ", "got 'inf'"),
    ("jobshop", "j.txt", "99999999999999999999 3\n" + JS_TEXT[4:], (), "j.txt:1: ",
     "too large"),
    ("jobshop", "j.txt", JS_TEXT[:-6], (), "j.txt:3: ", "expected 6"),
    # --- taillard ---------------------------------------------------------------------------
    ("taillard", "t.txt", TA.replace("Machines\n1 2\n2 1", "Machines\n1 2\n2 2"), (),
     "t.txt:8: ", "exactly once"),
    ("taillard", "t.txt", TA.replace("Machines\n1 2\n2 1", "Machines\n1 1\n2 1"), (),
     "t.txt:7: ", "machine 1 appears twice"),
    ("taillard", "t.txt", TA + TA.replace("Machines\n1 2\n2 1", "Machines\n1 2\n1 1"),
     ("instance=2",), "t.txt:16: ", "instance 2"),
    ("taillard", "t.txt", TA.replace("1 2\n3 4", f"{BIG} 2\n{BIG} 4"), (), "t.txt:4: ",
     "not below 2**53"),
    ("taillard", "t.txt", "5000000000 2\n1 2\n", (), "t.txt:2: ", "announces 5000000000"),
    ("taillard", "t.txt", TA.replace("3 4", "3 inf"), (), "t.txt:5: ", "got 'inf'"),
    ("taillard", "t.txt", TA.replace("Times\n", "Times\n1 2\n"), (), "t.txt:6: ",
     "must be <= 2"),
    ("taillard", "t.txt", "", (), None, "empty"),
    # --- orlib-wt ---------------------------------------------------------------------------
    ("orlib-wt", "wt999.txt", WT, (), "n", "needs 3*n = 2997"),
    ("orlib-wt", "wt2.txt", WT, ("n=100",), "n", "needs 3*n = 300"),
    ("orlib-wt", "wt2.txt", f"{BIG} {BIG}\n3 4\n5 6\n", (), "wt2.txt:1: ",
     "not below 2**53"),
    ("orlib-wt", "wt2.txt", WT.replace("3 4", "3 nan"), (), "wt2.txt:2: ", "got 'nan'"),
    ("orlib-wt", "wt2.txt", WT.replace("5 6", "5 99999999999999999999"), (), "wt2.txt:3: ",
     "too large"),
    ("orlib-wt", "wt2.txt", WT, ("instance=2",), "options.instance", "holds 1 instances"),
    ("orlib-wt", "wt2.txt", WT.replace("3 4", "3.5 4"), (), "wt2.txt:2: ",
     "must be an integer"),
    # --- stg --------------------------------------------------------------------------------
    ("stg", "g.stg", "1000000000000\n0 0 0\n1 2 1 0\n", (), "g.stg:3: ", "announces"),
    ("stg", "g.stg", STG, ("processors=100000000",), "options.processors", "size cap"),
    ("stg", "g.stg", STG.replace("2 3 1 1", "2 inf 1 1"), (), "g.stg:4: ", "got 'inf'"),
    ("stg", "g.stg", STG.replace("2 3 1 1", f"2 {2**60} 1 1"), (), "g.stg:4: ", "too large"),
    ("stg", "g.stg", STG[:18], (), "g.stg:4: ", "the header announces n = 3"),
    ("stg", "g.stg", STG.replace("2 3 1 1", "2 3"), (), "g.stg:4: ", "expected 'id cost"),
    ("stg", "g.stg", STG, ("processors=0",), "options.processors", "must be >= 1"),
    ("stg", "g.stg", STG.replace("1 2 1 0", "1 -2 1 0"), (), "g.stg:3: ", "must be >= 0"),
    # --- wfcommons --------------------------------------------------------------------------
    ("wfcommons", "w.json", _wf(lambda d: _exec_tasks(d)[1].update(runtimeInSeconds=1e300)),
     (), "workflow.execution.tasks[1].runtimeInSeconds", "above the cap 1e+300"),
    ("wfcommons", "w.json", _wf(lambda d: [f.update(sizeInBytes=1.5e308)
                                           for f in _files(d)]), (),
     "workflow.specification.tasks[", "above the cap 1e+300"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text(), ("processors=1000000000",),
     "options.processors", "size cap"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text(), ("speeds=1,inf",),
     "options.speeds[1]", "finite"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text(), ("time_scale=1e307",),
     "workflow.execution.tasks[1].runtimeInSeconds", "above the cap 1e+300"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text(), ("bandwidth=1e-300",),
     "data.edges[", "bandwidth 1e-300"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text(), ("ccr=nan",),
     "options.ccr", "finite"),
    ("wfcommons", "w.json", "[1, 2]", (), "w.json:1: ", "must be a JSON object"),
    ("wfcommons", "w.json", _wf(lambda d: _exec_tasks(d)[0].update(runtimeInSeconds=1.0)
                                ).replace('"runtimeInSeconds": 1.0',
                                          '"runtimeInSeconds": NaN'), (), "w.json:", "NaN"),
    ("wfcommons", "w.json", _wf(lambda d: d.update(workflow=[])), (), "workflow",
     "must be an object"),
    ("wfcommons", "w.json", _wf(lambda d: _exec_tasks(d)[0].update(runtimeInSeconds=[1])),
     (), "workflow.execution.tasks[0].runtimeInSeconds", "must be a number"),
    ("wfcommons", "w.json", (DATA / "tiny_wf.json").read_text()[:300], (), "w.json:",
     "invalid JSON"),
    ("wfcommons", "w.json", _wf(lambda d: d["workflow"]["tasks"][0].update(
        runtimeInSeconds=10**400), "tiny_wf_v14.json"), (),
     "workflow.tasks[0].runtimeInSeconds", "number too large"),
    # --- heft-example -----------------------------------------------------------------------
    ("heft-example", "h.json", _heft(lambda d: d["exec_time"][0].__setitem__(0, 1e300)
                                     or d["exec_time"][1].__setitem__(0, 1e300)), (),
     "exec_time[0][0]", "above the cap 1e+300"),
    ("heft-example", "h.json", _heft(lambda d: [e.__setitem__(2, 1e300)
                                                for e in d["edges"]]), (), "data.edges[",
     "above the cap 1e+300"),
    ("heft-example", "h.json", _heft(lambda d: d["exec_time"][2].__setitem__(1, 10**400)),
     (), "exec_time[2][1]", "number too large"),
    ("heft-example", "h.json", "[[1, 2], [3, 4]]", (), "h.json:1: ", "must be a JSON object"),
    ("heft-example", "h.json", _heft(lambda d: d["edges"].__setitem__(0, [[0, 1, 18]])), (),
     "edges[0]", "[u, v, comm]"),
    ("heft-example", "h.json", _heft(lambda d: d["exec_time"][0].__setitem__(0, 0.5)
                                     ).replace("0.5", "NaN", 1), (), "h.json:", "NaN"),
    ("heft-example", "h.json", _heft(lambda d: d.update(exec_time="fast")), (), "exec_time",
     "must be a list"),
    # --- moe-examples -----------------------------------------------------------------------
    ("moe-examples", "m.json", _moe(lambda d: d["examples"][0].update(
        weight=[[1e300] * 12, [1e300] * 12])), (), "examples[0].weight[0][0]",
     "above the cap 1e+300"),
    ("moe-examples", "m.json", _moe(lambda d: d["examples"][0].update(
        num_gpus=MOE_G, num_replicas=MOE_G)), (), "examples[0].num_gpus", "size cap"),
    ("moe-examples", "m.json", _moe(_first_example("weight", [[1, 2], [3, [4]]])), (),
     "examples[0].weight[1][1]", "must be a finite number"),
    ("moe-examples", "m.json", "[1]", (), "m.json:1: ", "must be a JSON object"),
    ("moe-examples", "m.json", _moe(_first_example("num_gpus", 2.5)), (),
     "examples[0].num_gpus", "must be an integer"),
    ("moe-examples", "m.json", _moe(_first_example("num_gpus", "8")), (),
     "examples[0].num_gpus", "must be a number"),
    ("moe-examples", "m.json", MOE and (DATA.parent.parent / "schedkit" / "data" / "moe"
                                        / "known_examples.json").read_text(), ("example=nope",),
     "options.example", "unknown example"),
    ("moe-examples", "m.json", _moe(_first_example("weight", [[0.5] * 12] * 2)).replace(
        "0.5", "-Infinity", 1), (), "m.json:", "Infinity"),
    ("moe-examples", "m.json", _moe(_set("examples", {"a": 1})), (), "examples",
     "must be a list"),
]


def _id(case: tuple[Any, ...]) -> str:
    fmt, name, _, options, where, message = case
    tag = re.sub(r"[^a-z0-9]+", "_", f"{where or 'file'}-{message}".lower())[:40]
    return f"{fmt}-{tag}" + ("-opt" if options else "")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def check_one_line(code: int, stderr: str, name: str) -> str:
    """Exit 2, one line on stderr, no traceback, the file named; returns the line."""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and name in lines[0], stderr
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_malformed_input_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         case: tuple[Any, ...]) -> None:
    fmt, name, content, options, where, message = case
    path = write_file(tmp_path, name, content)
    args = ["info", str(path)]
    if fmt is not None:
        args += ["--format", fmt]
    for option in options:
        args += ["-I", option]
    line = check_one_line(*run(capsys, *args), name)
    if where is None:
        assert "empty" in line
    elif re.search(r":\d+: $", where) or where.endswith(":"):
        assert where in line, line  # the line
    else:
        if where.startswith("options."):  # a reader option: the CLI names its flag (issue 14)
            where = "--input-option " + where.removeprefix("options.")
        assert re.search(rf" {re.escape(where)}[\w.\[\]]*: ", line), line  # the field
    assert message in line, line


@pytest.mark.parametrize("case", MALFORMED, ids=[f"readers-{i}" for i in range(len(MALFORMED))])
def test_reader_cases_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      case: tuple[Any, ...]) -> None:
    fmt, name, content, line_no, field, message = case
    path = write_file(tmp_path, name, content)
    line = check_one_line(*run(capsys, "info", str(path), "--format", fmt), name)
    if line_no is not None:
        assert f"{name}:{line_no}: " in line, line
    if field is not None:
        assert f" {field}" in line, line
    if line_no is None and field is None:
        # Nothing to point at but the file itself (empty), or a one-line document whose
        # error gives the column.
        assert "empty" in line or re.search(r"\(column \d+\)", line), line
    assert message in line, line


def test_corpus_covers_every_format_and_problem() -> None:
    formats = {c[0] for c in CASES} | {c[0] for c in MALFORMED}
    assert formats == set(sk.FORMATS)
    problems = {json.loads(c[2])["problem"] for c in CASES
                if c[0] == "json" and isinstance(c[2], str) and c[2].lstrip().startswith("{")
                and '"problem"' in c[2] and _parses(c[2])}
    assert set(sk.GENERATORS) <= problems
    assert len(CASES) + len(MALFORMED) >= 100


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# --- generator size caps through the CLI ----------------------------------------------------------
GENERATE = [
    (("jobshop", "--jobs", "99999999999999999999"), "generate.jobs", "size cap"),
    (("jobshop", "--jobs", "3000", "--machines", "2000"), "generate.jobs", "size cap"),
    (("jobshop", "--machines", "2000000", "--jobs", "1"), "generate.machines", "<= 1000000"),
    (("jobshop", "--high", "100000000000000"), "generate.high", "2**53"),
    (("jobshop", "--max-release", str(2**53)), "generate.max_release", "2**53"),
    (("jobshop", "--due-dates", "--due-factor", "1e300"), "generate.due_factor", "2**53"),
    (("single-machine", "--n", "3000000"), "generate.n", "size cap"),
    (("dag", "--tasks", "300000"), "generate.tasks", "size cap"),
    (("dag", "--tasks", "10000", "--processors", "10000"), "generate.processors", "size cap"),
    (("dag", "--tasks", "100000", "--out-degree", "100"), "generate.out_degree", "size cap"),
    (("dag", "--mean-cost", str(2**51)), "generate.mean_cost", "exact integers"),
    (("dag", "--ccr", "1e300"), "generate.ccr", "2**53"),
    (("dag", "--ccr", "nan"), "generate.ccr", "finite"),
    (("expert-placement", "--experts", "5000", "--traffic"), "generate.experts", "size cap"),
    (("expert-placement", "--layers", "100000", "--experts", "200"), "generate.layers",
     "size cap"),
    (("expert-placement", "--gpus", "9000"), "generate.gpus", "size cap"),
    (("expert-placement", "--tokens", str(2**60)), "generate.tokens", "2**53"),
    (("expert-placement", "--traffic", "--inter-node", "1e300"), "generate.inter_node",
     "above the cap"),
    (("sequence-parallel", "--sequences", "20000000"), "generate.sequences", "size cap"),
    (("sequence-parallel", "--devices", "2000000"), "generate.devices", "size cap"),
    (("sequence-parallel", "--memory-tokens", str(2**53)), "generate.memory_tokens", "exact"),
    (("sequence-parallel", "--preset", "7b-est", "--mfu", "1e-300"), "generate.mfu",
     "above the cap"),
    (("sequence-parallel", "--preset", "7b-est", "--group-overhead", "1e299"),
     "generate.group_overhead", "above the cap"),
    (("sequence-parallel", "--preset", "7b-est", "--inter-bandwidth", "1e-300"),
     "generate.inter_bandwidth", "above the cap"),
]


@pytest.mark.parametrize(("args", "field", "message"), GENERATE,
                         ids=[f"{a[0]}-{f}" for a, f, _ in GENERATE])
def test_generator_caps_through_the_cli(capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                        field: str, message: str) -> None:
    # The library names the generator's keyword (generate.<name>); the CLI the flag the user
    # typed (issue 14): --<name>, and --jobs for the single-machine generator's `n`.
    name = field.removeprefix("generate.")
    flag = "--" + {"n": "jobs"}.get(name, name).replace("_", "-")
    line = check_one_line(*run(capsys, "generate", *args), flag)
    assert f"error: {flag}: " in line and message in line, line
