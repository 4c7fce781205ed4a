"""Tidy DataFrame and export."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib.errors import DisclosureError
from disclosure_lib.params import load_report
from disclosure_lib.params_write import save_report
from disclosure_lib.tidy import (
    COLUMNS,
    collection_frame,
    export,
    integer_counts,
    pivot_figures,
    reports_frame,
)

from .base import FORMAT2019_FIXTURES, ROOT

SEED_DIR = ROOT / "params" / "硚口区企业服务中心"


def test_seed_frame_has_every_official_cell_with_labels() -> None:
    frame = collection_frame([SEED_DIR])
    assert tuple(frame.columns) == COLUMNS
    three = frame[frame.section == "三"]
    assert len(three) == 25 * 7
    assert list(three.row.unique()) == [r.label for r in fmt.APPLICATIONS.figure_rows]
    assert list(three.column.unique()) == [c.label for c in fmt.APPLICATIONS.columns]
    assert set(three[three.row == "1.属于国家秘密"].row_group) == {"（三）不予公开"}
    four = frame[frame.section == "四"]
    assert list(four.row.unique()) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert list(four.column.unique()) == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    two = frame[frame.section == "二"]
    assert set(two.table) == set(fmt.PROACTIVE_ITEMS)
    assert len(frame) == sum(len(t.cells()) for t in fmt.TABLES)


def test_values_follow_the_report_and_blanks_are_nan(tmp_path: Path) -> None:
    report = load_report(SEED_DIR / "2024.yaml")
    report.set("applications", "new", "natural", 74)
    report.set("applications", "new", "business", None)
    report.set("proactive", "fees", "fee_amount", Decimal("12.35"))
    frame = reports_frame([report])
    row = frame[(frame.row == "一、本年新收政府信息公开申请数量")]
    assert row[row.column == "自然人"].value.item() == 74
    assert pd.isna(row[row.column == "商业企业"].value.item())
    assert frame[frame.row == "行政事业性收费"].value.item() == pytest.approx(12.35)

    save_report(report, tmp_path / "x" / "2024.yaml")
    out = tmp_path / "out.csv"
    export([tmp_path], "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by_key = {(r["row"], r["column"]): r["value"] for r in rows}
    assert by_key[("一、本年新收政府信息公开申请数量", "自然人")] == "74"
    assert by_key[("一、本年新收政府信息公开申请数量", "商业企业")] == ""
    assert by_key[("行政事业性收费", "本年收费金额（单位：万元）")] == "12.35"


def test_xlsx_and_parquet_round_trip(tmp_path: Path) -> None:
    frame = collection_frame([ROOT / "params"])
    export([ROOT / "params"], "parquet", tmp_path / "a.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), frame)
    export([ROOT / "params"], "xlsx", tmp_path / "a.xlsx")
    back = pd.read_excel(tmp_path / "a.xlsx", keep_default_na=False, na_values=[""])
    assert len(back) == len(frame) and list(back.agency.unique()) == list(frame.agency.unique())
    with pytest.raises(DisclosureError):
        export([ROOT / "params"], "xlsx", None)


def test_cli_export_csv_yields_25x7_rows_for_the_seed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "export", str(SEED_DIR), "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(1 for r in rows if r["section"] == "三") == 25 * 7
    assert {r["agency"] for r in rows} == {"硚口区企业服务中心"}


def test_labels_are_categoricals_in_official_order() -> None:
    frame = collection_frame([ROOT / "params"])
    for name in ("section", "table", "row", "column", "row_group"):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype) and frame[name].cat.ordered
    # each table's rows and columns sort as on the form, even where tables share a label
    for table, part in frame.groupby("table", observed=True):
        ordered = part.sort_values(["row", "column"], kind="stable")
        assert list(ordered.row.unique()) == list(part.row.unique()), table
        assert list(ordered.column.unique()) == list(part.column.unique()), table
    review = [c.label for c in fmt.REVIEW.columns]
    cols = [c for c in frame.column.cat.categories if c in review]
    assert cols == review  # 总计 last, though 三 has a 总计 column too


def test_pivot_figures_official_order_integers_and_blanks() -> None:
    frame = collection_frame([ROOT / "params"])
    review = frame[frame.table == fmt.REVIEW.title]
    table = pivot_figures(review, index="row", columns="column")
    assert list(table.columns) == [c.label for c in fmt.REVIEW.columns]
    assert list(table.index) == [r.label for r in fmt.REVIEW.rows]
    assert all(str(t) == "Int64" for t in table.dtypes)
    assert (
        table.loc["行政复议", "总计"]
        == review[(review.row == "行政复议") & (review.column == "总计")].value.sum()
    )
    new = frame[(frame.row == fmt.APPLICATIONS.row("new").label) & (frame.column == "总计")]
    by_year = pivot_figures(new, index="agency", columns="year")
    assert [type(y) for y in by_year.columns] == [int] * 3 and list(by_year.columns) == [
        2022,
        2023,
        2024,
    ]
    assert pd.isna(by_year.loc["硚口区企业服务中心", 2022])  # no report that year: blank, not 0


def test_integer_counts_keeps_amounts_as_floats() -> None:
    frame = pd.DataFrame(
        {"count": [24.0, None, 3.0], "fee": [12.35, 0.0, None], "name": list("abc")}
    )
    out = integer_counts(frame)
    assert str(out["count"].dtype) == "Int64" and out["count"].tolist()[0] == 24
    assert out["fee"].dtype == "float64" and out["name"].tolist() == list("abc")


def test_a_2019_report_is_tidy_in_its_own_labels_with_its_format() -> None:
    frame = collection_frame([FORMAT2019_FIXTURES])
    assert tuple(frame.columns) == COLUMNS
    old = frame[frame.year == 2020]
    assert set(old.format) == {"2019"}
    assert len(old) == sum(len(t.cells()) for t in f19.TABLES)
    made = old[(old.row == "规范性文件") & (old.column == "本年新制作数量")]
    assert made.value.item() == 5
    assert old[old.column == "本年增/减"].value.min() == -2
    assert old[old.table == f19.ITEM_9].value.tolist() == [6, 123.45]
    assert old[old.row == "（六）其他处理"].value.tolist() == [1, 0, 0, 0, 0, 0, 1]
    mixed = frame[frame.year == 2021]
    assert mixed.groupby("section", observed=True).format.first().to_dict() == {
        "二": "2019",
        "三": "2021",
        "四": "2021",
    }
    for name in ("row", "column", "table"):  # every format's labels are ordered categories
        assert set(frame[name]) <= set(frame[name].cat.categories)


def test_export_as_format_2021_maps_every_year_onto_the_current_cells(tmp_path: Path) -> None:
    out = tmp_path / "as2021.csv"
    export([FORMAT2019_FIXTURES], "csv", out, as_format="2021")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["format"] for r in rows} == {"2021"}
    per_year = {y: [r for r in rows if r["year"] == y] for y in ("2020", "2021")}
    assert len(per_year["2020"]) == len(per_year["2021"]) == sum(len(t.cells()) for t in fmt.TABLES)

    def value(year: str, row: str, column: str) -> str:
        (hit,) = [r for r in per_year[year] if (r["row"], r["column"]) == (row, column)]
        return hit["value"]

    for year in ("2020", "2021"):  # 本年新制作数量 is 本年制发件数; 现行有效 has no 2019 source
        assert value(year, "行政规范性文件", "本年制发件数") == "5"
        assert value(year, "行政规范性文件", "现行有效件数") == ""
        assert value(year, "行政许可", "本年处理决定数量") == "350"
    assert value("2020", "二、上年结转政府信息公开申请数量", "总计") == "2"
    assert "本年新制作数量" not in {r["column"] for r in rows}
    with pytest.raises(DisclosureError, match="2021"):
        export([FORMAT2019_FIXTURES], "csv", tmp_path / "x.csv", as_format="2019")
    cli = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "export", str(FORMAT2019_FIXTURES),
         "--as-format", "2021"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert list(csv.DictReader(io.StringIO(cli))) == rows


def test_a_current_collection_is_offered_no_2019_label() -> None:
    current = collection_frame([SEED_DIR])
    assert f19.ITEM_9 not in current.table.cat.categories
    assert "本年新制作数量" not in current.column.cat.categories
    mixed = collection_frame([FORMAT2019_FIXTURES])
    assert f19.ITEM_9 in mixed.table.cat.categories
    assert list(current.table.cat.categories) == [
        c for c in mixed.table.cat.categories if c in set(current.table)
    ]  # the same official order


FORMULA = '=HYPERLINK("http://x","y")'


def test_export_never_writes_a_formula(tmp_path: Path) -> None:
    """Issue 17.6: an agency named like a formula (names also come from imported pages) was
    200 formula cells in xlsx and an unprefixed `=HYPERLINK(` in csv. Every text cell that a
    spreadsheet would run gets a leading `'`; parquet keeps the name as it is."""
    from openpyxl import load_workbook

    report = load_report(SEED_DIR / "2024.yaml")
    report.agency = FORMULA
    save_report(report, tmp_path / "p" / "x" / "2024.yaml")
    for to in ("csv", "xlsx", "parquet"):
        export([tmp_path / "p"], to, tmp_path / f"out.{to}")
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert {row[0] for row in rows[1:]} == {"'" + FORMULA}
    book = load_workbook(tmp_path / "out.xlsx")
    values = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    assert {c.value for c in values if c.column == 1 and c.row > 1} == {"'" + FORMULA}
    assert set(pd.read_parquet(tmp_path / "out.parquet").agency) == {FORMULA}
