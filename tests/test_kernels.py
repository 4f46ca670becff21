"""Numba kernels give the same answers compiled and as plain Python (NUMBA_DISABLE_JIT=1)."""

from __future__ import annotations

import json

import numpy as np

from schedkit.heuristics.kernels import (
    chain_decode,
    heap_pop,
    heap_push,
    jobshop_decode,
    single_machine_decode,
)

# ft06 (Fisher & Thompson 1963) routes as (machine, duration) pairs.
FT06 = [
    [(2, 1), (0, 3), (1, 6), (3, 7), (5, 3), (4, 6)],
    [(1, 8), (2, 5), (4, 10), (5, 10), (0, 10), (3, 4)],
    [(2, 5), (3, 4), (5, 8), (0, 9), (1, 1), (4, 7)],
    [(1, 5), (0, 5), (2, 5), (3, 3), (4, 8), (5, 9)],
    [(2, 9), (1, 3), (4, 5), (5, 4), (0, 3), (3, 1)],
    [(1, 3), (3, 3), (5, 9), (0, 10), (4, 4), (2, 1)],
]

SCRIPT = """
import json, numpy as np
from schedkit.heuristics.kernels import (chain_decode, heap_pop, heap_push, jobshop_decode,
                                         single_machine_decode)
routes = json.loads({routes!r})
off = np.cumsum([0] + [len(r) for r in routes]).astype(np.int64)
mach = np.array([m for r in routes for m, _ in r], dtype=np.int64)
dur = np.array([d for r in routes for _, d in r], dtype=np.int64)
rng = np.random.default_rng(7)
seq = rng.permutation(np.repeat(np.arange(6), 6)).astype(np.int64)
out = {{
    "js": jobshop_decode(off, mach, dur, np.zeros(6, np.int64), 6, seq).tolist(),
    "sm": single_machine_decode(dur[:6], np.array([0, 5, 0, 9, 0, 0]),
                                np.arange(6)[::-1].copy()).tolist(),
    "chain": chain_decode(dur[:6].astype(float), np.arange(6)).tolist(),
}}
hkey, hid, size = np.zeros(36), np.zeros(36, np.int64), 0
for i, k in enumerate(dur.tolist()):
    size = heap_push(hkey, hid, size, float(k % 5), i)
popped = []
while size:
    popped.append(int(hid[0]))
    size = heap_pop(hkey, hid, size)
out["heap"] = popped
print(json.dumps(out))
"""


def test_kernels_agree_with_and_without_jit(jit_outputs) -> None:
    compiled, interpreted = jit_outputs(SCRIPT.format(routes=json.dumps(FT06)))
    assert compiled == interpreted
    assert len(compiled["js"]) == 36


def test_jobshop_decode_job_by_job_on_ft06() -> None:
    off = np.cumsum([0] + [6] * 6).astype(np.int64)
    mach = np.array([m for r in FT06 for m, _ in r], dtype=np.int64)
    dur = np.array([d for r in FT06 for _, d in r], dtype=np.int64)
    seq = np.repeat(np.arange(6), 6).astype(np.int64)
    start = jobshop_decode(off, mach, dur, np.zeros(6, np.int64), 6, seq)
    # Job 0 runs back to back from 0; its makespan contribution is 26 = sum of its durations.
    assert start[:6].tolist() == [0, 1, 4, 10, 17, 20]
    # Surplus occurrences are ignored and a job's operations never start before the previous end.
    again = jobshop_decode(off, mach, dur, np.zeros(6, np.int64), 6, np.concatenate([seq, seq]))
    assert again.tolist() == start.tolist()
    end = start + dur
    for j in range(6):
        assert all(start[6 * j + k + 1] >= end[6 * j + k] for k in range(5))


def test_single_machine_decode_respects_release_dates() -> None:
    start = single_machine_decode(np.array([2, 3]), np.array([4, 0]), np.array([0, 1]))
    assert start.tolist() == [4, 6]
    assert chain_decode(np.array([1.5, 2.0]), np.array([1, 0])).tolist() == [2.0, 0.0]


def test_heap_pops_in_key_then_item_order() -> None:
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 7, 100):
        keys = rng.integers(0, 5, n).astype(np.float64)  # many ties
        hkey, hid, size = np.zeros(n + 1), np.zeros(n + 1, dtype=np.int64), 0
        for item in rng.permutation(n).tolist():
            size = heap_push(hkey, hid, size, keys[item], item)
        popped = []
        while size:
            popped.append(int(hid[0]))
            size = heap_pop(hkey, hid, size)
        assert popped == sorted(range(n), key=lambda i: (keys[i], i))
