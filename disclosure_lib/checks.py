"""Consistency checks: every rule of FORMAT.md "Consistency rules" (1–8) and a copy warning.

Codes are stable (tools and tests match on them); severity in brackets:

- R1-APP-BALANCE, R2-APP-OUTCOME-TOTAL, R3-APP-APPLICANT-TOTAL, R4-REVIEW-TOTAL [error]:
  rules 1–4, generated from the `Equation`s of format.py.
- R5-BLANK, R5-NOT-INTEGER, R5-NEGATIVE, R5-MISSING-TABLE [error]: rule 5, every figure
  present (blank is missing, not 0), whole (the fee: exact), ≥ 0.
  A table left wholly blank, or a row, is one finding (a new params file: a few lines).
- R5-FORMAT-2019 [warning]: a 2019-format report; the current cells the old format has no
  counterpart for (format2019.MAPPING) are listed once instead of as blanks.
- R6-NARRATIVE [error]: a figure the prose states differs from the table (narrative.py);
  R6-WRONG-ROW [warning]: …and equals another row's figure (quoted the wrong row);
  R6-YEAR [error; in 五 warning]: a year in a title, period or sentence is not the report's.
- R7-CARRY-OVER [error]: 上年结转 ≠ last year's 结转下年度继续办理 (per column).
- R8-IN-FORCE [warning]: 现行有效件数 ≠ last year's + 本年制发 − 本年废止.
- C1-NARRATIVE-COPY [warning]: a narrative section ≥ 90 % identical to last year's.
- D1-DUPLICATE [error]: two reports for the same agency and year.
- P1-PLACEHOLDER [error]: text still holding the placeholder 【待填写】 that `disclosure new`
  writes (contact, title, narrative, notes): one finding per part.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import format as fmt
from . import narrative
from .findings import (
    Cell3,
    CheckResult,
    Finding,
    column_label,
    file_of,
    make_finding,
    row_label,
    rows_label,
    table_label,
    unique,
)
from .model import PLACEHOLDER, Report

COPY_THRESHOLD = 0.9
COPY_MIN_CHARS = 40  # shorter sections (e.g. "无。") are alike by nature


@functools.cache
def _cells(table_key: str) -> tuple[tuple[str, str], ...]:
    return fmt.table(table_key).cells()


def _number(value: object) -> bool:
    """A figure the rules can add up: int (not bool) or a finite Decimal."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


# --- rules 1–4: the equations of format.py ------------------------------------------------------


@dataclass(frozen=True)
class _Broken:
    eq: fmt.Equation
    key: str  # the column (axis "column") or row (axis "row") it was evaluated for
    left: tuple[tuple[str, str], ...]
    right: tuple[tuple[str, str], ...]
    actual: object
    expected: object


def check_equations(report: Report) -> list[Finding]:
    """Rules 1–4: every `Equation` of every table, evaluated generically."""
    out: list[Finding] = []
    for table in fmt.TABLES:
        broken = _broken_equations(report, table)
        suspects = _suspects(broken)
        for b in broken:
            out.append(_equationmake_finding(report, table, b, suspects))
    return out


Side = tuple[tuple[str, str], ...]


@functools.cache
def _equation_plan(table_key: str) -> tuple[tuple[fmt.Equation, str, Side, Side], ...]:
    """Every equation of a table unrolled into (equation, column/row, left cells, right cells)."""
    table = fmt.table(table_key)
    valid = set(table.cells())
    plan = []
    for eq in table.equations:
        if eq.axis == "column":
            keys = eq.over or tuple(c.key for c in table.columns)
            sides = [
                (tuple((r, k) for r in eq.left), tuple((r, k) for r in eq.right), k) for k in keys
            ]
        else:
            keys = eq.over or tuple(r.key for r in table.figure_rows)
            sides = [
                (tuple((k, c) for c in eq.left), tuple((k, c) for c in eq.right), k) for k in keys
            ]
        for left, right, key in sides:
            left = tuple(c for c in left if c in valid)
            right = tuple(c for c in right if c in valid)
            if left and right:
                plan.append((eq, key, left, right))
    return tuple(plan)


def _broken_equations(report: Report, table: fmt.Table) -> list[_Broken]:
    values = report.tables.get(table.key, {})
    broken: list[_Broken] = []
    for eq, key, left, right in _equation_plan(table.key):
        lv = [values.get(c) for c in left]
        rv = [values.get(c) for c in right]
        try:  # sum first, vet the values only when the sums differ: the usual case is fast
            actual, expected = sum(lv), sum(rv)  # type: ignore[arg-type]
            if actual == expected:
                continue
        except (TypeError, ArithmeticError):
            pass
        if all(map(_number, lv)) and all(map(_number, rv)):  # else rule 5 reports the values
            broken.append(_Broken(eq, key, left, right, sum(lv), sum(rv)))  # type: ignore[arg-type]
    return broken


def _suspects(broken: list[_Broken]) -> set[tuple[str, str]]:
    """Cells where a broken per-row sum crosses a broken per-column sum: the likely typo."""
    rows = [set(b.left + b.right) for b in broken if b.eq.axis == "row"]
    cols = [set(b.left + b.right) for b in broken if b.eq.axis == "column"]
    return {cell for r in rows for c in cols for cell in r & c}


def _equationmake_finding(
    report: Report, table: fmt.Table, b: _Broken, suspects: set[tuple[str, str]]
) -> Finding:
    def names(cells: tuple[tuple[str, str], ...], axis_row: bool) -> str:
        if len(cells) > 3:
            return "各分项之和"
        return " + ".join(
            table.row(r).label if axis_row else table.column(c).label for r, c in cells
        )

    by_rows = b.eq.axis == "column"  # a per-column equation adds up rows
    if by_rows:
        row = " + ".join(row_label(table, r) for r, _ in b.left)
        column = column_label(table, b.key)
        where = f"“{column}”列"
    else:
        row = row_label(table, b.key)
        column = " + ".join(column_label(table, c) for _, c in b.left)
        where = f"“{row}”行"
    mine = [c for c in (*b.left, *b.right) if c in suspects]
    message = (
        f"{where}：{names(b.left, by_rows)} = {b.actual}，而 {names(b.right, by_rows)} = "
        f"{b.expected}（差 {_signed(b.actual, b.expected)}）。勾稽关系：{b.eq.description}"
    )
    if mine:
        message += "。疑似出错：" + "、".join(
            f"{row_label(table, r)}/{column_label(table, c)}" for r, c in mine
        )
    cells = tuple((table.key, r, c) for r, c in (*b.left, *b.right))
    finding = make_finding(
        report,
        b.eq.code,
        "error",
        cells,
        b.expected,
        b.actual,
        message,
        table=table_label(table),
        row=row,
        column=column,
    )
    if len(mine) == 1:
        finding.line = report.lines.get((table.key, *mine[0]), finding.line)
    return finding


def _signed(actual: object, expected: object) -> str:
    diff = actual - expected  # type: ignore[operator]
    return f"{diff:+}"


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
            if not _number(v) or (kind == "整数" and not isinstance(v, int)):
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


# --- rule 6: the narrative ------------------------------------------------------------------


def check_narrative(report: Report) -> list[Finding]:
    out: list[Finding] = []
    for issue in (*narrative.compare_figures(report), *narrative.compare_years(report)):
        table = row = column = ""
        if not issue.cells:  # a wrong year: located by section, not by cell
            table, row = fmt.section(issue.section).heading, "年份"
        message = issue.message
        if issue.other_cells:
            t = fmt.table(issue.other_cells[0][0])
            other = rows_label(t, unique(r for _, r, _ in issue.other_cells))
            named = rows_label(t, unique(r for _, r, _ in issue.cells))
            message += f"（正文所指：{named}；该数字实为：{other}）"
        out.append(
            make_finding(
                report,
                issue.code,
                issue.severity,
                issue.cells,
                issue.expected,
                issue.actual,
                message,
                related=issue.other_cells,
                table=table,
                row=row,
                column=column,
            )
        )
    return out


# --- rules 7, 8 and the copy warning: against last year's report -------------------------------


def check_against_previous(report: Report, previous: Report) -> list[Finding]:
    """Cross-year rules; `previous` must be the same agency's report for the year before."""
    out: list[Finding] = []
    app, pro = fmt.APPLICATIONS, fmt.PROACTIVE
    last = f"{previous.year}年报告"
    for col in app.columns:
        now = report.get(app.key, "carried_over", col.key)
        before = previous.get(app.key, "carry_forward", col.key)
        if _number(now) and _number(before) and now != before:
            out.append(
                make_finding(
                    report,
                    "R7-CARRY-OVER",
                    "error",
                    ((app.key, "carried_over", col.key),),
                    before,
                    now,
                    f"“{column_label(app, col.key)}”列上年结转 {now} 件，"
                    f"而{last}“四、结转下年度继续办理”为 {before} 件",
                )
            )
    for row in ("regulations", "normative_documents"):
        figures = (
            previous.get(pro.key, row, "in_force"),
            report.get(pro.key, row, "issued"),
            report.get(pro.key, row, "repealed"),
            report.get(pro.key, row, "in_force"),
        )
        if not all(_number(v) for v in figures):
            continue
        before, issued, repealed, now = figures
        expected = before + issued - repealed  # type: ignore[operator]
        if now != expected:
            out.append(
                make_finding(
                    report,
                    "R8-IN-FORCE",
                    "warning",
                    tuple((pro.key, row, c) for c in ("in_force", "issued", "repealed")),
                    expected,
                    now,
                    f"“{pro.row(row).label}”现行有效 {now} 件，而{last}现行有效 {before} 件"
                    f" + 本年制发 {issued} 件 − 本年废止 {repealed} 件 = {expected} 件"
                    "（如有文件自然失效，请在正文说明）",
                    column=column_label(pro, "in_force"),
                )
            )
    out.extend(check_copy(report, previous))
    return out


def check_copy(report: Report, previous: Report) -> list[Finding]:
    """C1-NARRATIVE-COPY: narrative sections ≥ 90 % identical to last year's."""
    out: list[Finding] = []
    for s in fmt.NARRATIVE_SECTIONS:
        now, before = report.narrative_text(s.key), previous.narrative_text(s.key)
        if min(len(now), len(before)) < COPY_MIN_CHARS:
            continue
        ratio = narrative.text_similarity(now, before, floor=COPY_THRESHOLD)
        if ratio >= COPY_THRESHOLD:
            out.append(
                make_finding(
                    report,
                    "C1-NARRATIVE-COPY",
                    "warning",
                    (),
                    f"< {COPY_THRESHOLD:.0%}",
                    f"{ratio:.0%}",
                    f"“{s.heading}”与{previous.year}年报告同一部分的文字相似度为 {ratio:.0%}，"
                    "疑似照搬上年内容，请结合本年度情况撰写",
                    table=s.heading,
                )
            )
    return out


# --- entry points -----------------------------------------------------------------------------


def check_report(report: Report, previous: Report | None = None) -> list[Finding]:
    """All findings for one report; with `previous` (same agency, year − 1) the cross-year ones."""
    findings = [
        *check_values(report),
        *check_equations(report),
        *check_narrative(report),
        *check_placeholders(report),
    ]
    if previous is not None:
        findings += check_against_previous(report, previous)
    return findings


def check_reports(reports: Iterable[Report]) -> list[Finding]:
    """Findings for a collection: each report, plus cross-year rules between consecutive years."""
    reports = list(reports)
    by_key: dict[tuple[str, int], Report] = {}
    findings: list[Finding] = []
    for r in reports:
        first = by_key.setdefault((r.agency, r.year), r)
        if first is not r:
            findings.append(
                make_finding(
                    r,
                    "D1-DUPLICATE",
                    "error",
                    (),
                    "每个机关每年一份",
                    file_of(first),
                    f"{r.agency}{r.year}年的报告重复：另见 {file_of(first) or '另一份报告'}",
                    table="（报告）",
                )
            )
    for r in reports:
        previous = by_key.get((r.agency, r.year - 1))
        findings += check_report(r, previous)
    return findings


def check_paths(paths: Iterable[Path | str]) -> CheckResult:
    """Load every params file under `paths` and check the collection."""
    from .params import load_reports

    # Loading builds many small acyclic objects: the cyclic GC would rescan the growing heap
    # again and again for nothing (measurably slower over 1,000 files), so pause it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        reports, errors = load_reports(paths)
        findings = check_reports(reports)
    finally:
        if enabled:
            gc.enable()
    return CheckResult(reports=reports, findings=findings, load_errors=errors)
