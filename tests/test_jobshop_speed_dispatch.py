"""The fast job-shop building blocks give exactly what their plain definitions give.

``gt_dispatch`` keeps per-machine queues, scores static rules once per operation and serves the
machines of one start time by rounds; :func:`reference_dispatch` below is the step-by-step
Giffler–Thompson definition written plainly (every step scans every unfinished job), with the
comparison orders the kernel always had, so even NaN scores (ATC with k <= 0) must agree. The
evaluator's fast path for well-formed schedules must accept and reject exactly what its general
reading does (rows given as tuples take the general reading). No timing here: speed is measured
by ``benchmarks/jobshop_bench.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.jobshop import RULES, start_lists
from schedkit.heuristics.jobshop.dispatch_kernels import gt_dispatch
from schedkit.instances import JobShop
from schedkit.instances.evaluate import evaluate
from schedkit.instances.jobshop.generate import jobshop


def _score(rule: int, k: int, j: int, t: int, dur: np.ndarray, rem_work: np.ndarray,
           rem_ops: np.ndarray, ready: np.ndarray, due: np.ndarray, weight: np.ndarray,
           noise: np.ndarray, atc_k: float, mean_p: float) -> float:
    """Priority of operation ``k`` of job ``j`` at time ``t`` (the highest is chosen)."""
    p = float(dur[k])
    if rule == 0:
        return -p
    if rule == 1:
        return p
    if rule == 2:
        return float(rem_work[j])
    if rule == 3:
        return -float(rem_work[j])
    if rule == 4:
        return float(rem_ops[j])
    if rule == 5:
        return -float(ready[j])
    if rule == 6:
        return -float(due[j])
    if rule == 7:
        slack = max(0.0, float(due[j]) - float(t) - float(rem_work[j]))
        with np.errstate(over="ignore", invalid="ignore"):  # k <= 0: inf and NaN on purpose
            return float((float(weight[j]) / max(p, 1e-9)) * np.exp(-slack / (atc_k * mean_p)))
    return float(noise[k])


def reference_dispatch(off: np.ndarray, mach: np.ndarray, dur: np.ndarray,
                       release: np.ndarray, due: np.ndarray, weight: np.ndarray, machines: int,
                       rule: int, nondelay: bool, atc_k: float,
                       noise: np.ndarray) -> np.ndarray:
    """Start times by the step-by-step definition (see ``gt_dispatch``), in plain Python.

    Active: C* is the earliest completion over all schedulable operations (lowest job on a
    tie), m* its machine; the rule picks among the operations on m* that can start before C*.
    Non-delay: t* is the earliest start; the rule picks among the operations that can start at
    t*. Candidates are compared in the order of the list of unfinished jobs (active; finished
    jobs leave it by swap-removal) or of the machines and, per machine, of its queue (non-delay;
    swap-removal, appends at the end). Ties go to the lowest job.
    """
    n, total = len(off) - 1, len(mach)
    start = np.zeros(total, dtype=np.int64)
    nxt = [int(off[j]) for j in range(n)]
    ready = [int(r) for r in release]
    free = [0] * machines
    rem_work = np.array([int(dur[off[j]:off[j + 1]].sum()) for j in range(n)])
    rem_ops = np.array([int(off[j + 1] - off[j]) for j in range(n)])
    mean_p = max(1.0, float(dur.sum()) / max(total, 1))
    alive = list(range(n))
    queues: list[list[int]] = [[] for _ in range(machines)]
    for j in range(n):
        queues[int(mach[off[j]])].append(j)
    for _ in range(total):
        chosen, best = -1, 0.0
        if nondelay:
            t_star = min(max(min(ready[j] for j in q), free[m])
                         for m, q in enumerate(queues) if q)
            for m, q in enumerate(queues):
                for j in q:
                    if free[m] > t_star or ready[j] > t_star:
                        continue
                    sc = _score(rule, nxt[j], j, t_star, dur, rem_work, rem_ops,
                                np.array(ready), due, weight, noise, atc_k, mean_p)
                    if chosen < 0 or sc > best or (sc == best and j < chosen):
                        chosen, best = j, sc
        else:
            est = {j: max(ready[j], free[int(mach[nxt[j]])]) for j in alive}
            c_star, j_star = min((est[j] + int(dur[nxt[j]]), j) for j in alive)
            m_star = int(mach[nxt[j_star]])
            for j in alive:
                if int(mach[nxt[j]]) != m_star or est[j] >= c_star:
                    continue
                sc = _score(rule, nxt[j], j, est[j], dur, rem_work, rem_ops, np.array(ready),
                            due, weight, noise, atc_k, mean_p)
                if chosen < 0 or sc > best or (sc == best and j < chosen):
                    chosen, best = j, sc
            if chosen < 0:
                chosen = j_star
        k = nxt[chosen]
        m = int(mach[k])
        s0 = max(ready[chosen], free[m])
        start[k] = s0
        ready[chosen] = free[m] = s0 + int(dur[k])
        rem_work[chosen] -= dur[k]
        rem_ops[chosen] -= 1
        nxt[chosen] = k + 1
        q = queues[m]
        i = q.index(chosen)
        q[i] = q[-1]
        q.pop()
        if nxt[chosen] < off[chosen + 1]:
            queues[int(mach[k + 1])].append(chosen)
        else:
            i = alive.index(chosen)
            alive[i] = alive[-1]
            alive.pop()
    return start


def _load(name: str) -> JobShop:
    inst = sk.load(name)
    assert isinstance(inst, JobShop)
    return inst


def _random_case(rng: np.random.Generator) -> tuple[Any, ...]:
    """A small job shop with ties, zero durations (often), release dates and due dates."""
    n, machines = int(rng.integers(1, 10)), int(rng.integers(1, 5))
    lens = rng.integers(1, 6, n)
    off = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    total = int(off[-1])
    mach = rng.integers(0, machines, total).astype(np.int64)
    low = 0 if rng.random() < 0.5 else 1
    dur = rng.integers(low, int(rng.choice([1, 3, 20])) + 1, total).astype(np.int64)
    release = (rng.integers(0, 15, n) if rng.random() < 0.5 else np.zeros(n)).astype(np.int64)
    due = rng.integers(-5, 60, n).astype(np.int64)
    weight = rng.integers(0, 4, n).astype(np.int64)
    return off, mach, dur, release, due, weight, machines


#: ATC look-aheads: ordinary ones, and k <= 0 or NaN (scores can be NaN or infinite).
_ATC_K = (2.0, 0.5, -1.0, -0.01, math.nan, math.inf)


def _runs(rng: np.random.Generator, cases: int) -> Iterator[tuple[Any, ...]]:
    """(arguments of one kernel call) for random cases × rules × modes × ATC look-aheads."""
    for _ in range(cases):
        base = _random_case(rng)
        total = len(base[1])
        for rule in RULES.values():
            for nondelay in (False, True):
                for k in _ATC_K if rule == RULES["atc"] else (2.0,):
                    noise = rng.random(total) if rule == RULES["random"] else np.zeros(1)
                    if rule == RULES["random"] and rng.random() < 0.4:
                        noise = np.round(noise * 2) / 2  # tied priorities
                    yield (*base, rule, nondelay, k, noise)


def _outcome(func: Callable[..., np.ndarray], args: tuple[Any, ...]) -> list[int] | str:
    try:
        return func(*args).tolist()
    except ZeroDivisionError:  # ATC with k = 0 divides by zero: both must say so
        return "ZeroDivisionError"


# Without the JIT, ATC with k < 0 overflows numpy's exp on purpose.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kernel_matches_the_definition_on_random_cases() -> None:
    rng = np.random.default_rng(2026)
    for args in _runs(rng, 150):
        assert _outcome(gt_dispatch, args) == _outcome(reference_dispatch, args), args


def test_atc_with_zero_look_ahead_raises_like_the_definition() -> None:
    args = _random_case(np.random.default_rng(3))
    for nondelay in (False, True):
        call = (*args, RULES["atc"], nondelay, 0.0, np.zeros(1))
        assert _outcome(gt_dispatch, call) == _outcome(reference_dispatch, call)


@pytest.mark.parametrize("name", ["ft06", "la01", "ta01"])
def test_kernel_matches_the_definition_on_benchmarks(name: str) -> None:
    inst = _load(name)
    due = np.zeros(inst.n_jobs, dtype=np.int64)
    for rule in ("spt", "lpt", "mwkr", "lwkr", "mopnr", "fifo", "random"):
        noise = np.random.default_rng(0).random(inst.n_ops)
        for nondelay in (False, True):
            args = (inst.job_offsets, inst.op_machine, inst.op_duration, inst.release, due,
                    inst.weight, inst.machines, RULES[rule], nondelay, 2.0, noise)
            assert np.array_equal(gt_dispatch(*args), reference_dispatch(*args)), (rule,
                                                                                  nondelay)


def test_kernel_matches_the_definition_on_ta71_nondelay() -> None:
    inst = _load("ta71")
    due = np.zeros(inst.n_jobs, dtype=np.int64)
    for rule in ("spt", "mwkr"):
        args = (inst.job_offsets, inst.op_machine, inst.op_duration, inst.release, due,
                inst.weight, inst.machines, RULES[rule], True, 2.0, np.zeros(1))
        assert np.array_equal(gt_dispatch(*args), reference_dispatch(*args)), rule


_JIT_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {root!r})
from tests.test_jobshop_speed_dispatch import _outcome, _runs, reference_dispatch
from schedkit.heuristics.jobshop.dispatch_kernels import gt_dispatch
rng = np.random.default_rng(7)
out, bad = [], 0
for args in _runs(rng, 25):
    got = _outcome(gt_dispatch, args)
    bad += got != _outcome(reference_dispatch, args)
    out.append(got)
print(json.dumps({{"bad": bad, "out": out}}))
"""


def test_kernel_same_with_and_without_jit(
        jit_outputs: Callable[[str], tuple[Any, Any]]) -> None:
    root = str(Path(__file__).resolve().parent.parent)
    compiled, interpreted = jit_outputs(_JIT_SCRIPT.format(root=root))
    assert compiled["bad"] == 0 and interpreted["bad"] == 0
    assert compiled["out"] == interpreted["out"]


def test_start_lists_slices_per_job() -> None:
    rng = np.random.default_rng(5)
    for routes in ([[(0, 1), (1, 2)], [(1, 1), (0, 1)]], [[(0, 1)], [(1, 2), (0, 1), (1, 3)]]):
        inst = JobShop.from_routes(routes)
        start = rng.integers(0, 100, inst.n_ops)
        off = inst.job_offsets
        want = [start[off[j]:off[j + 1]].tolist() for j in range(inst.n_jobs)]
        got = start_lists(inst, start)
        assert got == want and all(type(x) is int for row in got for x in row)
    assert JobShop.from_routes([[(0, 1), (1, 2)], [(1, 1), (0, 1)]]).ops_per_job == 2
    assert JobShop.from_routes([[(0, 1)], [(1, 2), (0, 1)]]).ops_per_job is None


def _verdict(inst: JobShop, rows: Any) -> tuple[float | None, list[str]]:
    ev = evaluate(inst, {"start": rows})
    return ev.objective, [str(v) for v in ev.violations]


def _variants(rng: np.random.Generator, inst: JobShop,
              rows: list[list[int]]) -> Iterator[list[Any]]:
    """A schedule and broken or oddly typed copies of it."""
    yield rows
    n = len(rows)
    for _ in range(12):
        out = [list(r) for r in rows]
        j = int(rng.integers(0, n))
        k = int(rng.integers(0, len(out[j])))
        out[j][k] += int(rng.integers(-8, 9))
        yield out
    yield [[int(x) for x in rng.integers(-1, 30, len(r))] for r in rows]
    for odd in (True, 2.0, 1.5, np.int64(3), None, "4", 2**53 + 1, 2**63, -2**53 - 1,
                math.inf):
        odd_rows: list[list[Any]] = [list(r) for r in rows]
        odd_rows[0][0] = odd
        yield odd_rows
    yield rows[:-1]
    yield [*rows, [0]]
    yield [rows[0][:-1], *rows[1:]]
    yield [rows[0] + [0], *rows[1:]]


def test_evaluator_fast_path_agrees_with_the_general_reading() -> None:
    rng = np.random.default_rng(11)
    insts = [_load("ft06"), jobshop(8, 4, seed=1, max_release=30, low=0, high=9)]
    for _ in range(60):
        n, machines = int(rng.integers(1, 7)), int(rng.integers(1, 4))
        routes = [[(int(rng.integers(0, machines)), int(rng.integers(0, 5)))
                   for _ in range(int(rng.integers(1, 5)))] for _ in range(n)]
        insts.append(JobShop.from_routes(routes, machines=machines,
                                         release=rng.integers(0, 4, n)))
    for inst in insts:
        for rule in ("spt", "mwkr"):
            base = sk.heuristics.jobshop.dispatch(inst, rule, "active")["start"]
            for rows in _variants(rng, inst, base):
                as_tuples = [tuple(r) if isinstance(r, list) else r for r in rows]
                assert _verdict(inst, rows) == _verdict(inst, as_tuples), rows


@pytest.mark.parametrize(("big", "machines"), [(2**51, 4096), (2**35, 2), (2**10, 2)])
def test_evaluator_overlap_check_with_huge_times(big: int, machines: int) -> None:
    # Sort keys machine·span + time of int32 (small times), int64 (2**35), or none at all
    # (near 2**53 on 4096 machines they would overflow int64: sorted by machine, then start).
    last = machines - 1
    inst = JobShop.from_routes([[(last, 1), (0, 1)], [(last, 1), (0, 1)]], machines=machines,
                               release=[big, big])
    ok = [[big, big + 1], [big + 1, big + 2]]
    clash = [[big, big + 1], [big, big + 2]]
    assert _verdict(inst, ok) == _verdict(inst, [tuple(r) for r in ok]) == (big + 3.0, [])
    got = _verdict(inst, clash)
    assert got == _verdict(inst, [tuple(r) for r in clash]) and got[0] is None
    assert any(v.startswith("overlap") for v in got[1])


def test_solve_result_unchanged_fields() -> None:
    res = sk.solve("ft06", "dispatch", options={"rule": "spt", "mode": "nondelay"})
    assert res.status == "feasible" and res.verified and res.objective == 88
    assert res.solution is not None
    assert all(type(x) is int for row in res.solution["start"] for x in row)
    json.loads(res.to_json())
