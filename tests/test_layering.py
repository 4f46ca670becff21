"""Imports point one way (DESIGN.md §2): instances ← formulations/heuristics ← solvers ←
plotting ← CLI/bench."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "schedkit"

# What each layer may import from schedkit (besides itself).
ALLOWED = {
    "instances": set(),
    "formulations": {"instances"},
    "heuristics": {"instances"},
    "solvers": {"instances", "formulations", "heuristics"},
    "plotting": {"instances", "solvers"},
}


def _schedkit_imports(path: Path) -> set[str]:
    """Absolute ``schedkit.X`` targets of every import in ``path`` (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module[: -len(
        ".__init__")]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "schedkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "schedkit":
                out.add(target)
    return out


def _layer(target: str) -> str | None:
    parts = target.split(".")
    return parts[1] if len(parts) > 1 else None


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    files = sorted((PKG / layer).rglob("*.py"))
    assert files, f"no modules in schedkit/{layer}"
    for path in files:
        for target in _schedkit_imports(path):
            other = _layer(target)
            assert other == layer or other in ALLOWED[layer], (
                f"{path.relative_to(ROOT)} imports {target}: schedkit.{layer} may import only "
                f"{sorted(ALLOWED[layer]) or 'itself'}")


@pytest.mark.parametrize("path", [PKG / "cli.py", ROOT / "bench.py"], ids=lambda p: p.name)
def test_front_ends_use_the_public_api_only(path: Path) -> None:
    for target in _schedkit_imports(path):
        assert target == "schedkit", f"{path.name} imports {target}; use `import schedkit`"


def test_walker_sees_relative_imports() -> None:
    """The check itself must be able to fail: a known relative import is resolved."""
    targets = _schedkit_imports(PKG / "solvers" / "solve.py")
    assert "schedkit.instances" in targets
    assert "schedkit.instances.evaluate" in targets
