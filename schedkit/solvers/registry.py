"""The method registry: methods keyed by (name, problem), the options each knows, and what an
adapter gets (:class:`RunContext`) and returns (:class:`MethodResult`).

Each problem declares its own methods in ``schedkit/solvers/<problem>/methods.py``;
:mod:`schedkit.solvers.methods` collects them into :data:`~schedkit.solvers.methods.REGISTRY`.
One name (``cpsat``, ``baseline``, …) may be declared by several problems, each with its own
adapter and options.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..heuristics.search import Stop, StopReason
from ..instances import PROBLEMS, InputError, Instance
from .result import Status

__all__ = ["Kind", "Option", "Method", "MethodResult", "RunContext", "Registry",
           "Adapter", "parse_option_value"]


class Kind(StrEnum):
    """What sort of method it is."""

    EXACT = "exact"
    HEURISTIC = "heuristic"
    METAHEURISTIC = "metaheuristic"


@dataclass(frozen=True)
class Option:
    """One option a method accepts: name, type (int, float, str or bool), default, help text,
    the allowed values (``choices``) and, for numbers, the smallest allowed value."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None

    def coerce(self, value: Any, method: str) -> Any:
        """``value`` checked and converted to the option's type (text is parsed first)."""
        field_name = f"option {self.name}"
        if isinstance(value, str) and self.type is not str:
            value = parse_option_value(value)
        if self.type is bool:
            if not isinstance(value, bool):
                raise InputError(f"must be true or false for method {method}, got {value!r}",
                                 field=field_name)
        elif self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"must be an integer for method {method}, got {value!r}",
                                 field=field_name)
        elif self.type is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"must be a number for method {method}, got {value!r}",
                                 field=field_name)
            value = float(value)
        elif not isinstance(value, str):
            value = str(value)
        if self.choices is not None and value not in self.choices:
            raise InputError(f"must be one of {', '.join(map(str, self.choices))}, got "
                             f"{value!r}", field=field_name)
        if self.minimum is not None and value < self.minimum:
            raise InputError(f"must be >= {self.minimum:g} for method {method}, got {value!r}",
                             field=field_name)
        return value


def parse_option_value(text: str) -> Any:
    """``"3"`` → 3, ``"0.5"`` → 0.5, ``"true"``/``"false"`` → bool, anything else stays text."""
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


@dataclass
class RunContext:
    """What an adapter gets besides the instance: limits, seed, validated options, and the
    signal that the run was interrupted.

    ``started`` is the ``time.perf_counter()`` reading at which :func:`schedkit.solve` started
    its clock; :meth:`time_left` is what remains of ``time_limit`` from then on, less
    ``finish_s``, the time solve() keeps for checking the answer. ``options`` holds the run's
    options with defaults filled in, plus the method's fixed ones. ``interrupted`` is set by
    the first Ctrl-C: every adapter stops at its next check (:meth:`should_stop`, or a
    :class:`~schedkit.heuristics.search.Stop` from :meth:`stop`) and returns its incumbent.
    """

    time_limit: float | None
    seed: int
    workers: int
    options: dict[str, Any]
    initial: Mapping[str, Any] | None = None
    started: float = field(default_factory=time.perf_counter)
    finish_s: float = 0.0
    interrupted: threading.Event = field(default_factory=threading.Event)

    @property
    def deadline(self) -> float | None:
        """The ``time.perf_counter()`` reading by which the method must have returned."""
        if self.time_limit is None:
            return None
        return self.started + self.time_limit - self.finish_s

    def time_left(self, reserve: float = 0.0) -> float | None:
        """Seconds left of the time limit, less ``reserve`` (and ``finish_s``), never negative
        (``None``: no limit)."""
        deadline = self.deadline
        if deadline is None:
            return None
        return max(0.0, deadline - time.perf_counter() - reserve)

    def should_stop(self, reserve: float = 0.0) -> bool:
        """True once the run was interrupted or less than ``reserve`` seconds are left."""
        left = self.time_left()
        return self.interrupted.is_set() or (left is not None and left <= reserve)

    def stop(self, *, iterations: int | None = None, stall: int = 0,
             time_limit: float | None = None, reserve: float = 0.0) -> Stop:
        """The stopping rule of a search inside this run: the run's time left (less
        ``reserve``), or ``time_limit`` seconds if that is sooner, ``iterations``, ``stall``,
        and this run's interruption."""
        left = self.time_left(reserve)
        if time_limit is not None:
            left = time_limit if left is None else min(left, time_limit)
        return Stop(time_limit=left, iterations=iterations, stall=stall,
                    interrupt=self.interrupted.is_set)


@dataclass
class MethodResult:
    """What an adapter returns; :func:`schedkit.solve` verifies it and makes the
    :class:`~schedkit.Result`.

    ``status`` is the adapter's claim (``optimal`` only when proved); ``bound`` the best proven
    bound; ``objective`` the backend's own value, compared with the evaluator's; ``stop_reason``
    why it stopped and ``stop_detail`` the free-text particulars (a solver's own status, what
    was returned instead).
    """

    solution: Mapping[str, Any] | None
    status: Status
    bound: float | None = None
    objective: float | None = None
    stop_reason: StopReason = StopReason.FINISHED
    stop_detail: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


#: An adapter: instance and run context in, method result out.
Adapter = Callable[[Any, RunContext], MethodResult]


@dataclass(frozen=True)
class Method:
    """A solution method for one problem.

    Parameters
    ----------
    name
        Registry name (``--method``); several problems may each have a method of that name.
    problem
        The problem id it solves.
    run
        The adapter: a callable, or ``"module:function"`` imported only when the method runs,
        so that an optional backend costs nothing until used.
    kind
        Exact, heuristic or metaheuristic.
    summary
        One line for ``schedkit methods``.
    options
        Options it accepts; anything else is an error.
    objectives
        The objectives it supports (``None``: all of the problem's).
    fixed
        Options the registry line fixes (e.g. the rule of ``edd``): given to the adapter, not
        settable by a user and not recorded in results.
    warm_up
        Compiles the method's Numba kernels (from the on-disk cache when it has them):
        :func:`schedkit.solve` calls it before the time limit's clock starts, so that a cold
        cache costs the run extra time but not search time.
    """

    name: str
    problem: str
    run: str | Adapter
    kind: Kind
    summary: str
    options: tuple[Option, ...] = ()
    objectives: tuple[str, ...] | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    warm_up: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if self.problem not in PROBLEMS:
            raise ValueError(f"method {self.name!r}: unknown problem {self.problem!r}")
        names = [o.name for o in self.options]
        if len(set(names)) != len(names):
            raise ValueError(f"method {self.name!r} on {self.problem}: an option is declared "
                             "twice")

    def supports(self, instance: Instance) -> bool:
        """True when it solves the instance's problem and objective."""
        return instance.problem == self.problem and (
            self.objectives is None or instance.objective in self.objectives)

    def validate_options(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        """Options with defaults filled in; unknown ones are an error."""
        known = {o.name: o for o in self.options}
        out = {o.name: o.default for o in self.options}
        for key, value in (options or {}).items():
            if key not in known:
                listed = ", ".join(known) or "none"
                raise InputError(f"unknown option for method {self.name} on {self.problem} "
                                 f"(known: {listed})", field=f"option {key}")
            out[key] = known[key].coerce(value, self.name)
        return out

    def adapter(self) -> Adapter:
        """The adapter function (imported now if ``run`` names it)."""
        if callable(self.run):
            return self.run
        module, func = self.run.split(":")
        adapter: Adapter = getattr(importlib.import_module(module), func)
        return adapter


class Registry:
    """Methods keyed by (name, problem)."""

    def __init__(self, methods: Iterable[Method] = ()) -> None:
        self._methods: dict[tuple[str, str], Method] = {}
        for method in methods:
            self.add(method)

    def add(self, method: Method) -> Method:
        """Add ``method``; a (name, problem) pair is declared once."""
        key = (method.name, method.problem)
        if key in self._methods:
            raise ValueError(f"method {method.name!r} for {method.problem} declared twice")
        self._methods[key] = method
        return method

    def __iter__(self) -> Iterator[Method]:
        return iter(self._methods.values())

    def names(self) -> list[str]:
        """Every method name, sorted."""
        return sorted({name for name, _ in self._methods})

    def problems_of(self, name: str) -> list[str]:
        """The problems that have a method called ``name``, in ``PROBLEMS`` order."""
        return [p for p in PROBLEMS if (name, p) in self._methods]

    def find(self, name: str, problem: str) -> Method | None:
        """The method ``name`` for ``problem``, or ``None``."""
        return self._methods.get((name, problem))

    def get(self, name: str, problem: str) -> Method:
        """The method ``name`` for ``problem``; InputError naming what exists otherwise."""
        found = self.find(name, problem)
        if found is not None:
            return found
        solves = self.problems_of(name)
        if not solves:
            raise InputError(f"unknown method {name!r} (known: {', '.join(self.names())}; "
                             "`schedkit methods` lists them)", field="method")
        raise InputError(f"method {name!r} does not solve {problem} (it solves "
                         f"{', '.join(solves)})", field="method")
