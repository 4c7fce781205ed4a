"""The fill-in workbook: official layout, protection, validation, lossless read-back."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from disclosure_lib import cli
from disclosure_lib import format as fmt
from disclosure_lib.errors import ImportError_
from disclosure_lib.importers.document import import_file
from disclosure_lib.importers.excel import (
    APPLICATIONS,
    COVER,
    COVER_FIELDS,
    KEYS,
    NARRATIVE,
    PROACTIVE,
    REVIEW,
    write_template,
    write_workbook,
)
from disclosure_lib.importers.excel_read import read_workbook
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.params import load_report
from disclosure_lib.synth import consistent_report

from ..base import ROOT, SEED

FIGURES = ROOT / "tests" / "fixtures" / "import" / "figures.yaml"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template("示例区教育局", 2024, tmp_path / "t.xlsx")


def _cells_of(path: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(table, row, column) → (sheet, cell), from the workbook's hidden index sheet."""
    rows = load_workbook(path)[KEYS].iter_rows(min_row=2, values_only=True)
    return {(str(r[0]), str(r[1]), str(r[2])): (str(r[3]), str(r[4])) for r in rows}


def _cell_of(path: Path, table: str, row: str, col: str) -> tuple[str, str]:
    return _cells_of(path)[(table, row, col)]


def test_template_layout(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[:5] == ["封面", PROACTIVE, APPLICATIONS, REVIEW, NARRATIVE]
    assert wb[KEYS].sheet_state == "hidden"
    app = wb[APPLICATIONS]
    merged = {str(m) for m in app.merged_cells.ranges}
    assert {"A1:C3", "D1:J1", "E2:I2", "D2:D3", "J2:J3"} <= merged  # corner, 申请人情况, 法人…
    assert app["D1"].value == fmt.APPLICANT_HEADER and app["E2"].value == fmt.LEGAL_PERSONS
    assert app["A4"].value == "一、本年新收政府信息公开申请数量"
    assert any(m.startswith("A6:A") for m in merged)  # 三、本年度办理结果 spans the outcomes
    rev = wb[REVIEW]
    assert {"A1:E1", "F1:O1", "F2:J2", "K2:O2"} <= {str(m) for m in rev.merged_cells.ranges}
    assert wb[PROACTIVE]["A1"].value == fmt.ITEM_1


def test_labels_locked_figures_unlocked_and_validated(template: Path) -> None:
    wb = load_workbook(template)
    where = _cells_of(template)
    for table, sheet in (
        ("proactive", PROACTIVE),
        ("applications", APPLICATIONS),
        ("review", REVIEW),
    ):
        ws = wb[sheet]
        assert ws.protection.sheet
        validations = ws.data_validations.dataValidation
        for row, col in fmt.table(table).cells():
            _s, coord = where[(table, row, col)]
            assert ws[coord].protection.locked is False
            kinds = {dv.type for dv in validations if coord in dv.sqref}
            assert kinds == ({"decimal"} if fmt.table(table).is_amount(row, col) else {"whole"})
        assert all(dv.operator == "greaterThanOrEqual" and dv.formula1 == "0" for dv in validations)
    assert wb[APPLICATIONS]["A4"].protection.locked is True


def test_untouched_template_reads_back_blank(template: Path) -> None:
    r = read_workbook(template)
    assert (r.agency, r.year) == ("示例区教育局", 2024)
    assert all(v is None for t in r.tables.values() for v in t.values())
    assert [p.heading for p in r.narrative["一"]] == list(fmt.section("一").subheadings)


@pytest.mark.parametrize("which", ["seed", "figures", "synth", "blank"])
def test_round_trip_is_lossless(which: str, tmp_path: Path) -> None:
    report = {
        "seed": lambda: load_report(SEED),
        "figures": lambda: load_report(FIGURES),
        "synth": lambda: consistent_report("示例区测试局", 2023, random.Random(4)),
        "blank": lambda: Report.blank("示例区空白局", 2022),
    }[which]()
    report.narrative.setdefault("六", []).append(
        Paragraph(text="=SUM(A1) 不是公式\n第二行", heading=None)
    )
    path = write_workbook(report, tmp_path / "r.xlsx")
    back = read_workbook(path)
    assert back == report
    fee = back.get("proactive", "fees", "fee_amount")
    assert fee is None or isinstance(fee, Decimal)
    assert import_file(path).report == report


def _fill(path: Path, table: str, row: str, col: str, value: object) -> None:
    sheet, coord = _cell_of(path, table, row, col)
    wb = load_workbook(path)
    wb[sheet][coord] = value
    wb.save(path)


def test_staff_filled_values(template: Path) -> None:
    _fill(template, "applications", "new", "natural", 12)
    _fill(template, "applications", "new", "total", 3.0)
    _fill(template, "review", "reconsideration", "upheld", " 4 ")
    _fill(template, "proactive", "fees", "fee_amount", 12.35)
    r = read_workbook(template)
    assert r.get("applications", "new", "natural") == 12
    assert r.get("applications", "new", "total") == 3
    assert r.get("review", "reconsideration", "upheld") == 4
    assert r.get("proactive", "fees", "fee_amount") == Decimal("12.35")


@pytest.mark.parametrize(
    ("value", "needle"), [(-1, "负数"), (1.5, "整数"), ("abc", "数字"), (True, "数字")]
)
def test_bad_values_name_the_cell(template: Path, value: object, needle: str) -> None:
    _fill(template, "applications", "disclosed", "research", value)
    sheet, coord = _cell_of(template, "applications", "disclosed", "research")
    with pytest.raises(ImportError_) as info:
        read_workbook(template)
    assert needle in str(info.value) and f"{sheet}!{coord}" in str(info.value)


def test_foreign_workbook_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "hello"  # type: ignore[index]
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(ImportError_, match="不是本工具生成的填报表"):
        read_workbook(tmp_path / "other.xlsx")


def test_cli_template_and_import(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", "示例区教育局", "2024", "-o", str(out)]) == 0
    assert cli.main(["template", "示例区教育局", "2024", "-o", str(out)]) == 2  # exists
    assert cli.main(["import", str(out), "-o", str(tmp_path / "params")]) == 1  # blanks: errors
    assert (tmp_path / "params" / "示例区教育局" / "2024.yaml").exists()


def test_title_issued_and_charts_travel_through_the_cover(tmp_path: Path) -> None:
    report = load_report(SEED)
    report.issued, report.charts = datetime.date(2025, 1, 20), True
    path = write_workbook(report, tmp_path / "r.xlsx")
    assert read_workbook(path) == report
    wb = load_workbook(path)
    row = {label: i for i, (_k, label) in enumerate(COVER_FIELDS, start=2)}
    issued_row = next(i for label, i in row.items() if label.startswith("落款日期"))
    wb[COVER].cell(row=issued_row, column=2).value = datetime.datetime(2025, 2, 3)
    wb.save(path)
    assert read_workbook(path).issued == datetime.date(2025, 2, 3)  # typed as a date by Excel
    wb[COVER].cell(row=issued_row, column=2).value = "下个月"
    wb.save(path)
    with pytest.raises(ImportError_, match=f"{COVER}!B{issued_row}"):
        read_workbook(path)


def test_no_text_becomes_a_formula_and_the_prefix_reads_back(tmp_path: Path) -> None:
    """Issue 17.6: `template --from` a params file whose agency is `=HYPERLINK(…)` put a live
    formula on the cover; every text cell goes through `names.cell_text`, and reads back as
    it was written."""
    report = load_report(SEED)
    report.agency = '=HYPERLINK("http://x","y")'
    report.contact.office = "@办公室"
    report.narrative.setdefault("六", []).append(Paragraph(text="-一是 +二是", heading="\t小标题"))
    params = tmp_path / "p.yaml"
    from disclosure_lib.params_write import save_report

    save_report(report, params)
    path = write_template(None, None, tmp_path / "t.xlsx", from_params=params)
    book = load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    back = read_workbook(path)
    assert back.agency == report.agency and back.contact.office == "@办公室"
    # `template --from` gives next year's texts to fill in (last year's as comments): the
    # texts themselves go through a workbook of this year's report
    book = load_workbook(write_workbook(report, tmp_path / "w.xlsx"))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not any(isinstance(t, str) and t.startswith(("-", "\t")) for t in texts)
    back = read_workbook(tmp_path / "w.xlsx")
    assert back.narrative["六"][-1] == Paragraph(text="-一是 +二是", heading="\t小标题")
