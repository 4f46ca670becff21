"""The house rules of the import graph (DESIGN.md §1-2), checked on the source:

- floors import one way: instances ← formulations/heuristics ← solvers ← plotting ← CLI/bench;
- a problem id is a folder on every floor, and one problem's folder never imports another's;
- shared modules of a floor reach into the problem folders only where they collect them;
- the graph of schedkit's imports has no circle;
- front ends (CLI, the bench runner and its bench.py wrapper, benchmarks/) use the public API
  only;
- module names spell problems in full.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "schedkit"

PROBLEM_IDS = ("jobshop", "single_machine", "dag", "expert_placement", "sequence_parallel")

# What each floor may import from schedkit (besides itself).
ALLOWED = {
    "instances": set(),
    "formulations": {"instances"},
    "heuristics": {"instances"},
    "solvers": {"instances", "formulations", "heuristics"},
    "plotting": {"instances", "solvers"},
}

# Floors with one folder per problem (formulations: only problems with an exact model so far).
ROOMS_EVERYWHERE = ("instances", "heuristics", "solvers")

# Shared modules that collect the problem folders into one table.
COLLECTORS = {
    "schedkit.instances",  # re-exports the instance classes
    "schedkit.heuristics",  # the public heuristics of every problem
    "schedkit.instances.families",  # the table of families
    "schedkit.instances.readers",  # the format table and its detection
    "schedkit.instances.catalogue",  # the bundled data of every family
    "schedkit.solvers.methods",  # the registry of every problem's methods
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _schedkit_imports(path: Path) -> set[str]:
    """Absolute ``schedkit.X`` modules each import in ``path`` loads (relative imports resolved;
    ``from package import submodule`` counts as the submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path) if path.is_relative_to(PKG) else path.stem
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "schedkit"}
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target.split(".")[0] != "schedkit":
            continue
        subs = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
        out |= subs or {target}
        if len(subs) < len(node.names):
            out.add(target)
    return out


GRAPH = {name: _schedkit_imports(path) for name, path in MODULES.items()}


def _floor(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _room(module: str) -> str | None:
    """The problem whose folder holds ``module`` (``None``: a shared module)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in PROBLEM_IDS else None


@pytest.mark.parametrize("floor", sorted(ALLOWED))
def test_floor_imports_only_what_it_may(floor: str) -> None:
    names = [m for m in GRAPH if _floor(m) == floor]
    assert names, f"no modules in schedkit/{floor}"
    for name in names:
        for target in GRAPH[name]:
            other = _floor(target)
            assert other == floor or other in ALLOWED[floor], (
                f"{name} imports {target}: schedkit.{floor} may import only "
                f"{sorted(ALLOWED[floor]) or 'itself'}")


@pytest.mark.parametrize("floor", ROOMS_EVERYWHERE)
def test_every_problem_has_a_folder_on_the_floor(floor: str) -> None:
    for problem in PROBLEM_IDS:
        assert (PKG / floor / problem / "__init__.py").is_file(), f"schedkit/{floor}/{problem}"
    for problem in PROBLEM_IDS:
        assert (ROOT / "tests" / problem).is_dir(), f"tests/{problem}"


def test_problem_folders_are_named_by_problem_ids() -> None:
    for floor in ALLOWED:
        for sub in (PKG / floor).iterdir():
            if sub.is_dir() and (sub / "__init__.py").exists() and floor != "solvers":
                # heuristics/alns/: the ALNS engine every problem's operators plug into.
                if (floor, sub.name) == ("heuristics", "alns"):
                    continue
                assert sub.name in PROBLEM_IDS, f"schedkit/{floor}/{sub.name}"
    extra = {p.name for p in (PKG / "solvers").iterdir() if (p / "__init__.py").exists()}
    assert extra - set(PROBLEM_IDS) == {"backends"}


def test_a_problem_folder_never_imports_another_problem() -> None:
    for name, targets in GRAPH.items():
        mine = _room(name)
        if mine is None:
            continue
        for target in targets:
            other = _room(target)
            assert other in (None, mine), f"{name} imports {target} (another problem's folder)"


def test_shared_modules_reach_problem_folders_only_to_collect_them() -> None:
    for name, targets in GRAPH.items():
        if _room(name) is not None or name in COLLECTORS or _floor(name) is None:
            continue
        if _floor(name) not in ALLOWED:
            continue  # cli and the package root are front ends
        for target in targets:
            if _floor(target) == _floor(name):
                assert _room(target) is None, (
                    f"shared module {name} imports {target}: only {sorted(COLLECTORS)} "
                    "collect problem folders")


def _cycle() -> list[str] | None:
    """One circle of the import graph, if there is one (depth-first search)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt not in GRAPH:
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(GRAPH):
        if state.get(start) is None and (found := visit(start)):
            return found
    return None


def test_the_import_graph_has_no_circle() -> None:
    cycle = _cycle()
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_cycle_check_can_fail() -> None:
    """The check itself must be able to fail: a made-up circle is found."""
    saved = dict(GRAPH)
    try:
        GRAPH["schedkit.instances.base"] = GRAPH["schedkit.instances.base"] | {
            "schedkit.instances.evaluate"}
        assert _cycle() is not None
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


FRONT_ENDS = [PKG / "cli.py", PKG / "bench.py", ROOT / "bench.py",
              *sorted((ROOT / "benchmarks").glob("*.py"))]


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_front_ends_use_the_public_api_only(path: Path) -> None:
    for target in _schedkit_imports(path):
        assert target == "schedkit", f"{path.name} imports {target}; use `import schedkit`"


def test_module_names_spell_problems_in_full() -> None:
    short = ("sm_", "js_", "ep_", "sp_", "moe", "tardiness", "by_problem")
    files = [*PKG.rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "benchmarks").glob("*.py")]
    for path in files:
        stem = path.stem.removeprefix("test_").lstrip("_")
        assert not stem.startswith(short) and "moe" not in stem and "tardiness" not in stem \
            and "_ep_" not in stem and "_sp_" not in stem, path.relative_to(ROOT).as_posix()


def test_walker_sees_relative_imports() -> None:
    """The check itself must be able to fail: known relative imports are resolved."""
    targets = GRAPH["schedkit.solvers.solve"]
    assert "schedkit.instances" in targets
    assert "schedkit.instances.evaluate" in targets
    assert "schedkit.solvers.options" in GRAPH["schedkit.solvers.jobshop.methods"]
    assert "schedkit.instances.dag" in GRAPH["schedkit.instances.families"]
