"""Consistency checks: every rule of docs/FORMAT.md "Consistency rules" (1–8), a copy warning.

Codes are stable (tools and tests match on them); severity in brackets:

- R1-APP-BALANCE, R2-APP-OUTCOME-TOTAL, R3-APP-APPLICANT-TOTAL, R4-REVIEW-TOTAL [error]:
  rules 1–4, generated from the `Equation`s of format.py.
- R5-BLANK, R5-NOT-INTEGER, R5-NEGATIVE, R5-MISSING-TABLE [error]: rule 5, every figure
  present (blank is missing, not 0), whole (the fee: exact), ≥ 0 (2019's 本年增/减 may be < 0).
  A table left wholly blank, or a row, is one finding (a new params file: a few lines).
- R6-NARRATIVE [error]: a figure the prose states differs from the table (narrative.py);
  R6-WRONG-ROW [warning]: …and equals another row's figure (quoted the wrong row);
  R6-YEAR [error; in 五 warning]: a year in a title, period or sentence is not the report's.
- R7-CARRY-OVER [error]: 上年结转 ≠ last year's 结转下年度继续办理 (per column; across formats
  through the current cells, `formats.current_cell`).
- R8-IN-FORCE [warning]: 现行有效件数 ≠ last year's + 本年制发 − 本年废止 (only where both
  years print the 2021 table 二).
- C1-NARRATIVE-COPY [warning]: a narrative section ≥ 90 % identical to last year's.
- D1-DUPLICATE [error]: two reports for the same agency and year.
- P1-PLACEHOLDER [error]: text still holding the placeholder 【待填写】 that `disclosure new`
  writes (contact, title, narrative, notes): one finding per part.
- P2-ISSUED [warning]: the 落款 has no date (`issued`), or one before the report year ends or
  after today.
- P2-LATE [warning]: `issued` is after the due date of the office's collection file
  (collection.py: 《条例》第四十九条, or a deadline set there).
- Y1-JUMP [warning]: a key figure at least ×3 and +20 against last year's same cell;
  Y2-IN-FORCE-DROP [warning]: 现行有效件数 below half of last year's;
  Y3-CORRECTED-SHARE [warning]: a 行政复议/诉讼 结果纠正 share above the year's P75 among its
  peers (checks_trend.py). Each names both years' cells (Y1, Y2) or the peers' P75 (Y3).

A warning listed in the report's `acknowledged:` (code + cell) is kept but marked (已核实);
errors are never acknowledged.

Every rule reads each table in the format it is kept in (`Report.table_specs`): a report kept
in the 2019 format is checked on its own cells and equations, never for lacking 2021 cells.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import format as fmt
from . import formats, narrative
from .checks_trend import check_peers, check_trend
from .checks_values import (  # rule 5 and the texts still to fill in
    check_issued,
    check_placeholders,
    check_values,
    number,
)
from .collection import Collection, check_due, find_collection, load_collection
from .errors import ParamsError
from .findings import (
    CheckResult,
    Finding,
    acknowledge,
    column_label,
    file_of,
    make_finding,
    row_label,
    rows_label,
    table_label,
    unique,
)
from .model import Report

COPY_THRESHOLD = 0.9
COPY_MIN_CHARS = 40  # shorter sections (e.g. "无。") are alike by nature


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
    for table in report.table_specs():
        broken = _broken_equations(report, table)
        suspects = _suspects(broken)
        for b in broken:
            out.append(_equationmake_finding(report, table, b, suspects))
    return out


Side = tuple[tuple[str, str], ...]


@functools.cache
def _equation_plan(
    format_id: str, table_key: str
) -> tuple[tuple[fmt.Equation, str, Side, Side], ...]:
    """Every equation of a table unrolled into (equation, column/row, left cells, right cells)."""
    table = formats.table(format_id, table_key)
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
    format_id = report.table_formats.get(table.key, report.format)
    for eq, key, left, right in _equation_plan(format_id, table.key):
        lv = [values.get(c) for c in left]
        rv = [values.get(c) for c in right]
        try:  # sum first, vet the values only when the sums differ: the usual case is fast
            actual, expected = sum(lv), sum(rv)  # type: ignore[arg-type]
            if actual == expected:
                continue
        except (TypeError, ArithmeticError):
            pass
        if all(map(number, lv)) and all(map(number, rv)):  # else rule 5 reports the values
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


# --- rule 6: the narrative ------------------------------------------------------------------


def check_narrative(report: Report) -> list[Finding]:
    out: list[Finding] = []
    for issue in (*narrative.compare_figures(report), *narrative.compare_years(report)):
        table = row = column = ""
        if not issue.cells:  # a wrong year: located by section, not by cell
            table, row = fmt.section(issue.section).heading, "年份"
        message = issue.message
        if issue.other_cells:
            t = report.table_spec(issue.other_cells[0][0])
            other = rows_label(t, unique(r for _, r, _ in issue.other_cells))
            named = rows_label(t, unique(r for _, r, _ in issue.cells))
            message += f"（正文所指：{named}；该数字实为：{other}）"
        finding = make_finding(
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
        # the prose's own line (the figure it contradicts has its place in `cells`)
        finding.line = report.lines.get(issue.source, finding.line)
        out.append(finding)
    return out


# --- rules 7, 8 and the copy warning: against last year's report -------------------------------


def check_against_previous(report: Report, previous: Report) -> list[Finding]:
    """Cross-year rules; `previous` must be the same agency's report for the year before.

    Either year may be kept in the 2019 format: rule 7 compares the current cells both map onto,
    rule 8 needs the 2021 table 二 in both years (the 2019 one has no 现行有效件数)."""
    out: list[Finding] = []
    app, pro = fmt.APPLICATIONS, fmt.PROACTIVE
    last = f"{previous.year}年报告"
    now_cur, before_cur = formats.as_current(report), formats.as_current(previous)
    app_format = report.table_formats.get(app.key, report.format)
    for col in app.columns:
        now = now_cur.get(app.key, "carried_over", col.key)
        before = before_cur.get(app.key, "carry_forward", col.key)
        own = formats.own_cells(app_format, ((app.key, "carried_over", col.key),))
        if number(now) and number(before) and now != before and own:
            out.append(
                make_finding(
                    report,
                    "R7-CARRY-OVER",
                    "error",
                    own,
                    before,
                    now,
                    f"“{column_label(app, col.key)}”列上年结转 {now} 件，"
                    f"而{last}“四、结转下年度继续办理”为 {before} 件",
                )
            )
    both_2021 = report.table_spec(pro.key) is pro and previous.table_spec(pro.key) is pro
    for row in ("regulations", "normative_documents") if both_2021 else ():
        figures = (
            previous.get(pro.key, row, "in_force"),
            report.get(pro.key, row, "issued"),
            report.get(pro.key, row, "repealed"),
            report.get(pro.key, row, "in_force"),
        )
        if not all(number(v) for v in figures):
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
    out.extend(check_trend(report, previous))
    return acknowledge(report, out)


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
        *check_issued(report),
    ]
    if previous is not None:
        findings += check_against_previous(report, previous)
    return acknowledge(report, findings)


def check_reports(reports: Iterable[Report], collection: Collection | None = None) -> list[Finding]:
    """Findings for a collection: each report, plus cross-year rules between consecutive years,
    plus due dates when the office's `collection` file is given."""
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
        if collection is not None:
            findings += acknowledge(r, check_due(r, collection))
    peers = list(by_key.values())
    for f in check_peers(peers):
        findings += acknowledge(by_key[f.agency, f.year], [f])
    return findings


def check_paths(paths: Iterable[Path | str]) -> CheckResult:
    """Load every params file under `paths` and check the collection."""
    from .params import load_reports

    # Loading builds many small acyclic objects: the cyclic GC would rescan the growing heap
    # again and again for nothing (measurably slower over 1,000 files), so pause it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        paths = list(paths)
        reports, errors = load_reports(paths)
        collection = None
        collection_file = find_collection(paths)
        if collection_file is not None:
            try:
                collection = load_collection(collection_file)
            except ParamsError as exc:
                errors.append(exc)
        findings = check_reports(reports, collection)
    finally:
        if enabled:
            gc.enable()
    return CheckResult(reports=reports, findings=findings, load_errors=errors)
