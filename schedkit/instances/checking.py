"""The checking plumbing every family's evaluator shares: violations and their collector, the
solution-parsing helpers and the overlap check of intervals on one resource.

A family's ``check(instance, solution, found)`` parses a solution with :func:`parse_numbers`,
:func:`parse_ints` and :func:`member` (raising :class:`Malformed` when it cannot be read as that
family's solution at all), adds every broken rule to ``found`` (:class:`Found`) and returns the
parsed solution for its ``objective``. :mod:`schedkit.instances.evaluate` runs them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "VIOLATION_KINDS",
    "TOL",
    "PER_KIND",
    "Violation",
    "Evaluation",
    "Found",
    "Malformed",
    "MAX_EXACT",
    "MAX_TIME",
    "numbers_only",
    "parse_numbers",
    "parse_ints",
    "exact_ints",
    "member",
    "tolerance",
    "check_machine_overlap",
]

VIOLATION_KINDS = (
    "format",  # the solution is not shaped as the problem's solution must be
    "range",  # an index (machine, processor, GPU, device, job) or a time out of range
    "missing",  # a job, operation, task, expert or sequence without a place
    "duplicate",  # a job or sequence placed twice
    "release",  # started before its release date
    "overlap",  # two operations/tasks at once on one machine/processor
    "precedence",  # a successor started before its predecessor (plus communication) finished
    "slots",  # a GPU's replica count differs from slots_per_gpu
    "replica_same_gpu",  # two replicas of one expert on one GPU
    "degree",  # a sequence-parallel group whose size is not an allowed degree
    "device_reuse",  # a device in two groups of one micro-batch
    "memory",  # a group holds more tokens than its devices' memory
)

#: Relative tolerance of float comparisons (DAG communication is fractional), scaled by a size
#: of the *instance* (:func:`tolerance`), never by the solution: a solution cannot widen it.
#: Integer-valued problems (job shop, single machine) compare exactly.
TOL = 1e-9

#: Largest magnitude of an integer time: beyond 2^53 float64 no longer holds every integer.
MAX_EXACT = 2**53

#: Largest float time a solution may hold, so that every objective computed from it is finite
#: (instance data are capped likewise).
MAX_TIME = 1e300
#: Violations listed per kind before the rest are only counted.
PER_KIND = 10


@dataclass(frozen=True)
class Violation:
    """One broken rule of a solution: ``kind`` is one of :data:`VIOLATION_KINDS`."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Evaluation:
    """Outcome of :func:`evaluate`: violations, and the objective when the solution is feasible."""

    violations: list[Violation] = field(default_factory=list)
    objective: float | None = None

    @property
    def feasible(self) -> bool:
        return not self.violations


class Found:
    """Collects the violations of one solution: the first :data:`PER_KIND` of each kind are
    listed, the rest counted."""

    def __init__(self) -> None:
        self.items: list[Violation] = []
        self.extra: dict[str, int] = defaultdict(int)
        self.count: dict[str, int] = defaultdict(int)

    def add(self, kind: str, message: str) -> None:
        """Record one violation of ``kind`` (one of :data:`VIOLATION_KINDS`)."""
        self.count[kind] += 1
        if self.count[kind] <= PER_KIND:
            self.items.append(Violation(kind, message))
        else:
            self.extra[kind] += 1

    def result(self) -> list[Violation]:
        """The listed violations, plus one line per kind counting those not listed."""
        out = list(self.items)
        for kind, n in self.extra.items():
            out.append(Violation(kind, f"... and {n} more {kind} violations"))
        return out


class Malformed(Exception):
    """The solution cannot be read as this problem's solution (a ``format`` violation)."""


def _numeric_type(kind: type) -> bool:
    return kind is int or kind is float or issubclass(kind, np.integer | np.floating)


def numbers_only(items: Any, what: str) -> None:
    """:class:`Malformed` unless every item is a number: text (``"5"``), booleans, ``None`` and
    containers are not, whatever numpy would make of them."""
    if isinstance(items, np.ndarray):
        if items.dtype.kind not in "iuf":
            raise Malformed(f"{what} must hold numbers, got {items.dtype} values")
        return
    items = list(items)
    kinds = set(map(type, items))  # one pass in C; the types are few
    if all(_numeric_type(kind) for kind in kinds):
        return
    bad = next(x for x in items if not _numeric_type(type(x)))
    raise Malformed(f"{what} must hold numbers, got {bad!r}")


def parse_numbers(value: Any, what: str, n: int | None = None) -> np.ndarray:
    """``value`` as a flat float64 array of finite numbers (of ``n`` entries if given), else
    :class:`Malformed` naming ``what``."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence | np.ndarray):
        raise Malformed(f"{what} must be a list of numbers")
    numbers_only(value, what)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Malformed(f"{what} must be a list of numbers") from None
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise Malformed(f"{what} must be a flat list of finite numbers")
    if n is not None and arr.size != n:
        raise Malformed(f"{what} must have {n} entries, got {arr.size}")
    return arr


def exact_ints(arr: np.ndarray, what: str) -> np.ndarray:
    """A float64 array of integral values as int64; :class:`Malformed` if one is fractional
    or beyond :data:`MAX_EXACT` (where float64 would already have rounded it)."""
    if (arr != np.round(arr)).any():
        raise Malformed(f"{what} must hold integers")
    if arr.size and float(np.abs(arr).max()) > MAX_EXACT:
        raise Malformed(f"{what} must hold integers of magnitude at most 2^53")
    return arr.astype(np.int64)


def parse_ints(value: Any, what: str, n: int | None = None) -> np.ndarray:
    """Like :func:`parse_numbers`, for integral values of magnitude at most 2^53; returns
    int64."""
    return exact_ints(parse_numbers(value, what, n), what)


def member(solution: Any, key: str) -> Any:
    """``solution[key]``, or :class:`Malformed` if the solution is no object with that key."""
    if not isinstance(solution, Mapping) or key not in solution:
        raise Malformed(f"the solution must be an object with a {key!r} member")
    return solution[key]


def tolerance(scale: float) -> float:
    """Absolute tolerance for comparing float times of an instance whose schedules span about
    ``scale`` (a size of the instance's data, e.g. its total work): :data:`TOL` × max(1,
    scale)."""
    return TOL * max(1.0, float(scale))


def check_machine_overlap(found: Found, resource: np.ndarray, start: np.ndarray,
                          dur: np.ndarray, label: Any, what: str, tol: float = 0.0) -> None:
    """Flag intervals [start, start+dur) that intersect on one resource by more than ``tol``
    (zero-length intervals never do)."""
    keep = dur > 0
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((start[idx], resource[idx]))]
    r, s, e = resource[order], start[order], start[order] + dur[order]
    bad = np.flatnonzero((r[1:] == r[:-1]) & (s[1:] < e[:-1] - tol))
    for i in bad.tolist():
        a, b = int(order[i]), int(order[i + 1])
        found.add("overlap", f"{label(a)} [{s[i]:g}, {e[i]:g}) and {label(b)} "
                             f"[{s[i + 1]:g}, {e[i + 1]:g}) overlap on {what} {int(r[i])}")


