#!/usr/bin/env python
"""ssdp on OR-Library wt40/wt100 and generated n = 200/300 instances: proofs, times, bound gaps.

    python benchmarks/ssdp_bench.py --set wt40 --first 1 --last 10 --time-limit 60
    python benchmarks/ssdp_bench.py --set wt100 --time-limit 60 --out ssdp-wt100.jsonl
    python benchmarks/ssdp_bench.py --set gen200 --last 5 --time-limit 60

One line per instance as it finishes (proved or not, seconds, objective, bound, the gap of the
bound to the best known value — or to the objective where none is known — the bounds of
stages 1 and 2 and the stage-3 counts), then a summary: instances proved, percentiles of the
run time, and the mean bound gap over the instances not proved. With ``--out`` every result
is appended to a JSON Lines file and instances already in it are skipped, so an interrupted
run resumes where it stopped. One instance runs at a time, single-threaded; ``--seed`` is the
seed of the ``ls`` warm start.
``--method cpsat`` (or another exact method of ``single_machine``) runs that method instead
under the same protocol, for the comparison beside ``ssdp``; ``--step 5`` takes every fifth
instance (one per TF/RDD class of the OR-Library sets).
Generated sets: ``sk.generate("single_machine", n=…, tf, rdd)`` over the Potts–Van Wassenhove
grid tf, rdd ∈ {0.2, 0.4, 0.6, 0.8, 1.0}, replicate seed = instance number.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import schedkit as sk

GRID = (0.2, 0.4, 0.6, 0.8, 1.0)


def instance(family: str, k: int) -> sk.SingleMachine:
    """Instance k (1-based) of a set: ``wt40``/``wt50``/``wt100`` bundled, ``genN`` generated."""
    if family.startswith("wt"):
        return sk.load(f"{family}-{k}")
    n = int(family.removeprefix("gen"))
    tf, rdd = GRID[(k - 1) // 5 % 5], GRID[(k - 1) % 5]
    inst = sk.generate("single_machine", n=n, tf=tf, rdd=rdd, seed=k)
    return inst


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="wt40", help="wt40, wt50, wt100, gen200, gen300, ...")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--last", type=int, default=125)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--step", type=int, default=1, help="every step-th instance from --first")
    ap.add_argument("--method", default="ssdp",
                    help="ssdp, or another exact method to run under the same protocol")
    ap.add_argument("--stage3-iterations", type=int, default=None,
                    help="ssdp's stage3_iterations option (default: the method's)")
    ap.add_argument("--iterations", type=int, default=None,
                    help="ssdp's iterations option, stage-1 steps (default: the method's)")
    ap.add_argument("--out", type=Path, help="JSON Lines file to append to and resume from")
    args = ap.parse_args()
    rows: list[dict] = []
    done: set[str] = set()
    if args.out and args.out.exists():
        for line in args.out.read_text().splitlines():
            row = json.loads(line)
            if row["set"] == args.set and row.get("method", "ssdp") == args.method:
                rows.append(row)
                done.add(row["name"])
    options = {key: value for key, value in (("stage3_iterations", args.stage3_iterations),
                                             ("iterations", args.iterations))
               if value is not None}
    for k in range(args.first, args.last + 1, max(1, args.step)):
        inst = instance(args.set, k)
        name = inst.name or f"{args.set}-{k}"
        if name in done:
            continue
        res = sk.solve(inst, args.method, time_limit=args.time_limit, seed=args.seed,
                       workers=1, options=options if args.method == "ssdp" else None)
        best = res.best_known
        ref = best if best is not None else res.objective
        gap = 0.0 if ref == 0 else (ref - res.bound) / ref
        stats = res.stats or {}
        row = {"set": args.set, "method": args.method, "name": name, "status": str(res.status),
               "seconds": round(res.runtime_s, 3), "objective": res.objective,
               "bound": res.bound, "best_known": best, "bound_gap": gap,
               "stage1_bound": stats.get("stage1_bound"),
               "stage2_bound": stats.get("stage2_bound"), "m_size": stats.get("m_size"),
               "states": stats.get("states"), "proved_by": stats.get("proved_by"),
               "stopped": stats.get("stopped")}
        rows.append(row)
        print(f"{name:12s} {row['status']:8s} {row['seconds']:7.2f}s  obj {res.objective:g}  "
              f"bound {res.bound:g}  best {best}  gap {100 * gap:.3f}%  "
              f"stage1 {row['stage1_bound']}  stage2 {row['stage2_bound']}  |M| {row['m_size']}  "
              f"states {row['states']}  "
              f"{row['proved_by'] or row['stopped']}", flush=True)
        if args.out:
            with args.out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
    if not rows:
        return
    proved = [r for r in rows if r["status"] == "optimal"]
    times = [r["seconds"] for r in rows]
    open_ = [r["bound_gap"] for r in rows if r["status"] != "optimal"]
    above = [r["name"] for r in proved
             if r["best_known"] is not None and r["objective"] > r["best_known"]]
    print(f"\n{args.set}, {args.method}: {len(proved)}/{len(rows)} proved optimal within "
          f"{args.time_limit:g} s; time median {statistics.median(times):.2f} s, "
          f"p75 {percentile(times, 0.75):.2f}, p90 {percentile(times, 0.9):.2f}, "
          f"max {max(times):.2f}; proved times median "
          f"{statistics.median([r['seconds'] for r in proved]) if proved else float('nan'):.2f}")
    if open_:
        print(f"not proved: {len(open_)}, mean bound gap {100 * statistics.mean(open_):.3f}%")
    if above:
        print(f"WRONG: optimal claimed above the best known on {above}")


if __name__ == "__main__":
    main()
