"""JSON reading and writing of ``schedkit/instance@1`` documents, and the canonical hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._fields import require_keys, require_mapping
from .base import SCHEMA, Bounds, Instance
from .errors import InputError
from .families import PROBLEMS
from .text import parse_json

__all__ = [
    "instance_from_dict",
    "instance_to_json",
    "instance_from_json",
    "read_instance_json",
    "write_instance_json",
    "instance_sha256",
    "dumps_compact",
]


def _flat(x: Any) -> bool:
    """A list of scalars (written on one line)."""
    return isinstance(x, list | tuple) and all(not isinstance(y, Mapping | list | tuple)
                                                for y in x)


def dumps_compact(obj: Any, indent: int = 2, _level: int = 0) -> str:
    """JSON text with objects indented and lists of scalars kept on one line.

    Deterministic: the same object always gives the same bytes.
    """
    pad = " " * (indent * (_level + 1))
    end = " " * (indent * _level)
    if isinstance(obj, Mapping):
        if not obj:
            return "{}"
        if _level > 1 and all(not isinstance(v, Mapping | list | tuple) for v in obj.values()):
            return json.dumps(dict(obj), allow_nan=False, separators=(", ", ": "))
        items = [f"{pad}{json.dumps(str(k))}: {dumps_compact(v, indent, _level + 1)}"
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, list | tuple):
        if all(not isinstance(x, Mapping | list | tuple) for x in obj):
            return json.dumps(list(obj), allow_nan=False, separators=(", ", ": "))
        if all(_flat(x) for x in obj):
            rows = [pad + json.dumps(list(x), allow_nan=False, separators=(", ", ": "))
                    for x in obj]
            return "[\n" + ",\n".join(rows) + "\n" + end + "]"
        rows = [pad + dumps_compact(x, indent, _level + 1) for x in obj]
        return "[\n" + ",\n".join(rows) + "\n" + end + "]"
    return json.dumps(obj, allow_nan=False)


def instance_to_json(instance: Instance) -> str:
    """The instance's document as deterministic, human-readable JSON text (ends in a newline)."""
    return dumps_compact(instance.to_dict()) + "\n"


def instance_from_dict(doc: Any, *, source: str | None = None) -> Instance:
    """Build an instance from a parsed ``schedkit/instance@1`` document.

    Raises
    ------
    InputError
        Naming ``source`` and the offending field.
    """
    try:
        doc = require_mapping(doc, "")
        require_keys(doc, "", ("schema", "problem", "data"),
                     ("name", "objective", "bounds", "meta"))
        if doc["schema"] != SCHEMA:
            raise InputError(f"unsupported schema {doc['schema']!r} (this schedkit reads "
                             f"{SCHEMA!r})", field="schema")
        problem = doc["problem"]
        if not isinstance(problem, str) or problem not in PROBLEMS:
            raise InputError(f"unknown problem {problem!r} (choose from "
                             f"{', '.join(PROBLEMS)})", field="problem")
        meta = doc.get("meta") or {}
        require_mapping(meta, "meta")
        name = doc.get("name") or (Path(source).stem if source else "unnamed")
        return PROBLEMS[problem].from_data(
            doc["data"],
            name=name,
            objective=doc.get("objective") or "",
            bounds=Bounds.from_dict(doc.get("bounds")),
            meta=meta,
        )
    except InputError as err:
        raise err.located(source) from None


def instance_from_json(text: str, *, source: str | None = None) -> Instance:
    """Parse JSON text of one instance document.

    The text is read as every reader reads JSON (:func:`~schedkit.instances.text.parse_json`):
    NaN, Infinity, numbers that overflow a float and over-long integers are errors naming the
    line, as is malformed JSON.
    """
    try:
        doc = parse_json(text)
    except InputError as err:
        raise err.located(source) from None
    return instance_from_dict(doc, source=source)


def read_instance_json(path: str | Path) -> Instance:
    """Read one instance JSON file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source=str(path)) from None
    return instance_from_json(text, source=str(path))


def write_instance_json(instance: Instance, path: str | Path) -> None:
    """Write ``instance`` as a JSON file."""
    Path(path).write_text(instance_to_json(instance), encoding="utf-8")


def instance_sha256(instance: Instance) -> str:
    """SHA-256 of the canonical JSON of what defines the problem: schema, problem, objective, data.

    Name, bounds and meta are left out on purpose: a renamed instance or a new best-known bound
    does not make it a different instance, so benchmark results stay matched to it.
    """
    cached = instance.__dict__.get("_sha256")
    if cached is not None:
        return cached
    doc = instance.to_dict()
    core = {k: doc[k] for k in ("schema", "problem", "objective", "data")}
    text = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)
    digest = hashlib.sha256(text.encode("ascii")).hexdigest()
    # Instances are frozen with read-only arrays, so the hash can be kept on the object.
    object.__setattr__(instance, "_sha256", digest)
    return digest
