"""Shared helpers of the readers: the :class:`Format` record, file reading, the one tokenizer,
integers, options, caches.

Each family declares its file formats in ``schedkit/instances/<problem>/readers.py`` as
:class:`Format` records; :mod:`schedkit.instances.readers` collects them.

Every text reader goes through :func:`iter_tokens` / :func:`iter_lines`, so comment handling and
line numbering are the same everywhere: lines are split on ``"\\n"`` only (an editor's line
numbers), blank lines and lines whose first non-blank character is ``#`` are skipped.
"""

from __future__ import annotations

import csv
import functools
import itertools
import json
import math
import numbers
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, overload

from .base import Instance
from .errors import InputError

__all__ = [
    "Format",
    "Reader",
    "Writer",
    "read_text",
    "iter_tokens",
    "iter_lines",
    "to_int",
    "is_int_token",
    "parse_json",
    "parse_json_object",
    "json_path",
    "Options",
    "file_cache",
    "read_csv_rows",
    "cycle_member",
    "get_key",
    "get_list",
    "get_map",
    "get_str",
    "get_number",
    "get_count",
    "check_rows_left",
    "relocate",
    "renamed",
]

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DIGITS = re.compile(r"[+-]?[0-9]+")
# 2**53: beyond it int64 arrays and float bounds stop being exact.
_MAX_INT = 2**53


Reader = Callable[[str, Path, "Options"], Instance]
Writer = Callable[[Instance, Path], None]


@dataclass(frozen=True)
class Format:
    """One file format: what it holds, the options its reader takes, its reader and writer.

    ``json_key`` = (top-level key, label) for a JSON format recognised by that key
    (:func:`schedkit.instances.readers.detect_format`).
    """

    name: str
    problem: str
    description: str
    options: tuple[str, ...]
    reader: Reader
    writer: Writer | None = None
    json_key: tuple[str, str] | None = None


def read_text(path: Path) -> str:
    """The file's text (UTF-8, an optional BOM dropped) or an :class:`InputError`."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", source=str(path), line=line) from None


def iter_tokens(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_no, token)`` for every whitespace-separated token (1-based lines).

    Blank lines and ``#`` comment lines are skipped.
    """
    for line_no, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for token in stripped.split():
            yield line_no, token


def iter_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_no, tokens)`` for every non-blank, non-comment line."""
    for line_no, group in itertools.groupby(iter_tokens(text), key=itemgetter(0)):
        yield line_no, [token for _, token in group]


def is_int_token(token: str) -> bool:
    """Whether ``token`` is a decimal integer (ASCII digits, optional sign)."""
    return _DIGITS.fullmatch(token) is not None


def _show(token: str) -> str:
    return repr(token) if len(token) <= 30 else repr(token[:27] + "...")


def to_int(
    token: str,
    line: int | None,
    field: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    what: str = "",
) -> int:
    """Parse a decimal integer token; errors name ``field`` and ``line``.

    Only ASCII digits with an optional sign are accepted (Python's ``int`` would also take
    ``"1_0"`` and non-ASCII digits, which no benchmark file contains on purpose).
    """
    if not _INT.fullmatch(token):
        if is_int_token(token):
            raise InputError(f"integer too large, got {_show(token)}", field=field, line=line)
        raise InputError(f"must be an integer, got {_show(token)}", field=field, line=line)
    value = int(token)
    if abs(value) > _MAX_INT:
        raise InputError(f"integer too large (> 2**53), got {value}", field=field, line=line)
    if min_value is not None and value < min_value:
        raise InputError(f"must be >= {min_value}{what}, got {value}", field=field, line=line)
    if max_value is not None and value > max_value:
        raise InputError(f"must be <= {max_value}{what}, got {value}", field=field, line=line)
    return value


def _no_constant(name: str) -> Any:
    raise InputError(f"invalid JSON: {name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputError(f"number too large: {_show(text)}")
    return value


def _locate(text: str, pattern: str) -> tuple[int | None, str]:
    """Where the first number token matching ``pattern`` is (outside a word, a decimal or a
    string's quotes): its line (``None`` in a one-line document, where the column says all)
    and a ``" (column c)"`` note, or ``(None, "")``."""
    match = re.search(r"(?<![\w.\"])(?:" + pattern + r")(?![\w.\"])", text)
    if match is None:
        return None, ""
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return (line if "\n" in text.strip() else None), f" (column {column})"


def parse_json(text: str) -> Any:
    """``json.loads`` with its errors turned into a one-line :class:`InputError` with the line.

    NaN, Infinity, numbers that overflow a float (``1e999``) and integers of more than 4300
    digits are errors too, located at the first such number.
    """
    if not text.strip():
        raise InputError("file is empty")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except InputError as err:
        # NaN / Infinity / 1e999: json.loads does not say where; find the token.
        pattern = r"-?(?:NaN|Infinity)|-?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+|-?[0-9]+\.[0-9]+"
        line, note = None, ""
        for match in re.finditer(pattern, text):
            token = match.group(0)
            if token.lstrip("-") in ("NaN", "Infinity") or not math.isfinite(float(token)):
                line, note = _locate(text, re.escape(token))
                break
        raise InputError(err.message + note, line=line) from None
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON: {err.msg} (column {err.colno})",
                         line=err.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    except ValueError as err:
        # e.g. an integer of more than 4300 digits (Python's int conversion limit)
        line, note = _locate(text, r"-?[0-9]{4301,}")
        what = "an integer of more than 4300 digits" if note else \
            str(err).splitlines()[0][:80]
        raise InputError(f"invalid JSON: {what}{note}", line=line) from None


def parse_json_object(text: str) -> Mapping[str, Any]:
    """:func:`parse_json` of a document that must be a JSON object; otherwise the error names
    the line where the document starts."""
    doc = parse_json(text)
    if not isinstance(doc, Mapping):
        start = len(text) - len(text.lstrip())
        raise InputError(f"the document must be a JSON object, got {_brief(doc)}",
                         line=text.count("\n", 0, start) + 1)
    return doc


def json_path(*parts: str | int) -> str:
    """``json_path("a", "b", 3, "c")`` -> ``"a.b[3].c"``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class Options:
    """The ``**options`` of one reader call, checked against the names the format accepts.

    Values may be Python objects or strings (as a command line passes them); the getters coerce
    and check them and raise :class:`InputError` naming ``options.<name>``.
    """

    def __init__(self, fmt: str, accepted: Sequence[str], given: Mapping[str, Any]) -> None:
        self.fmt = fmt
        self.values = dict(given)
        for name in self.values:
            if name not in accepted:
                ok = ", ".join(accepted) if accepted else "none"
                raise InputError(
                    f"unknown option {name!r} for format {fmt!r} (accepted: {ok})",
                    field=f"options.{name}",
                )

    def given(self, name: str) -> bool:
        return self.values.get(name) is not None

    def _error(self, name: str, message: str) -> InputError:
        return InputError(message, field=f"options.{name}")

    @overload
    def get_int(self, name: str, default: int, *, min_value: int = 0) -> int: ...
    @overload
    def get_int(self, name: str, default: None, *, min_value: int = 0) -> int | None: ...

    def get_int(self, name: str, default: int | None, *, min_value: int = 0) -> int | None:
        """Option ``name`` as an integer >= ``min_value`` (``default`` when not given)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str) and _INT.fullmatch(value.strip()):
            value = int(value)
        elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = int(value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise self._error(name, f"must be an integer, got {value!r}")
        if value < min_value:
            raise self._error(name, f"must be >= {min_value}, got {value}")
        return value

    @overload
    def get_float(self, name: str, default: float, *, min_value: float | None = None,
                  max_value: float | None = None, positive: bool = False) -> float: ...
    @overload
    def get_float(self, name: str, default: None, *, min_value: float | None = None,
                  max_value: float | None = None, positive: bool = False) -> float | None: ...

    def get_float(
        self,
        name: str,
        default: float | None,
        *,
        min_value: float | None = None,
        max_value: float | None = None,
        positive: bool = False,
    ) -> float | None:
        """Option ``name`` as a finite number in the given range (``default`` when not
        given)."""
        value = self.values.get(name)
        if value is None:
            return default
        return self._number(name, value, min_value=min_value, max_value=max_value,
                            positive=positive)

    def _number(self, name: str, value: Any, *, min_value: float | None = None,
                max_value: float | None = None, positive: bool = False) -> float:
        try:
            if isinstance(value, bool):
                raise TypeError
            out = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise self._error(name, f"must be a number, got {value!r}") from None
        if not math.isfinite(out):
            raise self._error(name, f"must be finite, got {value!r}")
        if positive and out <= 0:
            raise self._error(name, f"must be > 0, got {out:g}")
        if min_value is not None and out < min_value:
            raise self._error(name, f"must be >= {min_value:g}, got {out:g}")
        if max_value is not None and out >= max_value:
            raise self._error(name, f"must be < {max_value:g}, got {out:g}")
        return out

    def get_floats(self, name: str) -> list[float] | None:
        """A list of positive numbers, given as a sequence or a comma-separated string."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if not isinstance(value, Sequence) or not value:
            raise self._error(name, f"must be a non-empty list of numbers, got {value!r}")
        return [self._number(f"{name}[{i}]", v, positive=True) for i, v in enumerate(value)]

    def get_str(self, name: str, default: str | None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._error(name, f"must be a string, got {value!r}")
        return value


T = TypeVar("T")
_RACY_NS = 2_000_000_000


def file_cache(loader: Callable[..., T]) -> Callable[..., T]:
    """Cache ``loader(path, *args)`` per file, invalidated when the file's mtime or size changes.

    Used for the big shared files (the OR-Library streams, bound tables) that every bundled
    instance of a family reads again; callers must treat the result as read-only. Errors are
    not cached.
    """

    @functools.lru_cache(maxsize=16)
    def cached(key: str, mtime_ns: int, size: int, *args: Any) -> T:
        return loader(Path(key), *args)

    @functools.wraps(loader)
    def wrapper(path: Path, *args: Any) -> T:
        try:
            st = path.stat()
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror or err}", source=str(path)) from None
        if time.time_ns() - st.st_mtime_ns < _RACY_NS:
            # Modified just now: a rewrite within the file system's timestamp granularity
            # could keep mtime and size, so do not trust (or fill) the cache (git's "racy" rule).
            return loader(path, *args)
        return cached(str(path), st.st_mtime_ns, st.st_size, *args)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper


def read_csv_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header (``#`` comment lines before it skipped) and their lines.

    Raises :class:`InputError` naming the file when a required column is missing or a row has
    the wrong number of cells.
    """
    text = read_text(path)
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].startswith("#")):
        start += 1
    try:
        reader = csv.reader(lines[start:])
        header = next(reader, None)
        if header is None:
            raise InputError("file is empty", source=str(path))
        header = [h.strip() for h in header]
        for col in required:
            if col not in header:
                raise InputError(f"missing column {col!r}", source=str(path), line=start + 1)
        rows = []
        for offset, cells in enumerate(reader):
            line = start + 2 + offset
            if not cells or not "".join(cells).strip():
                continue
            if len(cells) != len(header):
                raise InputError(f"expected {len(header)} cells, got {len(cells)}",
                                 source=str(path), line=line)
            rows.append((line, dict(zip(header, (c.strip() for c in cells), strict=True))))
        return rows
    except csv.Error as err:
        raise InputError(f"malformed CSV: {err}", source=str(path)) from None


def cycle_member(preds: Sequence[Sequence[int]]) -> int | None:
    """A node on a directed cycle of the graph given by predecessor lists, or ``None``."""
    n = len(preds)
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [len(p) for p in preds]
    for v, ps in enumerate(preds):
        for u in ps:
            succ[u].append(v)
    ready = [t for t in range(n) if indeg[t] == 0]
    done = 0
    while ready:
        t = ready.pop()
        done += 1
        for v in succ[t]:
            indeg[v] -= 1
            if indeg[v] == 0:
                ready.append(v)
    if done == n:
        return None
    # Every unfinished node has an unfinished predecessor: walk back until a node repeats.
    t = next(i for i in range(n) if indeg[i] > 0)
    seen: set[int] = set()
    while t not in seen:
        seen.add(t)
        t = next(u for u in preds[t] if indeg[u] > 0)
    return t


# -- JSON navigation with errors that name the path ----------------------------------------------
def _brief(value: Any) -> str:
    """A short description of a JSON value for an error message."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return _show(json.dumps(value) if isinstance(value, str) else repr(value))


def get_map(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"must be an object, got {_brief(value)}", field=field)
    return value


def get_key(obj: Mapping[str, Any], key: str, field: str) -> Any:
    if key not in obj:
        raise InputError("is missing", field=json_path(field, key) if field else key)
    return obj[key]


def get_list(value: Any, field: str, *, non_empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"must be a list, got {_brief(value)}", field=field)
    if non_empty and not value:
        raise InputError("must not be empty", field=field)
    return value


def get_str(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"must be a non-empty string, got {_brief(value)}",
                         field=field)
    return value


def get_number(value: Any, field: str, *, min_value: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise InputError(f"must be a number, got {_brief(value)}", field=field)
    if isinstance(value, int) and abs(value) >= 2**1023:
        raise InputError(f"number too large, got {_show(str(value))}", field=field)
    out = float(value)
    if not math.isfinite(out):
        raise InputError(f"number too large, got {_show(str(value))}", field=field)
    if min_value is not None and out < min_value:
        raise InputError(f"must be >= {min_value:g}, got {out:g}", field=field)
    return out


def get_count(obj: Mapping[str, Any], key: str, field: str, default: int | None = None) -> int:
    """``obj[key]`` (or ``default``) as an integer >= 1, naming ``field.key`` on error."""
    value = obj.get(key, default) if default is not None else get_key(obj, key, field)
    x = get_number(value, json_path(field, key), min_value=1)
    if not x.is_integer():
        raise InputError(f"must be an integer, got {x:g}", field=json_path(field, key))
    return int(x)


# -- sizes announced by a header, and model errors traced back to their line ---------------------
def check_rows_left(lines: Sequence[tuple[int, Sequence[str]]], pos: int, count: int,
                    field: Callable[[int], str], expected: str, announced: str) -> None:
    """Check that ``count`` data lines from ``pos`` on exist before reading any of them.

    A header's size (``n m``, the STG task count) is checked against the file's length
    before anything is allocated for it; the error is the one reading row by row would give
    at the end of the file (the first missing row's field, the last line), plus what the
    header announced.

    Parameters
    ----------
    lines
        The file's data lines (:func:`iter_lines`).
    pos, count
        The first row and how many rows the header announces.
    field
        The field of the ``i``-th row (0-based, counted from ``pos``).
    expected
        What a row holds, e.g. ``"a line of 6 numbers (machine duration pairs)"``.
    announced
        What the header said, e.g. ``"the header announces 10 jobs"``.
    """
    have = len(lines) - pos
    if have < count:
        raise InputError(f"unexpected end of file: expected {expected} ({announced}, the file "
                         f"has {max(have, 0)})", field=field(max(have, 0)),
                         line=lines[-1][0] if lines else None)


def relocate(err: InputError, pattern: str, line_of: Callable[[re.Match[str]], int | None],
             prefix: str = "data.") -> InputError:
    """A model error (``data.jobs[3]…``) as a text reader reports it: the field without
    ``prefix`` and, when ``pattern`` matches the field, the line ``line_of(match)`` gives."""
    field = err.field or ""
    if field.startswith(prefix):
        field = field[len(prefix):]
    match = re.match(pattern, field)
    line = line_of(match) if match else None
    return InputError(err.message, field=field or None, source=err.source,
                      line=err.line if err.line is not None else line)


def renamed(err: InputError, names: Mapping[str, str]) -> InputError:
    """A model error under the field names of the file it was read from.

    ``names`` maps a model field prefix (``"data.cost"``) to the file's (``"exec_time"``); the
    longest matching prefix wins, the rest of the field (indices) is kept.
    """
    field = err.field or ""
    for old in sorted(names, key=len, reverse=True):
        if field == old or field.startswith((old + ".", old + "[")):
            field = names[old] + field[len(old):]
            break
    return InputError(err.message, field=field or None, source=err.source, line=err.line)
