"""Charts: PNGs with Chinese labels, 本年度无… instead of empty boxes, no missing glyphs."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.model import Report
from disclosure_lib.rendering import charts, fonts

from ..base import report_2019, report_mixed

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _report(year: int = 2024, fill: int = 0) -> Report:
    return Report.blank("测试区某局", year, fill=fill)


def _busy(year: int = 2024) -> Report:
    """A report where every figure differs, so sums are distinguishable."""
    report = _report(year)
    for i, (row, col) in enumerate(fmt.APPLICATIONS.cells()):
        report.set("applications", row, col, i % 5)
    for i, (row, col) in enumerate(fmt.REVIEW.cells()):
        report.set("review", row, col, i % 3)
    for i, (row, col) in enumerate(fmt.PROACTIVE.cells()):
        value = Decimal("12.35") if fmt.PROACTIVE.is_amount(row, col) else i + 1
        report.set("proactive", row, col, value)
    return report


def test_all_zero_report_says_so_instead_of_drawing() -> None:
    result = charts.report_charts(_report())
    assert [c.key for c in result] == ["outcome", "applicants", "proactive"]
    for chart in result:
        assert chart.png is None
        assert chart.empty_message and chart.empty_message.startswith("本年度")
        assert chart.data_uri == ""


def test_busy_report_draws_pngs_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = charts.report_charts(_busy(), [_busy(2023)])
    assert fonts.missing_glyph_messages(caught) == []
    assert [c.key for c in result] == ["outcome", "applicants", "trend", "proactive"]
    for chart in result:
        assert chart.png is not None and chart.png.startswith(PNG_SIGNATURE)
        assert chart.data_uri.startswith("data:image/png;base64,")
        assert chart.empty_message is None


def test_outcome_values_sum_sub_rows_of_headings() -> None:
    report = _report()
    report.set("applications", "disclosed", "total", 7)
    for row in fmt.APPLICATIONS.children("withheld"):
        report.set("applications", row.key, "total", 2)
    values = dict(charts.outcome_values(report))
    assert values["（一）予以公开"] == 7
    assert values["（三）不予公开"] == 2 * len(fmt.APPLICATIONS.children("withheld"))
    # the long official label loses its trailing note, keeps its ordinal
    assert "（二）部分公开" in values
    assert "（七）总计" not in values


def test_applicant_values_exclude_total() -> None:
    report = _report()
    report.set("applications", "new", "natural", 3)
    report.set("applications", "new", "total", 3)
    values = charts.applicant_values(report)
    assert [label for label, _ in values] == [
        c.label for c in fmt.APPLICATIONS.columns if c.key != "total"
    ]
    assert dict(values)["自然人"] == 3


def test_trend_needs_earlier_years_of_same_agency() -> None:
    assert charts.trend_chart(_busy(), []) is None
    other = Report.blank("另一个机关", 2023, fill=1)
    assert charts.trend_chart(_busy(), [other]) is None
    series = charts.trend_series([_busy(2022), _busy(2023), _busy()])
    assert set(series) == {"本年新收政府信息公开申请数量", "予以公开", "行政复议", "行政诉讼"}
    assert [y for y, _ in series["行政诉讼"]] == [2022, 2023, 2024]


def test_trend_all_zero_is_a_sentence() -> None:
    chart = charts.trend_chart(_report(), [_report(2023)])
    assert chart is not None and chart.png is None
    assert chart.empty_message and "历年均无" in chart.empty_message


def test_alt_text_lists_figures() -> None:
    report = _report()
    report.set("applications", "new", "business", 4)
    chart = charts.applicant_chart(report)
    assert "商业企业 4 件" in chart.alt


def test_short_label() -> None:
    assert charts.short_label("一、本年新收政府信息公开申请数量") == "本年新收政府信息公开申请数量"
    assert charts.short_label("（一）予以公开") == "予以公开"
    assert charts.short_label("（一）予以公开", keep_ordinal=True) == "（一）予以公开"


def test_missing_glyph_becomes_font_error() -> None:
    with pytest.raises(fonts.FontError, match="缺少字形"), fonts.no_missing_glyphs():
        warnings.warn(
            "Glyph 30000 (\\N{X}) missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1
        )


def test_other_warnings_pass_through() -> None:
    with pytest.warns(DeprecationWarning, match="unrelated"), fonts.no_missing_glyphs():
        warnings.warn("unrelated", DeprecationWarning, stacklevel=1)


def test_chart_text_is_never_mathtext() -> None:
    """An agency named like mathtext (`$x^$` is invalid mathtext) draws as typed."""

    def draw():  # type: ignore[no-untyped-def]
        fig, (ax,) = charts._figure(2.0)
        ax.bar(["$x^$ 局", "其他$"], [1, 2])
        ax.set_title("$\\frac{1}{2}$ 标题")
        return fig

    chart = charts._draw("mathtext", "t", "a", draw)
    assert chart.png is not None and chart.png.startswith(PNG_SIGNATURE)


def test_charts_of_a_2019_report_read_its_own_cells_and_the_trend_spans_formats() -> None:
    old, mixed = report_2019(year=2020), report_mixed(year=2021)
    outcome = dict(charts.outcome_values(old))
    assert outcome["（六）其他处理"] == 1  # one figure in 2019, three sub-rows in 2021
    assert dict(charts.outcome_values(mixed))["（六）其他处理"] == 1
    assert dict(charts.applicant_values(old))["自然人"] == 10
    series = charts.trend_series([mixed, old])
    new = series[charts.short_label(fmt.APPLICATIONS.row("new").label)]
    assert new == [(2020, 13), (2021, 12)]
    chart = charts.trend_chart(mixed, [old])
    assert chart is not None and chart.png is not None and "2020年 13" in chart.alt
