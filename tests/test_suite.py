"""The suite's own rules: every test asserts something; markers are registered."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from .base import ROOT

TESTS = ROOT / "tests"
CHECKS = {"raises", "warns", "fail", "approx"}  # pytest's ways of asserting besides `assert`


def _functions() -> dict[str, tuple[Path, ast.FunctionDef]]:
    """Every function defined in the tests, by qualified name (path::name)."""
    out: dict[str, tuple[Path, ast.FunctionDef]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "fixtures" in path.relative_to(TESTS).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                out[f"{path.relative_to(TESTS)}::{node.name}"] = (path, node)
    return out


def _called(node: ast.FunctionDef) -> set[str]:
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            names.add(
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
    return names


def _asserts_directly(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(n, ast.Assert) or (isinstance(n, ast.Attribute) and n.attr in CHECKS)
        for n in ast.walk(node)
    )


def _not_asserting_tests() -> list[str]:
    functions = _functions()
    helpers = [node for _, node in functions.values() if not node.name.startswith("test_")]
    # a helper asserts if it asserts itself or calls a helper of the tests that does (by name)
    asserting = {node.name for node in helpers if _asserts_directly(node)}
    calls = {node.name: _called(node) for node in helpers}
    while more := {name for name, called in calls.items() if called & asserting} - asserting:
        asserting |= more
    return [
        qualified
        for qualified, (_, node) in functions.items()
        if node.name.startswith("test_")
        and not (_asserts_directly(node) or _called(node) & asserting)
    ]


def test_every_test_asserts_something() -> None:
    assert _not_asserting_tests() == []


def test_a_test_that_only_calls_asserts_nothing() -> None:
    """The check above finds a test whose only check is "it did not raise"."""
    tree = ast.parse("def test_x():\n    read_html(b'')\n")
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef) and not _asserts_directly(node)
    assert "read_html" in _called(node)


def test_markers_used_are_registered() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    registered = {m.split(":")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    assert "slow" in registered
    used = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "mark"
            ):
                used.add(node.attr)
    builtin = {"parametrize", "skipif", "skip", "xfail", "usefixtures", "filterwarnings"}
    assert used - builtin <= registered
