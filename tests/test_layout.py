"""The layout: each package says its one job and what it may import, and no module grows
past the size a reader can hold in mind. The direction of imports itself is checked by
`lint-imports` (the contracts in pyproject.toml), which `.ci/run` runs."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "blinacli"
PYPROJECT = PACKAGE.parent / "pyproject.toml"

MAX_LINES = 600
"""The largest a module may be (docs/architecture.md)."""

LAYERS = ("cli", "render", "interop", "views", "load", "model", "base")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_says_its_job(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path.relative_to(PACKAGE)} has no docstring"


@pytest.mark.parametrize("layer", LAYERS)
def test_each_package_says_what_it_may_import(layer: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
    assert docstring is not None and "May import:" in docstring


def test_every_package_is_a_declared_layer() -> None:
    """A new package must be placed in the layers, or lint-imports would not hold it."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    declared = {name.strip() for layer in layers for name in layer.split("|")}
    packages = {
        f"blinacli.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py") if p.parent != PACKAGE
    }
    assert packages == declared
    assert [name.strip() for name in layers[0].split("|")] == ["blinacli.cli"]
    assert {f"blinacli.{layer}" for layer in LAYERS} == declared


def test_top_level_holds_only_the_version_and_the_entry() -> None:
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py"]


def _top_level_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def test_the_model_package_names_every_public_name_of_its_modules() -> None:
    """Outside the model, names come from ``blinacli.model``: it must hold them all."""
    import importlib

    import blinacli.model

    for module in ("scalars", "provenance", "design", "results", "study"):
        tree = ast.parse((PACKAGE / "model" / f"{module}.py").read_text(encoding="utf-8"))
        loaded = importlib.import_module(f"blinacli.model.{module}")
        for name in _top_level_names(tree):
            if not name.startswith("_"):
                assert getattr(blinacli.model, name, None) is getattr(loaded, name), name


def test_no_module_imports_itself_through_others() -> None:
    """No cycle at all in the module graph, parents and children included: lint-imports
    checks siblings at every level, and this checks every edge of the whole graph."""
    import grimp

    graph = grimp.build_graph("blinacli")
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            assert chain is None, f"{module} -> {' -> '.join(chain or ())}"
