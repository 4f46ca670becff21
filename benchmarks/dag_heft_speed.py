#!/usr/bin/env python
"""Numba ``heft`` against a straightforward pure-Python HEFT, side by side in one process.

    python benchmarks/dag_heft_speed.py [--sizes 100 1000 10000] [--repeats 7] [--seed 1]

Instances: ``schedkit.generate("dag", tasks=N, processors=16, seed=SEED)`` (Topcuoglu et al.'s
random layered DAGs, CCR 1, heterogeneity 1). Both methods run through the same public call,
``schedkit.solve(instance, method)``: ``heft`` and two pure-Python references passed to it as
unregistered ``schedkit.Method`` objects, with the adapters of ``benchmarks/heft_reference.py``
(same insertion policy, same arithmetic): ``heft-python-reference`` walks a processor's busy
intervals from the first (the straightforward search; the acceptance comparison) and
``heft-python-bisect`` first jumps with ``bisect`` past those that end before the data-ready
time (the kernel additionally skips blocks of too-short gaps), which shows how much of the
ratio is compilation alone. After one warm-up run each (JIT compilation, caches), runs
alternate between the three, ``--repeats`` times; reported: medians of the method time that
``solve()`` records (``Result.runtime_s``: instance → arrays → schedule → solution) and of the
wall time of the whole ``solve()`` call (which adds the same fixed work for all: instance hash,
evaluator check, lower bound, Result), their ratios, and whether the three schedules
(processors and start times) are identical.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dag_common import host  # noqa: E402

import schedkit as sk  # noqa: E402

REFERENCE = "heft-python-reference"
BISECT = "heft-python-bisect"

# Benchmark-only methods: passed to solve() as Method objects, never registered.
_REFERENCES = {
    REFERENCE: sk.Method(REFERENCE, "dag", "heft_reference:run", sk.Kind.HEURISTIC,
                         "pure-Python HEFT, linear gap search (benchmark reference)"),
    BISECT: sk.Method(BISECT, "dag", "heft_reference:run_bisect", sk.Kind.HEURISTIC,
                      "pure-Python HEFT, bisect gap search (benchmark reference)"),
}


def _timed(inst: sk.Instance, method: str) -> tuple[sk.Result, float]:
    t0 = time.perf_counter()
    res = sk.solve(inst, _REFERENCES.get(method, method))
    return res, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--processors", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    methods = ("heft", REFERENCE, BISECT)
    print(f"host: {host()}; {args.processors} processors, seed {args.seed}, "
          f"{args.repeats} alternating repeats after one warm-up each\n")
    print("| tasks | edges | heft | reference (linear) | ratio | reference (bisect) | ratio | "
          "heft solve() wall | reference solve() wall | ratio | makespan (all three) | "
          "identical schedules |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        inst = sk.generate("dag", tasks=n, processors=args.processors, seed=args.seed)
        first = {m: _timed(inst, m)[0] for m in methods}  # warm-up, and the schedules
        assert all(r.verified for r in first.values())
        same = all(r.solution == first["heft"].solution for r in first.values())
        rt: dict[str, list[float]] = {m: [] for m in methods}
        wall: dict[str, list[float]] = {m: [] for m in methods}
        for _ in range(args.repeats):
            for m in methods:
                res, w = _timed(inst, m)
                rt[m].append(res.runtime_s)
                wall[m].append(w)
                same = same and res.objective == first["heft"].objective
        med = {m: statistics.median(v) for m, v in rt.items()}
        mw = {m: statistics.median(v) for m, v in wall.items()}
        print(f"| {n} | {inst.edges.shape[0]} | {1e3 * med['heft']:.2f} ms | "
              f"{1e3 * med[REFERENCE]:.1f} ms | {med[REFERENCE] / med['heft']:.0f}x | "
              f"{1e3 * med[BISECT]:.1f} ms | {med[BISECT] / med['heft']:.0f}x | "
              f"{1e3 * mw['heft']:.1f} ms | {1e3 * mw[REFERENCE]:.1f} ms | "
              f"{mw[REFERENCE] / mw['heft']:.1f}x | {first['heft'].objective:g} | "
              f"{'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
