"""Writing params files: the YAML text of a report (`dump_report`), saving, new blank files.

The text is emitted by hand, not by `yaml.dump`, so the file reads like the official form
(labels in order, one row a line, comments naming the columns); every scalar goes through
`_scalar`/`_quoted`, and `load(dump(r)) == r` is tested.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml

from . import format as fmt
from . import formats
from .errors import ParamsError
from .files import write_atomic
from .identity import check_year
from .model import PLACEHOLDER, Contact, Paragraph, Report, Value
from .names import check_name
from .params import params_path
from .params_layout import table_layout


def _scalar(value: str) -> str:
    """A YAML scalar for `value`: plain when that reads back the same, else double-quoted."""
    if (
        value
        and value == value.strip()
        and not _NON_PRINTABLE.search(value)
        and "\n" not in value
        and not re.search(r"[:#{}\[\],&*!|>'\"%@`]|^[-?]", value)
    ):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return _quoted(value)


# What PyYAML refuses to read raw (its Reader.NON_PRINTABLE), plus line/paragraph separators.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)
_NEEDS_ESCAPE = re.compile(r'["\\\n\t]|' + _NON_PRINTABLE.pattern)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def _quoted(value: str) -> str:
    def escape(ch: str) -> str:
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        code = ord(ch)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return '"' + _NEEDS_ESCAPE.sub(lambda m: escape(m.group()), value) + '"'


def _block(value: str, indent: str) -> str:
    """Multi-line text as a literal block when that is lossless, else a quoted scalar."""
    lines = value.split("\n")
    safe = (
        "\n" in value
        and not value.endswith("\n")
        and lines[0][:1] not in (" ", "\t")
        and all(line == line.rstrip(" \t") for line in lines)
        and not _NON_PRINTABLE.search(value)
    )
    if not safe:
        return _quoted(value)
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return f"|-\n{body}"


def _text(value: str, indent: str) -> str:
    return _block(value, indent) if "\n" in value else _scalar(value)


def _number(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return str(value)


def _header(report: Report) -> str:
    """The comment line on top: the title only when it is plain text (YAML reads a plain
    scalar back unchanged, so it holds no line break that could end the comment)."""
    title = report.title
    name = f"{title} — " if _scalar(title) == title else ""
    return f"# {name}参数文件 (params file)"


def dump_report(report: Report) -> str:
    """The params YAML text of `report` (load(dump(r)) == r)."""
    out: list[str] = [
        _header(report),
        f"agency: {_scalar(report.agency)}",
        f"year: {report.year}",
    ]
    if report.own_title is not None:
        out.append(f"title: {_scalar(report.own_title)}")
    if report.issued is not None:
        out.append(f"issued: {report.issued.isoformat()}  # 落款日期")
    else:  # the 落款 needs one: `check` says so until it is filled in
        out.append("issued: null  # 落款日期，如 2025-01-20（待填写）")
    if report.charts:
        out.append("charts: true  # 正式版也附统计图表")
    if report.format != fmt.FORMAT_ID:
        out.append(f"format: {_quoted(report.format)}  # {formats.DOCS[report.format]}")
    if report.table_formats:
        out.append("table_formats:  # 与本报告格式不同的表格 (tables in another format)")
        for t in fmt.TABLES:
            if t.key in report.table_formats:
                out.append(f"  {t.key}: {_quoted(report.table_formats[t.key])}")
    out.append("contact:")
    for key, label in fmt.CONTACT_FIELDS:
        out.append(f"  {key}: {_scalar(getattr(report.contact, key))}  # {label}")
    if report.narrative:
        out.append("narrative:")
        for s in fmt.NARRATIVE_SECTIONS:
            paragraphs = report.narrative.get(s.key)
            if paragraphs is None:
                continue
            if not paragraphs:
                out.append(f"  {s.heading}: []")
                continue
            out.append(f"  {s.heading}:")
            for p in paragraphs:
                lead = "    - "
                if p.heading is not None:
                    out.append(f"{lead}heading: {_text(p.heading, ' ' * 8)}")
                    lead = "      "
                out.append(f"{lead}text: {_text(p.text, ' ' * 8)}")
    if report.section_notes:
        out.append("notes:")
        for s in fmt.SECTIONS:
            if s.key in report.section_notes and not s.narrative:
                out.append(f"  {s.heading}: {_text(report.section_notes[s.key], ' ' * 4)}")
    for t in report.table_specs():
        out.append(f"{t.key}:  # {t.section}、{t.title}")
        if not any(r.columns for r in t.rows):
            out.append(f"  # 列 (columns): {', '.join(c.label for c in t.columns)}")
        _dump_level(report, t, table_layout(t), out, "  ")
    return "\n".join(out) + "\n"


def _dump_level(
    report: Report, table: fmt.Table, level: dict[str, object], out: list[str], indent: str
) -> None:
    for label, child in level.items():
        if isinstance(child, dict):
            out.append(f"{indent}{_scalar(label)}:")
            _dump_level(report, table, child, out, indent + "  ")
            continue
        assert isinstance(child, fmt.Row)
        cols = table.row_columns(child)
        values = [_number(report.get(table.key, child.key, c.key)) for c in cols]
        if child.columns:
            pairs = ", ".join(f"{_scalar(c.label)}: {v}" for c, v in zip(cols, values, strict=True))
            out.append(f"{indent}{_scalar(label)}: {{{pairs}}}")
        else:
            out.append(f"{indent}{_scalar(label)}: [{', '.join(values)}]")


def save_report(report: Report, path: Path | str, *, force: bool = True) -> Path:
    """Write `report` as params YAML, atomically; refuse to overwrite unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise ParamsError("文件已存在，如需覆盖请使用 --force (file exists)", path=path)
    return write_atomic(path, dump_report(report), parents=True)


def new_params_file(
    agency: str,
    year: int,
    params_dir: Path | str = "params",
    *,
    force: bool = False,
    format: str = fmt.FORMAT_ID,
) -> Path:
    """A blank params file for a new agency-year: every figure blank (null), the usual
    sub-headings, and the placeholder 【待填写】 for the texts — `check` lists all of them until
    they are filled in. The name and the year are checked first; `format` lays the tables out
    in that format (2019 for a report of 2019 or 2020 kept as published)."""
    agency = check_name(agency, "机关名称", field="agency")
    if format not in formats.FORMATS:
        known = " 或 ".join(formats.FORMATS)
        raise ParamsError(f"报告格式应为 {known}，而不是 {format!r} (unknown format)")
    report = Report.blank(agency, check_year(year), format=format)
    report.contact = Contact(*(PLACEHOLDER for _ in fmt.CONTACT_FIELDS))
    for s in fmt.NARRATIVE_SECTIONS:
        report.narrative[s.key] = [Paragraph(PLACEHOLDER, heading=h) for h in s.subheadings]
    return save_report(report, params_path(params_dir, agency, year), force=force)
