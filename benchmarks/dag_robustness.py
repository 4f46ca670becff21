#!/usr/bin/env python
"""Realised-makespan distributions of HEFT's and cpsat's schedules on WfCommons workflows.

    python benchmarks/dag_robustness.py [--workflows wf-montage wf-epigenomics]
        [--noise lognormal:0.2] [--samples 1000] [--seed 0] [--time-limit 30] [--workers 2]

Instances: bundled WfCommons workflows with the reader's default platform (4 identical
processors, bandwidth fitted to CCR 1, times in ms). Schedules: ``heft``, ``peft`` and
``cpsat`` (time limit, workers, seed 0). Each schedule's processor assignment and
per-processor order are replayed ``--samples`` times with every run time multiplied by an
independent factor of the noise model (``schedkit.robustness``);
communication times as planned. Every robustness call is made twice with the same seed to show
that the numbers repeat exactly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _dag_common import host  # noqa: E402

import schedkit as sk  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workflows", nargs="+", default=["wf-montage", "wf-epigenomics",
                                                         "wf-seismology"])
    ap.add_argument("--noise", default="lognormal:0.2")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"host: {host()}; noise {args.noise}, {args.samples} samples, seed {args.seed}; "
          f"cpsat {args.time_limit:g} s, {args.workers} workers\n")
    print("| workflow | method | status | bound (s) | planned (s) | mean (s) | mean/planned | "
          "std (s) | p95 (s) | worst (s) | repeat, same seed |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in args.workflows:
        inst = sk.load(name)
        to_s = 1.0 / float(inst.meta.get("time_scale", 1))
        for method, kw in (("heft", {}), ("peft", {}),
                           ("cpsat", {"time_limit": args.time_limit, "workers": args.workers})):
            res = sk.solve(inst, method, seed=0, **kw)
            a = sk.robustness(inst, res, noise=args.noise, samples=args.samples, seed=args.seed)
            b = sk.robustness(inst, res, noise=args.noise, samples=args.samples, seed=args.seed)
            same = "identical" if np.array_equal(a.samples, b.samples) else "DIFFERENT"
            print(f"| {name} ({inst.n_tasks} tasks) | {method} | {res.status} | "
                  f"{res.bound * to_s:.1f} | {a.planned * to_s:.1f} | {a.mean * to_s:.1f} | "
                  f"{a.mean / a.planned:.3f} | "
                  f"{a.std * to_s:.1f} | {a.p95 * to_s:.1f} | {a.worst * to_s:.1f} | {same} |",
                  flush=True)


if __name__ == "__main__":
    main()
