"""Job-shop instances from Taillard's (1993) generator."""

import math

import numpy as np

from .._fields import EXACT_LIMIT
from ..errors import InputError
from ..generating import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_seed,
    check_size,
    option_field,
    provenance,
    round_half_up,
)
from .model import MAX_MACHINES, JobShop

__all__ = ["TaillardLCG", "taillard_jobshop", "jobshop", "CHOICES", "MAX_OPERATIONS"]

#: Most operations (jobs × machines) of a generated job shop: 10**6 operations take about
#: 0.5 GB and 17 s through ``schedkit generate`` (routes, instance and JSON text); 2000 × 2000
#: at the cap peak at 1.6 GB in 50 s.
MAX_OPERATIONS = 4 * 10**6

# Park & Miller's "minimal standard" multiplicative generator as Taillard (1993) gives it:
# x <- 16807·x mod (2^31 - 1), evaluated with Schrage's decomposition m = a·b + c so that no
# intermediate exceeds 2^31 (the paper targets 32-bit integer arithmetic). Python ints are exact,
# so the decomposition is kept only to mirror the published procedure step by step.
_A = 16807
_M = 2**31 - 1
_B = 127773  # m // a
_C = 2836  # m % a

CHOICES = {"objective": JobShop.objectives}

_WEIGHTED = ("total_weighted_tardiness", "total_weighted_completion")


class TaillardLCG:
    """Taillard's portable uniform generator (Taillard 1993, EJOR 64:278–285, §2).

    Parameters
    ----------
    seed
        The state, an integer in ``1 … 2^31 − 2`` (0 would be a fixed point).

    Notes
    -----
    ``unif(low, high)`` first advances the state ``x ← 16807·x mod (2^31 − 1)`` (Park & Miller
    1988, computed with Schrage's 1979 decomposition ``b = 127773``, ``c = 2836``) and then
    returns ``low + ⌊(x / m)·(high − low + 1)⌋``. The float product is the one in Taillard's
    Pascal/C code, so the integers drawn match his published instances.
    """

    def __init__(self, seed: int) -> None:
        if not 1 <= seed <= _M - 1:
            raise InputError(f"a Taillard seed must be in 1..{_M - 1}, got {seed}")
        self.state = int(seed)

    def unif(self, low: int, high: int) -> int:
        """Next integer, uniform on ``low … high``."""
        k = self.state // _B
        x = _A * (self.state % _B) - k * _C
        if x < 0:
            x += _M
        self.state = x
        return low + math.floor(x / _M * (high - low + 1))


def taillard_jobshop(jobs: int, machines: int, time_seed: int, machine_seed: int,
                     low: int = 1, high: int = 99) -> tuple[np.ndarray, np.ndarray]:
    """Processing times and machine orders exactly as Taillard (1993) generates them.

    Parameters
    ----------
    jobs, machines
        n and m.
    time_seed, machine_seed
        Taillard's two seeds (each in ``1 … 2^31 − 2``); his paper lists them per instance.
    low, high
        Range of the processing times (Taillard: 1 and 99).

    Returns
    -------
    durations, order
        int64 (n, m) arrays: ``order[j, k]`` is the (0-based) machine of job j's k-th operation
        and ``durations[j, k]`` its processing time.

    Notes
    -----
    Times are drawn job by job, operation by operation, from the time seed. Each job's route
    starts as the identity ``0 … m−1``; for k = 0 … m−1 entry k is swapped with entry
    ``unif(k, m−1)`` drawn from the machine seed, whose stream runs on across jobs. With the
    seeds of ta01–ta10 this reproduces the published files exactly (tested).
    """
    tgen = TaillardLCG(time_seed)
    durations = np.array([[tgen.unif(low, high) for _ in range(machines)]
                          for _ in range(jobs)], dtype=np.int64)
    mgen = TaillardLCG(machine_seed)
    order = np.empty((jobs, machines), dtype=np.int64)
    for j in range(jobs):
        route = list(range(machines))
        for k in range(machines):
            other = mgen.unif(k, machines - 1)
            route[k], route[other] = route[other], route[k]
        order[j] = route
    return durations, order


def _check_caps(n: int, m: int, high: int, max_release: int, factor: float | None,
                top_weight: int) -> None:
    """The size and exactness caps of :func:`jobshop` (see its Notes), from the options."""
    check_size(m, "machines", MAX_MACHINES, "machines")
    check_size(n * m, "jobs" if n >= m else "machines", MAX_OPERATIONS,
               "jobs*machines operations")
    work = n * m * high
    horizon = max_release + work
    if top_weight * n * horizon >= EXACT_LIMIT:
        raise InputError(f"total weight (up to {top_weight * n}) * (max_release + "
                         f"jobs*machines*high = {horizon}) must stay below 2**53 (objectives "
                         "must stay exact integers)",
                         field=option_field("max_release" if max_release > work else "high"))
    if factor is not None and max_release + factor * m * high + 1 >= EXACT_LIMIT:
        raise InputError(f"max_release + due_factor*machines*high = "
                         f"{max_release + factor * m * high:g} must stay below 2**53 (due dates "
                         "must be exact integers)", field=option_field("due_factor"))


def _derived_seeds(seed: int) -> tuple[np.random.Generator, int, int]:
    # numpy's stream picks Taillard's two seeds, then continues for releases and weights; that
    # keeps `seed` the only number a user needs while the routes stay pure Taillard.
    rng = np.random.default_rng(seed)
    ts, ms = (int(x) for x in rng.integers(1, _M, size=2))
    return rng, ts, ms


def jobshop(
    jobs: int = 10,
    machines: int = 5,
    *,
    seed: int = 0,
    low: int = 1,
    high: int = 99,
    objective: str = "makespan",
    due_factor: float = 1.3,
    due_dates: bool = False,
    weighted: bool = True,
    max_release: int = 0,
    time_seed: int = 0,
    machine_seed: int = 0,
) -> JobShop:
    """A random job shop from Taillard's (1993) generator, optionally with due dates.

    Every job visits every machine once. Processing times and routes come from Taillard's own
    generator (:func:`taillard_jobshop`; É. Taillard, "Benchmarks for basic scheduling
    problems", *European Journal of Operational Research* 64(2):278–285, 1993), so the seeds of
    his paper rebuild his instances: ``jobshop(15, 15, time_seed=840612802,
    machine_seed=398197754)`` is ta01.

    Parameters
    ----------
    jobs : int
        Number of jobs n (>= 1).
    machines : int
        Number of machines m (>= 1); every job has m operations.
    seed : int
        Seed of numpy's ``default_rng``, which picks Taillard's time and machine seeds (unless
        given) and draws release dates and weights.
    low : int
        Smallest processing time (Taillard: 1).
    high : int
        Largest processing time (Taillard: 99).
    objective : str
        makespan, total_weighted_tardiness or total_weighted_completion.
    due_factor : float
        Due-date tightness f of the total-work-content rule d_j = r_j + round(f·Σ_k p_jk).
    due_dates : bool
        Attach due dates even when the objective does not need them (tardiness objectives
        always get them).
    weighted : bool
        Draw weights w_j ~ U{1..10} for the weighted objectives; false gives w_j = 1.
    max_release : int
        Release dates r_j ~ U{0..max_release}; 0 gives r_j = 0 (Taillard's setting).
    time_seed : int
        Taillard's time seed (1..2^31-2); 0 derives it from ``seed``.
    machine_seed : int
        Taillard's machine seed (1..2^31-2); 0 derives it from ``seed``.

    Returns
    -------
    JobShop
        Named ``js-<n>x<m>-s<seed>`` (``js-<n>x<m>-t<time_seed>-m<machine_seed>`` when the
        Taillard seeds were not derived from ``seed``).

    Notes
    -----
    Size caps, checked before anything is drawn: ``jobs·machines <= MAX_OPERATIONS``
    (4·10**6, about 2 GB at the cap) and ``machines <= MAX_MACHINES`` (10**6, the model's cap).
    Exactness (the model's cap, here from the options alone so that no seed fails):
    ``W·(max_release + jobs·machines·high) < 2**53`` with W = 10·jobs when weights are drawn
    (w_j <= 10) and jobs otherwise, and with due dates ``max_release + due_factor·machines·high
    < 2**53``.

    Due dates follow the total-work-content (TWK) rule (Baker, "Sequencing rules and due-date
    assignments in a job shop", *Management Science* 30(9), 1984), rounded half up:
    ``d_j = r_j + ⌊f·Σ_k p_jk + 1/2⌋``; f = 1.3 is the tight setting of Singer & Pinedo (1998)
    style job-shop tardiness sets (they use f ∈ {1.3, 1.5, 1.6}). Release dates and weights are
    always drawn (n each, in that order, after the two Taillard seeds) so that instances that
    differ only in objective share them.
    """
    seed = check_seed(seed)
    n = check_int(jobs, "jobs", min_value=1)
    m = check_int(machines, "machines", min_value=1)
    low = check_int(low, "low", min_value=0)
    high = check_int(high, "high", min_value=low)
    objective = check_choice(objective, "objective", JobShop.objectives)
    factor = check_float(due_factor, "due_factor", min_value=0.0)
    want_due = check_bool(due_dates, "due_dates") or objective == "total_weighted_tardiness"
    weighted = check_bool(weighted, "weighted")
    max_release = check_int(max_release, "max_release", min_value=0)
    ts_opt = check_int(time_seed, "time_seed", min_value=0, max_value=_M - 1)
    ms_opt = check_int(machine_seed, "machine_seed", min_value=0, max_value=_M - 1)
    _check_caps(n, m, high, max_release, factor if want_due else None,
                10 if weighted and objective in _WEIGHTED else 1)

    rng, ts_auto, ms_auto = _derived_seeds(seed)
    ts = ts_opt or ts_auto
    ms = ms_opt or ms_auto
    durations, order = taillard_jobshop(n, m, ts, ms, low, high)
    release = rng.integers(0, max_release + 1, size=n)
    weight = rng.integers(1, 11, size=n)
    if not (weighted and objective in _WEIGHTED):
        weight = np.ones(n, dtype=np.int64)
    due = release + round_half_up(factor * durations.sum(axis=1)) if want_due else None

    routes = [list(zip(order[j].tolist(), durations[j].tolist(), strict=True))
              for j in range(n)]
    if (ts, ms) == (ts_auto, ms_auto):
        name = f"js-{n}x{m}-s{seed}"
    else:
        name = f"js-{n}x{m}-t{ts}-m{ms}"
    shape = {"jobs": n, "machines": m, "low": low, "high": high, "objective": objective,
             "due_factor": factor, "due_dates": want_due, "weighted": weighted,
             "max_release": max_release, "time_seed": ts, "machine_seed": ms}
    return JobShop.from_routes(
        routes, machines=m, release=release, due=due, weight=weight,
        name=name, objective=objective, meta=provenance("jobshop", seed, shape),
    )
