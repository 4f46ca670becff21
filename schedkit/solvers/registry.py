"""The method registry: methods keyed by (name, problem), the options each knows, and what an
adapter gets (:class:`RunContext`) and returns (:class:`MethodResult`).

Each problem declares its own methods in ``schedkit/solvers/<problem>/methods.py``;
:mod:`schedkit.solvers.methods` collects them into :data:`~schedkit.solvers.methods.REGISTRY`.
One name (``cpsat``, ``baseline``, …) may be declared by several problems, each with its own
adapter and options.
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..heuristics.search import Stop, StopReason
from ..instances import PROBLEMS, InputError, Instance, did_you_mean
from .backends.parameters import BACKEND_PARAMETERS, check_parameter
from .result import Status, gap

__all__ = ["Kind", "Option", "Backend", "Method", "MethodResult", "RunContext", "Registry",
           "Adapter", "parse_option_value", "LOG_INTERVAL_S"]

#: Seconds between two incumbent lines of a heuristic's progress log (a new best sooner than
#: this after the last line waits for the next one, or for the end of the run).
LOG_INTERVAL_S = 0.5


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

    ``log`` (``solve(..., log=print)``) receives the run's progress lines: the backend's own
    log (CP-SAT, CBC, HiGHS) and, through :meth:`improved` (which every search's :meth:`stop`
    reports to), one line per new incumbent; ``bound`` is the cheap lower bound those lines
    show, ``label`` their prefix.
    """

    time_limit: float | None
    seed: int
    workers: int
    options: dict[str, Any]
    initial: Mapping[str, Any] | None = None
    started: float = field(default_factory=time.perf_counter)
    finish_s: float = 0.0
    interrupted: threading.Event = field(default_factory=threading.Event)
    log: Callable[[str], None] | None = None
    bound: float | None = None
    label: str = ""
    _last_line: float = field(default=-math.inf, repr=False)
    #: A held-back incumbent line: (objective, elapsed seconds when it was found).
    _pending: tuple[float, float] | None = field(default=None, repr=False)
    _best: float = field(default=math.inf, repr=False)

    def elapsed(self) -> float:
        """Seconds since the run's clock started."""
        return time.perf_counter() - self.started

    def say(self, text: str, at: float | None = None) -> None:
        """One line of the run's progress log (nothing without a log), stamped with the
        elapsed seconds ``at`` (default: now)."""
        if self.log is not None:
            self.log(f"{self.elapsed() if at is None else at:8.2f}s  {self.label}{text}")

    def improved(self, objective: float, bound: float | None = None) -> None:
        """A new incumbent of value ``objective`` (with the method's own ``bound``, if any):
        one log line with the elapsed time, objective, bound and gap, at most one per
        :data:`LOG_INTERVAL_S` (a skipped one is printed by :meth:`flush`, stamped with the
        time it was found). Reporting only: nothing here changes the search."""
        if self.log is None or not objective < self._best:
            return
        self._best = objective
        if bound is not None and (self.bound is None or bound > self.bound):
            self.bound = bound
        now = time.perf_counter()
        if now - self._last_line < LOG_INTERVAL_S:
            self._pending = (objective, now - self.started)
            return
        self._last_line, self._pending = now, None
        self._incumbent_line(objective, now - self.started)

    def flush(self) -> None:
        """Print the incumbent line :meth:`improved` held back, if any."""
        if self._pending is not None:
            (value, at), self._pending = self._pending, None
            self._incumbent_line(value, at)

    def _incumbent_line(self, objective: float, at: float) -> None:
        b = self.bound
        g = None if b is None else gap(objective, b)
        self.say(f"best {objective:.10g}  bound {'-' if b is None else f'{b:.10g}'}"
                 + ("" if g is None else f"  gap {100 * g:.2f}%"), at)

    def backend_options(self, backend: str) -> dict[str, Any]:
        """The pass-through parameters of ``backend`` (``cpsat``, ``highs``) among the run's
        options, without their prefix."""
        head = backend + "."
        return {k[len(head):]: v for k, v in self.options.items() if k.startswith(head)}

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
                    interrupt=self.interrupted.is_set,
                    on_best=None if self.log is None else self.improved)


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


@dataclass(frozen=True)
class Backend:
    """A solver a method runs whose own parameters a user may pass through
    (``--option cpsat.NAME=VALUE``): ``name`` is the prefix (a key of
    :data:`~.backends.parameters.BACKEND_PARAMETERS`); ``when = (option, value)`` limits it to
    runs where that option has that value (``("backend", "highs")`` for ``milp``)."""

    name: str
    when: tuple[str, Any] | None = None

    def active(self, options: Mapping[str, Any]) -> bool:
        """True when a run with ``options`` (defaults filled in) uses this backend."""
        return self.when is None or options.get(self.when[0]) == self.when[1]


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
    backends
        The solvers whose parameters pass through (``cpsat.*``, ``highs.*`` options).
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
    backends: tuple[Backend, ...] = ()

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
        passed: dict[str, Any] = {}
        for key, value in (options or {}).items():
            if "." in key:  # a backend's own parameter: checked below, once out is known
                passed[key] = value
                continue
            if key not in known:
                listed = ", ".join(known) or "none"
                raise InputError(f"unknown option for method {self.name} on {self.problem}"
                                 f"{did_you_mean(key, known)} (known: {listed})",
                                 field=f"option {key}")
            out[key] = known[key].coerce(value, self.name)
        for key, value in passed.items():
            prefix = key.partition(".")[0]
            if prefix not in BACKEND_PARAMETERS:
                check_parameter(key, value)  # raises: unknown backend, with the closest
            mine = [b for b in self.backends if b.name == prefix]
            if not mine:
                has = ", ".join(f"{b.name}.*" for b in self.backends)
                raise InputError(
                    f"method {self.name} on {self.problem} does not run "
                    f"{BACKEND_PARAMETERS[prefix]} ("
                    f"{'it takes ' + has if has else 'it passes no parameters to a backend'}; "
                    "cpsat takes cpsat.*, milp with backend=highs takes highs.*)",
                    field=f"option {key}")
            if not any(b.active(out) for b in mine):
                cond = " or ".join(f"{b.when[0]}={b.when[1]}" for b in mine if b.when)
                raise InputError(f"needs --option {cond} (method {self.name} on "
                                 f"{self.problem})", field=f"option {key}")
            out[key] = check_parameter(key, value)
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
            raise InputError(f"unknown method {name!r}{did_you_mean(name, self.names())} "
                             f"(known: auto, {', '.join(self.names())}; `schedkit methods` "
                             "lists them)", field="method")
        raise InputError(f"method {name!r} does not solve {problem} (it solves "
                         f"{', '.join(solves)})", field="method")
