"""`schedkit bench` on Dask: a real LocalCluster (--jobs) and a real scheduler with two worker
processes on 127.0.0.1 (--scheduler) give the records of a serial run; a worker killed mid-run
loses no run (its run is re-queued); a run that does not return is killed at its hard limit and
recorded with its stop reason; a suite no worker can run is refused before anything starts."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import psutil
import pytest

import schedkit as sk
from schedkit import bench
from schedkit.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]

# Iteration-limited and seeded: a run gives the same objective and solution wherever it runs.
SMALL = """
name = "small"
instances = ["ft06", "la01", "wt40-1"]
methods = ["baseline", {name = "tabu", options = {iterations = 3000}},
           {name = "ls", options = {iterations = 3000}}]
seeds = [0, 1]
workers = 1
"""

# Four time-limited runs of 3 s: long enough to kill a worker in the middle of one.
LONG = """
name = "long"
instances = ["ft06", "la01"]
methods = ["tabu"]
seeds = [0, 1]
time_limits = [3.0]
"""


def _records(path: Path) -> dict[tuple, sk.Result]:
    found = bench.scan_results(path)
    kept, dropped = bench.dedupe(found.results)
    assert dropped == 0 and found.torn_line is None
    return {bench.result_key(r): r for r in kept}


def _same_outcomes(a: dict[tuple, sk.Result], b: dict[tuple, sk.Result]) -> None:
    assert a.keys() == b.keys()
    for key, r in a.items():
        assert (r.status, r.objective, r.solution) == (b[key].status, b[key].objective,
                                                       b[key].solution), key


def _local_workers() -> list[psutil.Process]:
    """The worker processes of a LocalCluster started by this process (the nanny runs here):
    forks of this process (``bench`` forks its local workers), or spawned ones."""
    me = psutil.Process()
    line = me.cmdline()
    found = []
    for proc in me.children():
        with contextlib.suppress(psutil.Error):
            if proc.cmdline() == line or "spawn_main" in " ".join(proc.cmdline()):
                found.append(proc)
    return found


def _solver_processes(workers: list[psutil.Process] | None = None) -> list[psutil.Process]:
    """The solver processes of local workers: forks of a worker (same command line)."""
    found = []
    for worker in _local_workers() if workers is None else workers:
        with contextlib.suppress(psutil.Error):
            line = worker.cmdline()
            found += [p for p in worker.children() if p.cmdline() == line]
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def small_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suites") / "small.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def serial(small_suite: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, sk.Result]:
    out = tmp_path_factory.mktemp("serial") / "small.jsonl"
    assert bench.run_suite(small_suite, out) == 12  # 3 instances x 2 methods each x 2 seeds
    return _records(out)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list]]:
    """`dask scheduler` and two `dask worker` processes (1 thread, cores=1 each), torn down
    whatever happens."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                        os.environ.get("PYTHONPATH", "")])}
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = (logs / f"{name}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=logs)
        procs.append(proc)
        return proc

    try:
        start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
              str(port), "--no-dashboard")
        workers = [start(f"worker{i}", "distributed.cli.dask_worker", address, "--nthreads",
                         "1", "--resources", "cores=1", "--no-nanny", "--no-dashboard",
                         "--name", f"w{i}", "--host", "127.0.0.1") for i in range(2)]
        deadline = time.monotonic() + 60
        while True:  # the scheduler may not listen yet
            try:
                with distributed.Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address, workers
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        for proc in procs:
            proc.wait(timeout=30)


def test_local_cluster_gives_the_serial_records(small_suite: Path, serial: dict, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "local.jsonl"
    assert bench.run_suite(small_suite, out, jobs=2) == 12
    got = _records(out)
    _same_outcomes(got, serial)
    for r in got.values():
        assert r.host["cores"] == os.cpu_count()  # the host that solved (the child's)
        assert str(r.stats["dask_worker"]).startswith("tcp://127.0.0.1:")
        assert "dask_attempt" not in r.stats
    err = capsys.readouterr().err
    assert "[12/12 done, 0 running, 0 left" in err  # stderr is not a terminal: one line per run
    # One writer, resumable: a second batch finds every run in the file and starts nothing.
    assert bench.run_suite(small_suite, out, jobs=2) == 0
    assert len(out.read_text().splitlines()) == 12


def test_run_killed_at_its_hard_limit_is_recorded(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    suite = tmp_path / "stuck.toml"
    suite.write_text('instances = ["ft06"]\nmethods = ["tabu"]\ntime_limits = [1.0]\n')
    monkeypatch.setattr(bench, "GRACE_MIN_S", 1.0)  # computed by the client: hard limit 2 s
    assert bench.hard_limit(1.0) == 2.0
    stopped: list[int] = []
    done = threading.Event()

    def freeze_the_solve() -> None:
        # The solve runs in a solver process forked from the worker: stop it so that it never
        # returns by itself.
        while not done.is_set() and not stopped:
            for proc in _solver_processes():
                with contextlib.suppress(psutil.Error):
                    proc.send_signal(signal.SIGSTOP)
                    stopped.append(proc.pid)
                    break
            time.sleep(0.05)

    watcher = threading.Thread(target=freeze_the_solve)
    watcher.start()
    try:
        out = tmp_path / "stuck.jsonl"
        assert bench.run_suite(suite, out, jobs=1) == 1
    finally:
        done.set()
        watcher.join()
    assert stopped, "the run's child process was never seen"
    assert not psutil.pid_exists(stopped[0]) or \
        psutil.Process(stopped[0]).status() == psutil.STATUS_ZOMBIE
    (r,) = _records(out).values()
    assert r.status == "error" and r.objective is None and r.solution is None
    assert r.stop_reason == sk.StopReason.TIME_LIMIT
    assert "killed at its hard limit of 2 s" in r.stop_detail
    assert 2.0 <= r.runtime_s < 10.0
    assert (r.instance, r.method, r.seed, r.time_limit_s) == ("ft06", "tabu", 0, 1.0)


def test_suite_needing_more_cores_than_a_worker_has_is_refused_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cores = os.cpu_count() or 1
    suite = tmp_path / "wide.toml"
    suite.write_text(f'instances = ["ft06"]\nmethods = ["baseline"]\nworkers = {cores + 1}\n')
    out = tmp_path / "wide.jsonl"
    assert cli_main(["bench", str(suite), "--jobs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{suite}: workers: its runs need {cores + 1} cores each, but the largest Dask " \
           f"worker of --jobs has {cores}; lower --jobs" in err
    assert out.read_text() == ""  # nothing ran


@pytest.mark.parametrize(("args", "flag"), [
    (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--report", "--jobs", "2"], "--jobs"),
    (["--jobs", "0"], "--jobs"),
])
def test_dask_flags_that_do_not_go_together(args: list[str], flag: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["bench", "smoke", *args, "--out", str(tmp_path / "x.jsonl")]
                    if "--report" not in args else ["bench", str(tmp_path / "x.jsonl"), *args]
                    ) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and flag in err and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()


def test_scheduler_address_gives_the_serial_records(small_suite: Path, serial: dict,
                                                    scheduler: tuple[str, list],
                                                    tmp_path: Path) -> None:
    address, _ = scheduler
    out = tmp_path / "remote.jsonl"
    assert bench.run_suite(small_suite, out, scheduler=address) == 12
    got = _records(out)
    _same_outcomes(got, serial)
    assert len({r.stats["dask_worker"] for r in got.values()}) == 2  # both workers ran some


def test_killed_worker_loses_no_run(scheduler: tuple[str, list], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    address, workers = scheduler
    suite = tmp_path / "long.toml"
    suite.write_text(LONG)
    killed = threading.Event()

    def kill_one_worker_mid_run() -> None:
        with distributed.Client(address, timeout="10s") as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if len(busy) == 2:  # both workers are in a 3 s run
                    time.sleep(1.0)
                    workers[1].send_signal(signal.SIGKILL)
                    killed.set()
                    return
                time.sleep(0.1)

    killer = threading.Thread(target=kill_one_worker_mid_run)
    killer.start()
    out = tmp_path / "long.jsonl"
    try:
        assert bench.run_suite(suite, out, scheduler=address) == 4
    finally:
        killer.join()
    assert killed.is_set()
    got = _records(out)
    assert len(got) == 4 and len(out.read_text().splitlines()) == 4
    assert all(r.ok for r in got.values())  # feasible, or optimal where tabu meets the bound
    again = [r for r in got.values() if r.stats.get("dask_attempt") == 2]
    assert len(again) == 1  # the run of the killed worker, done again by the other one
    err = capsys.readouterr().err
    assert err.count("re-queued") == 1 and "its Dask worker died running it" in err
    json.loads(out.read_text().splitlines()[-1])  # the last line is whole


def test_run_whose_worker_dies_twice_is_recorded_as_lost(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    suite = tmp_path / "doomed.toml"
    suite.write_text('instances = ["ft06"]\nmethods = ["tabu"]\ntime_limits = [5.0]\n')
    solvers: list[int] = []
    killed: list[int] = []

    def kill_the_worker_mid_run_twice() -> None:
        deadline = time.monotonic() + 60
        while len(killed) < 2 and time.monotonic() < deadline:
            for worker in _local_workers():
                with contextlib.suppress(psutil.Error):
                    if worker.pid in killed:
                        continue
                    helpers = _solver_processes([worker])
                    if helpers:
                        time.sleep(0.5)
                        solvers.extend(p.pid for p in helpers)
                        worker.kill()
                        killed.append(worker.pid)
            time.sleep(0.1)

    killer = threading.Thread(target=kill_the_worker_mid_run_twice)
    killer.start()
    out = tmp_path / "doomed.jsonl"
    try:
        assert bench.run_suite(suite, out, jobs=1) == 1
    finally:
        killer.join()
    assert len(killed) == 2
    (r,) = _records(out).values()
    assert r.status == "error" and r.stop_reason == sk.StopReason.ERROR and r.solution is None
    assert re.fullmatch(r"lost: its Dask worker tcp://127\.0\.0\.1:\d+ died running it, after "
                        r"one re-queue \(the first worker died too\)", r.stop_detail)
    assert (r.instance, r.method, r.time_limit_s) == ("ft06", "tabu", 5.0)
    assert capsys.readouterr().err.count("re-queued ft06 tabu seed=0") == 1
    # the solver processes of the killed workers went with them
    time.sleep(1.0)
    assert not [pid for pid in solvers if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def test_processes_forked_for_a_local_cluster_do_not_hold_the_results_file(tmp_path) -> None:
    # Local workers are forked from the client: the results file (and its lock) must not live
    # on in them, or a worker outliving a killed client would keep the next batch out.
    import multiprocessing

    fcntl = pytest.importorskip("fcntl")
    fd = os.open(tmp_path / "runs.jsonl", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        bench._not_for_children(fd)
        ctx = multiprocessing.get_context("fork")

        results = os.stat(tmp_path / "runs.jsonl")

        def child() -> None:
            # The number may be reused by then (multiprocessing opens os.devnull): compare
            # the file, not the number.
            try:
                st = os.fstat(fd)
            except OSError:
                os._exit(0)  # closed at the fork, as it should be
            os._exit(3 if (st.st_dev, st.st_ino) == (results.st_dev, results.st_ino) else 0)

        proc = ctx.Process(target=child)
        proc.start()
        proc.join(30)
        assert proc.exitcode == 0
        bench._NOT_FOR_CHILDREN.discard(fd)
        proc = ctx.Process(target=child)  # no longer in the set: inherited as usual
        proc.start()
        proc.join(30)
        assert proc.exitcode == 3
    finally:
        bench._NOT_FOR_CHILDREN.discard(fd)
        os.close(fd)
