"""pandas tables of results and schedules: :func:`to_dataframe`.

pandas is optional (the ``dataframe`` extra): it is imported only when a table is asked for, and
its absence is one clear error saying what to install.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from .result import Result, _jsonable, read_results

__all__ = ["to_dataframe", "run_row"]

#: Fields of a result that hold mappings: flattened into ``<field>.<key>`` columns.
_NESTED = ("options", "stats", "versions", "host")
#: Left out of the one-row-per-run table (the schedule has a table of its own).
_LEFT_OUT = ("solution",)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError("to_dataframe() needs pandas, which schedkit does not install by "
                          "itself: pip install pandas (or, from a checkout, pip install -e "
                          "'.[dataframe]')") from None
    return pandas


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def run_row(result: Result) -> dict[str, Any]:
    """One result as one flat row: every field but ``solution``; the mappings ``options``,
    ``stats``, ``versions`` and ``host`` become ``options.<key>`` … columns, keeping their
    scalar values (lists such as an ALNS objective trace stay in ``result.stats``)."""
    row: dict[str, Any] = {}
    for f in fields(Result):
        if f.name in _LEFT_OUT:
            continue
        value = _jsonable(getattr(result, f.name))
        if f.name in _NESTED:
            row.update({f"{f.name}.{k}": v for k, v in value.items() if _scalar(v)})
        else:
            row[f.name] = value
    return row


def to_dataframe(data: str | Path | Result | Iterable[Result] | Iterable[Mapping[str, Any]]
                 ) -> Any:
    """A :class:`pandas.DataFrame` of results (one row per run) or of a schedule (one row per
    task).

    Parameters
    ----------
    data
        A results file (JSON Lines, as ``schedkit solve --out`` writes), a
        :class:`~schedkit.Result` or an iterable of them: one row per run, columns as in
        :func:`run_row`. Or a schedule, the list of rows of :meth:`Result.schedule`: one row
        per task.

    Raises
    ------
    ImportError
        When pandas is not installed, saying what to install.
    InputError
        For a results file that cannot be read, naming the file and line.
    TypeError
        For anything else.
    """
    pd = _pandas()
    items: list[Any]
    if isinstance(data, str | Path):
        items = list(read_results(data))
    elif isinstance(data, Result):
        items = [data]
    else:
        items = list(data)
    results = [item for item in items if isinstance(item, Result)]
    if len(results) == len(items):
        return pd.DataFrame([run_row(r) for r in results])
    if all(isinstance(item, Mapping) for item in items):
        return pd.DataFrame(items)
    raise TypeError("to_dataframe() takes a results file, Results, or the rows of "
                    "Result.schedule()")
