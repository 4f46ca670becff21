"""Acceptance benchmark of `schedkit bench --jobs` (issue 15): serial against a Dask LocalCluster.

A 40-run suite of 1-core runs (one suite file, so ``--jobs`` starts its cluster once), run
serially and with ``--jobs 2`` (default), each mode ``--repetitions`` times (3), in alternation
so that a load change on the machine hits both. Ten job shops (``ft06``, ``la01``-``la09``) and
ten single-machine tardiness instances (``wt40-1``-``wt40-10``), seed 0, time limit
``--time-limit`` (2 s), each with two methods:

- time-limited: ``tabu`` on the job shops, ``ls`` on the others (20 runs of the full limit);
- iteration-limited (``tabu-fixed``, ``ls-fixed``: ``iterations`` = 10 000, well inside the
  limit): 20 runs whose status, objective and stop reason must be identical in every
  repetition of every mode, none stopped at the time limit.

Each repetition writes a fresh results file (nothing is resumed), and its wall time counts
everything the user waits for: loading the suite, starting the cluster and its workers, every
run. It prints a Markdown table of the median wall times and their ratio, and exits 1 if an
iteration-limited outcome differs (or one stopped at the time limit). Run it on a machine
with nothing else on its cores::

    python benchmarks/bench_dask.py                   # the full benchmark (about 3 minutes)
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

JOBSHOP = ["ft06", "la01", "la02", "la03", "la04", "la05", "la06", "la07", "la08", "la09"]
TARDINESS = [f"wt40-{k}" for k in range(1, 11)]
#: Iterations of the iteration-limited runs: they end well inside a 2 s limit on a 2-core
#: machine (by the iteration limit, their stall rule or the lower bound; the script checks that
#: none stopped at the time limit, which would make it depend on the machine's speed).
ITERATIONS = 10000


def write_suite(folder: Path, time_limit: float, runs: int) -> Path:
    """The suite: ``runs // 4`` instances of each problem (10 for the full 40 runs), each with
    a time-limited and an iteration-limited method (``tabu`` on job shops, ``ls`` on
    single-machine tardiness), seed 0, one time limit for all. One suite, so that ``--jobs``
    starts its cluster once."""
    keep = max(1, min(10, runs // 4))
    names = ", ".join(f'"{i}"' for i in JOBSHOP[:keep] + TARDINESS[:keep])
    fixed = ", ".join(f'{{name = "{m}", label = "{m}-fixed", options = {{iterations = '
                      f'{ITERATIONS}}}}}' for m in ("tabu", "ls"))
    path = folder / "dask-acceptance.toml"
    path.write_text(f'name = "dask-acceptance"\ninstances = [{names}]\n'
                    f'methods = ["tabu", "ls", {fixed}]\nseeds = [0]\n'
                    f"time_limits = [{time_limit!r}]\nworkers = 1\n")
    return path


def one_batch(suite: Path, folder: Path, jobs: int | None) -> tuple[float, dict, int]:
    """Run the suite once into a fresh file; (wall seconds, iteration-limited outcomes, runs).

    An iteration-limited run that stopped for another reason counts as an outcome that differs
    (its stop reason is part of it)."""
    out = folder / f"batch-{time.monotonic_ns()}.jsonl"
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # per-run progress lines: not wanted here
        ran = sk.bench.run_suite(suite, out, jobs=jobs)
    wall = time.perf_counter() - t0
    fixed = {}
    for r in sk.bench.scan_results(out).results:
        if str(r.stats.get("label", "")).endswith("-fixed"):
            fixed[(r.instance, r.method)] = (r.status, r.objective, str(r.stop_reason))
    return wall, fixed, ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--repetitions", type=int, default=3, help="of each mode (default 3)")
    parser.add_argument("--time-limit", type=float, default=2.0,
                        help="seconds per time-limited run (default 2)")
    parser.add_argument("--runs", type=int, default=40, help="runs in all (default 40)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite = write_suite(folder, args.time_limit, args.runs)
        for problem in ("jobshop", "single_machine"):  # else serial pays the first compile
            sk.warm_up(problem)
        walls: dict[str, list[float]] = {"serial": [], f"--jobs {args.jobs}": []}
        fixed_seen: list[dict] = []
        runs = 0
        for _ in range(args.repetitions):
            for mode, jobs in (("serial", None), (f"--jobs {args.jobs}", args.jobs)):
                wall, fixed, runs = one_batch(suite, folder, jobs)
                walls[mode].append(wall)
                fixed_seen.append(fixed)
                print(f"{mode}: {wall:.1f} s ({runs} runs)", file=sys.stderr)
    serial = statistics.median(walls["serial"])
    parallel = statistics.median(walls[f"--jobs {args.jobs}"])
    same = all(f == fixed_seen[0] for f in fixed_seen) and \
        all(reason != "time limit" for _, _, reason in fixed_seen[0].values())
    print(f"{runs} runs ({args.time_limit:g} s time-limited and iteration-limited), "
          f"{args.repetitions} repetition(s) of each mode, median wall time\n")
    print("| mode | median wall (s) | all walls (s) |")
    print("|------|-----------------|---------------|")
    for mode, values in walls.items():
        print(f"| {mode} | {statistics.median(values):.1f} | "
              f"{', '.join(f'{v:.1f}' for v in values)} |")
    print(f"\nspeed-up serial / --jobs {args.jobs}: {serial / parallel:.2f}x")
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
