"""The ``schedkit`` command line: every command a few lines over the public library API.

A user's mistake (bad file, unknown method or option) prints one line on stderr and exits 2;
the line names the command-line flag (``--time-limit``), not the library argument behind it.
Wherever an INSTANCE is read, ``-`` reads it from standard input (``--format`` says which
format when the content does not tell).
"""

from __future__ import annotations

import inspect
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

import schedkit as sk

_FLOAT = "{:.6g}"

#: The time limit of ``schedkit solve`` per instance when ``--time-limit`` is not given, in
#: seconds, so that every command ends (``sk.solve`` itself has none by default).
DEFAULT_TIME_LIMIT_S = 60.0

#: Flags whose name differs from the generator's keyword: the library's single-machine
#: generator calls its number of jobs ``n``; the CLI says ``--jobs`` as the job-shop generator
#: does (``--n`` still works, hidden).
_GENERATOR_FLAGS = {"n": "jobs"}

#: Library argument (an InputError's field) -> the flag a CLI user typed.
_FLAGS = {"time_limit": "--time-limit", "seed": "--seed", "workers": "--workers",
          "method": "--method", "format": "--format", "problem": "--problem",
          "generate.problem": "PROBLEM", "generate.seed": "--seed", "highlight": "--highlight",
          "output": "--output"}


class _Exit(Exception):
    """Internal: leave with a status after printing."""

    def __init__(self, code: int) -> None:
        self.code = code


def _kv(pairs: Iterable[str], what: str) -> dict[str, Any]:
    """``["k=v", …]`` → dict with typed values (int, float, bool, JSON list, else text)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise sk.InputError(f"expected KEY=VALUE, got {pair!r}", field=what)
        text = value.strip()
        if text.startswith("["):
            try:
                out[key.strip()] = json.loads(text)
                continue
            except json.JSONDecodeError:
                pass
        out[key.strip()] = sk.parse_option_value(text)
    return out


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return _FLOAT.format(x)
    return str(x)


def _gap(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


class _Table:
    """A terminal table printed row by row (so long runs show progress), by ``echo``
    (default: stdout)."""

    def __init__(self, columns: Sequence[tuple[str, int]],
                 echo: Callable[[str], None] = click.echo) -> None:
        self.columns = columns
        self.echo = echo
        echo("  ".join(name.ljust(width) for name, width in columns).rstrip())
        echo("  ".join("-" * width for _, width in columns))

    def row(self, values: Sequence[Any]) -> None:
        cells = []
        for (_, width), value in zip(self.columns, values, strict=True):
            text = str(value)
            cells.append(text.ljust(width) if len(text) <= width else text)
        self.echo("  ".join(cells).rstrip())


_STDIN: dict[str, str] = {}


def _stdin_text(what: str) -> str:
    """Standard input, read once (a second ``-`` in one command is an error)."""
    if "used" in _STDIN:
        raise sk.InputError(f"standard input is read once, already as the {_STDIN['used']}",
                            field=what)
    _STDIN["used"] = what
    return sys.stdin.read()


def _load(ref: str, fmt: str | None, read_options: Sequence[str]) -> sk.Instance:
    """The instance ``ref`` names: a file, a bundled name, or ``-`` for standard input."""
    options = _kv(read_options, "--input-option")
    if ref == "-":
        return sk.loads(_stdin_text("instance"), format=fmt, source="<stdin>", **options)
    return sk.load(ref, format=fmt, **options)


_format_option = click.option(
    "--format", "fmt", default=None, metavar="FORMAT",
    help="Input format (default: detected from suffix and content): "
         + ", ".join(sk.FORMATS) + ".",
)
_input_option = click.option(
    "--input-option", "-I", "read_options", multiple=True, metavar="KEY=VALUE",
    help="Option for the reader, e.g. -I processors=8 (STG), -I instance=3 (OR-Library wt).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schedkit")
def cli() -> None:
    """schedkit: exact models and fast heuristics for scheduling problems.

    INSTANCE arguments are files or bundled names (`schedkit list`).
    """


class _Seconds(click.ParamType):
    """``--time-limit``: seconds > 0, or ``none`` for no limit."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float | None:
        if value is None or isinstance(value, float):
            return value
        text = str(value).strip().lower()
        if text in ("none", "off", "no"):
            return None
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not (seconds > 0 and math.isfinite(seconds)):
            raise sk.InputError(f"must be a finite number of seconds > 0, or none for no "
                                f"limit; got {value!r}", field="--time-limit")
        return seconds


class _Output:
    """Where ``solve`` writes: table rows and JSON Lines on stdout, the log and the progress
    bar on stderr (tqdm's, when stderr is a terminal and more than one instance is solved)."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.bar: Any = None
        if not quiet and total > 1 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="instance", file=sys.stderr, leave=False,
                            dynamic_ncols=True)

    def out(self, line: str) -> None:
        """A line of the command's output (stdout)."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stdout)
        else:
            click.echo(line)

    def err(self, line: str) -> None:
        """A line of the log or an error (stderr)."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            click.echo(line, err=True)

    def solving(self, name: str) -> None:
        """The bar names the instance being solved."""
        if self.bar is not None:
            self.bar.set_postfix_str(name)

    def done(self) -> None:
        """One more instance solved."""
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _auto_help() -> str:
    """What ``--method auto`` runs, per problem (the registry's order of preference), and
    what it runs instead with ``--time-limit`` where that differs."""
    text = ", ".join(f"{problem} {names[0]} ({sk.get_method(names[0], problem).kind})"
                     for problem, names in sk.AUTO.items())
    timed = [f"{problem} {names[0]}" for problem, names in sk.AUTO_TIMED.items()
             if names[0] != sk.AUTO[problem][0]]
    return text + (f"; with --time-limit: {', '.join(timed)}" if timed else "")


@cli.command()
@click.argument("instances", nargs=-1, required=True, metavar="INSTANCE...")
@click.option("--method", "-m", "method", multiple=True, default=("auto",), show_default=True,
              help="Method name (`schedkit methods`); repeat it or separate names by commas "
                   "(-m cpsat,tabu) to run each method on each instance it solves, with the "
                   "same --option values. auto runs, per problem: "
                   + _auto_help() + " (`schedkit methods` lists the fall-backs for "
                   "objectives these do not support).")
@click.option("--time-limit", "-t", type=_Seconds(), default=DEFAULT_TIME_LIMIT_S,
              show_default=True,
              help="Seconds per instance, or none for no limit (each method then stops by "
                   "its own rule).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", "-w", type=int, default=1, show_default=True)
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Method option (repeatable; `schedkit methods` lists them). "
                   "cpsat.NAME=VALUE passes a CP-SAT SatParameters field through (cpsat "
                   "methods), highs.NAME=VALUE a HiGHS option (milp with backend=highs).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None,
              help="Append one result per run to this JSON Lines file; - writes them to "
                   "stdout (the table then goes to stderr).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the results as JSON Lines on stdout instead of the table.")
@click.option("--log", "-v", "verbose", is_flag=True,
              help="Stream each run's progress to stderr: the backend's log (CP-SAT, CBC, "
                   "HiGHS) and the searches' new incumbents with time, objective and bound.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing but errors (--out and --json still write the results).")
@_format_option
@_input_option
def solve(instances: tuple[str, ...], method: tuple[str, ...], time_limit: float | None,
          seed: int, workers: int, options: tuple[str, ...], out: Path | None, as_json: bool,
          verbose: bool, quiet: bool, fmt: str | None, read_options: tuple[str, ...]) -> None:
    """Solve INSTANCE... with each --method and print one row per run.

    INSTANCE is a file, a bundled name (`schedkit list`) or - for standard input. The
    line above the table gives the time limit, seed and workers. Ctrl-C stops the running
    method, which returns (and records) its best solution so far with stop reason
    ``interrupted``; the remaining instances are not solved (exit 130). A second Ctrl-C aborts
    at once. Time-limited runs do not reproduce; iteration-limited ones (``--option
    iterations=N``) do, with or without --log.
    """
    if verbose and quiet:
        raise sk.InputError("--log and --quiet exclude each other", field="--quiet")
    if instances.count("-") > 1:
        raise sk.InputError(f"standard input holds one instance; - is given "
                            f"{instances.count('-')} times", field="INSTANCE")
    opts = _kv(options, "--option")
    loaded = [_load(ref, fmt, read_options) for ref in instances]  # fail before solving anything
    methods = _method_names(method)
    runs = _runs(loaded, methods)
    for name in methods:
        _check_run([inst for inst, n in runs if n == name], name, opts, time_limit, seed,
                   workers)
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and as_json:
        raise sk.InputError("--json and --out - both write JSON Lines to stdout; give one",
                            field="--out")
    show = _Output(len(runs), quiet=quiet)
    table_line = show.err if to_stdout else show.out
    table = None
    if not quiet and not as_json:
        limit = "none" if time_limit is None else f"{time_limit:g} s per instance"
        table_line(f"time limit {limit}, seed {seed}, workers {workers}")
        width = max(8, *(len(i.name) for i in loaded))
        table = _Table([("instance", width), ("method", 10), ("status", 8), ("objective", 12),
                        ("bound", 12), ("gap", 8), ("best_known", 12), ("gap_to_bk", 13),
                        ("time_s", 8)], echo=table_line)
    log: Callable[[str], None] | None = show.err if verbose else None
    failed = False
    try:
        for done, (inst, name) in enumerate(runs, start=1):
            show.solving(inst.name if len(methods) == 1 else f"{inst.name} {name}")
            result = sk.solve(inst, name, time_limit=time_limit, seed=seed, workers=workers,
                              options=opts, log=log)
            show.done()
            if table is not None:
                table.row([inst.name, result.method, result.status, _fmt(result.objective),
                           _fmt(result.bound), _gap(result.gap), _fmt(result.best_known),
                           sk.gap_to_best_known_text(result.objective, result.best_known),
                           f"{result.runtime_s:.2f}"])
            if as_json or to_stdout:
                show.out(result.to_json())
            if result.status == "error":
                failed = True
                show.err(f"  {inst.name}: {result.stop_detail or result.stop_reason}")
            if out is not None and not to_stdout:
                _append(out, result.to_json())
            if result.stop_reason == sk.StopReason.INTERRUPTED:
                what = inst.name if len(methods) == 1 else f"{inst.name} {result.method}"
                left = f"{len(runs) - done} instance(s) not solved" if len(methods) == 1 \
                    else f"{len(runs) - done} run(s) not done"
                show.err(f"interrupted: {what} returned its best solution so far; {left}")
                raise _Exit(130)
    finally:
        show.close()
    if failed:
        raise _Exit(1)


def _append(path: Path, line: str) -> None:
    """Append one JSON line to ``path`` (``--out``), creating its folder."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError as err:
        raise sk.InputError(f"cannot write: {err.strerror or err}", field="--out",
                            source=str(path)) from None


def _method_names(given: Sequence[str]) -> list[str]:
    """The ``--method`` values, repeated or comma-separated, in order, each once."""
    names = [n.strip() for value in given for n in value.split(",")]
    if not all(names):
        raise sk.InputError(f"empty method name in {','.join(given)!r}", field="--method")
    return list(dict.fromkeys(names))


def _runs(loaded: Sequence[sk.Instance], methods: Sequence[str]
          ) -> list[tuple[sk.Instance, str]]:
    """(instance, method) pairs to solve, instance by instance. With several methods, a
    method skips the instances it does not solve (``-m cpsat,tabu`` on a job shop and a
    single machine runs tabu on the job shop only); one that solves none of them is an error
    (raised by :func:`_check_run` on every instance)."""
    def applies(inst: sk.Instance, name: str) -> bool:
        try:
            sk.resolve_method(inst, name)
        except sk.InputError:
            return False
        return True

    runs = [(inst, name) for inst in loaded for name in methods
            if len(methods) == 1 or applies(inst, name)]
    for name in methods:
        if not any(n == name for _, n in runs):
            _check_run(loaded, name, {}, None, 0, 1)
    return runs


def _check_run(loaded: Sequence[sk.Instance], method: str, opts: dict[str, Any],
               time_limit: float | None, seed: int, workers: int) -> None:
    """The errors solve() would raise, for every instance, before anything is solved or
    printed: the method (``auto`` resolved per instance) and its options included."""
    if time_limit is not None and not (time_limit > 0 and time_limit != float("inf")):
        raise sk.InputError(f"must be a finite number of seconds > 0, got {time_limit}",
                            field="--time-limit")
    if seed < 0:
        raise sk.InputError(f"must be an integer >= 0, got {seed}", field="--seed")
    if workers < 1:
        raise sk.InputError(f"must be an integer >= 1, got {workers}", field="--workers")
    for inst in loaded:
        try:
            sk.resolve_method(inst, method, time_limit).validate_options(opts)
        except sk.InputError as err:
            if len(loaded) == 1:
                raise
            raise sk.InputError(f"{inst.name}: {err.message}", field=err.field,
                                source=err.source, line=err.line) from None


@cli.command()
@click.argument("instance")
@click.argument("result", type=click.Path(exists=True, dir_okay=False, allow_dash=True,
                                          path_type=Path))
@_format_option
@_input_option
def check(instance: str, result: Path, fmt: str | None, read_options: tuple[str, ...]) -> None:
    """Check RESULT (results JSONL or a solution JSON; - for stdin) against INSTANCE.

    Every record that names INSTANCE or carries its hash is re-verified: problem, hash,
    feasibility, objective, status, bound, gaps and best known value. Prints one line per
    record (`ok`; else what is wrong first — an infeasible schedule, a wrong objective of a
    feasible schedule, or wrong claims — and its findings one per line below it) and a
    summary. Exits 0 when nothing is wrong, 1 otherwise.
    """
    if instance == "-" and str(result) == "-":
        raise sk.InputError("standard input holds one of INSTANCE and RESULT, not both",
                            field="RESULT")
    inst = _load(instance, fmt, read_options)
    if str(result) == "-":
        reports = sk.check_file(inst, Path("<stdin>"), text=_stdin_text("results"))
    else:
        reports = sk.check_file(inst, result)
    bad = 0
    for (label, findings), verdict in zip(reports, reports.verdicts, strict=True):
        if findings:
            bad += 1
            click.echo(f"{label}: {verdict}; {len(findings)} finding"
                       f"{'s' if len(findings) != 1 else ''}")
            for v in findings:
                click.echo(f"  {v}")
        else:
            click.echo(f"{label}: ok")
    skipped = reports.skipped
    click.echo(f"{len(reports)} checked, {len(reports) - bad} ok, {bad} with findings; "
               f"{skipped} record{'s' if skipped != 1 else ''} of other instances skipped")
    if bad:
        raise _Exit(1)


@cli.command()
@click.argument("source")
@click.argument("target", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@_format_option
@_input_option
@click.option("--to", "to_format", default=None,
              help="Output format (default from TARGET's suffix: .json → json).")
def convert(source: str, target: Path, fmt: str | None, read_options: tuple[str, ...],
            to_format: str | None) -> None:
    """Convert SOURCE (any readable format, a bundled name or - for stdin) to TARGET (- for
    the JSON document on stdout)."""
    inst = _load(source, fmt, read_options)
    if str(target) == "-":
        if to_format not in (None, "json"):
            raise sk.InputError("stdout takes the JSON document only", field="--to")
        click.echo(sk.instance_to_json(inst), nl=False)
        return
    sk.save(inst, target, format=to_format)
    click.echo(f"wrote {target} ({inst.problem}, {inst.size()})")


@cli.command()
@click.argument("instance")
@_format_option
@_input_option
def info(instance: str, fmt: str | None, read_options: tuple[str, ...]) -> None:
    """Describe INSTANCE: problem, size, objective, bounds, cheap lower bound, hash."""
    inst = _load(instance, fmt, read_options)
    b = inst.bounds
    rows = [
        ("name", inst.name),
        ("problem", inst.problem),
        ("size", inst.size()),
        ("objective", inst.objective),
        ("best known", "-" if b is None else f"lower {_fmt(b.lower)}, upper {_fmt(b.upper)}"
         + (f" ({b.source})" if b.source else "")),
        ("cheap lower bound", _fmt(sk.lower_bound(inst))),
        ("sha256", sk.instance_sha256(inst)),
    ]
    for k, v in inst.meta.items():
        text = v if isinstance(v, str) else json.dumps(v)
        if len(text) > 100:
            text = f"[{len(v)} items]" if isinstance(v, list | dict) else text[:97] + "..."
        rows.append((f"meta.{k}", text))
    for key, value in rows:
        click.echo(f"{key:<18} {value}")


@cli.command()
@click.argument("result", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Image file (.png, .svg, .pdf); default: RESULT's name with .png.")
@click.option("--record", "-r", type=int, default=1, show_default=True,
              help="Which record of a results file to draw (1 = first).")
@click.option("--instance", "instance_ref", default=None,
              help="Instance the result was solved on (default: load it by the result's name).")
@click.option("--highlight", default=None, metavar="J1,J2,...",
              help="Gantt charts: jobs to find (drawn in colour and labelled, the others in "
                   "grey).")
@_format_option
@_input_option
def plot(result: Path, output: Path | None, record: int, instance_ref: str | None,
         highlight: str | None, fmt: str | None, read_options: tuple[str, ...]) -> None:
    """Draw a result as a chart (Gantt chart by machine or processor)."""
    jobs = None
    if highlight is not None:
        try:
            jobs = [int(j) for j in highlight.split(",")]
        except ValueError:
            raise sk.InputError(f"must be job numbers separated by commas, got {highlight!r}",
                                field="--highlight") from None
    records = list(sk.read_results(result))
    if not 1 <= record <= len(records):
        raise sk.InputError(f"has {len(records)} records, asked for record {record}",
                            source=str(result), field="--record")
    inst = _load(instance_ref, fmt, read_options) if instance_ref else None
    target = sk.save_plot(records[record - 1], output or result.with_suffix(".png"), inst,
                          highlight=jobs)
    click.echo(f"wrote {target}")


@cli.command("robustness")
@click.argument("instance")
@click.argument("result", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--noise", default="lognormal:0.2", show_default=True,
              help="lognormal:s (mean-one, log-sd s), uniform:x (±x·100 %) or none.")
@click.option("--samples", type=int, default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--perturb-communication", is_flag=True,
              help="Also perturb every edge's communication time.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_format_option
@_input_option
def robustness_cmd(instance: str, result: Path, noise: str, samples: int, seed: int,
                   perturb_communication: bool, as_json: bool, fmt: str | None,
                   read_options: tuple[str, ...]) -> None:
    """Re-execute each DAG schedule in RESULT under random run times: realised makespans."""
    inst = _load(instance, fmt, read_options)
    sha = sk.instance_sha256(inst)
    records = [r for r in sk.read_results(result) if r.instance_sha256 == sha and r.ok]
    if not records:
        raise sk.InputError(f"no feasible result for instance {inst.name!r}",
                            source=str(result))
    rows = []
    for rec in records:
        rob = sk.robustness(inst, rec, noise=noise, samples=samples, seed=seed,
                            perturb_communication=perturb_communication)
        rows.append((rec.method, rob))
    if as_json:
        click.echo(json.dumps([{"method": m, **r.to_dict()} for m, r in rows], indent=1))
        return
    table = _Table([("method", 14), ("planned", 12), ("mean", 12), ("p95", 12),
                    ("worst", 12), ("mean/plan", 9)])
    for method, r in rows:
        table.row([method, _fmt(r.planned), _fmt(r.mean), _fmt(r.p95), _fmt(r.worst),
                   f"{r.mean / r.planned:.3f}" if r.planned else "-"])
    click.echo(f"noise {noise}, {samples} samples, seed {seed}", err=True)


def _positive(value: int | None, flag: str) -> None:
    if value is not None and value < 1:
        raise sk.InputError(f"must be an integer >= 1, got {value}", field=flag)


def _rebalance_instance(loads: Path, replicas: int, gpus: int, nodes: int,
                        groups: int | None, window: int | None, previous: Path | None,
                        max_changed_slots: int | None,
                        max_changed_layers: int | None) -> tuple[sk.ExpertPlacement, str]:
    """The ExpertPlacement of `schedkit rebalance`'s arguments, and which window it plans."""
    for value, flag in ((replicas, "--replicas"), (gpus, "--gpus"), (nodes, "--nodes"),
                        (groups, "--groups")):
        _positive(value, flag)
    for value, flag in ((max_changed_slots, "--max-changed-slots"),
                        (max_changed_layers, "--max-changed-layers")):
        if value is not None and value < 0:
            raise sk.InputError(f"must be an integer >= 0, got {value}", field=flag)
        if value is not None and previous is None:
            raise sk.InputError("a migration budget needs the deployed plan (--previous)",
                                field=flag)
    w = sk.read_loads(loads)
    where = ""
    if w.ndim == 3:
        T = w.shape[0]
        k = T - 1 if window is None else window
        if not -T <= k < T:
            raise sk.InputError(f"the history has {T} windows (0..{T - 1}, or -1 for the "
                                f"last), got {window}", field="--window")
        k %= T
        w, where = w[k], f" (window {k} of {T})"
    elif window not in (None, 0, -1):
        raise sk.InputError(f"{loads} holds one window of loads, not a history; got {window}",
                            field="--window")
    L, E = w.shape
    if replicas % gpus:
        raise sk.InputError(f"must be a multiple of --gpus {gpus}, got {replicas}",
                            field="--replicas")
    if not E <= replicas <= gpus * E:
        raise sk.InputError(f"must be between the {E} experts and {gpus} GPUs x {E} (a GPU "
                            f"holds one replica of an expert at most), got {replicas}",
                            field="--replicas")
    if gpus % nodes:
        raise sk.InputError(f"must divide --gpus {gpus}, got {nodes}", field="--nodes")
    if groups is not None and E % groups:
        raise sk.InputError(f"must divide the {E} experts, got {groups}", field="--groups")
    prev = None
    if previous is not None:
        prev = sk.read_plan(previous, num_experts=E).phy2log
        if prev.shape != (L, replicas):
            raise sk.InputError(f"plan of shape {list(prev.shape)}, the loads need "
                                f"[{L}, {replicas}] (layers, replicas)", field="--previous")
    inst = sk.ExpertPlacement(
        name=loads.stem, gpus=gpus, gpus_per_node=gpus // nodes, slots_per_gpu=replicas // gpus,
        load=w, groups=None if groups is None else E // groups, previous=prev,
        max_changed_slots=max_changed_slots, max_changed_layers=max_changed_layers)
    return inst, where


@cli.command()
@click.argument("loads", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replicas", "-r", type=int, required=True,
              help="Physical expert slots per layer (EPLB's num_replicas).")
@click.option("--gpus", "-g", type=int, required=True, help="GPUs (EPLB's num_gpus).")
@click.option("--nodes", type=int, default=1, show_default=True, help="Nodes (num_nodes).")
@click.option("--groups", type=int, default=None,
              help="Expert groups (EPLB's num_groups; E / groups consecutive experts each).")
@click.option("--method", "-m", default="auto", show_default=True,
              help="Method: balance, eplb, cpsat, milp, baseline, … (`schedkit methods`).")
@click.option("--window", type=int, default=None,
              help="Which window of a load history to plan on (0-based; default the last).")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The deployed plan (.json/.npz/.npy): experts that stay keep their slot.")
@click.option("--max-changed-slots", type=int, default=None,
              help="Migration budget: changed slots over all layers.")
@click.option("--max-changed-layers", type=int, default=None,
              help="Migration budget: layers with a changed slot.")
@click.option("--time-limit", "-t", type=float, default=None, help="Seconds.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Method option (repeatable), e.g. --option fix_defects=true.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Plan file: .json, .npz (EPLB's three arrays) or .npy (phy2log).")
def rebalance(loads: Path, replicas: int, gpus: int, nodes: int, groups: int | None,
              method: str, window: int | None, previous: Path | None,
              max_changed_slots: int | None, max_changed_layers: int | None,
              time_limit: float | None, seed: int, options: tuple[str, ...], out: Path) -> None:
    """Plan expert replicas for a serving engine from LOADS and write EPLB's arrays.

    LOADS holds per-layer expert loads [layers, experts] or a history [windows, layers,
    experts] (.json, .csv or .npy). The plan is written as DeepSeek EPLB's phy2log, log2phy
    and logcnt (slot j on GPU j // (replicas / gpus)); one line per layer shows the largest
    GPU load, balancedness (mean / max GPU load) and slots changed against --previous.
    """
    if out.suffix.lower() not in (".json", ".npz", ".npy"):
        raise sk.InputError(f"plan file must end in .json, .npz or .npy, got {out.name!r}",
                            field="--out")
    opts = _kv(options, "--option")
    inst, where = _rebalance_instance(loads, replicas, gpus, nodes, groups, window,
                                      previous, max_changed_slots, max_changed_layers)
    _check_run([inst], method, opts, time_limit, seed, 1)
    result = sk.solve(inst, method, time_limit=time_limit, seed=seed, options=opts)
    if not result.ok or result.solution is None:
        click.echo(f"error: {result.method} gave no plan ({result.status}): "
                   f"{result.stop_detail or result.stop_reason}", err=True)
        raise _Exit(1)
    arrays = sk.to_eplb_arrays(inst, result.solution, old_phy2log=inst.previous)
    sk.write_plan(out, arrays)
    m = sk.metrics(inst, result.solution)
    changed = m.get("changed_slots_per_layer")
    table = _Table([("layer", 5), ("max_load", 12), ("balancedness", 12),
                    ("changed_slots", 13)])
    for layer, (peak, bal) in enumerate(zip(m["max_load_per_layer"], m["balancedness"],
                                            strict=True)):
        table.row([layer, _fmt(float(peak)), f"{bal:.4f}",
                   "-" if changed is None else changed[layer]])
    table.row(["total", _fmt(float(sum(m["max_load_per_layer"]))),
               f"{sum(m['balancedness']) / len(m['balancedness']):.4f}",
               "-" if changed is None else sum(changed)])
    click.echo(f"{result.method} {result.status} on {inst.size()}{where}: objective "
               f"{_fmt(result.objective)}, bound {_fmt(result.bound)}, gap {_gap(result.gap)}, "
               f"{result.runtime_s:.2f} s; wrote {out}")


@cli.command()
@click.argument("source")
@click.option("--method", "-m", "methods_", multiple=True, required=True,
              help="Method to compare (repeatable): balance, eplb, cpsat, milp, baseline, ….")
@click.option("--replicas", "-r", type=int, default=None,
              help="With a loads file: physical slots per layer (EPLB's num_replicas).")
@click.option("--gpus", "-g", type=int, default=None, help="With a loads file: GPUs.")
@click.option("--nodes", type=int, default=1, show_default=True,
              help="With a loads file: nodes.")
@click.option("--groups", type=int, default=None,
              help="With a loads file: expert groups (EPLB's num_groups).")
@click.option("--max-changed-fraction", type=float, default=None,
              help="Migration budget from the second window on: at most this share of all "
                   "slots changes against the plan deployed for the window before.")
@click.option("--max-changed-layers", type=int, default=None,
              help="Migration budget: layers with a changed slot.")
@click.option("--time-limit", "-t", type=float, default=None, help="Seconds per plan.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None,
              help="Also write every row as JSON Lines; - writes them to stdout (the table then "
                   "goes to stderr).")
def rolling(source: str, methods_: tuple[str, ...], replicas: int | None, gpus: int | None,
            nodes: int, groups: int | None, max_changed_fraction: float | None,
            max_changed_layers: int | None, time_limit: float | None, seed: int,
            out: Path | None) -> None:
    """Plan on window t of a load history and score the plan on window t+1.

    SOURCE is an expert-placement instance with a history (a file, or
    `schedkit generate expert-placement --windows N -o h.json`), or a loads file holding a
    history [windows, layers, experts] (.json, .csv, .npy) with --replicas and --gpus. One row
    per window and method: the plan's max GPU load and gap to the lower bound on window t, its
    balancedness per GPU and per slot and peak-to-average ratio on window t+1, the slots
    changed against the method's plan for the window before, and the planner's seconds.
    """
    if replicas is not None or gpus is not None:
        if replicas is None or gpus is None:
            raise sk.InputError("a loads file needs both --replicas and --gpus",
                                field="--replicas" if replicas is None else "--gpus")
        history = sk.read_loads(Path(source))
        if history.ndim != 3:
            raise sk.InputError(f"{source} holds one window of loads; the protocol needs a "
                                "history [windows, layers, experts]", field="source")
        first, _ = _rebalance_instance(Path(source), replicas, gpus, nodes, groups, 0,
                                       None, None, None)
        inst = sk.ExpertPlacement(
            name=first.name, gpus=first.gpus, gpus_per_node=first.gpus_per_node,
            slots_per_gpu=first.slots_per_gpu, load=history[0], groups=first.groups,
            history=history)
    else:
        loaded = sk.load(source)
        if not isinstance(loaded, sk.ExpertPlacement):
            raise sk.InputError(f"{source} is a {loaded.problem} instance; the protocol plans "
                                "expert placements", field="source")
        inst = loaded
    if inst.history is None or inst.history.shape[0] < 2:
        raise sk.InputError(f"{source} has no load history of 2 windows or more (generate one "
                            "with --windows N, or pass a loads file [windows, layers, experts] "
                            "with --replicas and --gpus)", field="history")
    if max_changed_fraction is not None and not 0 <= max_changed_fraction <= 1:
        raise sk.InputError(f"must be in [0, 1], got {max_changed_fraction}",
                            field="--max-changed-fraction")
    if max_changed_layers is not None and max_changed_layers < 0:
        raise sk.InputError(f"must be an integer >= 0, got {max_changed_layers}",
                            field="--max-changed-layers")
    for method in methods_:
        _check_run([inst], method, {}, time_limit, seed, 1)
    to_stdout = out is not None and str(out) == "-"
    table = _Table([("window", 6), ("method", 10), ("status", 9), ("max_load", 12),
                    ("gap", 8), ("next_bal", 8), ("slot_bal", 8), ("next_par", 8),
                    ("changed", 7), ("seconds", 7)],
                   echo=(lambda line: click.echo(line, err=True)) if to_stdout else click.echo)

    def show(r: dict[str, Any]) -> None:
        plan, nxt = r.get("plan"), r.get("next")
        table.row([r["window"], r["method"], r["status"],
                   "-" if plan is None else _fmt(float(plan["max_load"])),
                   "-" if plan is None else _gap(plan["gap"]),
                   "-" if nxt is None else f"{nxt['balancedness']:.4f}",
                   "-" if nxt is None else f"{nxt['slot_balancedness']:.4f}",
                   "-" if nxt is None else f"{nxt['par']:.3f}",
                   r["changed_slots"], f"{r['planner_s']:.2f}"])

    rows = sk.rolling(inst, list(methods_), time_limit=time_limit, seed=seed,
                      max_changed_fraction=max_changed_fraction,
                      max_changed_layers=max_changed_layers, on_row=show)
    for s_ in sk.summarise_rolling(rows):
        if s_["windows"]:
            click.echo(f"{s_['method']}: next-window balancedness {s_['next_balancedness']:.4f} "
                       f"(per slot {s_['next_slot_balancedness']:.4f}), PAR {s_['next_par']:.3f}, "
                       f"plan gap {_gap(s_['plan_gap'])}, {s_['changed_slots']:.1f} changed "
                       f"slots per window, median {s_['planner_s']:.3f} s", err=True)
    if to_stdout:
        for r in rows:
            click.echo(json.dumps({"instance": inst.name, **r}))
    elif out is not None:
        try:
            out.write_text("".join(json.dumps({"instance": inst.name, **r}) + "\n"
                                   for r in rows))
        except OSError as err:
            raise sk.InputError(f"cannot write: {err.strerror or err}", field="--out",
                                source=str(out)) from None


def _option_head(o: sk.Option, where: str = "") -> str:
    choices = f" {{{', '.join(map(str, o.choices))}}}" if o.choices else ""
    return (f"{'':<16}--option {o.name}={o.type.__name__}{choices} (default {o.default!r})"
            f"{where}")


@cli.command("methods")
@click.option("--problem", "-p", default=None, help="Only methods for this problem.")
def methods_cmd(problem: str | None) -> None:
    """List the solution methods, the problems they solve and their options.

    A method of several problems lists each option once: with the problems it applies to
    where not all of them have it, and one help line per problem where the help differs.
    """
    chosen = sk.methods(problem)
    by_name: dict[str, list[sk.Method]] = {}
    for m in chosen:
        by_name.setdefault(m.name, []).append(m)
    for name, group in by_name.items():
        kinds = sorted({str(m.kind) for m in group})
        click.echo(f"{name:<14} {'/'.join(kinds):<13} {', '.join(m.problem for m in group)}")
        for m in group:
            where = f"{m.problem}: " if len(group) > 1 else ""
            click.echo(f"{'':<14} {where}{m.summary}")
        # One entry per option (name, type, default, choices), whichever problems share it.
        shared: dict[tuple[Any, ...], list[tuple[sk.Method, sk.Option]]] = {}
        for m in group:
            for o in m.options:
                key = (o.name, o.type, repr(o.default), o.choices)
                shared.setdefault(key, []).append((m, o))
        for pairs in shared.values():
            o = pairs[0][1]
            problems = [m.problem for m, _ in pairs]
            where = f" [{', '.join(problems)}]" if len(pairs) < len(group) else ""
            helps = {opt.help for _, opt in pairs}
            if len(helps) == 1:
                click.echo(f"{_option_head(o, where)}: {o.help}")
                continue
            click.echo(f"{_option_head(o, where)}:")
            for m, opt in pairs:
                click.echo(f"{'':<18}{m.problem}: {opt.help}")
        for b in dict.fromkeys(b for m in group for b in m.backends):
            when = f" (with {b.when[0]}={b.when[1]})" if b.when else ""
            what = {"cpsat": "a field of CP-SAT's SatParameters",
                    "highs": "a HiGHS option"}.get(b.name, b.name)
            click.echo(f"{'':<16}--option {b.name}.NAME=VALUE{when}: {what}, passed through "
                       "to the solver; name and type checked against its own list")
    if chosen:
        wanted = chosen[0].problem if problem is not None else None
        click.echo("\nauto (the default of --method) runs, per problem, the first of these "
                   "that supports the\ninstance's objective:")
        rows = [(prob, "", names) for prob, names in sk.AUTO.items()]
        rows += [(prob, "with a time limit: ", names) for prob, names in sk.AUTO_TIMED.items()
                 if names != sk.AUTO[prob]]
        for prob, when, names in rows:
            if wanted is not None and prob != wanted:
                continue
            chain = ", ".join(f"{n} ({sk.get_method(n, prob).kind})" for n in names)
            click.echo(f"  {prob:<18} {when}{chain}")
        click.echo("Exact methods prove optimality or return their best within the time "
                   "limit; metaheuristics\nsearch until it (or their iteration/stall rule); "
                   "heuristics finish at once.")
    click.echo("\nReproducibility: the same seed and options give the same result when the run "
               "ends by its\niteration limit or by itself; a time-limited run (--time-limit) "
               "does not reproduce, as how\nfar it gets depends on the machine and its load. "
               "--time-limit counts the whole run after the\nmethod's Numba kernels are "
               "compiled (once per installation: `schedkit warmup`).")


@cli.command("warmup")
@click.option("--problem", "-p", default=None, help="Only the methods of this problem.")
def warmup_cmd(problem: str | None) -> None:
    """Compile every method's Numba kernels into the on-disk cache (once after installing).

    Without it the first run of a method compiles its kernels, before its time limit starts.
    """
    spent = sk.warm_up(problem)
    for name, seconds in spent.items():
        click.echo(f"{name:<18} {seconds:7.2f} s")


@cli.command("list")
@click.option("--problem", "-p", default=None, help="Only instances of this problem.")
@click.option("--family", "-f", default=None, help="Only this family (e.g. ta, wt40, stg50).")
def list_cmd(problem: str | None, family: str | None) -> None:
    """List the bundled instances (load them by name)."""
    entries = [e for e in sk.catalogue(problem) if family is None or e.family == family]
    if not entries:
        given = " ".join(f"{flag} {v}" for flag, v in (("--problem", problem),
                                                       ("--family", family)) if v is not None)
        what = f"matches {given} (`schedkit list` without flags shows them all; " if given \
            else "found (`schedkit list` lists the files of the data folder; "
        # The message names the flags given itself: no field in front of it.
        raise sk.InputError(f"no bundled instance {what}{sk.describe_data_dir()})")
    for e in entries:
        click.echo(f"{e.name:<28} {e.problem:<18} {e.family:<12} {e.description}")
    click.echo(f"{len(entries)} instances", err=True)


# -- generate: one subcommand per problem, flags from the generator's options ----------------
def _generator_command(problem: str, name: str) -> click.Command:
    params: list[click.Parameter] = [
        click.Option(["--seed"], type=int, default=0, show_default=True,
                     help="Seed: the same seed and flags give the same bytes."),
    ]
    renamed: dict[str, str] = {}  # hidden alias dest -> the generator's keyword
    for opt in sk.generator_options(problem):
        flag = "--" + _GENERATOR_FLAGS.get(opt.name, opt.name).replace("_", "-")
        if opt.name in _GENERATOR_FLAGS and opt.type is not bool:
            alias = f"{opt.name}_alias"
            renamed[alias] = opt.name
            params.append(click.Option([f"--{opt.name.replace('_', '-')}", alias],
                                       type=opt.type, default=None, hidden=True))
        if opt.type is bool:
            params.append(click.Option([f"{flag}/--no-{opt.name.replace('_', '-')}", opt.name],
                                       default=opt.default, show_default=True, help=opt.help))
        else:
            kind = click.Choice(opt.choices) if opt.choices else opt.type
            params.append(click.Option([flag, opt.name], type=kind, default=opt.default,
                                       show_default=True, help=opt.help))
    params.append(click.Option(["--output", "-o", "output"],
                               type=click.Path(dir_okay=False, path_type=Path), default=None,
                               help="Write here (default: stdout)."))

    def run(output: Path | None, seed: int, **shape: Any) -> None:
        for alias, name in renamed.items():
            value = shape.pop(alias)
            if value is not None:
                shape[name] = value  # the old flag (--n) given
        inst = sk.generate(problem, seed=seed, **shape)
        if output is None:
            click.echo(sk.instance_to_json(inst), nl=False)
        else:
            sk.save(inst, output)
            click.echo(f"wrote {output} ({inst.name}: {inst.size()})", err=True)

    doc = inspect.getdoc(sk.GENERATORS[problem]) or ""
    summary = doc.splitlines()[0] if doc else f"Generate a {problem} instance."
    return click.Command(name, params=params, callback=run, help=summary, short_help=summary)


@cli.group()
def generate() -> None:
    """Generate a seeded instance: schedkit generate PROBLEM [shape flags] --seed N [-o FILE].

    The same seed and flags always give the same bytes.
    """


for _problem in sk.GENERATORS:
    generate.add_command(_generator_command(_problem, _problem.replace("_", "-")))
    if "_" in _problem:  # accept both `single-machine` and `single_machine`, list the first
        _alias = _generator_command(_problem, _problem)
        _alias.hidden = True
        generate.add_command(_alias)


@cli.command("bench")
@click.argument("suite", nargs=-1, required=True, metavar="SUITE")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Results JSONL (default results/<suite file stem>.jsonl); runs already in it "
                   "are skipped.")
@click.option("--wait", is_flag=True, help="If another run is writing --out, wait for it.")
@click.option("--report", is_flag=True,
              help="Print the tables of the results files given instead of SUITE.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run on a local Dask cluster of N worker processes (pip install "
                   "'schedkit[dask]'); default: one run after another in this process.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on a running Dask cluster, e.g. tcp://host:8786 (workers started with "
                   "--resources cores=C).")
def bench_cmd(suite: tuple[str, ...], out: Path | None, wait: bool, report: bool,
              jobs: int | None, scheduler: str | None) -> None:
    """Run a benchmark suite (resumable) and print its gap tables.

    SUITE is a suite file or a bundled suite's name (smoke, jobshop, dag, ...). With --jobs or
    --scheduler each run is killed at its time limit plus a grace, max(10 s, half the limit).
    """
    code = sk.bench.cli_command(suite, out=out, wait=wait, report_only=report, jobs=jobs,
                                scheduler=scheduler)
    if code:
        raise _Exit(code)


def _flag(field: str | None) -> str | None:
    """The command-line flag behind a library error's ``field`` (the field itself when it
    names something else: a file's ``data.jobs[2]``, say)."""
    if field is None:
        return None
    if field in _FLAGS:
        return _FLAGS[field]
    head, _, rest = field.partition(" ")
    if head == "option" and rest:
        return f"--option {rest}"
    head, _, rest = field.partition(".")
    if head == "generate" and rest:
        return "--" + _GENERATOR_FLAGS.get(rest, rest).replace("_", "-")
    if head == "options" and rest:
        return f"--input-option {rest}"
    return field


def _for_cli(err: sk.InputError) -> sk.InputError:
    """``err`` as the command line says it: flags for library arguments. An error inside a
    file (it names its source) keeps its field, a reader option (``-I``) aside."""
    field = err.field
    if err.source is None or (field or "").startswith("options."):
        field = _flag(field)
    message = err.message.replace("pass format=", "pass --format")
    return sk.InputError(message, field=field, source=err.source, line=err.line)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit status."""
    _STDIN.clear()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="schedkit",
                 standalone_mode=False)
    except sk.InputError as err:
        click.echo(f"error: {_for_cli(err)}", err=True)
        return 2
    except _Exit as done:
        return done.code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.UsageError as err:
        # One line, as for every other user error; --help shows the usage.
        hint = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
        click.echo(f"error: {err.format_message()}{hint}", err=True)
        return err.exit_code
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
