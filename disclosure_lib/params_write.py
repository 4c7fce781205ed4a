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
from .nextyear import References, next_year
from .params import load_report, params_path
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


def _comment(text: str, indent: str, lead: str) -> list[str]:
    """`text` as YAML comment lines (nothing in them can end the comment early)."""
    lines = [_NON_PRINTABLE.sub(" ", line) for line in text.split("\n")]
    return [f"{indent}# {lead}{lines[0]}", *(f"{indent}#   {line}" for line in lines[1:])]


def _reference(refs: References | None, section: str, i: int, indent: str) -> list[str]:
    """Last year's paragraph `i` of `section` as a reference comment (never as this year's text)."""
    if refs is None or i >= len(refs.narrative.get(section, [])):
        return []
    p = refs.narrative[section][i]
    return _comment(p.text, indent, f"{refs.year}年原文（仅供参考，勿照搬）：")


def dump_report(report: Report, references: References | None = None) -> str:
    """The params YAML text of `report` (load(dump(r)) == r); `references`: last year's texts
    and 现行有效件数 as comments beside the blanks (`new --from`)."""
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
            for i, p in enumerate(paragraphs):
                out.extend(_reference(references, s.key, i, "    "))
                lead = "    - "
                if p.heading is not None:
                    out.append(f"{lead}heading: {_text(p.heading, ' ' * 8)}")
                    lead = "      "
                out.append(f"{lead}text: {_text(p.text, ' ' * 8)}")
    if report.section_notes:
        out.append("notes:")
        for s in fmt.SECTIONS:
            if s.key in report.section_notes and not s.narrative:
                if references is not None and s.key in references.notes:
                    note = references.notes[s.key]
                    out.extend(_comment(note, "  ", f"{references.year}年原文（仅供参考）："))
                out.append(f"  {s.heading}: {_text(report.section_notes[s.key], ' ' * 4)}")
    if report.acknowledged:
        out.append("acknowledged:  # 已核实的校验结果 (findings verified)")
        for a in report.acknowledged:
            out.append(f"  - code: {_scalar(a.code)}")
            if a.cell:
                out.append(f"    cell: {_scalar(a.cell)}")
            out.append(f"    reason: {_text(a.reason, ' ' * 6)}")
            out.append(f"    by: {_scalar(a.by)}")
            out.append(f"    date: {a.date.isoformat() if a.date else 'null'}")
    for t in report.table_specs():
        out.append(f"{t.key}:  # {t.section}、{t.title}")
        if not any(r.columns for r in t.rows):
            out.append(f"  # 列 (columns): {', '.join(c.label for c in t.columns)}")
        _dump_level(report, t, table_layout(t), out, "  ", references)
    return "\n".join(out) + "\n"


def _dump_level(
    report: Report,
    table: fmt.Table,
    level: dict[str, object],
    out: list[str],
    indent: str,
    references: References | None = None,
) -> None:
    for label, child in level.items():
        if isinstance(child, dict):
            out.append(f"{indent}{_scalar(label)}:")
            _dump_level(report, table, child, out, indent + "  ", references)
            continue
        assert isinstance(child, fmt.Row)
        if references is not None and table.key == fmt.PROACTIVE.key:
            before = references.in_force.get(child.key)
            if before is not None:
                out.append(
                    f"{indent}# {references.year}年现行有效 {_number(before)} 件（规则 8）："
                    f"本年现行有效件数 = {_number(before)} + 本年制发件数 − 本年废止件数"
                )
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
    from_params: Path | str | None = None,
) -> Path:
    """A blank params file for a new agency-year: every figure blank (null), the usual
    sub-headings, and the placeholder 【待填写】 for the texts — `check` lists all of them until
    they are filled in. The name and the year are checked first; `format` lays the tables out
    in that format (2019 for a report of 2019 or 2020 kept as published).

    `from_params`: last year's params file as the starting point (`nextyear.next_year`):
    contact, title, 上年结转, last year's texts and 现行有效件数 as comments."""
    agency = check_name(agency, "机关名称", field="agency")
    if from_params is not None:
        report, refs = next_year(load_report(from_params), check_year(year))
        report.agency = agency
        path = params_path(params_dir, agency, year)
        if path.exists() and not force:
            raise ParamsError("文件已存在，如需覆盖请使用 --force (file exists)", path=path)
        return write_atomic(path, dump_report(report, refs))
    if format not in formats.FORMATS:
        known = " 或 ".join(formats.FORMATS)
        raise ParamsError(f"报告格式应为 {known}，而不是 {format!r} (unknown format)")
    report = Report.blank(agency, check_year(year), format=format)
    report.contact = Contact(*(PLACEHOLDER for _ in fmt.CONTACT_FIELDS))
    for s in fmt.NARRATIVE_SECTIONS:
        report.narrative[s.key] = [Paragraph(PLACEHOLDER, heading=h) for h in s.subheadings]
    return save_report(report, params_path(params_dir, agency, year), force=force)
