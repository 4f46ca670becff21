"""What the exact sequence-parallel adapters (``milp``, ``cpsat``) share: the warm start, the
choice of model, the split mode's loop over candidate micro-batch counts, and the honest
result.

**Models** (option ``model``):

* ``full`` — the whole batch in one model (:mod:`schedkit.formulations.sequence_parallel`):
  exact; ``optimal`` when the solver proves it (for CP-SAT: when the evaluator's score of the
  plan meets the model's real bound, see :mod:`~schedkit.formulations.sequence_parallel.cpsat`).
* ``split`` — FlexSP's decomposition (Wang et al., ASPLOS 2025, arXiv:2412.01523): the
  batch, sorted by decreasing length, is cut into m micro-batches by the linear-partition DP
  (:func:`~schedkit.heuristics.sequence_parallel.split.partitions`) for m = m_min …
  m_min + ``extra``, and each micro-batch is one model (optionally bucketed, option
  ``buckets``), warm-started by the better of its greedy plan
  (:func:`~schedkit.heuristics.sequence_parallel.split.microbatch_greedy`) and, for the warm
  start's cut, the warm start's own groups. Besides the DP's cuts, the warm start's own
  micro-batches are a cut, solved first: re-solving each of its micro-batches can only
  improve it (on FlexSP's 512-sequence grid the DP's contiguous cuts pack the micro-batches
  to within 0.1 % of N·C tokens and lose to Megatron-DCP's micro-batches re-solved).
  The DP cuts follow in order of their estimate, which is a lower bound on every plan that
  keeps that cut; a cut whose estimate (or the value of its solved micro-batches plus the
  bounds of the rest) reaches the best plan so far is skipped. The time left is divided
  evenly over the models still to run, so a model that finishes early leaves its time to the
  others; time still left at the end goes to the best cut's unproved micro-batches again
  (``polished``), each hinted with its plan so far. The result is ``feasible``: a
  micro-batch model's optimum is optimal only for that cut (and, bucketed, only for the
  padded lengths), so the split proves no global bound; the bound is the evaluator's cheap
  :func:`~schedkit.instances.sequence_parallel.evaluate.lower_bound`: m_min·b1 + Σ_k w_k / N
  and b1 + the least time of the longest sequence alone (``solve()`` adds it and says
  ``optimal`` only when the step time meets it).
* ``auto`` — ``full`` for at most :data:`FULL_MAX_SEQUENCES` sequences, else ``split``.

**Warm start** (option ``hint``): the best of ``initial`` (checked), the fast planner
``hetsp`` (for ``hint_time`` seconds: :func:`hint_seconds`) and the baselines ``adaptive``,
``megatron-dcp`` and ``static`` (milliseconds at FlexSP's scale). It hints the
full model, caps its objective and its number of micro-batch slots, and is returned when the
solver ends with nothing better — so ``split`` and ``full`` always return a plan when the
hint is on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.sequence_parallel.common import plan_groups, plan_solution
from ...heuristics.search import StopReason
from ...heuristics.sequence_parallel.baselines import adaptive_plan, dcp_plan, static_plan
from ...heuristics.sequence_parallel.planner import hetsp_plan
from ...heuristics.sequence_parallel.split import (
    EXACT_MODELS,
    FULL_MAX_SEQUENCES,
    SPLIT_BUCKETS,
    SPLIT_EXTRA,
    buckets,
    microbatch_greedy,
    partitions,
    sequence_bounds,
)
from ...instances import InputError, SequenceParallel
from ...instances.evaluate import check
from ...instances.sequence_parallel import evaluate
from ..common import WarmStart, checked_initial
from ..registry import MethodResult, RunContext
from ..result import Status

T = TypeVar("T")

__all__ = ["Answer", "Plan", "Backend", "FULL_MAX_SEQUENCES", "MODELS", "DEFAULT_BUCKETS",
           "DEFAULT_EXTRA", "run_exact", "warm_start", "plan_of", "plan_value"]

#: A plan: micro-batches of (degree, sequence ids).
Plan = list[list[tuple[int, list[int]]]]

#: The values of option ``model``; ``model=auto`` builds the full model up to
#: ``FULL_MAX_SEQUENCES`` sequences (the tables live in the split module, see there).
MODELS = EXACT_MODELS
DEFAULT_BUCKETS = SPLIT_BUCKETS
DEFAULT_EXTRA = SPLIT_EXTRA


@dataclass
class Answer:
    """One model's answer: the solver's status, its plan (or ``None``), a lower bound in
    seconds on the model's optimum (for the full model: on the step time of every plan),
    whether the solver proved its plan optimal for the model, and stats."""

    status: Status
    plan: Plan | None
    bound: float | None
    proved: bool
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class Backend:
    """The two solves an adapter supplies.

    ``full(inst, upper, at_least, hint, seconds, ctx)`` solves the full model (``upper``: the
    warm start's step time or ``None``; ``at_least``: slots the hint needs);
    ``microbatch(inst, seqs, bucket, hint, seconds, ctx)`` one micro-batch's model (``bucket``:
    the bucket of each of ``seqs`` or ``None``). ``tolerance``: the relative gap under which
    a proved model's plan counts as optimal for the real objective.
    """

    name: str
    full: Callable[[SequenceParallel, float | None, int, Plan | None, float | None,
                    RunContext], Answer]
    microbatch: Callable[[SequenceParallel, np.ndarray, np.ndarray | None, Plan | None,
                          float | None, RunContext], Answer]
    tolerance: float


def seconds_left(end: float | None) -> float | None:
    """Seconds until ``end`` (a ``time.perf_counter()`` reading; ``None``: no limit)."""
    return None if end is None else max(0.0, end - time.perf_counter())


def build_within(seconds: float | None, build: Callable[[Deadline], T]
                 ) -> tuple[T | None, float | None]:
    """``build(deadline)`` within ``seconds``: the built model (``None`` when the time ran
    out while building) and the end of the share, for the solve that follows."""
    end = None if seconds is None else time.perf_counter() + seconds
    try:
        return build(Deadline(end)), end
    except OutOfTime:
        return None, end


def unbuilt() -> Answer:
    """The answer of a model whose share of the time ran out while it was being built."""
    return Answer(Status.UNKNOWN, None, None, False,
                  {"detail": "the time ran out while building the model"})


def plan_of(solution: dict[str, Any]) -> Plan:
    """A schema solution as a plan of (degree, sequence ids)."""
    return [[(len(g["devices"]), [int(k) for k in g["sequences"]]) for g in mb]
            for mb in solution["microbatches"]]


def plan_value(inst: SequenceParallel, plan: Plan) -> float | None:
    """The evaluator's step time of a plan, or ``None`` when the evaluator rejects it."""
    sol = plan_solution(plan)
    if check(inst, sol):
        return None
    return evaluate.objective(inst, plan_groups(plan))


def hint_seconds(ctx: RunContext) -> float:
    """Seconds of the ``hetsp`` planner for the warm start (option ``hint_time``; -1: 10 % of
    the time limit, at most 1 s, or 1 s without a limit; 0: the baselines only)."""
    chosen = float(ctx.options["hint_time"])
    if chosen >= 0:
        return chosen
    return 1.0 if ctx.time_limit is None else min(1.0, 0.1 * ctx.time_limit)


def warm_start(inst: SequenceParallel, ctx: RunContext) -> tuple[WarmStart, Plan | None]:
    """The warm start (module docstring) and its plan; empty when ``hint`` is off."""
    given = checked_initial(inst, ctx)
    if not ctx.options["hint"]:
        return WarmStart(stats={"hint_from": None}), None
    candidates: list[tuple[str, dict[str, Any]]] = []
    if given is not None:
        candidates.append(("initial", given))
    seconds = hint_seconds(ctx)
    if seconds > 0:
        # The fast planner first: on FlexSP's grid it is 5-10 % better than the baselines.
        candidates.append(("hetsp", hetsp_plan(inst, seed=ctx.seed,
                                               stop=ctx.stop(time_limit=seconds))[0]))
    candidates.append(("adaptive", adaptive_plan(inst)[0]))
    candidates.append(("megatron-dcp", dcp_plan(inst)[0]))
    candidates.append(("static", static_plan(inst)))
    best: tuple[float, str, Plan] | None = None
    for source, sol in candidates:
        plan = plan_of(sol)
        value = plan_value(inst, plan)
        if value is not None and (best is None or value < best[0]):
            best = (value, source, plan)
    if best is None:
        return WarmStart(stats={"hint_from": None}), None
    value, source, plan = best
    return WarmStart(plan_solution(plan), value, {"hint_from": source,
                                                  "hint_objective": value}), plan


def check_options(ctx: RunContext) -> None:
    """InputError for option values the registry's declarations do not catch."""
    if ctx.options["model"] not in MODELS:
        raise InputError(f"must be one of {', '.join(MODELS)}, got {ctx.options['model']!r}",
                         field="option model")
    if ctx.options["buckets"] < 0:
        raise InputError(f"must be >= 0 (0 = off), got {ctx.options['buckets']!r}",
                         field="option buckets")
    if ctx.options["extra"] < 0:
        raise InputError(f"must be >= 0, got {ctx.options['extra']!r}", field="option extra")


def run_exact(inst: SequenceParallel, ctx: RunContext, backend: Backend) -> MethodResult:
    """Warm start, the chosen model(s), and one honest result."""
    check_options(ctx)
    model = ctx.options["model"]
    if model == "auto":
        model = "full" if inst.n_sequences <= FULL_MAX_SEQUENCES else "split"
    warm, warm_plan = warm_start(inst, ctx)
    stats: dict[str, Any] = {**warm.stats, "model": model}
    if ctx.interrupted.is_set():
        out = warm.interrupted()
        out.stats = {**out.stats, **stats}
        return out
    if model == "full":
        return _run_full(inst, ctx, backend, warm, warm_plan, stats)
    return _run_split(inst, ctx, backend, warm, warm_plan, stats)


def _reason(ctx: RunContext, proved: bool) -> StopReason:
    if ctx.interrupted.is_set():
        return StopReason.INTERRUPTED
    if proved or ctx.time_limit is None:
        return StopReason.FINISHED
    return StopReason.TIME_LIMIT


def _run_full(inst: SequenceParallel, ctx: RunContext, backend: Backend, warm: WarmStart,
              warm_plan: Plan | None, stats: dict[str, Any]) -> MethodResult:
    upper = warm.objective
    at_least = len(warm_plan) if warm_plan is not None else 1
    t0 = time.perf_counter()
    ans = backend.full(inst, upper, at_least, warm_plan, ctx.time_left(), ctx)
    stats.update(ans.stats)
    stats["model_status"] = str(ans.status)
    stats["model_seconds"] = round(time.perf_counter() - t0, 4)
    value = None if ans.plan is None else plan_value(inst, ans.plan)
    if ans.plan is not None and value is None:
        stats["model_plan_rejected"] = True  # rounding of a float solver: use the warm start
    best_plan, best_value = ans.plan, value
    if value is None or (warm.objective is not None and warm.objective < value):
        best_plan, best_value = warm_plan, warm.objective
        if warm_plan is not None:
            stats["returned"] = "warm start"
    bound = ans.bound
    if ans.status == Status.INFEASIBLE and warm_plan is None:
        return MethodResult(None, Status.UNKNOWN, stop_reason=StopReason.FINISHED,
                            stop_detail="the full model says infeasible without a warm start "
                                        "(every instance has a plan: a solver tolerance)",
                            stats=stats)
    if best_plan is None or best_value is None:
        return MethodResult(None, Status.UNKNOWN, bound=bound,
                            stop_reason=_reason(ctx, False),
                            stop_detail=f"{backend.name}: no plan "
                                        f"({ans.stats.get('detail', ans.status)})",
                            stats=stats)
    if bound is not None:
        bound = min(bound, best_value)
    proved = ans.proved and bound is not None and \
        best_value - bound <= backend.tolerance * max(1.0, abs(best_value))
    detail = f"full model: {ans.stats.get('detail', ans.status)}"
    if "returned" in stats:
        detail += "; the warm start is the best plan found"
    return MethodResult(plan_solution(best_plan), Status.OPTIMAL if proved else Status.FEASIBLE,
                        bound=best_value if proved else bound, stop_reason=_reason(ctx, proved),
                        stop_detail=detail, stats=stats)


def _warm_cut(inst: SequenceParallel, plan: Plan) -> np.ndarray:
    """The micro-batch of each sequence in ``plan``."""
    part = np.empty(inst.n_sequences, dtype=np.int64)
    for j, mb in enumerate(plan_groups(plan)):
        for _, seqs in mb:
            part[seqs] = j
    return part


def _run_split(inst: SequenceParallel, ctx: RunContext, backend: Backend, warm: WarmStart,
               warm_plan: Plan | None, stats: dict[str, Any]) -> MethodResult:
    B = int(ctx.options["buckets"])
    work, single = sequence_bounds(inst)
    b1, N = inst.cost.b1, inst.devices

    def part_bound(seqs: np.ndarray) -> float:
        return float(b1 + max(float(work[seqs].sum()) / N, float(single[seqs].max())))

    # Candidate cuts: (label, m, micro-batch of each sequence, the DP's estimate, the groups
    # of each micro-batch known to work or None). The warm start's own micro-batches are a
    # cut too: re-solving each of them can only improve on it.
    cuts: list[tuple[str, int, np.ndarray, float, Plan | None]] = sorted(
        ((str(m), m, part, est, None)
         for m, part, est in partitions(inst, int(ctx.options["extra"]))),
        key=lambda c: (c[3], c[1]))
    if warm_plan is not None:
        # First: it improves the returned plan for sure, whatever time the rest gets.
        part = _warm_cut(inst, warm_plan)
        groups = plan_groups(warm_plan)
        est = float(sum(part_bound(np.flatnonzero(part == j)) for j in range(len(groups))))
        cuts.insert(0, ("warm start", len(groups), part, est, groups))
    best_plan, best_value = warm_plan, warm.objective
    best_open: list[tuple[int, np.ndarray]] = []
    best_label = "warm start"
    remaining = sum(c[1] for c in cuts)
    tried: dict[str, Any] = {}
    statuses: dict[str, list[str]] = {}
    for label, m, part, estimate, known in cuts:
        members = [np.flatnonzero(part == j) for j in range(m)]
        if ctx.interrupted.is_set():
            tried[label] = "interrupted"
            remaining -= m
            continue
        if best_value is not None and estimate >= best_value * (1 - 1e-12):
            tried[label] = f"skipped: estimate {estimate:.6g} >= best {best_value:.6g}"
            remaining -= m
            continue
        plan: Plan = []
        value = 0.0
        open_: list[int] = []  # micro-batches whose model ended unproved
        rest = float(sum(part_bound(s) for s in members))
        st: list[str] = []
        failed = None
        for j, seqs in enumerate(members):
            rest -= part_bound(seqs)
            left = ctx.time_left()
            seconds = None if left is None else left / max(1, remaining)
            remaining -= 1
            fallback = [] if known is None else [known[j]]
            greedy = microbatch_greedy(inst, seqs)
            if greedy is not None:
                fallback.append(greedy)
            hint_groups = None
            if fallback:
                hint_groups = min(fallback, key=lambda g: plan_value_mb(inst, g) or np.inf)
            bucket = None
            if B > 0:
                bucket = buckets(inst.lengths[seqs], B)[0]
            if ctx.interrupted.is_set():
                ans = Answer(Status.UNKNOWN, None, None, False, {"skipped": "interrupted"})
            else:
                ans = backend.microbatch(inst, seqs, bucket,
                                         None if hint_groups is None else [hint_groups],
                                         seconds, ctx)
            st.append(str(ans.status))
            options = ([] if ans.plan is None else plan_groups(ans.plan)) + fallback
            scored: list[tuple[float, list[tuple[int, list[int]]]]] = []
            for option in options:
                mb_value = plan_value_mb(inst, option)
                if mb_value is not None:
                    scored.append((mb_value, option))
            if not scored:
                failed = f"micro-batch {j}: no plan ({ans.status})"
                break
            v, chosen = min(scored, key=lambda p: p[0])
            plan.append(chosen)
            value += v
            if not ans.proved and v > part_bound(seqs) * (1 + 1e-9):
                open_.append(j)
            if best_value is not None and value + rest >= best_value * (1 - 1e-12) and \
                    j + 1 < m:
                failed = f"abandoned after micro-batch {j}: {value + rest:.6g} >= best"
                break
        statuses[label] = st
        if failed is not None:
            remaining -= m - len(st)
            tried[label] = failed
            continue
        total = plan_value(inst, plan)
        tried[label] = total
        # The warm start's cut is kept on a tie too: its unproved micro-batches get the time
        # left at the end.
        if total is not None and (best_value is None or total < best_value or (
                label == "warm start" and total <= best_value * (1 + 1e-12))):
            best_plan, best_value = plan, total
            best_open = [(j, members[j]) for j in open_]
            best_label = f"split: {label}" if label == "warm start" else \
                f"split into {m} micro-batches"
    # Time left (the other cuts were pruned or finished early): the best cut's unproved
    # micro-batches again, each hinted with its plan so far and given an equal share.
    polished = 0
    while best_plan is not None and best_open and not ctx.interrupted.is_set():
        left = ctx.time_left()
        if left is not None and left < 0.2 * len(best_open):
            break
        j, seqs = best_open.pop(0)
        seconds = None if left is None else left / (len(best_open) + 1)
        bucket = buckets(inst.lengths[seqs], B)[0] if B > 0 else None
        ans = backend.microbatch(inst, seqs, bucket, [best_plan[j]], seconds, ctx)
        polished += 1
        if ans.plan is not None:
            again = plan_groups(ans.plan)
            new = plan_value_mb(inst, again[0]) if len(again) == 1 else None
            old = plan_value_mb(inst, best_plan[j])
            if new is not None and old is not None and new < old:
                best_plan = [*best_plan[:j], again[0], *best_plan[j + 1:]]
        if left is None:
            break  # no time limit: the first pass already ran every model to its end
    if polished:
        stats["polished"] = polished
        best_value = None if best_plan is None else plan_value(inst, best_plan)
    stats.update(microbatch_counts=[c[0] for c in cuts], step_time_by_count=tried,
                 models_status=statuses, buckets=B)
    if best_plan is None or best_value is None:
        return MethodResult(None, Status.UNKNOWN, stop_reason=_reason(ctx, False),
                            stop_detail="split: no plan for any micro-batch count", stats=stats)
    improved = warm.objective is None or best_value < warm.objective * (1 - 1e-12)
    stats["returned"] = best_label if improved else "warm start"
    detail = ("split mode: per-micro-batch optima are not global bounds; the bound is the "
              "cheap lower bound")
    return MethodResult(plan_solution(best_plan), Status.FEASIBLE,
                        stop_reason=_reason(ctx, False), stop_detail=detail, stats=stats)


def plan_value_mb(inst: SequenceParallel, groups: list[tuple[int, list[int]]]
                  ) -> float | None:
    """The time of one micro-batch's groups (its slowest group, the evaluator's
    ``group_time``), or ``None`` when they break a rule of one micro-batch (degrees, devices,
    memory)."""
    allowed = set(inst.degrees.tolist())
    if sum(d for d, _ in groups) > inst.devices:
        return None
    for d, seqs in groups:
        if d not in allowed or int(inst.lengths[seqs].sum()) > inst.memory_tokens * d:
            return None
    return max(evaluate.group_time(inst, d, seqs) for d, seqs in groups)
