"""Options that several methods share, declared once so that a name has one meaning and one
unit everywhere (``DESIGN.md`` §5): the MILP backend, the warm start of exact methods, and the
iteration counts of the searches (:mod:`schedkit.heuristics.search`)."""

from __future__ import annotations

from collections.abc import Callable

from ..instances import InputError
from .backends.pulp import BACKENDS
from .registry import Backend, Option

__all__ = ["CPSAT", "HIGHS", "alns", "annealing", "backend", "hint", "hint_time", "iterations",
           "operators", "parse_names", "parse_numbers", "restart", "selection", "stall"]


#: The pass-through backend of every ``cpsat`` method: ``--option cpsat.NAME=VALUE``.
CPSAT = (Backend("cpsat"),)
#: That of every ``milp`` method, with ``backend=highs``: ``--option highs.NAME=VALUE``.
HIGHS = (Backend("highs", when=("backend", "highs")),)


def backend() -> Option:
    """``backend``: the MILP solver PuLP runs."""
    return Option("backend", str, "cbc", "MILP solver: CBC (bundled with PuLP) or HiGHS "
                  "(needs highspy)", choices=BACKENDS)


def hint(what: str) -> Option:
    """``hint``: warm-start the exact model with ``what``."""
    return Option("hint", bool, True, f"warm start (hint, bound): {what}")


def hint_time(default: str) -> Option:
    """``hint_time``: seconds of search for the warm start (-1: ``default``)."""
    return Option("hint_time", float, -1.0, f"seconds of search for the warm start (-1: "
                  f"{default})", minimum=-1.0)


def iterations(unit: str, default: str) -> Option:
    """``iterations``: the iteration limit of a search (0: none with a time limit)."""
    return Option("iterations", int, 0, f"iteration limit; an iteration is {unit} (0: none "
                  f"with a time limit, else {default})", minimum=0)


def restart(default: int, then: str) -> Option:
    """``restart``: iterations without a new best before the search goes back to its best."""
    return Option("restart", int, default, f"every this many iterations without a new best, "
                  f"go back to the best solution{then} (0: never)", minimum=0)


def stall(default: int, automatic: str | None = None) -> Option:
    """``stall``: stop after this many iterations without a new best (0: never; -1: the
    method's automatic value, where it has one)."""
    if automatic is None:
        return Option("stall", int, default, "stop after this many iterations without a new "
                      "best (0: never)", minimum=0)
    return Option("stall", int, default, "stop after this many iterations without a new best "
                  f"(0: never; -1: {automatic})", minimum=-1)


def selection() -> Option:
    """``selection``: how the ALNS chooses its operators (the ``alns`` package's schemes)."""
    from ..heuristics.alns import SELECTIONS

    return Option("selection", str, "roulette", "operator selection: adaptive roulette wheel, "
                  "segmented roulette wheel, alpha-UCB", choices=SELECTIONS)


def operators(name: str, known: tuple[str, ...], what: str) -> Option:
    """``destroys`` / ``repairs``: the ALNS operators used (:func:`parse_names`)."""
    return Option(name, str, "all", f"{what}: all, or a comma-separated subset of "
                  f"{', '.join(known)}")


def annealing() -> tuple[Option, Option]:
    """``worse`` and ``accept``: the start temperature of the ALNS's simulated annealing."""
    return (Option("worse", float, 0.005, "annealing: at the start a candidate this share "
                   "worse is accepted with probability accept", minimum=1e-9),
            Option("accept", float, 0.5, "annealing: that probability (0 < accept < 1)",
                   minimum=1e-9))


def alns(iteration: str, default_iterations: str, destroys: tuple[str, ...],
         sizes: Option, *specific: Option) -> tuple[Option, ...]:
    """The options every ``alns`` method has — ``iterations`` (one ``iteration``), ``stall``,
    ``restart``, ``selection``, ``destroys``, its ``sizes`` — then the ``specific`` ones (its
    repairs), then the annealing's ``worse`` and ``accept``."""
    return (iterations(iteration, default_iterations), stall(0), restart(0, ""), selection(),
            operators("destroys", destroys, "destroy structures"), sizes, *specific,
            *annealing())


def parse_names(text: str, known: tuple[str, ...], option: str) -> tuple[str, ...]:
    """An option naming operators (the ALNS ``destroys``, ``repairs``): ``all`` or a
    comma-separated subset of ``known``, each once, in the order given."""
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if names == ("all",):
        return known
    if not names or any(n not in known for n in names):
        raise InputError(f"must be 'all' or a comma-separated list of {', '.join(known)}; "
                         f"got {text!r}", field=f"option {option}")
    return names


def parse_numbers(text: str, convert: Callable[[str], float], low: float, high: float,
                  option: str, what: str) -> tuple[float, ...]:
    """A comma-separated list of numbers (the ALNS ``sizes``), each once, in ``(low, high]``
    for floats or ``[low, high]`` for ints; ``what`` names them in the error."""
    try:
        values = tuple(dict.fromkeys(convert(p) for p in text.split(",") if p.strip()))
    except ValueError:
        values = ()
    inside = (lambda v: low <= v <= high) if convert is int else (lambda v: low < v <= high)
    if not values or not all(inside(v) for v in values):
        span = f"{low:g} to {high:g}" if convert is int else f"in ({low:g}, {high:g}]"
        raise InputError(f"must be comma-separated {what} {span}; got {text!r}",
                         field=f"option {option}")
    return values
