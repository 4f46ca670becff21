#!/usr/bin/env python
"""Record every method's objective and solution on a fixed, deterministic suite of all five
problems, and compare two such records.

    python benchmarks/behaviour_snapshot.py record OUT.jsonl
    python benchmarks/behaviour_snapshot.py compare BEFORE.jsonl AFTER.jsonl

The suite is made to give the same answer on every run of the same code: seeded heuristics run
to iteration limits (no time limits), warm starts that would search for a number of seconds are
switched off (``hint_time=0``), and exact methods solve small instances to their end with one
worker. A restructure that claims to change no behaviour must give identical objectives and
solutions (``compare`` exits 1 and lists the runs that differ otherwise); statuses and bounds
are compared too and reported separately.

Everything goes through the public API (``schedkit.generate``, ``schedkit.load``,
``schedkit.solve``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schedkit as sk

Run = tuple[str, dict[str, Any], int]  # method, options, seed


def _instances() -> Iterator[tuple[str, sk.Instance]]:
    yield "ft06", sk.load("ft06")
    yield "la01", sk.load("la01")
    yield "ta01", sk.load("ta01")
    yield "js-5x4-release", sk.generate("jobshop", jobs=5, machines=4, seed=9, max_release=50)
    yield "js-4x3", sk.generate("jobshop", jobs=4, machines=3, seed=5)
    for objective in ("total_weighted_tardiness", "total_weighted_completion"):
        yield f"js-5x3-{objective}", sk.generate("jobshop", jobs=5, machines=3, seed=7,
                                                 objective=objective, due_dates=True)
    yield "wt40-1", sk.load("wt40-1")
    for objective in ("total_weighted_tardiness", "total_tardiness", "max_lateness",
                      "total_weighted_completion", "weighted_tardy_jobs"):
        yield f"sm-8-{objective}", sk.generate("single_machine", n=8, seed=3,
                                               objective=objective)
    yield "sm-7-release", sk.generate("single_machine", n=7, seed=4, rdd=0.4)
    yield "topcuoglu2002", sk.load("topcuoglu2002")
    yield "stg50-0000", sk.load("stg50-0000")
    yield "dag-9x3", sk.generate("dag", tasks=9, processors=3, seed=2)
    yield "dag-40x4", sk.generate("dag", tasks=40, processors=4, seed=1)
    yield "eplb-readme", sk.load("eplb-readme")
    yield "flashlb-pr", sk.load("flashlb-pr")
    yield "ep-gen", sk.generate("expert_placement", layers=2, experts=8, gpus=4,
                                gpus_per_node=2, slots_per_gpu=3, tokens=4096, top_k=2,
                                seed=1)
    yield "sp-gen", sk.generate("sequence_parallel", sequences=24, devices=8, seed=1)


def _runs(name: str, inst: sk.Instance) -> Iterator[Run]:
    yield "baseline", {}, 0
    small = name not in ("la01", "ta01", "wt40-1", "stg50-0000", "dag-40x4")
    if inst.problem == "jobshop":
        rules = ["spt", "lpt", "mwkr", "lwkr", "mopnr", "fifo", "random"]
        if inst.objective != "makespan":
            rules += ["edd", "atc"]
        for rule in rules:
            for mode in ("active", "nondelay"):
                yield "dispatch", {"rule": rule, "mode": mode}, 1
        yield "dispatch-best", {}, 0
        if inst.objective == "makespan":
            for seed in (0, 1):
                yield "tabu", {"iterations": 3000}, seed
            yield "tabu", {"iterations": 3000, "restart": 200, "stall": 1500}, 2
        hint = {"hint_time": 0.0} if inst.objective == "makespan" else {}
        if name == "ta01":
            return
        yield "cpsat", dict(hint), 0
        yield "cpsat", {"model": "textbook"}, 0
        if small:
            yield "milp", dict(hint), 0
    elif inst.problem == "single_machine":
        for rule in ("edd", "spt", "wspt", "mdd", "moore", "eddc", "mddc"):
            yield rule, {}, 0
        yield "atc", {}, 0
        yield "atc", {"k": 1.0}, 0
        yield "covert", {}, 0
        yield "ls", {"iterations": 60}, 0
        yield "ls", {"iterations": 60, "init": "edd", "strength": 2, "restart": 10}, 3
        if small:
            yield "dp", {}, 0
            yield "cpsat", {"hint_time": 0.0}, 0
            yield "cpsat", {"hint": False, "dominance": False}, 0
            yield "milp", {"hint_time": 0.0}, 0
            yield "milp", {"hint_time": 0.0, "model": "time_indexed"}, 0
    elif inst.problem == "dag":
        yield "heft", {}, 0
        yield "heft", {"insertion": False}, 0
        yield "cpop", {}, 0
        yield "peft", {}, 0
        for priority in ("bottom_level", "hlfet", "etf", "random"):
            yield "list", {"priority": priority}, 4
        if small:
            yield "cpsat", {}, 0
            yield "cpsat", {"hint": False, "symmetry_breaking": False}, 0
            yield "milp", {}, 0


def _digest(solution: Any) -> str:
    text = json.dumps(solution, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def record(out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for name, inst in _instances():
            for method, options, seed in _runs(name, inst):
                res = sk.solve(inst, method, seed=seed, workers=1, options=options)
                row = {"instance": name, "problem": inst.problem, "method": method,
                       "options": options, "seed": seed, "status": str(res.status),
                       "objective": res.objective, "bound": res.bound,
                       "solution_sha256": _digest(res.solution), "solution": res.solution}
                fh.write(json.dumps(row, sort_keys=True) + "\n")
                print(f"{name:32s} {method:14s} {json.dumps(options):60s} "
                      f"{res.status!s:9s} {res.objective}", flush=True)


def _load(path: Path) -> dict[tuple[str, str, str, int], dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["instance"], r["method"], json.dumps(r["options"], sort_keys=True), r["seed"]): r
            for r in rows}


def compare(before: Path, after: Path) -> int:
    a, b = _load(before), _load(after)
    if a.keys() != b.keys():
        print(f"different runs: only before {sorted(a.keys() - b.keys())}, only after "
              f"{sorted(b.keys() - a.keys())}")
        return 1
    differ = [k for k in a if (a[k]["objective"], a[k]["solution_sha256"])
              != (b[k]["objective"], b[k]["solution_sha256"])]
    other = [k for k in a if (a[k]["status"], a[k]["bound"]) != (b[k]["status"], b[k]["bound"])]
    for k in differ:
        print(f"DIFFERENT objective or solution: {k}: {a[k]['objective']} -> "
              f"{b[k]['objective']}")
    for k in other:
        print(f"different status/bound: {k}: {a[k]['status']} {a[k]['bound']} -> "
              f"{b[k]['status']} {b[k]['bound']}")
    print(f"{len(a)} runs; {len(a) - len(differ)} identical objectives and solutions, "
          f"{len(a) - len(other)} identical statuses and bounds")
    return 1 if differ or other else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.command == "record":
        record(args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
