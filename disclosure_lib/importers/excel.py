"""Fill-in Excel workbook for department staff, and reading it back losslessly.

`write_template(agency, year, path)` writes the official layout (merged headers as in the
published tables, label cells locked, figure cells unlocked with validation allowing only
whole numbers ≥ 0 — decimals ≥ 0 for the fee), a cover sheet (agency, year, contact) and a
narrative sheet (sections 一/五/六 paragraphs and the notes under 二/三/四).
`read_workbook(path)` returns the `Report`; `write_workbook(report, path)` writes any report,
so report → workbook → report is the identity. A hidden sheet maps every figure to its cell,
so the reader never depends on guessing positions.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import format as fmt
from ..errors import DisclosureError
from ..model import Paragraph, Report
from ..names import cell_text, check_name
from ..nextyear import References, next_year

# table sheets are named by their section heading, as findings name them (Excel allows 31)
COVER, PROACTIVE, APPLICATIONS, REVIEW, NARRATIVE, KEYS = (
    "封面",
    fmt.section("二").heading,
    fmt.section("三").heading,
    fmt.section("四").heading,
    "叙述",
    "_cells",
)
SHEETS = {"proactive": PROACTIVE, "applications": APPLICATIONS, "review": REVIEW}
NARRATIVE_ROWS = 60  # blank rows offered for narrative paragraphs
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LEFT = Alignment(wrap_text=True, vertical="top", horizontal="left")
COVER_FIELDS = (
    ("agency", "机关名称"),
    ("year", "报告年度"),
    ("format", "报告格式"),
    *fmt.CONTACT_FIELDS,
    # after the fields older workbooks have, so their cells keep their places
    ("title", "报告标题（空白为规范标题）"),
    ("issued", "落款日期（如 2025-01-20）"),
    ("charts", "正式版附统计图表（是/否）"),
)


# --- writing ----------------------------------------------------------------------------------


def _label(ws: Worksheet, row: int, col: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    if rows > 1 or cols > 1:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1
        )
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            cell.fill = _HEAD_FILL
    cell = ws.cell(row=row, column=col)
    _text(cell, text)
    cell.font = Font(bold=True)
    cell.alignment = _WRAP


def _text(cell: XlCell, text: str) -> None:
    """Store text as text: a leading '=' must not become a formula, in this program or any
    other that reads the cell (`names.cell_text`; `excel_read` takes the prefix off)."""
    if len(text) > 32_000:
        raise DisclosureError(f"文字过长，Excel 单元格最多 32000 字 ({cell.coordinate})")
    cell.value = cell_text(_ILLEGAL.sub("", text)) if text else None
    if text:
        cell.data_type = "s"


class _Writer:
    def __init__(self, report: Report, references: References | None = None) -> None:
        self.report = report
        self.references = references
        self.wb = Workbook()
        self.keys: list[tuple[str, str, str, str, str]] = []
        self.validated: dict[tuple[str, str], list[str]] = {}  # (sheet, kind) -> cells

    def figure(
        self, ws: Worksheet, row: int, col: int, table: fmt.Table, cell: tuple[str, str]
    ) -> None:
        xl = ws.cell(row=row, column=col)
        value = self.report.get(table.key, *cell)
        xl.value = value
        xl.border = _BORDER
        xl.fill = _INPUT_FILL
        xl.protection = Protection(locked=False)
        xl.alignment = Alignment(horizontal="center", vertical="center")
        kind = "decimal" if table.is_amount(*cell) else "whole"
        xl.number_format = "0.00##" if kind == "decimal" else "0"
        self.validated.setdefault((ws.title, kind), []).append(xl.coordinate)
        self.keys.append((table.key, cell[0], cell[1], ws.title, xl.coordinate))

    def sheet(self, title: str) -> Worksheet:
        ws = self.wb.create_sheet(title)
        ws.protection.sheet = True  # label cells locked; figure cells are unlocked one by one
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        return ws

    def cover(self) -> None:
        ws = self.wb.active
        assert ws is not None
        ws.title = COVER
        ws.protection.sheet = True
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["B"].width = 60
        _label(ws, 1, 1, self.report.title + "（填报表）", cols=2)
        values = {
            "agency": self.report.agency,
            "year": self.report.year,
            "format": self.report.format,
            **{k: getattr(self.report.contact, k) for k, _ in fmt.CONTACT_FIELDS},
            "title": self.report.own_title or "",
            "issued": self.report.issued.isoformat() if self.report.issued else "",
            "charts": "是" if self.report.charts else "否",
        }
        for i, (key, label) in enumerate(COVER_FIELDS, start=2):
            _label(ws, i, 1, label)
            cell = ws.cell(row=i, column=2)
            v = values[key]
            if isinstance(v, int):
                cell.value = v
            else:
                _text(cell, str(v))
            cell.border = _BORDER
            cell.protection = Protection(locked=key == "format")
            cell.fill = _INPUT_FILL if key != "format" else _HEAD_FILL
        ws.cell(row=len(COVER_FIELDS) + 3, column=1).value = (
            "说明：黄色单元格可填写；表格中只能填写大于或等于0的整数，收费金额单位为万元；"
            "空白表示缺失（不是0）。填好后运行 disclosure import 本文件。"
        )

    def proactive(self) -> None:
        ws = self.sheet(PROACTIVE)
        t = fmt.PROACTIVE
        ws.column_dimensions["A"].width = 20
        for letter in "BCD":
            ws.column_dimensions[letter].width = 18
        r = 1
        for item, rows, cols in fmt.proactive_items():
            _label(ws, r, 1, item, cols=4)
            _label(ws, r + 1, 1, fmt.PROACTIVE_ROW_HEADER)
            for j, c in enumerate(cols):
                span = 4 - len(cols) if j == len(cols) - 1 else 1
                _label(ws, r + 1, 2 + j, c.label, cols=span)
            r += 2
            for row in rows:
                _label(ws, r, 1, row.label)
                for j, c in enumerate(cols):
                    self.figure(ws, r, 2 + j, t, (row.key, c.key))
                if len(cols) < 3:  # the last figure spans the width, like its header
                    ws.merge_cells(start_row=r, start_column=1 + len(cols), end_row=r, end_column=4)
                r += 1
            r += 1

    def applications(self) -> None:
        ws = self.sheet(APPLICATIONS)
        t = fmt.APPLICATIONS
        ncols = len(t.columns)
        _label(ws, 1, 1, t.note or "", rows=3, cols=3)
        _label(ws, 1, 4, fmt.APPLICANT_HEADER, cols=ncols)
        j = 4
        for c in t.columns:
            if c.group is None:
                _label(ws, 2, j, c.label, rows=2)
            j += 1
        legal = [i for i, c in enumerate(t.columns) if c.group]
        _label(ws, 2, 4 + legal[0], fmt.LEGAL_PERSONS, cols=len(legal))
        for i in legal:
            _label(ws, 3, 4 + i, t.columns[i].label)
        for col, width in (("A", 10), ("B", 16), ("C", 44)):
            ws.column_dimensions[col].width = width
        for i in range(ncols):
            ws.column_dimensions[get_column_letter(4 + i)].width = 11
        r = 4
        rows = t.figure_rows
        outcome = [x for x in rows if x.parent is not None]
        for row in rows:
            if row.parent is None:
                _label(ws, r, 1, row.label, cols=3)
            else:
                if row is outcome[0]:
                    _label(ws, r, 1, t.row("outcome").label, rows=len(outcome))
                if row.parent == "outcome":
                    _label(ws, r, 2, row.label, cols=2)
                else:
                    siblings = t.children(row.parent)
                    if row.key == siblings[0].key:
                        _label(ws, r, 2, t.row(row.parent).label, rows=len(siblings))
                    _label(ws, r, 3, row.label)
            for i, c in enumerate(t.row_columns(row)):
                self.figure(ws, r, 4 + i, t, (row.key, c.key))
            r += 1

    def review(self) -> None:
        ws = self.sheet(REVIEW)
        t = fmt.REVIEW
        n = len(t.columns)
        _label(ws, 1, 1, fmt.REVIEW_GROUP_RECONSIDERATION, cols=n)
        _label(ws, 1, 1 + n, fmt.REVIEW_GROUP_LITIGATION, cols=n * 2)
        for i, c in enumerate(t.columns):
            _label(ws, 2, 1 + i, c.label, rows=2)
        for k, row in enumerate(t.rows[1:]):
            _label(ws, 2, 1 + n * (k + 1), row.label, cols=n)
            for i, c in enumerate(t.columns):
                _label(ws, 3, 1 + n * (k + 1) + i, c.label)
        for j, (rk, ck) in enumerate(t.cells()):
            self.figure(ws, 4, 1 + j, t, (rk, ck))
            ws.column_dimensions[get_column_letter(1 + j)].width = 10

    def narrative(self) -> None:
        ws = self.sheet(NARRATIVE)
        for j, (head, width) in enumerate((("部分", 26), ("小标题", 34), ("正文", 90)), start=1):
            _label(ws, 1, j, head)
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.cell(row=1, column=5).value = (
            "每行一段：部分填章节（如 一、总体情况），小标题可空。"
            "二、三、四 行的正文是表格上方的说明文字。"
        )
        refs = self.references
        entries: list[tuple[str, str | None, str, str]] = []  # …, last year's text
        for s in fmt.SECTIONS:
            if s.narrative:
                paras = self.report.narrative.get(s.key, [])
                last = refs.narrative.get(s.key, []) if refs else []
                if s.key == "一" and (not paras or paras[0].heading is not None):
                    entries.append((s.heading, None, "", ""))  # a row for the untitled lead
                entries += [
                    (s.heading, p.heading, p.text, last[i].text if i < len(last) else "")
                    for i, p in enumerate(paras)
                ]
            elif s.key in self.report.section_notes:
                note = refs.notes.get(s.key, "") if refs else ""
                entries.append((s.heading, None, self.report.section_notes[s.key], note))
        sections = DataValidation(
            type="list",
            formula1='"' + ",".join(s.heading for s in fmt.SECTIONS) + '"',
            allow_blank=True,
        )
        ws.add_data_validation(sections)
        for i in range(max(NARRATIVE_ROWS, len(entries) + 20)):
            r = 2 + i
            section, heading, text, before = entries[i] if i < len(entries) else ("", None, "", "")
            for j, value in enumerate((section, heading or "", text), start=1):
                cell = ws.cell(row=r, column=j)
                _text(cell, value)
                cell.protection = Protection(locked=False)
                cell.alignment = _LEFT
                cell.border = _BORDER
            if before and refs is not None:  # a note beside the blank, never the text itself
                ws.cell(row=r, column=3).comment = Comment(
                    f"{refs.year}年原文（仅供参考，勿照搬）：\n{before}", "disclosure"
                )
            sections.add(f"A{r}")

    def build(self) -> Workbook:
        self.cover()
        self.proactive()
        self.applications()
        self.review()
        self.narrative()
        for (sheet, kind), cells in self.validated.items():
            self.wb[sheet].add_data_validation(_validation(kind, cells))
        keys = self.wb.create_sheet(KEYS)
        keys.sheet_state = "hidden"
        keys.append(["table", "row", "column", "sheet", "cell"])
        for k in self.keys:
            keys.append(list(k))
        keys.protection.sheet = True
        return self.wb


def _validation(kind: str, cells: list[str]) -> DataValidation:
    """Whole numbers ≥ 0 (counts) or decimals ≥ 0 (the fee, 万元) on `cells`."""
    error = (
        "请填写大于或等于 0 的整数 (whole number ≥ 0)"
        if kind == "whole"
        else "请填写大于或等于 0 的金额，单位万元 (amount ≥ 0)"
    )
    return DataValidation(
        type=kind,
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效",
        error=error,
        sqref=" ".join(cells),
    )


def workbook_bytes(report: Report, references: References | None = None) -> bytes:
    if report.format != fmt.FORMAT_ID or report.table_formats:
        # the workbook's sheets are the 2021 tables: a 2019 report would lose its own figures
        raise DisclosureError(
            f"{report.agency}{report.year}年报告按{fmt.FORMAT_2019_DOC}格式保存，填报工作簿只有"
            f"现行格式（{fmt.FORMAT_DOC}）的表格；请直接编辑其参数文件 "
            "(workbooks hold the 2021 tables only)"
        )
    buf = io.BytesIO()
    _Writer(report, references).build().save(buf)
    return buf.getvalue()


def write_workbook(report: Report, path: Path | str, references: References | None = None) -> Path:
    """Write `report` as a fill-in workbook (atomically); `references`: last year's texts as
    cell comments."""
    from ..files import write_atomic

    return write_atomic(Path(path), workbook_bytes(report, references))


def write_template(
    agency: str | None,
    year: int | None,
    path: Path | str,
    *,
    from_params: Path | str | None = None,
) -> Path:
    """A blank fill-in workbook for `agency`/`year`, with the usual narrative sub-headings.
    `from_params`: next year's starting point from a params file (`nextyear.next_year`):
    contact, title, 上年结转, texts to fill in with last year's as cell comments; agency and
    year default to its agency and the year after."""
    refs: References | None = None
    if from_params is not None:
        from ..params import load_report

        last = load_report(from_params)
        report, refs = next_year(last, int(year or last.year + 1))
        report.agency = agency or last.agency
    else:
        if not agency or not year:
            raise DisclosureError(
                "请给出机关名称和年度，或用 --from 指定参数文件 (agency and year)"
            )
        report = Report.blank(agency, int(year))
        for s in fmt.NARRATIVE_SECTIONS:
            report.narrative[s.key] = [Paragraph(text="", heading=h) for h in s.subheadings]
    report.agency = check_name(report.agency)
    return write_workbook(report, path, refs)
