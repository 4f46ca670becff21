"""The shared envelope of the instance schema ``schedkit/instance@1``: :class:`Instance`,
:class:`Bounds` and the JSON number helpers.

Each problem family subclasses :class:`Instance` in its own folder
(``schedkit/instances/<problem>/model.py``). Every subclass validates on construction and raises
:class:`~schedkit.instances.errors.InputError` naming the offending field (``data.<field>[i]…``)
and value. Arrays are read-only numpy arrays (int64 where the quantity is integral, float64
otherwise). ``to_dict``/``from_dict`` give the JSON envelope of ``DESIGN.md`` §3;
:mod:`schedkit.instances.jsonio` reads and writes files.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ._fields import as_number, int_array, require_keys, require_mapping
from .errors import InputError

__all__ = ["SCHEMA", "Bounds", "Instance", "json_number", "json_numbers", "optional_vector"]

SCHEMA = "schedkit/instance@1"


def json_number(x: Any) -> int | float:
    """A number as JSON wants it: integral values as ``int`` so that files stay readable."""
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        return int(x)
    xf = float(x)
    return int(xf) if xf.is_integer() and abs(xf) < 2**53 else xf


def json_numbers(arr: Any) -> Any:
    """Nested lists of :func:`json_number` for an array (int arrays stay ints)."""
    a = np.asarray(arr)
    if a.dtype.kind in "iu":
        return a.tolist()
    if a.ndim == 0:
        return json_number(a.item())
    return [json_numbers(row) for row in a] if a.ndim > 1 else [json_number(v) for v in a]


@dataclass(frozen=True, kw_only=True)
class Bounds:
    """Best known bounds on the optimal objective (``lower == upper`` means the optimum is known).

    Parameters
    ----------
    lower, upper
        Best known lower and upper bound; either may be ``None``.
    source
        Where they come from (paper, file, solver run).
    """

    lower: float | int | None = None
    upper: float | int | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        for name in ("lower", "upper"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, json_number(as_number(v, f"bounds.{name}")))
        if self.lower is not None and self.upper is not None and self.lower > self.upper + 1e-9:
            raise InputError(
                f"lower bound {self.lower} exceeds upper bound {self.upper}", field="bounds"
            )
        if self.source is not None and not isinstance(self.source, str):
            raise InputError("must be a string", field="bounds.source")

    @property
    def optimum(self) -> float | int | None:
        """The optimum if it is known (``lower == upper``), else ``None``."""
        if self.lower is not None and self.lower == self.upper:
            return self.upper
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper, "source": self.source}

    @classmethod
    def from_dict(cls, obj: Any) -> Bounds | None:
        if obj is None:
            return None
        obj = require_mapping(obj, "bounds")
        require_keys(obj, "bounds", (), ("lower", "upper", "source"))
        return cls(lower=obj.get("lower"), upper=obj.get("upper"), source=obj.get("source"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class Instance(ABC):
    """Common envelope of every problem instance.

    Subclasses add the problem data. Two instances are equal when their canonical JSON documents
    are equal.

    Parameters
    ----------
    name
        Instance name, e.g. ``"ft06"``.
    objective
        One of the class's ``objectives``; empty means the problem's default (the first).
    bounds
        Best known bounds, if any.
    meta
        Free-form provenance: family, generator, seed, licence, scale factors, ...
    """

    problem: ClassVar[str] = ""
    objectives: ClassVar[tuple[str, ...]] = ()

    name: str = "unnamed"
    objective: str = ""
    bounds: Bounds | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"must be a non-empty string, got {self.name!r}", field="name")
        objective = self.objective or self.objectives[0]
        if objective not in self.objectives:
            raise InputError(
                f"unknown objective {objective!r} for {self.problem} "
                f"(choose from {', '.join(self.objectives)})",
                field="objective",
            )
        object.__setattr__(self, "objective", objective)
        if isinstance(self.bounds, Mapping):
            object.__setattr__(self, "bounds", Bounds.from_dict(self.bounds))
        elif self.bounds is not None and not isinstance(self.bounds, Bounds):
            raise InputError("must be an object with lower/upper/source", field="bounds")
        if not isinstance(self.meta, Mapping):
            raise InputError("must be an object", field="meta")
        _check_finite_json(self.meta, "meta")
        object.__setattr__(self, "meta", dict(self.meta))
        try:
            self._validate()
        except InputError as err:
            if err.field and not err.field.startswith(("data", "objective", "name", "bounds")):
                raise err.located(field_prefix="data") from None
            raise

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle (Dask, multiprocessing) with the arrays read-only again, as construction
        leaves them: pickling drops the flag, and Numba types a writeable array differently
        from a read-only one, so a kernel compiled (or cached) for the loaded instance would
        compile again, inside the time limit of a run in another process."""
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, key, value)

    # -- subclass hooks ---------------------------------------------------------------------
    @abstractmethod
    def _validate(self) -> None:
        """Check and normalise the problem fields (raise InputError naming the field)."""

    @abstractmethod
    def data_dict(self) -> dict[str, Any]:
        """The ``data`` member of the JSON document."""

    @classmethod
    @abstractmethod
    def _kwargs_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor keywords from the ``data`` member of a document."""

    @abstractmethod
    def size(self) -> str:
        """A short human description of the instance size, e.g. ``"6 jobs x 6 machines"``."""

    # -- envelope ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The whole ``schedkit/instance@1`` document as JSON-ready Python objects."""
        return {
            "schema": SCHEMA,
            "problem": self.problem,
            "name": self.name,
            "objective": self.objective,
            "data": self.data_dict(),
            "bounds": None if self.bounds is None else self.bounds.to_dict(),
            "meta": dict(self.meta),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], **envelope: Any) -> Instance:
        """Build from the ``data`` member of a document (fields named ``data.…`` on error)."""
        data = require_mapping(data, "data")
        try:
            kwargs = cls._kwargs_from_data(data)
        except InputError as err:
            if err.field and not err.field.startswith("data"):
                raise err.located(field_prefix="data") from None
            raise
        return cls(**kwargs, **envelope)

    def with_bounds(self, bounds: Bounds | None) -> Instance:
        """A copy with other best-known bounds."""
        import dataclasses

        return dataclasses.replace(self, bounds=bounds)

    def with_objective(self, objective: str) -> Instance:
        """A copy with another objective."""
        import dataclasses

        return dataclasses.replace(self, objective=objective, bounds=None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(name={self.name!r}, {self.size()}, "
                f"objective={self.objective!r})")


def _check_finite_json(value: Any, field: str) -> None:
    """Raise naming the first NaN or infinite number inside nested lists and mappings.

    JSON has no such numbers, so an instance holding one (in ``meta``, say) could not be
    written.
    """
    stack: list[tuple[Any, str]] = [(value, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float | np.floating):
            if not np.isfinite(item):
                raise InputError(f"must be a finite number, got {float(item)!r}", field=where)
        elif isinstance(item, Mapping):
            stack.extend((v, f"{where}.{k}") for k, v in reversed(list(item.items())))
        elif isinstance(item, list | tuple):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, np.ndarray) and item.dtype.kind == "f" and item.size \
                and not np.isfinite(item).all():
            raise InputError("must hold finite numbers", field=where)


def optional_vector(
    value: Any, field: str, n: int, default: int, *, min_value: int | None = None
) -> np.ndarray:
    """``value`` as a read-only int64 (n,) array, or ``default`` everywhere when it is None."""
    if value is None:
        out = np.full(n, default, dtype=np.int64)
        out.setflags(write=False)
        return out
    return int_array(value, field, min_value=min_value, shape=(n,))
