"""Field coercion with errors that name the offending field and value, and the caps that keep
every objective finite and exact.

Used by the dataclass constructors (so a Python caller gets the same messages as a file reader)
and by the JSON decoder.

Caps (checked by each family's ``_validate``, so Python callers, JSON files and every reader
get the same check):

* :data:`EXACT_LIMIT` = 2**53. Integer data (job shop, single machine, sequence lengths) must
  keep every objective of every schedule the family's bound covers strictly below it: float64
  represents every integer below 2**53 exactly, so the evaluator's float sums and products of
  such integers are exact, and CP-SAT's int64 arithmetic has room to spare.
  :func:`check_exact` raises the error.
* :data:`FLOAT_LIMIT` = 1e300. Float data (DAG costs and transfers, expert loads times hop
  costs, FlexSP coefficients times lengths) must keep the largest possible objective at most
  this, with room below float64's 1.8e308 for the sums, ratios and noise factors the
  heuristics and metrics apply on top. :func:`check_float_total` raises the error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = [
    "EXACT_LIMIT",
    "FLOAT_LIMIT",
    "as_int",
    "as_number",
    "int_array",
    "float_array",
    "require_mapping",
    "require_keys",
    "exact_sum",
    "check_exact",
    "check_float_total",
    "float_total",
    "is_scalar",
]

#: Integer objectives must stay strictly below this (every integer below it is exact in float64).
EXACT_LIMIT = 2**53
#: Float objectives must stay at most this (float64 overflows to inf beyond about 1.8e308).
FLOAT_LIMIT = 1e300


def _is_int(x: Any) -> bool:
    if isinstance(x, bool | np.bool_):
        return False
    if isinstance(x, int | np.integer):
        return True
    return isinstance(x, float | np.floating) and math.isfinite(x) and float(x).is_integer()


def _is_number(x: Any) -> bool:
    if isinstance(x, bool | np.bool_):
        return False
    if isinstance(x, int | np.integer):
        return abs(int(x)) < 2**1023  # float() of a larger int overflows
    return isinstance(x, float | np.floating) and math.isfinite(x)


def _show(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def as_int(value: Any, field: str, *, min_value: int | None = None,
           max_value: int | None = None, why: str = "") -> int:
    """Return ``value`` as a Python int or raise :class:`InputError` naming ``field``.

    ``why`` is appended to the message of a value above ``max_value`` (the reason of a cap).
    """
    if not _is_int(value):
        raise InputError(f"must be an integer, got {_show(value)}", field=field)
    out = int(value)
    if min_value is not None and out < min_value:
        raise InputError(f"must be >= {min_value}, got {out}", field=field)
    if max_value is not None and out > max_value:
        raise InputError(f"must be <= {max_value}{why}, got {_show(out)}", field=field)
    return out


def as_number(value: Any, field: str, *, min_value: float | None = None) -> float:
    """Return ``value`` as a finite float or raise :class:`InputError` naming ``field``."""
    if not _is_number(value):
        if _is_int(value):
            raise InputError(f"number too large, got {_show(value)}", field=field)
        raise InputError(f"must be a finite number, got {_show(value)}", field=field)
    out = float(value)
    if min_value is not None and out < min_value:
        raise InputError(f"must be >= {min_value:g}, got {out:g}", field=field)
    return out


def _walk_for_error(value: Any, field: str, ndim: int, check: Any, kind: str) -> None:
    """Walk a nested sequence to raise the error for its first bad element."""
    if ndim == 0:
        if not check(value):
            if check is _is_number and _is_int(value):
                raise InputError(f"number too large, got {_show(value)}", field=field)
            raise InputError(f"must be {kind}, got {_show(value)}", field=field)
        if check is _is_int and abs(int(value)) > EXACT_LIMIT:
            raise InputError(f"integer too large (> 2**53), got {_show(value)}", field=field)
        return
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence | np.ndarray):
        raise InputError(f"must be a list, got {_show(value)}", field=field)
    for i, item in enumerate(value):
        _walk_for_error(item, f"{field}[{i}]", ndim - 1, check, kind)


def _check_shape(arr: np.ndarray, field: str, shape: tuple[int | None, ...] | None) -> None:
    if shape is None:
        return
    for axis, want in enumerate(shape):
        if want is not None and arr.shape[axis] != want:
            where = field if axis == 0 else f"{field}[0]" + "[0]" * (axis - 1)
            raise InputError(f"must have {want} entries, got {arr.shape[axis]}", field=where)


def _has_bool(value: Any, ndim: int) -> bool:
    """Whether nested lists hold a bool (numpy turns ``[True, 2]`` into ``[1, 2]`` silently)."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "b"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        return isinstance(value, bool | np.bool_)
    if ndim <= 1:
        return any(isinstance(x, bool | np.bool_) for x in value)
    return any(_has_bool(x, ndim - 1) for x in value)


def _array(value: Any, field: str, ndim: int, check: Any, kind: str) -> np.ndarray:
    arr: np.ndarray | None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        arr = None
    ok = arr is not None and arr.ndim == ndim and arr.dtype.kind in "iuf" \
        and (isinstance(value, np.ndarray) or not _has_bool(value, ndim))
    if ok and arr is not None and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        ok = False
    if not ok or arr is None:
        _walk_for_error(value, field, ndim, check, kind)
        if arr is None or arr.ndim != ndim:
            # Every element was fine, so the nesting itself is ragged or of the wrong depth.
            raise InputError(f"must be a {ndim}-dimensional rectangular list", field=field)
        if arr.size == 0:
            return np.zeros(arr.shape, dtype=np.float64)
        raise InputError(f"must hold only {kind.split(' ', 1)[1]}s", field=field)
    return arr


def is_scalar(value: Any) -> bool:
    """Whether ``value`` is a scalar rather than a (possibly ragged) nested list or array."""
    try:
        return bool(np.ndim(value) == 0)
    except ValueError:  # ragged nesting: numpy cannot even tell the depth
        return False


def _first_bad(mask: np.ndarray, field: str) -> str:
    idx = np.argwhere(mask)[0]
    return field + "".join(f"[{i}]" for i in idx)


def int_array(
    value: Any,
    field: str,
    *,
    ndim: int = 1,
    min_value: int | None = None,
    max_value: int | None = None,
    shape: tuple[int | None, ...] | None = None,
) -> np.ndarray:
    """Coerce ``value`` to a read-only int64 array, checking integrality, range and shape."""
    arr = _array(value, field, ndim, _is_int, "an integer")
    if arr.dtype.kind == "f":
        bad = arr != np.round(arr)
        if bad.any():
            where = _first_bad(bad, field)
            raise InputError(f"must be an integer, got {arr[tuple(np.argwhere(bad)[0])]!r}",
                             field=where)
    if arr.size and (np.abs(arr) > EXACT_LIMIT).any():
        big = np.abs(arr) > EXACT_LIMIT
        raise InputError(f"integer too large (> 2**53), got {_show(arr[big][0].item())}",
                         field=_first_bad(big, field))
    out = arr.astype(np.int64)
    _check_shape(out, field, shape)
    if min_value is not None and out.size and (out < min_value).any():
        where = _first_bad(out < min_value, field)
        raise InputError(f"must be >= {min_value}, got {out[out < min_value][0]}", field=where)
    if max_value is not None and out.size and (out > max_value).any():
        where = _first_bad(out > max_value, field)
        raise InputError(f"must be <= {max_value}, got {out[out > max_value][0]}", field=where)
    out.setflags(write=False)
    return out


def float_array(
    value: Any,
    field: str,
    *,
    ndim: int = 1,
    min_value: float | None = None,
    shape: tuple[int | None, ...] | None = None,
) -> np.ndarray:
    """Coerce ``value`` to a read-only float64 array of finite numbers."""
    arr = _array(value, field, ndim, _is_number, "a finite number").astype(np.float64)
    _check_shape(arr, field, shape)
    if min_value is not None and arr.size and (arr < min_value).any():
        where = _first_bad(arr < min_value, field)
        raise InputError(f"must be >= {min_value:g}, got {arr[arr < min_value][0]:g}",
                         field=where)
    arr.setflags(write=False)
    return arr


def require_mapping(value: Any, field: str) -> Mapping[str, Any]:
    """Check that ``value`` is a JSON object."""
    if not isinstance(value, Mapping):
        raise InputError(f"must be an object, got {_show(value)}", field=field or None)
    return value


def require_keys(
    obj: Mapping[str, Any], field: str, required: Sequence[str], optional: Sequence[str] = ()
) -> None:
    """Check that ``obj`` has the required keys and no unknown ones."""
    prefix = f"{field}." if field else ""
    for key in required:
        if key not in obj:
            raise InputError("is missing", field=prefix + key)
    allowed = set(required) | set(optional)
    for key in obj:
        if key not in allowed:
            raise InputError(
                f"unknown field (allowed: {', '.join(sorted(allowed))})", field=prefix + str(key)
            )


# -- caps on objectives ----------------------------------------------------------------------------
def exact_sum(arr: np.ndarray) -> int:
    """The exact sum of an integer array as a Python int (int64 ``sum`` could wrap around)."""
    if arr.size == 0:
        return 0
    top = max(abs(int(arr.max())), abs(int(arr.min())))
    if top * arr.size < 2**63:
        return int(arr.sum())
    return sum(arr.tolist())


def check_exact(total: int, field: str, value: Any, what: str) -> None:
    """Raise unless ``total`` (an upper bound on an integer objective) is below 2**53.

    Parameters
    ----------
    total
        The bound, exactly (a Python int).
    field, value
        The field to blame (the largest contributor) and its value.
    what
        What ``total`` is, e.g. ``"max release + total processing"``.
    """
    if total >= EXACT_LIMIT:
        raise InputError(
            f"{_show(value)} makes {what} = {total}, not below 2**53 = {EXACT_LIMIT} "
            "(objectives must stay exact integers)", field=field)


def float_total(*terms: Any) -> float:
    """The sum of every element of non-negative numbers and arrays, ``inf`` on overflow (and no
    overflow warning, which would be a second line on the command line's stderr)."""
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for term in terms:
            total += float(np.sum(np.asarray(term, dtype=np.float64)))
    return total if not math.isnan(total) else math.inf


def check_float_total(total: float, field: str, value: Any, what: str) -> None:
    """Raise unless ``total`` (an upper bound on a float objective) is at most 1e300.

    Parameters
    ----------
    total
        The bound (``inf`` when computing it overflowed).
    field, value
        The field to blame (the largest contributor) and its value (or a string describing
        a derived quantity).
    what
        What ``total`` is, e.g. ``"the longest possible schedule"``.
    """
    if not total <= FLOAT_LIMIT:
        # A str value is a ready-made description (e.g. of a derived transfer time).
        shown = value if isinstance(value, str) else \
            f"{value:g}" if isinstance(value, float) else _show(value)
        raise InputError(f"{shown} makes {what} {total:g}, above the cap {FLOAT_LIMIT:g} "
                         "(objectives must stay finite)", field=field)
