"""The package's shape: layers as folders, no upward imports, no cycles, a light top level.

The import graph is read from the source with `ast` (every `import`, also inside functions:
a lazy import is still a dependency), so the rules hold for code that tests never run.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import disclosure_lib
from disclosure_lib import engine
from disclosure_lib.batch._fork import pool

from .base import ROOT

PACKAGE = ROOT / "disclosure_lib"
# Lower layers never import higher ones; siblings on one level (importers, rendering) not
# each other. The core is every top-level module but the interface.
LAYERS: dict[str, int] = {
    "core": 0, "importers": 1, "rendering": 1, "engine": 1, "batch": 2, "interface": 3,
}  # fmt: skip
INTERFACE = {"disclosure_lib", "disclosure_lib.cli", "disclosure_lib.__main__"}
HEAVY = ("pandas", "papermill", "matplotlib", "nbconvert", "weasyprint", "typst", "openpyxl")
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    if module in INTERFACE or module.startswith("disclosure_lib.cli."):
        return "interface"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or parts[1] in LAYERS else "core"


def imports(module: str, path: Path) -> set[str]:
    """disclosure_lib modules that `module` imports (absolute names), anywhere in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    known = modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("disclosure_lib"))
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if not base.startswith("disclosure_lib"):
                continue
            for alias in node.names:  # `from . import x` may name a module or an attribute
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    found.discard(module)
    return {m for m in found if m in known}


def graph() -> dict[str, set[str]]:
    return {m: imports(m, p) for m, p in modules().items()}


def test_layers_as_folders() -> None:
    names = set(modules())
    for sub in ("importers", "rendering", "engine", "batch"):
        assert f"disclosure_lib.{sub}" in names, sub
    core = {m for m in names if layer(m) == "core"}
    for expected in ("format", "model", "params", "checks", "tidy", "narrative", "schema"):
        assert f"disclosure_lib.{expected}" in core


def test_no_layer_imports_a_higher_one_or_a_sibling() -> None:
    bad = []
    for module, deps in graph().items():
        here = layer(module)
        for dep in deps:
            there = layer(dep)
            if here == "interface":
                continue
            if LAYERS[there] > LAYERS[here] or (LAYERS[there] == LAYERS[here] and there != here):
                bad.append(f"{module} ({here}) imports {dep} ({there})")
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    edges = graph()
    # package __init__ files importing their own children lazily are not cycles of concern
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if node == "disclosure_lib" or dep == "disclosure_lib":
                continue  # the lazy API and `__version__`: no module-level import
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The rule is not vacuous: a core module importing a renderer is caught."""
    fake = tmp_path / "disclosure_lib" / "params.py"
    fake.parent.mkdir()
    fake.write_text("from .rendering import charts\n", encoding="utf-8")
    found = imports("disclosure_lib.params", fake)
    assert found == {"disclosure_lib.rendering.charts"}
    assert LAYERS[layer("disclosure_lib.rendering.charts")] > LAYERS[layer("disclosure_lib.params")]


def test_modules_stay_small() -> None:
    long = {
        m: n
        for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_import_disclosure_lib_is_light() -> None:
    code = f"import sys, disclosure_lib; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_public_api_resolves_lazily() -> None:
    for name in disclosure_lib.__all__:
        assert getattr(disclosure_lib, name) is not None, name
    assert set(disclosure_lib.__all__) <= set(dir(disclosure_lib))
    with pytest.raises(AttributeError):
        _ = disclosure_lib.no_such_name  # type: ignore[attr-defined]


def test_readme_python_api_names_are_exported() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    used = {
        node.attr
        for node in ast.walk(ast.parse(block))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "dl"
    }
    assert used and used <= set(disclosure_lib.__all__), used - set(disclosure_lib.__all__)


def test_engine_name_matches_the_entry_point() -> None:
    eps = importlib.metadata.entry_points(group="papermill.engine")
    [ep] = [e for e in eps if e.value.startswith("disclosure_lib.")]
    assert ep.name == engine.ENGINE_NAME
    assert ep.load() is engine.DisclosureEngine


def test_exporter_entry_points_load() -> None:
    eps = importlib.metadata.entry_points(group="nbconvert.exporters")
    ours = {e.name: e for e in eps if e.value.startswith("disclosure_lib.")}
    assert set(ours) == {"disclosure-html", "disclosure-pdf", "disclosure-typst", "disclosure-docx"}
    for ep in ours.values():
        assert ep.load().__name__.endswith("Exporter")


def test_warm_modules_exist() -> None:
    """The pool warms modules by name; a renamed module must not silently drop out."""
    for name in (*pool.WARM_MODULES, *pool.SUMMARY_ONLY_MODULES):
        assert importlib.util.find_spec(name) is not None, name
    ours = {m for m in pool.WARM_MODULES if m.startswith("disclosure_lib")}
    assert ours <= set(modules())
