"""Successive sublimation dynamic programming (SSDP) for one machine without release dates:
wrapper over :mod:`.ssdp_kernels`.

After Tanaka, Fujikuma & Araki, "An exact algorithm for single-machine scheduling without
machine idle time", J. Scheduling 12:575–593, 2009 (and Tanaka & Fujikuma, J. Scheduling 15,
2012). The relaxations are Lagrangian relaxations of the job-occurrence constraints of the
time-indexed model, solved by dynamic programming over "job j completes at t":

* stage 1: 2-cycle elimination, then adjacent pairwise interchange dominance, multipliers
  raised by subgradient ascent;
* stage 2: constraints on three successive jobs (no job back within three, no window of two or
  three successive jobs beaten by another order of them), the state an edge "i then k",
  multipliers raised again;
* stage 3: the occurrence constraints of a growing set M of jobs (those the relaxed optimum
  repeats or leaves out) in the state, the multipliers re-optimised by subgradient ascent at
  every |M| (starting again from stage 1's multipliers, not stage 2's), until the relaxed
  optimum is a schedule (then optimal) or no state can reach a value below the incumbent (then
  the incumbent is optimal).

Throughout, nodes, edges and stage-3 states no pseudo-schedule below the incumbent passes
through (forward + backward cost) are eliminated for good: no schedule better than the
incumbent uses them, whatever the multipliers, so every later relaxation is one of "a schedule
better than the incumbent" and its value, capped by the incumbent, a valid bound; the stage-3
states of a larger M are only the refinements of the states that survived (successive
sublimation). The stage-3 state holds the last job only; each state keeps its two cheapest
predecessors with distinct last jobs, so the three-job rules apply in stage 3 as well (a move
the best predecessor may not make takes the second: a lower bound, not stage 2 exactly), and
the stage-2 backward costs prune its moves.

A ``finish`` search (the adapter passes CP-SAT on the model with each job's completion times
restricted to the nodes left, :func:`schedkit.formulations.single_machine.cpsat.build`) may
take a share of the time after stages 1 and 2 and when stage 3 stops at a cap: every schedule
better than the incumbent completes each job at a node left, so proving that no such schedule
exists proves the incumbent optimal. On the low-tardiness instances, where the Lagrangian bound
stays far below the optimum, this is what proves them (benchmarks/single_machine.md, eighth
session).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...instances import SingleMachine
from ...instances.single_machine.bounds import _interchange_descent
from . import ssdp_kernels as K
from .objective_kernels import sequence_objective

__all__ = ["ssdp_search", "key_room", "Finish", "SSDP_ITERATIONS", "SSDP_MAX_STATES",
           "SSDP_MAX_M", "SSDP_STAGE3_ITERATIONS", "SSDP_FINISH_SHARE"]

#: ``finish(alive, upper, lower, seconds) -> (sequence or None, bound, complete)``: search
#: within ``seconds`` the schedules of value < ``upper`` that complete every job j at a time t
#: with ``alive[j, t]`` (``lower``: a valid lower bound on them). Returns the best such schedule
#: found (or None), a lower bound on the value of every such schedule, and whether the search
#: was complete (the schedule returned is the best of them, or there is none).
Finish = Callable[[np.ndarray, float, float, float], tuple[np.ndarray | None, float, bool]]

#: Default shares of the time left that ``finish`` takes after stage 1, after stage 2 and when
#: stage 3 stops at a cap (a proof by CP-SAT on the nodes left takes under a second where it
#: comes at all on wt100; see benchmarks/single_machine.md, eighth session).
SSDP_FINISH_SHARE = (0.1, 0.15, 0.5)

#: Seconds of each ``finish`` call when the run has no deadline.
_FINISH_SECONDS = 10.0

#: Default of the most subgradient steps on the stage-1 2-cycle relaxation (a fifth as many
#: follow on the one with dominance). More over-fit λ to the 2-cycle relaxation: on wt100-9,
#: 5000 (3178 run) gave 40936 with dominance after 15 s, 1000 gave 40943 after 6 s.
SSDP_ITERATIONS = 1000

#: Default cap on the stage-3 states held at once (5 arrays of 8 bytes each).
SSDP_MAX_STATES = 8_000_000

#: Default cap on |M|; the run caps it further at :func:`key_room` (the mask of a state shares
#: one int64 key with the job index).
SSDP_MAX_M = 62

#: Default of the most subgradient steps on the stage-3 relaxation per |M| (5 proves the
#: stage-3 instances faster but spends M faster; see benchmarks/single_machine.md).
SSDP_STAGE3_ITERATIONS = 30

#: Time steps of the stage-3 DP between two looks at the clock.
_CHUNK = 16

_INF = 1e300
_INF_HALF = 1e299


def key_room(n: int) -> int:
    """The largest |M| whose stage-3 keys ``mask·(n + 1) + job + 1`` fit an int64 for n jobs
    (56 at n = 100): the largest key is 2^|M|·(n + 1)."""
    return (((1 << 63) - 1) // (n + 1)).bit_length() - 1


def _ceil(x: float) -> float:
    """The least integer ≥ x, less a float tolerance (every schedule's value is an integer)."""
    return float(math.ceil(x - 1e-6 - 1e-9 * abs(x)))


#: The objective code of ΣwjTj in the objective kernels (ssdp's arrays fold ΣTj and ΣwjCj into it).
_TWT = SingleMachine.objectives.index("total_weighted_tardiness")


def state_path(job: np.ndarray, pred: np.ndarray, pred2: np.ndarray, i: int) -> list[int]:
    """The jobs of the cheapest chain of the stage-3 pool (:func:`ssdp_kernels.extend`) that
    ends in state i, first to last (``pred``/``pred2``: 2·index + which of the two costs of
    the predecessor the move extended)."""
    path, slot = [], 0
    while i > 0:
        path.append(int(job[i]))
        link = int(pred[i] if slot == 0 else pred2[i])
        i, slot = link >> 1, link & 1
    path.reverse()
    return path


def _value(p: np.ndarray, d: np.ndarray, w: np.ndarray, seq: np.ndarray) -> float:
    """ΣwjTj of ``seq`` from time 0, by the objective kernel every single-machine method uses."""
    return float(sequence_objective(p, d, w, np.zeros(p.shape[0], dtype=np.int64), _TWT,
                                    np.ascontiguousarray(seq, dtype=np.int64)))


def _ascent(relax: Callable[[np.ndarray], tuple[float, np.ndarray]], lam: np.ndarray,
            upper: float, iterations: int, patience: int, out_of_time: Callable[[], bool],
            theta: float = 1.0, window: int = 0,
            ) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Subgradient ascent on L(λ) = relax(λ) + Σλ with Polyak's step θ·(upper − L)/‖g‖²
    (θ from ``theta``, halved after ``patience`` steps without progress; g_j = 1 − count_j):
    ``(best λ, best L, the job counts at the best λ, iterations run)``. With ``window`` > 0
    the ascent also stops when the best L rose by less than half a unit over the last
    ``window`` steps (objectives are integers: it would take too long to close a unit)."""
    best, best_lam = -math.inf, lam.copy()
    best_count = np.zeros(lam.shape[0], dtype=np.int64)
    stall, done = 0, 0
    lam = lam.copy()
    history: list[float] = []
    for it in range(iterations):
        if out_of_time():
            break
        if window and it >= window and best - history[it - window] < 0.5:
            break
        done = it + 1
        reduced, count = relax(lam)
        bound = reduced + float(lam.sum())
        if bound > best + 1e-9 * max(1.0, abs(bound)):
            best, stall = bound, 0
            best_lam[:] = lam
            best_count[:] = count
        else:
            stall += 1
            if stall >= patience:
                theta, stall = 0.5 * theta, 0
        history.append(best)
        sub = 1 - count
        norm = float(np.dot(sub, sub))
        if norm == 0.0 or best > upper - 1.0 + 1e-6 or theta < 1e-4:
            break
        lam += theta * max(upper - bound, 1.0) / norm * sub
    return best_lam, best, best_count, done


def _heuristic(p: np.ndarray, d: np.ndarray, w: np.ndarray, path: list[int],
               horizon: int) -> tuple[np.ndarray, float]:
    """The Lagrangian heuristic: the jobs of a pseudo-schedule in the order they first
    complete, the missing ones behind them by due date, improved by adjacent interchanges."""
    n = p.shape[0]
    first = np.full(n, -1, dtype=np.int64)
    t = 0
    for j in path:
        t += int(p[j])
        if first[j] < 0:
            first[j] = t
    key = np.where(first >= 0, first, horizon + d).astype(np.float64)
    order = np.argsort(key, kind="mergesort").astype(np.int64)
    _interchange_descent(p, d, w.astype(np.float64), np.zeros(n, dtype=np.int64), order)
    return order, _value(p, d, w, order)


def ssdp_search(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, upper_seq: np.ndarray, *,
    deadline: float | None = None, interrupt: Callable[[], bool] | None = None,
    iterations: int = SSDP_ITERATIONS, patience: int = 60, max_states: int = SSDP_MAX_STATES,
    max_m: int = SSDP_MAX_M, add: int = 2, stage1_share: float = 0.6,
    stage3_iterations: int = SSDP_STAGE3_ITERATIONS, stage3_patience: int = 4,
    stage3_step: float = 0.1,
    prune_every: int = 5, stage2: bool = True, stage2_share: float = 0.7,
    stage2_iterations: int = 2000, stage2_step: float = 2.0, stage2_window: int = 60,
    max_edges: int = 16_000_000, finish: Finish | None = None,
    finish_share: tuple[float, float, float] = SSDP_FINISH_SHARE,
) -> tuple[np.ndarray, float, float, bool, dict[str, Any]]:
    """Minimise Σ w_j·max(0, C_j − d_j) on one machine without release dates by SSDP.

    Parameters
    ----------
    p, d, w
        int64 (n,) processing times (all > 0), due dates and weights (ΣwjCj: d = 0).
    upper_seq
        A schedule (the incumbent; SSDP searches for a strictly better one).
    deadline
        ``time.perf_counter()`` reading at which to stop with the bound reached.
    interrupt
        Asked between chunks; true stops the search.
    iterations
        Most subgradient iterations of stage 1 on the 2-cycle relaxation (a fifth as many
        follow on the one with dominance).
    patience
        Subgradient steps without progress after which the step size is halved.
    max_states, max_m
        Caps on the stage-3 states and on |M| (``max_m`` is capped at :func:`key_room`).
    stage1_share
        Most share of the time left that the ascent on the dominance relaxation may take.
    add
        Jobs added to M per stage-3 round (those the relaxed optimum repeats or misses, the
        most repeated first); more while the state space stays small.
    stage3_iterations, stage3_patience
        Most subgradient steps on the relaxation with M per round, and the steps without
        progress after which the round ends.
    prune_every
        Stage-1/2 steps between two node eliminations (a backward pass each).
    stage2, stage2_share, stage2_iterations, stage2_step, stage2_window, max_edges
        Whether to run stage 2 (three successive jobs), the most share of the time left its
        ascent may take, its most subgradient steps, first step factor θ and the steps over
        which it must rise by half a unit to go on, and the most table entries
        (nodes × (n + 1)) it may use. When stage 3 stops at a cap with time left, the
        stage-2 ascent resumes until the deadline.
    finish, finish_share
        A complete search over the nodes left (:data:`Finish`; ``None``: none) and the shares
        of the time left it may take after stage 1, after stage 2 and when stage 3 stops at a
        cap (10 s each without a deadline).

    Returns
    -------
    sequence, value, bound, proved, stats
        The best schedule and its value, a lower bound, whether the bound proves the value
        optimal, and the counts of each stage.
    """
    t0 = time.perf_counter()
    n = p.shape[0]
    max_m = min(max_m, key_room(n))
    horizon = int(p.sum())
    seq = np.ascontiguousarray(upper_seq, dtype=np.int64).copy()
    upper = _value(p, d, w, seq)
    stats: dict[str, Any] = {"horizon": horizon, "upper_start": upper}

    def backward2(x: np.ndarray) -> np.ndarray:
        return K.backward2(p, c, x, alive, ids, in_ptr, in_src, ealive, out_ptr, out_edge,
                           out_job)

    def out_of_time() -> bool:
        return ((deadline is not None and time.perf_counter() >= deadline)
                or (interrupt is not None and interrupt()))

    c = K.cost_table(p, d, w, horizon)
    wf = w.astype(np.float64)
    # nodes (j, t) = "j completes at t" that a schedule better than the incumbent may use
    alive = np.zeros((n, horizon + 1), dtype=np.bool_)
    for j in range(n):
        alive[j, p[j]:] = True

    def target_of(x: np.ndarray) -> float:
        return upper - 1.0 - float(x.sum()) + 1e-6

    stats.update(finish_calls=0, finish_s=0.0)
    lower = 0.0

    def finished(share: float) -> bool:
        """Run ``finish`` on the nodes left for ``share`` of the time left: whether the
        incumbent (``seq``, ``upper``, perhaps improved by it) is now proved optimal."""
        nonlocal seq, upper, lower
        if finish is None or share <= 0.0 or out_of_time():
            return False
        seconds = _FINISH_SECONDS if deadline is None else share * max(
            0.0, deadline - time.perf_counter())
        t = time.perf_counter()
        found, bound, complete = finish(alive, upper, lower, seconds)
        stats["finish_calls"] += 1
        stats["finish_s"] = round(stats["finish_s"] + time.perf_counter() - t, 4)
        if found is not None:
            found = np.ascontiguousarray(found, dtype=np.int64)
            value = _value(p, d, w, found)
            if value < upper and np.array_equal(np.sort(found), np.arange(n)):
                seq, upper = found.copy(), value
            else:  # not a schedule below the incumbent, as promised: trust none of it
                stats["finish_rejected"] = stats.get("finish_rejected", 0) + 1
                return False
        if complete:
            lower = upper
        else:
            lower = max(lower, _ceil(min(bound, upper)))
        return lower >= upper

    # stage 1: multipliers from each job's own cost in the incumbent, raised first on the cheap
    # 2-cycle relaxation, then on the one with adjacent-interchange dominance
    comp = np.empty(n, dtype=np.int64)
    comp[seq] = np.cumsum(p[seq])
    lam = (w * np.maximum(0, comp - d)).astype(np.float64)

    def cheap(x: np.ndarray) -> tuple[float, np.ndarray]:
        return K.two_cycle(p, d, wf, x, horizon)

    calls = [0]

    def strong(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, count, f = K.forward(p, c, x, horizon, alive)
        calls[0] += 1
        if calls[0] % prune_every == 0 and value < _INF_HALF:
            K.prune(f, K.backward(p, c, x, horizon, alive), alive, target_of(x))
        return value, count

    lam, best, counts, its = _ascent(cheap, lam, upper, iterations, patience, out_of_time)
    stats["stage1_cheap_s"] = round(time.perf_counter() - t0, 4)
    # the dominance relaxation costs about n log n · T per step: at most ``stage1_share`` of
    # the time left goes to its ascent, the rest to stage 3
    stage1_end = None if deadline is None else (
        time.perf_counter() + stage1_share * max(0.0, deadline - time.perf_counter()))

    def stage1_over() -> bool:
        return out_of_time() or (stage1_end is not None and time.perf_counter() >= stage1_end)

    lam, best2, counts, its2 = _ascent(strong, lam, upper, max(1, iterations // 5),
                                       max(5, patience // 4), stage1_over)
    best = max(best, best2)
    lower = max(0.0, _ceil(best))
    lam1 = lam  # _ascent returns a fresh array and never writes into the one it is given
    stats.update(stage1_iterations=its, stage1_dominance_iterations=its2, stage1_bound=lower,
                 stage1_s=round(time.perf_counter() - t0, 4), rounds=0, m_size=0, states=0,
                 max_states_seen=0, stage3_iterations=0, stage2_iterations=0)
    if lower >= upper:
        stats["proved_by"] = "stage 1"
        return seq, upper, upper, True, stats
    if out_of_time():  # the backward tables cost about one dominance step: skip them
        stats["stopped"] = "time"
        stats["total_s"] = round(time.perf_counter() - t0, 4)
        return seq, upper, lower, False, stats
    value, _, f = K.forward(p, c, lam, horizon, alive)
    if value < _INF_HALF:
        K.prune(f, K.backward(p, c, lam, horizon, alive), alive, target_of(lam))
    del f
    if finished(finish_share[0]):
        stats["proved_by"] = "cp-sat on stage 1's nodes"
        stats["total_s"] = round(time.perf_counter() - t0, 4)
        return seq, upper, upper, True, stats
    # stage 2: three successive jobs (edges i → k at t on the nodes left), when the tables fit
    ids, count_nodes = K.node_ids(alive)
    stats["stage1_nodes"] = int(count_nodes)
    use2 = stage2 and count_nodes * (n + 1) <= max_edges
    empty2 = np.zeros(0)
    in_ptr = in_src = out_ptr = out_edge = out_job = np.zeros(0, dtype=np.int64)
    eid = np.zeros((0, n + 1), dtype=np.int32)
    ealive = np.zeros(0, dtype=np.bool_)
    if use2:
        in_ptr, in_src, eid, out_ptr, out_edge, out_job = K.edges(p, c, alive, ids, count_nodes)
        ealive = np.ones(in_src.shape[0], dtype=np.bool_)
        stats["stage2_edges"] = int(in_src.shape[0])
        calls2 = [0]

        def relax2(x: np.ndarray) -> tuple[float, np.ndarray]:
            value, count, f2 = K.forward2(p, c, x, alive, ids, in_ptr, in_src, ealive)
            calls2[0] += 1
            if calls2[0] % prune_every == 1 and value < _INF_HALF:
                K.prune2(f2, backward2(x), alive, ids, in_ptr, ealive, target_of(x))
            return value, count

        stage2_end = None if deadline is None else (
            time.perf_counter() + stage2_share * max(0.0, deadline - time.perf_counter()))

        def stage2_over() -> bool:
            return out_of_time() or (stage2_end is not None
                                     and time.perf_counter() >= stage2_end)

        lam, best3, counts2, its3 = _ascent(relax2, lam, upper, stage2_iterations,
                                            max(5, patience // 4), stage2_over, stage2_step,
                                            stage2_window)
        # stage 3 starts again from the stage-1 multipliers (stage 2's eliminations stay): from
        # stage 2's optimum its ascent crawls (wt100-12: 234177.82 with 11 jobs in M after
        # 60 s), from stage 1's it climbs past it (proved with 7 jobs in M in 6.6 s); see
        # benchmarks/single_machine.md, sixth session
        lam2, lam = lam, lam1
        if best3 > -math.inf:
            counts = counts2
        lower = max(lower, _ceil(best3))
        stats.update(stage2_iterations=its3, stage2_bound=lower,
                     stage2_s=round(time.perf_counter() - t0, 4))
        if lower >= upper:
            stats["proved_by"] = "stage 2"
            return seq, upper, upper, True, stats
        if finished(finish_share[1]):
            stats["proved_by"] = "cp-sat on stage 2's nodes"
            stats["total_s"] = round(time.perf_counter() - t0, 4)
            return seq, upper, upper, True, stats
    pos = np.full(n, -1, dtype=np.int64)
    members: list[int] = []
    violated = [int(j) for j in np.argsort(-np.abs(counts - 1), kind="stable")
                if counts[j] != 1]

    def relax_m(x: np.ndarray) -> tuple[int, float, list[int], int]:
        """The relaxation with the occurrence constraints of M at multipliers x, nodes
        eliminated first: ``(status, reduced cost, pseudo-schedule, states)``; status 0: an
        optimum (cost 1e300 and no path: none below the incumbent), 1: state cap, 2: time."""
        g2 = empty2
        if use2:
            g2 = backward2(x)
            value, _, f2 = K.forward2(p, c, x, alive, ids, in_ptr, in_src, ealive)
            if value >= _INF_HALF:
                return 0, _INF, [], 0
            bound_box[0] = value
            K.prune2(f2, g2, alive, ids, in_ptr, ealive, target_of(x))
            del f2
        g = K.backward(p, c, x, horizon, alive)
        value, _, f = K.forward(p, c, x, horizon, alive)
        if value >= _INF_HALF:
            return 0, _INF, [], 0
        bound_box[0] = max(bound_box[0], value)
        K.prune(f, g, alive, target_of(x))
        g[~alive] = _INF
        m_proc = np.ascontiguousarray(p[members], dtype=np.int64)
        target = target_of(x)
        start = np.zeros(horizon + 2, dtype=np.int64)
        cap = min(max_states, 1 << 16)
        job = np.full(cap, K.NO_JOB, dtype=np.int64)
        mask = np.zeros(cap, dtype=np.int64)
        val = np.zeros(cap)
        pred = np.full(cap, -1, dtype=np.int64)
        val2 = np.full(cap, _INF)
        pred2 = np.full(cap, -1, dtype=np.int64)
        start[1] = 1
        size, status, t = 1, 0, 1
        while t <= horizon:
            if out_of_time():
                return 2, 0.0, [], int(size)
            t_to = min(horizon + 1, t + _CHUNK)
            job, mask, val, pred, val2, pred2, size, status = K.extend(
                p, c, x, g, pos, m_proc, target, t, t_to, start, job, mask, val,
                pred, val2, pred2, size, max_states, ref[0], ref[1], ref[2], ids, eid, g2)
            if status:
                return 1, 0.0, [], int(size)
            t = t_to
        full = (1 << len(members)) - 1
        at_end = [i for i in range(start[horizon], start[horizon + 1]) if mask[i] == full]
        if not at_end:
            return 0, _INF, [], int(size)
        # backward costs over the states, then only the states a pseudo-schedule below the
        # incumbent passes through are kept for the next DPs (successive sublimation)
        b = np.full(size, _INF)
        s_at = horizon
        while s_at >= 0:
            if out_of_time():
                return 2, 0.0, [], int(size)
            s_to = max(-1, s_at - 4 * _CHUNK)
            K.backward_states(p, c, x, alive, pos, full, start, job, mask, b, s_at, s_to)
            s_at = s_to
        ref_start, ref_key, kept = K.survivors(start, job, mask, val, b, target, alive)
        ref[:] = [ref_start, ref_key, full]
        stats["survivors"] = int(kept)
        i = min(at_end, key=lambda q: val[q])
        return 0, float(val[i]), state_path(job, pred, pred2, i), int(size)

    per_round, added, prev_states, growth = add, 0, 0, 2.0
    ref: list[Any] = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0]
    bound_box = [-_INF]
    trace: list[tuple[Any, ...]] = []  # (|M|, status, bound, states, nodes, kept)
    stats["stage3_trace"] = trace
    while True:
        if out_of_time():
            stats["stopped"] = "time"
            break
        grown = False
        for j in violated[:per_round]:
            if pos[j] < 0 and len(members) < max_m:
                pos[j] = len(members)
                members.append(int(j))
                grown = True
                added += 1
        if not grown and stats["rounds"] > 0:
            stats["stopped"] = "max_m"
            break
        stats["rounds"] += 1
        stats["m_size"] = len(members)
        # subgradient ascent on the relaxation with M (the multipliers re-optimised at every
        # |M|, as in Tanaka et al. 2009's stage 3); any λ gives a valid bound
        best_m, best_lam, best_path = -math.inf, lam.copy(), None
        theta, stall, status, round_states = stage3_step, 0, 0, 0
        for _ in range(stage3_iterations):
            bound_box[0] = -_INF
            status, reduced, path, size = relax_m(lam)
            if bound_box[0] > -_INF:  # the stage-1/2 relaxation at this λ bounds too
                lower = max(lower, _ceil(bound_box[0] + float(lam.sum())))
            stats["stage3_iterations"] += 1
            stats["states"] += size
            stats["max_states_seen"] = max(stats["max_states_seen"], size)
            round_states = max(round_states, size)
            if len(trace) < 40:
                trace.append((len(members), status, round(reduced + float(lam.sum()), 2), size,
                              int(alive.sum()), stats.get("survivors", 0)))
            if status:
                break
            if reduced >= _INF_HALF:  # no pseudo-schedule below the incumbent
                lower = upper
                break
            bound = reduced + float(lam.sum())
            lower = max(lower, _ceil(bound))
            seen = np.bincount(np.asarray(path, dtype=np.int64), minlength=n)
            if np.all(seen == 1):  # a schedule, of value ``bound``: the relaxed optimum
                cand = np.asarray(path, dtype=np.int64)
                value = _value(p, d, w, cand)
                if value < upper:
                    seq, upper = cand, value
                if value <= bound + 1e-6 * max(1.0, abs(value)):  # the path is the optimum
                    lower = upper
                    break
            cand, value = _heuristic(p, d, w, path, horizon)
            if value < upper:
                seq, upper = cand, value
            if lower >= upper:
                break
            if bound > best_m + 1e-9 * max(1.0, abs(bound)):
                best_m, stall = bound, 0
                best_lam[:] = lam
                best_path = seen
            else:
                stall += 1
                if stall >= stage3_patience:
                    break
                theta *= 0.5
            sub = (1 - seen).astype(np.float64)
            norm = float(np.dot(sub, sub))
            lam = lam + theta * max(upper - bound, 1.0) / norm * sub
        if lower >= upper:
            stats["proved_by"] = "stage 3"
            break
        if status == 2:
            stats["stopped"] = "time"
            break
        if status == 1 and best_path is None:
            stats["stopped"] = "states"
            break
        lam = best_lam
        if best_path is None:
            break
        # jobs for the next round: as many as keep the states (growing by ``growth`` a job,
        # as measured) under a quarter of the cap
        if prev_states and added:
            growth = max(1.2, (round_states / prev_states) ** (1.0 / added))
        prev_states, added = max(round_states, 1), 0
        room = math.log(max(1.0, max_states / 4 / prev_states)) / math.log(growth)
        per_round = int(max(1, min(8, room)))
        order = np.argsort(-np.abs(best_path - 1), kind="stable")
        violated = [int(j) for j in order if best_path[j] != 1 and pos[j] < 0]
        if not violated or len(members) >= max_m:
            stats["stopped"] = "max_m"
            break
    capped = stats.get("stopped") not in ("time", None)  # stage 3 hit a cap with time left
    if capped and lower < upper and finished(finish_share[2]):
        stats["proved_by"] = "cp-sat on stage 3's nodes"
    if use2 and capped and lower < upper:
        # stage 3 hit a cap (states or |M|): the time left goes back to the stage-2 ascent
        _, best3, _, its3 = _ascent(relax2, lam2, upper, stage2_iterations,
                                    max(5, patience // 4), out_of_time, 0.5 * stage2_step)
        lower = max(lower, _ceil(best3))
        stats["stage2_resumed_iterations"] = its3
        if lower >= upper:
            stats["proved_by"] = "stage 2 (resumed)"
    stats["total_s"] = round(time.perf_counter() - t0, 4)
    return seq, upper, min(lower, upper), lower >= upper, stats
