"""The command line: solve/check/generate/convert/info/methods/list, errors exit 2 on one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import schedkit as sk
from schedkit.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_solve_ft06_prints_one_row_and_writes_a_valid_record(capsys, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    code, stdout, _ = run(capsys, "solve", "ft06", "--method", "baseline", "--out", str(out))
    assert code == 0
    rows = [line for line in stdout.splitlines() if line.startswith("ft06")]
    assert len(rows) == 1
    cells = rows[0].split()
    assert cells[1:3] == ["baseline", "feasible"]
    assert float(cells[3]) >= 55 and float(cells[4]) <= 55
    record = json.loads(out.read_text().splitlines()[0])
    sk.validate_record(record)
    code, stdout, _ = run(capsys, "check", "ft06", str(out))
    assert code == 0 and "ok" in stdout


def test_console_script_end_to_end(tmp_path) -> None:
    exe = shutil.which("schedkit")
    cmd = [exe] if exe else [sys.executable, "-m", "schedkit.cli"]
    proc = subprocess.run([*cmd, "solve", "ft06", "--method", "baseline", "--out",
                           str(tmp_path / "r.jsonl")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "feasible" in proc.stdout
    proc = subprocess.run([*cmd, "check", "ft06", str(tmp_path / "r.jsonl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_check_catches_a_tampered_record(capsys, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    run(capsys, "solve", "ft06", "--method", "baseline", "--out", str(out))
    rec = json.loads(out.read_text())
    rec["solution"]["start"][0][1] = 0
    out.write_text(json.dumps(rec) + "\n")
    code, stdout, _ = run(capsys, "check", "ft06", str(out))
    assert code == 1 and "precedence" in stdout
    rec = json.loads(out.read_text())
    rec["solution"]["start"][0][1] = 1  # feasible again …
    rec["objective"] = 1.0  # … but the recorded objective is wrong
    out.write_text(json.dumps(rec) + "\n")
    code, stdout, _ = run(capsys, "check", "ft06", str(out))
    assert code == 1 and "recorded objective" in stdout


def test_check_accepts_a_bare_solution_file(capsys, tmp_path) -> None:
    sol = sk.solve("topcuoglu2002", "baseline").solution
    path = tmp_path / "sol.json"
    path.write_text(json.dumps(sol))
    assert run(capsys, "check", "topcuoglu2002", str(path))[0] == 0


@pytest.mark.parametrize("args", [
    ("solve", "no-such-instance"),
    ("solve", "ft06", "--method", "nope"),
    ("solve", "ft06", "--method", "baseline", "--option", "x=1"),
    ("solve", "ft06", "--option", "novalue"),
    ("info", "stg50-0000", "-I", "colour=blue"),
])
def test_user_errors_exit_2_with_one_line(capsys, args) -> None:
    code, stdout, stderr = run(capsys, *args)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("error: ")
    assert "Traceback" not in stderr


@pytest.mark.parametrize(("name", "text", "needle"), [
    ("bad.txt", "2 2\n0 3 1 x\n1 2 0 1\n", "bad.txt:2"),
    ("neg.txt", "2 2\n0 3 1 -4\n1 2 0 1\n", "bad"),
    ("short.txt", "3 2\n0 3 1 4\n", "short.txt"),
    ("range.txt", "1 2\n0 3 5 4\n", "range.txt:2"),
    ("empty.txt", "", "empty.txt"),
    ("x.json", '{"schema": "schedkit/instance@9", "problem": "dag", "data": {}}', "schema"),
    ("cyc.stg", "2\n0 0 0\n1 1 2 0 2\n2 1 1 1\n3 0 2 1 2\n", "cyc.stg"),
])
def test_bad_files_exit_2_naming_the_file(capsys, tmp_path, name, text, needle) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, _, stderr = run(capsys, "solve", str(path))
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert str(tmp_path) in stderr
    if needle != "bad":
        assert needle in stderr


def test_generate_is_seeded_and_readable(capsys, tmp_path) -> None:
    code, first, _ = run(capsys, "generate", "jobshop", "--jobs", "4", "--machines", "3",
                         "--seed", "5")
    assert code == 0
    code, second, _ = run(capsys, "generate", "jobshop", "--jobs", "4", "--machines", "3",
                          "--seed", "5")
    assert first == second
    path = tmp_path / "g.json"
    assert run(capsys, "generate", "single-machine", "--n", "7", "--seed", "2", "-o",
               str(path))[0] == 0
    assert sk.load(str(path)).n_jobs == 7
    for problem in sk.GENERATORS:
        code, text, err = run(capsys, "generate", problem, "--seed", "1")
        assert code == 0, err
        assert sk.instance_from_json(text).problem == problem


def test_convert_info_methods_list(capsys, tmp_path) -> None:
    target = tmp_path / "ta01.json"
    assert run(capsys, "convert", "ta01", str(target))[0] == 0
    assert sk.load(str(target)) == sk.load("ta01")
    code, stdout, _ = run(capsys, "info", "ta01")
    assert code == 0 and "15 jobs x 15 machines" in stdout and "1231" in stdout
    code, stdout, _ = run(capsys, "methods")
    assert code == 0 and "baseline" in stdout
    code, stdout, _ = run(capsys, "list", "--problem", "jobshop")
    names = {line.split()[0] for line in stdout.splitlines()}
    assert {"ft06", "la01", "ta01", "ta80"} <= names and "ta01js" not in names
    code, stdout, _ = run(capsys, "list")
    assert {"wt40-1", "wt100-125", "stg50-0000", "topcuoglu2002"} <= {
        line.split()[0] for line in stdout.splitlines()}


DATA = Path(__file__).resolve().parent / "data"
def _valid_file(fmt: str, tmp_path: Path) -> Path:
    """A well-formed file of each reader format."""
    from schedkit.instances.datadir import data_dir

    root = data_dir()
    if fmt == "json":
        path = tmp_path / "gen.json"
        sk.save(sk.generate("dag", tasks=10, seed=1), path)
        return path
    return {
        "jobshop": root / "jobshop/standard/ft06.txt",
        "taillard": DATA / "tai3x3.txt",
        "orlib-wt": DATA / "wt3.txt",
        "stg": DATA / "small.stg",
        "wfcommons": DATA / "tiny_wf.json",
        "heft-example": root / "dag/canonical/topcuoglu2002_10task.json",
        "moe-examples": root / "moe/known_examples.json",
    }[fmt]


@pytest.mark.parametrize("fmt", sorted(sk.FORMATS))
def test_every_reader_truncated_file_exits_2(capsys, tmp_path, fmt) -> None:
    good = _valid_file(fmt, tmp_path)
    assert run(capsys, "info", str(good), "--format", fmt)[0] == 0
    text = good.read_text()
    bad = tmp_path / ("cut-" + good.name)
    bad.write_text(text[: len(text) * 3 // 5])
    code, _, stderr = run(capsys, "solve", str(bad), "--format", fmt)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert bad.name in stderr
