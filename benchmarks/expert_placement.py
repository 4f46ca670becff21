#!/usr/bin/env python
"""Expert placement: the fast planner ``balance`` against DeepSeek EPLB's policy (``eplb``), the
lower bound and the exact models, on the evaluation protocol "plan on window t, score on t+1".

    python benchmarks/expert_placement.py [--histories 10] [--part all|fixtures|deepseek|
        mixtral|migration|traffic] [--out runs.jsonl]

Parts (each prints a Markdown table; ``benchmarks/expert_placement.md`` holds the measured ones):

* ``fixtures``: ``eplb``, ``balance``, ``cpsat`` and ``milp`` (20 s, 2 workers) on the EPLB
  README example and the FlashLB example (objective, bound, status, seconds).
* ``deepseek``: DeepSeek-V3 geometry — 58 MoE layers, 256 experts, 32 GPUs × 9 slots (288
  physical slots), 4 nodes of 8 GPUs, 8 expert groups of 32 — ``--histories`` generated load
  histories (seeds 1..N, 2 windows, drift 0.1) at three skews. Per history: both methods plan
  window 0 through ``schedkit.solve`` (plans verified by the evaluator); reported: layers where
  ``balance``'s max GPU load exceeds ``eplb``'s (must be 0), the mean gap to the lower bound on
  window 0, the mean per-GPU and per-slot balancedness and the peak-to-average ratio of both
  plans on window 1. Planner time: the two planners' functions (``eplb_solution``,
  ``balance_solution``) are called alternately on the same instance, 5 times each, after one
  warm-up call; the median per history, then the median over histories.
* ``mixtral``: the same at a Mixtral-like geometry (32 layers, 8 experts, top-2, 4 GPUs × 3
  slots, 2 nodes).
* ``migration``: a deployed plan (``balance`` on window 0) re-planned on window 1 under budgets
  of 0–100 % changed slots; the share of the unconstrained balancedness gain kept.
* ``traffic``: ``load_and_traffic`` — exact ``cpsat`` and ``milp`` (30 s, 2 workers) against
  ``balance`` at E = 16, G = 4, L = 4 (affinity 0.8), and ``balance`` against the contiguous
  placement (expert e on GPU e // S) at E = 64, G = 8, L = 4 (affinity 0.9).

Timing runs are sequential on a shared 2-core host (1 worker for the planners, 2 for the exact
models); the host is printed with the tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import schedkit as sk

eplb_solution = sk.heuristics.expert_placement.eplb_solution
balance_solution = sk.heuristics.expert_placement.balance_solution
metrics, lower_bound, to_eplb_arrays = sk.metrics, sk.lower_bound, sk.to_eplb_arrays

SKEWS: dict[str, dict[str, Any]] = {
    "mild (Dirichlet c=2)": {"skew": "dirichlet", "concentration": 2.0},
    "strong (Dirichlet c=0.5)": {"skew": "dirichlet", "concentration": 0.5},
    "Zipf s=1": {"skew": "zipf", "zipf_s": 1.0},
}

DEEPSEEK = {"preset": "deepseek-v3", "layers": 58, "experts": 256, "gpus": 32,
            "gpus_per_node": 8, "slots_per_gpu": 9, "groups": 32, "top_k": 8}
MIXTRAL = {"preset": "mixtral", "layers": 32, "experts": 8, "gpus": 4, "gpus_per_node": 2,
           "slots_per_gpu": 3, "top_k": 2}


def _host() -> str:
    host = sk.solve(sk.generate("single_machine", n=3), "edd").host
    return f"{host['cpu']} ({host['cores']} cores)"


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def _eplb_peaks(plan: sk.Instance) -> dict[str, np.ndarray]:
    """Per-layer max GPU loads of EPLB's four variants (hierarchical / global, faithful /
    defects fixed), computed from its phy2log; ``nan`` on a layer where a faithful plan puts
    two replicas of an expert on one GPU (infeasible in the model: no GPU holds two replicas
    of one expert)."""
    E = plan.n_experts
    groups = E // plan.groups if plan.groups else 1
    nodes = plan.gpus // plan.gpus_per_node
    out = {}
    for policy in ("hierarchical", "global"):
        if policy == "hierarchical" and (plan.groups is None or groups % nodes):
            continue
        for fix in (False, True):
            phy2log, _, logcnt = sk.heuristics.expert_placement.rebalance_experts(
                plan.load, plan.slots, groups, nodes, plan.gpus, policy=policy, fix_defects=fix)
            per_slot = np.take_along_axis(plan.load / logcnt, phy2log, axis=1)
            gpu = per_slot.reshape(plan.n_layers, plan.gpus, plan.slots_per_gpu).sum(axis=2)
            on_gpu = np.sort(phy2log.reshape(plan.n_layers, plan.gpus, -1), axis=2)
            twice = (on_gpu[:, :, 1:] == on_gpu[:, :, :-1]).any(axis=(1, 2))
            out[f"{policy[:4]}{'-fixed' if fix else ''}"] = np.where(twice, np.nan,
                                                                       gpu.max(axis=1))
    return out


def _time_planners(plan: sk.Instance, ms: dict[str, list[float]]) -> None:
    """Both planners' functions on ``plan``, alternately, 5 times each after a warm-up call;
    the median of each goes to ``ms``."""
    calls = {"eplb": lambda: eplb_solution(plan, "auto", True),
             "balance": lambda: balance_solution(plan, seed=0)}
    for call in calls.values():
        call()  # warm: compiled kernels, caches
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(5):
        for name, call in calls.items():
            times[name].append(_median_ms(call, 1))
    for name in calls:
        ms[name].append(statistics.median(times[name]))


def geometry_table(shape: dict[str, Any], histories: int, out: list[dict[str, Any]]) -> None:
    """The DeepSeek-V3 / Mixtral comparison of ``balance`` and ``eplb`` (module docstring)."""
    print("| skew | histories × layers | layers where balance > EPLB (hier, hier-fixed, glob, "
          "glob-fixed; layers where EPLB's plan has two replicas on a GPU) "
          "| gap to bound: eplb | balance | "
          "next-window balancedness: eplb | balance | per slot: eplb | balance | "
          "PAR: eplb | balance | planner ms (median): eplb | balance |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for skew, law in SKEWS.items():
        worse: dict[str, int] = {}
        infeasible: dict[str, int] = {}
        gaps, bal, slot, par = {"eplb": [], "balance": []}, \
            {"eplb": [], "balance": []}, {"eplb": [], "balance": []}, \
            {"eplb": [], "balance": []}
        ms: dict[str, list[float]] = {"eplb": [], "balance": []}
        for seed in range(1, histories + 1):
            inst = sk.generate("expert_placement", **shape, **law, windows=2, seed=seed)
            rows = sk.rolling(inst, ["eplb", "balance"], seed=0, windows=[0])
            plan = inst.window(0)
            layer_max = {}
            for row in rows:
                name = row["method"]
                if row["status"] not in ("optimal", "feasible"):
                    raise SystemExit(f"{name} failed on {inst.name}: {row}")
                gaps[name].append(row["plan"]["gap"])
                bal[name].append(row["next"]["balancedness"])
                slot[name].append(row["next"]["slot_balancedness"])
                par[name].append(row["next"]["par"])
                layer_max[name] = np.asarray(row["plan"]["max_load_per_layer"])
                out.append({"part": "geometry", "instance": inst.name, "skew": skew, **row})
            peaks = {**_eplb_peaks(plan), "method": layer_max["eplb"]}
            for variant, peak in peaks.items():
                worse[variant] = worse.get(variant, 0) + int(
                    (layer_max["balance"] > peak * (1 + 1e-12)).sum())
                infeasible[variant] = infeasible.get(variant, 0) + int(np.isnan(peak).sum())
            _time_planners(plan, ms)
        def m(d: dict[str, list[float]], k: str, pct: bool = False) -> str:
            v = float(np.mean(d[k]))
            return f"{100 * v:.2f} %" if pct else f"{v:.4f}"
        counts = ", ".join(
            "-" if v not in worse else str(worse[v]) +
            (f" ({infeasible[v]} infeasible)" if infeasible[v] else "")
            for v in ("hier", "hier-fixed", "glob", "glob-fixed"))
        print(f"| {skew} | {histories} × {shape['layers']} | {counts} | "
              f"{m(gaps, 'eplb', True)} | "
              f"{m(gaps, 'balance', True)} | {m(bal, 'eplb')} | {m(bal, 'balance')} | "
              f"{m(slot, 'eplb')} | {m(slot, 'balance')} | {m(par, 'eplb')} | "
              f"{m(par, 'balance')} | {statistics.median(ms['eplb']):.1f} | "
              f"{statistics.median(ms['balance']):.1f} |", flush=True)


def _balancedness(inst: sk.Instance, solution: dict[str, Any]) -> float:
    return float(np.mean(metrics(inst, solution)["balancedness"]))


def migration_table(histories: int, out: list[dict[str, Any]]) -> None:
    """Moves against balancedness (module docstring): plan P0 on window 0 and deploy it; on
    window 1 re-plan from P0 under a budget of changed slots; the gain is the balancedness on
    window 1 over P0's there, as a share of the unconstrained re-plan's gain."""
    budgets = [0.0, 0.02, 0.05, 0.10, 0.20, None]
    print("| skew | method | budget (share of slots) | changed slots (mean) | balancedness on "
          "window 1 | share of the unconstrained gain kept (mean, min) | next window |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for skew, law in SKEWS.items():
        for method in ("balance", "eplb"):
            moves: dict[Any, list[float]] = {b: [] for b in budgets}
            bal: dict[Any, list[float]] = {b: [] for b in budgets}
            nxt: dict[Any, list[float]] = {b: [] for b in budgets}
            kept: dict[Any, list[float]] = {b: [] for b in budgets}
            for seed in range(1, histories + 1):
                inst = sk.generate("expert_placement", **DEEPSEEK, **law, windows=3, drift=0.3,
                                   seed=seed)
                first = sk.solve(inst.window(0), method, seed=0)
                old = np.asarray(to_eplb_arrays(inst.window(0), first.solution)[0])
                w1, w2 = inst.window(1), inst.window(2)
                b_old = _balancedness(w1, first.solution)
                results = {}
                for b in budgets:
                    cap = None if b is None else int(b * inst.n_layers * inst.slots)
                    plan = inst.window(1, previous=old, max_changed_slots=cap)
                    res = sk.solve(plan, method, seed=0)
                    if res.solution is None:
                        raise SystemExit(f"{method} failed on {plan.name}: {res.stop_detail}")
                    results[b] = (int(metrics(plan, res.solution)["changed_slots"]),
                                  _balancedness(w1, res.solution),
                                  _balancedness(w2, res.solution))
                    out.append({"part": "migration", "instance": inst.name, "skew": skew,
                                "method": method, "budget": b, "changed_slots": results[b][0],
                                "balancedness": results[b][1], "next": results[b][2],
                                "deployed_balancedness": b_old})
                full = results[None][1] - b_old
                for b in budgets:
                    moves[b].append(results[b][0])
                    bal[b].append(results[b][1])
                    nxt[b].append(results[b][2])
                    kept[b].append((results[b][1] - b_old) / full if full > 0 else 1.0)
            for b in budgets:
                label = "unlimited" if b is None else f"{100 * b:.0f} %"
                print(f"| {skew} | {method} | {label} | {np.mean(moves[b]):.1f} | "
                      f"{np.mean(bal[b]):.4f} | {100 * np.mean(kept[b]):.1f} %, "
                      f"{100 * np.min(kept[b]):.1f} % | {np.mean(nxt[b]):.4f} |", flush=True)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def fixtures_table(out: list[dict[str, Any]]) -> None:
    print("| instance | method | options | status | objective | bound | seconds |")
    print("|---|---|---|---|---:|---:|---:|")
    runs = [("eplb", {"fix_defects": False}), ("eplb", {}), ("balance", {}),
            ("cpsat", {}), ("cpsat", {"hierarchical": True}), ("milp", {}),
            ("milp", {"backend": "highs"}), ("cpsat", {"split": "free"})]
    for name in ("eplb-readme", "flashlb-pr"):
        inst = sk.load(name)
        for method, opts in runs:
            if opts.get("hierarchical") and inst.groups is None:
                continue
            res = sk.solve(inst, method, options=opts, time_limit=20, seed=0, workers=2)
            out.append({"part": "fixtures", **res.to_dict()})
            status = str(res.status) if res.ok else f"{res.status}: {res.stop_detail[:60]}…"
            print(f"| {name} | {method} | {json.dumps(opts) if opts else ''} | {status} | "
                  f"{_num(res.objective)} | {_num(res.bound)} | {res.runtime_s:.2f} |",
                  flush=True)


def _traffic_parts(inst: sk.Instance, solution: dict[str, Any]) -> tuple[float, float, float]:
    """(tokens crossing GPUs between consecutive layers, their hop cost, Σ max GPU load) of a
    placement with one replica per expert."""
    gpu = np.array([[gpus[0] for gpus in row] for row in solution["replicas"]])
    cross = sum(float((inst.traffic[layer] * (gpu[layer][:, None] != gpu[layer + 1][None, :])
                       ).sum()) for layer in range(inst.n_layers - 1))
    max_load = float(np.sum(metrics(inst, solution)["max_load_per_layer"]))
    hop = sk.evaluate(inst, solution).objective - inst.per_token * max_load
    return cross, hop, max_load


def _contiguous(inst: sk.Instance) -> dict[str, Any]:
    """Expert e on GPU e // S in every layer (the placement serving engines start from)."""
    S = inst.slots_per_gpu
    return {"replicas": [[[e // S] for e in range(inst.n_experts)]
                         for _ in range(inst.n_layers)]}


def traffic_table(out: list[dict[str, Any]]) -> None:
    """``load_and_traffic`` (module docstring)."""
    print("| instance | method | status | objective | bound | cross-GPU tokens | hop cost | "
          "Σ max load | seconds |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for seed in (1, 2, 3):
        inst = sk.generate("expert_placement", experts=16, gpus=4, gpus_per_node=2, layers=4,
                           objective="load_and_traffic", affinity=0.8, seed=seed)
        for method in ("cpsat", "milp", "balance"):
            res = sk.solve(inst, method, time_limit=30, seed=0, workers=2)
            out.append({"part": "traffic", **res.to_dict()})
            cross, hop, ml = _traffic_parts(inst, res.solution)
            print(f"| {inst.name} | {method} | {res.status} | {res.objective:.1f} | "
                  f"{res.bound:.1f} | {cross:.0f} | {hop:.1f} | {ml:.1f} | "
                  f"{res.runtime_s:.2f} |", flush=True)
    print("\n| instance | placement | cross-GPU tokens | hop cost | Σ max load | traffic cut | "
          "max load change | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for seed in (1, 2, 3):
        inst = sk.generate("expert_placement", experts=64, gpus=8, gpus_per_node=4, layers=4,
                           objective="load_and_traffic", affinity=0.9, seed=seed)
        base = _traffic_parts(inst, _contiguous(inst))
        print(f"| {inst.name} | contiguous | {base[0]:.0f} | {base[1]:.1f} | {base[2]:.1f} | "
              f"| | |")
        res = sk.solve(inst, "balance", seed=0)
        out.append({"part": "traffic-64", **res.to_dict()})
        cross, hop, ml = _traffic_parts(inst, res.solution)
        print(f"| {inst.name} | balance | {cross:.0f} | {hop:.1f} | {ml:.1f} | "
              f"{100 * (1 - cross / base[0]):.1f} % | {100 * (ml / base[2] - 1):+.1f} % | "
              f"{res.runtime_s:.2f} |", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--histories", type=int, default=10)
    ap.add_argument("--part", default="all", choices=("all", "fixtures", "deepseek", "mixtral",
                                                      "migration", "traffic"))
    ap.add_argument("--out", type=Path, default=None, help="also write every run as JSON Lines")
    args = ap.parse_args()
    print(f"host: {_host()}; schedkit {sk.__version__}; sequential runs\n")
    out: list[dict[str, Any]] = []
    parts = ("fixtures", "deepseek", "mixtral", "migration", "traffic") if args.part == "all" \
        else (args.part,)
    for part in parts:
        print(f"\n## {part}\n")
        if part == "fixtures":
            fixtures_table(out)
        elif part == "deepseek":
            geometry_table(DEEPSEEK, args.histories, out)
        elif part == "mixtral":
            geometry_table(MIXTRAL, args.histories, out)
        elif part == "migration":
            migration_table(args.histories, out)
        else:
            traffic_table(out)
    if args.out is not None:
        args.out.write_text("".join(json.dumps(r, default=str) + "\n" for r in out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
