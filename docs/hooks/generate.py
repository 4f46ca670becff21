"""MkDocs hook: the pages that are generated from the code at build time, never committed.

* ``methods.md``: every registered method, problem by problem, with its options (type,
  default, allowed values), the options its registry line fixes, the objectives it supports and
  its adapter's docstring (where the references live), from :func:`schedkit.methods`.
* ``schemas/<problem>.md`` and ``schemas/result.md``: one page per JSON Schema of
  :func:`schedkit.schemas`: a table of every field, then the schema itself.
* ``benchmarks/<name>.md``: the repository's ``benchmarks/*.md``, read as they are.

:func:`generated_pages` returns them all (the tests check it lists every method and schema);
``on_config`` lays out the navigation, ``on_files`` hands the pages to MkDocs.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import schedkit as sk

#: The handwritten pages, in navigation order (paths under ``docs/``).
HANDWRITTEN = {"Home": "index.md", "Getting started": "getting-started.md",
               "Adding a method or a family": "adding.md"}


# -- text ---------------------------------------------------------------------------------------

_ROLE = re.compile(r":[a-z]+:`(~?)([^`<]*?)(?:\s*<[^>]+>)?`")


def _role(match: re.Match[str]) -> str:
    """``:func:`~a.b.c``` -> ```c```, ``:mod:`a.b``` -> ```a.b```, a titled reference -> its
    title."""
    tilde, text = match.group(1), match.group(2).strip()
    return f"`{text.rsplit('.', 1)[-1] if tilde else text}`"


def rst_to_markdown(text: str) -> str:
    """A docstring's reST as Markdown: roles and double backquotes become code, numpydoc
    section underlines bold headings, and deep indentation (which Markdown would read as code)
    is kept shallow."""
    text = _ROLE.sub(_role, text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if re.fullmatch(r"\s*-{3,}\s*", line) and i and lines[i - 1].strip():
            out[-1] = f"**{out[-1].strip()}**"
            continue
        stripped = line.lstrip(" ")
        indent = min(len(line) - len(stripped), 2)
        line = " " * indent + stripped
        out.append(line[:-1] if line.endswith("::") else line)
    return "\n".join(out).strip()


def _cell(text: Any) -> str:
    """Text for a Markdown table cell (no pipes or line breaks)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    return f"`{value!r}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


# -- methods ------------------------------------------------------------------------------------

def _adapter_docstring(method: sk.Method) -> str:
    """The docstring of the module that holds the method's adapter (read from the source, so
    that no solver backend needs importing)."""
    if callable(method.run):
        module = getattr(method.run, "__module__", "")
    else:
        module = method.run.split(":")[0]
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ""
    return ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))) or ""


def method_anchor(method: sk.Method) -> str:
    """The anchor of a method's section on the methods page."""
    return f"{method.problem}-{method.name}".replace("_", "-")


def _option_rows(method: sk.Method) -> Iterator[str]:
    yield "| option | type | default | allowed | what it does |"
    yield "|---|---|---|---|---|"
    for o in method.options:
        allowed = ", ".join(f"`{c}`" for c in o.choices) if o.choices else (
            f">= {o.minimum:g}" if o.minimum is not None else "")
        yield (f"| `{o.name}` | {o.type.__name__} | {_code(o.default)} | {_cell(allowed)} | "
               f"{_cell(o.help)} |")


def methods_page() -> str:
    """Every registered method, problem by problem."""
    from schedkit.solvers.methods import AUTO

    out = ["# Methods", "",
           "Every method schedkit has, generated from the method registry (`schedkit methods` "
           "prints the same from the command line). Pass options as `--option name=value` on "
           "the command line or `options={\"name\": value}` to `schedkit.solve`; an unknown "
           "option is an error.", ""]
    for problem, model in sk.PROBLEMS.items():
        chosen = sk.methods(problem)
        title = sk.instance_schema(problem)["properties"]["data"].get("title", problem)
        out += [f"## {title.capitalize()} (`{problem}`)", "",
                f"Objectives: {', '.join(f'`{o}`' for o in model.objectives)} (the first is "
                "the default). `method=\"auto\"` picks the first of "
                f"{', '.join(f'`{m}`' for m in AUTO[problem])} that supports the instance's "
                "objective.", "",
                "| method | kind | summary |", "|---|---|---|"]
        out += [f"| [`{m.name}`](#{method_anchor(m)}) | {m.kind} | {_cell(m.summary)} |"
                for m in chosen]
        out.append("")
        for m in chosen:
            objectives = ("all of the problem's" if m.objectives is None
                          else ", ".join(f"`{o}`" for o in m.objectives))
            out += [f"### `{m.name}` ({problem}) {{#{method_anchor(m)}}}", "",
                    f"**{m.kind}**: {m.summary}.", "",
                    f"Objectives: {objectives}. Command line: "
                    f"`schedkit solve FILE --method {m.name}`.", ""]
            if m.options:
                out += [*_option_rows(m), ""]
            else:
                out += ["No options.", ""]
            if m.fixed:
                fixed = ", ".join(f"`{k}` = {_code(v)}" for k, v in m.fixed.items())
                out += [f"Fixed by this method (not settable): {fixed}.", ""]
            doc = _adapter_docstring(m)
            if doc:
                out += [rst_to_markdown(doc), ""]
    return "\n".join(out)


# -- schemas ------------------------------------------------------------------------------------

def schema_path(schema_id: str) -> str:
    """The page of a schema: ``schemas/<problem>.md`` for an instance document,
    ``schemas/result.md`` for the result record."""
    if schema_id.startswith("schedkit/instance@1/"):
        return f"schemas/{schema_id.rsplit('/', 1)[1]}.md"
    return f"schemas/{schema_id.split('/', 1)[1].split('@', 1)[0]}.md"


def _type(schema: Mapping[str, Any]) -> str:
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    if "oneOf" in schema:
        return " or ".join(_type(s) for s in schema["oneOf"])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        items = schema.get("items")
        if kind == "array" and isinstance(items, Mapping) and "properties" not in items:
            words.append(f"array of {_type(items)}")
        elif kind == "array" and "prefixItems" in schema:
            words.append("array [" + ", ".join(_type(s) for s in schema["prefixItems"]) + "]")
        else:
            words.append(kind)
    return " or ".join(words)


_CONSTRAINTS = {"minimum": ">= {}", "maximum": "<= {}", "exclusiveMinimum": "> {}",
                "minItems": "at least {} items", "maxItems": "at most {} items",
                "minLength": "at least {} characters", "pattern": "matches `{}`",
                "format": "format {}"}


def _own_constraints(schema: Mapping[str, Any]) -> list[str]:
    found = [text.format(schema[key]) for key, text in _CONSTRAINTS.items() if key in schema]
    found += [f"keys match `{k}`" for k in schema.get("patternProperties", {})]
    return ["non-empty" if c == "at least 1 items" else c for c in found]


def _constraints(schema: Mapping[str, Any]) -> str:
    """The field's own constraints, then those of its entries (the scalars at the bottom of
    nested arrays)."""
    found = _own_constraints(schema)
    items = schema.get("items")
    while isinstance(items, Mapping) and "properties" not in items:
        if "items" not in items:
            found += [f"entries {c}" for c in _own_constraints(items)]
        items = items.get("items")
    return "; ".join(found)


def _fields(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping, bool]]:
    """``(dotted path, sub-schema, required)`` of every field, depth first."""
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path, sub, name in required
        yield from _fields(sub, path + ".")
        items = sub.get("items")
        while isinstance(items, Mapping):
            path += "[]"
            if "properties" in items:
                yield from _fields(items, path + ".")
                break
            items = items.get("items")


def _field_table(schema: Mapping[str, Any]) -> list[str]:
    rows = ["| field | type | required | default | constraints | description |",
            "|---|---|---|---|---|---|"]
    for path, sub, required in _fields(schema):
        default = f"`{json.dumps(sub['default'])}`" if "default" in sub else ""
        rows.append(f"| `{path}` | {_cell(_type(sub))} | {'yes' if required else ''} | "
                    f"{_cell(default)} | {_cell(_constraints(sub))} | "
                    f"{_cell(sub.get('description', ''))} |")
    return rows


def schema_page(schema: Mapping[str, Any]) -> str:
    """One schema: what it is, a table of its fields (and of its solution), the JSON."""
    out = [f"# {schema.get('title', schema['$id'])}", "",
           f"Schema `{schema['$id']}` (JSON Schema draft 2020-12), generated from the code.", ""]
    data = schema.get("properties", {}).get("data", {})
    for text in (schema.get("description"), data.get("description")):
        if text:
            out += [text, ""]
    out += ["## Fields", "", *_field_table(schema), ""]
    solution = schema.get("$defs", {}).get("solution")
    if solution:
        out += ["## Solution", "",
                "The `solution` of a result record for this problem "
                "(`schedkit check` and `schedkit.evaluate` read it):", "",
                *_field_table(solution), ""]
    for rule in schema.get("allOf", ()):
        if "if" in rule and "then" in rule:
            out += ["## Conditions", "", "When a record matches", "",
                    "```json", json.dumps(rule["if"], indent=2), "```", "",
                    "it must also match", "", "```json", json.dumps(rule["then"], indent=2),
                    "```", ""]
    out += ["## The schema", "", "```json", json.dumps(schema, indent=2, ensure_ascii=False),
            "```", ""]
    return "\n".join(out)


# -- benchmarks and the whole set ---------------------------------------------------------------

def _title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def benchmark_pages(root: Path) -> dict[str, str]:
    """``benchmarks/<name>.md`` of the repository, as they are."""
    return {f"benchmarks/{p.name}": p.read_text(encoding="utf-8")
            for p in sorted((root / "benchmarks").glob("*.md"))}


def generated_pages(root: Path) -> dict[str, str]:
    """Every generated page, by its path under the docs: the methods, each schema, the
    benchmark pages of the repository at ``root``."""
    pages = {"methods.md": methods_page()}
    pages.update({schema_path(sid): schema_page(s) for sid, s in sk.schemas().items()})
    pages.update(benchmark_pages(root))
    return pages


def notebook_pages(root: Path) -> list[dict[str, str]]:
    """The teaching notebooks (``notebooks/*.ipynb``, linked as ``docs/notebooks``), in file
    order, each titled by the first heading of its first cell."""
    entries = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "".join(cells[0]["source"]) if cells else ""
        heading = re.search(r"^#\s+(.+)$", source, flags=re.M)
        entries.append({heading.group(1).strip() if heading else path.stem:
                        f"notebooks/{path.name}"})
    return entries


def navigation(pages: Mapping[str, str], notebooks: list[dict[str, str]] | None = None
               ) -> list[Any]:
    """The site's navigation: handwritten pages around the generated ones."""
    schemas = [{_title(text, path): path} for path, text in pages.items()
               if path.startswith("schemas/")]
    benchmarks = [{_title(text, path): path} for path, text in pages.items()
                  if path.startswith("benchmarks/")]
    home, start, adding = HANDWRITTEN.items()
    return [dict([home]), dict([start]), {"Notebooks": notebooks or []}, {"Schemas": schemas},
            {"Methods": "methods.md"}, {"Benchmarks": benchmarks}, dict([adding])]


# -- MkDocs hooks -------------------------------------------------------------------------------

_PAGES: dict[str, str] = {}


def _root(config: Any) -> Path:
    return Path(config["config_file_path"]).resolve().parent


def on_config(config: Any) -> Any:
    _PAGES.clear()
    _PAGES.update(generated_pages(_root(config)))
    # The notebooks execute while the site builds; quick mode unless the caller chose.
    os.environ.setdefault("SCHEDKIT_NOTEBOOK_QUICK", "1")
    # The kernel's own (inline) backend keeps the charts as outputs; Agg would drop them.
    os.environ.pop("MPLBACKEND", None)
    config["nav"] = navigation(_PAGES, notebook_pages(_root(config)))
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, text in _PAGES.items():
        files.append(File.generated(config, path, content=text))
    return files
