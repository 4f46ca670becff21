"""Seeded instance generators for the five problem families: :func:`generate`, the generator
table and the option records the CLI builds flags from.

``generate(problem, seed=s, **shape)`` dispatches to each family's generator
(``schedkit/instances/<problem>/generate.py``, listed in :data:`GENERATORS`). The same seed and
shape always give the same instance, byte for byte in
:func:`~schedkit.instances.jsonio.instance_to_json`, across calls and processes (the streams are
numpy's ``default_rng`` — PCG64 — and, for job-shop routes, Taillard's LCG; numpy documents that
``Generator`` streams may change between numpy versions, which ``meta.generator`` cannot
capture). Every generated instance records ``meta = {"generator", "seed", "shape"}`` and
``generate(problem, seed=meta["seed"], **meta["shape"])`` rebuilds it.

Every shape option is a keyword with a scalar default and an ``int``/``float``/``str``/``bool``
annotation, documented in a numpydoc Parameters section; :func:`options` turns them into
:class:`GeneratorOption` records (with the choices of ``str`` options) for the CLI.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from .base import Instance
from .errors import InputError, did_you_mean
from .families import FAMILIES, problem_id
from .generating import VERSION, check_seed

__all__ = ["GENERATORS", "VERSION", "GeneratorOption", "generate", "options"]

#: problem id -> generator function.
GENERATORS: dict[str, Callable[..., Instance]] = {p: f.generator for p, f in FAMILIES.items()}


class GeneratorOption(NamedTuple):
    """One shape option of a generator, as a CLI flag needs it."""

    name: str
    type: type
    default: int | float | str | bool
    help: str
    choices: tuple[str, ...] | None


def _problem(problem: Any) -> str:
    return problem_id(problem, field="generate.problem")


def _param_help(func: Callable[..., Any]) -> dict[str, str]:
    """Descriptions of the numpydoc Parameters section, one line each."""
    doc = inspect.getdoc(func) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?:^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    out: dict[str, str] = {}
    if not match:
        return out
    name = None
    for line in match.group(1).splitlines():
        head = re.match(r"^(\w+)\s*:", line)
        if head:
            name = head.group(1)
            out[name] = ""
        elif name and line.strip():
            out[name] = (out[name] + " " + line.strip()).strip()
    return out


def options(problem: str) -> list[GeneratorOption]:
    """The shape options of a problem's generator (everything but ``seed``), in order.

    Parameters
    ----------
    problem
        A key of :data:`GENERATORS`.

    Returns
    -------
    list of GeneratorOption
        Name, type (int, float, str or bool), default, one-line help and, for ``str`` options
        with a fixed set of values, the choices.
    """
    key = _problem(problem)
    func = GENERATORS[key]
    helps = _param_help(func)
    out = []
    for p in inspect.signature(func).parameters.values():
        if p.name == "seed":
            continue
        out.append(GeneratorOption(p.name, p.annotation, p.default, helps.get(p.name, ""),
                                   FAMILIES[key].generator_choices.get(p.name)))
    return out


def generate(problem: str, *, seed: int = 0, **shape: Any) -> Instance:
    """Generate an instance of ``problem`` from ``seed`` and shape options.

    Parameters
    ----------
    problem
        jobshop, single_machine, dag, expert_placement or sequence_parallel (``-`` may stand
        for ``_``).
    seed
        Non-negative integer seed.
    **shape
        Options of the problem's generator (see :func:`options` or the generator's docstring).

    Returns
    -------
    Instance
        The generated instance; ``meta`` records generator, seed and every resolved option.

    Raises
    ------
    InputError
        For an unknown problem or option (``field="generate.<option>"``, listing the accepted
        ones) or a bad option value.
    """
    key = _problem(problem)
    seed = check_seed(seed)
    func = GENERATORS[key]
    accepted = [p for p in inspect.signature(func).parameters if p != "seed"]
    for name in shape:
        if name not in accepted:
            raise InputError(f"unknown option {name!r} for {key}{did_you_mean(name, accepted)} "
                             f"(accepted: {', '.join(accepted)})", field=f"generate.{name}")
    return func(seed=seed, **shape)
