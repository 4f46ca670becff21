"""Single-machine tardiness instances from the Potts & Van Wassenhove (OR-Library) generator."""

import math
from fractions import Fraction

import numpy as np

from ..generating import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_seed,
    check_size,
    fmt,
    provenance,
)
from .model import SingleMachine

__all__ = ["single_machine", "due_date_range", "CHOICES", "MAX_JOBS"]

#: Most jobs of a generated instance. With p_j <= 100, w_j <= 10 and due dates in [0, 1.5·P],
#: every objective is at most 10n·100n = 1000·n² = 4·10**15 < 2**53 (the model's exactness cap
#: never refuses a generated instance); 2·10**6 jobs take about 0.4 GB and 9 s through
#: ``schedkit generate``.
MAX_JOBS = 2 * 10**6

CHOICES = {"objective": ("auto", *SingleMachine.objectives)}


def _exact(x: float) -> Fraction:
    # The decimal the user typed (0.6), not its binary neighbour 0.59999…: otherwise
    # ⌊P·(1 − TF − RDD/2)⌋ can come out one lower than the formula on paper.
    return Fraction(repr(float(x)))


def due_date_range(total_processing: int, tf: float, rdd: float) -> tuple[int, int]:
    """The due-date interval of the generator before clipping at 0.

    Parameters
    ----------
    total_processing
        P = Σ_j p_j.
    tf, rdd
        Tardiness factor and relative range of due dates.

    Returns
    -------
    lo, hi
        ``P·(1 − TF − RDD/2)`` and ``P·(1 − TF + RDD/2)`` rounded to the nearest integer (halves
        up), computed in exact rational arithmetic from the decimal values of ``tf`` and ``rdd``.
    """
    P = Fraction(int(total_processing))
    t, r = _exact(tf), _exact(rdd)
    half = Fraction(1, 2)
    return math.floor(P * (1 - t - r / 2) + half), math.floor(P * (1 - t + r / 2) + half)


def single_machine(
    n: int = 40,
    *,
    tf: float = 0.6,
    rdd: float = 0.6,
    weighted: bool = True,
    seed: int = 0,
    objective: str = "auto",
) -> SingleMachine:
    """A single-machine tardiness instance from the OR-Library ``wt`` generator.

    The generator of Potts & Van Wassenhove ("A branch and bound algorithm for the total
    weighted tardiness problem", *Operations Research* 33(2):363–377, 1985), used for the
    OR-Library wt40/wt50/wt100 sets (Crauwels, Potts & Van Wassenhove, *INFORMS Journal on
    Computing* 10:341–350, 1998) and, without weights, for the total-tardiness sets going back
    to Fisher (1976). See ``schedkit/data/tardiness/README.md``.

    Parameters
    ----------
    n : int
        Number of jobs (>= 1).
    tf : float
        Average tardiness factor TF in [0, 1] (OR-Library: 0.2 … 1.0).
    rdd : float
        Relative range of due dates RDD in [0, 1] (OR-Library: 0.2 … 1.0).
    weighted : bool
        Draw weights w_j ~ U{1..10}; false sets every weight to 1 (1||ΣTj).
    seed : int
        Seed of numpy's ``default_rng``.
    objective : str
        Objective of the instance; auto means total_weighted_tardiness when weighted, else
        total_tardiness.

    Returns
    -------
    SingleMachine
        Named ``sm-<n>-tf<TF>-rdd<RDD>-s<seed>`` (``-u`` appended when unweighted).

    Notes
    -----
    Draws, in this order: ``p_j ~ U{1..100}``, ``w_j ~ U{1..10}``, then with P = Σ p_j,
    ``d_j ~ U{lo..hi}`` where lo and hi are ``P(1 − TF − RDD/2)`` and ``P(1 − TF + RDD/2)``
    rounded to nearest (exact arithmetic). The papers write the interval without saying how
    P·(…) is rounded; every due date of the 250 OR-Library wt40/wt100 instances lies inside the
    rounded interval, while floors would exclude one (wt100 #25: 467 with
    P·(1 − TF + RDD/2) = 466.9), so nearest is what the original code most likely did. Negative due
    dates become 0, as in the OR-Library files. Weights are drawn even when ``weighted`` is
    false, so the weighted and unweighted instances of one seed share processing times and due
    dates.
    The OR-Library files themselves came from another random stream: this generator has their
    distribution, not their numbers.

    Size cap: ``n <= MAX_JOBS`` (2·10**6), which also keeps every objective below 2**53.
    """
    seed = check_seed(seed)
    n = check_int(n, "n", min_value=1)
    check_size(n, "n", MAX_JOBS, "n jobs")
    tf = check_float(tf, "tf", min_value=0.0, max_value=1.0)
    rdd = check_float(rdd, "rdd", min_value=0.0, max_value=1.0)
    weighted = check_bool(weighted, "weighted")
    if objective is None or objective == "":
        objective = "auto"
    objective = check_choice(objective, "objective", CHOICES["objective"])
    if objective == "auto":
        objective = "total_weighted_tardiness" if weighted else "total_tardiness"

    rng = np.random.default_rng(seed)
    p = rng.integers(1, 101, size=n)
    w = rng.integers(1, 11, size=n)
    lo, hi = due_date_range(int(p.sum()), tf, rdd)
    d = np.maximum(rng.integers(lo, hi + 1, size=n), 0)
    if not weighted:
        w = np.ones(n, dtype=np.int64)

    name = f"sm-{n}-tf{fmt(tf)}-rdd{fmt(rdd)}-s{seed}" + ("" if weighted else "-u")
    shape = {"n": n, "tf": tf, "rdd": rdd, "weighted": weighted, "objective": objective}
    return SingleMachine(processing=p, due=d, weight=w, name=name, objective=objective,
                         meta=provenance("single_machine", seed, shape))
