"""``solve()``: pick the method, run its adapter, verify with the evaluator, build the Result."""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from ..heuristics.search import StopReason
from ..instances import InputError, Instance, instance_sha256
from ..instances.evaluate import evaluate, lower_bound
from .methods import AUTO, AUTO_TIMED, REGISTRY
from .registry import Method, MethodResult, RunContext
from .result import Result, Status, close, gap, gap_to_best_known

__all__ = ["solve", "resolve_method"]

try:
    # The C module under ``signal``: ``signal.signal`` is it plus enum conversions of its
    # arguments and result, which raise and catch two exceptions per call for a Python
    # handler (some 10 µs per solve(), a few per cent of a fast heuristic's whole call).
    import _signal as _handlers  # type: ignore[import-not-found]
except ImportError:  # another Python implementation
    _handlers = signal

#: Seconds solve() keeps, after the method's deadline, for checking its answer and building the
#: Result (the evaluator is linear in the solution's size; this covers 10^5 operations).
FINISH_S = 0.05

#: The share of the time limit that compiling or loading the method's Numba kernels may take
#: inside the budget; a longer warm-up (a compile on a cold cache) runs before the clock.
WARM_UP_SHARE = 0.5


@contextmanager
def _interruptible(ctx: RunContext) -> Iterator[None]:
    """While the method runs, the first Ctrl-C sets ``ctx.interrupted`` (the method stops at
    its next check and returns its incumbent) and a second one aborts (KeyboardInterrupt).
    Signal handlers live in the main thread only; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: Any) -> None:
        if ctx.interrupted.is_set():
            raise KeyboardInterrupt
        ctx.interrupted.set()

    previous = _handlers.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        _handlers.signal(signal.SIGINT, previous)


@cache
def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("schedkit", "numpy", "numba", "ortools", "pulp", "highspy", "alns", "scipy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


@cache
def _host() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count() or 1, "platform": sys.platform}


def resolve_method(instance: Instance, method: str | Method,
                   time_limit: float | None = None) -> Method:
    """The method to run: a :class:`Method` as given (a reference method of a benchmark, say),
    or the registered one of that name for the instance's problem (``"auto"``: the preferred
    one, from :data:`AUTO`, or from :data:`AUTO_TIMED` when ``time_limit`` is given)."""
    if method == "auto":
        order = AUTO if time_limit is None else AUTO_TIMED
        for name in order[instance.problem]:
            candidate = REGISTRY.get(name, instance.problem)
            if candidate.supports(instance):
                return candidate
        raise InputError(f"no method supports {instance.problem} with objective "
                         f"{instance.objective!r}", field="method")
    if isinstance(method, Method):
        found = method
        if found.problem != instance.problem:
            raise InputError(f"method {found.name!r} does not solve {instance.problem} (it "
                             f"solves {found.problem})", field="method")
    elif isinstance(method, str):
        found = REGISTRY.get(method, instance.problem)
    else:
        raise InputError(f"must be a method name or a Method, got {method!r}", field="method")
    if not found.supports(instance):
        raise InputError(f"method {found.name!r} does not support objective "
                         f"{instance.objective!r} (it supports "
                         f"{', '.join(found.objectives or ())})", field="method")
    return found


def solve(
    instance: Instance | str | Path,
    method: str | Method = "auto",
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
    options: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
) -> Result:
    """Solve ``instance`` with ``method`` and return a verified :class:`Result`.

    Parameters
    ----------
    instance
        An :class:`~schedkit.instances.Instance`, a file path or a bundled instance name.
    method
        A registered method name (``schedkit methods``), ``"auto"``, or a :class:`Method`
        that is not registered (e.g. a benchmark's reference implementation). ``"auto"``
        runs the first method of :data:`AUTO` (:data:`AUTO_TIMED` with a time limit) that
        supports the instance's objective.
    time_limit
        Wall-clock limit in seconds for the whole call (``None``: the method's own stopping
        rule; ``inf`` and ``nan`` are refused). Loading the method's Numba kernels from the
        cache counts in it. A compile that takes more than half the limit (a cold cache, the
        first run after installing) comes before the clock instead: it shows in
        ``runtime_s`` and ``stats["jit_warm_up_s"]``, and ``stats["jit_before_clock"]``
        says so; ``schedkit warmup`` fills the cache
        beforehand. A time-limited run does not reproduce (it depends on the
        machine's speed and load); an iteration-limited one does.
    seed
        Random seed passed to the method (an integer >= 0).
    workers
        Threads the method may use.
    options
        Method options; unknown names or ill-typed values raise :class:`InputError`. Keys
        ``cpsat.NAME`` and ``highs.NAME`` pass parameters through to the backend (a field of
        CP-SAT's ``SatParameters`` for a ``cpsat`` method; a HiGHS option for ``milp`` with
        ``backend="highs"``), checked against the backend's own list and types.
    initial
        A solution to start from (hints, warm starts) where the method can use one.
    log
        Called with each line of the run's progress log (``print`` will do; the CLI's
        ``-v`` sends them to stderr): a first line naming the run, the backend's own log
        (CP-SAT's search log, CBC's, HiGHS's), one line per new incumbent of the searches
        (elapsed seconds, objective, bound, gap; at most two a second), and a last line with
        the outcome. Logging changes nothing else: a run gives the same result with and
        without it.

    Returns
    -------
    Result
        ``status`` is ``optimal`` or ``feasible`` only if the evaluator accepts the solution;
        ``bound`` is the best of the method's proven bound and the cheap lower bound. On the
        first Ctrl-C the method stops and the result holds its incumbent, with
        ``stop_reason == "interrupted"``; a second Ctrl-C raises ``KeyboardInterrupt``.
    """
    if not isinstance(instance, Instance):
        from ..instances.catalogue import load

        instance = load(instance)
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or \
                not math.isfinite(time_limit) or not time_limit > 0:
            raise InputError(f"must be a finite number of seconds > 0, got {time_limit!r} "
                             "(leave it out for no limit)", field="time_limit")
        time_limit = float(time_limit)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"must be an integer >= 1, got {workers!r}", field="workers")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"must be an integer >= 0, got {seed!r}", field="seed")
    chosen = resolve_method(instance, method, time_limit)
    opts = chosen.validate_options(options)
    ctx = RunContext(time_limit=time_limit, seed=seed, workers=workers,
                     options={**opts, **chosen.fixed}, initial=initial,
                     finish_s=0.0 if time_limit is None else min(FINISH_S, 0.1 * time_limit),
                     log=log, label=f"{instance.name} {chosen.name}: ")
    started = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")

    t0 = time.perf_counter()
    warm_s = 0.0
    if chosen.warm_up is not None:
        chosen.warm_up()  # compile (or load) the kernels before the search starts
        warm_s = time.perf_counter() - t0
    # Loading cached kernels (a few tenths of a second) counts in the budget, so the whole
    # call keeps the limit; a compile on a cold cache, which would eat most of a short
    # budget, comes before the clock instead (WARM_UP_SHARE).
    before_clock = time_limit is not None and warm_s > WARM_UP_SHARE * time_limit
    ctx.started = time.perf_counter() if before_clock else t0
    with _interruptible(ctx):
        try:
            # cached: _finish needs them, so they count in the budget
            ctx.bound = lower_bound(instance)
            instance_sha256(instance)
            ctx.say(f"start: {chosen.kind} method on {instance.size()}, time limit "
                    f"{'none' if time_limit is None else f'{time_limit:g} s'}, seed {seed}, "
                    f"workers {workers}; cheap lower bound {ctx.bound:.10g}")
            outcome = chosen.adapter()(instance, ctx)
        except InputError:
            raise
        except Exception as exc:  # a backend failure is a result with status error, no crash
            outcome = MethodResult(None, Status.ERROR, stop_reason=StopReason.ERROR,
                                   stop_detail=f"{type(exc).__name__}: {exc}")
    if ctx.interrupted.is_set() and outcome.stop_reason != StopReason.ERROR:
        outcome.stop_reason = StopReason.INTERRUPTED
    if warm_s >= 0.01:
        outcome.stats = {**outcome.stats, "jit_warm_up_s": round(warm_s, 3)}
    if before_clock:
        outcome.stats["jit_before_clock"] = True
    runtime = max(0.0, time.perf_counter() - t0)
    result = _finish(instance, chosen, ctx, opts, outcome, runtime, started)
    if log is not None:
        ctx.flush()
        ctx.say(f"end: {result.status}, objective "
                f"{'-' if result.objective is None else f'{result.objective:.10g}'}, bound "
                f"{'-' if result.bound is None else f'{result.bound:.10g}'}, stop reason "
                f"{result.stop_reason}" + (f" ({result.stop_detail})" if result.stop_detail
                                           else ""))
    return result



def unfinished_result(
    instance: Instance,
    method: str | Method,
    *,
    time_limit: float | None,
    seed: int,
    workers: int,
    options: Mapping[str, Any] | None,
    stop_reason: StopReason,
    stop_detail: str,
    runtime_s: float,
    status: Status = Status.ERROR,
    stats: Mapping[str, Any] | None = None,
    host: bool = True,
) -> Result:
    """The record of a run whose :func:`solve` never returned (its process was killed at a
    hard limit, or the machine running it went away): no solution, and the run's key
    (instance, method, options, seed, time limit, workers) as :func:`solve` would record it.

    Parameters
    ----------
    instance, method, time_limit, seed, workers, options
        The run, as it was given to :func:`solve` (``options`` are validated here).
    stop_reason, stop_detail
        Why it ended, and what happened, in words.
    runtime_s
        Wall-clock seconds from its start to its end.
    status
        ``error`` (the default) or ``unknown``.
    stats
        Extra statistics (a benchmark label, where the run went).
    host
        Record this process's host as the one that ran it (false: the host is unknown).
    """
    if status not in (Status.ERROR, Status.UNKNOWN):
        raise ValueError(f"an unfinished run has status error or unknown, not {status}")
    chosen = resolve_method(instance, method, time_limit)
    best_known = instance.bounds.upper if instance.bounds is not None else None
    return Result(
        problem=instance.problem,
        instance=instance.name,
        instance_sha256=instance_sha256(instance),
        method=chosen.name,
        options=chosen.validate_options(options),
        seed=seed,
        time_limit_s=None if time_limit is None else float(time_limit),
        workers=workers,
        status=status,
        best_known=best_known,
        runtime_s=max(0.0, float(runtime_s)),
        stop_reason=stop_reason,
        stop_detail=stop_detail,
        stats=dict(stats or {}),
        versions=_versions(),
        host=_host() if host else {},
        started_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    )

_E = TypeVar("_E", Status, StopReason)


def _as(kind: type[_E], value: Any) -> _E:
    """``kind(value)``, without the enum lookup when ``value`` already is a member."""
    return value if type(value) is kind else kind(value)


def _finish(instance: Instance, method: Method, ctx: RunContext, options: dict[str, Any],
            out: MethodResult, runtime: float, started: str) -> Result:
    stats = dict(out.stats)
    cheap = lower_bound(instance)
    bound = cheap if out.bound is None or not math.isfinite(out.bound) else \
        max(float(out.bound), cheap)
    objective, verified = None, False
    try:
        status, reason, detail = _as(Status, out.status), _as(StopReason, out.stop_reason), \
            out.stop_detail
    except ValueError:  # an adapter outside the registry may say anything
        status, reason = Status.ERROR, StopReason.ERROR
        detail = f"method returned status {out.status!r}, stop reason {out.stop_reason!r}"
        out = MethodResult(None, status, stats=out.stats)
    if out.solution is not None:
        ev = evaluate(instance, out.solution)
        if ev.feasible and not math.isfinite(ev.objective or 0.0):
            # Instance validation keeps every objective finite; this is the last line of
            # defence, so that no record says feasible without a number.
            status, reason = Status.ERROR, StopReason.ERROR
            detail = f"the evaluator's objective is not finite ({ev.objective})"
        elif ev.feasible:
            assert ev.objective is not None
            objective, verified = ev.objective, True
            if out.objective is not None and not close(out.objective, objective):
                status, reason = Status.ERROR, StopReason.ERROR
                detail = (f"backend objective {out.objective:g} != evaluator objective "
                          f"{objective:g}")
            elif objective < bound and not close(objective, bound):
                status, reason = Status.ERROR, StopReason.ERROR
                detail = f"objective {objective:g} below the proven bound {bound:g}"
            elif status not in (Status.OPTIMAL, Status.FEASIBLE):
                status = Status.FEASIBLE
            if status == Status.FEASIBLE and \
                    objective - bound <= 1e-9 * max(1.0, abs(objective)):
                status = Status.OPTIMAL  # the objective meets a valid lower bound: a proof
                detail = f"{detail}; objective equals the lower bound" if detail else \
                    "objective equals the lower bound"
            if status == Status.OPTIMAL:
                bound = objective  # proved
        else:
            status, reason = Status.ERROR, StopReason.ERROR
            stats["violations"] = [str(v) for v in ev.violations]
            detail = f"evaluator rejected the solution: {ev.violations[0]}"
    elif status in (Status.OPTIMAL, Status.FEASIBLE):
        status, reason = Status.ERROR, StopReason.ERROR
        detail = f"method claimed {out.status} without a solution"
    best_known = instance.bounds.upper if instance.bounds is not None else None
    ok = status in (Status.OPTIMAL, Status.FEASIBLE)
    return Result(
        problem=instance.problem,
        instance=instance.name,
        instance_sha256=instance_sha256(instance),
        method=method.name,
        options=options,
        seed=ctx.seed,
        time_limit_s=ctx.time_limit,
        workers=ctx.workers,
        status=status,
        objective=objective if ok else None,
        bound=None if status == Status.INFEASIBLE else bound,
        gap=gap(objective, bound) if ok else None,
        best_known=best_known,
        gap_to_best_known=gap_to_best_known(objective, best_known) if ok else None,
        runtime_s=runtime,
        solution=out.solution,  # kept on error too: the rejected solution helps debugging
        verified=verified and ok,
        stop_reason=reason,
        stop_detail=detail,
        stats=stats,
        versions=_versions(),
        host=_host(),
        started_at=started,
    )
