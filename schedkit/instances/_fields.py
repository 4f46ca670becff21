"""Field coercion with errors that name the offending field and value.

Used by the dataclass constructors (so a Python caller gets the same messages as a file reader)
and by the JSON decoder.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = [
    "as_int",
    "as_number",
    "int_array",
    "float_array",
    "require_mapping",
    "require_keys",
]


def _is_int(x: Any) -> bool:
    if isinstance(x, bool | np.bool_):
        return False
    if isinstance(x, int | np.integer):
        return True
    return isinstance(x, float | np.floating) and math.isfinite(x) and float(x).is_integer()


def _is_number(x: Any) -> bool:
    if isinstance(x, bool | np.bool_):
        return False
    return isinstance(x, int | np.integer) or (
        isinstance(x, float | np.floating) and math.isfinite(x)
    )


def _show(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def as_int(value: Any, field: str, *, min_value: int | None = None) -> int:
    """Return ``value`` as a Python int or raise :class:`InputError` naming ``field``."""
    if not _is_int(value):
        raise InputError(f"must be an integer, got {_show(value)}", field=field)
    out = int(value)
    if min_value is not None and out < min_value:
        raise InputError(f"must be >= {min_value}, got {out}", field=field)
    return out


def as_number(value: Any, field: str, *, min_value: float | None = None) -> float:
    """Return ``value`` as a finite float or raise :class:`InputError` naming ``field``."""
    if not _is_number(value):
        raise InputError(f"must be a finite number, got {_show(value)}", field=field)
    out = float(value)
    if min_value is not None and out < min_value:
        raise InputError(f"must be >= {min_value:g}, got {out:g}", field=field)
    return out


def _walk_for_error(value: Any, field: str, ndim: int, check: Any, kind: str) -> None:
    """Walk a nested sequence to raise the error for its first bad element."""
    if ndim == 0:
        if not check(value):
            raise InputError(f"must be {kind}, got {_show(value)}", field=field)
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


def _array(value: Any, field: str, ndim: int, check: Any, kind: str) -> np.ndarray:
    arr: np.ndarray | None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        arr = None
    ok = arr is not None and arr.ndim == ndim and arr.dtype.kind in "iuf"
    if ok and arr is not None and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        ok = False
    if not ok or arr is None:
        _walk_for_error(value, field, ndim, check, kind)
        if arr is None or arr.ndim != ndim:
            # Every element was fine, so the nesting itself is ragged or of the wrong depth.
            raise InputError(f"must be a {ndim}-dimensional rectangular list", field=field)
        if arr.size == 0:
            return np.zeros(arr.shape, dtype=np.float64)
        raise InputError(f"must hold {kind}s", field=field)
    return arr


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
    if arr.size and (np.abs(arr) > 2**53).any():
        raise InputError("holds a value too large (> 2**53)", field=field)
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
