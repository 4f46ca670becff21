#!/usr/bin/env python
"""Single-machine gap tables from bench.py results (JSON Lines).

    python benchmarks/single_machine_tables.py results/orlib-wt.jsonl results/orlib-wt40-milp.jsonl
    python benchmarks/single_machine_tables.py results/smtt*.jsonl

Instances are grouped by family (``wt40``, ``wt100``) or, for generated ones, by size n. The
reference value of an instance is its best-known value when it has one (OR-Library), otherwise
the best objective any run in the given files found; it is *proved* when it is a best-known
optimum or some run proved optimality at that value. Per group and method:

- runs, hits (objective equal to the reference) and #optimal (status optimal);
- over the instances whose reference is not 0: mean relative gap to the reference, in % —
  the optimality gap where the reference is proved, the gap to the best found otherwise;
- over the instances whose reference is 0 (no relative gap exists): their count, the hits and
  the mean absolute deviation (the objective itself);
- the median run time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import schedkit as sk


def group_of(name: str) -> str:
    if m := re.match(r"(wt\d+)-\d+$", name):
        return m.group(1)
    if m := re.match(r"sm-(\d+)-", name):
        return f"n={m.group(1)}"
    return name


def _label(r: sk.Result) -> str:
    label = r.stats.get("label", r.method)
    return label if r.time_limit_s is None else f"{label}@{r.time_limit_s:g}s"


def tables(results: list[sk.Result]) -> str:
    by_inst: dict[str, list[sk.Result]] = defaultdict(list)
    for r in results:
        by_inst[r.instance_sha256].append(r)
    ref: dict[str, tuple[float, bool]] = {}
    for sha, runs in by_inst.items():
        ok = [r for r in runs if r.ok]
        known = runs[0].best_known
        if known is not None:
            proved = any(r.status == "optimal" and abs(r.objective - known) < 1e-6
                         for r in ok) or "wt40" in runs[0].instance
            ref[sha] = (float(known), proved)
        elif ok:
            best = min(r.objective for r in ok)
            ref[sha] = (best, any(r.status == "optimal" for r in ok))
    cells: dict[tuple[str, str], list[sk.Result]] = defaultdict(list)
    for r in results:
        cells[(group_of(r.instance), _label(r))].append(r)
    groups = sorted({g for g, _ in cells}, key=lambda g: (g[0], int(re.sub(r"\D", "", g) or 0)))
    lines = []
    for g in groups:
        labels = sorted({lab for gg, lab in cells if gg == g})
        shas = {r.instance_sha256 for (gg, _), rs in cells.items() if gg == g for r in rs}
        proved = sum(ref[s][1] for s in shas if s in ref)
        zero = sum(ref[s][0] == 0 for s in shas if s in ref)
        lines += [f"#### {g}: {len(shas)} instances, reference proved optimal on {proved}, "
                  f"reference 0 on {zero}", "",
                  "| method | runs | hits | #optimal | mean gap % (ref > 0) | "
                  "ref = 0: hits / mean abs. dev. | median time s |",
                  "|---|---|---|---|---|---|---|"]
        for lab in labels:
            runs = cells[(g, lab)]
            ok = [r for r in runs if r.ok and r.instance_sha256 in ref]
            hits = sum(abs(r.objective - ref[r.instance_sha256][0]) < 1e-6 for r in ok)
            pos = [100 * (r.objective - ref[r.instance_sha256][0]) / ref[r.instance_sha256][0]
                   for r in ok if ref[r.instance_sha256][0] > 0]
            zeros = [r for r in ok if ref[r.instance_sha256][0] == 0]
            zero_txt = (f"{sum(r.objective == 0 for r in zeros)}/{len(zeros)} / "
                        f"{statistics.mean(r.objective for r in zeros):.2f}") if zeros else "-"
            gap_txt = f"{statistics.mean(pos):.2f}" if pos else "-"
            lines.append(f"| {lab} | {len(runs)} | {hits}/{len(ok)} | "
                         f"{sum(r.status == 'optimal' for r in runs)} | {gap_txt} | {zero_txt} | "
                         f"{statistics.median(r.runtime_s for r in runs):.3f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", type=Path, nargs="+")
    args = ap.parse_args(argv)
    results: list[sk.Result] = []
    for f in args.files:
        results.extend(sk.read_results(f))
    print(tables(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
