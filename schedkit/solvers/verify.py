"""Re-checking solutions and recorded results against an instance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..instances import InputError, Instance, instance_sha256
from ..instances.evaluate import Violation, evaluate
from ..instances.evaluate import check as check_solution
from .result import RESULT_SCHEMA, Result, close, read_results

__all__ = ["check", "check_file"]


def check(instance: Instance, solution: Result | Mapping[str, Any]) -> list[Violation]:
    """Every rule a solution breaks; for a :class:`Result` (or its record) also a wrong hash
    or a recorded objective that the evaluator does not reproduce (kind ``record``).

    An empty list means feasible (and, for a result, correctly recorded).
    """
    if isinstance(solution, Mapping) and solution.get("schema") == RESULT_SCHEMA:
        solution = Result.from_dict(solution)
    if not isinstance(solution, Result):
        return check_solution(instance, solution)
    result = solution
    if result.instance_sha256 != instance_sha256(instance):
        return [Violation("record", f"result is for another instance (sha256 "
                                    f"{result.instance_sha256[:12]}…, this instance "
                                    f"{instance_sha256(instance)[:12]}…)")]
    if result.solution is None:
        return [Violation("record", f"result has no solution (status {result.status})")]
    ev = evaluate(instance, result.solution)
    if not ev.feasible:
        return ev.violations
    assert ev.objective is not None
    if result.objective is not None and not close(result.objective, ev.objective):
        return [Violation("record", f"recorded objective {result.objective:g} but the "
                                    f"evaluator computes {ev.objective:g}")]
    return []


def check_file(instance: Instance, path: str | Path) -> list[tuple[str, list[Violation]]]:
    """Check a results JSONL file (every record for this instance) or a solution JSON file.

    Returns ``[(label, violations), …]``; raises :class:`InputError` for an unreadable file or
    a results file with no record for this instance.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read: {err}", source=str(path)) from None
    stripped = text.strip()
    whole: Any = None
    if stripped.startswith("{"):
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            whole = None  # several JSON Lines records, read below
    if isinstance(whole, Mapping) and whole.get("schema") != RESULT_SCHEMA:
        return [(path.name, check_solution(instance, whole))]
    sha = instance_sha256(instance)
    reports = []
    other = 0
    for result in read_results(path):
        if result.instance_sha256 != sha:
            other += 1
            continue
        label = f"{result.instance} {result.method} seed={result.seed} [{result.status}]"
        reports.append((label, check(instance, result)))
    if not reports:
        raise InputError(f"no record for instance {instance.name!r} (sha256 {sha[:12]}…); "
                         f"{other} records are for other instances", source=str(path))
    return reports
