"""The JSON Schemas of the instance documents ``schedkit/instance@1``, one per problem family.

The envelope (``instance.schema.json`` beside this module) is the same for every family; each
family's ``data`` member and its solution are described by ``data.schema.json`` in its own
folder (``schedkit/instances/<problem>/``), with the solution under ``$defs.solution``.
:func:`instance_schema` puts the two together and fills in what the code already knows: the
problem id and the family's objectives. The models' own checks (``_validate``) stay the source of
truth for what a file may hold and give the better messages; the tests keep the schemas in
agreement with them (every bundled and generated instance validates).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from .families import PROBLEMS

__all__ = ["instance_schema", "envelope_schema", "data_schema"]


def _read(package: str, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resources.files(package).joinpath(name).read_text())
    return doc


@cache
def envelope_schema() -> dict[str, Any]:
    """The envelope shared by every family (read once; callers must not modify it)."""
    return _read(__package__ or "schedkit.instances", "instance.schema.json")


@cache
def data_schema(problem: str) -> dict[str, Any]:
    """``data.schema.json`` of ``problem``: its ``data`` member, the solution in
    ``$defs.solution`` (read once; callers must not modify it)."""
    if problem not in PROBLEMS:
        raise KeyError(problem)
    # The family's folder is the package of its model (``schedkit.instances.<problem>``).
    return _read(PROBLEMS[problem].__module__.rsplit(".", 1)[0], "data.schema.json")


def instance_schema(problem: str) -> dict[str, Any]:
    """The whole instance document of ``problem`` as one JSON Schema (draft 2020-12): the
    envelope with ``problem`` fixed, ``objective`` one of the family's objectives (or empty
    for the default), ``data`` the family's schema and its solution in ``$defs.solution``.

    Returns a new dict on every call.

    Raises
    ------
    KeyError
        For an unknown problem id.
    """
    family = data_schema(problem)
    doc = copy.deepcopy(envelope_schema())
    doc["$id"] = f"{doc['$id']}/{problem}"
    doc["title"] = f"schedkit instance: {family.get('title', problem)}"
    props = doc["properties"]
    props["problem"] = {"const": problem, "description": props["problem"]["description"]}
    objectives = list(PROBLEMS[problem].objectives)
    props["objective"] = {
        "enum": [*objectives, "", None],
        "default": objectives[0],
        "description": props["objective"]["description"],
    }
    props["data"] = {k: copy.deepcopy(v) for k, v in family.items()
                     if k not in ("$schema", "$id", "$defs")}
    doc["$defs"] = copy.deepcopy(family.get("$defs", {}))
    return doc
