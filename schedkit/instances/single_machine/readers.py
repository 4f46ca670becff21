"""OR-Library single-machine weighted tardiness streams (``wt40.txt``, ``wt50.txt``, ``wt100.txt``).

Format (J.E. Beasley's OR-Library, "wt" problem area; instances of H.A.J. Crauwels, C.N. Potts &
L.N. Van Wassenhove, "Local search heuristics for the single machine total weighted tardiness
scheduling problem", INFORMS J. Computing 10:341-350, 1998): a flat stream of whitespace-separated
integers, line breaks irrelevant; for each instance in turn, n processing times, then n weights,
then n due dates. n is not in the file: it comes from the file name ``wtN.txt`` or the option
``n=``, and must be plausible for the file: one instance needs 3n integers. Option
``instance=k`` (1-based, default 1) picks the instance; it is named ``wtN-k``. The instance's
exactness cap (:mod:`~schedkit.instances.single_machine.model`) is reported with the line of the
integer it names.

Best-known values are attached as :class:`~schedkit.instances.base.Bounds` when a best-known file
lies in the same folder: ``wtbestNb.txt`` (OR-Library's newest, with the dynasearch improvements
of Congram, Potts & van de Velde), else ``wtoptN.txt``, else ``wtbestNa.txt`` — 125 integers, one
per instance. They are upper bounds; the lower bound is set equal only where the index
``orlib_wt_index.csv`` (same folder or its parent) marks the instance ``optimal`` with the same
value (OR-Library's own statement, ``wtinfo.txt``: optimal for 124 of the 125 n = 40 instances).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..base import Bounds
from ..errors import InputError
from ..text import (
    Format,
    Options,
    file_cache,
    iter_tokens,
    read_csv_rows,
    read_text,
    relocate,
    to_int,
)
from .model import SingleMachine

__all__ = ["FORMATS", "read_orlib_wt", "wt_size_from_name", "count_wt_instances"]

_NAME = re.compile(r"wt(\d+)(?!\d)", re.IGNORECASE)
_PARTS = ("processing", "weight", "due")
_INDEX = "orlib_wt_index.csv"


def wt_size_from_name(path: Path) -> int | None:
    """n from a file name ``wtN…`` (``wt40.txt`` -> 40), else ``None``."""
    match = _NAME.match(path.name)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _where(i: int, n: int) -> tuple[str, str]:
    """Field and instance note of the i-th integer of a stream of size-n instances."""
    k, r = divmod(i, 3 * n)
    part, j = divmod(r, n)
    return f"{_PARTS[part]}[{j}]", f" (instance {k + 1})"


@file_cache
def _stream(path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All instances of the file as (K, 3, n) values and their line numbers, validated."""
    values: list[int] = []
    lines: list[int] = []
    for i, (line, token) in enumerate(iter_tokens(read_text(path))):
        field, note = _where(i, n)
        try:
            # processing times and weights are >= 0; due dates may be any integer
            value = to_int(token, line, field, min_value=None if field.startswith("due") else 0)
        except InputError as err:
            raise InputError(err.message + note, field=field, line=line,
                             source=str(path)) from None
        values.append(value)
        lines.append(line)
    if not values:
        raise InputError("file is empty", source=str(path))
    if len(values) < 3 * n:
        raise InputError(f"n = {n} needs 3*n = {3 * n} integers per instance, the file holds "
                         f"{len(values)}", field="n", line=lines[-1], source=str(path))
    if len(values) % (3 * n):
        field, note = _where(len(values), n)
        raise InputError(f"unexpected end of file: {len(values)} integers is not a multiple of "
                         f"3*n = {3 * n}; {field} is missing{note}", field=field,
                         line=lines[-1], source=str(path))
    shape = (len(values) // (3 * n), 3, n)
    out = (np.asarray(values, dtype=np.int64).reshape(shape),
           np.asarray(lines, dtype=np.int64).reshape(shape))
    for arr in out:
        arr.setflags(write=False)  # shared through the cache
    return out


def count_wt_instances(path: Path, n: int) -> int:
    """Number of instances in a stream (cheap count of its integers, no validation)."""
    return len(read_text(path).split()) // (3 * n)


@file_cache
def _best_known_file(path: Path) -> tuple[int, ...]:
    values = [to_int(tok, line, f"best_known[{i}]", min_value=0)
              for i, (line, tok) in enumerate(iter_tokens(read_text(path)))]
    return tuple(values)


@file_cache
def _index_file(path: Path) -> dict[tuple[str, int], dict[str, str]]:
    rows = read_csv_rows(path, ("file", "instance", "best_known", "orlib_status"))
    out = {}
    for line, row in rows:
        k = to_int(row["instance"], line, "instance", min_value=1)
        out[(row["file"], k)] = row
    return out


def _best_known(path: Path, n: int, k: int) -> tuple[Bounds, dict[str, Any]] | None:
    folder = path.parent
    for name in (f"wtbest{n}b.txt", f"wtopt{n}.txt", f"wtbest{n}a.txt"):
        bk_path = folder / name
        if bk_path.is_file():
            break
    else:
        return None
    try:
        values = _best_known_file(bk_path)
    except InputError as err:
        raise err.located(str(bk_path)) from None
    if k > len(values):
        return None
    best = values[k - 1]
    row: dict[str, str] | None = None
    index_path = None
    for candidate in (folder / _INDEX, folder.parent / _INDEX):
        if candidate.is_file():
            index_path = candidate
            row = _index_file(candidate).get((path.name, k))
            break
    optimal = (row is not None and row["orlib_status"] == "optimal"
               and row["best_known"] == str(best))
    source = (f"OR-Library {name} (Beasley 1990; Crauwels, Potts & Van Wassenhove 1998"
              + ("; dynasearch improvements of Congram, Potts & van de Velde" if
                 name.endswith("b.txt") else "") + ")")
    if optimal:
        source += f"; optimal per {index_path.name if index_path else _INDEX}"
    else:
        source += "; best known, not proved optimal in the source"
    extra: dict[str, Any] = {}
    for key in ("rdd", "tf", "replicate"):
        try:
            value = float(row[key]) if row is not None else None
        except (KeyError, ValueError):
            # descriptive columns only: a bad cell loses the note, not the instance
            value = None
        if value is not None and math.isfinite(value):
            extra[key] = int(value) if key == "replicate" else value
    return Bounds(lower=best if optimal else None, upper=best, source=source), extra


def read_orlib_wt(text: str, path: Path, opts: Options) -> SingleMachine:
    """Read one instance of an OR-Library ``wtN.txt`` stream; see the module docstring."""
    n = opts.get_int("n", None, min_value=1) or wt_size_from_name(path)
    if n is None:
        raise InputError("cannot tell n from the file name (expected wtN.txt); pass n=",
                         field="options.n")
    k = opts.get_int("instance", 1, min_value=1)
    values, lines = _stream(path, n)
    if k > values.shape[0]:
        raise InputError(f"the file holds {values.shape[0]} instances of n = {n}, got {k}",
                         field="options.instance")
    p, w, d = values[k - 1]
    meta: dict[str, Any] = {"format": "orlib-wt", "source_file": path.name, "n": n,
                            "instance": k}
    bounds = None
    found = _best_known(path, n, k)
    if found is not None:
        bounds, extra = found
        meta.update(extra)
    try:
        return SingleMachine(processing=p, weight=w, due=d, name=f"{path.stem}-{k}",
                             objective="total_weighted_tardiness", bounds=bounds, meta=meta)
    except InputError as err:
        def line_of(match: re.Match[str]) -> int:
            return int(lines[k - 1, _PARTS.index(match.group(1)), int(match.group(2))])

        err = relocate(err, r"(processing|weight|due)\[(\d+)\]", line_of)
        raise InputError(f"{err.message} (instance {k})", field=err.field,
                         line=err.line) from None


#: The single-machine file formats (:mod:`schedkit.instances.readers` collects them).
FORMATS = (
    Format("orlib-wt", "single_machine", "OR-Library weighted tardiness stream wtN.txt",
           ("n", "instance"), read_orlib_wt),
)
