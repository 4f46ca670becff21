"""Single-machine Numba kernels give the same answers compiled and interpreted."""

from __future__ import annotations

import numpy as np
import pytest

from schedkit.heuristics.single_machine import local_search_kernels as LK
from schedkit.heuristics.single_machine import objective_kernels as OK
from schedkit.heuristics.single_machine import rule_kernels as K

SCRIPT = r"""
import json
import numpy as np
from schedkit.heuristics.single_machine import dp_kernels as DK
from schedkit.heuristics.single_machine import local_search_kernels as LK
from schedkit.heuristics.single_machine import objective_kernels as OK
from schedkit.heuristics.single_machine import rule_kernels as K
rng = np.random.default_rng(11)
n = 7
p = rng.integers(1, 30, n); d = rng.integers(0, 150, n); w = rng.integers(1, 6, n)
r = rng.integers(0, 60, n); z = np.zeros(n, dtype=np.int64)
f = lambda a: a.astype(np.float64)
out = {
    "edd": K.dispatch_two_class(p, r, f(d), 0.0, f(d), 0.0, np.full(n, np.inf)).tolist(),
    "mdd": K.dispatch_two_class(p, r, f(d), 0.0, f(p), 1.0, f(d - p)).tolist(),
    "edd_sort": K.dispatch_two_class(p, z, f(d), 0.0, f(d), 0.0, np.full(n, np.inf)).tolist(),
    "wspt_sort": K.dispatch_two_class(p, z, p / w, 0.0, p / w, 0.0, np.full(n, np.inf)).tolist(),
    "covert": K.covert_sequence(p, d, w, r, 2.0).tolist(),
    "mddc": K.mddc_sequence(p, d, r).tolist(),
    "eddc": K.eddc_sequence(p, d).tolist(),
    "moore": K.moore_hodgson(p, d, w).tolist(),
}
seq = np.arange(n, dtype=np.int64)
out["obj"] = [OK.sequence_objective(p, d, w, r, c, seq) for c in range(5)]
local = seq.copy()
out["descent"] = [LK.descent(p, d, w, z, 0, local), local.tolist()]
cur = local.copy(); best = local.copy()
res = LK.ils_run(p, d, w, z, 0, cur, out["descent"][0], best, out["descent"][0], 5, 3, 50, 0, 0,
                0.0, 12345)
out["ils"] = [float(res[1]), best.tolist(), int(res[3])]
dyna = seq.copy()
out["dynasearch"] = [LK.dynasearch(p, d, w, 0, dyna, 0), dyna.tolist()]
cur = dyna.copy(); best = dyna.copy()
res = LK.ils_run(p, d, w, z, 0, cur, out["dynasearch"][0], best, out["dynasearch"][0], 5, 3, 50,
                 0, 0, 0.0, 12345, 4)
out["ils_dynasearch"] = [float(res[1]), best.tolist(), int(res[3])]
full = (1 << n) - 1
start = np.zeros(full + 1, np.int64); count = np.zeros(full + 1, np.int64); count[0] = 1
cap = 200000
lt = np.zeros(cap, np.int64); lc = np.zeros(cap); lp = np.full(cap, -1); lj = np.full(cap, -1)
m, nlab, most = DK.dp_chunk(p, d, w, r, 0, 1, full + 1, start, count, lt, lc, lp, lj, 1)
out["dp"] = [int(m), float(lc[start[full]:start[full] + count[full]].min())]
print(json.dumps(out))
"""


def test_single_machine_kernels_agree_with_and_without_jit(jit_outputs) -> None:
    compiled, interpreted = jit_outputs(SCRIPT)
    assert compiled == interpreted
    assert sorted(compiled["mdd"]) == list(range(7))
    assert compiled["ils"][0] <= compiled["descent"][0]
    assert compiled["ils_dynasearch"][0] <= compiled["dynasearch"][0]


def _every_compound_move(seq: list[int], a: int = 0):
    """Every sequence that independent segment moves (a swap of the segment's ends, its first
    job moved last, its last job moved first) on disjoint segments from position ``a`` make."""
    if a == len(seq):
        yield []
        return
    for rest in _every_compound_move(seq, a + 1):
        yield [seq[a], *rest]
    for e in range(a + 1, len(seq)):
        seg = seq[a:e + 1]
        for moved in (seg[1:] + seg[:1], seg[-1:] + seg[:-1], seg[-1:] + seg[1:-1] + seg[:1]):
            for rest in _every_compound_move(seq, e + 1):
                yield moved + rest


def test_dynasearch_steps_to_the_best_set_of_independent_moves() -> None:
    """One step reaches the best of every compound move (brute force, n <= 7, every sum
    objective), and its local optimum is one of the interchange/insertion descent too."""
    rng = np.random.default_rng(5)
    for _ in range(120):
        n = int(rng.integers(2, 8))
        p = rng.integers(1, 10, n)
        d = rng.integers(0, int(p.sum()), n)
        w = rng.integers(0, 10, n)
        z = np.zeros(n, dtype=np.int64)
        code = int(rng.choice([0, 1, 3, 4]))
        seq = rng.permutation(n).astype(np.int64)
        brute = min(OK.sequence_objective(p, d, w, z, code, np.array(s, dtype=np.int64))
                    for s in _every_compound_move(seq.tolist()))
        best = np.empty(n + 1)
        LK._dyna_pass(p, d, w, code, seq, 0, np.empty(n, np.int64), best,
                      np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n))
        assert best[n] == pytest.approx(brute)
        local = seq.copy()
        value = LK.dynasearch(p, d, w, code, local, 0)
        assert sorted(local.tolist()) == list(range(n))
        assert value == pytest.approx(OK.sequence_objective(p, d, w, z, code, local))
        assert value <= brute + 1e-9
        again = local.copy()
        assert LK.descent(p, d, w, z, code, again) == pytest.approx(value)


def test_radix_order_is_a_stable_argsort() -> None:
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(0, 60))
        ints = rng.integers(-2**62, 2**62, n) if trial % 2 else rng.integers(-3, 3, n)
        assert np.array_equal(K.radix_order(ints), np.argsort(ints, kind="stable"))
        x = rng.normal(size=n) * 10.0 ** int(rng.integers(-3, 6))
        x[rng.random(n) < 0.2] = np.inf
        if n:
            x[0] = -0.0
        assert np.array_equal(K.radix_order(K.float_sort_key(x)), np.argsort(x, kind="stable"))
