"""What a problem family gives the shared machinery: its instance class, its evaluator, its
generator and its file formats.

Each family declares one :class:`Family` as ``FAMILY`` in ``schedkit/instances/<problem>/``;
:mod:`schedkit.instances.families` lists them, and the evaluator, the readers, the generators
and the JSON decoder dispatch through that one table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .base import Instance
from .checking import Found
from .text import Format

__all__ = ["Evaluator", "Family"]


class Evaluator(Protocol):
    """What a family's ``evaluate`` module provides (``metrics`` only where it has some)."""

    def check(self, instance: Any, solution: Any, found: Found, /) -> Any:
        """Parse the solution, add every broken rule to ``found`` and return the parsed
        solution (raise :class:`~schedkit.instances.checking.Malformed` when it cannot be read
        at all)."""

    def objective(self, instance: Any, parsed: Any, /) -> float:
        """The objective of a feasible parsed solution, from scratch."""

    def lower_bound(self, instance: Any, /) -> float:
        """A valid bound on the optimum that is cheap to compute."""

    def schedule(self, instance: Any, parsed: Any, solution: Any, /) -> list[dict[str, Any]]:
        """The per-task table of a feasible solution: one row (a dict of plain numbers) per
        task, naming its resource and, where the family has time, its start and end. The raw
        ``solution`` is given beside the parsed one for what parsing drops."""


@dataclass(frozen=True)
class Family:
    """One problem family.

    Parameters
    ----------
    model
        The :class:`~schedkit.instances.base.Instance` subclass; its ``problem`` is the id.
    evaluator
        The family's ``evaluate`` module (:class:`Evaluator`), with ``metrics(instance,
        parsed)`` beside if the family has derived numbers.
    generator
        ``generator(seed=…, **shape)``: the seeded instance generator.
    generator_choices
        The allowed values of the generator's text options, by option name.
    formats
        The family's file formats.
    """

    model: type[Instance]
    evaluator: Evaluator
    generator: Callable[..., Instance]
    generator_choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    formats: tuple[Format, ...] = ()

    @property
    def problem(self) -> str:
        """The problem id, e.g. ``"jobshop"``."""
        return self.model.problem

    @property
    def metrics(self) -> Callable[[Any, Any], dict[str, Any]] | None:
        """``metrics(instance, parsed)`` of the evaluator, if it has one."""
        found: Callable[[Any, Any], dict[str, Any]] | None = getattr(self.evaluator, "metrics",
                                                                      None)
        return found
