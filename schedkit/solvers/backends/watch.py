"""Running a solver call under a deadline and an interruption, whatever the solver does.

The call runs in a worker thread while this thread waits in short steps, so that Python's
signal handlers (the Ctrl-C of :func:`schedkit.solve`) keep running and the deadline is seen
even when the solver does not look at its clock. At the deadline, or on interruption, the
solver is asked to stop (``stop``: CP-SAT's ``stop_search``, HiGHS's ``cancelSolve``, a SIGINT to
CBC); ``grace`` seconds later it is forced (``kill``); ``grace`` seconds after that the call is
given up: the caller goes on without its answer, and the worker thread ends by itself once the
solver returns. Such a thread is joined when the interpreter exits (a native solver still
running in a thread at exit would abort the process).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Watched", "run_watched"]

#: Seconds between looks at the clock and the interruption.
POLL_S = 0.05

#: Seconds the interpreter waits at exit for solver threads that were given up.
EXIT_WAIT_S = 60.0

_given_up: list[threading.Thread] = []


@atexit.register
def _join_given_up() -> None:
    end = time.perf_counter() + EXIT_WAIT_S
    for worker in _given_up:
        worker.join(max(0.0, end - time.perf_counter()))


def _reap(worker: threading.Thread, kill: Callable[[], None],
          keep_killing: Callable[[], bool]) -> None:
    def reap() -> None:
        while worker.is_alive() and keep_killing():
            kill()
            worker.join(POLL_S)

    threading.Thread(target=reap, name="schedkit-reaper", daemon=True).start()


@dataclass
class Watched:
    """What :func:`run_watched` saw: whether the call ``finished`` (else it was given up), its
    ``value``, and why the solver was asked to stop (``""``, ``"time limit"`` or
    ``"interrupted"``)."""

    finished: bool
    value: Any = None
    stopped: str = ""


def run_watched(call: Callable[[], Any], *, deadline: float | None,
                interrupt: threading.Event | None, stop: Callable[[], None],
                kill: Callable[[], None] | None = None, grace: float = 0.25,
                poll: Callable[[], None] | None = None,
                keep_killing: Callable[[], bool] | None = None) -> Watched:
    """Run ``call()`` in a worker thread under ``deadline`` (a ``time.perf_counter()`` reading,
    ``None``: none) and ``interrupt``; re-raise what it raises. ``poll()`` runs at every look
    at the clock and once at the end (the CBC runner forwards its log file's new lines).

    Once the call is given up, ``kill()`` goes on every :data:`POLL_S` in a daemon thread for
    as long as the worker lives and ``keep_killing()`` says so: a solver the worker starts only
    after it was given up (CBC launched once PuLP has written its model) dies too, instead of
    running to its own limit while the interpreter waits for the thread at exit."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    worker = threading.Thread(target=work, name="schedkit-solver", daemon=True)
    worker.start()
    stopped = ""
    stopped_at = killed_at = 0.0
    while worker.is_alive():
        worker.join(POLL_S)
        if poll is not None:
            poll()
        if not worker.is_alive():
            break
        now = time.perf_counter()
        if not stopped:
            if interrupt is not None and interrupt.is_set():
                stopped = "interrupted"
            elif deadline is not None and now >= deadline:
                stopped = "time limit"
            if stopped:
                stopped_at = now
                stop()
            continue
        if not killed_at and now >= stopped_at + grace:
            killed_at = now
            if kill is not None:
                kill()
        if killed_at and now >= killed_at + grace:
            _given_up.append(worker)
            if kill is not None and keep_killing is not None:
                _reap(worker, kill, keep_killing)
            return Watched(False, None, stopped)
    if poll is not None:
        poll()
    if "error" in box:
        raise box["error"]
    return Watched(True, box.get("value"), stopped)
