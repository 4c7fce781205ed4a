"""Params YAML in: the composed node tree read into a Report (`loads_report`).

The layout mirrors the official tables (labels from `format.py`): 二 rows are mappings of
column label → figure, 三 and 四 rows are lists in official column order. Loading composes
the YAML node tree (safe loader) so every error names the file, the line and the field, and
goes on after an error so that every error in a file is reported (up to `MAX_ERRORS`).
Nothing of a file that is not a params file is quoted in a message.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from . import format as fmt
from . import formats
from .errors import ParamsError
from .identity import check_year
from .model import Acknowledgement, Paragraph, Report, Value
from .names import check_name, text_control
from .params_layout import FORMATS, formats_laid_out, table_layout
from .params_limits import MAX_BYTES, MAX_DIGITS, check_expansion, too_large, too_many_digits

NARRATIVE_KEYS = {s.heading: s.key for s in fmt.NARRATIVE_SECTIONS}
NOTE_KEYS = {s.heading: s.key for s in fmt.SECTIONS if not s.narrative}
TOP_KEYS = (  # in the order a file lists them
    *("agency", "year", "title", "issued", "charts", "format", "table_formats"),
    *("contact", "narrative", "notes", "acknowledged", *(t.key for t in fmt.TABLES)),
)
REQUIRED_KEYS = ("agency", "year", *(t.key for t in fmt.TABLES))
CONTACT_KEYS = tuple(k for k, _ in fmt.CONTACT_FIELDS)
ACKNOWLEDGED_KEYS = ("code", "cell", "reason", "by", "date")
ACKNOWLEDGED_REQUIRED = ("code", "reason", "by", "date")
MAX_ERRORS = 20  # errors reported per file; past that the file is hardly a params file

# libyaml's parser when PyYAML was built with it: ~6x faster, same safe tag set and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"
_WHOLE = re.compile(r"[-+]?[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_DATE = re.compile(r"(?P<y>\d{4})(?:-|年)(?P<m>\d{1,2})(?:-|月)(?P<d>\d{1,2})日?")


def parse_date(raw: str) -> datetime.date | None:
    """A date written 2025-01-20 or 2025年1月20日 (the 落款), or None if `raw` is not one."""
    m = _DATE.fullmatch(raw.strip())
    if m is None:
        return None
    try:
        return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


# --- loading ----------------------------------------------------------------------------------


class _TooMany(Exception):
    """`MAX_ERRORS` reached: stop reading the file."""


class _Reader:
    """Turns a composed YAML node tree into a Report, collecting located ParamsErrors.

    Each part that can be read on its own (a top-level key, a row, a cell, a paragraph) is
    read inside `attempt()`, so one error does not hide the others in the same file.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lines: dict[tuple[str, str, str], int] = {}
        self.errors: list[ParamsError] = []
        # tables whose format is not known (a bad `format`/`table_formats`): not read, so
        # the one error says what is wrong instead of every row of another layout
        self.unread: set[str] = set()

    def fail(self, node: yaml.Node | None, field: str, message: str) -> ParamsError:
        line = node.start_mark.line + 1 if node is not None else None
        return ParamsError(message, path=self.path, line=line, field=field or None)

    def note(self, error: ParamsError) -> None:
        self.errors.append(error)
        if len(self.errors) >= MAX_ERRORS:
            raise _TooMany

    @contextlib.contextmanager
    def attempt(self) -> Iterator[None]:
        try:
            yield
        except ParamsError as exc:
            self.note(exc)

    def mapping(
        self, node: yaml.Node, field: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The mapping's items; unknown and duplicate keys are noted and left out."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "应为映射 key: value (expected a mapping)")
        allowed_list = None if allowed is None else list(allowed)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.note(self.fail(key_node, field, "键应为文字 (expected a text key)"))
                continue
            key = str(key_node.value).strip()
            sub = f"{field}.{key}" if field else key
            if key in out:
                self.note(self.fail(key_node, sub, "重复的键 (duplicate key)"))
            elif allowed_list is not None and key not in allowed_list:
                expected = "、".join(allowed_list)
                self.note(
                    self.fail(key_node, sub, f"未知的键，应为其中之一：{expected} (unknown key)")
                )
            else:
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
                self.note(self.fail(node, where, "缺少此项 (missing)"))

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT, _FLOAT):
            if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
                return ""
            raise self.fail(node, field, "应为文字 (expected text)")
        value = str(node.value)
        bad = text_control(value)
        if bad is not None:  # an escape sequence would act on a terminal, a NUL end a page
            error = self.fail(
                node, field, f"含有控制字符 U+{ord(bad):04X}，不能使用 (control character in text)"
            )
            if node.style == "|" and error.line is not None:  # a literal block: its own line
                error.line += value[: value.index(bad)].count("\n") + 1
            raise error
        return value

    def date(self, node: yaml.Node, field: str) -> datetime.date | None:
        """A date as 2025-01-20 or 2025年1月20日; null for none."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        raw = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        date = parse_date(raw)
        if date is not None:
            return date
        raise self.fail(
            node,
            field,
            f"应为日期，如 2025-01-20 或 2025年1月20日，而不是 {raw!r} (expected a date)",
        )

    def flag(self, node: yaml.Node, field: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            raise self.fail(node, field, "应为 true 或 false (expected true or false)")
        return str(node.value).strip().lower() in ("true", "yes", "on")

    def number(self, node: yaml.Node, field: str, amount: bool, signed: bool = False) -> Value:
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
            if not value.is_finite() or value.is_signed():  # -0.0 too
                raise self.fail(node, field, f"金额应 ≥ 0，而不是 {raw} (expected an amount ≥ 0)")
            if len(raw) > MAX_DIGITS:
                raise self.fail(node, field, too_many_digits(len(raw)))
            return value
        if node.tag != _INT or not _WHOLE.fullmatch(raw):
            raise self.fail(
                node, field, f"应为不小于 0 的整数，而不是 {raw!r} (expected a whole number ≥ 0)"
            )
        if _LEADING_ZERO.match(raw):  # YAML 1.1 reads 017 as octal 15: neither is meant
            raise self.fail(node, field, f"整数不能以 0 开头：{raw} (leading zero)")
        if len(raw) > MAX_DIGITS:  # int() of > 4,300 digits raises; no count is that large
            raise self.fail(node, field, too_many_digits(len(raw)))
        count = int(raw)
        if count < 0 and not signed:  # (signed: 2019's 本年增/减, a change)
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
            if label not in items:
                continue
            _, value_node = items[label]
            sub = f"{field}.{label}"
            try:  # (per row: no `attempt()`, see _read_row)
                if isinstance(child, dict):
                    self._read_level(report, table, value_node, sub, child)
                else:
                    assert isinstance(child, fmt.Row)
                    self._read_row(report, table, child, value_node, sub)
            except ParamsError as exc:
                self.note(exc)

    def _read_row(
        self, report: Report, table: fmt.Table, row: fmt.Row, node: yaml.Node, field: str
    ) -> None:
        columns = table.row_columns(row)
        signed = formats.signed_cells(table)
        if row.columns:  # 二: mapping of column label -> figure
            labels = [c.label for c in columns]
            items = self.mapping(node, field, labels)
            self.require(node, items, field, labels)
            for col in columns:
                if col.label not in items:
                    continue
                _, vnode = items[col.label]
                try:  # (not `attempt()`: per cell, a context manager costs ≈ 10 % of a load)
                    value = self.number(
                        vnode,
                        f"{field}.{col.label}",
                        table.is_amount(row.key, col.key),
                        (row.key, col.key) in signed,
                    )
                except ParamsError as exc:
                    self.note(exc)
                    continue
                self.record(report, table.key, row.key, col.key, vnode, value)
            return
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(columns):
            names = "、".join(c.label for c in columns)
            raise self.fail(node, field, f"应为 {len(columns)} 个数字的列表：[{names}]")
        for col, vnode in zip(columns, node.value, strict=True):
            try:
                amount = table.is_amount(row.key, col.key)
                value = self.number(vnode, f"{field}[{col.label}]", amount)
            except ParamsError as exc:
                self.note(exc)
                continue
            self.record(report, table.key, row.key, col.key, vnode, value)

    # -- document --

    def read(self, root: yaml.Node | None) -> Report:
        """The report, or the first error found, carrying every error found (`errors`)."""
        more: list[ParamsError] = []
        try:
            report = self._read(root)
        except _TooMany:
            more.append(
                ParamsError(f"错误过多，只列出前 {MAX_ERRORS} 个 (too many errors)", path=self.path)
            )
        except ParamsError as exc:
            self.errors.append(exc)
        if self.errors:
            errors = sorted(self.errors, key=lambda e: e.line or 0) + more
            raise errors[0].with_errors(errors)
        return report

    def _read(self, root: yaml.Node | None) -> Report:
        if root is None:
            raise ParamsError("文件为空 (empty file)", path=self.path)
        if not isinstance(root, yaml.MappingNode) or not any(
            isinstance(k, yaml.ScalarNode) and str(k.value).strip() in REQUIRED_KEYS
            for k, _ in root.value
        ):
            # Not a params file at all (it may be any file someone pointed to): say so without
            # quoting any of its content.
            keys = "、".join(REQUIRED_KEYS[:2])
            raise ParamsError(
                f"不是参数文件：应为 key: value 映射，含 {keys} 等项 (not a params file)",
                path=self.path,
                line=root.start_mark.line + 1,
            )
        top = self.mapping(root, "", TOP_KEYS)
        self.require(root, top, "", REQUIRED_KEYS)
        report = Report(agency="", year=0, source=self.path)
        with self.attempt():
            if "agency" in top:
                node = top["agency"][1]
                report.agency = check_name(
                    self.text(node, "agency"), "机关名称", **self.where(node, "agency")
                )
        year_node = top["year"][1] if "year" in top else None
        with self.attempt():
            if year_node is not None:
                year = self.number(year_node, "year", amount=False)
                report.year = check_year(year, **self.where(year_node))
                self.check_path_year(report, year_node)
        for key, read in (
            ("title", self.read_title),
            ("issued", self.read_issued),
            ("charts", self.read_charts),
            ("format", self.read_format),
            ("table_formats", self.read_table_formats),
            ("contact", self.read_contact),
            ("narrative", self.read_narrative),
            ("notes", self.read_notes),
            ("acknowledged", self.read_acknowledged),
        ):
            if key in top:
                with self.attempt():
                    read(report, top[key][1])
        for t in report.table_specs():  # each table in the layout of its own format
            if t.key in top and t.key not in self.unread:
                before = len(self.errors)
                try:
                    with self.attempt():
                        self.read_table(report, t, top[t.key][1])
                except _TooMany:
                    if not self.other_format(report, t, *top[t.key], before):
                        raise
                else:
                    if len(self.errors) > before:
                        self.other_format(report, t, *top[t.key], before)
        report.lines = self.lines
        return report

    def where(self, node: yaml.Node, field: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": node.start_mark.line + 1}
        if field is not None:
            out["field"] = field
        return out

    def line(self, key: tuple[str, str, str], node: yaml.Node) -> None:
        self.lines[key] = node.start_mark.line + 1

    def read_title(self, report: Report, node: yaml.Node) -> None:
        self.line(("title", "", ""), node)
        title = self.text(node, "title")
        if title.strip():
            report.own_title = check_name(title, "报告标题", **self.where(node, "title"))

    def read_issued(self, report: Report, node: yaml.Node) -> None:
        self.line(("issued", "", ""), node)
        report.issued = self.date(node, "issued")

    def read_charts(self, report: Report, node: yaml.Node) -> None:
        report.charts = self.flag(node, "charts")

    def read_format(self, report: Report, node: yaml.Node) -> None:
        format_id = self.text(node, "format").strip()
        if format_id not in FORMATS:
            self.unread.update(t.key for t in fmt.TABLES)
            raise self.fail(node, "format", f"应为 {' 或 '.join(FORMATS)} (format)")
        report.format = format_id

    def read_table_formats(self, report: Report, node: yaml.Node) -> None:
        """Per-table formats of a page that mixes them: {table key: format id}."""
        keys = [t.key for t in fmt.TABLES]
        for key, (_, value) in self.mapping(node, "table_formats", keys).items():
            self.unread.add(key)  # until its format is known
            with self.attempt():
                format_id = self.text(value, f"table_formats.{key}").strip()
                if format_id not in FORMATS:
                    raise self.fail(
                        value, f"table_formats.{key}", f"应为 {' 或 '.join(FORMATS)} (format)"
                    )
                self.unread.discard(key)
                if format_id != report.format:
                    report.table_formats[key] = format_id

    def other_format(
        self, report: Report, table: fmt.Table, key: yaml.Node, node: yaml.Node, since: int
    ) -> bool:
        """A table that failed to read because it is laid out in another format than the file
        says: its errors (since `since`) become one naming the format (the file's `format` /
        `table_formats` is what is wrong, not each row). True if so."""
        own = report.table_formats.get(table.key, report.format)
        others = [f for f in formats_laid_out(table.key, node) if f != own]
        if not others:
            return False
        del self.errors[since:]
        self.note(
            self.fail(
                key,
                table.key,
                f"此表按 {others[0]} 格式（{formats.DOCS[others[0]]}）填写，而本文件的表格应为 "
                f'{own} 格式：请写 format: "{others[0]}"，或在 table_formats 中写 '
                f'{table.key}: "{others[0]}" (table in another format)',
            )
        )
        return True

    def read_contact(self, report: Report, node: yaml.Node) -> None:
        items = self.mapping(node, "contact", CONTACT_KEYS)
        for key, (_, value) in items.items():
            self.line(("contact", key, ""), value)
            with self.attempt():
                setattr(report.contact, key, self.text(value, f"contact.{key}"))

    def read_notes(self, report: Report, node: yaml.Node) -> None:
        items = self.mapping(node, "notes", NOTE_KEYS)
        for heading, (key_node, value) in items.items():
            self.line(("notes", NOTE_KEYS[heading], ""), key_node)
            with self.attempt():
                report.section_notes[NOTE_KEYS[heading]] = self.text(value, f"notes.{heading}")

    def read_narrative(self, report: Report, node: yaml.Node) -> None:
        sections = self.mapping(node, "narrative", NARRATIVE_KEYS)
        for heading, (key_node, seq) in sections.items():
            self.line(("narrative", NARRATIVE_KEYS[heading], ""), key_node)
            field = f"narrative.{heading}"
            if not isinstance(seq, yaml.SequenceNode):
                self.note(self.fail(seq, field, "应为段落列表 (expected a list of paragraphs)"))
                continue
            paragraphs = []
            for i, item in enumerate(seq.value, 1):
                with self.attempt():
                    items = self.mapping(item, f"{field}[{i}]", ("heading", "text"))
                    heading_text = (
                        self.text(items["heading"][1], f"{field}[{i}].heading")
                        if "heading" in items
                        else None
                    )
                    text = (
                        self.text(items["text"][1], f"{field}[{i}].text") if "text" in items else ""
                    )
                    paragraphs.append(Paragraph(text=text, heading=heading_text))
                    where = items["text"][1] if "text" in items else item
                    self.line(("narrative", NARRATIVE_KEYS[heading], str(len(paragraphs))), where)
            report.narrative[NARRATIVE_KEYS[heading]] = paragraphs

    def read_acknowledged(self, report: Report, node: yaml.Node) -> None:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "acknowledged", "应为列表 (expected a list of findings)")
        for i, item in enumerate(node.value, 1):
            field = f"acknowledged[{i}]"
            with self.attempt():
                items = self.mapping(item, field, ACKNOWLEDGED_KEYS)
                self.require(item, items, field, ACKNOWLEDGED_REQUIRED)
                if any(k not in items for k in ACKNOWLEDGED_REQUIRED):
                    continue
                values = {
                    k: self.text(items[k][1], f"{field}.{k}")
                    for k in ("code", "cell", "reason", "by")
                    if k in items
                }
                for k in ("code", "reason", "by"):
                    if not values[k].strip():
                        raise self.fail(items[k][1], f"{field}.{k}", "不能为空 (must not be empty)")
                date = self.date(items["date"][1], f"{field}.date")
                report.acknowledged.append(
                    Acknowledgement(
                        code=values["code"].strip(),
                        cell=values.get("cell", "").strip(),
                        reason=values["reason"],
                        by=values["by"],
                        date=date,
                    )
                )

    def check_path_year(self, report: Report, year_node: yaml.Node) -> None:
        stem = self.path.stem if self.path is not None else ""
        if re.fullmatch(r"\d{4}", stem) and int(stem) != report.year:
            raise self.fail(
                year_node,
                "year",
                f"文件中的年份 {report.year} 与文件名中的年份 {stem} 不一致 "
                "(year in file differs from year in path)",
            )


def loads_report(text: str, path: Path | None = None) -> Report:
    """Parse params YAML text into a Report; a ParamsError carries every error found."""
    if len(text) > MAX_BYTES:
        raise too_large(len(text.encode("utf-8", "surrogatepass")), path)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "语法错误"
        raise ParamsError(
            f"YAML 语法错误：{problem} (YAML syntax error)", path=path, line=line
        ) from None
    except yaml.YAMLError:
        # a reader error (a character YAML does not allow): PyYAML's text would quote the file
        raise ParamsError("YAML 错误：文件含有不允许的字符 (YAML error)", path=path) from None
    if root is not None:
        check_expansion(root, path)
    return _Reader(path).read(root)
