"""Robustness of DAG schedules: re-execute a schedule under perturbed run times.

A schedule fixes two decisions: which processor runs each task, and in which order each
processor runs its tasks. :func:`replay` keeps both and lets every task start as soon as its
processor has finished the previous task of that order and the data of all its predecessors
have arrived (communication as in ``DESIGN.md`` §3); :func:`robustness` does that for many
random draws of the run times and reports the distribution of the realised makespan against
the planned one. This is the re-execution model of robustness studies of static DAG schedules
(e.g. L.-C. Canon and E. Jeannot, "Evaluation and optimization of the robustness of DAG
schedules in heterogeneous environments", IEEE TPDS 21(4):532-546, 2010).

Pure numpy; imports only :mod:`schedkit.instances`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import Instance
from ..errors import InputError
from ..evaluate import check, objective
from .model import DAG

__all__ = ["NOISE_KINDS", "Robustness", "parse_noise", "noise_factors", "replay", "robustness"]

#: Noise models of :func:`robustness`, as ``"kind:parameter"``.
NOISE_KINDS = ("lognormal", "uniform", "none")

# Samples replayed at once: bounds the (tasks x samples) work arrays to ~8e6 floats.
_CHUNK_CELLS = 8_000_000


def parse_noise(noise: str) -> tuple[str, float]:
    """``"lognormal:0.2"`` → ``("lognormal", 0.2)``; ``"none"`` → ``("none", 0.0)``.

    ``lognormal:s``
        multiplicative factor exp(s·Z − s²/2), Z standard normal: mean 1, log-standard
        deviation s >= 0 (run times vary by about s·100 % at small s);
    ``uniform:x``
        multiplicative factor uniform on [1 − x, 1 + x], 0 <= x <= 1 (±x·100 %);
    ``none``
        no perturbation (the replay of the plan).
    """
    if not isinstance(noise, str):
        raise InputError(f"must be a string such as 'lognormal:0.2', got {noise!r}",
                         field="noise")
    kind, _, param = noise.strip().lower().partition(":")
    if kind not in NOISE_KINDS:
        raise InputError(f"unknown noise {kind!r} (choose from {', '.join(NOISE_KINDS)}, "
                         "e.g. 'lognormal:0.2' or 'uniform:0.1')", field="noise")
    if kind == "none":
        if param:
            raise InputError("'none' takes no parameter", field="noise")
        return kind, 0.0
    try:
        value = float(param)
    except ValueError:
        raise InputError(f"{kind} needs a number after ':', got {param!r} "
                         f"(e.g. '{kind}:0.2')", field="noise") from None
    if not math.isfinite(value) or value < 0 or (kind == "uniform" and value > 1):
        limit = "between 0 and 1" if kind == "uniform" else ">= 0"
        raise InputError(f"{kind} parameter must be {limit}, got {value:g}", field="noise")
    return kind, value


def noise_factors(noise: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Multiplicative run-time factors of the ``noise`` model (:func:`parse_noise`)."""
    kind, s = parse_noise(noise)
    if kind == "lognormal":
        return np.exp(s * rng.standard_normal(shape) - 0.5 * s * s)
    if kind == "uniform":
        return rng.uniform(1.0 - s, 1.0 + s, size=shape)
    return np.ones(shape)


def _solution_of(result_or_solution: Any) -> Mapping[str, Any]:
    """The solution dict of a Result, a result record or a bare solution."""
    sol = getattr(result_or_solution, "solution", result_or_solution)
    if isinstance(sol, Mapping) and "solution" in sol and "processor" not in sol:
        sol = sol["solution"]
    if not isinstance(sol, Mapping):
        raise InputError("expected a result with a solution or a solution "
                         "{'processor': [...], 'start': [...]}", field="solution")
    return sol


@dataclass(frozen=True)
class _Plan:
    """A feasible DAG solution as replay needs it: an execution order and processor chains."""

    proc: np.ndarray  # (n,) processor of each task
    order: np.ndarray  # (n,) tasks in an order consistent with precedence and processor order
    chain_prev: np.ndarray  # (n,) previous task of the processor order, -1 for none
    pred_ptr: np.ndarray
    pred_src: np.ndarray  # predecessors grouped by task
    pred_edge: np.ndarray  # edge index of each of them
    comm: np.ndarray  # (E,) planned communication time of each edge under this assignment
    planned_dur: np.ndarray  # (n,) planned run time of each task


def _plan(instance: DAG, solution: Mapping[str, Any], verify: bool = True) -> _Plan:
    n = instance.n_tasks
    if verify:
        violations = check(instance, solution)
        if violations:
            raise InputError(f"infeasible solution: {violations[0]}", field="solution")
    try:
        proc = np.asarray(solution["processor"], dtype=np.int64).reshape(n)
        start = np.asarray(solution["start"], dtype=np.float64).reshape(n)
    except (KeyError, TypeError, ValueError):
        raise InputError(f"needs 'processor' and 'start' lists of {n} numbers",
                         field="solution") from None
    if ((proc < 0) | (proc >= instance.processors)).any() or not np.isfinite(start).all():
        raise InputError("has a processor out of range or a start time that is not finite",
                         field="solution")
    dur = instance.cost[np.arange(n), proc]
    edges = instance.edges.reshape(-1, 2)
    u, v = edges[:, 0], edges[:, 1]
    by_v = np.argsort(v, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(v, minlength=n), out=ptr[1:])
    # Order by start, ties in topological order. The evaluator tolerates 1e-9 relative, so a
    # successor of a (nearly) zero-length task may start a hair earlier; lifting each start to
    # its predecessors' keeps the order consistent with precedence.
    topo = instance.topological_order()
    key = start.copy()
    for t in topo.tolist():
        for k in range(int(ptr[t]), int(ptr[t + 1])):
            key[t] = max(key[t], key[u[by_v[k]]])
    rank = np.empty(n, dtype=np.int64)
    rank[topo] = np.arange(n)
    order = np.lexsort((rank, key))
    # A task of zero planned length holds no processor (the evaluator never counts it as an
    # overlap), so it is not part of its processor's chain.
    chain_prev = np.full(n, -1, dtype=np.int64)
    last = np.full(instance.processors, -1, dtype=np.int64)
    for t in order.tolist():
        if dur[t] > 0:
            chain_prev[t] = last[proc[t]]
            last[proc[t]] = t
    bw = instance.bandwidth_matrix()
    lat = instance.latency_vector()
    pu, pv = proc[u], proc[v]
    same = pu == pv
    comm = np.where(same, 0.0, lat[pu] + instance.edge_data / np.where(same, 1.0, bw[pu, pv]))
    return _Plan(proc, order, chain_prev, ptr, u[by_v], by_v, comm, dur)


def _replay(plan: _Plan, dur: np.ndarray, comm: np.ndarray) -> np.ndarray:
    """Start times (n, S) for run times ``dur`` (n, S) and edge times ``comm`` (E, S)."""
    n, samples = dur.shape
    start = np.zeros((n, samples))
    finish = np.zeros((n, samples))
    for t in plan.order.tolist():
        a, b = int(plan.pred_ptr[t]), int(plan.pred_ptr[t + 1])
        prev = int(plan.chain_prev[t])
        ready = finish[prev].copy() if prev >= 0 else np.zeros(samples)
        if b > a:
            # Same expression as the evaluator: finish of the predecessor + its edge's time.
            arrive = finish[plan.pred_src[a:b]] + comm[plan.pred_edge[a:b]]
            np.maximum(ready, arrive.max(axis=0), out=ready)
        start[t] = ready
        finish[t] = ready + dur[t]
    return start


def replay(instance: DAG, solution: Any, *, durations: np.ndarray | None = None,
           comm: np.ndarray | None = None, verify: bool = True) -> np.ndarray:
    """Earliest start times of a schedule's decisions, re-executed.

    Keeps the processor of every task and the order of the tasks on each processor (by planned
    start); a task starts when its processor's previous task has finished and the data of its
    predecessors have arrived. A task of zero planned run time holds no processor.

    Parameters
    ----------
    instance
        The DAG instance.
    solution
        A feasible solution ``{"processor", "start"}``, or a result carrying one.
    durations
        Run times (n,) or (S, n) for S scenarios; default: the planned ones, ``cost[t, p_t]``.
    comm
        Communication times of the edges (E,) or (S, E); default: the instance's for this
        assignment (0 on one processor).
    verify
        Check that the solution is feasible first (default). Exact methods replay the
        schedules of their rounded models with ``verify=False``: only the processors and the
        order of the start times are used then, and the replay is feasible by construction.

    Returns
    -------
    numpy.ndarray
        Start times, (n,) or (S, n) as ``durations``. Without ``durations`` and ``comm`` this
        is the plan shifted left: no task starts later than planned, and the makespan is at
        most the planned one.
    """
    if not isinstance(instance, DAG):
        raise InputError(f"replay needs a dag instance, got {instance.problem}",
                         field="problem")
    plan = _plan(instance, _solution_of(solution), verify)
    n, e = instance.n_tasks, plan.comm.shape[0]
    d = plan.planned_dur if durations is None else np.asarray(durations, dtype=np.float64)
    c = plan.comm if comm is None else np.asarray(comm, dtype=np.float64)
    batched = d.ndim == 2 or c.ndim == 2
    samples = d.shape[0] if d.ndim == 2 else (c.shape[0] if c.ndim == 2 else 1)
    d2 = np.broadcast_to(d.reshape(-1, n) if d.ndim == 2 else d[None, :], (samples, n))
    c2 = np.broadcast_to(c.reshape(-1, e) if c.ndim == 2 else c[None, :], (samples, e))
    out = _replay(plan, np.ascontiguousarray(d2.T), np.ascontiguousarray(c2.T)).T
    return out if batched else out[0]


@dataclass(frozen=True)
class Robustness:
    """Distribution of the realised makespan of a schedule under run-time noise.

    Attributes
    ----------
    instance, noise, seed
        What was replayed, under which noise model (:func:`parse_noise`) and seed.
    planned
        The schedule's own makespan (the evaluator's objective).
    nominal
        The makespan of the replay without noise (<= planned: the plan shifted left).
    mean, std, median, p95, worst
        Statistics of the realised makespans (p95: numpy's linear-interpolation percentile;
        worst: the maximum over the samples).
    samples
        float64 (samples,): every realised makespan, in draw order.
    """

    instance: str
    noise: str
    seed: int
    planned: float
    nominal: float
    mean: float
    std: float
    median: float
    p95: float
    worst: float
    samples: np.ndarray

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[0])

    def to_dict(self, *, with_samples: bool = False) -> dict[str, Any]:
        """JSON-ready statistics (and every sample if asked)."""
        out: dict[str, Any] = {
            "instance": self.instance, "noise": self.noise, "seed": self.seed,
            "n_samples": self.n_samples, "planned": self.planned, "nominal": self.nominal,
            "mean": self.mean, "std": self.std, "median": self.median, "p95": self.p95,
            "worst": self.worst,
            "mean_over_planned": self.mean / self.planned if self.planned else float("nan"),
        }
        if with_samples:
            out["samples"] = self.samples.tolist()
        return out

    def summary(self) -> str:
        """One line: planned makespan and the realised distribution."""
        ratio = self.mean / self.planned if self.planned else float("nan")
        return (f"{self.instance}: planned {self.planned:.6g}, noise {self.noise}, "
                f"{self.n_samples} samples (seed {self.seed}): mean {self.mean:.6g} "
                f"({ratio:.3f}x planned), std {self.std:.4g}, median {self.median:.6g}, "
                f"p95 {self.p95:.6g}, worst {self.worst:.6g}")


def robustness(instance: Instance, result_or_solution: Any, noise: str = "lognormal:0.2",
               samples: int = 1000, seed: int = 0, *,
               perturb_communication: bool = False) -> Robustness:
    """Realised-makespan distribution of a DAG schedule under random run times.

    Every sample multiplies each task's planned run time ``cost[t, p_t]`` by an independent
    factor of the ``noise`` model and :func:`replay`-s the schedule's processor assignment and
    per-processor order; the realised makespan is the latest finish. The same ``seed`` gives
    the same numbers (``numpy.random.default_rng(seed)``; factors drawn as one (samples, n)
    array, then the edges' if ``perturb_communication``).

    Parameters
    ----------
    instance
        A :class:`~schedkit.instances.DAG`.
    result_or_solution
        A feasible solution ``{"processor": [...], "start": [...]}``, a ``Result`` or a result
        record (anything with a ``solution``); it works for every method's schedule.
    noise
        ``"lognormal:s"`` (mean-one multiplicative log-normal), ``"uniform:x"`` (±x·100 %) or
        ``"none"``; see :func:`parse_noise`.
    samples
        Number of random scenarios (>= 1).
    seed
        Seed of the scenarios.
    perturb_communication
        Also multiply every edge's communication time by its own factor of the same model
        (default: communication times are as planned).

    Returns
    -------
    Robustness
        Planned makespan, the noise-free replay, mean, std, median, p95 and worst of the
        realised makespans, and the samples themselves.

    Raises
    ------
    InputError
        For another problem, an infeasible solution, a bad noise spec or sample count.
    """
    if not isinstance(instance, DAG):
        raise InputError(f"robustness is defined for dag instances, got {instance.problem}",
                         field="problem")
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise InputError(f"must be an integer >= 1, got {samples!r}", field="samples")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InputError(f"must be an integer, got {seed!r}", field="seed")
    parse_noise(noise)
    sol = _solution_of(result_or_solution)
    plan = _plan(instance, sol)
    planned = objective(instance, sol)
    n, e = instance.n_tasks, plan.comm.shape[0]
    rng = np.random.default_rng(int(seed))
    factors = noise_factors(noise, (int(samples), n), rng)
    comm_f = noise_factors(noise, (int(samples), e), rng) if perturb_communication else None
    nominal = float((_replay(plan, plan.planned_dur[:, None], plan.comm[:, None])[:, 0]
                     + plan.planned_dur).max()) if n else 0.0
    out = np.empty(int(samples))
    step = max(1, _CHUNK_CELLS // max(1, n))
    for a in range(0, int(samples), step):
        b = min(int(samples), a + step)
        dur = plan.planned_dur[:, None] * factors[a:b].T
        comm = plan.comm[:, None] if comm_f is None else plan.comm[:, None] * comm_f[a:b].T
        comm = np.ascontiguousarray(np.broadcast_to(comm, (e, b - a)))
        out[a:b] = (_replay(plan, dur, comm) + dur).max(axis=0) if n else 0.0
    return Robustness(
        instance=instance.name, noise=noise, seed=int(seed), planned=float(planned),
        nominal=nominal, mean=float(out.mean()), std=float(out.std()),
        median=float(np.median(out)), p95=float(np.percentile(out, 95)),
        worst=float(out.max()), samples=out)
