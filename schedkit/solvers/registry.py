"""The method registry: what each method solves and which options it knows."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..instances import PROBLEMS, InputError, Instance

__all__ = ["Option", "Method", "Outcome", "RunContext", "register", "get_method", "METHODS",
           "parse_option_value"]


@dataclass(frozen=True)
class Option:
    """One option a method accepts: name, type (int, float, str or bool), default, help text.

    ``problems`` limits it to some of the method's problems (``None``: all of them); giving it
    for another problem is an error like an unknown option.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    problems: tuple[str, ...] | None = None

    def applies(self, problem: str | None) -> bool:
        return problem is None or self.problems is None or problem in self.problems

    def coerce(self, value: Any, method: str) -> Any:
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
    """What an adapter gets besides the instance: limits, seed and validated options.

    ``started`` is the ``time.perf_counter()`` reading at which :func:`schedkit.solve` started
    its clock; :meth:`time_left` is what remains of ``time_limit`` from then on.
    """

    time_limit: float | None
    seed: int
    workers: int
    options: dict[str, Any]
    initial: Mapping[str, Any] | None = None
    started: float = field(default_factory=time.perf_counter)

    def time_left(self, reserve: float = 0.0) -> float | None:
        """Seconds left of the time limit, less ``reserve``, never negative (``None``: no
        limit)."""
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - (time.perf_counter() - self.started) - reserve)


@dataclass
class Outcome:
    """What an adapter returns; :func:`schedkit.solve` verifies it and makes the Result.

    ``status`` is the adapter's claim (``optimal`` only when proved); ``bound`` the best proven
    bound; ``objective`` the backend's own value, compared with the evaluator's.
    """

    solution: Mapping[str, Any] | None
    status: str
    bound: float | None = None
    objective: float | None = None
    stop_reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Method:
    """A solution method.

    Parameters
    ----------
    name
        Registry name (``--method``).
    problems
        Problem ids it solves.
    target
        ``"module:function"`` of the adapter, imported only when the method runs, so that an
        optional backend costs nothing until used.
    kind
        ``"exact"``, ``"heuristic"`` or ``"metaheuristic"``.
    summary
        One line for ``schedkit methods``.
    options
        Options it accepts; anything else is an error.
    objectives
        Per problem, the objectives it supports (absent: all of that problem's).
    """

    name: str
    problems: tuple[str, ...]
    target: str
    kind: str
    summary: str
    options: tuple[Option, ...] = ()
    objectives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def supports(self, instance: Instance) -> bool:
        if instance.problem not in self.problems:
            return False
        allowed = self.objectives.get(instance.problem)
        return allowed is None or instance.objective in allowed

    def validate_options(self, options: Mapping[str, Any] | None,
                         problem: str | None = None) -> dict[str, Any]:
        """Options with defaults filled in; unknown ones (for ``problem``) are an error."""
        known = {o.name: o for o in self.options if o.applies(problem)}
        out = {o.name: o.default for o in known.values()}
        for key, value in (options or {}).items():
            if key not in known:
                listed = ", ".join(known) or "none"
                where = f" on {problem}" if problem else ""
                raise InputError(f"unknown option for method {self.name}{where} (known: "
                                 f"{listed})", field=f"option {key}")
            out[key] = known[key].coerce(value, self.name)
        return out

    def adapter(self) -> Callable[[Instance, RunContext], Outcome]:
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)


METHODS: dict[str, Method] = {}


def register(method: Method) -> Method:
    """Add ``method`` to the registry (names are unique)."""
    if method.name in METHODS:
        raise ValueError(f"method {method.name!r} registered twice")
    unknown = set(method.problems) - set(PROBLEMS)
    if unknown:
        raise ValueError(f"method {method.name!r}: unknown problems {sorted(unknown)}")
    METHODS[method.name] = method
    return method


def get_method(name: str) -> Method:
    """The registered method called ``name``, or InputError listing the known ones."""
    from . import methods  # noqa: F401 - fills the registry

    try:
        return METHODS[name]
    except KeyError:
        raise InputError(f"unknown method {name!r} (known: {', '.join(sorted(METHODS))}; "
                         "`schedkit methods` lists them)", field="method") from None
