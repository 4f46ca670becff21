"""The benchmark runner (schedkit.bench, behind `schedkit bench` and the checkout's bench.py):
runs a suite, appends results, resumes without re-running, prints the tables."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    # The runner's code lives in the package; ROOT/bench.py (run as a script below) only calls
    # its main().
    return importlib.import_module("schedkit.bench")


SUITE = """
name = "tiny"
instances = ["ft06", "wt40-51", "topcuoglu2002"]
methods = ["baseline", {name = "baseline", label = "baseline-again"}]
seeds = [0, 1]
[[generate]]
problem = "sequence_parallel"
seeds = [3]
shape = {sequences = 8}
"""


def test_run_resume_and_report(bench, tmp_path, capsys) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    out = tmp_path / "tiny.jsonl"
    assert bench.run_suite(suite, out) == 4 * 2 * 2
    lines = out.read_text().splitlines()
    assert len(lines) == 16
    assert bench.run_suite(suite, out) == 0  # resumable: nothing new
    assert len(out.read_text().splitlines()) == 16
    assert bench.main(["report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "### Per instance" in text and "### Per method" in text
    assert "| ft06" in text and "baseline-again" in text
    assert "absolute deviation" in text  # wt40-51 has best known 0


def test_smoke_suite_file_is_valid(bench) -> None:
    suite = bench.load_suite(bench.find_suite("smoke"))
    assert len(suite["instances"]) >= 10
    problems = {i.problem for i in suite["instances"]}
    assert problems == {"jobshop", "single_machine", "dag", "expert_placement",
                        "sequence_parallel"}


@pytest.mark.parametrize(("text", "field"), [
    ("instances = ['ft06']\nmethods = []", "methods"),
    ("instances = ['ft06']\nmethods = ['baseline']\ncolour = 1", "colour"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = [-1]", "time_limits"),
    ("instances = ['ft06'\n", None),
])
def test_bad_suites_are_input_errors(bench, tmp_path, text, field) -> None:
    suite = tmp_path / "bad.toml"
    suite.write_text(text)
    with pytest.raises(bench.sk.InputError) as err:
        bench.load_suite(suite)
    assert str(suite) in str(err.value)
    if field:
        assert err.value.field == field


def test_shifted_geomean(bench) -> None:
    assert bench.shifted_geomean([0.0, 0.0]) == pytest.approx(0.0)
    assert bench.shifted_geomean([1.0, 3.0], shift=1.0) == pytest.approx(8 ** 0.5 - 1)


# -- robustness: torn lines, two writers, duplicates, bad suites, Ctrl-C ---------------------------
SMALL = """
name = "small"
instances = ["ft06"]
methods = ["baseline"]
seeds = [0, 1]
[[generate]]
problem = "jobshop"
seeds = [1]
shape = {jobs = 3, machines = 2}
"""

# Runs that each take their whole time limit (tabu search does not close ta21 in 0.2 s), so a
# batch lasts long enough to be killed, interrupted or contended in the middle.
LONG = """
name = "long"
instances = ["ta21"]
methods = ["tabu"]
seeds = [{seeds}]
time_limits = [0.2]
"""


def _suite(tmp_path: Path, text: str, name: str = "small") -> Path:
    suite = tmp_path / f"{name}.toml"
    suite.write_text(text)
    return suite


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def _keys(bench, out: Path) -> list[tuple]:
    return [bench.result_key(bench.sk.Result.from_dict(r)) for r in _records(out)]


def _start(*args: str, cwd: Path) -> subprocess.Popen:
    """``python bench.py ARGS`` in the background, with Ctrl-C (SIGINT) acting as at a terminal
    even if this test runs where SIGINT is ignored."""
    return subprocess.Popen([sys.executable, str(ROOT / "bench.py"), *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_records(out: Path, n: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.05)
    assert proc.poll() is None, f"bench.py ended early: {proc.communicate()}"
    raise AssertionError(f"no {n} records in {out} after {timeout} s")


def test_killed_run_resumes_repairing_a_torn_last_line(bench, tmp_path, capsys) -> None:
    suite = _suite(tmp_path, LONG.format(seeds="0, 1, 2, 3, 4, 5"), "long")
    out = tmp_path / "long.jsonl"
    first = _start("run", str(suite), "--out", str(out), cwd=tmp_path)
    try:
        _wait_for_records(out, 2, first)
    finally:
        first.kill()  # SIGKILL: no cleanup, the kernel drops the lock
        first.communicate()
    whole = out.read_text().splitlines()
    assert 2 <= len(whole) < 6
    with out.open("a") as fh:  # what a kill in the middle of a write leaves
        fh.write(whole[-1][: len(whole[-1]) // 2])
    assert bench.main(["run", str(suite), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    torn = [line for line in err.splitlines() if "torn" in line]
    assert len(torn) == 1 and torn[0].startswith(f"warning: {out}:{len(whole) + 1}: torn last")
    keys = _keys(bench, out)
    assert len(keys) == 6 and len(set(keys)) == 6  # one record per run
    assert out.read_bytes().endswith(b"\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.jsonl", "long.toml"]  # no temp


def test_second_writer_refuses_and_ctrl_c_ends_the_batch(bench, tmp_path) -> None:
    suite = _suite(tmp_path, LONG.format(seeds=", ".join(map(str, range(60)))), "long")
    out = tmp_path / "long.jsonl"
    first = _start("run", str(suite), "--out", str(out), cwd=tmp_path)
    try:
        _wait_for_records(out, 1, first)
        second = subprocess.run([sys.executable, str(ROOT / "bench.py"), "run", str(suite),
                                 "--out", str(out)], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 2
        assert second.stderr.splitlines() == [
            f"error: {out} is being written by another bench.py (pid {first.pid}); wait for it "
            "or choose another --out"]
        assert first.poll() is None
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert first.returncode == 130
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    # Ctrl-C between two runs ends the batch; during a run, the run returns its best solution
    # (recorded with stop reason interrupted) and then the batch ends.
    match = re.fullmatch(r"interrupted(?: in run \d+/60 \(.*\): its best solution so far is "
                         r"recorded \(stop reason interrupted; done again on resume\);|:) "
                         r"(\d+) of 60 runs done and kept in (.*); "
                         r"`python bench.py run .* --out .*` resumes", last)
    assert match, last
    keys = _keys(bench, out)
    interrupted = [r for r in _records(out) if r["stop_reason"] == "interrupted"]
    assert len(interrupted) == (1 if " in run " in last else 0)
    assert len(keys) == int(match.group(1)) + len(interrupted) >= 1
    assert len(set(keys)) == len(keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.jsonl", "long.toml"]


def test_a_held_lock_refuses_or_waits(bench, tmp_path, capsys) -> None:
    fcntl = pytest.importorskip("fcntl")
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    holder = os.open(out, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert bench.main(["run", str(suite), "--out", str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err == [f"error: {out} is being written by another bench.py (pid {os.getpid()}); "
                       "wait for it or choose another --out"]
        assert out.read_text() == ""
        threading.Timer(0.3, fcntl.flock, (holder, fcntl.LOCK_UN)).start()
        assert bench.main(["run", str(suite), "--out", str(out), "--wait"]) == 0
    finally:
        os.close(holder)
    assert "waiting for the bench.py writing" in capsys.readouterr().err
    assert len(_records(out)) == 4


def test_no_flock_fails_clearly(bench, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` fails, as on Windows
    suite = _suite(tmp_path, SMALL)
    assert bench.main(["run", str(suite), "--out", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "fcntl.flock" in err[0]


def test_report_drops_duplicates(bench, tmp_path, capsys) -> None:
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    assert bench.run_suite(suite, out) == 4
    doubled = tmp_path / "doubled.jsonl"
    doubled.write_text(out.read_text() * 2)  # what two writers without the lock left
    capsys.readouterr()
    assert bench.main(["report", str(doubled)]) == 0
    cap = capsys.readouterr()
    assert "report: dropped 4 duplicate records" in cap.err
    assert re.search(r"\| baseline \| 4 ", cap.out)
    assert bench.main(["report", str(out), str(doubled)]) == 0  # across files too
    assert "dropped 8 duplicate records" in capsys.readouterr().err
    assert bench.main(["report", str(out)]) == 0
    assert "duplicate" not in capsys.readouterr().err


def test_torn_and_corrupt_lines_in_results(bench, tmp_path, capsys) -> None:
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    assert bench.run_suite(suite, out) == 4
    lines = out.read_text().splitlines()
    torn = tmp_path / "torn.jsonl"
    torn.write_text("\n".join(lines[:3]) + "\n" + lines[3][:100])
    capsys.readouterr()
    assert bench.main(["report", str(torn)]) == 0
    cap = capsys.readouterr()
    assert cap.err.splitlines() == [f"warning: {torn}:4: torn last line (a write cut short, e.g. "
                                    "by a kill); skipped (`bench.py run` on this file removes "
                                    "it)"]
    assert re.search(r"\| baseline \| 3 ", cap.out)
    # a whole last record without its newline is kept and terminated, not run again
    unterminated = tmp_path / "unterminated.jsonl"
    unterminated.write_text("\n".join(lines))
    assert bench.run_suite(suite, unterminated) == 0
    assert unterminated.read_text() == out.read_text()
    # a bad line before the last is not a torn write: an error naming file and line
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text("\n".join([lines[0], lines[1][:50], *lines[2:]]) + "\n")
    before = corrupt.read_bytes()
    capsys.readouterr()
    for argv in (["report", str(corrupt)], ["run", str(suite), "--out", str(corrupt)]):
        assert bench.main(argv) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: {corrupt}:2: invalid JSON")
    assert corrupt.read_bytes() == before


BAD_SUITES = [
    ("methods = ['baseline']\ngenerate = 5", "generate"),
    ("methods = ['baseline']\ngenerate = [5]", "generate[0]"),
    ("methods = ['baseline']\n[generate]\nproblem = 'jobshop'", "generate"),
    ("methods = ['baseline']\n[[generate]]\nseeds = [1]", "generate[0].problem"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 5", "generate[0].problem"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nseeds = 1", "generate[0].seeds"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nseeds = ['a']",
     "generate[0].seeds"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nshape = 5", "generate[0].shape"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nshape = {seed = 1}",
     "generate[0].shape.seed"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nshape = {jobs = 'a'}",
     "generate[0].shape.jobs"),
    ("methods = ['baseline']\n[[generate]]\nproblem = 'jobshop'\nsize = 1", "generate[0].size"),
    ("instances = [5]\nmethods = ['baseline']", "instances"),
    ("instances = 'ft06'\nmethods = ['baseline']", "instances"),
    ("instances = ['nope']\nmethods = ['baseline']", "instances[0]"),
    ("instances = ['ft06']\nmethods = [{name = 'baseline', options = 5}]", "methods[0].options"),
    ("instances = ['ft06']\nmethods = [{name = 'dispatch', options = {nope = 1}}]",
     "methods[0].options"),
    ("instances = ['ft06']\nmethods = 'baseline'", "methods"),
    ("instances = ['ft06']\nmethods = [5]", "methods[0]"),
    ("instances = ['ft06']\nmethods = [{label = 'x'}]", "methods[0].name"),
    ("instances = ['ft06']\nmethods = [{name = 'baseline', label = 5}]", "methods[0].label"),
    ("instances = ['ft06']\nmethods = [{name = 'baseline', option = {}}]", "methods[0].option"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = [inf]", "time_limits"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = [nan]", "time_limits"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = 10", "time_limits"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = []", "time_limits"),
    ("instances = ['ft06']\nmethods = ['baseline']\ntime_limits = [true]", "time_limits"),
    ("instances = ['ft06']\nmethods = ['baseline']\nseeds = 0", "seeds"),
    ("instances = ['ft06']\nmethods = ['baseline']\nseeds = [1.5]", "seeds"),
    ("instances = ['ft06']\nmethods = ['baseline']\nseeds = []", "seeds"),
    ("instances = ['ft06']\nmethods = ['baseline']\nworkers = '2'", "workers"),
    ("instances = ['ft06']\nmethods = ['baseline']\nworkers = true", "workers"),
    ("instances = ['ft06']\nmethods = ['baseline']\nname = 5", "name"),
    ("instances = ['ft06']\nmethods = ['baseline']\ninstance_options = 5", "instance_options"),
    ("instances = ['ft06']\nmethods = ['baseline']\ninstance_options = {ft06 = 5}",
     "instance_options.ft06"),
    ("instances = ['ft06']\nmethods = ['baseline']\ninstance_options = {ft07 = {}}",
     "instance_options.ft07"),
    ("instances = ['ft06']\nmethods = ['baseline']\ninstance_options = {ft06 = {ref = 1}}",
     "instance_options.ft06.ref"),
    ("instances = ['ft06']\nmethods = ['baseline']\ninstance_options = {ft06 = {foo = 1}}",
     "instance_options.ft06.foo"),
]


@pytest.mark.parametrize(("text", "field"), BAD_SUITES, ids=[f for _, f in BAD_SUITES])
def test_bad_suites_exit_2_with_one_line(bench, tmp_path, capsys, text, field) -> None:
    suite = _suite(tmp_path, text, "bad")
    with pytest.raises(bench.sk.InputError) as err:
        bench.load_suite(suite)
    assert err.value.field == field
    out = tmp_path / "bad.jsonl"
    assert bench.main(["run", str(suite), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {suite}: {field}: "), lines
    assert not out.exists()


def _ctrl_c_on_third_solve(bench, monkeypatch):
    """The runner's third solve raises KeyboardInterrupt, as a Ctrl-C during it would;
    returns the real solve (to put back)."""
    solve = bench.sk.solve
    calls = []

    def interrupted_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return solve(*args, **kwargs)

    monkeypatch.setattr(bench.sk, "solve", interrupted_on_third)
    return solve


def test_ctrl_c_keeps_what_was_written_and_resumes(bench, tmp_path, capsys, monkeypatch) -> None:
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    solve = _ctrl_c_on_third_solve(bench, monkeypatch)
    assert bench.main(["run", str(suite), "--out", str(out)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith(f"interrupted: 2 of 4 runs done and kept in {out}; ")
    assert err[-1].endswith("resumes")
    assert len(_records(out)) == 2
    monkeypatch.setattr(bench.sk, "solve", solve)
    assert bench.run_suite(suite, out) == 2
    keys = _keys(bench, out)
    assert len(keys) == 4 and len(set(keys)) == 4


def test_an_interrupted_run_is_recorded_and_done_again(bench, tmp_path, capsys,
                                                        monkeypatch) -> None:
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    solve = bench.sk.solve
    calls = []

    def interrupted_second(*args, **kwargs):  # what sk.solve returns on the first Ctrl-C
        calls.append(1)
        result = solve(*args, **kwargs)
        return dataclasses.replace(result, stop_reason="interrupted") if len(calls) == 2 \
            else result

    monkeypatch.setattr(bench.sk, "solve", interrupted_second)
    assert bench.main(["run", str(suite), "--out", str(out)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("interrupted in run 2/4 (")
    assert "is recorded (stop reason interrupted; done again on resume); 1 of 4 runs done" \
        in err[-1]
    records = _records(out)
    assert [r["stop_reason"] == "interrupted" for r in records] == [False, True]
    # Resume does the interrupted run again; report leaves the interrupted record out.
    monkeypatch.setattr(bench.sk, "solve", solve)
    assert bench.main(["run", str(suite), "--out", str(out)]) == 0
    records = _records(out)
    assert len(records) == 5 and sum(r["stop_reason"] == "interrupted" for r in records) == 1
    assert bench.main(["report", str(out)]) == 0
    assert "left out 1 interrupted run" in capsys.readouterr().err


def test_report_into_a_closed_pipe_is_quiet(bench, tmp_path) -> None:
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    bench.run_suite(suite, out)
    record = _records(out)[0]
    many = tmp_path / "many.jsonl"  # tables larger than a pipe's buffer
    many.write_text("".join(json.dumps({**record, "instance": f"x{i}",
                                        "instance_sha256": f"{i:064x}"}) + "\n"
                            for i in range(3000)))
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench.py"), "report", str(many)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # `| head` that has read enough
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and b"Traceback" not in err


# -- `schedkit bench`: bundled suites by name, the subcommand, its own command names ------------
def test_bench_is_loaded_on_first_use(bench) -> None:
    import schedkit

    assert schedkit.bench is bench
    with pytest.raises(AttributeError, match="no attribute 'benchmark'"):
        schedkit.benchmark  # noqa: B018


def test_bundled_suites_by_name_and_files_first(bench, tmp_path, monkeypatch) -> None:
    bundled = bench.bundled_suites()
    assert {"smoke", "jobshop", "dag", "smtt", "orlib-wt"} <= set(bundled)
    smoke = bundled["smoke"]
    assert smoke.parent.name == "suites" and smoke.parent.parent.name == "schedkit"
    assert bench.find_suite("smoke") == bench.find_suite("smoke.toml") == smoke
    assert bench.find_suite(str(smoke)) == smoke  # a path still works
    monkeypatch.chdir(tmp_path)
    Path("smoke").write_text(SMALL)  # an existing file wins over a bundled name
    assert bench.find_suite("smoke") == Path("smoke")
    with pytest.raises(bench.sk.InputError) as err:
        bench.find_suite("nope")
    assert str(err.value) == ("nope: no such suite file, and not a bundled suite (bundled: "
                              f"{', '.join(sorted(bundled))})")


def test_schedkit_bench_runs_resumes_and_reports(bench, tmp_path, capsys, monkeypatch) -> None:
    from schedkit.cli import main

    _suite(tmp_path, SMALL)
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "small.toml"]) == 0
    out = tmp_path / "results" / "small.jsonl"  # the default --out
    cap = capsys.readouterr()
    assert "4 new runs; results in results/small.jsonl" in cap.err
    assert "### Per method" in cap.out and re.search(r"^\| ft06 ", cap.out, re.MULTILINE)
    assert len(_records(out)) == 4
    assert main(["bench", "small.toml", "-o", str(out)]) == 0  # resumable: nothing new
    assert "0 new runs" in capsys.readouterr().err
    assert len(_records(out)) == 4
    assert main(["bench", "--report", str(out), str(out)]) == 0
    cap = capsys.readouterr()
    assert "report: dropped 4 duplicate records" in cap.err
    assert re.search(r"\| baseline \| 4 ", cap.out)


@pytest.mark.parametrize(("argv", "line"), [
    (["nope"], "error: nope: no such suite file, and not a bundled suite (bundled: dag, "),
    (["a.toml", "b.toml"], "error: SUITE: expected one suite, got 2 (results files go with "
                           "--report)"),
    (["--report", "r.jsonl", "--out", "o.jsonl"],
     "error: --out: goes with a suite run, not with --report"),
    (["--report", "r.jsonl", "--wait"], "error: --wait: goes with a suite run, not with --report"),
    (["--report", "missing.jsonl"], "error: missing.jsonl: cannot read results: no such file"),
])
def test_schedkit_bench_bad_arguments(tmp_path, capsys, monkeypatch, argv, line) -> None:
    from schedkit.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(line), err
    assert list(tmp_path.iterdir()) == []


def test_schedkit_bench_messages_name_its_own_command(bench, tmp_path, capsys,
                                                      monkeypatch) -> None:
    from schedkit.cli import main

    fcntl = pytest.importorskip("fcntl")
    suite = _suite(tmp_path, SMALL)
    out = tmp_path / "small.jsonl"
    holder = os.open(out, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert main(["bench", str(suite), "--out", str(out)]) == 2
    finally:
        os.close(holder)
    assert capsys.readouterr().err.splitlines() == [
        f"error: {out} is being written by another schedkit bench (pid {os.getpid()}); wait for "
        "it or choose another --out"]
    _ctrl_c_on_third_solve(bench, monkeypatch)
    assert main(["bench", str(suite), "--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"interrupted: 2 of 4 runs done and kept in {out}; `schedkit bench {suite} --out {out}` "
        "resumes")


def test_bench_py_finds_bundled_suites_too(tmp_path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench.py"), "run", "nope"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: nope: no such suite file, and not a bundled suite "
                                  "(bundled: dag, ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("jobs", "scheduler", "tail"), [
    (None, None, ""), (2, None, " --jobs 2"),
    (None, "tcp://127.0.0.1:8786", " --scheduler tcp://127.0.0.1:8786")])
def test_resume_hint_keeps_the_cluster_flags(jobs, scheduler, tail) -> None:
    from schedkit.bench import SCHEDKIT_BENCH, resume_command

    assert resume_command(SCHEDKIT_BENCH, "jobshop", Path("my runs/js.jsonl"), jobs,
                          scheduler) == f"schedkit bench jobshop --out 'my runs/js.jsonl'{tail}"
