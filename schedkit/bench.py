"""Benchmark runner: suites (TOML) → results (JSON Lines) → Markdown gap tables.

    schedkit bench smoke [--out results/smoke.jsonl]         # a bundled suite, by name
    schedkit bench my-suite.toml                             # or a suite file
    schedkit bench --report results/smoke.jsonl [more.jsonl …]

From a checkout, ``python bench.py run SUITE [--out FILE]`` and ``python bench.py report FILE…``
do the same (that script only calls :func:`main`). The bundled suites are the ``*.toml`` files of
``schedkit/suites/`` (:func:`bundled_suites`); a suite argument that is an existing file wins over
a bundled name.

A suite runs instances × methods × seeds × time limits. Every run appends one verified result
record; runs already in the output file (same instance hash, method, options, seed, time limit and
workers) are skipped, so an interrupted suite resumes where it stopped. Gap comes first and time
second: timings on shared 2-core machines are noisy.

``run`` holds an exclusive ``flock`` on the output file for the whole batch, so a second writer
refuses (or waits, with ``--wait``) instead of running everything twice; the kernel drops the lock
with the process, so a crash leaves none. A torn last line (a kill mid-write) is cut off with a
warning before appending, and ``report`` skips it; a bad line before the last is an error.
Ctrl-C ends a batch with exit status 130, keeping what was written; a run it cut short is not
recorded. ``report`` keeps the first record of each run and says how many duplicates it dropped.

Running on Dask (``pip install 'schedkit[dask]'``)::

    schedkit bench jobshop --jobs 2                          # a LocalCluster of 2 workers
    schedkit bench jobshop --scheduler tcp://host:8786       # a running cluster

Without either flag the runs go one after another in this process, as above. ``--jobs N``
starts a ``distributed.LocalCluster`` of N single-threaded worker processes, forked from this
one (Dask's ``multiprocessing-method`` ``fork``: a spawned worker would import Python, Dask
and schedkit again, about 3 s of a batch on a 2-core machine, against 0.2 s; the results
file's descriptor is closed in every process forked from this one, so a worker outliving a
killed client cannot keep its lock); ``--scheduler`` uses the workers of a running scheduler.
Either way this process is the only writer: it appends each record as its run completes
(under the same lock), so a killed batch resumes like a serial one, and records come in the
order runs finish.

- *Cores.* A run with ``workers = k`` asks for the Dask resource ``cores = k``, so a worker runs
  runs whose cores add up to at most its own. A local worker gets ``max(1, C // N)`` of the
  machine's C cores (so the N workers' cores add up to at most C: a ``workers = 2`` CP-SAT run
  never shares a 2-core machine with another run, which is why ``--jobs 2`` on 2 cores refuses
  it and ``--jobs 1`` runs it). A suite whose runs need more cores than the largest worker has
  is refused before anything starts.
- *Hard limit.* Dask cannot stop a running task, so each run solves in a solver process of
  its worker (forked from it with the method's kernels loaded, and kept for the worker's next
  runs, as a serial batch keeps its process), killed at its time limit plus
  ``max(10 s, half the limit)`` (:func:`hard_limit`; the clock starts after the worker has
  compiled or loaded the kernels, so a cold cache is not counted). Its record has
  status ``error``, stop reason ``time limit`` and a stop detail saying it was killed. A run
  without a time limit (iteration-limited, or an exact solve meant to finish) has no hard
  limit: killing it at a guessed time would record as failed a run that only needed longer.
- *Lost workers.* A run whose worker dies (killed, out of memory, its host gone) is re-queued
  once, on any worker; if that one dies too, the run is recorded with status ``error`` and a
  stop detail naming the last worker. The runner tells the scheduler to fail such a task at
  once (``allowed_failures = 0``; Dask would otherwise retry it on up to three more workers)
  and does the one re-queue itself; a record done again says ``stats["dask_attempt"] = 2``.
- *Records.* The same as a serial run's, plus ``stats["dask_worker"]`` (the worker's address);
  ``host`` (CPU, cores) is that of the machine that solved. Iteration-limited seeded runs give
  the same objectives and solutions as serially.
- *Progress* goes to stderr: a bar (done, running, ETA) on a terminal, else one line per run
  with done / running / left and an ETA.
- *Ctrl-C* cancels the batch, keeping the records written; runs in progress are not recorded
  (on a cluster of your own, tasks already running finish and are dropped).

A real cluster: schedkit (the same version) on every host, then::

    dask scheduler --port 8786                                          # on host A
    DASK_DISTRIBUTED__WORKER__DAEMON=False \\
        dask worker tcp://A:8786 --nworkers 1 --nthreads C --resources cores=C  # each host
    schedkit bench SUITE --scheduler tcp://A:8786                       # anywhere

with C the host's cores: one worker per host with ``cores = C`` keeps the runs of a host within
its cores (resources count per worker, not per host). Workers must not be daemonic processes
(the nanny makes them so unless told otherwise, and a daemonic process may not start the run's
child). On SLURM, dask-jobqueue starts the workers as batch jobs::

    from dask_jobqueue import SLURMCluster
    cluster = SLURMCluster(cores=C, processes=1, memory="16GB", walltime="04:00:00",
                           worker_extra_args=["--resources", f"cores={C}"],
                           job_script_prologue=[
                               "export DASK_DISTRIBUTED__WORKER__DAEMON=False"])
    cluster.scale(jobs=8)
    # then: schedkit bench SUITE --scheduler <cluster.scheduler_address>, or
    # sk.bench.run_suite(path, out, scheduler=cluster.scheduler_address)

Suite format::

    name = "smoke"
    instances = ["ft06", "la01", "wt40-1", "path/relative/to/suite.json"]
    methods = ["baseline", {name = "baseline", label = "baseline-2", options = {}}]
    seeds = [0]
    time_limits = [10.0]        # finite seconds > 0; omit the key for no limit
    workers = 1
    [instance_options]          # reader options per bundled name or file
    "stg50-0000" = {processors = 8}
    [[generate]]                # generated instances: problem, seeds, shape
    problem = "jobshop"
    seeds = [1, 2]
    shape = {jobs = 6, machines = 4}
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import json
import math
import os
import signal
import statistics
import sys
import threading
import time
import tomllib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import schedkit as sk

#: Exit status of a batch ended by Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130

#: Shift (seconds) of the shifted geometric mean of run times.
TIME_SHIFT_S = 1.0

#: ``Result.stop_reason`` of a run that Ctrl-C stopped early (compared as a string: the
#: :class:`schedkit.StopReason` member may not exist in every version).
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Invocation:
    """How the runner was started, so that messages name commands the user can type.

    Parameters
    ----------
    name
        The program, as in "being written by another <name>".
    run
        The command that runs a suite, in prose (e.g. "`bench.py run` removes it").
    command
        The same, as typed at a shell prompt (the resume hint).
    """

    name: str
    run: str
    command: str


def resume_command(invocation: Invocation, suite: str | Path, out: Path, jobs: int | None = None,
                   scheduler: str | None = None) -> str:
    """The command that resumes a batch: the same suite, results file and cluster
    (``--jobs``/``--scheduler``), quoted for a POSIX shell where needed."""
    import shlex

    words = [invocation.command, shlex.quote(str(suite)), "--out", shlex.quote(str(out))]
    if jobs is not None:
        words += ["--jobs", str(jobs)]
    if scheduler is not None:
        words += ["--scheduler", shlex.quote(scheduler)]
    return " ".join(words)


#: ``python bench.py …`` from a checkout.
BENCH_PY = Invocation("bench.py", "bench.py run", "python bench.py run")
#: ``schedkit bench …``.
SCHEDKIT_BENCH = Invocation("schedkit bench", "schedkit bench", "schedkit bench")


class BenchError(Exception):
    """A run that cannot go ahead for a reason other than bad input (lock held, disk full…).

    ``main`` prints it as one line on stderr and exits with status 2.
    """


class BatchInterrupted(Exception):
    """Ctrl-C ended a batch; the records written before it stay in the results file.

    Parameters
    ----------
    message
        One line for stderr: how many runs were done and how to resume.
    done
        Runs written in this batch before the interruption.
    """

    def __init__(self, message: str, done: int) -> None:
        super().__init__(message)
        self.done = done


@dataclass(frozen=True)
class MethodSpec:
    """A method as a suite names it: label shown in tables, registry name, options."""

    label: str
    name: str
    options: dict[str, Any]


def _fail(path: Path, field: str, message: str) -> sk.InputError:
    return sk.InputError(message, field=field, source=str(path))


# -- suites ------------------------------------------------------------------------------------
SUITE_KEYS = ("name", "description", "instances", "methods", "seeds", "time_limits", "workers",
              "instance_options", "generate")
METHOD_KEYS = ("name", "label", "options")
GENERATE_KEYS = ("problem", "seeds", "shape")


def _show(value: Any) -> str:
    """``repr`` of a suite value for an error message, kept short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_list(path: Path, field: str, value: Any, what: str) -> list[int]:
    """A non-empty list of integers (``what`` names one entry in the messages)."""
    if not isinstance(value, list):
        raise _fail(path, field, f"must be a list of integer {what}s, got {_show(value)}")
    if not value:
        raise _fail(path, field, f"needs at least one {what}")
    for i, item in enumerate(value):
        if not _is_int(item):
            raise _fail(path, field, f"must be a list of integer {what}s; entry {i} is "
                        f"{_show(item)}")
    return list(value)


def _time_limits(path: Path, value: Any) -> list[float | None]:
    """Finite positive seconds; the key left out means one run without a limit."""
    hint = "must be a list of finite positive numbers of seconds (leave the key out for no limit)"
    if not isinstance(value, list):
        raise _fail(path, "time_limits", f"{hint}, got {_show(value)}")
    if not value:
        raise _fail(path, "time_limits", f"{hint}; the list is empty")
    out: list[float | None] = []
    for i, t in enumerate(value):
        if t is None:  # only from a caller's dict: TOML has no null
            out.append(None)
        elif isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) \
                and t > 0:
            out.append(float(t))
        else:
            raise _fail(path, "time_limits", f"{hint}; entry {i} is {_show(t)}")
    return out


def _methods(path: Path, value: Any) -> list[MethodSpec]:
    form = "a method name or a table {name, label, options}"
    if not isinstance(value, list):
        raise _fail(path, "methods", f"must be a list of methods (each {form}), got "
                    f"{_show(value)}")
    methods = []
    for i, m in enumerate(value):
        where = f"methods[{i}]"
        if isinstance(m, str) and m:
            methods.append(MethodSpec(m, m, {}))
            continue
        if not isinstance(m, dict):
            raise _fail(path, where, f"must be {form}, got {_show(m)}")
        for key in m:
            if key not in METHOD_KEYS:
                raise _fail(path, f"{where}.{key}",
                            f"unknown key (known: {', '.join(METHOD_KEYS)})")
        name, label, options = m.get("name"), m.get("label", m.get("name")), m.get("options", {})
        if not isinstance(name, str) or not name:
            raise _fail(path, f"{where}.name", f"must be a method name, got {_show(name)}")
        if not isinstance(label, str) or not label:
            raise _fail(path, f"{where}.label", f"must be a non-empty string, got {_show(label)}")
        if not isinstance(options, dict):
            raise _fail(path, f"{where}.options", f"must be a table of method options, got "
                        f"{_show(options)}")
        methods.append(MethodSpec(label, name, dict(options)))
    if not methods:
        raise _fail(path, "methods", "needs at least one method")
    known = {m.name for m in sk.methods()}
    for i, m in enumerate(methods):
        if m.name not in known:
            raise _fail(path, f"methods[{i}]", f"unknown method {m.name!r} (known: "
                        f"{', '.join(sorted(known))}; `schedkit methods` lists them)")
    labels = [m.label for m in methods]
    if len(set(labels)) != len(labels):
        raise _fail(path, "methods", "labels must be unique (give repeated methods a label)")
    return methods


def _bundled_or_files(path: Path, raw: dict[str, Any]) -> list[sk.Instance]:
    refs = raw.get("instances", [])
    form = "must be a list of bundled names or file paths (strings)"
    if not isinstance(refs, list):
        raise _fail(path, "instances", f"{form}, got {_show(refs)}")
    for k, ref in enumerate(refs):
        if not isinstance(ref, str) or not ref:
            raise _fail(path, "instances", f"{form}; entry {k} is {_show(ref)}")
    per_instance = raw.get("instance_options", {})
    if not isinstance(per_instance, dict):
        raise _fail(path, "instance_options", "must be a table of reader options per instance, "
                    f"got {_show(per_instance)}")
    for ref, opts in per_instance.items():
        where = f"instance_options.{ref}"
        if ref not in refs:
            raise _fail(path, where, "names no entry of instances")
        if not isinstance(opts, dict):
            raise _fail(path, where, f"must be a table of reader options, got {_show(opts)}")
        for key in ("ref", "path"):
            if key in opts:
                raise _fail(path, f"{where}.{key}", "is not a reader option")
    instances = []
    for k, ref in enumerate(refs):
        local = path.parent / ref
        target = str(local) if local.exists() else ref
        try:
            instances.append(sk.load(target, **per_instance.get(ref, {})))
        except sk.InputError as err:
            if err.source not in (None, ref):  # an error inside the instance file: say where
                raise err.located(str(path)) from None
            sub = err.field or ""
            if sub == "format" or sub.startswith("options."):
                where = f"instance_options.{ref}.{sub.removeprefix('options.')}"
            else:
                where = f"instances[{k}]" + (f".{sub}" if sub else "")
            raise _fail(path, where, err.message) from None
    return instances


def _generated(path: Path, raw: dict[str, Any]) -> list[sk.Instance]:
    blocks = raw.get("generate", [])
    if not isinstance(blocks, list):
        raise _fail(path, "generate", "must be [[generate]] blocks (an array of tables), got "
                    f"{_show(blocks)}")
    instances = []
    for i, gen in enumerate(blocks):
        where = f"generate[{i}]"
        if not isinstance(gen, dict):
            raise _fail(path, where, f"must be a table with problem, seeds and shape, got "
                        f"{_show(gen)}")
        for key in gen:
            if key not in GENERATE_KEYS:
                raise _fail(path, f"{where}.{key}",
                            f"unknown key (known: {', '.join(GENERATE_KEYS)})")
        problem = gen.get("problem")
        if not isinstance(problem, str):
            raise _fail(path, f"{where}.problem", f"must be one of {', '.join(sk.PROBLEMS)}, "
                        f"got {_show(problem)}")
        seeds = _int_list(path, f"{where}.seeds", gen.get("seeds", [0]), "seed")
        shape = gen.get("shape", {})
        if not isinstance(shape, dict):
            raise _fail(path, f"{where}.shape", f"must be a table of generator options, got "
                        f"{_show(shape)}")
        for key, instead in (("problem", "problem"), ("seed", "seeds")):
            if key in shape:
                raise _fail(path, f"{where}.shape.{key}",
                            f"not a shape option: give {instead} in the block itself")
        for seed in seeds:
            try:
                instances.append(sk.generate(problem, seed=seed, **shape))
            except sk.InputError as err:
                sub = (err.field or "").removeprefix("generate.")
                sub = {"seed": "seeds", "problem": "problem", "": ""}.get(sub, f"shape.{sub}")
                raise _fail(path, f"{where}.{sub}" if sub else where, err.message) from None
    return instances


def bundled_suites() -> dict[str, Path]:
    """The suites shipped in the package (``schedkit/suites/*.toml``), by name (file stem)."""
    root = resources.files("schedkit").joinpath("suites")
    if not isinstance(root, Path) or not root.is_dir():  # a zipped install: no files to read
        return {}
    return {p.stem: p for p in sorted(root.glob("*.toml"), key=lambda p: p.stem)}


def find_suite(ref: str | Path) -> Path:
    """The suite file a command-line argument names: an existing file, else a bundled suite.

    Parameters
    ----------
    ref
        A path, or a bundled suite's name with or without ``.toml`` (``smoke``).

    Raises
    ------
    schedkit.InputError
        If ``ref`` is neither, listing the bundled suites.
    """
    path = Path(ref)
    if path.is_file():
        return path
    bundled = bundled_suites()
    name = str(ref).removesuffix(".toml")
    if name in bundled:
        return bundled[name]
    raise sk.InputError("no such suite file, and not a bundled suite (bundled: "
                        f"{', '.join(bundled) or 'none'})", source=str(ref))


def load_suite(path: Path) -> dict[str, Any]:
    """Parse and check a suite file; instances are loaded here, before any run starts.

    Parameters
    ----------
    path
        The suite (TOML, format in the module docstring).

    Returns
    -------
    dict
        ``name``, ``instances`` (loaded), ``methods`` (:class:`MethodSpec`), ``seeds``,
        ``time_limits`` (seconds, ``None`` for no limit) and ``workers``.

    Raises
    ------
    schedkit.InputError
        One line naming the suite file and the offending field.
    """
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise sk.InputError(f"cannot read suite: {err.strerror}", source=str(path)) from None
    except UnicodeDecodeError:
        raise sk.InputError("cannot read suite: not UTF-8 text", source=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise sk.InputError(f"invalid TOML: {err}", source=str(path)) from None
    for key in raw:
        if key not in SUITE_KEYS:
            raise _fail(path, key, f"unknown suite key (known: {', '.join(sorted(SUITE_KEYS))})")
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise _fail(path, key, f"must be a string, got {_show(raw[key])}")
    methods = _methods(path, raw.get("methods", []))
    seeds = _int_list(path, "seeds", raw.get("seeds", [0]), "seed")
    limits = _time_limits(path, raw.get("time_limits", [None]))
    workers = raw.get("workers", 1)
    if not _is_int(workers) or workers < 1:
        raise _fail(path, "workers", f"must be an integer >= 1, got {_show(workers)}")
    instances = _bundled_or_files(path, raw) + _generated(path, raw)
    if not instances:
        raise _fail(path, "instances", "the suite has no instances")
    for i, m in enumerate(methods):  # method options, checked before any run starts
        for problem in sorted({inst.problem for inst in instances}):
            method = sk.find_method(m.name, problem)
            if method is None:
                continue
            try:
                method.validate_options(m.options)
            except sk.InputError as err:
                raise _fail(path, f"methods[{i}].options", str(err)) from None
    return {"name": raw.get("name", path.stem), "instances": instances, "methods": methods,
            "seeds": seeds, "time_limits": limits, "workers": workers}


# -- results files -----------------------------------------------------------------------------
def run_key(sha: str, method: str, options: dict[str, Any], seed: int,
            time_limit: float | None, workers: int) -> tuple:
    """What makes two runs the same run (and so skipped on resume, dropped by ``report``)."""
    return (sha, method, json.dumps(options, sort_keys=True), seed,
            None if time_limit is None else float(time_limit), workers)


def result_key(r: sk.Result) -> tuple:
    """:func:`run_key` of a recorded result (the suite's label, where it gave one)."""
    return run_key(r.instance_sha256, r.stats.get("label", r.method), dict(r.options), r.seed,
                   r.time_limit_s, r.workers)


@dataclass
class ResultsFile:
    """What :func:`scan_results` found in a results file.

    ``torn_line`` is the 1-based number of a torn last line (a write cut short: it does not
    parse), ``intact_bytes`` the length of the file without it; ``unterminated`` says the last
    record is whole but lacks its newline.
    """

    path: Path
    results: list[sk.Result] = field(default_factory=list)
    torn_line: int | None = None
    intact_bytes: int = 0
    unterminated: bool = False


def scan_results(path: Path, *, missing_ok: bool = False) -> ResultsFile:
    """Read a JSON Lines results file, tolerating a torn last line.

    Parameters
    ----------
    path
        The results file.
    missing_ok
        A missing file reads as empty instead of being an error.

    Returns
    -------
    ResultsFile
        The validated records; a torn last line is reported, not read.

    Raises
    ------
    schedkit.InputError
        For an unreadable file, a line before the last that is not JSON, or any record that
        does not follow the results schema (naming file, line and field).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return ResultsFile(path)
        raise sk.InputError("cannot read results: no such file", source=str(path)) from None
    except OSError as err:
        raise sk.InputError(f"cannot read results: {err.strerror}", source=str(path)) from None
    found = ResultsFile(path, intact_bytes=len(data))
    chunks = data.split(b"\n")
    last = max((no for no, c in enumerate(chunks, start=1) if c.strip()), default=0)
    start = 0
    for no, chunk in enumerate(chunks, start=1):
        begin, start = start, start + len(chunk) + 1
        if not chunk.strip():
            continue
        try:
            record = json.loads(chunk.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            if no == last:
                found.torn_line, found.intact_bytes = no, begin
                break
            what = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
            raise sk.InputError(f"invalid JSON: {what} (only a torn last line is repaired; "
                                "remove or fix this one)", source=str(path), line=no) from None
        found.results.append(sk.Result.from_dict(record, source=str(path), line=no))
        found.unterminated = begin + len(chunk) == len(data)
    return found


def _torn_warning(found: ResultsFile, action: str) -> None:
    print(f"warning: {found.path}:{found.torn_line}: torn last line (a write cut short, e.g. "
          f"by a kill); {action}", file=sys.stderr)


def dedupe(results: Iterable[sk.Result]) -> tuple[list[sk.Result], int]:
    """Keep the first record of every run (by :func:`result_key`).

    Returns
    -------
    tuple
        The kept records, in order, and how many duplicates were dropped.
    """
    seen: set[tuple] = set()
    kept = []
    dropped = 0
    for r in results:
        key = result_key(r)
        if key in seen:
            dropped += 1
        else:
            seen.add(key)
            kept.append(r)
    return kept, dropped


def _read(paths: Sequence[Path], invocation: Invocation = BENCH_PY) -> list[sk.Result]:
    """Records of results files for the tables: torn last lines skipped, duplicates dropped."""
    records: list[sk.Result] = []
    for p in paths:
        found = scan_results(p)
        if found.torn_line is not None:
            _torn_warning(found, f"skipped (`{invocation.run}` on this file removes it)")
        records.extend(found.results)
    finished = [r for r in records if str(r.stop_reason) != INTERRUPTED]
    if len(finished) < len(records):
        print(f"report: left out {len(records) - len(finished)} interrupted run(s) (Ctrl-C; "
              f"`{invocation.run}` does them again)", file=sys.stderr)
    kept, dropped = dedupe(finished)
    if dropped:
        print(f"report: dropped {dropped} duplicate record{'s' * (dropped != 1)} (same instance, "
              "method label, options, seed, time limit and workers as an earlier one; the first "
              "is kept)", file=sys.stderr)
    return kept


# -- the lock on an output file ----------------------------------------------------------------
def _lock_holder(fd: int) -> int | None:
    """Pid holding an flock on the file open at ``fd``, from /proc/locks (Linux); else None."""
    st = os.fstat(fd)
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    candidates: list[tuple[bool, int]] = []
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if "->" in parts or len(parts) < 6 or parts[1] != "FLOCK":
            continue  # "->": a waiter, not the holder
        pid, where = parts[4], parts[5]
        if where.rsplit(":", 1)[-1] == str(st.st_ino) and pid.isdigit() and int(pid) > 0:
            candidates.append((where == device, int(pid)))
    exact = [pid for same, pid in candidates if same]
    if exact:
        return exact[0]
    return candidates[0][1] if len(candidates) == 1 else None


@contextlib.contextmanager
def locked_output(out: Path, *, wait: bool = False,
                  invocation: Invocation = BENCH_PY) -> Iterator[int]:
    """Open ``out`` for appending under an exclusive ``flock`` held until the block ends.

    The lock is the kernel's: it goes with the process (a crash or kill leaves none behind)
    and no lock file is created.

    Parameters
    ----------
    out
        The results file (created if missing).
    wait
        Wait for another writer to finish instead of refusing at once.
    invocation
        How the runner was started (for the messages).

    Yields
    ------
    int
        A file descriptor open on ``out`` with ``O_APPEND``.

    Raises
    ------
    BenchError
        If another process holds the lock (and ``wait`` is false), or the file cannot be
        opened or locked here.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX
        raise BenchError(f"{invocation.run} locks its --out file with fcntl.flock, which this "
                         "platform lacks; run it on Linux or macOS") from None
    while True:
        try:
            fd = os.open(out, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            raise BenchError(f"cannot open {out}: {err.strerror}") from None
        keep = False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _lock_holder(fd) or "unknown"
                if not wait:
                    raise BenchError(f"{out} is being written by another {invocation.name} "
                                     f"(pid {holder}); wait for it or choose another --out"
                                     ) from None
                print(f"waiting for the {invocation.name} writing {out} (pid {holder}) to "
                      "finish", file=sys.stderr)
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as err:
                raise BenchError(f"cannot lock {out}: {err.strerror} (the filesystem may not "
                                 "support flock; choose an --out on a local disk)") from None
            mine, now = os.fstat(fd), os.stat(out) if out.exists() else None
            keep = now is not None and (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)
        finally:
            if not keep:
                os.close(fd)
        if keep:
            break
        # the file was replaced or removed while we waited for it: lock the new one
    try:
        yield fd
    finally:
        os.close(fd)


def _repair(fd: int, found: ResultsFile) -> None:
    """Cut a torn last line off (or end an unterminated last record) before appending."""
    if found.torn_line is not None:
        _torn_warning(found, "removed; its run is done again")
        os.ftruncate(fd, found.intact_bytes)
    elif found.unterminated:
        _append(fd, b"\n", found.path)


def _append(fd: int, data: bytes, out: Path) -> None:
    """Write all of ``data`` at the end of ``out``, or nothing (a failed write is cut off)."""
    size = os.fstat(fd).st_size
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as err:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        raise BenchError(f"cannot write {out}: {err.strerror}") from None


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, so a record is written whole and counted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous != signal.SIG_IGN:
                raise KeyboardInterrupt


# -- running -----------------------------------------------------------------------------------
def run_suite(suite_path: Path, out: Path, *, wait: bool = False,
              invocation: Invocation = BENCH_PY, suite_ref: str | None = None,
              jobs: int | None = None, scheduler: str | None = None) -> int:
    """Run every missing run of the suite, appending to ``out``.

    ``out`` is locked for the whole batch (a second writer refuses, or waits with ``wait``); a
    torn last line is cut off first; a run is recorded only once it has finished.

    Without ``jobs`` and ``scheduler`` the runs go one after another in this process. With
    either, they go to Dask (``pip install schedkit[dask]``): ``jobs`` starts a
    ``distributed.LocalCluster`` of that many single-threaded worker processes, ``scheduler``
    connects to a running cluster. Each run is then a Dask task that solves in a child process
    of its worker, killed at :func:`hard_limit`; only this process writes ``out``, as results
    come in. The rules (core resources, hard limit, re-queue, what is recorded) are in the
    section *Running on Dask* of the module docstring.

    Parameters
    ----------
    suite_path
        The suite file.
    out
        The results file (JSON Lines); runs already in it are skipped.
    wait
        Wait for another runner writing ``out`` instead of refusing.
    invocation
        How the runner was started (the messages name its commands).
    suite_ref
        The suite as the user named it, for the resume hint (default: ``suite_path``).
    jobs
        Run on a local Dask cluster of this many worker processes (``--jobs``).
    scheduler
        Run on the Dask cluster whose scheduler has this address, ``tcp://host:8786``
        (``--scheduler``); not with ``jobs``.

    Returns
    -------
    int
        The number of runs done.

    Raises
    ------
    schedkit.InputError
        For a bad suite or results file.
    BenchError
        If ``out`` is locked by another writer, or cannot be written.
    BatchInterrupted
        On Ctrl-C (or a run that comes back interrupted); the records written so far stay.
    """
    if jobs is not None and scheduler is not None:
        raise sk.InputError("a run goes to a local cluster (jobs) or to a scheduler, not both",
                            field="jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise sk.InputError(f"must be an integer >= 1, got {jobs!r}", field="jobs")
    suite = load_suite(suite_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BenchError(f"cannot create {out.parent}: {err.strerror}") from None
    with locked_output(out, wait=wait, invocation=invocation) as fd:
        found = scan_results(out, missing_ok=True)
        _repair(fd, found)
        # An interrupted run is kept in the file (nothing is lost) but done again on resume.
        done = {result_key(r) for r in found.results if str(r.stop_reason) != INTERRUPTED}
        todo = []
        used = set()
        for inst in suite["instances"]:
            sha = sk.instance_sha256(inst)
            for i, m in enumerate(suite["methods"]):
                method = sk.find_method(m.name, inst.problem)
                if method is None or not method.supports(inst):
                    continue
                used.add(i)
                opts = method.validate_options(m.options)
                for seed in suite["seeds"]:
                    for limit in suite["time_limits"]:
                        key = run_key(sha, m.label, opts, seed, limit, suite["workers"])
                        if key not in done:
                            todo.append((inst, m, seed, limit))
                            done.add(key)
        for i, m in enumerate(suite["methods"]):
            if i not in used:
                print(f"warning: {suite_path}: methods[{i}] ({m.label}) applies to none of the "
                      "suite's instances", file=sys.stderr)
        print(f"suite {suite['name']}: {len(todo)} runs to do", file=sys.stderr)
        resume = f"`{resume_command(invocation, suite_ref or suite_path, out, jobs, scheduler)}`"\
            " resumes"
        if todo and (jobs is not None or scheduler is not None):
            runs = [_Run(inst, m, seed, limit, suite["workers"], hard_limit(limit))
                    for inst, m, seed, limit in todo]
            return _run_on_dask(runs, fd, out, suite_path, resume, jobs=jobs,
                                scheduler=scheduler)
        written = 0
        t0 = time.perf_counter()
        try:
            for i, (inst, m, seed, limit) in enumerate(todo, start=1):
                what = f"{inst.name} {m.label} seed={seed}"
                result = sk.solve(inst, m.name, time_limit=limit, seed=seed,
                                  workers=suite["workers"], options=m.options)
                if m.label != m.name:
                    result = dataclasses.replace(result,
                                                 stats={**result.stats, "label": m.label})
                with _sigint_deferred():
                    _append(fd, (result.to_json() + "\n").encode("utf-8"), out)
                    written += 1
                if str(result.stop_reason) == INTERRUPTED:
                    raise BatchInterrupted(
                        f"interrupted in run {i}/{len(todo)} ({what}): its best solution so far "
                        f"is recorded (stop reason interrupted; done again on resume); "
                        f"{written - 1} of {len(todo)} runs done and kept in {out}; {resume}",
                        written)
                print(f"[{i}/{len(todo)} {time.perf_counter() - t0:.0f}s] {what}: "
                      f"{result.status} {result.objective}", file=sys.stderr)
        except KeyboardInterrupt:
            raise BatchInterrupted(f"interrupted: {written} of {len(todo)} runs done and kept in "
                                   f"{out}; {resume}", written) from None
    return len(todo)


# -- running on Dask ---------------------------------------------------------------------------
#: A killed run gets ``max(GRACE_MIN_S, GRACE_SHARE × time limit)`` seconds beyond its limit:
#: the time a method needs to stop, verify and return its incumbent, with room for a loaded host.
GRACE_MIN_S = 10.0
GRACE_SHARE = 0.5

#: The hard limit of a run without a time limit: none. Such runs are iteration-limited or exact
#: solves meant to end by themselves; killing them at a guessed wall time would record a failure
#: for a run that only needed a slower machine.
UNTIMED_HARD_LIMIT_S: float | None = None

#: Seconds a ``--scheduler`` run waits for the first worker to join.
WORKER_WAIT_S = 60.0


def hard_limit(time_limit: float | None) -> float | None:
    """Wall-clock seconds after which a run's process is killed (``None``: never).

    ``time_limit + max(GRACE_MIN_S, GRACE_SHARE * time_limit)``, and
    :data:`UNTIMED_HARD_LIMIT_S` for a run without a time limit. The clock starts when the
    run's process starts, after its worker has compiled (or loaded) the method's kernels.
    """
    if time_limit is None:
        return UNTIMED_HARD_LIMIT_S
    return time_limit + max(GRACE_MIN_S, GRACE_SHARE * time_limit)


@dataclass(frozen=True)
class _Run:
    """One run of a suite, as it travels to a Dask worker (everything in it pickles)."""

    instance: sk.Instance
    method: MethodSpec
    seed: int
    time_limit: float | None
    workers: int
    hard_limit: float | None

    def what(self) -> str:
        return f"{self.instance.name} {self.method.label} seed={self.seed}"

    def stats(self, extra: dict[str, Any]) -> dict[str, Any]:
        """The statistics the runner adds to a record: the label, where the run went."""
        label = {"label": self.method.label} if self.method.label != self.method.name else {}
        return {**label, **extra}

    def unfinished(self, reason: sk.StopReason, detail: str, runtime_s: float,
                   extra: dict[str, Any], *, host: bool) -> str:
        """The record (JSON) of this run when it never returned."""
        return sk.unfinished_result(
            self.instance, self.method.name, time_limit=self.time_limit, seed=self.seed,
            workers=self.workers, options=self.method.options, stop_reason=reason,
            stop_detail=detail, runtime_s=runtime_s, stats=self.stats(extra), host=host,
        ).to_json()


def _helper_main(conn: Any, alive: Any) -> None:
    """A worker's solver process: solve the runs that come through ``conn``, one at a time,
    and send each record (JSON) back. It lives on between runs, so the kernels it has loaded
    stay loaded, as in a serial batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle
    # A fork holds copies of all of the worker's files: its connections to the scheduler
    # (which would keep a dead worker looking alive) and the pipes of its other solvers (which
    # would keep them from seeing the worker die). Keep only our two pipes and stdio.
    start = 3
    for fd in sorted({conn.fileno(), alive.fileno()}):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, max(start, os.sysconf("SC_OPEN_MAX")))

    def die_with_worker() -> None:
        # ``alive`` gets EOF when the worker goes away (killed, crashed): stop with it rather
        # than solve on for nobody.
        with contextlib.suppress(EOFError, OSError):
            alive.recv()
        os._exit(1)

    threading.Thread(target=die_with_worker, daemon=True).start()
    while True:
        try:
            run, extra = conn.recv()
        except EOFError:
            return
        try:
            method = sk.find_method(run.method.name, run.instance.problem)
            if method is not None and method.warm_up is not None:
                method.warm_up()  # load the kernels outside the run's time limit
            result = sk.solve(run.instance, run.method.name, time_limit=run.time_limit,
                              seed=run.seed, workers=run.workers, options=run.method.options)
            stats = {**result.stats, **run.stats(extra)}
            if stats != result.stats:
                result = dataclasses.replace(result, stats=stats)
            conn.send(("ok", result.to_json()))
        except Exception as exc:  # reported as the run's record, by the worker
            conn.send(("raised", f"{type(exc).__name__}: {exc}"))


@dataclass
class _Helper:
    """A solver process of a Dask worker, with its two pipes."""

    proc: Any
    conn: Any
    alive: Any

    def close(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()
        self.alive.close()


#: Idle solver processes of this (worker) process, and the lock over the list: a worker with
#: several threads runs several runs at once, each with a helper of its own.
_IDLE_HELPERS: list[_Helper] = []
_HELPERS_LOCK = threading.Lock()
#: Held while this worker compiles or loads kernels and while it forks a solver process, so
#: that no thread of this worker holds Numba's compiler lock in the moment of a fork.
_FORK_LOCK = threading.Lock()


def _take_helper(run: _Run) -> _Helper:
    """An idle solver process of this worker, or a new one forked from it with ``run``'s
    kernels loaded.

    A fork, not a spawn or a forkserver: the child starts with schedkit imported and the
    kernels the worker just loaded, instead of paying both again (seconds per worker, which a
    batch of 2-second runs feels). The worker is multi-threaded, so a fork copies only the
    forking thread; the child only solves and writes to its pipe, and the locks it needs are
    not held by other threads then (logging re-creates its own after a fork; Numba's is
    covered by ``_FORK_LOCK``).
    """
    import multiprocessing
    import warnings

    with _HELPERS_LOCK:
        while _IDLE_HELPERS:
            helper = _IDLE_HELPERS.pop()
            if helper.proc.is_alive():
                break
            helper.close()
        else:
            helper = None
    with _FORK_LOCK:
        method = sk.find_method(run.method.name, run.instance.problem)
        if method is not None and method.warm_up is not None:
            method.warm_up()  # a cold cache compiles here, before the hard limit's clock
        if helper is not None:
            return helper
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe()
        alive_r, alive_w = ctx.Pipe(duplex=False)
        # daemonic: it goes when the worker exits normally (and by ``alive`` when it does not)
        proc = ctx.Process(target=_helper_main, args=(theirs, alive_r), daemon=True,
                           name="schedkit bench solver")
        with warnings.catch_warnings():  # Python >= 3.12 warns of forking a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            proc.start()
    theirs.close()
    alive_r.close()
    return _Helper(proc, mine, alive_w)


def _dask_task(run: _Run, attempt: int) -> str:
    """One run on a Dask worker: solved by a solver process of the worker, killed at the run's
    hard limit (Dask cannot stop a running task; a process can be killed). Returns the
    record."""
    from distributed import get_worker

    extra: dict[str, Any] = {"dask_worker": get_worker().address}
    if attempt > 1:
        extra["dask_attempt"] = attempt
    helper = _take_helper(run)
    t0 = time.perf_counter()
    try:
        helper.conn.send((run, extra))
        if helper.conn.poll(run.hard_limit):
            try:
                kind, text = helper.conn.recv()
            except EOFError:  # the solver process died without a word
                helper.close()
                return run.unfinished(
                    sk.StopReason.ERROR, "the run's process died (exit code "
                    f"{helper.proc.exitcode}) without returning a result",
                    time.perf_counter() - t0, extra, host=True)
            with _HELPERS_LOCK:
                _IDLE_HELPERS.append(helper)
            if kind == "ok":
                return str(text)
            return run.unfinished(sk.StopReason.ERROR, f"the run raised {text}",
                                  time.perf_counter() - t0, extra, host=True)
        helper.close()
        limit = "none" if run.time_limit is None else f"{run.time_limit:g} s"
        return run.unfinished(
            sk.StopReason.TIME_LIMIT,
            f"killed at its hard limit of {run.hard_limit:g} s wall time (time limit {limit} "
            "plus grace): the method did not return by itself", time.perf_counter() - t0,
            extra, host=True)
    except BaseException:
        helper.close()
        raise


def _quiet_logs() -> None:
    import logging

    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _quiet_local_shutdown(client: Any) -> None:
    """Before a local cluster closes: its workers (and this process) stop logging below
    CRITICAL, for a worker whose heartbeat races the scheduler's close logs a traceback at
    ERROR ("Failed to communicate with scheduler during heartbeat"), which a user would read as
    a failure. Every run's outcome is in the results file by then."""
    with contextlib.suppress(Exception):
        client.run(_quiet_logs)
    _quiet_logs()


def _worker_facts(dask_worker: Any) -> dict[str, Any]:
    """What the runner checks on each worker before anything starts."""
    import multiprocessing

    return {"daemon": multiprocessing.current_process().daemon,
            "cores": dask_worker.state.total_resources.get("cores")}


def _one_failure_per_run(dask_scheduler: Any) -> None:
    """A task whose worker dies fails at once (Dask would retry it on up to 3 more workers):
    the runner re-queues it itself, once, and records it as failed after that."""
    dask_scheduler.allowed_failures = 0


def _check_workers(client: Any, runs: Sequence[_Run], suite_path: Path, where: str) -> None:
    facts = client.run(_worker_facts)
    daemonic = sorted(a for a, f in facts.items() if f["daemon"])
    if daemonic:
        raise BenchError(f"Dask worker {daemonic[0]} is a daemonic process, which may not start "
                         "the child process each run needs: start the workers with "
                         "DASK_DISTRIBUTED__WORKER__DAEMON=False (or --no-nanny)")
    bare = sorted(a for a, f in facts.items() if f["cores"] is None)
    if bare:
        raise BenchError(f"Dask worker {bare[0]} declares no `cores` resource: start each "
                         "worker with --resources cores=C (C: the cores its runs may use)")
    _check_cores(runs, suite_path, max(f["cores"] for f in facts.values()), where)


def local_cores(jobs: int) -> int:
    """The ``cores`` resource of each of ``jobs`` local workers: ``max(1, C // jobs)`` of this
    machine's C cores, so that the workers' cores add up to at most the machine's (more
    workers than cores: one each, and runs share cores)."""
    return max(1, (os.cpu_count() or 1) // jobs)


def _check_cores(runs: Sequence[_Run], suite_path: Path, most: float, where: str) -> None:
    """A run needs ``workers`` cores on one Dask worker; refuse a suite no worker can run."""
    need = max(r.workers for r in runs)
    if need > most:
        raise _fail(suite_path, "workers",
                    f"its runs need {need} cores each, but the largest Dask worker {where} has "
                    f"{most:g}; " + ("lower --jobs (a local worker gets max(1, C // jobs) of "
                                     f"this machine's C = {os.cpu_count() or 1} cores)"
                                     if where == "of --jobs" else
                                     "start workers with --resources cores=C, C >= workers"))


#: Descriptors that a process forked from this one closes at once (the results file of a
#: batch whose local workers are forked: its lock must go with this process).
_NOT_FOR_CHILDREN: set[int] = set()


def _close_not_for_children() -> None:
    for fd in list(_NOT_FOR_CHILDREN):
        with contextlib.suppress(OSError):
            os.close(fd)
    _NOT_FOR_CHILDREN.clear()


if hasattr(os, "register_at_fork"):  # POSIX; --jobs forks its workers only there
    os.register_at_fork(after_in_child=_close_not_for_children)


def _not_for_children(fd: int) -> None:
    """Close ``fd`` in every process forked from this one from now on (until discarded)."""
    _NOT_FOR_CHILDREN.add(fd)


def _run_on_dask(runs: list[_Run], fd: int, out: Path, suite_path: Path, resume: str, *,
                 jobs: int | None, scheduler: str | None) -> int:
    """Run ``runs`` on Dask, appending each record to ``out`` (open at ``fd``) as it comes."""
    try:
        import dask
        import distributed
    except ImportError:
        raise BenchError("--jobs and --scheduler run on Dask, which is not installed: "
                         "pip install 'schedkit[dask]'") from None
    import logging

    total = len(runs)
    written = 0
    if scheduler is None:  # the local workers' cores are known: check before starting them
        assert jobs is not None
        _check_cores(runs, suite_path, local_cores(jobs), "of --jobs")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(dask.config.set({"distributed.worker.daemon": False,
                                                 "distributed.scheduler.allowed-failures": 0}))
            if scheduler is None:
                _not_for_children(fd)
                stack.callback(_NOT_FOR_CHILDREN.discard, fd)
                stack.enter_context(dask.config.set(
                    {"distributed.worker.multiprocessing-method": "fork"}))
            if scheduler is None:
                assert jobs is not None
                cores = local_cores(jobs)
                if jobs > (os.cpu_count() or 1):
                    print(f"warning: --jobs {jobs} is more than this machine's "
                          f"{os.cpu_count()} cores: runs share cores and time less well",
                          file=sys.stderr)
                # _quiet_local_shutdown lowers distributed's logging here too: put it back
                # once the cluster has closed.
                own = logging.getLogger("distributed")
                stack.callback(own.setLevel, own.level)
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True,
                    resources={"cores": cores}, scheduler_kwargs={"dashboard": False},
                    silence_logs=logging.ERROR))
                client = stack.enter_context(distributed.Client(cluster))
                # Runs last-in first-out: before the client and the cluster close.
                stack.callback(_quiet_local_shutdown, client)
                where = "of --jobs"
            else:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
                client.wait_for_workers(1, timeout=WORKER_WAIT_S)
                where = f"at {scheduler}"
        except (OSError, TimeoutError) as err:
            what = "start a local Dask cluster" if scheduler is None else \
                f"reach a Dask scheduler with a worker at --scheduler {scheduler}"
            raise BenchError(f"cannot {what}: {err}") from None
        except ValueError as err:  # a malformed address
            raise sk.InputError(str(err), field="--scheduler") from None
        _check_workers(client, runs, suite_path, where)
        client.run_on_scheduler(_one_failure_per_run)

        def submit(index: int, attempt: int) -> Any:
            run = runs[index]
            future = client.submit(_dask_task, run, attempt,
                                   key=f"schedkit-run-{batch}-{index}-{attempt}",
                                   resources={"cores": run.workers}, pure=False)
            meta[future.key] = (index, attempt)
            return future

        def top_up() -> int:
            """Submit waiting runs up to the cluster's threads; return the threads."""
            # Dask sends tasks with resources to workers at once, where they wait; a worker's
            # death would then fail the runs it held but had not started (and use up their
            # re-queue). So no more runs are out than there are threads to run them.
            threads = max(1, sum(client.nthreads().values()))
            while waiting and len(meta) < threads:
                pending.add(submit(*waiting.popleft()))
            return threads

        batch = uuid.uuid4().hex[:12]  # keys unique on a scheduler shared by several batches
        meta: dict[str, tuple[int, int]] = {}
        waiting = collections.deque((i, 1) for i in range(total))
        pending = distributed.as_completed()
        top_up()
        bar = _progress(total)
        t0 = time.perf_counter()
        try:
            for future in pending:
                index, attempt = meta.pop(future.key)
                run = runs[index]
                if future.status == "finished":
                    text = future.result()
                else:
                    failure = future.exception()
                    lost = isinstance(failure, distributed.KilledWorker)
                    if lost and attempt == 1:
                        _say(bar, f"re-queued {run.what()}: its Dask worker died running it "
                             f"({_lost_worker(failure)})")
                        waiting.appendleft((index, 2))
                        top_up()
                        continue
                    if lost:
                        detail = (f"lost: its Dask worker {_lost_worker(failure)} died running "
                                  "it, after one re-queue (the first worker died too)")
                    else:
                        detail = f"the Dask task failed: {type(failure).__name__}: {failure}"
                    text = run.unfinished(sk.StopReason.ERROR, detail, 0.0, {}, host=False)
                future.release()
                with _sigint_deferred():
                    _append(fd, (text + "\n").encode("utf-8"), out)
                    written += 1
                record = json.loads(text)
                threads = top_up()
                running = min(len(meta), threads)
                elapsed = time.perf_counter() - t0
                eta = elapsed / written * (total - written)
                _say(bar, f"[{written}/{total} done, {running} running, {total - written} left, "
                     f"ETA {eta:.0f}s] {run.what()}: {record['status']} "
                     f"{record['objective']}", step=True, running=running)
        except KeyboardInterrupt:
            client.cancel(list(pending.futures))
            raise BatchInterrupted(f"interrupted: {written} of {total} runs done and kept in "
                                   f"{out} (runs in progress are not recorded); {resume}",
                                   written) from None
        finally:
            if bar is not None:
                bar.close()
    return total


def _lost_worker(err: BaseException) -> str:
    last = getattr(err, "last_worker", None)
    return str(getattr(last, "address", last) or "unknown")


def _progress(total: int) -> Any:
    """A tqdm bar on stderr when it is a terminal (else progress goes as one line per run)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="run", dynamic_ncols=True)


def _say(bar: Any, line: str, *, step: bool = False, running: int = 0) -> None:
    if bar is None:
        print(line, file=sys.stderr)
        return
    if step:
        bar.set_postfix_str(f"{running} running", refresh=False)
        bar.update(1)
    else:
        bar.write(line, file=sys.stderr)


# -- tables ------------------------------------------------------------------------------------
def shifted_geomean(values: Sequence[float], shift: float = TIME_SHIFT_S) -> float:
    """exp(mean(log(t + shift))) − shift: the usual way to average solver times."""
    if not values:
        return math.nan
    return math.exp(sum(math.log(v + shift) for v in values) / len(values)) - shift


def _num(x: float | None, digits: int = 6) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}g}"


def _markdown(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in rows]
    return "\n".join([line, sep, *body])


def _label(r: sk.Result) -> str:
    label = r.stats.get("label", r.method)
    return label if r.time_limit_s is None else f"{label}@{r.time_limit_s:g}s"


def _objective(r: sk.Result) -> float:
    """The objective of a verified result (``r.ok``: it always has one)."""
    assert r.objective is not None, "a verified result has an objective"
    return r.objective


def report(results: list[sk.Result]) -> str:
    """Markdown tables: per instance and per method (DESIGN.md §7)."""
    if not results:
        return "(no results)"
    by_cell: dict[tuple[str, str], list[sk.Result]] = defaultdict(list)
    instances: dict[str, sk.Result] = {}
    for r in results:
        key = f"{r.problem}:{r.instance}"
        instances.setdefault(key, r)
        by_cell[(key, _label(r))].append(r)
    labels = sorted({lab for _, lab in by_cell})
    zero_note = False
    rows = []
    for key, first in instances.items():
        row = [first.instance, first.problem, _num(first.best_known)]
        for lab in labels:
            runs = by_cell.get((key, lab), [])
            if not runs:
                row.append("")
                continue
            ok = [r for r in runs if r.ok]
            if not ok:
                row.append(f"{runs[0].status}")
                continue
            best = min(_objective(r) for r in ok)
            time_s = statistics.median(r.runtime_s for r in runs)
            zero_note = zero_note or first.best_known == 0
            if first.best_known is not None:  # the mean deviation is that of the mean objective
                mean = statistics.mean(_objective(r) for r in ok)
                gap_txt = sk.gap_to_best_known_text(mean, first.best_known)
            else:  # no best known: the gap to the run's own bound still says something
                own = [r.gap for r in ok if r.gap is not None]
                gap_txt = f"b {100 * statistics.mean(own):.2f}%" if own else "-"
            proved = "*" if any(r.status == "optimal" for r in ok) else ""
            row.append(f"{_num(best)}{proved} / {gap_txt} / {time_s:.2f}s")
        rows.append(row)
    parts = ["### Per instance (best objective [* = proved optimal] / mean gap to best known "
             "[b = to the run's own bound where none is known] / median time)", "",
             _markdown(["instance", "problem", "best known", *labels], rows)]
    if zero_note:
        parts.append("\nRows whose best known is 0 show the absolute deviation (`+x (bk 0)`), "
                     "since a relative deviation is undefined there.")
    mrows = []
    for lab in labels:
        runs = [r for (k, lb), rs in by_cell.items() if lb == lab for r in rs]
        rel = [r.gap_to_best_known for r in runs
               if r.ok and r.best_known not in (None, 0) and r.gap_to_best_known is not None]
        zero = [r for r in runs if r.ok and r.best_known == 0]
        hits = sum(1 for r in runs if r.ok and r.best_known is not None
                   and abs(_objective(r) - r.best_known) <= 1e-6 * max(1.0, abs(r.best_known)))
        with_bk = sum(1 for r in runs if r.ok and r.best_known is not None)
        mrows.append([
            lab,
            str(len(runs)),
            f"{100 * statistics.mean(rel):.2f}%" if rel else "-",
            f"{hits}/{with_bk}" if with_bk else "-",
            f"{statistics.mean(_objective(r) for r in zero):.4g}" if zero else "-",
            str(sum(r.status == "optimal" for r in runs)),
            str(sum(r.ok for r in runs)),
            str(sum(r.status == "error" for r in runs)),
            f"{shifted_geomean([r.runtime_s for r in runs]):.3f}",
        ])
    parts += ["", f"### Per method (time: shifted geometric mean, shift {TIME_SHIFT_S:g} s)", "",
              _markdown(["method", "runs", "mean gap to best known", "hits of best known",
                         "mean abs. dev. (best known 0)", "#optimal", "#feasible", "#error",
                         "time_s"], mrows)]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None, *, invocation: Invocation = BENCH_PY) -> int:
    """The ``bench.py`` command line; returns the exit status (0; 2 for bad input or a refused
    run; 130 for Ctrl-C; 141 when the reader of stdout goes away, as with ``| head``)."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog=invocation.name, description=doc.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run a suite (resumable) and print its tables")
    p_run.add_argument("suite", help="a suite file or a bundled suite's name (e.g. smoke)")
    p_run.add_argument("--out", type=Path, default=None,
                       help="results JSONL (default results/<suite file stem>.jsonl)")
    p_run.add_argument("--wait", action="store_true",
                       help="if another bench.py is writing --out, wait for it (default: refuse)")
    p_run.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="run on a local Dask cluster of N worker processes")
    p_run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="run on the Dask cluster of this scheduler (tcp://host:8786)")
    p_rep = sub.add_parser("report", help="print the tables of results files")
    p_rep.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "run":
        if args.jobs is not None and args.jobs < 1:
            parser.error(f"--jobs must be an integer >= 1, got {args.jobs}")
        if args.jobs is not None and args.scheduler is not None:
            parser.error("--jobs (a local cluster) does not go with --scheduler")
        return run_command(args.suite, args.out, wait=args.wait, invocation=invocation,
                           jobs=args.jobs, scheduler=args.scheduler)
    return report_command(args.files, invocation=invocation)


def run_command(suite: str | Path, out: Path | None = None, *, wait: bool = False,
                invocation: Invocation = SCHEDKIT_BENCH, jobs: int | None = None,
                scheduler: str | None = None) -> int:
    """Run a suite and print its tables, as ``schedkit bench SUITE`` does.

    Parameters
    ----------
    suite
        A suite file or a bundled suite's name (:func:`find_suite`).
    out
        The results file (default ``results/<suite file stem>.jsonl``).
    wait
        Wait for another runner writing ``out`` instead of refusing.
    invocation
        How the runner was started (the messages name its commands).
    jobs, scheduler
        Run on Dask: a local cluster of ``jobs`` workers, or the cluster of ``scheduler``
        (:func:`run_suite`).

    Returns
    -------
    int
        The exit status, as :func:`main`; errors are printed on stderr, one line.
    """

    def run() -> None:
        path = find_suite(suite)
        target = out or Path("results") / f"{path.stem}.jsonl"
        ran = run_suite(path, target, wait=wait, invocation=invocation, suite_ref=str(suite),
                        jobs=jobs, scheduler=scheduler)
        print(f"{ran} new runs; results in {target}", file=sys.stderr)
        print(report(_read([target], invocation)))

    return _exit_status(run)


def report_command(files: Sequence[Path], *, invocation: Invocation = SCHEDKIT_BENCH) -> int:
    """Print the tables of results files, as ``schedkit bench --report FILE…`` does.

    Returns
    -------
    int
        The exit status, as :func:`main`; errors are printed on stderr, one line.
    """
    return _exit_status(lambda: print(report(_read(files, invocation))))


def cli_command(args: Sequence[str], *, out: Path | None = None, wait: bool = False,
                report_only: bool = False, jobs: int | None = None,
                scheduler: str | None = None) -> int:
    """``schedkit bench SUITE [--out FILE] [--wait] [--jobs N | --scheduler ADDRESS]`` or
    ``schedkit bench --report FILE…``.

    Returns
    -------
    int
        The exit status, as :func:`main` (2 for arguments that do not go together).
    """

    def check() -> None:
        run_flags = {"--out": out is not None, "--wait": wait, "--jobs": jobs is not None,
                     "--scheduler": scheduler is not None}
        given = [flag for flag, on in run_flags.items() if on]
        if report_only and given:
            raise sk.InputError("goes with a suite run, not with --report", field=given[0])
        if jobs is not None and scheduler is not None:
            raise sk.InputError("runs on the cluster of that scheduler; --jobs (a local "
                                "cluster) does not go with it", field="--scheduler")
        if not report_only and len(args) != 1:
            raise sk.InputError(f"expected one suite, got {len(args)} (results files go with "
                                "--report)", field="SUITE")

    code = _exit_status(check)
    if code or report_only:
        return code or report_command([Path(a) for a in args])
    return run_command(args[0], out, wait=wait, jobs=jobs, scheduler=scheduler)


def _exit_status(action: Callable[[], None]) -> int:
    """Run a command; its failures become one line on stderr and an exit status."""
    try:
        action()
        sys.stdout.flush()
    except BrokenPipeError:  # `bench.py report … | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except (sk.InputError, BenchError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BatchInterrupted as err:
        print(str(err), file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0

