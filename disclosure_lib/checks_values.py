"""What a report must hold before its sums mean anything: rule 5 (every figure present — blank
is missing, not 0 —, whole, ≥ 0; blanks grouped by table and row), the 2019-format note, and
placeholders `disclosure new` left in the text. Codes are listed in `checks`' docstring."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from . import format as fmt
from .findings import Cell3, Finding, column_label, make_finding, row_label, table_label, unique
from .model import PLACEHOLDER, Report


@functools.cache
def _cells(table_key: str) -> tuple[tuple[str, str], ...]:
    return fmt.table(table_key).cells()


def number(value: object) -> bool:
    """A figure the rules can add up: int (not bool) or a finite Decimal."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


# --- rule 5: figures present, whole, non-negative ---------------------------------------------


def check_values(report: Report) -> list[Finding]:
    """Rule 5: every figure present (blank is missing, not 0), whole (fee: exact), ≥ 0."""
    out: list[Finding] = []
    for table in fmt.TABLES:
        if table.key not in report.tables:
            label = table_label(table)
            out.append(
                make_finding(
                    report, "R5-MISSING-TABLE", "error", (), "表格", None, f"缺少表格“{label}”",
                    table=label,
                )
            )  # fmt: skip
            continue
        values = report.tables[table.key]
        blanks: list[tuple[str, str]] = []
        for r, c in _cells(table.key):
            v = values.get((r, c))
            if type(v) is int and v >= 0:
                continue  # the usual case, decided without building labels
            if v is None:
                if report.format != "2019" or (table.key, r, c) not in _unmapped_2019():
                    blanks.append((r, c))  # (the old format has no such cell: reported once)
                continue
            where = f"“{row_label(table, r)}”/“{column_label(table, c)}”"
            kind = "金额（万元，精确小数）" if table.is_amount(r, c) else "整数"
            if not number(v) or (kind == "整数" and not isinstance(v, int)):
                code, expected, message = "R5-NOT-INTEGER", kind, f"应为{kind}，而不是 {v!r}"
            elif v < 0:
                code, expected, message = "R5-NEGATIVE", "≥ 0", f"为负数 {v}：不能小于 0"
            else:
                continue  # a fee as a non-negative Decimal or int
            out.append(
                make_finding(
                    report, code, "error", ((table.key, r, c),), expected, v, where + message
                )
            )
        out.extend(_blank_findings(report, table, blanks))
    if report.format == "2019":
        out.append(_format_2019_finding(report))
    return out


_BLANK = "缺失的数字不能当作 0，请填写"


def _blank_findings(
    report: Report, table: fmt.Table, blanks: list[tuple[str, str]]
) -> list[Finding]:
    """R5-BLANK: a table left wholly blank is one finding, a wholly blank row one finding, and
    any other blank cell one finding each (a new params file: a few lines, not 200)."""
    if not blanks:
        return []
    cells = _cells(table.key)
    if len(blanks) == len(cells) and len(cells) > 1:
        return [
            make_finding(
                report, "R5-BLANK", "error", tuple((table.key, r, c) for r, c in blanks), "数字",
                None, f"全部 {len(blanks)} 个数字均为空白：{_BLANK}", row="全部", column="全部",
            )
        ]  # fmt: skip
    by_row: dict[str, list[str]] = {}
    for r, c in blanks:
        by_row.setdefault(r, []).append(c)
    out = []
    for r, cols in by_row.items():
        whole = len(cols) == len(table.row_columns(table.row(r))) and len(cols) > 1
        if whole:
            out.append(
                make_finding(
                    report, "R5-BLANK", "error", tuple((table.key, r, c) for c in cols), "数字",
                    None, f"“{row_label(table, r)}”整行 {len(cols)} 个数字均为空白：{_BLANK}",
                    column="全部",
                )
            )  # fmt: skip
            continue
        for c in cols:
            where = f"“{row_label(table, r)}”/“{column_label(table, c)}”"
            out.append(
                make_finding(
                    report, "R5-BLANK", "error", ((table.key, r, c),), "数字", None,
                    f"{where}为空白：{_BLANK}",
                )
            )  # fmt: skip
    return out


# --- placeholders: text `disclosure new` left to be written -------------------------------------


def check_placeholders(report: Report) -> list[Finding]:
    """P1-PLACEHOLDER: text still holding `new`'s placeholder, one finding per part."""
    out: list[Finding] = []
    parts: list[tuple[str, int, tuple[str, str, str]]] = []  # (where, how many, line key)
    contact = [
        (k, lab) for k, lab in fmt.CONTACT_FIELDS if PLACEHOLDER in getattr(report.contact, k)
    ]
    if contact:
        where = "联系方式：" + "、".join(label for _, label in contact)
        parts.append((where, len(contact), ("contact", contact[0][0], "")))
    if report.own_title is not None and PLACEHOLDER in report.own_title:
        parts.append(("报告标题", 1, ("title", "", "")))
    for s in fmt.SECTIONS:
        if not s.narrative:
            n = report.section_notes.get(s.key, "").count(PLACEHOLDER)
            if n:
                parts.append((s.heading, n, ("notes", s.key, "")))
            continue
        counts = [
            f"{p.heading or ''}{p.text}".count(PLACEHOLDER) for p in report.narrative.get(s.key, [])
        ]
        if any(counts):
            first = next(i for i, n in enumerate(counts, 1) if n)
            parts.append((s.heading, sum(counts), ("narrative", s.key, str(first))))
    for where, n, key in parts:
        finding = make_finding(
            report, "P1-PLACEHOLDER", "error", (), "正文", PLACEHOLDER,
            f"“{where}”还有 {n} 处{PLACEHOLDER}：请填写或删去后再发布", table=where,
        )  # fmt: skip
        finding.line = report.lines.get(key)
        out.append(finding)
    return out


@functools.cache
def _unmapped_2019() -> frozenset[Cell3]:
    """Current-format cells that no 2019-format cell maps onto (format2019.MAPPING)."""
    from . import format2019

    mapped = {dst for dst in format2019.MAPPING.values() if dst is not None}
    return frozenset(
        (t.key, r, c) for t in fmt.TABLES for r, c in t.cells() if (t.key, r, c) not in mapped
    )


def _format_2019_finding(report: Report) -> Finding:
    cells = tuple(sorted(c for c in _unmapped_2019() if report.get(*c) is None))
    rows = "、".join(unique(fmt.table(t).row(r).label for t, r, _ in cells))
    return make_finding(
        report,
        "R5-FORMAT-2019",
        "warning",
        (),
        "现行格式",
        fmt.FORMAT_2019_DOC,
        f"本报告为{fmt.FORMAT_2019_DOC}格式，{len(cells)} 个单元格在旧格式中无对应项，"
        f"未作空白检查，涉及：{rows}；相关勾稽关系无法完整核对",
        table="全部表格",
    )


# --- the 落款 date ------------------------------------------------------------------------------


def check_issued(report: Report, today: datetime.date | None = None) -> list[Finding]:
    """P2-ISSUED: the 落款 has no date, or one that cannot be right (before the report year
    ends: the report covers the whole year; after today)."""
    today = today or datetime.date.today()
    day = report.issued
    if day is None:
        message = "缺少落款日期（issued: 如 2025-01-20）：正式版的落款须有成文日期"
    elif day <= datetime.date(report.year, 12, 31):
        message = f"落款日期 {day.isoformat()} 早于报告年度结束（{report.year}年12月31日）"
    elif day > today:
        message = f"落款日期 {day.isoformat()} 晚于今天（{today.isoformat()}）"
    else:
        return []
    finding = make_finding(
        report,
        "P2-ISSUED",
        "warning",
        (),
        f"{report.year + 1}年的某一天，不晚于今天",
        day.isoformat() if day else None,
        message,
        table="（落款）",
    )
    finding.line = report.lines.get(("issued", "", ""))
    return [finding]
