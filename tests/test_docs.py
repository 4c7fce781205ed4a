"""Docs and code in step: check codes, the README's command table, the module table, and
docs/FORMAT.md's tables (generated here from `format.py` / `format2019.py`)."""

from __future__ import annotations

import argparse
import ast
import re
import tomllib
from pathlib import Path

from disclosure_lib import checks, cli, locate
from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19

from .base import IMPORT_FIXTURES, ROOT, SEED_PAGE

PACKAGE = ROOT / "disclosure_lib"
CODE = re.compile(r"\b[A-Z]\d-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
CORE_SOURCES = (
    "checks.py",
    "checks_values.py",
    "collection.py",
    "checks_trend.py",
    "format.py",
    "narrative.py",
)


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


# --- docs/FORMAT.md: every table marked `<!-- checked: NAME -->` is generated here from data ---

FORMAT_DOC = ROOT / "docs" / "FORMAT.md"
SEP = " · "  # between the labels of one cell (columns of a row, sub-headings of a section)
Rows = list[tuple[str, ...]]


def _doc_tables() -> dict[str, Rows]:
    """The marked tables of FORMAT.md: name → body rows (cells stripped, header dropped)."""
    tables: dict[str, Rows] = {}
    text = FORMAT_DOC.read_text(encoding="utf-8")
    for name, body in re.findall(r"<!-- checked: (.+?) -->\n((?:\|.*\n)+)", text):
        lines = body.splitlines()[2:]  # the header and the |---| line
        assert name not in tables, f"FORMAT.md: two tables named {name!r}"
        tables[name] = [tuple(c.strip() for c in line.strip("|").split("|")) for line in lines]
    return tables


def _proactive_rows(table: fmt.Table) -> Rows:
    return [
        (r.group or "", r.label, SEP.join(c.label for c in table.row_columns(r)))
        for r in table.rows
    ]


def _app_rows(table: fmt.Table, rows: tuple[fmt.Row, ...]) -> Rows:
    return [
        (r.label, table.row(r.parent).label if r.parent else "", "yes" if r.figures else "no")
        for r in rows
    ]


def _rule_codes() -> Rows:
    """The codes of rules 1–8 (R<n>-…) in the order checks.py's docstring lists them."""
    assert checks.__doc__ is not None
    listed = [c for c in dict.fromkeys(CODE.findall(checks.__doc__)) if c[0] == "R"]
    severity = {  # "- R1-…, R2-… [error]: …" gives each code listed before the bracket
        code: level
        for codes, level in re.findall(r"((?:R\d-[A-Z0-9-]+,? )+)\[(error|warning)", checks.__doc__)
        for code in CODE.findall(codes)
    }
    return [(c[1], c, severity[c]) for c in listed]


def _expected_tables() -> dict[str, Rows]:
    changed_2019 = [r for r in f19.APPLICATIONS.rows if r not in fmt.APPLICATIONS.rows]
    return {
        "contact": [tuple(f) for f in fmt.CONTACT_FIELDS],
        "sections": [
            (s.key, s.title, "narrative" if s.narrative else "tables", SEP.join(s.subheadings))
            for s in fmt.SECTIONS
        ],
        "proactive": _proactive_rows(fmt.PROACTIVE),
        "applications columns": [(c.label, c.group or "") for c in fmt.APPLICATIONS.columns],
        "applications rows": _app_rows(fmt.APPLICATIONS, fmt.APPLICATIONS.rows),
        "review rows": [(r.label, r.group or "") for r in fmt.REVIEW.rows],
        "review columns": [(c.label,) for c in fmt.REVIEW.columns],
        "rules": _rule_codes(),
        "proactive 2019": _proactive_rows(f19.PROACTIVE),
        "applications 2019 differences": _app_rows(f19.APPLICATIONS, tuple(changed_2019)),
    }


def test_format_doc_tables_say_what_the_format_data_says() -> None:
    doc, expected = _doc_tables(), _expected_tables()
    assert set(doc) == set(expected)
    for name, rows in expected.items():
        assert doc[name] == rows, f"docs/FORMAT.md, table {name!r}"


def test_format_doc_rules_are_the_equations_rules() -> None:
    """Rules 1–4 are the format's equations; every rule of the checks is on the page."""
    rules = {(r[0], r[1]) for r in _doc_tables()["rules"]}
    equations = [eq for t in fmt.TABLES for eq in t.equations]
    assert {(str(eq.rule), eq.code) for eq in equations} <= rules
    assert {int(n) for n, _ in rules} == set(range(1, 9))
    text = FORMAT_DOC.read_text(encoding="utf-8")
    assert fmt.APPLICATIONS.note is not None and fmt.APPLICATIONS.note in text
    assert all(eq.description in text for eq in equations if eq.rule == 1)


def test_format_doc_names_its_sources_and_the_seed() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    for source in (fmt.FORMAT_DOC, fmt.FORMAT_2019_DOC, "《中华人民共和国政府信息公开条例》"):
        assert source in text
    assert SEED_PAGE.relative_to(ROOT).as_posix() in text and SEED_PAGE.is_file()
    assert fmt.TITLE_TEMPLATE in text
    # the import fixture is the seed page verbatim (tests/fixtures/import/_make.py copies it)
    assert (IMPORT_FIXTURES / "seed.txt").read_bytes() == SEED_PAGE.read_bytes()
