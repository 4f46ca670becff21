"""Re-checking solutions and recorded results against an instance.

A result record claims more than a schedule: which instance and problem it is for, a status, an
objective, a bound, gaps and the best known value. :func:`check` re-verifies every one of these
claims against the instance (its hash, its problem, the one evaluator and the instance's known
``bounds``) and reports each contradiction as a :class:`Violation` of kind ``record``, beside the
evaluator's own violations of the solution.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from ..instances import InputError, Instance, instance_sha256
from ..instances.evaluate import Violation, evaluate
from ..instances.evaluate import check as check_solution
from .result import (
    RESULT_SCHEMA,
    Result,
    Status,
    check_against,
    close,
    gap,
    gap_to_best_known,
    json_lines,
    legacy_gap_to_best_known,
    result_schema,
)

__all__ = ["check", "check_file", "FileReport"]

#: The kind of every finding about what a record claims (as opposed to the evaluator's kinds,
#: which are about the solution itself).
RECORD = "record"

_CLAIMS_SOLUTION = (Status.OPTIMAL, Status.FEASIBLE)


class FileReport(list[tuple[str, list[Violation]]]):
    """What :func:`check_file` found: ``[(label, violations), …]``, one entry per checked
    record (or one for a solution file), and ``skipped``, the number of records of other
    instances that were left out.

    Parameters
    ----------
    entries
        The ``(label, violations)`` pairs.
    skipped
        Records that neither name the instance nor carry its hash.
    """

    def __init__(self, entries: Iterable[tuple[str, list[Violation]]] = (),
                 skipped: int = 0) -> None:
        super().__init__(entries)
        self.skipped = skipped
        #: Per entry, one phrase for what is wrong, the most basic fault first: ``ok``,
        #: ``infeasible schedule (n violations)``, ``wrong objective (…)`` (a feasible
        #: schedule whose recorded objective differs) or ``wrong claims (…)``.
        self.verdicts: list[str] = []


@cache
def _structure() -> dict[str, Any]:
    """The results schema without its conditional part (``allOf``: what an ``optimal`` or
    ``feasible`` record must carry). Those conditions are claims :func:`check` reports as
    findings; a record that breaks the rest cannot be read at all."""
    return {k: v for k, v in result_schema().items() if k != "allOf"}


def _read_record(record: Any, *, source: str | None = None,
                 line: int | None = None) -> Result:
    """A :class:`Result` from a record whose fields have the schema's types, without enforcing
    the schema's status conditions (those are checked as claims by :func:`check`).

    Raises
    ------
    InputError
        Naming the file, line and first offending field when the record is not shaped as a
        result record.
    """
    check_against(_structure(), record, source=source, line=line)
    names = {f.name for f in fields(Result)}
    return Result(**{k: v for k, v in record.items() if k in names})


def _num(x: float | None) -> str:
    """A recorded number for a message: ``null`` for ``None``, else up to 10 digits."""
    if x is None:
        return "null"
    return f"{float(x):.10g}"


def _same(a: float | None, b: float | None) -> bool:
    """Both ``None``, or both numbers that agree within :func:`close`."""
    if a is None or b is None:
        return a is None and b is None
    return close(float(a), float(b))


def _above(a: float, b: float) -> bool:
    """``a > b`` by more than :func:`close` allows."""
    return a > b and not close(float(a), float(b))


def _check_result(instance: Instance, result: Result) -> list[Violation]:
    """Every contradiction between ``result`` and ``instance`` (see :func:`check`)."""
    return _examine(instance, result)[0]


def _verdict(found: list[Violation], schedule_violations: int,
             wrong_objective: tuple[float, float] | None) -> str:
    """One phrase for what is wrong with a record, the most basic fault first."""
    if not found:
        return "ok"
    if schedule_violations:
        return (f"infeasible schedule ({schedule_violations} violation"
                f"{'s' if schedule_violations != 1 else ''})")
    if wrong_objective is not None:
        recorded, computed = wrong_objective
        return (f"wrong objective (the schedule is feasible with objective {_num(computed)}; "
                f"the record says {_num(recorded)})")
    return "wrong claims (the schedule and its objective are right)"


def _examine(instance: Instance, result: Result) -> tuple[list[Violation], str]:
    """The findings of :func:`_check_result` and the verdict of :func:`_verdict`."""
    found: list[Violation] = []
    schedule_violations = 0
    wrong_objective: tuple[float, float] | None = None

    def bad(message: str) -> None:
        found.append(Violation(RECORD, message))

    status = Status(result.status)
    claims = status in _CLAIMS_SOLUTION
    objective = result.objective
    bound = result.bound
    sha = instance_sha256(instance)

    # What the record is for.
    if result.problem != instance.problem:
        bad(f"problem: recorded {result.problem!r} but the instance is a "
            f"{instance.problem!r} instance")
    if result.instance_sha256 != sha:
        bad(f"instance_sha256: recorded {result.instance_sha256[:12]}… but this instance's "
            f"is {sha[:12]}… (another instance, or another version of this one)")

    # The status against solution, verified and objective.
    if claims:
        if result.solution is None:
            bad(f"solution: status {status} but the record has no solution")
        if not result.verified:
            bad(f"verified: status {status} but verified is false")
        if objective is None:
            bad(f"objective: status {status} but objective is null")
    else:
        if result.verified:
            bad(f"verified: true but status is {status} (only optimal and feasible records "
                f"carry a verified solution)")
        if objective is not None and status == Status.INFEASIBLE:
            bad(f"objective: recorded objective {_num(objective)} but status infeasible "
                f"says no solution exists")
        elif objective is not None and result.solution is None:
            bad(f"objective: recorded objective {_num(objective)} but the record has no "
                f"solution (status {status})")

    # The solution, wherever the record claims something of it.
    claimed = claims or result.verified or objective is not None
    if result.solution is not None and (claimed or status == Status.INFEASIBLE):
        ev = evaluate(instance, result.solution)
        if ev.feasible:
            assert ev.objective is not None
            if status == Status.INFEASIBLE:
                bad(f"status: infeasible but the record's solution is feasible (objective "
                    f"{_num(ev.objective)})")
            elif objective is not None and not close(objective, ev.objective):
                bad(f"objective: recorded objective {_num(objective)} but the evaluator "
                    f"computes {_num(ev.objective)}")
                wrong_objective = (objective, ev.objective)
        elif claimed:
            found.extend(ev.violations)
            schedule_violations = len(ev.violations)

    # The bound and the status against the instance's known bounds. For minimisation the
    # recorded bound is a lower bound: never above an objective, never above a known upper
    # bound on the optimum (bounds.upper); an optimum lies within [bounds.lower, bounds.upper].
    known = instance.bounds
    lower = None if known is None else known.lower
    upper = None if known is None else known.upper
    upper_what = ("known optimum" if lower is not None and upper is not None
                  and lower == upper else "known upper bound")
    if bound is not None:
        if objective is not None and _above(bound, objective):
            bad(f"bound: recorded bound {_num(bound)} is above the objective "
                f"{_num(objective)} (a lower bound cannot exceed a solution's value)")
        if upper is not None and _above(bound, upper):
            bad(f"bound: recorded bound {_num(bound)} is above the instance's {upper_what} "
                f"{_num(upper)} (bounds.upper)")
    if status == Status.OPTIMAL and objective is not None:
        if bound is None or not close(bound, objective):
            bad(f"status: optimal but bound {_num(bound)} != objective {_num(objective)} "
                f"(optimality is proved only when they meet)")
        if upper is not None and _above(objective, upper):
            bad(f"status: optimal but objective {_num(objective)} is above the instance's "
                f"{upper_what} {_num(upper)} (bounds.upper)")
    if claims and objective is not None and lower is not None and _above(lower, objective):
        bad(f"objective: recorded objective {_num(objective)} is below the instance's known "
            f"lower bound {_num(lower)} (bounds.lower)")
    if status == Status.INFEASIBLE and upper is not None:
        bad(f"status: infeasible but the instance has a {upper_what} {_num(upper)} "
            f"(bounds.upper), so a solution exists")

    # The derived fields.
    want = gap(objective, bound)
    if not _same(result.gap, want):
        bad(f"gap: recorded {_num(result.gap)} but gap(objective {_num(objective)}, bound "
            f"{_num(bound)}) is {_num(want)}")
    # Files written before gap_to_best_known became (objective - bk) / |bk| hold the old
    # derivation of the same two recorded numbers: true when written, so not a false claim.
    want = gap_to_best_known(objective, result.best_known)
    if not _same(result.gap_to_best_known, want) and not _same(
            result.gap_to_best_known, legacy_gap_to_best_known(objective, result.best_known)):
        bad(f"gap_to_best_known: recorded {_num(result.gap_to_best_known)} but "
            f"gap_to_best_known(objective {_num(objective)}, best_known "
            f"{_num(result.best_known)}) is {_num(want)}")
    if not _same(result.best_known, upper):
        bad(f"best_known: recorded {_num(result.best_known)} but the instance's bounds.upper "
            f"is {_num(upper)}")
    return found, _verdict(found, schedule_violations, wrong_objective)


def check(instance: Instance, solution: Result | Mapping[str, Any]) -> list[Violation]:
    """Every rule a solution breaks and, for a result, every claim of the record that is false.

    Parameters
    ----------
    instance
        The instance to check against.
    solution
        A bare solution (a JSON-like dict, ``DESIGN.md`` §3), a :class:`Result`, or a result
        record (a mapping whose ``schema`` is ``schedkit/result@1``).

    Returns
    -------
    list of Violation
        Empty when the solution is feasible and, for a result, everything it records is right.
        For a result, each false claim is a violation of kind ``record`` naming the field and
        both values:

        - ``problem`` and ``instance_sha256`` are the instance's;
        - ``optimal`` and ``feasible`` come with a solution, ``verified: true`` and an
          objective; other statuses are never ``verified``, ``infeasible`` carries no
          objective, no feasible solution and no instance with a known upper bound, and an
          objective needs a solution;
        - the solution is feasible (the evaluator's violations are listed as they are) and the
          recorded objective is the evaluator's (within :func:`~.result.close`);
        - ``bound`` is not above the objective nor above the instance's ``bounds.upper``;
        - ``optimal`` only with ``bound == objective`` and an objective within the
          instance's ``[bounds.lower, bounds.upper]``; no verified objective below
          ``bounds.lower``;
        - ``gap`` and ``gap_to_best_known`` are those :func:`~.result.gap` and
          :func:`~.result.gap_to_best_known` compute from the record (a record written before
          that definition may hold :func:`~.result.legacy_gap_to_best_known` instead), and
          ``best_known`` is the instance's ``bounds.upper`` (or both are null).

    Raises
    ------
    InputError
        If a result record is not shaped as one (a missing field, a value of the wrong type).
    """
    if isinstance(solution, Mapping) and solution.get("schema") == RESULT_SCHEMA:
        solution = _read_record(solution)
    if not isinstance(solution, Result):
        return check_solution(instance, solution)
    return _check_result(instance, solution)


def check_file(instance: Instance, path: str | Path, *, text: str | None = None) -> FileReport:
    """Check a results JSONL file (every record for this instance) or a solution JSON file.

    A record is for this instance when it carries the instance's hash or names it
    (``record.instance == instance.name``); one that names it under another hash is checked
    (and reported), never skipped. Records of other instances are skipped and counted.

    Parameters
    ----------
    instance
        The instance to check against.
    path
        A JSON Lines file of result records, or a JSON file holding one bare solution.
    text
        The file's content when it was read already (standard input); ``path`` then only
        names it in labels and errors.

    Returns
    -------
    FileReport
        ``[(label, violations), …]``, one entry per record for this instance (the label names
        the file and line, the instance, method, seed and status) or one for a solution file;
        ``skipped`` counts the records of other instances.

    Raises
    ------
    InputError
        For an unreadable file, a line that is not a result record, or a results file with
        no record for this instance.
    """
    path = Path(path)
    if text is None:
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
        found = check_solution(instance, whole)
        bare = FileReport([(path.name, found)])
        bare.verdicts.append(_verdict(found, len(found), None))
        return bare
    sha = instance_sha256(instance)
    report = FileReport()
    for no, record in json_lines(text, str(path)):
        result = _read_record(record, source=str(path), line=no)
        if result.instance_sha256 != sha and result.instance != instance.name:
            report.skipped += 1
            continue
        label = (f"{path.name}:{no} {result.instance} {result.method} seed={result.seed} "
                 f"[{result.status}]")
        found, verdict = _examine(instance, result)
        report.append((label, found))
        report.verdicts.append(verdict)
    if not report:
        raise InputError(f"no record for instance {instance.name!r} (sha256 {sha[:12]}…); "
                         f"{report.skipped} records are for other instances", source=str(path))
    return report
