"""Every JSON Schema schedkit has, in one table: the instance document of each problem family
and the result record (the docs site's schema pages are generated from it)."""

from __future__ import annotations

import copy
from typing import Any

from ..instances import PROBLEMS
from ..instances.schemas import instance_schema
from .result import result_schema

__all__ = ["schemas"]


def schemas() -> dict[str, dict[str, Any]]:
    """Every schema by its ``$id``: ``schedkit/instance@1/<problem>`` for each family, in
    ``PROBLEMS`` order, then ``schedkit/result@1``. New dicts on every call."""
    out = {f"schedkit/instance@1/{p}": instance_schema(p) for p in PROBLEMS}
    result = copy.deepcopy(result_schema())
    out[result["$id"]] = result
    return out
