"""Params YAML in: the composed node tree read into a Report (`loads_report`).

The layout mirrors the official tables (labels from `format.py`): 二 rows are mappings of
column label → figure, 三 and 四 rows are lists in official column order. Loading composes
the YAML node tree (safe loader) so every error names the file, the line and the field, and
goes on after an error so that every error in a file is reported (up to `MAX_ERRORS`).
Nothing of a file that is not a params file is quoted in a message.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import format as fmt
from . import formats
from .errors import ParamsError
from .identity import check_year
from .model import Acknowledgement, Paragraph, Report, Value
from .names import check_name
from .params_layout import FORMATS, formats_laid_out, table_layout
from .params_limits import MAX_BYTES, check_expansion, too_large
from .params_nodes import MAX_ERRORS, NodeReader, TooMany

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

# libyaml's parser when PyYAML was built with it: ~6x faster, same safe tag set and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# --- loading ----------------------------------------------------------------------------------


class _Reader(NodeReader):
    """Turns a composed YAML node tree into a Report, collecting located ParamsErrors.

    Each part that can be read on its own (a top-level key, a row, a cell, a paragraph) is
    read inside `attempt()`, so one error does not hide the others in the same file.
    """

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
        except TooMany:
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
                except TooMany:
                    if not self.other_format(report, t, *top[t.key], before):
                        raise
                else:
                    if len(self.errors) > before:
                        self.other_format(report, t, *top[t.key], before)
        report.lines = self.lines
        return report

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
