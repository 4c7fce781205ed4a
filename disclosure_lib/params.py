"""Params files: one YAML file per agency and year, `params/<agency>/<year>.yaml`.

The layout mirrors the official tables (labels from `format.py`): 二 rows are mappings of
column label → figure, 三 and 四 rows are lists in official column order. Loading composes
the YAML node tree (safe loader) so every error names the file, the line and the field.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from . import format as fmt
from .errors import ParamsError
from .model import Contact, Paragraph, Report, Value
from .names import agency_dirname

SUFFIX = ".yaml"
NARRATIVE_KEYS = {s.heading: s.key for s in fmt.NARRATIVE_SECTIONS}
NOTE_KEYS = {s.heading: s.key for s in fmt.SECTIONS if not s.narrative}
TOP_KEYS = (
    "agency",
    "year",
    "title",
    "issued",
    "charts",
    "format",
    "contact",
    "narrative",
    "notes",
    *(t.key for t in fmt.TABLES),
)
REQUIRED_KEYS = ("agency", "year", *(t.key for t in fmt.TABLES))
CONTACT_KEYS = tuple(k for k, _ in fmt.CONTACT_FIELDS)
FORMATS = ("2021", "2019")

# libyaml's parser when PyYAML was built with it: ~6x faster, same safe tag set and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"
_DATE = re.compile(r"(?P<y>\d{4})(?:-|年)(?P<m>\d{1,2})(?:-|月)(?P<d>\d{1,2})日?")


# --- paths ------------------------------------------------------------------------------------


def params_path(params_dir: Path | str, agency: str, year: int) -> Path:
    return Path(params_dir) / agency_dirname(agency) / f"{int(year)}{SUFFIX}"


def find_params(paths: Iterable[Path | str]) -> list[Path]:
    """Params files named by `paths` (files, or folders searched recursively), sorted."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found.update(f for f in p.rglob(f"*{SUFFIX}") if f.is_file())
        elif p.is_file():
            found.add(p)
        else:
            raise ParamsError("文件或目录不存在 (no such file or folder)", path=p)
    return sorted(found)


# --- loading ----------------------------------------------------------------------------------


class _Reader:
    """Turns a composed YAML node tree into a Report, raising located ParamsErrors."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lines: dict[tuple[str, str, str], int] = {}

    def fail(self, node: yaml.Node | None, field: str, message: str) -> ParamsError:
        line = node.start_mark.line + 1 if node is not None else None
        return ParamsError(message, path=self.path, line=line, field=field or None)

    def mapping(
        self, node: yaml.Node, field: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "应为映射 key: value (expected a mapping)")
        allowed_list = None if allowed is None else list(allowed)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, field, "键应为文字 (expected a text key)")
            key = str(key_node.value).strip()
            sub = f"{field}.{key}" if field else key
            if key in out:
                raise self.fail(key_node, sub, "重复的键 (duplicate key)")
            if allowed_list is not None and key not in allowed_list:
                expected = "、".join(allowed_list)
                raise self.fail(key_node, sub, f"未知的键，应为其中之一：{expected} (unknown key)")
            out[key] = (key_node, value_node)
        return out

    def require(
        self,
        node: yaml.Node,
        items: dict[str, tuple[yaml.Node, yaml.Node]],
        field: str,
        keys: Iterable[str],
    ) -> None:
        for key in keys:
            if key not in items:
                where = f"{field}.{key}" if field else key
                raise self.fail(node, where, "缺少此项 (missing)")

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT, _FLOAT):
            if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
                return ""
            raise self.fail(node, field, "应为文字 (expected text)")
        return str(node.value)

    def date(self, node: yaml.Node, field: str) -> datetime.date | None:
        """A date as 2025-01-20 or 2025年1月20日; null for none."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        raw = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        m = _DATE.fullmatch(raw)
        if m is not None:
            try:
                return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                pass
        raise self.fail(
            node,
            field,
            f"应为日期，如 2025-01-20 或 2025年1月20日，而不是 {raw!r} (expected a date)",
        )

    def flag(self, node: yaml.Node, field: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            raise self.fail(node, field, "应为 true 或 false (expected true or false)")
        return str(node.value).strip().lower() in ("true", "yes", "on")

    def number(self, node: yaml.Node, field: str, amount: bool) -> Value:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field, "应为数字 (expected a number)")
        raw = str(node.value).strip()
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            raise self.fail(
                node, field, f"应为数字，而不是 {raw} (expected a number, not a boolean)"
            )
        if amount:
            if node.tag not in (_INT, _FLOAT):
                raise self.fail(
                    node, field, f"应为金额（万元）数字，而不是 {raw!r} (expected an amount)"
                )
            try:
                value = Decimal(raw.replace("_", ""))
            except InvalidOperation:
                raise self.fail(node, field, f"应为金额数字，而不是 {raw!r}") from None
            if not value.is_finite() or value < 0:
                raise self.fail(node, field, f"金额应 ≥ 0，而不是 {raw} (expected an amount ≥ 0)")
            return value
        if node.tag != _INT or not re.fullmatch(r"[-+]?[0-9]+", raw):
            raise self.fail(
                node, field, f"应为不小于 0 的整数，而不是 {raw!r} (expected a whole number ≥ 0)"
            )
        count = int(raw)
        if count < 0:
            raise self.fail(node, field, f"应为不小于 0 的整数，而不是 {raw} (negative)")
        return count

    def record(
        self, report: Report, table: str, row: str, column: str, node: yaml.Node, value: Value
    ) -> None:
        report.set(table, row, column, value)
        self.lines[(table, row, column)] = node.start_mark.line + 1

    # -- tables --

    def read_table(self, report: Report, table: fmt.Table, node: yaml.Node) -> None:
        """Read one table: nesting follows groups (二, 四) and headings (三)."""
        tree = table_layout(table)
        self._read_level(report, table, node, table.key, tree)

    def _read_level(
        self,
        report: Report,
        table: fmt.Table,
        node: yaml.Node,
        field: str,
        level: dict[str, object],
    ) -> None:
        items = self.mapping(node, field, level.keys())
        self.require(node, items, field, level.keys())
        for label, child in level.items():
            _, value_node = items[label]
            sub = f"{field}.{label}"
            if isinstance(child, dict):
                self._read_level(report, table, value_node, sub, child)
            else:
                assert isinstance(child, fmt.Row)
                self._read_row(report, table, child, value_node, sub)

    def _read_row(
        self, report: Report, table: fmt.Table, row: fmt.Row, node: yaml.Node, field: str
    ) -> None:
        columns = table.row_columns(row)
        if row.columns:  # 二: mapping of column label -> figure
            labels = [c.label for c in columns]
            items = self.mapping(node, field, labels)
            self.require(node, items, field, labels)
            for col in columns:
                _, vnode = items[col.label]
                value = self.number(
                    vnode, f"{field}.{col.label}", table.is_amount(row.key, col.key)
                )
                self.record(report, table.key, row.key, col.key, vnode, value)
            return
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(columns):
            names = "、".join(c.label for c in columns)
            raise self.fail(node, field, f"应为 {len(columns)} 个数字的列表：[{names}]")
        for col, vnode in zip(columns, node.value, strict=True):
            value = self.number(vnode, f"{field}[{col.label}]", table.is_amount(row.key, col.key))
            self.record(report, table.key, row.key, col.key, vnode, value)

    # -- document --

    def read(self, root: yaml.Node | None) -> Report:
        if root is None:
            raise ParamsError("文件为空 (empty file)", path=self.path)
        top = self.mapping(root, "", TOP_KEYS)
        self.require(root, top, "", REQUIRED_KEYS)
        agency = self.text(top["agency"][1], "agency").strip()
        if not agency:
            raise self.fail(top["agency"][1], "agency", "机关名称不能为空 (agency is empty)")
        year_node = top["year"][1]
        year = self.number(year_node, "year", amount=False)
        if not isinstance(year, int) or not 1990 <= year <= 2200:
            raise self.fail(year_node, "year", "应为四位数年份，如 2024 (expected a year)")
        report = Report(agency=agency, year=year, source=self.path)
        if "title" in top:
            report.own_title = self.text(top["title"][1], "title").strip() or None
        if "issued" in top:
            report.issued = self.date(top["issued"][1], "issued")
        if "charts" in top:
            report.charts = self.flag(top["charts"][1], "charts")
        if "format" in top:
            report.format = self.text(top["format"][1], "format")
            if report.format not in FORMATS:
                raise self.fail(top["format"][1], "format", f"应为 {' 或 '.join(FORMATS)}")
        if "contact" in top:
            items = self.mapping(top["contact"][1], "contact", CONTACT_KEYS)
            report.contact = Contact(
                **{k: self.text(v, f"contact.{k}") for k, (_, v) in items.items()}
            )
        if "narrative" in top:
            self.read_narrative(report, top["narrative"][1])
        if "notes" in top:
            items = self.mapping(top["notes"][1], "notes", NOTE_KEYS)
            for heading, (_, v) in items.items():
                report.section_notes[NOTE_KEYS[heading]] = self.text(v, f"notes.{heading}")
        for t in fmt.TABLES:
            self.read_table(report, t, top[t.key][1])
        self.check_path_year(report, year_node)
        report.lines = self.lines
        return report

    def read_narrative(self, report: Report, node: yaml.Node) -> None:
        sections = self.mapping(node, "narrative", NARRATIVE_KEYS)
        for heading, (_, seq) in sections.items():
            field = f"narrative.{heading}"
            if not isinstance(seq, yaml.SequenceNode):
                raise self.fail(seq, field, "应为段落列表 (expected a list of paragraphs)")
            paragraphs = []
            for i, item in enumerate(seq.value, 1):
                items = self.mapping(item, f"{field}[{i}]", ("heading", "text"))
                heading_text = (
                    self.text(items["heading"][1], f"{field}[{i}].heading")
                    if "heading" in items
                    else None
                )
                text = self.text(items["text"][1], f"{field}[{i}].text") if "text" in items else ""
                paragraphs.append(Paragraph(text=text, heading=heading_text))
            report.narrative[NARRATIVE_KEYS[heading]] = paragraphs

    def check_path_year(self, report: Report, year_node: yaml.Node) -> None:
        stem = self.path.stem if self.path is not None else ""
        if re.fullmatch(r"\d{4}", stem) and int(stem) != report.year:
            raise self.fail(
                year_node,
                "year",
                f"文件中的年份 {report.year} 与文件名中的年份 {stem} 不一致 "
                "(year in file differs from year in path)",
            )


def table_layout(table: fmt.Table) -> dict[str, object]:
    """Nested {label: subtree | Row} layout of a table in a params file."""
    tree: dict[str, object] = {}
    for row in table.rows:
        level = tree
        if row.group is not None:
            level = level.setdefault(row.group, {})  # type: ignore[assignment]
        for ancestor in table.row_path(row)[:-1]:
            level = level.setdefault(ancestor, {})  # type: ignore[assignment]
        if row.figures:
            level[row.label] = row
        else:
            level.setdefault(row.label, {})
    return tree


def loads_report(text: str, path: Path | None = None) -> Report:
    """Parse params YAML text into a Report."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "语法错误"
        raise ParamsError(
            f"YAML 语法错误：{problem} (YAML syntax error)", path=path, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"YAML 错误：{exc}", path=path) from None
    return _Reader(path).read(root)


def load_report(path: Path | str) -> Report:
    """Load one params file; raise ParamsError naming file, line and field on bad input."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParamsError(f"无法读取文件 (cannot read): {exc.strerror}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParamsError("文件不是 UTF-8 编码 (not UTF-8 text)", path=path, line=line) from None
    return loads_report(text, path)


def load_reports(paths: Iterable[Path | str]) -> tuple[list[Report], list[ParamsError]]:
    """Load every params file under `paths`; bad files are returned as errors, not raised."""
    reports: list[Report] = []
    errors: list[ParamsError] = []
    try:
        files = find_params(paths)
    except ParamsError as exc:
        return reports, [exc]
    for f in files:
        try:
            reports.append(load_report(f))
        except ParamsError as exc:
            errors.append(exc)
    return reports, errors


def available(params_dir: Path | str) -> dict[str, list[int]]:
    """Agency full name -> sorted years, for the params files under `params_dir`."""
    out: dict[str, list[int]] = {}
    reports, _ = load_reports([params_dir]) if Path(params_dir).is_dir() else ([], [])
    for r in reports:
        out.setdefault(r.agency, []).append(r.year)
    return {a: sorted(ys) for a, ys in sorted(out.items())}
