"""One Ctrl-C behaviour for every method and command: the first Ctrl-C stops the running search,
which returns (and records) its incumbent with stop reason ``interrupted``; the batch ends; a
second Ctrl-C aborts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import schedkit as sk

# (method, instance, options): searches and solvers that would run for the whole minute.
# The exact methods' warm start is cut to 1 s, so that the Ctrl-C reaches the solver itself.
LONG_RUNS = [
    ("tabu", "ta41", []),
    ("cpsat", "ta41", ["--option", "hint_time=1"]),
    ("milp", "ta41", ["--option", "hint_time=1"]),
    ("milp", "ta41", ["--option", "hint_time=1", "--option", "backend=highs"]),
    ("ls", "wt100-1", ["--option", "stall=0"]),
]


def _ctrl_c_after(seconds: float, times: int = 1) -> threading.Thread:
    def send() -> None:
        for _ in range(times):
            time.sleep(seconds)
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("method", "name", "extra"), LONG_RUNS,
                         ids=lambda x: x if isinstance(x, str) else "")
def test_first_ctrl_c_records_the_incumbent_and_ends_the_batch(method, name, extra,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "schedkit.cli", "solve", name, name, "-m",
                             method, "-t", "60", "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # into the search
    proc.send_signal(signal.SIGINT)
    t0 = time.perf_counter()
    _, err = proc.communicate(timeout=60)
    waited = time.perf_counter() - t0
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"interrupted: {name} returned its best")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 1  # the second instance is not started
    (rec,) = records
    assert rec["status"] in ("feasible", "optimal") and rec["verified"]
    assert rec["stop_reason"] == "interrupted"
    assert sk.check(sk.load(name), sk.Result.from_dict(rec)) == []
    assert waited < 30, f"{method} took {waited:.1f} s to stop"  # a minute without the stop


def test_in_process_solve_returns_the_incumbent() -> None:
    _ctrl_c_after(1.5)
    res = sk.solve("ta41", "tabu", time_limit=60, seed=1)
    assert res.stop_reason == sk.StopReason.INTERRUPTED and res.verified
    assert res.runtime_s < 30


def test_second_ctrl_c_aborts() -> None:
    def stubborn(instance: sk.Instance, ctx: sk.RunContext) -> sk.MethodResult:
        while True:  # a backend that never looks at ctx.interrupted
            time.sleep(0.01)

    method = sk.Method("stubborn", "jobshop", stubborn, sk.Kind.HEURISTIC, "never stops")
    # The caller's handler: Python's default in a terminal, SIG_IGN where the shell started the
    # tests in the background (POSIX shells ignore SIGINT in asynchronous commands).
    before = signal.getsignal(signal.SIGINT)
    _ctrl_c_after(0.5, times=2)
    with pytest.raises(KeyboardInterrupt):
        sk.solve("ft06", method)
    # The handler is gone again: the caller's own is back.
    assert signal.getsignal(signal.SIGINT) is before
