"""CP-SAT model of the job shop (builds only; the adapter solves).

Variables, constraints and objective are built by separate functions, after the layout of
PyJobShop's CP-SAT backend: one interval per operation, one no-overlap per machine, route
precedences, release dates, then the objective (makespan, total weighted tardiness or total
weighted completion time).

The *strong* model adds what makes CP-SAT prove faster on benchmark instances:

- a horizon from a heuristic schedule (for makespan, no operation may end after the heuristic
  makespan, which holds in some optimal schedule);
- a makespan interval ``[Cmax, horizon)`` placed in every machine's no-overlap, so the machine
  propagators see the makespan directly;
- the redundant constraints ``Σ durations <= M · Cmax``, ``Cmax >= load of each machine`` and
  ``Cmax >= release + length of each job``;
- solution hints from an initial schedule.

The *textbook* model (``strong=False``) has none of these: horizon Σ durations + max release,
Cmax as the maximum of job ends — the plain model found in most tutorials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instances import JobShop
from ..deadline import Deadline

__all__ = ["JobShopCpSat", "build_cpsat", "keep_order", "change_order", "machine_arcs"]


@dataclass
class JobShopCpSat:
    """A built CP-SAT job-shop model and the handles needed to read a solution back."""

    model: Any
    start: list[Any]
    end: list[Any]
    interval: list[Any]
    horizon: int
    makespan: Any | None = None
    tardiness: list[Any] = field(default_factory=list)
    #: The expression minimised.
    objective: Any = None


def _variables(inst: JobShop, model: Any, horizon: int,
               deadline: Deadline) -> tuple[list, list, list]:
    start, end, interval = [], [], []
    job_of = np.repeat(np.arange(inst.n_jobs), np.diff(inst.job_offsets))
    for k in range(inst.n_ops):
        deadline.tick()
        d = int(inst.op_duration[k])
        lo = int(inst.release[job_of[k]])
        s = model.new_int_var(lo, max(lo, horizon - d), f"s{k}")
        e = model.new_int_var(lo + d, max(lo + d, horizon), f"e{k}")
        start.append(s)
        end.append(e)
        interval.append(model.new_interval_var(s, d, e, f"op{k}"))
    return start, end, interval


def _route_constraints(inst: JobShop, model: Any, start: list, end: list,
                       deadline: Deadline) -> None:
    for j in range(inst.n_jobs):
        for k in range(int(inst.job_offsets[j]), int(inst.job_offsets[j + 1]) - 1):
            deadline.tick()
            model.add(start[k + 1] >= end[k])


def _machine_constraints(inst: JobShop, model: Any, interval: list,
                         extra: Any | None = None) -> None:
    for m in range(inst.machines):
        ops = [interval[k] for k in np.flatnonzero(inst.op_machine == m).tolist()]
        if extra is not None:
            ops.append(extra)
        if len(ops) > 1:
            model.add_no_overlap(ops)


def _last_ends(inst: JobShop, end: list) -> list:
    return [end[int(inst.job_offsets[j + 1]) - 1] for j in range(inst.n_jobs)]


def build_cpsat(inst: JobShop, *, horizon: int | None = None, strong: bool = True,
                hint: np.ndarray | None = None,
                deadline: Deadline | None = None) -> JobShopCpSat:
    """Build the CP-SAT model of ``inst``.

    Parameters
    ----------
    inst
        The job shop.
    horizon
        Latest end of any operation. For makespan, a heuristic makespan is valid (some optimal
        schedule ends by then); otherwise it must not cut off every optimum — by default
        max release + Σ durations, which holds for any semi-active schedule.
    strong
        Add the benchmark-grade constraints described in the module docstring.
    hint
        Flat start times of a feasible schedule to hint (``strong`` only).
    deadline
        Raise :class:`~schedkit.formulations.deadline.OutOfTime` when building takes past it.
    """
    from ortools.sat.python import cp_model

    safe = int(inst.release.max() + inst.op_duration.sum())
    if horizon is None or not strong:
        horizon = safe
    horizon = int(max(1, horizon))
    deadline = deadline or Deadline()
    model = cp_model.CpModel()
    start, end, interval = _variables(inst, model, horizon, deadline)
    _route_constraints(inst, model, start, end, deadline)
    last = _last_ends(inst, end)
    out = JobShopCpSat(model, start, end, interval, horizon)
    if inst.objective == "makespan":
        cmax = model.new_int_var(0, horizon, "makespan")
        model.add_max_equality(cmax, last)
        extra = None
        if strong:
            tail = model.new_interval_var(cmax, horizon - cmax, horizon, "after_makespan")
            extra = tail
            total = int(inst.op_duration.sum())
            model.add(total <= inst.machines * cmax)
            loads = np.bincount(inst.op_machine, weights=inst.op_duration,
                                minlength=inst.machines)
            model.add(cmax >= int(loads.max()))
            job_len = np.add.reduceat(inst.op_duration, inst.job_offsets[:-1])
            model.add(cmax >= int((inst.release + job_len).max()))
        _machine_constraints(inst, model, interval, extra)
        model.minimize(cmax)
        out.makespan = out.objective = cmax
    else:
        _machine_constraints(inst, model, interval)
        if inst.objective == "total_weighted_completion":
            out.objective = sum(int(w) * e for w, e in zip(inst.weight, last, strict=True))
            model.minimize(out.objective)
        else:
            tard = []
            for j, e in enumerate(last):
                t = model.new_int_var(0, horizon, f"T{j}")
                model.add(t >= e - int(inst.due[j]))
                tard.append(t)
            out.objective = sum(int(w) * t for w, t in zip(inst.weight, tard, strict=True))
            model.minimize(out.objective)
            out.tardiness = tard
    if strong and hint is not None:
        for k, s in enumerate(np.asarray(hint, dtype=np.int64).tolist()):
            deadline.tick()
            model.add_hint(start[k], s)
    deadline.check()
    return out


def keep_order(inst: JobShop, built: JobShopCpSat, start: np.ndarray, freed: np.ndarray,
               cap: float | None = None) -> int:
    """Restrict ``built`` to the large neighbourhood of the schedule ``start`` (flat start
    times) that frees the operations of the mask ``freed``: on every machine, the operations
    not freed keep their relative order (a precedence between each one and the next in start
    order); freed operations may go anywhere. ``cap`` bounds the objective from above (the
    schedule's own value keeps it feasible). Returns the number of precedences added.

    This is the relaxation-induced neighbourhood of LNS for scheduling (Shaw, CP 1998; Godard,
    Laborie & Nuijten, ICAPS 2005); ``start`` itself satisfies every added constraint.
    """
    model = built.model
    kept = np.flatnonzero(~np.asarray(freed, dtype=bool))
    # Sort the kept operations by machine, then start (then end: a zero-length operation
    # goes before one it starts with), so each consecutive pair on a machine is one arc.
    ends = start[kept] + inst.op_duration[kept]
    order = kept[np.lexsort((ends, start[kept], inst.op_machine[kept]))]
    machine = inst.op_machine[order]
    same = np.flatnonzero(machine[1:] == machine[:-1])
    for a, b in zip(order[same].tolist(), order[same + 1].tolist(), strict=True):
        model.add(built.start[b] >= built.end[a])
    if cap is not None and built.objective is not None:
        model.add(built.objective <= int(np.floor(cap + 1e-9)))
    return int(same.size)


def machine_arcs(inst: JobShop, start: np.ndarray) -> list[tuple[int, int]]:
    """The arcs (a, b) of the schedule ``start`` (flat start times): b follows a directly on
    their machine (operations in start order, then end order)."""
    ends = start + inst.op_duration
    order = np.lexsort((ends, start, inst.op_machine))
    machine = inst.op_machine[order]
    same = np.flatnonzero(machine[1:] == machine[:-1])
    return list(zip(order[same].tolist(), order[same + 1].tolist(), strict=True))


def change_order(inst: JobShop, built: JobShopCpSat, start: np.ndarray,
                 freed: np.ndarray) -> int:
    """Exclude the machine order of the schedule ``start`` from ``built``: some pair of
    operations adjacent on a machine in ``start``, one of them freed, swaps (a literal per
    such arc enforces b before a; at least one holds). A machine order differs from the
    given one exactly when it reverses one of its adjacent pairs (operations of zero
    duration aside, which may share a time and so satisfy both orders), so together with
    :func:`keep_order` the model holds the schedules of the neighbourhood other than the
    orders of ``start`` — the best of them may be worse (the candidate of a simulated
    annealing step, Kirkpatrick, Gelatt & Vecchi, Science 220, 1983). Returns the number of
    arcs that may swap (0: the model is left as it was and holds no other order).
    """
    model = built.model
    free = np.asarray(freed, dtype=bool)
    swaps = []
    for a, b in machine_arcs(inst, np.asarray(start, dtype=np.int64)):
        if free[a] or free[b]:
            lit = model.new_bool_var(f"swap{a}_{b}")
            model.add(built.start[a] >= built.end[b]).only_enforce_if(lit)
            swaps.append(lit)
    if swaps:
        model.add_bool_or(swaps)
    return len(swaps)
