"""Job-shop text formats: the standard OR-Library layout and Taillard's matrix layout.

``jobshop`` — the standard format of Beasley's OR-Library (``jobshop1.txt``, J.E. Beasley,
"OR-Library: distributing test problems by electronic mail", JORS 41(11), 1990), also used by
JSPLib and ScheduleOpt/benchmarks::

    n m
    <machine> <duration> <machine> <duration> ...     (m pairs per job, route order)

Machines are 0-based; one line per job, exactly ``m`` operations each. ``#`` comment lines and
blank lines are ignored anywhere. The format lets a job visit a machine more than once (Beasley
describes each line as "the machine number and processing time for each step of the job"; the
classic sets happen to visit every machine once), so the reader accepts repeats.

``taillard`` — the layout of É. Taillard, "Benchmarks for basic scheduling problems",
EJOR 64(2):278-285, 1993 (his ``tai*.txt`` files)::

    Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound   (optional)
    n m [time_seed machine_seed [upper_bound lower_bound]]
    Times                                                                           (optional)
    n lines of m durations (route order)
    Machines                                                                        (optional)
    n lines of m machines, 1-based

Each machine row must be a permutation of ``1 … m``: Taillard's job shop has every job visit
every machine exactly once. A file may hold several such blocks one after another (Taillard's
files hold ten); option ``instance=k`` (1-based) picks one. When the ``n m`` line carries the
bounds they become the instance's :class:`~schedkit.instances.base.Bounds`.

Both readers check the ``n m`` header against the file before reading a row: ``n`` jobs need
``n`` more lines (``2n`` in Taillard's layout), so a header announcing more jobs than the file
can hold fails at once, as a file cut short does. The instance's own caps
(:mod:`~schedkit.instances.jobshop.model`: machines, exact integer objectives) are reported
with the line of the job they name.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..base import Bounds, Instance
from ..errors import InputError
from ..text import Format, Options, check_rows_left, iter_lines, relocate, to_int
from .model import MAX_MACHINES, JobShop

__all__ = ["FORMATS", "read_jobshop", "read_taillard", "write_jobshop", "write_taillard"]

Line = tuple[int, list[str]]


def _meta(path: Path, fmt: str) -> dict[str, str]:
    return {"format": fmt, "source_file": path.name}


def _data_lines(text: str) -> list[Line]:
    lines = list(iter_lines(text))
    if not lines:
        raise InputError("file is empty (no data lines)")
    return lines


def _size_line(line: int, tokens: list[str], counts: tuple[int, ...], shape: str) -> None:
    if len(tokens) not in counts:
        raise InputError(f"expected {shape}, got {len(tokens)} numbers", field="header",
                         line=line)


def _row(lines: list[Line], pos: int, width: int, field: str, what: str) -> Line:
    """The data line at ``pos``, which must hold ``width`` tokens."""
    if pos >= len(lines):
        raise InputError(f"unexpected end of file: expected a line of {width} {what}",
                         field=field, line=lines[-1][0])
    line, tokens = lines[pos]
    if len(tokens) != width:
        raise InputError(f"expected {width} {what}, got {len(tokens)}", field=field, line=line)
    return line, tokens


def read_jobshop(text: str, path: Path, opts: Options) -> JobShop:
    """Read the standard (OR-Library) job-shop format; see the module docstring."""
    lines = _data_lines(text)
    line, head = lines[0]
    _size_line(line, head, (2,), "'n m' (2 integers)")
    n = to_int(head[0], line, "n_jobs", min_value=1)
    m = to_int(head[1], line, "machines", min_value=1, max_value=MAX_MACHINES,
               what=" (the size cap of a job shop)")
    what = "numbers (machine duration pairs)"
    check_rows_left(lines, 1, n, lambda j: f"jobs[{j}]", f"a line of {2 * m} {what}",
                    f"the header announces {n} jobs")
    routes = []
    for j in range(n):
        line, tokens = _row(lines, 1 + j, 2 * m, f"jobs[{j}]", what)
        route = []
        for k in range(m):
            where = f"jobs[{j}].operations[{k}]"
            mach = to_int(tokens[2 * k], line, where + ".machine", min_value=0, max_value=m - 1,
                          what=" (machines are 0-based)")
            dur = to_int(tokens[2 * k + 1], line, where + ".duration", min_value=0)
            route.append((mach, dur))
        routes.append(route)
    if len(lines) > n + 1:
        raise InputError(f"unexpected extra line: the header declares {n} jobs", field="jobs",
                         line=lines[n + 1][0])
    return _build(routes, m, [lines[1 + j][0] for j in range(n)], lines[0][0], name=path.stem,
                  meta=_meta(path, "jobshop"))


def _build(routes: list[list[tuple[int, int]]], m: int, job_lines: list[int], header: int,
           **envelope: object) -> JobShop:
    """The instance, its caps' errors given the line of the job (or the header) they name."""
    def line_of(match: re.Match[str]) -> int:
        return job_lines[int(match.group(1))] if match.group(1) else header

    try:
        return JobShop.from_routes(routes, machines=m, **envelope)
    except InputError as err:
        raise relocate(err, r"jobs\[(\d+)\]|machines", line_of) from None


def _word(lines: list[Line], pos: int, prefix: str) -> bool:
    """Whether the line at ``pos`` is a section header starting with ``prefix``."""
    return pos < len(lines) and lines[pos][1][0].lower().startswith(prefix)


def _taillard_block(lines: list[Line], pos: int, path: Path) -> tuple[JobShop, int]:
    """Parse one Taillard block starting at ``pos``; return it and the position after it."""
    if _word(lines, pos, "nb"):
        pos += 1
    if pos >= len(lines):
        raise InputError("unexpected end of file: expected the 'n m' line", field="header",
                         line=lines[-1][0])
    line, head = lines[pos]
    _size_line(line, head, (2, 4, 6),
               "'n m [time_seed machine_seed [upper_bound lower_bound]]'")
    n = to_int(head[0], line, "n_jobs", min_value=1)
    m = to_int(head[1], line, "machines", min_value=1, max_value=MAX_MACHINES,
               what=" (the size cap of a job shop)")
    for k, name in ((2, "time_seed"), (3, "machine_seed")):
        if len(head) > k:
            to_int(head[k], line, f"header.{name}")
    bounds = None
    if len(head) == 6:
        ub = to_int(head[4], line, "header.upper_bound", min_value=0)
        lb = to_int(head[5], line, "header.lower_bound", min_value=0, max_value=ub,
                    what=" (the upper bound)")
        bounds = Bounds(lower=lb, upper=ub,
                        source=f"{path.name} header (Taillard 1993 layout: upper, lower bound)")
    header = line
    pos += 1
    if _word(lines, pos, "times"):
        pos += 1
    check_rows_left(lines, pos, n, lambda j: f"jobs[{j}]", f"a line of {m} durations",
                    f"the header announces {n} jobs")
    durations = []
    job_lines = []
    for j in range(n):
        line, tokens = _row(lines, pos, m, f"jobs[{j}]", "durations")
        durations.append([to_int(t, line, f"jobs[{j}].operations[{k}].duration", min_value=0)
                          for k, t in enumerate(tokens)])
        job_lines.append(line)
        pos += 1
    if _word(lines, pos, "machines"):
        pos += 1
    check_rows_left(lines, pos, n, lambda j: f"jobs[{j}]", f"a line of {m} machines",
                    f"the header announces {n} jobs")
    routes = []
    for j in range(n):
        line, tokens = _row(lines, pos, m, f"jobs[{j}]", "machines")
        machines = [to_int(t, line, f"jobs[{j}].operations[{k}].machine", min_value=1,
                           max_value=m, what=" (Taillard machines are 1-based)")
                    for k, t in enumerate(tokens)]
        _check_permutation(machines, line, j)
        routes.append([(mach - 1, dur) for mach, dur in zip(machines, durations[j], strict=True)])
        pos += 1
    inst = _build(routes, m, job_lines, header, name=path.stem, bounds=bounds,
                  meta=_meta(path, "taillard"))
    return inst, pos


def _check_permutation(machines: list[int], line: int, j: int) -> None:
    """A Taillard machine row visits every machine exactly once."""
    seen: dict[int, int] = {}
    for k, mach in enumerate(machines):
        if mach in seen:
            missing = min(set(range(1, len(machines) + 1)) - set(machines))
            raise InputError(f"machine {mach} appears twice in job {j}'s row (also operation "
                             f"{seen[mach]}) and machine {missing} not at all: a Taillard row "
                             f"visits every machine exactly once",
                             field=f"jobs[{j}].operations[{k}].machine", line=line)
        seen[mach] = k


def read_taillard(text: str, path: Path, opts: Options) -> JobShop:
    """Read Taillard's matrix layout (one or several blocks); see the module docstring."""
    want = opts.get_int("instance", 1, min_value=1)
    lines = _data_lines(text)
    blocks: list[JobShop] = []
    pos = 0
    while pos < len(lines):
        try:
            inst, pos = _taillard_block(lines, pos, path)
        except InputError as err:
            if not blocks:
                raise
            raise InputError(f"{err.message} (instance {len(blocks) + 1} of the file)",
                             field=err.field, line=err.line) from None
        blocks.append(inst)
    if want > len(blocks):
        raise InputError(f"the file holds {len(blocks)} instance(s), got {want}",
                         field="options.instance")
    inst = blocks[want - 1]
    if len(blocks) > 1:
        inst = dataclasses.replace(inst, name=f"{path.stem}-{want}")
    return inst


# ---------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------
def _plain_jobshop(instance: Instance, fmt: str) -> JobShop:
    """Check that ``instance`` is a plain J||Cmax instance that ``fmt`` can hold."""
    if not isinstance(instance, JobShop):
        raise InputError(f"format {fmt!r} holds jobshop instances, got {instance.problem}",
                         field="problem")
    why = None
    if instance.objective != "makespan":
        why = f"objective is {instance.objective!r}"
    elif instance.release.any():
        why = "jobs have release dates"
    elif instance.due is not None:
        why = "jobs have due dates"
    elif (instance.weight != 1).any():
        why = "jobs have weights"
    if why:
        raise InputError(f"format {fmt!r} holds makespan data only (no release dates, due "
                         f"dates or weights) but the {why}; write 'json' instead", field="data")
    for j in range(instance.n_jobs):
        ops = int(instance.job_offsets[j + 1] - instance.job_offsets[j])
        if ops != instance.machines:
            raise InputError(f"format {fmt!r} needs exactly one operation per machine "
                             f"({instance.machines}) in every job, got {ops}",
                             field=f"data.jobs[{j}].operations")
        if fmt == "taillard":
            route = [mach for mach, _ in instance.route(j)]
            if len(set(route)) != len(route):
                raise InputError(f"format 'taillard' needs every job to visit every machine "
                                 f"exactly once, job {j} visits {route}",
                                 field=f"data.jobs[{j}].operations")
    return instance


def _table(rows: list[list[int]]) -> str:
    """Rows of integers right-aligned to a common width, one line each."""
    width = max((len(str(v)) for row in rows for v in row), default=1)
    return "".join(" ".join(f"{v:>{width}d}" for v in row) + "\n" for row in rows)


def write_jobshop(instance: Instance, path: Path) -> None:
    """Write the standard (OR-Library) format; refuses instances it cannot hold."""
    inst = _plain_jobshop(instance, "jobshop")
    rows = [[x for op in inst.route(j) for x in op] for j in range(inst.n_jobs)]
    path.write_text(f"{inst.n_jobs} {inst.machines}\n" + _table(rows), encoding="utf-8")


def write_taillard(instance: Instance, path: Path) -> None:
    """Write Taillard's layout (with its header and section lines, machines 1-based)."""
    inst = _plain_jobshop(instance, "taillard")
    routes = [inst.route(j) for j in range(inst.n_jobs)]
    times = [[d for _, d in r] for r in routes]
    machines = [[m + 1 for m, _ in r] for r in routes]
    text = (f"Nb of jobs, Nb of Machines\n{inst.n_jobs} {inst.machines}\n"
            f"Times\n{_table(times)}Machines\n{_table(machines)}")
    path.write_text(text, encoding="utf-8")


#: The job-shop file formats (:mod:`schedkit.instances.readers` collects them).
FORMATS = (
    Format("jobshop", "jobshop", "standard OR-Library job-shop text (0-based machines)",
           (), read_jobshop, write_jobshop),
    Format("taillard", "jobshop", "Taillard 1993 matrix layout (1-based machines)",
           ("instance",), read_taillard, write_taillard),
)
