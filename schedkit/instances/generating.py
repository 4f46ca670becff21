"""Shared helpers of the family generators (``schedkit/instances/<problem>/generate.py``):
option checking, size caps, rounding, names and provenance.

Every option error is an :class:`~schedkit.instances.errors.InputError` whose field is
``generate.<option>``, so the CLI can print it as one line that names the flag.

Size caps. Every generator caps the size of what it builds (total operations, jobs, tasks ×
processors, edges, layers × experts², sequences; each generator's docstring lists its caps and
why) so that a capped instance, with its JSON text, fits in a few GB; :func:`check_size` checks
a cap before anything is allocated. Options that would give data the instance's own caps refuse
(objectives that are not exact or not finite) are refused up front where the generator can tell
from the options alone, else the model's error is re-raised naming the option
(:func:`blame_option`).
"""

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import numpy as np

from ._fields import as_int, as_number
from .errors import InputError

# Bumped whenever a generator's output for a given seed and shape changes, so that
# ``meta.generator`` tells which stream produced an instance file.
VERSION = 1

# ``meta.generator`` of a generated instance is ``<PREFIX>.<problem>@<VERSION>``: an identifier
# written into instance files since the first release, kept as it is (it is not a module path).
PREFIX = "schedkit.instances.generators"


def option_field(name: str) -> str:
    """The ``field`` an option error names, e.g. ``generate.jobs``."""
    return f"generate.{name}"


def check_seed(seed: Any) -> int:
    """A seed for :func:`numpy.random.default_rng`: a non-negative integer."""
    return as_int(seed, option_field("seed"), min_value=0)


def check_int(value: Any, name: str, *, min_value: int | None = None,
              max_value: int | None = None, why: str = "") -> int:
    """``value`` as a Python int within ``[min_value, max_value]`` (``why`` explains the
    maximum in its error)."""
    out = as_int(value, option_field(name), min_value=min_value)
    if max_value is not None and out > max_value:
        raise InputError(f"must be <= {max_value}{why}, got {out}", field=option_field(name))
    return out


def check_float(value: Any, name: str, *, min_value: float | None = None,
                max_value: float | None = None, positive: bool = False) -> float:
    """``value`` as a finite Python float within ``[min_value, max_value]`` (``> 0`` if
    ``positive``)."""
    out = as_number(value, option_field(name), min_value=min_value)
    if positive and out <= 0:
        raise InputError(f"must be > 0, got {out:g}", field=option_field(name))
    if max_value is not None and out > max_value:
        raise InputError(f"must be <= {max_value:g}, got {out:g}", field=option_field(name))
    return out


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; integers are refused so that ``traffic=2`` is not silently true."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputError(f"must be true or false, got {value!r}", field=option_field(name))


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if isinstance(value, str) and value in choices:
        return value
    raise InputError(f"must be one of {', '.join(choices)}, got {value!r}",
                     field=option_field(name))


def auto_int(value: Any, name: str, default: int, *, min_value: int = 1) -> int:
    """An option where 0 (or ``None``) means "take ``default``" (a preset's value)."""
    if value is None:
        return default
    out = check_int(value, name, min_value=0)
    if out == 0:
        return default
    if out < min_value:
        raise InputError(f"must be >= {min_value} (or 0 for the default), got {out}",
                         field=option_field(name))
    return out


def check_size(total: int, name: str, cap: int, what: str) -> None:
    """Raise naming option ``name`` when ``total`` (a size, e.g. jobs·machines) exceeds ``cap``.

    Parameters
    ----------
    total
        The size the options ask for.
    name
        The option to blame (the one that made ``total`` large).
    cap
        The largest size allowed.
    what
        What ``total`` counts, e.g. ``"jobs*machines operations"``.
    """
    if total > cap:
        raise InputError(f"{what} = {total} must be <= {cap} (the generator's size cap)",
                         field=option_field(name))


def blame_option(err: InputError, options: Mapping[str, tuple[str, Any]]) -> NoReturn:
    """Re-raise the model's error on a generated instance, naming the option behind it.

    Parameters
    ----------
    err
        The instance's :class:`InputError` (field ``data.…``).
    options
        Model field prefix (``"data.cost.a1"``) -> (option name, its value); the longest
        matching prefix wins. An error no prefix matches is raised as it is.
    """
    field = err.field or ""
    for prefix in sorted(options, key=len, reverse=True):
        if field == prefix or field.startswith((prefix + ".", prefix + "[")):
            name, value = options[prefix]
            raise InputError(f"{value!r} gives an instance the model refuses: {field}: "
                             f"{err.message}", field=option_field(name)) from None
    raise err


def round_half_up(x: Any) -> np.ndarray:
    """Round to the nearest integer, halves up, as int64.

    ``numpy.round`` rounds halves to even; half-up is what "round" means in the papers and is
    easy to state in a docstring.
    """
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5).astype(np.int64)


def fmt(x: float) -> str:
    """A short decimal for instance names: 0.6 -> "0.6", 1.0 -> "1"."""
    return format(float(x), "g")


def provenance(function: str, seed: int, shape: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` of a generated instance: generator id, seed and every (resolved) option.

    ``generate(problem, seed=meta["seed"], **meta["shape"])`` rebuilds the same instance.
    """
    clean: dict[str, Any] = {}
    for key, value in shape.items():
        # numpy scalars would break json.dumps; the meta must hold plain JSON scalars.
        if isinstance(value, bool | np.bool_):
            clean[key] = bool(value)
        elif isinstance(value, int | np.integer):
            clean[key] = int(value)
        elif isinstance(value, float | np.floating):
            clean[key] = float(value)
        else:
            clean[key] = value
    return {"generator": f"{PREFIX}.{function}@{VERSION}", "seed": int(seed), "shape": clean}
