"""Findings: what a check found (`Finding`, `CheckResult`), located by official labels, and
their output as readable Chinese text or JSON lines (`disclosure check --format`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from . import format as fmt
from .errors import ParamsError
from .model import Acknowledgement, Report
from .names import printable

Cell3 = tuple[str, str, str]  # (table key, row key, column key)
SEVERITY_LABEL = {"error": "错误", "warning": "警告"}
# printed on every page of a publish render whose checks find errors (and dropped on import)
DRAFT_MARK = "草稿（校验未通过）"
# What each rule checks, in Chinese, for readers who do not know the codes (the summary's
# 数据校验); the equations' descriptions come from format.py.
RULE_TEXT: dict[str, str] = {
    **{eq.code: eq.description for t in fmt.TABLES for eq in t.equations},
    "R5-BLANK": "数字空缺（空白不等于 0）",
    "R5-NOT-INTEGER": "数字不是整数（收费金额除外）",
    "R5-NEGATIVE": "数字为负数",
    "R5-MISSING-TABLE": "缺少表格",
    "R6-NARRATIVE": "正文所述数字与表格不符",
    "R6-WRONG-ROW": "正文数字与表格另一行相同（疑似引错行）",
    "R6-YEAR": "标题或正文中的年份与报告年度不符",
    "R7-CARRY-OVER": "上年结转与上年报告的结转下年度继续办理不符",
    "R8-IN-FORCE": "现行有效件数与上年件数及本年制发、废止件数不符",
    "C1-NARRATIVE-COPY": "正文与上年报告基本相同",
    "D1-DUPLICATE": "同一机关同一年度有两份报告",
    "P1-PLACEHOLDER": "仍有待填写的占位文字",
    "P2-ISSUED": "落款日期缺失或不合理",
    "P2-LATE": "逾期：落款日期晚于应报送日期",
    "Y1-JUMP": "主要数字较上年骤增（3 倍以上且增加 20 以上）",
    "Y2-IN-FORCE-DROP": "现行有效件数较上年减少过半",
    "Y3-CORRECTED-SHARE": "复议、诉讼结果纠正占比高于同年各机关的 P75",
    "I1-UNDECIDED": "原文数字连写、拆分不唯一，留空待核对（导入）",
}


def rule_text(code: str) -> str:
    """The Chinese description of a rule code (the code itself if it has none)."""
    return RULE_TEXT.get(code, code)


@dataclass
class Finding:
    """One broken rule, located as precisely as the rule allows.

    `table`/`row`/`column` are official labels (hierarchical rows joined with " › ");
    `cells` holds the keys of every cell involved, `related` those of the row a figure
    really belongs to (R6-WRONG-ROW). For equations, `actual` is the total as printed
    and `expected` the sum of its parts.
    """

    file: str
    line: int | None
    agency: str
    year: int
    code: str
    severity: str  # 'error' | 'warning'
    table: str
    row: str
    column: str
    expected: object
    actual: object
    message: str
    cells: tuple[Cell3, ...] = ()
    related: tuple[Cell3, ...] = ()
    # the office verified it (a warning matching the report's `acknowledged:`): shown as 已核实
    acknowledged: Acknowledgement | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def where(self) -> str:
        """The place as `check` prints it (and `acknowledged: … cell:` names it)."""
        return " › ".join(p for p in (self.table, self.row, self.column) if p)

    @property
    def is_open(self) -> bool:
        """Still to act on: an error, or a warning nobody has acknowledged."""
        return self.acknowledged is None


def acknowledge(report: Report, findings: list[Finding]) -> list[Finding]:
    """Mark the warnings the report's `acknowledged:` list accepts (errors never)."""
    if report.acknowledged:
        for f in findings:
            if not f.is_error:
                f.acknowledged = next(
                    (a for a in report.acknowledged if a.matches(f.code, f.where)), None
                )
    return findings


@dataclass
class CheckResult:
    reports: list[Report] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    load_errors: list[ParamsError] = field(default_factory=list)  # every error of each file

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        """Open warnings (the acknowledged ones are counted apart)."""
        return [f for f in self.findings if not f.is_error and f.is_open]

    @property
    def acknowledged(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_open]

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def by_report(self) -> list[tuple[Report, list[Finding]]]:
        """Each report with its findings, in the order the reports were loaded."""
        groups: dict[tuple[str, str, int], tuple[Report, list[Finding]]] = {}
        for r in self.reports:
            groups.setdefault((file_of(r), r.agency, r.year), (r, []))
        for f in self.findings:
            key = (f.file, f.agency, f.year)
            if key not in groups:  # a finding about a report not in `reports`
                source = Path(f.file) if f.file else None
                groups[key] = (Report(agency=f.agency, year=f.year, source=source), [])
            groups[key][1].append(f)
        return list(groups.values())


# --- labels -----------------------------------------------------------------------------------


def file_of(report: Report) -> str:
    return str(report.source) if report.source is not None else ""


def table_label(table: fmt.Table) -> str:
    return f"{table.section}、{table.title}"


def row_label(table: fmt.Table, row_key: str) -> str:
    row = table.row(row_key)
    path = table.row_path(row)
    return " › ".join((row.group, *path) if row.group else path)


def column_label(table: fmt.Table, column_key: str) -> str:
    col = table.column(column_key)
    return f"{col.group} › {col.label}" if col.group else col.label


def rows_label(table: fmt.Table, rows: list[str]) -> str:
    """One row, the heading whose sub-rows are exactly `rows`, or the rows listed."""
    if len(rows) == 1:
        return row_label(table, rows[0])
    parents = {table.row(r).parent for r in rows}
    if len(parents) == 1:
        parent = parents.pop()
        if parent is not None and [r.key for r in table.children(parent)] == rows:
            return row_label(table, parent)
    return "、".join(row_label(table, r) for r in rows)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def make_finding(
    report: Report,
    code: str,
    severity: str,
    cells: tuple[Cell3, ...],
    expected: object,
    actual: object,
    message: str,
    *,
    related: tuple[Cell3, ...] = (),
    table: str = "",
    row: str = "",
    column: str = "",
) -> Finding:
    """A Finding whose labels and source line come from `cells` (unless given)."""
    line = None
    if cells:
        t = report.table_spec(cells[0][0])  # labels of the format the table is kept in
        table = table or table_label(t)
        row = row or rows_label(t, unique(r for _, r, _ in cells))
        column = column or "、".join(column_label(t, c) for c in unique(c for _, _, c in cells))
        line = next((report.lines[c] for c in cells if c in report.lines), None)
    return Finding(
        file=file_of(report),
        line=line,
        agency=report.agency,
        year=report.year,
        code=code,
        severity=severity,
        table=table,
        row=row,
        column=column,
        expected=expected,
        actual=actual,
        message=message,
        cells=cells,
        related=related,
    )


# --- output -----------------------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact: amounts are strings in JSON
    return value


def finding_dict(f: Finding) -> dict[str, object]:
    d = asdict(f)
    del d["cells"], d["related"]
    d["expected"], d["actual"] = _plain(f.expected), _plain(f.actual)
    a = f.acknowledged
    d["acknowledged"] = (
        None
        if a is None
        else {"reason": a.reason, "by": a.by, "date": a.date.isoformat() if a.date else None}
    )
    return d


def format_findings_json(result: CheckResult) -> str:
    """JSON lines: one object per finding (file, line, agency, year, code, severity, table,
    row, column, expected, actual, message); Decimal amounts as strings. Files that could not
    be read come first as objects with code "LOAD-ERROR" (agency/year null). An acknowledged
    warning carries `acknowledged` (reason, by, date), an open finding null: count them apart
    on that field."""
    lines = [
        json.dumps(
            {
                "file": str(e.path) if e.path else "",
                "line": e.line,
                "agency": None,
                "year": None,
                "code": "LOAD-ERROR",
                "severity": "error",
                "table": "",
                "row": "",
                "column": e.field or "",
                "expected": None,
                "actual": None,
                "message": e.message,
            },
            ensure_ascii=False,
        )
        for e in result.load_errors
    ]
    lines += [json.dumps(finding_dict(f), ensure_ascii=False) for f in result.findings]
    return "".join(line + "\n" for line in lines)


def _format_one(f: Finding) -> str:
    where = f"第{f.line}行 " if f.line else ""
    place = printable(f.where)
    label = SEVERITY_LABEL.get(f.severity, f.severity)
    return f"  {label} [{f.code}] {where}{place}\n    {printable(f.message)}"


def _format_acknowledged(f: Finding) -> str:
    a = f.acknowledged
    assert a is not None
    when = f"，{a.date.isoformat()}" if a.date else ""
    return (
        f"  已核实 [{f.code}] {printable(f.where)}\n"
        f"    {printable(a.reason)}（{printable(a.by)}{when}）"
    )


def format_findings_text(result: CheckResult) -> str:
    """Readable Chinese report: unreadable files, then each report with findings, then a summary."""
    out: list[str] = []
    for e in result.load_errors:
        out.append(f"无法读取：{printable(str(e))}")
    flagged = 0
    for report, findings in result.by_report():
        if not findings:
            continue
        name = file_of(report) or "（未保存的报告）"
        out.append(printable(f"{name}  {report.agency} {report.year}年"))
        open_ = [f for f in findings if f.is_open]
        flagged += bool(open_)
        out.extend(_format_one(f) for f in open_)
        out.extend(_format_acknowledged(f) for f in findings if not f.is_open)
    n_err, n_warn = len(result.errors), len(result.warnings)
    summary = f"共检查 {len(result.reports)} 份报告：{n_err} 个错误，{n_warn} 个警告"
    if result.acknowledged:
        summary += f"，{len(result.acknowledged)} 个已核实"
    summary += f"（{flagged} 份报告有问题）"
    if result.load_errors:
        files = len({e.path for e in result.load_errors})
        summary += f"；{files} 个文件无法读取"
        if len(result.load_errors) > files:
            summary += f"（{len(result.load_errors)} 处错误）"
    if not (result.errors or result.warnings or result.load_errors):
        summary += "。全部通过"
    out.append(summary)
    return "\n".join(out) + "\n"
