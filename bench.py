#!/usr/bin/env python
"""Benchmark runner: suites (TOML) → results (JSON Lines) → Markdown gap tables.

    python bench.py run suites/smoke.toml [--out results/smoke.jsonl]
    python bench.py report results/smoke.jsonl [more.jsonl …]

A suite runs instances × methods × seeds × time limits. Every run appends one verified result
record; runs already in the output file (same instance hash, method, options, seed, time limit and
workers) are skipped, so an interrupted suite resumes where it stopped. Gap comes first and time
second: timings on shared 2-core machines are noisy.

Suite format::

    name = "smoke"
    instances = ["ft06", "la01", "wt40-1", "path/relative/to/suite.json"]
    methods = ["baseline", {name = "baseline", label = "baseline-2", options = {}}]
    seeds = [0]
    time_limits = [10.0]        # seconds; omit for no limit
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
import dataclasses
import json
import math
import statistics
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schedkit as sk

#: Shift (seconds) of the shifted geometric mean of run times.
TIME_SHIFT_S = 1.0


@dataclass(frozen=True)
class MethodSpec:
    """A method as a suite names it: label shown in tables, registry name, options."""

    label: str
    name: str
    options: dict[str, Any]


def _fail(path: Path, field: str, message: str) -> sk.InputError:
    return sk.InputError(message, field=field, source=str(path))


def load_suite(path: Path) -> dict[str, Any]:
    """Parse and check a suite file; instances are loaded here, before any run starts."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise sk.InputError(f"cannot read suite: {err.strerror}", source=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise sk.InputError(f"invalid TOML: {err}", source=str(path)) from None
    known = {"name", "description", "instances", "methods", "seeds", "time_limits", "workers",
             "instance_options", "generate"}
    for key in raw:
        if key not in known:
            raise _fail(path, key, f"unknown suite key (known: {', '.join(sorted(known))})")
    methods = []
    for i, m in enumerate(raw.get("methods", [])):
        if isinstance(m, str):
            methods.append(MethodSpec(m, m, {}))
        elif isinstance(m, dict) and isinstance(m.get("name"), str):
            methods.append(MethodSpec(m.get("label", m["name"]), m["name"],
                                      dict(m.get("options", {}))))
        else:
            raise _fail(path, f"methods[{i}]", "must be a name or {name, label, options}")
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
    seeds = raw.get("seeds", [0])
    limits = raw.get("time_limits", [None])
    workers = raw.get("workers", 1)
    if not isinstance(seeds, list) or not all(isinstance(s, int) for s in seeds):
        raise _fail(path, "seeds", "must be a list of integers")
    if not isinstance(limits, list) or not all(isinstance(t, int | float) and t > 0
                                               for t in limits if t is not None):
        raise _fail(path, "time_limits", "must be a list of positive numbers of seconds")
    if not isinstance(workers, int) or workers < 1:
        raise _fail(path, "workers", "must be an integer >= 1")
    per_instance = raw.get("instance_options", {})
    instances: list[sk.Instance] = []
    for ref in raw.get("instances", []):
        local = path.parent / ref
        target = str(local) if local.exists() else ref
        try:
            instances.append(sk.load(target, **per_instance.get(ref, {})))
        except sk.InputError as err:
            raise err.located(str(path)) from None
    for i, gen in enumerate(raw.get("generate", [])):
        if not isinstance(gen, dict) or "problem" not in gen:
            raise _fail(path, f"generate[{i}]", "needs problem, seeds and shape")
        for seed in gen.get("seeds", [0]):
            instances.append(sk.generate(gen["problem"], seed=seed, **gen.get("shape", {})))
    if not instances:
        raise _fail(path, "instances", "the suite has no instances")
    return {"name": raw.get("name", path.stem), "instances": instances, "methods": methods,
            "seeds": seeds, "time_limits": [None if t is None else float(t) for t in limits],
            "workers": workers}


def run_key(sha: str, method: str, options: dict[str, Any], seed: int,
            time_limit: float | None, workers: int) -> tuple:
    """What makes two runs the same run (and so skipped on resume)."""
    return (sha, method, json.dumps(options, sort_keys=True), seed,
            None if time_limit is None else float(time_limit), workers)


def _done_keys(out: Path) -> set[tuple]:
    if not out.exists():
        return set()
    return {run_key(r.instance_sha256, r.stats.get("label", r.method), dict(r.options), r.seed,
                    r.time_limit_s, r.workers) for r in sk.read_results(out)}


def run_suite(suite_path: Path, out: Path) -> int:
    """Run every missing run of the suite, appending to ``out``; returns the number run."""
    suite = load_suite(suite_path)
    done = _done_keys(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    todo = []
    for inst in suite["instances"]:
        sha = sk.instance_sha256(inst)
        for m in suite["methods"]:
            method = sk.find_method(m.name, inst.problem)
            if method is None or not method.supports(inst):
                continue
            opts = method.validate_options(m.options)
            for seed in suite["seeds"]:
                for limit in suite["time_limits"]:
                    key = run_key(sha, m.label, opts, seed, limit, suite["workers"])
                    if key not in done:
                        todo.append((inst, m, seed, limit))
                        done.add(key)
    print(f"suite {suite['name']}: {len(todo)} runs to do", file=sys.stderr)
    t0 = time.perf_counter()
    for i, (inst, m, seed, limit) in enumerate(todo, start=1):
        result = sk.solve(inst, m.name, time_limit=limit, seed=seed,
                          workers=suite["workers"], options=m.options)
        if m.label != m.name:
            result = dataclasses.replace(result, stats={**result.stats, "label": m.label})
        with out.open("a", encoding="utf-8") as fh:
            fh.write(result.to_json() + "\n")
        print(f"[{i}/{len(todo)} {time.perf_counter() - t0:.0f}s] {inst.name} {m.label} "
              f"seed={seed}: {result.status} {result.objective}", file=sys.stderr)
    return len(todo)


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
            best = min(r.objective for r in ok)
            gaps = [r.gap_to_best_known for r in ok if r.gap_to_best_known is not None]
            time_s = statistics.median(r.runtime_s for r in runs)
            if first.best_known == 0:
                zero_note = True
                gap_txt = f"abs {_num(statistics.mean(gaps), 4)}"
            elif gaps:
                gap_txt = f"{100 * statistics.mean(gaps):.2f}%"
            else:  # no best known: the gap to the run's own bound still says something
                gap_txt = f"b {100 * statistics.mean(r.gap for r in ok):.2f}%"
            proved = "*" if any(r.status == "optimal" for r in ok) else ""
            row.append(f"{_num(best)}{proved} / {gap_txt} / {time_s:.2f}s")
        rows.append(row)
    parts = ["### Per instance (best objective [* = proved optimal] / mean gap to best known "
             "[b = to the run's own bound where none is known] / median time)", "",
             _markdown(["instance", "problem", "best known", *labels], rows)]
    if zero_note:
        parts.append("\nRows whose best known is 0 show the absolute deviation (`abs`), since a "
                     "relative gap is undefined there.")
    mrows = []
    for lab in labels:
        runs = [r for (k, lb), rs in by_cell.items() if lb == lab for r in rs]
        rel = [r.gap_to_best_known for r in runs
               if r.ok and r.best_known not in (None, 0) and r.gap_to_best_known is not None]
        zero = [r for r in runs if r.ok and r.best_known == 0]
        hits = sum(1 for r in runs if r.ok and r.best_known is not None
                   and abs(r.objective - r.best_known) <= 1e-6 * max(1.0, abs(r.best_known)))
        with_bk = sum(1 for r in runs if r.ok and r.best_known is not None)
        mrows.append([
            lab,
            str(len(runs)),
            f"{100 * statistics.mean(rel):.2f}%" if rel else "-",
            f"{hits}/{with_bk}" if with_bk else "-",
            f"{statistics.mean(r.objective for r in zero):.4g}" if zero else "-",
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


def _read(paths: Sequence[Path]) -> list[sk.Result]:
    out: list[sk.Result] = []
    for p in paths:
        out.extend(sk.read_results(p))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run a suite (resumable) and print its tables")
    p_run.add_argument("suite", type=Path)
    p_run.add_argument("--out", type=Path, default=None,
                       help="results JSONL (default results/<suite name>.jsonl)")
    p_rep = sub.add_parser("report", help="print the tables of results files")
    p_rep.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            out = args.out or Path("results") / f"{args.suite.stem}.jsonl"
            ran = run_suite(args.suite, out)
            print(f"{ran} new runs; results in {out}", file=sys.stderr)
            print(report(_read([out])))
        else:
            print(report(_read(args.files)))
    except sk.InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
