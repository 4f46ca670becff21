#!/usr/bin/env python
"""STG sweep: cpsat and the list schedulers on the 50 bundled STG graphs with published optima.

    python benchmarks/dag_stg.py [--processors 4] [--time-limit 10] [--workers 2]
                                 [--out results/dag_stg.jsonl]

Instances: ``stg50-0000 … stg50-0029`` and ``stg100-0000 … stg100-0019`` loaded with
``schedkit.load(name, processors=P)`` (identical processors, no communication: P|prec|Cmax),
their bounds from the STG optimal-schedule table. Methods: ``cpsat`` (time limit, workers,
seed 0), ``list`` with each priority (``random`` with seed 0), ``heft``, ``peft``, ``cpop``.
Every run goes through ``schedkit.solve`` and is verified by the evaluator; one result record
per run is appended to ``--out`` (the file is rewritten at the start). Prints Markdown tables:
cpsat per instance (optimum, objective, bound, status, time) and a summary per method (gap to
the optimum: mean, max, count at the optimum).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dag_common import append, host  # noqa: E402

import schedkit as sk  # noqa: E402

NAMES = [f"stg50-{i:04d}" for i in range(30)] + [f"stg100-{i:04d}" for i in range(20)]
HEURISTICS = [("list-bottom_level", "list", {"priority": "bottom_level"}),
              ("list-hlfet", "list", {"priority": "hlfet"}),
              ("list-etf", "list", {"priority": "etf"}),
              ("list-random", "list", {"priority": "random"}),
              ("heft", "heft", {}), ("peft", "peft", {}), ("cpop", "cpop", {})]


def _record(res: sk.Result, label: str) -> dict:
    rec = res.to_dict()
    rec["stats"] = {**rec["stats"], "label": label}  # where bench.py keeps labels too
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--processors", type=int, default=4)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("results/dag_stg.jsonl"))
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("")
    print(f"host: {host()}; processors {args.processors}; cpsat {args.time_limit:g} s, "
          f"{args.workers} workers, seed 0")
    rows = []
    gaps: dict[str, list[float]] = {label: [] for label, _, _ in HEURISTICS}
    gaps["cpsat"] = []
    t_all = time.perf_counter()
    for name in NAMES:
        inst = sk.load(name, processors=args.processors)
        opt = inst.bounds.optimum if inst.bounds else None
        if opt is None:
            print(f"{name}: no published optimum for P={args.processors}, skipped")
            continue
        res = sk.solve(inst, "cpsat", time_limit=args.time_limit, workers=args.workers, seed=0)
        append(args.out, _record(res, "cpsat"))
        assert res.verified, res.stop_reason
        gaps["cpsat"].append((res.objective - opt) / opt)
        rows.append((name, inst.n_tasks, opt, res))
        for label, method, options in HEURISTICS:
            h = sk.solve(inst, method, options=options, seed=0)
            assert h.verified, h.stop_reason
            append(args.out, _record(h, label))
            gaps[label].append((h.objective - opt) / opt)
        print(f"{name}: opt {opt} cpsat {res.objective:g} [{res.status}, bound {res.bound:g}, "
              f"{res.runtime_s:.2f} s]", flush=True)
    print(f"\nwall time {time.perf_counter() - t_all:.0f} s\n")
    print("| instance | n | optimum | cpsat | bound | status | time (s) |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for name, n, opt, r in rows:
        print(f"| {name} | {n} | {opt} | {r.objective:g} | {r.bound:g} | {r.status} | "
              f"{r.runtime_s:.2f} |")
    reached = sum(r.objective == opt for _, _, opt, r in rows)
    proved = sum(r.status == "optimal" for *_, r in rows)
    times = [r.runtime_s for *_, r in rows]
    print(f"\ncpsat: reached the published optimum on {reached}/{len(rows)}, proved "
          f"{proved}/{len(rows)}; median time {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s\n")
    print("| method | mean gap to optimum | max gap | at optimum |")
    print("|---|---:|---:|---:|")
    for label, g in gaps.items():
        at = sum(x == 0 for x in g)
        print(f"| {label} | {100 * statistics.fmean(g):.2f} % | {100 * max(g):.2f} % | "
              f"{at}/{len(g)} |")


if __name__ == "__main__":
    main()
