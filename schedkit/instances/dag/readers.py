"""Task-graph file formats: Kasahara's Standard Task Graphs (``stg``) and the HEFT paper's
sample DAG (``heft-example``); WfCommons workflows are in :mod:`.wfcommons`.

``stg`` — Kasahara's Standard Task Graph (STG) format, the set without communication costs.

Format (T. Tobita & H. Kasahara, "A standard task graph set for fair evaluation of
multiprocessor scheduling algorithms", Journal of Scheduling 5(5):379-394, 2002; files of
http://www.kasahara.cs.waseda.ac.jp/schedule/)::

    n
    0      0   0                      dummy entry task, cost 0
    <id> <cost> <n_pred> <pred> ...   tasks 1..n
    n+1    0   <n_pred> <pred> ...    dummy exit task, cost 0
    # metadata lines

Ids must be 0..n+1 in order. The reader drops the two dummies, so task ``i`` of the file becomes
task ``i-1`` of the :class:`~schedkit.instances.dag.model.DAG`; predecessors may be listed in any
order (the published files are topologically numbered, the reader does not need it) and a cycle
is an error. The processors are identical (option ``processors=``, default 4), so the cost
matrix has P equal columns, and edges carry no data: the problem P|prec|Cmax. The header's n
is checked against the file (n + 2 task lines must follow) before any task is read, and
n·P may not exceed :data:`~schedkit.instances.dag.model.MAX_COST_ENTRIES`.

Bounds: for a file ``<dir>/<n>/<name>.stg`` the reader looks in ``<dir>/optimal/`` for
``stg_rnc_50_100_optimal.csv`` (the STG optimal-schedule table, keyed ``<n>/<name>.stg`` and the
processor count; a row whose task count differs is ignored) and tightens a matching row with
``cpsat_closed_bounds.csv`` (this project's CP-SAT runs) where that has one. The writer needs
identical processors and edges without data.

``heft-example`` — the 10-task, 3-processor sample DAG of H. Topcuoglu, S. Hariri & M.-Y. Wu,
"Performance-effective and low-complexity task scheduling for heterogeneous computing",
IEEE TPDS 13(3):260-274, 2002 (Fig. 2), transcribed as ``{"exec_time": N×P, "edges": [[u, v,
comm], …], "n_tasks", "n_procs", "reference_makespans": {"HEFT", "CPOP", "optimal"}}``. The
communication cost of an edge is its data with unit bandwidth and no latency; the optimum (73,
proved with CP-SAT by this project) becomes the bounds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .._fields import float_array
from ..base import Bounds, Instance
from ..errors import InputError
from ..text import (
    Format,
    Options,
    check_rows_left,
    cycle_member,
    file_cache,
    get_count,
    get_key,
    get_list,
    get_map,
    get_number,
    iter_lines,
    json_path,
    parse_json_object,
    read_csv_rows,
    renamed,
    to_int,
)
from .model import DAG, MAX_COST_ENTRIES
from .wfcommons import read_wfcommons

__all__ = ["FORMATS", "read_stg", "write_stg", "stg_name", "read_heft_example"]

_TABLE = "stg_rnc_50_100_optimal.csv"
_CLOSED = "cpsat_closed_bounds.csv"
_RAND = re.compile(r"rand(\d+)")


def stg_name(path: Path) -> str:
    """``50/rand0000.stg`` -> ``stg50-0000``; other files keep their stem."""
    match = _RAND.fullmatch(path.stem)
    if match and path.parent.name.isdigit():
        return f"stg{path.parent.name}-{match.group(1)}"
    return path.stem


@file_cache
def _table(path: Path) -> dict[tuple[str, int], tuple[int, int, int]]:
    """``(file, procs) -> (n_tasks, lower, upper)`` of the STG optimal-schedule table."""
    out = {}
    for line, row in read_csv_rows(path, ("file", "n_tasks", "n_procs", "lower_bound",
                                          "upper_bound")):
        vals = [to_int(row[c], line, c, min_value=0)
                for c in ("n_tasks", "n_procs", "lower_bound", "upper_bound")]
        out[(row["file"], vals[1])] = (vals[0], vals[2], vals[3])
    return out


@file_cache
def _closed(path: Path) -> dict[tuple[str, int], tuple[int, int]]:
    """``(file, procs) -> (lower, upper)`` of the CP-SAT re-solve of the open rows."""
    out = {}
    for line, row in read_csv_rows(path, ("file", "n_procs", "new_lb", "new_ub")):
        vals = [to_int(row[c], line, c, min_value=0) for c in ("n_procs", "new_lb", "new_ub")]
        out[(row["file"], vals[0])] = (vals[1], vals[2])
    return out


def _bounds(path: Path, n: int, procs: int) -> Bounds | None:
    folder = path.parent.parent / "optimal"
    key = (f"{path.parent.name}/{path.name}", procs)
    lower = upper = None
    sources = []
    table_path, closed_path = folder / _TABLE, folder / _CLOSED
    if table_path.is_file():
        try:
            row = _table(table_path).get(key)
        except InputError as err:
            raise err.located(str(table_path)) from None
        # A row for another graph of the same name (its size differs) does not apply.
        if row is not None and row[0] == n:
            lower, upper = row[1], row[2]
            sources.append(f"STG optimal-schedule table, Kasahara Lab ({_TABLE})")
    if sources and closed_path.is_file():
        try:
            row2 = _closed(closed_path).get(key)
        except InputError as err:
            raise err.located(str(closed_path)) from None
        if row2 is not None:
            lower = row2[0] if lower is None else max(lower, row2[0])
            upper = row2[1] if upper is None else min(upper, row2[1])
            sources.append(f"tightened by this project's CP-SAT runs ({_CLOSED})")
    if not sources:
        return None
    try:
        return Bounds(lower=lower, upper=upper, source="; ".join(sources))
    except InputError as err:
        raise err.located(str(folder)) from None


def read_stg(text: str, path: Path, opts: Options) -> DAG:
    """Read a no-communication STG file; see the module docstring."""
    procs = opts.get_int("processors", 4, min_value=1)
    lines = list(iter_lines(text))
    if not lines:
        raise InputError("file is empty (no data lines)")
    line, head = lines[0]
    if len(head) != 1:
        raise InputError(f"expected the task count n alone, got {len(head)} numbers",
                         field="header", line=line)
    n = to_int(head[0], line, "n_tasks", min_value=1)
    check_rows_left(lines, 1, n + 2, lambda i: f"tasks[{i}]",
                    "the line of the next task (n + 2 task lines with the dummies)",
                    f"the header announces n = {n}")
    if n * procs > MAX_COST_ENTRIES:
        raise InputError(f"{n} tasks x {procs} processors = {n * procs} cost entries, must be "
                         f"<= {MAX_COST_ENTRIES} (the size cap of a DAG)",
                         field="options.processors")
    exit_id = n + 1
    costs: list[int] = []
    preds: list[list[int]] = []  # 0-based real predecessors of the real tasks
    task_lines: list[int] = []
    for i in range(n + 2):
        where = f"tasks[{i}]"
        if 1 + i >= len(lines):
            raise InputError(f"unexpected end of file: expected the line of task {i} "
                             f"(n + 2 = {n + 2} task lines with the dummies)", field=where,
                             line=lines[-1][0])
        line, tokens = lines[1 + i]
        if len(tokens) < 3:
            raise InputError(f"expected 'id cost n_predecessors predecessors...', got "
                             f"{len(tokens)} numbers", field=where, line=line)
        tid = to_int(tokens[0], line, where + ".id")
        if tid != i:
            raise InputError(f"task ids must run 0..{exit_id} in order: expected {i}, "
                             f"got {tid}", field=where + ".id", line=line)
        cost = to_int(tokens[1], line, where + ".cost", min_value=0)
        count = to_int(tokens[2], line, where + ".n_predecessors", min_value=0)
        if len(tokens) != 3 + count:
            raise InputError(f"declares {count} predecessors but lists {len(tokens) - 3}",
                             field=where + ".predecessors", line=line)
        listed: list[int] = []
        for q, token in enumerate(tokens[3:]):
            field = f"{where}.predecessors[{q}]"
            pred = to_int(token, line, field, min_value=0, max_value=exit_id,
                          what=" (task ids run 0..n+1)")
            if pred == i:
                raise InputError(f"task {i} cannot precede itself", field=field, line=line)
            if pred == exit_id:
                raise InputError("the dummy exit task cannot precede another task",
                                 field=field, line=line)
            if pred in listed:
                raise InputError(f"duplicate predecessor {pred}", field=field, line=line)
            listed.append(pred)
        if i in (0, exit_id):
            if cost != 0:
                raise InputError(f"the dummy {'entry' if i == 0 else 'exit'} task must cost "
                                 f"0, got {cost}", field=where + ".cost", line=line)
            if i == 0 and listed:
                raise InputError("the dummy entry task cannot have predecessors",
                                 field=where + ".predecessors", line=line)
            continue
        costs.append(cost)
        preds.append([p - 1 for p in listed if p != 0])
        task_lines.append(line)
    if len(lines) > n + 3:
        raise InputError(f"unexpected extra line after the exit task {exit_id}",
                         field="tasks", line=lines[n + 3][0])
    t = cycle_member(preds)
    if t is not None:
        raise InputError(f"the precedence graph has a cycle through task {t + 1}",
                         field=f"tasks[{t + 1}].predecessors", line=task_lines[t])
    edges = [[u, v] for v, ps in enumerate(preds) for u in ps]
    matrix = np.repeat(np.asarray(costs, dtype=np.float64)[:, None], procs, axis=1)
    return DAG(processors=procs, cost=matrix, edges=edges, name=stg_name(path),
               bounds=_bounds(path, n, procs),
               meta={"format": "stg", "source_file": f"{path.parent.name}/{path.name}"})


def write_stg(instance: Instance, path: Path) -> None:
    """Write a DAG with identical processors and data-free edges as an STG file.

    Task ``t`` is written as STG task ``t+1`` in the instance's own order (the published files
    are topologically numbered; this writer does not renumber, so a round trip is exact).
    """
    if not isinstance(instance, DAG):
        raise InputError(f"format 'stg' holds dag instances, got {instance.problem}",
                         field="problem")
    if not instance.identical():
        raise InputError("format 'stg' needs identical processors (every task costs the same "
                         "on every processor)", field="data.cost")
    if instance.edge_data.any():
        raise InputError("format 'stg' has no communication: every edge's data must be 0",
                         field="data.edges")
    col = instance.cost[:, 0]
    if (col != np.round(col)).any():
        t = int(np.argmax(col != np.round(col)))
        raise InputError(f"format 'stg' needs integer costs, got {col[t]:g}",
                         field=f"data.cost[{t}]")
    n = instance.n_tasks
    preds: list[list[int]] = [[] for _ in range(n)]
    has_succ = np.zeros(n, dtype=bool)
    for u, v in instance.edges.tolist():
        preds[v].append(u + 1)
        has_succ[u] = True

    def row(*values: int) -> str:
        return "".join(f"{v:>11d}" for v in values) + "\n"

    out = [row(n), row(0, 0, 0)]
    for t in range(n):
        ps = preds[t] or [0]
        out.append(row(t + 1, int(col[t]), len(ps), *ps))
    sinks = [t + 1 for t in range(n) if not has_succ[t]]
    out.append(row(n + 1, 0, len(sinks), *sinks))
    path.write_text("".join(out), encoding="utf-8")


def read_heft_example(text: str, path: Path, opts: Options) -> DAG:
    """Read the Topcuoglu et al. (2002) example DAG; see the module docstring."""
    doc = parse_json_object(text)
    cost = float_array(get_key(doc, "exec_time", ""), "exec_time", ndim=2, min_value=0.0)
    n, procs = cost.shape
    if n == 0 or procs == 0:
        raise InputError("must have at least one task and one processor", field="exec_time")
    for key, want in (("n_tasks", n), ("n_procs", procs)):
        if key in doc and get_count(doc, key, "") != want:
            raise InputError(f"says {doc[key]} but exec_time has {want}", field=key)
    edges, data = [], []
    for i, e in enumerate(get_list(doc.get("edges", []), "edges")):
        where = json_path("edges", i)
        e = get_list(e, where)
        if len(e) != 3:
            raise InputError(f"must be [u, v, comm], got {len(e)} entries", field=where)
        uv = []
        for k in (0, 1):
            x = get_number(e[k], json_path(where, k), min_value=0)
            if not x.is_integer() or x >= n:
                raise InputError(f"must be a task index 0..{n - 1}, got {e[k]!r}",
                                 field=json_path(where, k))
            uv.append(int(x))
        edges.append(uv)
        data.append(get_number(e[2], json_path(where, 2), min_value=0))
    refs = doc.get("reference_makespans")
    bounds = None
    meta: dict[str, Any] = {"format": "heft-example", "source_file": path.name}
    if refs is not None:
        refs = get_map(refs, "reference_makespans")
        meta["reference_makespans"] = {
            str(k): get_number(v, json_path("reference_makespans", str(k)), min_value=0)
            for k, v in refs.items()}
        if "optimal" in refs:
            opt = meta["reference_makespans"]["optimal"]
            bounds = Bounds(lower=opt, upper=opt, source=(
                "Topcuoglu, Hariri & Wu, IEEE TPDS 13(3) 2002, sample DAG (Fig. 2); optimum "
                f"proved with OR-Tools CP-SAT ({path.name})"))
    if isinstance(doc.get("source"), str):
        meta["source"] = doc["source"]
    name = doc["name"] if isinstance(doc.get("name"), str) and doc["name"] else path.stem
    try:
        return DAG(processors=procs, cost=cost, edges=edges, edge_data=data, bandwidth=1.0,
                   latency=0.0, name=name, bounds=bounds, meta=meta)
    except InputError as err:
        # exec_time is the cost matrix; edges keep the model's data.edges (as a cycle does)
        raise renamed(err, {"data.cost": "exec_time"}) from None


#: The task-graph file formats (:mod:`schedkit.instances.readers` collects them).
FORMATS = (
    Format("stg", "dag", "Kasahara Standard Task Graph, no communication",
           ("processors",), read_stg, write_stg),
    Format("wfcommons", "dag", "WfCommons WfFormat 1.x workflow instance",
           ("processors", "speeds", "heterogeneity", "seed", "bandwidth", "ccr",
            "time_scale"), read_wfcommons, json_key=("workflow", "WfCommons")),
    Format("heft-example", "dag", "Topcuoglu, Hariri & Wu 2002 sample DAG fixture", (),
           read_heft_example, json_key=("exec_time", "HEFT example")),
)
