#!/usr/bin/env python
"""cpsat against milp on 20 small generated DAGs, and every heuristic against their optimum.

    python benchmarks/dag_agreement.py [--time-limit 60] [--workers 1]

Instances: ``schedkit.generate("dag", tasks=8 + seed % 5, processors=3, seed=seed)`` for seeds
1…20 (8–12 tasks, 3 heterogeneous processors, CCR 1: communication on every edge). Methods:
``cpsat`` and ``milp`` (CBC) with the time limit and workers given, then ``heft``, ``cpop``,
``peft`` and ``list`` with each priority (``random`` seeded with the instance seed). Prints one
row per instance and the counts: both proved optimal, agreeing, every heuristic >= the optimum,
every solution verified by the evaluator.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dag_common import host  # noqa: E402

import schedkit as sk  # noqa: E402

HEURISTICS = [("heft", {}), ("cpop", {}), ("peft", {}), ("list", {"priority": "bottom_level"}),
              ("list", {"priority": "hlfet"}), ("list", {"priority": "etf"}),
              ("list", {"priority": "random"})]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    print(f"host: {host()}; time limit {args.time_limit:g} s, {args.workers} worker(s)\n")
    labels = [m if not o else f"list-{o['priority']}" for m, o in HEURISTICS]
    print("| seed | tasks | edges | cpsat | time | milp | time | agree | "
          + " | ".join(labels) + " |")
    print("|---:|---:|---:|---|---:|---|---:|---|" + "---:|" * len(labels))
    both = agree = above = verified = total = 0
    for seed in range(1, 21):
        inst = sk.generate("dag", tasks=8 + seed % 5, processors=3, seed=seed)
        cp = sk.solve(inst, "cpsat", time_limit=args.time_limit, workers=args.workers)
        mi = sk.solve(inst, "milp", time_limit=args.time_limit, workers=args.workers)
        runs = [cp, mi]
        ok = ""
        if cp.status == mi.status == "optimal":
            both += 1
            same = abs(cp.objective - mi.objective) <= 1e-6 * max(1.0, cp.objective)
            agree += same
            ok = "yes" if same else "NO"
        opt = cp.objective if cp.status == "optimal" else (
            mi.objective if mi.status == "optimal" else None)
        cells = []
        for method, options in HEURISTICS:
            h = sk.solve(inst, method, options=options, seed=seed)
            runs.append(h)
            good = opt is not None and h.objective >= opt - 1e-6 * opt
            above += good
            cells.append(f"{h.objective:g}" + ("" if good else " (!)"))
        verified += sum(r.verified for r in runs)
        total += len(runs)
        print(f"| {seed} | {inst.n_tasks} | {inst.edges.shape[0]} | {cp.objective:g} "
              f"({cp.status}) | {cp.runtime_s:.2f} | {mi.objective:g} ({mi.status}) | "
              f"{mi.runtime_s:.2f} | {ok} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nboth proved optimal: {both}/20; agreeing: {agree}/{both}; heuristic runs >= the "
          f"optimum: {above}/{20 * len(HEURISTICS)}; verified by the evaluator: "
          f"{verified}/{total}")


if __name__ == "__main__":
    main()
