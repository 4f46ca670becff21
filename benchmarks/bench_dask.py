"""Acceptance benchmark of `schedkit bench --jobs` (issue 15): serial against a Dask LocalCluster.

A 40-run suite of 1-core runs (one suite file, so ``--jobs`` starts its cluster once), run
serially and with ``--jobs 2`` (default), each mode ``--repetitions`` times (3), in alternation
so that a load change on the machine hits both. Two sets of instances (``--set``), seed 0, time
limit ``--time-limit`` (2 s), each instance with two methods, a time-limited one and an
iteration-limited one:

- ``long`` (default): ten Taillard job shops ``ta21``-``ta30`` (20 x 20) with ``tabu`` and ten
  100-job tardiness instances ``wt100-1``-``wt100-10`` with ``ls`` (its stall rule off). Neither
  reaches a lower bound on these, so the 20 time-limited runs last the whole limit; the 20
  iteration-limited ones (``tabu`` 100 000 iterations, ``ls`` 200: about 1.2 s and at most
  1.1 s on one core of the machine the targets were set on) end well inside it. (``ls`` had 300
  until 2026-12-02: wt100-8 took 1.6 s alone and passed the 2 s limit once in a ``--jobs 2``
  batch, two runs sharing the machine.)
- ``short`` (the first measurement): ``ft06``, ``la01``-``la09`` and ``wt40-1``-``wt40-10``, with
  ``tabu`` / ``ls`` and both at 10 000 iterations. Many of its runs end early (tabu reaches the
  bound on the la instances, ls stops by its stall rule, the iteration-limited runs take a few
  hundred milliseconds), so cluster start-up is a large share of a ``--jobs`` batch.

The iteration-limited runs' status, objective and stop reason must be identical in every
repetition of every mode, none stopped at the time limit; the script also counts the
time-limited runs that did run to the limit (so "2-second runs" is checked, not assumed).

Each repetition writes a fresh results file (nothing is resumed), and its wall time counts
everything the user waits for: loading the suite, starting the cluster and its workers, every
run. It prints a Markdown table of the median wall times and their ratio, and exits 1 if an
iteration-limited outcome differs (or one stopped at the time limit). Run it on a machine
with nothing else on its cores::

    python benchmarks/bench_dask.py                   # the full benchmark (about 7 minutes)
    python benchmarks/bench_dask.py --set short       # the first, shorter set (about 3 minutes)
    python benchmarks/bench_dask.py --runs 4 --repetitions 1 --time-limit 0.5   # a quick look

``--runs N`` keeps ``N // 4`` instances of each problem (4 runs each), to check the script.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import schedkit as sk

#: Per set: (job shops, tardiness instances, options of the time-limited ``tabu`` and ``ls``,
#: iterations of the iteration-limited ``tabu`` and ``ls``). The iteration-limited runs end
#: inside a 2 s limit (by the iteration limit, their stall rule or the lower bound; the script
#: checks that none stopped at the time limit, which would make it depend on the machine).
SETS: dict[str, tuple[list[str], list[str], dict[str, str], tuple[int, int]]] = {
    "long": ([f"ta{k}" for k in range(21, 31)], [f"wt100-{k}" for k in range(1, 11)],
             {"tabu": "", "ls": "stall = 0"}, (100_000, 200)),
    "short": (["ft06", "la01", "la02", "la03", "la04", "la05", "la06", "la07", "la08", "la09"],
              [f"wt40-{k}" for k in range(1, 11)], {"tabu": "", "ls": ""}, (10_000, 10_000)),
}


def write_suite(folder: Path, time_limit: float, runs: int, which: str = "long") -> Path:
    """The suite: ``runs // 4`` instances of each problem (10 for the full 40 runs), each with
    a time-limited and an iteration-limited method (``tabu`` on job shops, ``ls`` on
    single-machine tardiness), seed 0, one time limit for all. One suite, so that ``--jobs``
    starts its cluster once. The time-limited methods are labelled ``-timed`` and the
    iteration-limited ones ``-fixed``."""
    jobshop, tardiness, timed, iterations = SETS[which]
    keep = max(1, min(10, runs // 4))
    names = ", ".join(f'"{i}"' for i in jobshop[:keep] + tardiness[:keep])
    methods = [f'{{name = "{m}", label = "{m}-timed", options = {{{timed[m]}}}}}'
               for m in ("tabu", "ls")]
    methods += [f'{{name = "{m}", label = "{m}-fixed", options = {{iterations = {k}}}}}'
                for m, k in zip(("tabu", "ls"), iterations, strict=True)]
    path = folder / "dask-acceptance.toml"
    path.write_text(f'name = "dask-acceptance"\ninstances = [{names}]\n'
                    f'methods = [{", ".join(methods)}]\nseeds = [0]\n'
                    f"time_limits = [{time_limit!r}]\nworkers = 1\n")
    return path


def one_batch(suite: Path, folder: Path, jobs: int | None
              ) -> tuple[float, dict, int, int, dict]:
    """Run the suite once into a fresh file; (wall seconds, iteration-limited outcomes, runs,
    time-limited runs that ran to the time limit, time-limited objectives).

    An iteration-limited run that stopped for another reason counts as an outcome that differs
    (its stop reason is part of it)."""
    out = folder / f"batch-{time.monotonic_ns()}.jsonl"
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # per-run progress lines: not wanted here
        ran = sk.bench.run_suite(suite, out, jobs=jobs)
    wall = time.perf_counter() - t0
    fixed = {}
    timed = {}
    to_limit = 0
    for r in sk.bench.scan_results(out).results:
        label = str(r.stats.get("label", ""))
        if label.endswith("-fixed"):
            fixed[(r.instance, r.method)] = (r.status, r.objective, str(r.stop_reason))
        elif label.endswith("-timed"):
            timed[(r.instance, r.method)] = r.objective
            to_limit += str(r.stop_reason) == "time limit"
    return wall, fixed, ran, to_limit, timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--repetitions", type=int, default=3, help="of each mode (default 3)")
    parser.add_argument("--time-limit", type=float, default=2.0,
                        help="seconds per time-limited run (default 2)")
    parser.add_argument("--runs", type=int, default=40, help="runs in all (default 40)")
    parser.add_argument("--set", choices=sorted(SETS), default="long",
                        help="which instances (default long: every time-limited run lasts "
                             "the limit)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite = write_suite(folder, args.time_limit, args.runs, args.set)
        for problem in ("jobshop", "single_machine"):  # else serial pays the first compile
            sk.warm_up(problem)
        walls: dict[str, list[float]] = {"serial": [], f"--jobs {args.jobs}": []}
        fixed_seen: list[dict] = []
        runs = 0
        to_limit: list[int] = []
        # per mode, per time-limited run: its objectives over the batches (a mode whose runs
        # lose time, e.g. to a compile inside the limit, shows as worse objectives)
        timed_seen: dict[str, dict] = {mode: {} for mode in walls}
        for _ in range(args.repetitions):
            for mode, jobs in (("serial", None), (f"--jobs {args.jobs}", args.jobs)):
                wall, fixed, runs, limited, timed = one_batch(suite, folder, jobs)
                for key, value in timed.items():
                    timed_seen[mode].setdefault(key, []).append(value)
                walls[mode].append(wall)
                fixed_seen.append(fixed)
                to_limit.append(limited)
                print(f"{mode}: {wall:.1f} s ({runs} runs, {limited} time-limited ones ran to "
                      "the limit)", file=sys.stderr)
    serial = statistics.median(walls["serial"])
    parallel = statistics.median(walls[f"--jobs {args.jobs}"])
    same = all(f == fixed_seen[0] for f in fixed_seen) and \
        all(reason != "time limit" for _, _, reason in fixed_seen[0].values())
    print(f"set {args.set}: {runs} runs ({args.time_limit:g} s time-limited and "
          f"iteration-limited), {args.repetitions} repetition(s) of each mode, median wall "
          f"time\n")
    print("| mode | median wall (s) | all walls (s) |")
    print("|------|-----------------|---------------|")
    for mode, values in walls.items():
        print(f"| {mode} | {statistics.median(values):.1f} | "
              f"{', '.join(f'{v:.1f}' for v in values)} |")
    print(f"\nspeed-up serial / --jobs {args.jobs}: {serial / parallel:.2f}x")
    worse = {mode: 0 for mode in walls}
    keys = sorted(timed_seen["serial"])
    for key in keys:
        medians = {mode: statistics.median(seen[key]) for mode, seen in timed_seen.items()}
        best = min(medians.values())
        for mode, value in medians.items():
            worse[mode] += value > best
    print("time-limited runs whose median objective is worse than the other mode's: "
          + ", ".join(f"{mode} {count} of {len(keys)}" for mode, count in worse.items()))
    print(f"time-limited runs that ran to the limit, per batch: "
          f"{', '.join(map(str, to_limit))} (of {runs - len(fixed_seen[0])})")
    print(f"iteration-limited outcomes identical in every batch, none stopped by the time "
          f"limit ({len(fixed_seen[0])} runs): "
          f"{'yes' if same else 'NO'}")
    for key in sorted(fixed_seen[0]):
        seen = [f.get(key) for f in fixed_seen]
        if any(v != seen[0] for v in seen) or seen[0][2] == "time limit":
            print(f"- {key[0]} {key[1]}: " + "; ".join(map(str, seen)))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
