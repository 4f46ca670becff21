"""Shared by the DAG benchmark scripts: host line, JSONL appending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import schedkit as sk


def host() -> str:
    """CPU model, core count and Python version, as solve() records them in every result."""
    res = sk.solve(sk.load("topcuoglu2002"), "heft")
    return (f"{res.host['cpu']}, {res.host['cores']} cores, "
            f"Python {res.versions['python']}")


def append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")
