#!/usr/bin/env python
"""Throughput of the single-machine rules: Numba kernels against NumPy, side by side.

    python benchmarks/single_machine_throughput.py [--n 1000000] [--repeats 5] [--seed 0]

One random 1||ΣwjTj instance of n jobs (the OR-Library generator of Potts & Van Wassenhove,
TF = 0.6, RDD = 0.6). For each rule, the time to sequence all n jobs with the Numba kernel
(:mod:`schedkit.heuristics.single_machine.rule_kernels`, through its wrapper, key computation
included) and with a NumPy implementation of the same rule and the same tie-breaking (lower
index first):

- EDD, SPT, WSPT: one stable ``np.argsort`` of the key (the whole rule is a sort; the Numba
  side is a radix sort, :func:`~schedkit.heuristics.single_machine.rule_kernels.radix_order`);
- MDD, ATC (log form, see :func:`numpy_dynamic`): dynamic priorities have no argsort form;
  the NumPy version recomputes every priority at each step and takes ``np.argmin`` — O(n²),
  so it runs on ``--n-quadratic`` jobs (default 20 000) and its jobs/s is quoted at that size,
  beside the Numba O(n log n) kernel at both sizes.

Both sides are checked to give the same sequence. Times are medians over ``--repeats`` runs
after one warm-up (JIT compilation excluded), in one process on this machine; they are noisy on
shared hosts, so the ratio matters more than the absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable

import numpy as np

import schedkit as sk

H = sk.heuristics.single_machine


def median_time(fn: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """Median seconds of ``fn()`` after one warm-up call (JIT compilation), and its output."""
    out = fn()
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeats)), out


def numpy_static(key: np.ndarray) -> np.ndarray:
    return np.argsort(key, kind="stable")


def numpy_dynamic(p: np.ndarray, d: np.ndarray, w: np.ndarray, rule: str,
                  k: float = H.ATC_DEFAULT_K) -> np.ndarray:
    """MDD / ATC by definition with NumPy: every step recomputes all priorities (O(n²))."""
    n = p.shape[0]
    left = np.arange(n)
    seq = np.empty(n, dtype=np.int64)
    t = 0
    scale = k * p.mean()
    ratio = w / p
    for pos in range(n):
        pl, dl = p[left], d[left]
        if rule == "mdd":
            j = int(np.argmin(np.maximum(dl, t + pl)))
        else:
            # ATC in log form, −ln(w/p) + max(0, d − p − t)/(k p̄), smallest first. The textbook
            # (w/p)·exp(…) underflows to 0 once the slack exceeds ≈ 745 k p̄ (here at t = 0 for
            # most jobs), and the rule then degenerates to index order among them.
            j = int(np.argmin(-np.log(ratio[left]) + np.maximum(0, dl - pl - t) / scale))
        seq[pos] = left[j]
        t += p[left[j]]
        left = np.delete(left, j)
    return seq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--n-quadratic", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    big = sk.generate("single_machine", n=args.n, seed=args.seed)
    small = sk.generate("single_machine", n=args.n_quadratic, seed=args.seed)
    host = sk.solve(sk.generate("single_machine", n=3), "edd").host  # the Result's host record
    print(f"host: {host['cpu']} ({host['cores']} cores), numpy {np.__version__}, "
          f"repeats {args.repeats} (median)\n")
    print("| rule | n | Numba s | Numba jobs/s | NumPy s | NumPy jobs/s | NumPy impl | "
          "Numba/NumPy speed | same sequence |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rule in ("edd", "spt", "wspt"):
        p, d, w, _ = H.job_arrays(big)
        key = {"edd": d, "spt": p, "wspt": p / w}[rule]
        tn, sn = median_time(lambda rule=rule: H.rule_sequence(big, rule), args.repeats)
        tp, sp = median_time(lambda key=key: numpy_static(key), args.repeats)
        print(f"| {rule} | {args.n:,} | {tn:.4f} | {args.n / tn:,.0f} | {tp:.4f} | "
              f"{args.n / tp:,.0f} | stable argsort | {tp / tn:.2f}x | "
              f"{bool(np.array_equal(sn, sp))} |")
    for rule in ("mdd", "atc"):
        tn_big, _ = median_time(lambda rule=rule: H.rule_sequence(big, rule), args.repeats)
        p, d, w, _ = H.job_arrays(small)
        tn, sn = median_time(lambda rule=rule: H.rule_sequence(small, rule), args.repeats)
        tp, sp = median_time(lambda p=p, d=d, w=w, rule=rule: numpy_dynamic(p, d, w, rule),
                             max(1, args.repeats // 2))
        same = bool(np.array_equal(sn, sp))
        if not same:  # floating-point near-ties (ATC): compare objectives instead
            a, b = H.sequence_value(small, sn), H.sequence_value(small, sp)
            first = int(np.argmax(sn != sp))
            same = (f"no: from position {first}; objectives differ by "
                    f"{100 * abs(a - b) / max(b, 1):.3f} %")
        print(f"| {rule} | {args.n:,} | {tn_big:.4f} | {args.n / tn_big:,.0f} | - | - | "
              f"- | - | - |")
        print(f"| {rule} | {args.n_quadratic:,} | {tn:.4f} | {args.n_quadratic / tn:,.0f} | "
              f"{tp:.4f} | {args.n_quadratic / tp:,.0f} | argmin per step (O(n²)) | "
              f"{tp / tn:.0f}x | {same} |")


if __name__ == "__main__":
    main()
