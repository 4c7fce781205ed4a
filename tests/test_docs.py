"""Docs and code in step: check codes, the README's command table, the module table."""

from __future__ import annotations

import argparse
import ast
import re
import tomllib
from pathlib import Path

from disclosure_lib import checks, cli, locate

from .base import ROOT

PACKAGE = ROOT / "disclosure_lib"
CODE = re.compile(r"\b[A-Z]\d-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
CORE_SOURCES = ("checks.py", "checks_values.py", "format.py", "narrative.py")


def codes_in_code() -> set[str]:
    """Every check code a finding can carry: string constants of the rule modules."""
    found: set[str] = set()
    for name in CORE_SOURCES:
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE.fullmatch(node.value)
            ):
                found.add(node.value)
    return found


def test_check_codes_documented_in_checks_docstring() -> None:
    assert checks.__doc__ is not None
    documented = set(CODE.findall(checks.__doc__))
    assert documented == codes_in_code()


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _readme_commands() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `disclosure (\w+)([^`]*)` \|", section, flags=re.M)
    return {name: usage for name, usage in rows}


def test_readme_command_table_matches_cli() -> None:
    documented = _readme_commands()
    parsers = _subparsers()
    assert set(documented) == set(parsers)
    for name, usage in documented.items():
        options = {s for a in parsers[name]._actions for s in a.option_strings}
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", usage):
            assert option in options, f"README: disclosure {name} {option} is not an option"


def _module_table() -> set[str]:
    text = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
    section = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w/]+\.py)` \|", section, flags=re.M))


def test_developing_module_table_lists_every_module() -> None:
    modules = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    assert _module_table() == modules


def test_wheel_ships_exactly_the_notebooks_locate_knows() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert set(included) == {f"notebooks/{n}" for n in locate.NOTEBOOKS}
    assert all(v == f"disclosure_lib/{k}" for k, v in included.items())
    assert all((ROOT / k).is_file() for k in included)


def test_notebook_path_finds_the_bundled_notebooks() -> None:
    for name in locate.NOTEBOOKS:
        path = locate.notebook_path(name)
        assert path.is_file() and path.name == name
        assert Path(path).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
