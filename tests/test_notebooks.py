"""The teaching notebooks: each lesson is there, stored without outputs, uses the public API
only, reads the quick-mode flag, and is listed in the docs site's navigation. (Running them is
nbmake's job: ``notebooks/`` is a test path.)"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: The lessons of the teaching issue, in order (the file names are the docs' order too).
LESSONS = ["01_jobshop", "02_single_machine", "03_task_graphs", "04_expert_placement",
           "05_sequence_parallel", "06_alns", "07_benchmark_tables"]

PRESENT = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def _cells(stem: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]


def _code(stem: str) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(stem) if c["cell_type"] == "code")


def test_the_notebooks_are_the_lessons() -> None:
    missing, extra = sorted(set(LESSONS) - set(PRESENT)), sorted(set(PRESENT) - set(LESSONS))
    assert PRESENT == LESSONS, (missing, extra)


@pytest.mark.parametrize("stem", PRESENT)
def test_a_notebook_is_stored_without_outputs(stem: str) -> None:
    raw = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{stem} cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"{stem} cell {i} has a count"
        assert "attachments" not in cell, f"{stem} cell {i} has attachments"


@pytest.mark.parametrize("stem", PRESENT)
def test_a_notebook_uses_the_public_api_and_the_quick_flag(stem: str) -> None:
    code = _code(stem)
    assert "import schedkit as sk" in code
    assert "SCHEDKIT_NOTEBOOK_QUICK" in code, f"{stem} ignores quick mode"
    private = re.findall(r"\bsk\.(?:\w+\.)*_\w+|from schedkit[\w.]*\._\w+|import schedkit\._",
                         code)
    assert not private, f"{stem} reaches into private names: {private}"
    first = "".join(_cells(stem)[0]["source"])
    assert re.search(r"^#\s+\S", first, flags=re.M), f"{stem} has no title heading"


def test_the_docs_navigation_lists_every_notebook() -> None:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs/hooks/generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    listed = [path for entry in gen.notebook_pages(ROOT) for path in entry.values()]
    assert listed == [f"notebooks/{stem}.ipynb" for stem in PRESENT]
    assert (ROOT / "docs" / "notebooks").resolve() == NOTEBOOKS.resolve()
