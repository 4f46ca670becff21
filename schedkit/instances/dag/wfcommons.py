"""WfCommons workflow instances (WfFormat JSON, schema versions 1.0-1.6) as DAG instances.

Format: WfFormat, the JSON schema of WfCommons (https://github.com/wfcommons/WfFormat;
R. Ferreira da Silva et al., "WfCommons: A framework for enabling scientific workflow research
and development", Future Generation Computer Systems 128:16-27, 2022). Two layouts are read:

* 1.5 and later: ``workflow.specification.tasks[]`` (``id``, ``parents``, ``children``,
  ``inputFiles``, ``outputFiles``), ``workflow.specification.files[]`` (``id``, ``sizeInBytes``)
  and ``workflow.execution.tasks[]`` (``id``, ``runtimeInSeconds``);
* up to 1.4: ``workflow.tasks[]`` (``workflow.jobs[]`` before 1.3) with ``name``, ``parents``
  (names or ids), ``runtimeInSeconds`` (``runtime`` before 1.4) and ``files[]`` (``name``,
  ``link`` input/output, ``sizeInBytes`` or ``size``).

Tasks keep the file's order. An edge parent -> child carries the total size in bytes of the
files that are an output of the parent and an input of the child.

The platform is not in the file (WfCommons records where tasks ran, not a target machine), so
it comes from options:

``processors`` (default 4)
    Number of processors P.
``speeds``
    P relative speeds (a list, or a comma-separated string); sets P when ``processors`` is not
    given.
``heterogeneity``, ``seed``
    Instead of ``speeds``: draw each speed uniformly from [1 - h/2, 1 + h/2] (0 <= h < 2) with
    ``numpy.random.default_rng(seed)`` (seed default 0). Default: all speeds 1.
``time_scale`` (default 1000)
    Time units per second: costs are integers, ``cost[t][p] = max(1, round(runtime_t ·
    time_scale / speed_p))`` (milliseconds by default).
``bandwidth``
    Bytes per time unit on every link (latency 0), or
``ccr`` (default 1.0 when ``bandwidth`` is not given)
    Communication-to-computation ratio: the bandwidth is set so that the mean communication
    time over the edges divided by the mean cost over tasks and processors equals ``ccr`` (the
    usual way of scaling a workflow's data to a platform, as SAGA and HEFT studies do).

All of these are recorded in ``meta``.

Caps: P <= and n·P <= :data:`~schedkit.instances.dag.model.MAX_COST_ENTRIES` (the options
create the cost matrix); the tasks' costs must add up to at most
:data:`~schedkit.instances._fields.FLOAT_LIMIT` = 1e300, and so must the edges' data, so a
runtime of 1e300 s is an error naming that runtime rather than a DAG of 1e303-unit tasks; the
DAG's own cap (:mod:`~schedkit.instances.dag.model`) then bounds the transfers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._fields import check_float_total, float_total
from ..errors import InputError
from ..text import (
    Options,
    cycle_member,
    get_key,
    get_list,
    get_map,
    get_number,
    get_str,
    json_path,
    parse_json_object,
)
from .model import DAG, MAX_COST_ENTRIES

__all__ = ["read_wfcommons", "SCHEMA_VERSIONS"]

SCHEMA_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6")


class _Graph:
    """Tasks, runtimes (seconds) and edges with data (bytes) as read from the file."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.fields: list[str] = []
        self.runtime: list[float] = []
        self.runtime_fields: list[str] = []
        self.edges: dict[tuple[int, int], float] = {}
        self.index: dict[str, int] = {}

    def add_task(self, key: str, field: str) -> None:
        if key in self.index:
            raise InputError(f"duplicate task id {key!r}", field=field)
        self.index[key] = len(self.ids)
        self.ids.append(key)
        self.fields.append(field)

    def link(self, tasks: list[Mapping[str, Any]], lookup: Mapping[str, int]) -> None:
        """Add the edges of every task's ``parents`` and ``children`` (references via lookup)."""
        for v, task in enumerate(tasks):
            for rel in ("parents", "children"):
                for k, ref in enumerate(get_list(task.get(rel, []),
                                                 json_path(self.fields[v], rel))):
                    where = json_path(self.fields[v], rel, k)
                    other = lookup.get(get_str(ref, where))
                    if other is None:
                        raise InputError(f"unknown task id {ref!r}", field=where)
                    if other == v:
                        raise InputError(f"task {ref!r} cannot depend on itself", field=where)
                    # the two lists usually state each edge twice: keep the first
                    self.edges.setdefault((other, v) if rel == "parents" else (v, other), 0.0)

    def set_edge_data(self, outputs: list[list[str]], inputs: list[set[str]],
                      size: Mapping[str, float]) -> None:
        """Edge data = total size of the parent's outputs that the child reads."""
        for u, v in self.edges:
            # dict.fromkeys: a file listed twice counts once
            self.edges[(u, v)] = float(sum(size.get(f, 0.0) for f in dict.fromkeys(outputs[u])
                                           if f in inputs[v]))


def _file_ids(task: Mapping[str, Any], key: str, field: str, size: Mapping[str, float] | None
              ) -> list[str]:
    ids = get_list(task.get(key, []), json_path(field, key))
    for k, f in enumerate(ids):
        get_str(f, json_path(field, key, k))
        if size is not None and f not in size:
            raise InputError(f"unknown file id {f!r} (not in workflow.specification.files)",
                             field=json_path(field, key, k))
    return ids


def _read_spec_layout(wf: Mapping[str, Any]) -> _Graph:
    """WfFormat 1.5+: specification (structure, files) and execution (runtimes)."""
    spec = get_map(wf["specification"], "workflow.specification")
    tasks = get_list(get_key(spec, "tasks", "workflow.specification"),
                     "workflow.specification.tasks", non_empty=True)
    size: dict[str, float] | None = None
    if spec.get("files") is not None:
        size = {}
        for i, f in enumerate(get_list(spec["files"], "workflow.specification.files")):
            where = json_path("workflow.specification.files", i)
            f = get_map(f, where)
            fid = get_str(get_key(f, "id", where), json_path(where, "id"))
            size[fid] = get_number(get_key(f, "sizeInBytes", where),
                                   json_path(where, "sizeInBytes"), min_value=0)
    g = _Graph()
    spec_tasks = []
    for i, t in enumerate(tasks):
        where = json_path("workflow.specification.tasks", i)
        t = get_map(t, where)
        g.add_task(get_str(get_key(t, "id", where), json_path(where, "id")), where)
        spec_tasks.append(t)
    outputs = [_file_ids(t, "outputFiles", g.fields[i], size) for i, t in enumerate(spec_tasks)]
    inputs = [set(_file_ids(t, "inputFiles", g.fields[i], size))
              for i, t in enumerate(spec_tasks)]
    g.link(spec_tasks, g.index)
    g.set_edge_data(outputs, inputs, size or {})
    execution = get_map(get_key(wf, "execution", "workflow"), "workflow.execution")
    runtime: dict[int, float] = {}
    fields: dict[int, str] = {}
    for i, t in enumerate(get_list(get_key(execution, "tasks", "workflow.execution"),
                                   "workflow.execution.tasks")):
        where = json_path("workflow.execution.tasks", i)
        t = get_map(t, where)
        key = get_str(get_key(t, "id", where), json_path(where, "id"))
        if key not in g.index:
            raise InputError(f"unknown task id {key!r}", field=json_path(where, "id"))
        if g.index[key] in runtime:
            raise InputError(f"second entry for task {key!r}", field=json_path(where, "id"))
        runtime[g.index[key]] = get_number(get_key(t, "runtimeInSeconds", where),
                                           json_path(where, "runtimeInSeconds"), min_value=0)
        fields[g.index[key]] = json_path(where, "runtimeInSeconds")
    for i, key in enumerate(g.ids):
        if i not in runtime:
            raise InputError(f"no entry (runtime) for task {key!r}",
                             field="workflow.execution.tasks")
        g.runtime.append(runtime[i])
        g.runtime_fields.append(fields[i])
    return g


def _read_flat_layout(wf: Mapping[str, Any], key: str) -> _Graph:
    """WfFormat up to 1.4: tasks (``jobs`` up to 1.2) carry runtime and files themselves."""
    tasks = get_list(wf[key], f"workflow.{key}", non_empty=True)
    g = _Graph()
    files: list[tuple[list[str], set[str]]] = []
    size: dict[str, float] = {}
    refs: dict[str, int] = {}
    for i, t in enumerate(tasks):
        where = json_path("workflow", key, i)
        t = get_map(t, where)
        name = get_str(get_key(t, "name", where), json_path(where, "name"))
        g.add_task(name, where)
        # Up to 1.4 tasks refer to each other by name; some files use ids: accept both.
        refs.setdefault(name, i)
        if t.get("id") is not None:
            refs.setdefault(str(t["id"]), i)
        rt_key = "runtimeInSeconds" if "runtimeInSeconds" in t else "runtime"
        g.runtime.append(get_number(get_key(t, rt_key, where), json_path(where, rt_key),
                                    min_value=0))
        g.runtime_fields.append(json_path(where, rt_key))
        outs: list[str] = []
        ins: set[str] = set()
        for k, f in enumerate(get_list(t.get("files", []), json_path(where, "files"))):
            fw = json_path(where, "files", k)
            f = get_map(f, fw)
            fid = get_str(f.get("name", f.get("id")), json_path(fw, "name"))
            size_key = "sizeInBytes" if "sizeInBytes" in f else "size"
            size[fid] = get_number(get_key(f, size_key, fw), json_path(fw, size_key),
                                   min_value=0)
            link = f.get("link")
            if link not in ("input", "output"):
                raise InputError(f"must be 'input' or 'output', got {link!r}",
                                 field=json_path(fw, "link"))
            if link == "output":
                outs.append(fid)
            else:
                ins.add(fid)
        files.append((outs, ins))
    g.link(tasks, refs)
    g.set_edge_data([outs for outs, _ in files], [ins for _, ins in files], size)
    return g


def _speeds(opts: Options) -> tuple[list[float], dict[str, Any]]:
    procs = opts.get_int("processors", None, min_value=1)
    if procs is not None and procs > MAX_COST_ENTRIES:
        raise InputError(f"must be <= {MAX_COST_ENTRIES} (the size cap of a DAG), got {procs}",
                         field="options.processors")
    speeds = opts.get_floats("speeds")
    if speeds is not None:
        if opts.given("heterogeneity"):
            raise InputError("give either speeds or heterogeneity, not both",
                             field="options.heterogeneity")
        if procs is not None and procs != len(speeds):
            raise InputError(f"must list {procs} speeds (processors={procs}), got "
                             f"{len(speeds)}", field="options.speeds")
        return speeds, {}
    procs = procs or 4
    h = opts.get_float("heterogeneity", None, min_value=0.0, max_value=2.0)
    if h is None:
        return [1.0] * procs, {}
    seed = opts.get_int("seed", 0, min_value=0)
    rng = np.random.default_rng(seed)
    drawn = rng.uniform(1.0 - h / 2, 1.0 + h / 2, procs)
    return [float(s) for s in drawn], {"heterogeneity": h, "seed": seed}


def read_wfcommons(text: str, path: Path, opts: Options) -> DAG:
    """Read a WfFormat instance and put it on the platform given by the options."""
    speeds, platform = _speeds(opts)
    time_scale = opts.get_float("time_scale", 1000.0, positive=True)
    if opts.given("bandwidth") and opts.given("ccr"):
        raise InputError("give either bandwidth or ccr, not both", field="options.ccr")
    bandwidth = opts.get_float("bandwidth", None, positive=True)
    ccr = opts.get_float("ccr", 1.0, positive=True)

    doc = parse_json_object(text)
    version = get_key(doc, "schemaVersion", "")
    if version not in SCHEMA_VERSIONS:
        raise InputError(f"unsupported WfFormat version {version!r} (this reader knows "
                         f"{', '.join(SCHEMA_VERSIONS)})", field="schemaVersion")
    wf = get_map(get_key(doc, "workflow", ""), "workflow")
    if "specification" in wf:
        g = _read_spec_layout(wf)
    elif "tasks" in wf or "jobs" in wf:
        g = _read_flat_layout(wf, "tasks" if "tasks" in wf else "jobs")
    else:
        raise InputError("has neither 'specification' (WfFormat 1.5+) nor 'tasks' (up to 1.4)",
                         field="workflow")
    preds: list[list[int]] = [[] for _ in g.ids]
    for u, v in g.edges:
        preds[v].append(u)
    t = cycle_member(preds)
    if t is not None:
        raise InputError(f"the task graph has a cycle through task {g.ids[t]!r}",
                         field=json_path(g.fields[t], "parents"))

    if len(g.ids) * len(speeds) > MAX_COST_ENTRIES:
        raise InputError(f"{len(g.ids)} tasks x {len(speeds)} processors = "
                         f"{len(g.ids) * len(speeds)} cost entries, must be <= "
                         f"{MAX_COST_ENTRIES} (the size cap of a DAG)",
                         field="options.speeds" if opts.given("speeds") else
                         "options.processors")
    runtime = np.asarray(g.runtime, dtype=np.float64)
    speed = np.asarray(speeds, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        cost = np.maximum(1.0, np.floor(runtime[:, None] * time_scale / speed[None, :] + 0.5))
    longest = cost.max(axis=1)
    k = int(np.argmax(longest))
    check_float_total(float_total(longest), g.runtime_fields[k],
                      f"runtime {g.runtime[k]:g} s (cost {longest[k]:g} at time_scale "
                      f"{time_scale:g} and the slowest speed)", "the tasks' total cost")
    edges = [[u, v] for u, v in g.edges]
    data = np.asarray(list(g.edges.values()), dtype=np.float64)
    if data.size:
        i = int(np.argmax(data))
        u, v = edges[i]
        check_float_total(float_total(data), json_path(g.fields[v], "parents"),
                          f"{data[i]:g} bytes on the edge {g.ids[u]!r} -> {g.ids[v]!r}",
                          "the edges' total data")
    mean_data = float(data.mean()) if data.size else 0.0
    if bandwidth is None:
        # Zero data everywhere: no bandwidth gives the ratio, and any value is exact (1 then).
        bandwidth = mean_data / (ccr * float(cost.mean())) if mean_data > 0 else 1.0
    realised = mean_data / bandwidth / float(cost.mean()) if mean_data > 0 else None
    if realised is not None and not np.isfinite(realised):
        realised = None
    meta: dict[str, Any] = {
        "format": "wfcommons",
        "source_file": path.name,
        "workflow": doc.get("name") if isinstance(doc.get("name"), str) else None,
        "schema_version": version,
        "task_ids": list(g.ids),
        "time_scale": int(time_scale) if time_scale.is_integer() else time_scale,
        "time_unit": f"1/{time_scale:g} s",
        "edge_data_unit": "bytes",
        "speeds": speeds,
        "bandwidth": bandwidth,
        "ccr": realised,
        **platform,
    }
    return DAG(processors=len(speeds), cost=cost, edges=edges, edge_data=data,
               bandwidth=bandwidth, latency=0.0, name=path.stem, meta=meta)
