"""Shared by the DAG benchmark scripts: host line, registry check, JSONL appending."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import schedkit as sk


def host() -> str:
    """CPU model, core count and Python version, as solve() records them in every result."""
    res = sk.solve(sk.load("topcuoglu2002"), "heft")
    return (f"{res.host['cpu']}, {res.host['cores']} cores, "
            f"Python {res.versions['python']}")


def ensure_dag_exact_methods() -> list[str]:
    """Make ``cpsat`` and ``milp`` accept dag instances in this process if the registry line
    does not list ``dag`` yet (the shared-name Methods are merged by hand; the dag adapters
    exist at ``schedkit.solvers.adapters.dag_cpsat``/``dag_milp``). Returns the names widened."""
    from schedkit.solvers.registry import METHODS

    widened = []
    for name in ("cpsat", "milp"):
        method = sk.get_method(name)
        if "dag" not in method.problems:
            METHODS[name] = dataclasses.replace(method, problems=method.problems + ("dag",))
            widened.append(name)
    return widened


def append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")
