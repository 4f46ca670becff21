#!/usr/bin/env python
"""Numba ``heft`` against a straightforward pure-Python HEFT, side by side in one process.

    python benchmarks/dag_heft_speed.py [--sizes 100 1000 10000] [--repeats 7] [--seed 1]

Instances: ``schedkit.generate("dag", tasks=N, processors=16, seed=SEED)`` (Topcuoglu et al.'s
random layered DAGs, CCR 1, heterogeneity 1). Both methods run through the same public call,
``schedkit.solve(instance, method)``: ``heft`` and ``heft-python-reference``, the latter
registered in this process only, with the adapter of ``benchmarks/heft_reference.py`` (same
wrapper, same insertion policy, same arithmetic). After one warm-up run each (JIT compilation,
caches), runs alternate between the two, ``--repeats`` times; reported: medians of the method
time that ``solve()`` records (``Result.runtime_s``: instance → arrays → schedule → solution)
and of the wall time of the whole ``solve()`` call (which adds the same fixed work for both:
instance hash, evaluator check, lower bound, Result), their ratios, and whether makespans and
start times are identical.
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
from schedkit.solvers.registry import METHODS, Method, register  # noqa: E402

REFERENCE = "heft-python-reference"


def _register_reference() -> None:
    if REFERENCE not in METHODS:
        register(Method(REFERENCE, ("dag",), "heft_reference:run", "heuristic",
                        "pure-Python HEFT (benchmark reference)"))


def _timed(inst: sk.Instance, method: str) -> tuple[sk.Result, float]:
    t0 = time.perf_counter()
    res = sk.solve(inst, method)
    return res, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--processors", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    _register_reference()
    print(f"host: {host()}; {args.processors} processors, seed {args.seed}, "
          f"{args.repeats} alternating repeats after one warm-up each\n")
    print("| tasks | edges | heft method time | reference method time | ratio | "
          "heft solve() wall | reference solve() wall | ratio | makespan heft | "
          "makespan reference | identical |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        inst = sk.generate("dag", tasks=n, processors=args.processors, seed=args.seed)
        fast, _ = _timed(inst, "heft")
        ref, _ = _timed(inst, REFERENCE)
        same = (fast.objective == ref.objective
                and fast.solution["start"] == ref.solution["start"]
                and fast.solution["processor"] == ref.solution["processor"])
        assert fast.verified and ref.verified
        rt = {"heft": [], REFERENCE: []}
        wall = {"heft": [], REFERENCE: []}
        for _ in range(args.repeats):
            for method in ("heft", REFERENCE):
                res, w = _timed(inst, method)
                rt[method].append(res.runtime_s)
                wall[method].append(w)
                same = same and res.objective == fast.objective
        m_rt = {k: statistics.median(v) for k, v in rt.items()}
        m_wall = {k: statistics.median(v) for k, v in wall.items()}
        print(f"| {n} | {inst.edges.shape[0]} | {1e3 * m_rt['heft']:.2f} ms | "
              f"{1e3 * m_rt[REFERENCE]:.1f} ms | {m_rt[REFERENCE] / m_rt['heft']:.0f}x | "
              f"{1e3 * m_wall['heft']:.1f} ms | {1e3 * m_wall[REFERENCE]:.1f} ms | "
              f"{m_wall[REFERENCE] / m_wall['heft']:.1f}x | {fast.objective:g} | "
              f"{ref.objective:g} | {'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
