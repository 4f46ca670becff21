#!/usr/bin/env python
"""ALNS benchmarks, side by side in one process (the tables of ``benchmarks/alns.md``).

    python benchmarks/alns_bench.py compare [--instances ta21-ta50] [--methods cpsat alns
                                      alns:repair=milp alns>cpsat]
                                      [--time-limit 30] [--workers 2] [--seeds 0] [--out FILE]
    python benchmarks/alns_bench.py operators [--instances ta21-ta30] [--time-limit 30] [--out FILE]
    python benchmarks/alns_bench.py hits [--instances wt100-1-125] [--methods ls alns]
                                    [--time-limit 2] [--out FILE]
    python benchmarks/alns_bench.py dag [--instances wf-…] [--processors 16]
                                   [--methods heft cpsat alns] [--time-limit 30] [--out FILE]

``compare``: each method at the same time limit, workers and seed, instance by instance, the
methods one after another on each instance (so that noise from a shared machine hits them
alike); gap to the best known upper bound (JSPLib's bks). A method may carry options
(``alns:repair=milp,repair_time=0.5``); ``alns>cpsat`` is ``alns`` for a third of the time
limit whose result is the ``initial`` solution of ``cpsat`` for the rest (``hint_time=0``: no
tabu search of its own), the chain's objective being cpsat's. ``operators``: ``alns`` with the
bandit choosing among every destroy (the default) against ``alns`` restricted to one destroy
structure (``--option destroys=window``, …, its three sizes still chosen by the bandit), with
the per-operator statistics of the bandit runs. ``hits``: how many best-known values each
method reaches (single machine, OR-Library wt40/wt100), with the misses and the median time to
the best. ``dag``: the bundled WfCommons workflows on ``--processors`` identical processors
(the reader's platform options), makespans of each method and their ratio to HEFT's.

With ``--out`` every result is appended to a JSONL file as it completes and a rerun skips the
runs already there (same instance, method, options, seed, time limit and workers), so an
interrupted benchmark resumes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import schedkit as sk

DESTROYS = ("random", "machines", "window", "critical", "jobs")


def expand(names: list[str]) -> list[str]:
    """``ta21-ta30`` → ta21 … ta30 (zero-padded like the catalogue); other names unchanged."""
    out = []
    for name in names:
        m = re.fullmatch(r"([a-z0-9]*?[a-z-]*?)(\d+)-\1?(\d+)", name)
        if not m:
            out.append(name)
            continue
        width = len(m.group(2))
        out += [f"{m.group(1)}{i:0{width}d}" for i in range(int(m.group(2)),
                                                            int(m.group(3)) + 1)]
    return out


WORKFLOWS = ["wf-1000genome", "wf-blast-small", "wf-epigenomics", "wf-helloworld-chain",
             "wf-helloworld-forkjoin", "wf-montage", "wf-seismology", "wf-srasearch"]


def _key(instance: str, method: str, options: dict[str, Any], seed: int, time_limit: float,
         workers: int, sha: str = "") -> str:
    return json.dumps([instance, method, options, seed, time_limit, workers, sha],
                      sort_keys=True)


def _done(out: Path | None) -> dict[str, sk.Result]:
    if out is None or not out.exists():
        return {}
    runs = {}
    for r in sk.read_results(out):
        runs[_key(r.instance, r.method, dict(r.options), r.seed, r.time_limit_s,
                  r.workers, r.instance_sha256)] = r
    return runs


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``alns:repair=milp,repair_time=0.5`` → ("alns", {"repair": "milp", ...})."""
    method, _, rest = spec.partition(":")
    options = dict(item.split("=", 1) for item in rest.split(",")) if rest else {}
    return method, options


def run_chain(inst: Any, first: str, then: str, time_limit: float, workers: int, seed: int,
              out: Path | None, done: dict[str, sk.Result]) -> sk.Result:
    """``first`` for a third of ``time_limit``, then ``then`` from its solution for the rest."""
    parts = []
    for method, options, limit in ((first, {}, time_limit / 3),
                                   (then, {"hint_time": 0}, time_limit * 2 / 3)):
        full = sk.get_method(method, inst.problem).validate_options(options)
        # The second part's key differs from a plain run by its time limit and hint_time.
        key = _key(inst.name, method, full, seed, limit, workers, sk.instance_sha256(inst))
        res = done.get(key)
        if res is None:
            res = sk.solve(inst, method, time_limit=limit, workers=workers, seed=seed,
                           options=options,
                           initial=parts[-1].solution if parts else None)
            if out is not None:
                with out.open("a", encoding="utf-8") as fh:
                    fh.write(res.to_json() + "\n")
        parts.append(res)
    return parts[-1]


def run_all(instances: list[str], runs: list[tuple[str, str, dict[str, Any]]],
            time_limit: float, workers: int, seeds: list[int],
            out: Path | None, load: dict[str, Any] | None = None
            ) -> dict[tuple[str, int, str], sk.Result]:
    """Every (instance, seed) with every labelled run, resuming from ``out``; instances are
    loaded with the reader options ``load``."""
    done = _done(out)
    results = {}
    for seed in seeds:
        for name in instances:
            inst = sk.load(name, **(load or {}))
            sha = sk.instance_sha256(inst)
            for label, method, options in runs:
                if ">" in method:
                    first, then = method.split(">")
                    res = run_chain(inst, first, then, time_limit, workers, seed, out, done)
                    print(f"  {name} seed {seed} {label}: {res.status} {res.objective}",
                          file=sys.stderr, flush=True)
                    results[name, seed, label] = res
                    continue
                # Results record every option with its default filled in.
                full = sk.get_method(method, inst.problem).validate_options(options)
                key = _key(name, method, full, seed, time_limit, workers, sha)
                res = done.get(key)
                if res is None:
                    res = sk.solve(inst, method, time_limit=time_limit, workers=workers,
                                   seed=seed, options=options)
                    if out is not None:
                        with out.open("a", encoding="utf-8") as fh:
                            fh.write(res.to_json() + "\n")
                gap = sk.gap_to_best_known_text(res.objective if res.ok else None,
                                                res.best_known)
                print(f"  {name} seed {seed} {label}: {res.status} {res.objective} ({gap}, "
                      f"{res.runtime_s:.1f} s)", file=sys.stderr, flush=True)
                results[name, seed, label] = res
    return results


def table(instances: list[str], labels: list[str], seeds: list[int],
          results: dict[tuple[str, int, str], sk.Result]) -> None:
    """Markdown table of objectives and gaps, then the mean gap of each label."""
    head = ["instance", "best known"] + [f"{lab} {what}" for lab in labels
                                         for what in ("objective", "gap")]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    gaps: dict[str, list[float]] = defaultdict(list)
    wins: dict[str, int] = defaultdict(int)
    for seed in seeds:
        for name in instances:
            row = [name if len(seeds) == 1 else f"{name} (seed {seed})",
                   f"{sk.load(name).bounds.upper:g}"]
            values = {}
            for lab in labels:
                r = results[name, seed, lab]
                if r.ok:
                    if r.gap_to_best_known is not None:  # none where the best known is 0
                        gaps[lab].append(r.gap_to_best_known)
                    values[lab] = r.objective
                    row += [f"{r.objective:g}",
                            sk.gap_to_best_known_text(r.objective, r.best_known)]
                else:
                    row += [r.status, "-"]
            if values:
                best = min(values.values())
                for lab, v in values.items():
                    wins[lab] += v == best
            print("| " + " | ".join(row) + " |")
    print()
    for lab in labels:
        g = gaps[lab]
        mean = f"{100 * statistics.mean(g):.2f}%" if g else "-"
        median = f"{100 * statistics.median(g):.2f}%" if g else "-"
        print(f"- {lab}: mean gap {mean}, median {median} over {len(g)} runs; best or tied "
              f"best on {wins[lab]}")


def operator_table(results: list[sk.Result]) -> None:
    """Per-operator outcome counts summed over runs, and each operator's share of new bests."""
    total: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        for name, row in r.stats.get("operators", {}).items():
            for k, v in row.items():
                total[name][k] += v
    print("| operator | chosen | new best | better | accepted | rejected |")
    print("|---|---|---|---|---|---|")
    for name in sorted(total, key=lambda n: -total[n]["chosen"]):
        t = total[name]
        print(f"| {name} | {t['chosen']} | {t['best']} | {t['better']} | {t['accepted']} | "
              f"{t['rejected']} |")
    its = [r.stats.get("iterations", 0) for r in results]
    if its:
        print(f"\niterations per run: median {statistics.median(its):g}, min {min(its)}, "
              f"max {max(its)}")


def hits(instances: list[str], labels: list[str], seeds: list[int],
         results: dict[tuple[str, int, str], sk.Result]) -> None:
    """Best-known values reached, the misses, and the median seconds to the best."""
    print("| method | runs | best known reached | misses (objective vs best known) | "
          "median s to best | max s to best |")
    print("|---|---|---|---|---|---|")
    for lab in labels:
        rs = [results[n, s, lab] for s in seeds for n in instances]
        hit = [r for r in rs if r.ok and r.objective <= sk.load(r.instance).bounds.upper]
        miss = [f"{r.instance}: {r.objective:g} vs {sk.load(r.instance).bounds.upper:g}"
                for r in rs if r not in hit]
        ttb = [r.stats.get("time_to_best_s", r.runtime_s) for r in rs]
        print(f"| {lab} | {len(rs)} | {len(hit)} | {'; '.join(miss) or '-'} | "
              f"{statistics.median(ttb):.3f} | {max(ttb):.3f} |")


def dag_table(instances: list[str], labels: list[str], seeds: list[int],
              results: dict[tuple[str, int, str], sk.Result]) -> None:
    """Makespans, and each method's ratio to HEFT's (below 1: shorter)."""
    head = ["workflow", "tasks"] + [f"{lab} makespan" for lab in labels] + \
        [f"{lab}/heft" for lab in labels if lab != "heft"] + ["alns s to best"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    ratios: dict[str, list[float]] = defaultdict(list)
    for seed in seeds:
        for name in instances:
            rs = {lab: results[name, seed, lab] for lab in labels}
            heft = rs["heft"].objective
            row = [name, str(len(rs["heft"].solution["processor"]))]
            row += [f"{r.objective:.6g}" if r.ok else r.status for r in rs.values()]
            for lab, r in rs.items():
                if lab != "heft":
                    ratio = r.objective / heft if r.ok and heft else float("nan")
                    ratios[lab].append(ratio)
                    row.append(f"{ratio:.4f}")
            ttb = rs["alns"].stats.get("time_to_best_s") if "alns" in rs else None
            row.append("-" if ttb is None else f"{ttb:.1f}")
            print("| " + " | ".join(row) + " |")
    print()
    for lab, rs_ in ratios.items():
        print(f"- {lab}/heft: median {statistics.median(rs_):.4f}, worst {max(rs_):.4f}, "
              f"best {min(rs_):.4f}")


def _host() -> str:
    res = sk.solve("ft06", "baseline")
    h = res.host
    return (f"{h.get('cpu')}, {h.get('cores')} cores, Python {res.versions.get('python')}, "
            f"OR-Tools {res.versions.get('ortools')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name, default, limit in (("compare", ["ta21-ta50"], 30.0),
                                 ("operators", ["ta21-ta30"], 30.0),
                                 ("hits", ["wt100-1-125"], 2.0),
                                 ("dag", WORKFLOWS, 30.0)):
        p = sub.add_parser(name)
        p.add_argument("--instances", nargs="+", default=default)
        p.add_argument("--time-limit", type=float, default=limit)
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--seeds", type=int, nargs="+", default=[0])
        p.add_argument("--out", type=Path, default=None,
                       help="append results JSONL here (and resume from it)")
        if name != "operators":
            p.add_argument("--methods", nargs="+", default={
                "compare": ["cpsat", "alns"], "hits": ["ls", "alns"],
                "dag": ["heft", "cpsat", "alns"]}[name])
        if name == "dag":
            p.add_argument("--processors", type=int, default=16)
    args = parser.parse_args()
    instances = expand(args.instances)
    print(f"host: {_host()}; time limit {args.time_limit:g} s; workers {args.workers}; "
          f"seeds {args.seeds}\n")
    if args.what != "operators":
        runs = [(m, *parse_spec(m)) for m in args.methods]
    else:
        runs = [("bandit", "alns", {})] + [(d, "alns", {"destroys": d}) for d in DESTROYS]
    load = {"processors": args.processors} if args.what == "dag" else None
    results = run_all(instances, runs, args.time_limit, args.workers, args.seeds, args.out,
                      load)
    labels = [lab for lab, _, _ in runs]
    if args.what == "dag":
        dag_table(instances, labels, args.seeds, results)
        print("\nOperator statistics of `alns` (summed over its runs):\n")
        operator_table([results[n, s, "alns"] for s in args.seeds for n in instances])
        return
    if args.what == "hits":
        hits(instances, labels, args.seeds, results)
        return
    table(instances, labels, args.seeds, results)
    for lab in labels:
        if lab in ("alns", "bandit") or lab.startswith("alns:"):
            print(f"\nOperator statistics of `{lab}` (summed over its runs):\n")
            operator_table([results[n, s, lab] for s in args.seeds for n in instances])


if __name__ == "__main__":
    main()
