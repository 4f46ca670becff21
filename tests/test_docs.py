"""The docs site: the generated pages list every registered method and every schema, the
benchmark pages are the repository's, the getting-started examples run, and the site builds
with warnings as errors. The instance JSON Schemas agree with the models' own checks."""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import schedkit as sk

ROOT = Path(__file__).resolve().parents[1]


def _hook():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs/hooks/generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _hook()


@pytest.fixture(scope="module")
def pages(gen) -> dict[str, str]:
    return gen.generated_pages(ROOT)


def _section(page: str, anchor: str) -> str:
    """The text of a method's section: from its heading to the next heading."""
    match = re.search(r"^### .*\{#" + re.escape(anchor) + r"\}$(.*?)(?=^##)", page + "\n##",
                      flags=re.M | re.S)
    assert match, f"no section #{anchor}"
    return match.group(1)


def test_the_methods_page_lists_every_registered_method_with_its_options(gen, pages) -> None:
    page = pages["methods.md"]
    methods = sk.methods()
    assert len(methods) > 40
    anchors = re.findall(r"^### .*\{#([\w-]+)\}$", page, flags=re.M)
    assert sorted(anchors) == sorted(gen.method_anchor(m) for m in methods)
    assert len(set(anchors)) == len(anchors)
    for m in methods:
        text = _section(page, gen.method_anchor(m))
        assert m.summary in text
        for o in m.options:
            assert f"| `{o.name}` | {o.type.__name__} |" in text, (m.name, m.problem, o.name)
        for key in m.fixed:
            assert f"`{key}` = " in text


def test_the_methods_page_carries_the_adapters_references(pages) -> None:
    page = pages["methods.md"]
    assert "Held & Karp 1962" in page  # the dp adapter's docstring
    assert ":mod:" not in page and "``" not in page  # reST is turned into Markdown


def test_every_schema_has_a_generated_page_with_every_field(gen, pages) -> None:
    schemas = sk.schemas()
    assert list(schemas) == [f"schedkit/instance@1/{p}" for p in sk.PROBLEMS] + [
        "schedkit/result@1"]
    assert sorted(p for p in pages if p.startswith("schemas/")) == sorted(
        gen.schema_path(sid) for sid in schemas)
    for sid, schema in schemas.items():
        page = pages[gen.schema_path(sid)]
        assert f"Schema `{sid}`" in page
        for path, _, _ in gen._fields(schema):
            assert f"| `{path}` |" in page, (sid, path)
        if "solution" in schema.get("$defs", {}):
            for path, _, _ in gen._fields(schema["$defs"]["solution"]):
                assert f"| `{path}` |" in page, (sid, path)
    assert "| `data.jobs[].operations[].machine` | integer | yes |" in pages["schemas/jobshop.md"]


def test_the_benchmark_pages_are_the_repositorys_and_every_page_is_in_the_navigation(
        gen, pages) -> None:
    files = sorted((ROOT / "benchmarks").glob("*.md"))
    assert files
    for f in files:
        assert pages[f"benchmarks/{f.name}"] == f.read_text(encoding="utf-8")
    nav = gen.navigation(pages)

    def paths(node) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [p for v in node.values() for p in paths(v)]
        return [p for v in node for p in paths(v)]

    listed = paths(nav)
    assert sorted(listed) == sorted([*pages, *gen.HANDWRITTEN.values()])
    for page in gen.HANDWRITTEN.values():
        assert (ROOT / "docs" / page).is_file()


def test_rst_to_markdown(gen) -> None:
    text = ("Uses :func:`~schedkit.heuristics.jobshop.tabu.tabu_improve` and\n"
            ":mod:`schedkit.formulations.dag.cpsat` with ``hint``::\n\n"
            "Parameters\n----------\n        deep\n")
    assert gen.rst_to_markdown(text) == (
        "Uses `tabu_improve` and\n`schedkit.formulations.dag.cpsat` with `hint`:\n\n"
        "**Parameters**\n  deep")


def test_the_getting_started_examples_run(tmp_path, monkeypatch, capsys) -> None:
    text = (ROOT / "docs/getting-started.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)  # an example writes tiny.json
    for code in blocks:
        exec(compile(code, "getting-started.md", "exec"), {})
    out = capsys.readouterr().out
    # What the comments of the examples say they print.
    for line in ("optimal 55.0 55.0\n", "optimal 11.0\n0 0 0 3\n", "optimal 11.0\n[1, 0, 2, 3]\n",
                 "9.0 9.0 optimal\n"):
        assert line in out
    assert sk.load(str(tmp_path / "tiny.json")).name == "tiny"


def test_the_site_builds_with_warnings_as_errors(tmp_path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    site = tmp_path / "site"
    # The notebooks are rendered, not executed: nbmake runs them (notebooks/ is a test path),
    # and .ci/run's own `mkdocs build` executes them for the site.
    env = {**os.environ, "SCHEDKIT_DOCS_EXECUTE": "false"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(site)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    html = (site / "methods" / "index.html").read_text(encoding="utf-8")
    for m in sk.methods():
        assert f'id="{m.problem}-{m.name}"'.replace("_", "-") in html
    assert (site / "schemas" / "result" / "index.html").is_file()
    assert (site / "benchmarks" / "jobshop" / "index.html").is_file()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (site / "notebooks" / notebook.stem / "index.html").is_file(), notebook.name


# -- the instance schemas against the models ----------------------------------------------------

def _validator(problem: str) -> jsonschema.Draft202012Validator:
    schema = sk.instance_schema(problem)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_one_bundled_instance_of_every_family_validates_against_its_schema() -> None:
    first: dict[str, sk.CatalogueEntry] = {}
    for entry in sk.catalogue():
        first.setdefault(entry.family, entry)
    assert {e.problem for e in first.values()} >= {"jobshop", "single_machine", "dag",
                                                   "expert_placement"}
    for entry in first.values():
        doc = sk.load(entry.name).to_dict()
        errors = [e.message for e in _validator(entry.problem).iter_errors(doc)]
        assert errors == [], entry.name


@pytest.mark.parametrize("problem", list(sk.PROBLEMS))
def test_generated_instances_and_solutions_validate_against_their_schema(problem) -> None:
    inst = sk.generate(problem, seed=3)
    assert list(_validator(problem).iter_errors(inst.to_dict())) == []
    res = sk.solve(inst, "baseline")
    solution = sk.instance_schema(problem)["$defs"]["solution"]
    assert list(jsonschema.Draft202012Validator(solution).iter_errors(
        res.to_dict()["solution"])) == []


@pytest.mark.parametrize("problem", list(sk.PROBLEMS))
def test_the_schema_and_the_model_refuse_the_same_mistakes(problem) -> None:
    doc = sk.generate(problem, seed=3).to_dict()
    validator = _validator(problem)
    unknown = copy.deepcopy(doc)
    unknown["data"]["surplus"] = 1
    missing = copy.deepcopy(doc)
    del missing["data"][sk.instance_schema(problem)["properties"]["data"]["required"][0]]
    objective = {**copy.deepcopy(doc), "objective": "nonsense"}
    for bad in (unknown, missing, objective):
        assert not validator.is_valid(bad)
        with pytest.raises(sk.InputError):
            sk.instance_from_json(__import__("json").dumps(bad))
