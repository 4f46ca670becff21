#!/usr/bin/env python
"""Sequence parallel on FlexSP's grid: the fast planner ``hetsp`` against FlexSP's baselines,
Megatron-style dynamic CP and the exact models, by modelled step time.

    python benchmarks/sequence_parallel.py [--batches 3] [--presets 7b,13b,30b]
        [--methods static,adaptive,megatron-dcp,hetsp,milp,cpsat,milp0,cpsat0] [--hetsp-time 1]
        [--exact-time 10] [--workers 2] [--out runs.jsonl]

The grid is FlexSP's (Wang et al., "FlexSP", ASPLOS 2025, arXiv:2412.01523, §6): 64 GPUs, 8
per node, a 30 GB budget per GPU, a global batch of 512 sequences, the 7B / 13B / 30B cost
presets, maximum lengths 192K and 384K tokens, and three length sources (the bundled
Wikipedia sample and the GitHub-like and CommonCrawl-like long-tail distributions of
:func:`schedkit.instances.sequence_parallel.generate.sequence_parallel`). Batch b of a cell is
generated with seed b (1 .. ``--batches``). A length source whose longest draw is below 192K
gives the same batch at both maximum lengths: it is solved once and reported in both rows.

Every method runs through ``schedkit.solve`` (plans verified by the evaluator), one after
another in this process, ``hetsp`` with a time limit of ``--hetsp-time`` seconds on 1 worker,
``milp`` and ``cpsat`` with ``--exact-time`` seconds on ``--workers`` workers, warm-started by
the best of ``hetsp`` (1 s of the limit) and the baselines, and ``milp0`` / ``cpsat0`` the same
with the baselines' warm start only (``hint_time=0``); the baselines have no limit (they are
single passes). Reported per cell: the mean modelled step
time of each method, the mean speedup of ``hetsp`` over ``static`` and ``adaptive`` (mean of
the per-batch ratios), the mean gap of each method to the lower bound (1 − bound/objective,
the bound of :func:`~schedkit.instances.sequence_parallel.evaluate.lower_bound` or a better
one an exact model proved), ``hetsp``'s ratio to the best of ``milp``/``cpsat`` and the
median planner wall time (``runtime_s``) of each method.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import schedkit as sk

SOURCES = ("wikipedia", "github_like", "commoncrawl_like")
LENGTHS = (196608, 393216)
METHODS = ("static", "adaptive", "megatron-dcp", "hetsp", "milp", "cpsat", "milp0", "cpsat0")
#: ``milp0`` / ``cpsat0``: the exact methods warm-started by the baselines only (option
#: ``hint_time=0``), so that the comparison with ``hetsp`` does not start from its plan.
EXACT = {"milp": ("milp", {}), "cpsat": ("cpsat", {}), "milp0": ("milp", {"hint_time": 0}),
         "cpsat0": ("cpsat", {"hint_time": 0})}


def _host() -> str:
    host = sk.solve(sk.generate("single_machine", n=3), "edd").host
    return f"{host['cpu']} ({host['cores']} cores)"


def _solve(inst: sk.Instance, method: str, args: argparse.Namespace) -> dict[str, Any]:
    if method == "hetsp":
        r = sk.solve(inst, method, time_limit=args.hetsp_time, seed=1)
    elif method in EXACT:
        name, options = EXACT[method]
        r = sk.solve(inst, name, time_limit=args.exact_time, workers=args.workers, seed=1,
                     options=options or None)
    else:
        r = sk.solve(inst, method)
    if not r.verified:
        raise SystemExit(f"{method} on {inst.name}: plan not verified ({r.status}, "
                         f"{r.stop_detail})")
    return {"method": method, "objective": r.objective, "bound": r.bound,
            "status": str(r.status), "runtime_s": r.runtime_s,
            "microbatches": len(r.solution["microbatches"]) if r.solution else None,
            "stats": {k: v for k, v in r.stats.items()
                      if isinstance(v, (int, float, str, bool, type(None)))}}


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, int, tuple[int, ...]], list[dict[str, Any]]] = {}
    for preset in args.presets:
        for source in SOURCES:
            for max_length in LENGTHS:
                for batch in range(1, args.batches + 1):
                    inst = sk.generate("sequence_parallel", preset=preset, sequences=512,
                                       devices=64, devices_per_node=8, source=source,
                                       max_length=max_length, seed=batch)
                    key = (preset, source, batch, tuple(inst.lengths.tolist()))
                    if key not in seen:
                        seen[key] = [_solve(inst, m, args) for m in args.methods]
                        for res in seen[key]:
                            print(f"{preset} {source} {max_length // 1024}K b{batch} "
                                  f"{res['method']}: {res['objective']:.4f} "
                                  f"({res['status']}, {res['runtime_s']:.2f} s)",
                                  file=sys.stderr, flush=True)
                    for res in seen[key]:
                        rows.append({"preset": preset, "source": source,
                                     "max_length": max_length, "batch": batch,
                                     "instance": inst.name, "tokens": int(inst.lengths.sum()),
                                     "longest": int(inst.lengths.max()), **res})
    return rows


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def tables(rows: list[dict[str, Any]], methods: list[str]) -> str:
    cells: dict[tuple[str, str, int], dict[int, dict[str, dict[str, Any]]]] = {}
    for r in rows:
        cells.setdefault((r["preset"], r["source"], r["max_length"]), {}) \
            .setdefault(r["batch"], {})[r["method"]] = r
    out = []
    head = "| preset | source | max | " + " | ".join(methods) + " | bound |"
    out.append("**Mean modelled step time (s)**\n")
    out.append(head)
    out.append("|" + "---|" * (len(methods) + 4))
    for (preset, source, ml), batches in cells.items():
        vals = [f"{_mean([b[m]['objective'] for b in batches.values()]):.3f}"
                for m in methods]
        bound = _mean([max(b[m]["bound"] for m in methods) for b in batches.values()])
        out.append(f"| {preset} | {source} | {ml // 1024}K | " + " | ".join(vals) +
                   f" | {bound:.3f} |")
    out.append("\n**Gap to the best bound of the batch (mean %), hetsp's speedups and its ratio "
               "to the best exact plan**\n")
    exact = [m for m in ("milp", "cpsat") if m in methods]
    exact0 = [m for m in ("milp0", "cpsat0") if m in methods]
    out.append("| preset | source | max | " + " | ".join(f"gap {m}" for m in methods) +
               " | ×static | ×adaptive |" + (" hetsp / best of milp, cpsat |" if exact else "") +
               (" hetsp / best of milp0, cpsat0 |" if exact0 else ""))
    out.append("|" + "---|" * (len(methods) + 5 + bool(exact) + bool(exact0)))
    summary: dict[str, list[float]] = {"long_tail_static": [], "long_tail_adaptive": [],
                                       "all_static": [], "vs_exact": [], "vs_exact0": []}
    for (preset, source, ml), batches in cells.items():
        gaps = []
        for m in methods:
            gaps.append(_mean([100 * (1 - max(b[x]["bound"] for x in methods) /
                                      b[m]["objective"]) for b in batches.values()]))
        x_static = [b["static"]["objective"] / b["hetsp"]["objective"]
                    for b in batches.values()]
        x_adapt = [b["adaptive"]["objective"] / b["hetsp"]["objective"]
                   for b in batches.values()]
        summary["all_static"] += x_static
        if source != "wikipedia":
            summary["long_tail_static"] += x_static
            summary["long_tail_adaptive"] += x_adapt
        line = (f"| {preset} | {source} | {ml // 1024}K | " +
                " | ".join(f"{g:.2f}" for g in gaps) +
                f" | {_mean(x_static):.3f} | {_mean(x_adapt):.3f} |")
        for group, key in ((exact, "vs_exact"), (exact0, "vs_exact0")):
            if group:
                ratio = [b["hetsp"]["objective"] / min(b[m]["objective"] for m in group)
                         for b in batches.values()]
                summary[key] += ratio
                line += f" {_mean(ratio):.4f} (worst {max(ratio):.4f}) |"
        out.append(line)
    out.append("\n**Median planner wall time (s)**\n")
    out.append("| preset | source | max | " + " | ".join(methods) + " |")
    out.append("|" + "---|" * (len(methods) + 3))
    for (preset, source, ml), batches in cells.items():
        out.append(f"| {preset} | {source} | {ml // 1024}K | " + " | ".join(
            f"{statistics.median(b[m]['runtime_s'] for b in batches.values()):.3f}"
            for m in methods) + " |")
    hetsp_times = [r["runtime_s"] for r in rows if r["method"] == "hetsp"]
    out.append("\n**Summary**\n")
    out.append(f"- hetsp mean speedup over static on the long-tail sources: "
               f"{_mean(summary['long_tail_static']):.3f}× (over adaptive "
               f"{_mean(summary['long_tail_adaptive']):.3f}×); on all sources "
               f"{_mean(summary['all_static']):.3f}×.")
    if hetsp_times:
        out.append(f"- hetsp wall time: median {statistics.median(hetsp_times):.3f} s, "
                   f"max {max(hetsp_times):.3f} s.")
    for key, what in (("vs_exact", "milp, cpsat (warm start: hetsp and the baselines)"),
                      ("vs_exact0", "milp0, cpsat0 (warm start: the baselines)")):
        if summary[key]:
            out.append(f"- hetsp / best of {what}: mean {_mean(summary[key]):.4f}, worst "
                       f"{max(summary[key]):.4f}.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--presets", type=lambda s: s.split(","), default=["7b", "13b", "30b"])
    ap.add_argument("--methods", type=lambda s: s.split(","), default=list(METHODS))
    ap.add_argument("--hetsp-time", type=float, default=1.0)
    ap.add_argument("--exact-time", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="also write every run as JSONL")
    ap.add_argument("--tables", type=Path, default=None,
                    help="only print the tables of a JSONL written by --out")
    args = ap.parse_args(argv)
    if args.tables is not None:
        rows = [json.loads(line) for line in args.tables.read_text().splitlines() if line]
        methods = list(dict.fromkeys(r["method"] for r in rows))
        print(tables(rows, methods))
        return 0
    for need in ("static", "adaptive", "hetsp"):
        if need not in args.methods:
            raise SystemExit(f"--methods must include {need} (the tables compare with it)")
    print(f"host: {_host()}; hetsp {args.hetsp_time:g} s on 1 worker; exact "
          f"{args.exact_time:g} s on {args.workers} workers; batches seeds 1..{args.batches}\n")
    rows = run(args)
    if args.out is not None:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(tables(rows, args.methods))
    return 0


if __name__ == "__main__":
    sys.exit(main())
