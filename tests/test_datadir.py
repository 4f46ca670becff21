"""Where the bundled data are found: inside the package (importlib.resources) so that a plain
wheel install has them, or in the folder ``$SCHEDKIT_DATA`` names; and the messages that say
which when a name is not found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import resources
from pathlib import Path

import pytest

import schedkit as sk
from schedkit.cli import main
from schedkit.instances import datadir
from schedkit.instances.sequence_parallel import generate as sp_generate

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "schedkit"
BUNDLED_NOTE = "set $SCHEDKIT_DATA to use another folder"


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEDKIT_DATA", raising=False)


def _error_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().err.splitlines()


def test_bundled_data_are_a_resource_of_the_package() -> None:
    root = sk.data_dir()
    assert root == Path(str(resources.files("schedkit").joinpath("data")))
    assert root.resolve() == (PKG / "data").resolve()  # inside the package, not beside it
    assert (root / "jobshop" / "standard" / "ft06.txt").is_file()
    assert sk.load("ft06").meta["source_file"] == "jobshop/standard/ft06.txt"
    assert sk.describe_data_dir() == f"bundled data read from {root}; {BUNDLED_NOTE}"


def test_every_data_folder_keeps_its_readme() -> None:
    folders = sorted(p for p in (PKG / "data").iterdir() if p.is_dir())
    assert [p.name for p in folders] == ["dag", "jobshop", "moe", "sp", "tardiness"]
    for folder in folders:
        assert (folder / "README.md").is_file(), folder.name


def test_package_data_cover_every_bundled_file() -> None:
    """pyproject's package-data globs take every data file and suite into the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["schedkit"]
    shipped = {p for pattern in patterns for p in PKG.glob(pattern) if p.is_file()}
    data = {p for p in (PKG / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    suites = set((PKG / "suites").glob("*.toml"))
    assert {p.suffix for p in data} >= {".txt", ".json", ".csv", ".stg", ".gz", ".md"}
    assert suites and data | suites <= shipped, sorted(map(str, (data | suites) - shipped))[:5]


def test_override_folder_replaces_the_bundled_one(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "jobshop" / "standard").mkdir(parents=True)
    shutil.copy(PKG / "data" / "jobshop" / "standard" / "ft06.txt",
                tmp_path / "jobshop" / "standard" / "mine.txt")
    monkeypatch.setenv("SCHEDKIT_DATA", str(tmp_path))
    assert sk.data_dir() == tmp_path
    assert [e.name for e in sk.catalogue()] == ["mine"]
    assert sk.load("mine").n_jobs == 6
    with pytest.raises(sk.InputError) as err:
        sk.load("ft06")
    assert str(err.value) == ("unknown instance 'ft06' (not a file, not a bundled name; "
                              "`schedkit list` shows them; bundled data read from "
                              f"$SCHEDKIT_DATA={tmp_path})")


def test_override_that_is_not_a_folder_is_named(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope"
    monkeypatch.setenv("SCHEDKIT_DATA", str(missing))
    assert sk.catalogue() == []
    with pytest.raises(sk.InputError) as err:
        sk.load("ft06")
    assert str(err.value).endswith(f"; bundled data read from $SCHEDKIT_DATA={missing}, which "
                                   "is not a folder)")


def test_unknown_instance_on_the_command_line_names_list_and_the_override(capsys) -> None:
    code, err = _error_lines(capsys, "info", "ft6")
    assert code == 2
    assert err == ["error: unknown instance 'ft6' (not a file, not a bundled name; `schedkit "
                   f"list` shows them; bundled data read from {sk.data_dir()}; {BUNDLED_NOTE})"]


def test_empty_list_names_the_flags_list_and_the_override(capsys, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _error_lines(capsys, "list", "--problem", "dag", "--family", "ta")
    assert code == 2
    assert err == ["error: no bundled instance matches --problem dag --family ta "
                   "(`schedkit list` without flags shows them all; bundled data read from "
                   f"{sk.data_dir()}; {BUNDLED_NOTE})"]
    monkeypatch.setenv("SCHEDKIT_DATA", str(tmp_path))  # a folder without instance files
    code, err = _error_lines(capsys, "list")
    assert code == 2
    assert err == ["error: no bundled instance found (`schedkit list` lists the files of "
                   f"the data folder; bundled data read from $SCHEDKIT_DATA={tmp_path})"]


def test_missing_wikipedia_sample_names_the_data_folder(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDKIT_DATA", str(tmp_path))
    monkeypatch.setattr(sp_generate, "_WIKI", None)  # not the copy read by an earlier test
    with pytest.raises(sk.InputError) as err:
        sk.generate("sequence_parallel", seed=1)
    assert str(err.value) == (f"{tmp_path / sp_generate.WIKIPEDIA_FILE}: cannot read the "
                              "Wikipedia length sample: No such file or directory (bundled "
                              f"data read from $SCHEDKIT_DATA={tmp_path})")


def test_zipped_install_asks_for_the_override(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Data inside an archive cannot be globbed: one error that says what to do."""
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("schedkit/data/jobshop/standard/ft06.txt", "1 1\n0 1\n")
    monkeypatch.setattr(datadir, "files", lambda package: zipfile.Path(archive, f"{package}/"))
    message = ("$SCHEDKIT_DATA: this schedkit installation keeps its bundled data inside an "
               "archive; unpack them and set $SCHEDKIT_DATA to that folder")
    for call in (sk.data_dir, sk.catalogue, lambda: sk.load("ft06")):
        with pytest.raises(sk.InputError) as err:
            call()
        assert str(err.value) == message
    assert sk.describe_data_dir() == f"bundled data read from the installed package; {BUNDLED_NOTE}"
    monkeypatch.setenv("SCHEDKIT_DATA", str(PKG / "data"))  # the way out the message gives
    assert sk.load("ft06").n_jobs == 6


def test_python_m_schedkit(tmp_path: Path) -> None:
    """``python -m schedkit`` is the console script, from any folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # no $SCHEDKIT_DATA (the fixture removed it)
    cmd = [sys.executable, "-m", "schedkit"]
    done = subprocess.run([*cmd, "info", "ft06"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^best known +lower 55, upper 55 ", done.stdout, re.MULTILINE), done.stdout
    done = subprocess.run([*cmd, "info", "nope"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: unknown instance 'nope' (not a file, not a bundled name; `schedkit list` shows "
        f"them; bundled data read from {PKG / 'data'}; {BUNDLED_NOTE})"]
    done = subprocess.run([*cmd, "--help"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith("Usage: schedkit [OPTIONS] COMMAND")
    assert list(tmp_path.iterdir()) == []
