"""Seeded instance generators for the five problem families.

``generate(problem, seed=s, **shape)`` dispatches to one function per problem
(:data:`GENERATORS`). The same seed and shape always give the same instance, byte for byte in
:func:`~schedkit.instances.jsonio.instance_to_json`, across calls and processes (the streams are
numpy's ``default_rng`` — PCG64 — and, for job-shop routes, Taillard's LCG; numpy documents that
``Generator`` streams may change between numpy versions, which ``meta.generator`` cannot
capture). Every generated instance records ``meta = {"generator", "seed", "shape"}`` and
``generate(problem, seed=meta["seed"], **meta["shape"])`` rebuilds it.

Every shape option is a keyword with a scalar default and an ``int``/``float``/``str``/``bool``
annotation, documented in a numpydoc Parameters section; :func:`options` turns them into
:class:`GeneratorOption` records (with the choices of ``str`` options) for the CLI.
"""

from ._api import GENERATORS, GeneratorOption, generate, options
from ._common import VERSION
from ._dag import dag, realised_ccr
from ._jobshop import TaillardLCG, jobshop, taillard_jobshop
from ._moe import EXPERT_PRESETS, expert_placement
from ._single_machine import due_date_range, single_machine
from ._sp import SP_PRESETS, sequence_parallel, wikipedia_lengths

__all__ = [
    "GENERATORS",
    "VERSION",
    "GeneratorOption",
    "generate",
    "options",
    "jobshop",
    "single_machine",
    "dag",
    "expert_placement",
    "sequence_parallel",
    "TaillardLCG",
    "taillard_jobshop",
    "due_date_range",
    "realised_ccr",
    "EXPERT_PRESETS",
    "SP_PRESETS",
    "wikipedia_lengths",
]
