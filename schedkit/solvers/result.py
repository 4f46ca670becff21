"""The results schema ``schedkit/result@1``: one frozen :class:`Result` per run, JSON Lines."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..heuristics.search import StopReason
from ..instances import InputError, Instance, instance_sha256, load
from ..instances.evaluate import schedule as schedule_of

__all__ = ["RESULT_SCHEMA", "STATUSES", "REL_TOL", "Status", "StopReason", "Result",
           "read_results", "validate_record", "gap", "gap_to_best_known",
           "gap_to_best_known_text", "legacy_gap_to_best_known", "close"]

RESULT_SCHEMA = "schedkit/result@1"

#: Relative tolerance within which a backend's objective or bound and the evaluator's agree
#: (backends work in floats): ``|a − b| <= REL_TOL · max(1, |a|, |b|)``.
REL_TOL = 1e-6


def close(a: float, b: float) -> bool:
    """``a`` and ``b`` agree within :data:`REL_TOL`."""
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


class Status(StrEnum):
    """The status of a result (``DESIGN.md`` §4)."""

    #: A verified solution, proved optimal.
    OPTIMAL = "optimal"
    #: A verified solution without a proof of optimality.
    FEASIBLE = "feasible"
    #: Proved to have no solution.
    INFEASIBLE = "infeasible"
    #: No solution and no proof.
    UNKNOWN = "unknown"
    #: The method failed, or returned a solution the evaluator rejected.
    ERROR = "error"



#: The status values: ``optimal`` proved; ``feasible`` verified solution without proof;
#: ``infeasible`` proved; ``unknown`` no solution and no proof; ``error`` the method failed or
#: returned a solution the evaluator rejected.
STATUSES = tuple(s.value for s in Status)


def gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``(objective − bound) / max(|objective|, 1e-9)`` (DESIGN.md §4)."""
    if objective is None or bound is None:
        return None
    return (float(objective) - float(bound)) / max(abs(float(objective)), 1e-9)


def gap_to_best_known(objective: float | None, best_known: float | None) -> float | None:
    """Relative deviation from the best known value, ``(objective − best_known) / |best_known|``
    (the relative percentage deviation of the literature, as a fraction: 0.0123 is 1.23 %).

    Positive when the objective is worse than the best known, negative when it beats it.
    ``None`` without an objective or a best known value, and where the best known value is 0
    (tardiness instances whose optimum is 0): no ratio exists there, and
    :func:`gap_to_best_known_text` shows the absolute difference instead.

    Records written before this definition hold ``(objective − best_known) / |objective|``,
    or ``objective`` itself where the best known value is 0 (:func:`legacy_gap_to_best_known`);
    :meth:`Result.from_dict` re-derives the field, so those files read with this meaning.
    """
    if objective is None or best_known is None or best_known == 0:
        return None
    return (float(objective) - float(best_known)) / abs(float(best_known))


def legacy_gap_to_best_known(objective: float | None, best_known: float | None
                             ) -> float | None:
    """``gap_to_best_known`` as records written before :func:`gap_to_best_known`'s definition
    hold it: :func:`gap` against the best known value, or the objective where that is 0."""
    if objective is None or best_known is None:
        return None
    if best_known == 0:
        return float(objective)
    return gap(objective, best_known)


def gap_to_best_known_text(objective: float | None, best_known: float | None) -> str:
    """The table cell of :func:`gap_to_best_known`, shared by ``schedkit solve`` and the bench
    tables: ``"1.23%"``; where the best known value is 0, the absolute difference labelled as
    such, ``"+12 (bk 0)"`` (``"0 (bk 0)"`` at the best known value); ``"-"`` without an
    objective or a best known value.

    Its arguments are an objective and the best known value rather than a ratio, because the
    mean deviation of several runs of one instance is the deviation of their mean objective.
    """
    if objective is None or best_known is None:
        return "-"
    ratio = gap_to_best_known(objective, best_known)
    if ratio is None:
        diff = float(objective) - float(best_known)
        return f"{'0' if diff == 0 else f'{diff:+.6g}'} (bk 0)"
    return f"{100 * ratio:.2f}%"


@dataclass(frozen=True, kw_only=True)
class Result:
    """The outcome of one run of one method on one instance (DESIGN.md §4).

    ``stop_reason`` is a :class:`StopReason` value (records written before the vocabulary was
    fixed may hold free text, which is read as it is); ``stop_detail`` says more in words.
    ``gap`` is :func:`gap` of the objective and the bound; ``best_known`` the instance's
    ``bounds.upper``; ``gap_to_best_known`` the relative deviation from it,
    :func:`gap_to_best_known` (``None`` where the best known value is 0).
    """

    schema: str = RESULT_SCHEMA
    problem: str
    instance: str
    instance_sha256: str
    method: str
    options: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    time_limit_s: float | None = None
    workers: int = 1
    status: Status = Status.UNKNOWN
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    best_known: float | None = None
    gap_to_best_known: float | None = None
    runtime_s: float = 0.0
    solution: Mapping[str, Any] | None = None
    verified: bool = False
    stop_reason: str = StopReason.FINISHED
    stop_detail: str = ""
    stats: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    host: Mapping[str, Any] = field(default_factory=dict)
    started_at: str = ""

    def __post_init__(self) -> None:
        if type(self.status) is not Status:  # a member needs neither the check nor the lookup
            if self.status not in STATUSES:
                raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
            object.__setattr__(self, "status", Status(self.status))
        if type(self.stop_reason) is not StopReason and self.stop_reason in _STOP_REASONS:
            object.__setattr__(self, "stop_reason", StopReason(self.stop_reason))

    @property
    def ok(self) -> bool:
        """A verified solution exists (``optimal`` or ``feasible``)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def instance_for(self, instance: Instance | None = None) -> Instance:
        """The instance this result was solved on: ``instance`` if given, else the bundled
        instance of the recorded name (:func:`~schedkit.load`); either way it must have the
        recorded ``instance_sha256``.

        Raises
        ------
        InputError
            When no bundled instance has that name, or the instance is another one.
        """
        if instance is None:
            try:
                instance = load(self.instance)
            except InputError as err:
                raise InputError(f"{err.message}; pass the instance the result was solved on",
                                 field="instance") from None
        if self.instance_sha256 != instance_sha256(instance):
            raise InputError(f"the result is for another instance than {instance.name!r} "
                             "(sha256 differs); pass the instance it was solved on",
                             field="instance")
        return instance

    def schedule(self, instance: Instance | None = None) -> list[dict[str, Any]]:
        """The solution as a per-task table: one dict per task, naming its resource and, where
        the problem has time, its start and end; :func:`schedkit.schedule` lists the columns of
        each problem (a job-shop row: job, operation, machine, start, end, duration).

        ``pandas.DataFrame(result.schedule())`` or :func:`schedkit.to_dataframe` make a table
        of it.

        Parameters
        ----------
        instance
            The instance it was solved on; ``None`` loads the bundled instance of that name
            (see :meth:`instance_for`).

        Raises
        ------
        InputError
            When the result has no solution, is for another instance, or its solution is
            infeasible on the instance.
        """
        if self.solution is None:
            raise InputError(f"the result has no solution (status {self.status})",
                             field="solution")
        return schedule_of(self.instance_for(instance), self.solution)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    def to_json(self) -> str:
        """One line of JSON (a JSON Lines record)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], *, source: str | None = None,
                  line: int | None = None) -> Result:
        """Build from a record, validating it against the results schema."""
        validate_record(record, source=source, line=line)
        return cls(**_known_fields(record))


_STOP_REASONS = frozenset(r.value for r in StopReason)


def _known_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's :class:`Result` fields, with ``gap_to_best_known`` re-derived from the
    objective and the best known value: the field is derived data, and files written before
    its definition changed (:func:`legacy_gap_to_best_known`) then read with today's meaning.
    """
    names = {f.name for f in fields(Result)}
    out = {k: v for k, v in record.items() if k in names}
    if "gap_to_best_known" in out:
        out["gap_to_best_known"] = gap_to_best_known(out.get("objective"), out.get("best_known"))
    return out


def _jsonable(obj: Any) -> Any:
    """Plain JSON types; NaN/inf become null (JSON has no such numbers)."""
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


@cache
def result_schema() -> dict[str, Any]:
    """The results schema ``result.schema.json`` (read once; callers must not modify it)."""
    text = resources.files("schedkit.solvers").joinpath("result.schema.json").read_text()
    return json.loads(text)


def validate_record(record: Any, *, source: str | None = None, line: int | None = None) -> None:
    """Check one results record against ``result.schema.json``.

    Raises
    ------
    InputError
        Naming the file, line and the first offending field.
    """
    check_against(result_schema(), record, source=source, line=line)


def check_against(schema: Mapping[str, Any], record: Any, *, source: str | None = None,
                  line: int | None = None) -> None:
    """Validate ``record`` against a JSON Schema; InputError naming the file, line and the
    first offending field."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "record"
        raise InputError(err.message, field=where, source=source, line=line)


def json_lines(text: str, source: str) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed JSON)`` of each non-blank line of a JSON Lines text; InputError
    naming ``source`` and the line for one that is not JSON."""
    for no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield no, json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"invalid JSON: {err.msg}", source=source, line=no) from None


def read_results(path: str | Path) -> Iterator[Result]:
    """Results of a JSON Lines file, each validated (blank lines skipped)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read results: {err}", source=str(path)) from None
    for no, record in json_lines(text, str(path)):
        yield Result.from_dict(record, source=str(path), line=no)
