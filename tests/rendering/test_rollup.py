"""Roll-up across agencies: totals in the official layout, key figures, rankings, findings."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.errors import RenderError
from disclosure_lib.model import Report
from disclosure_lib.rendering import rollup
from disclosure_lib.synth import demo_series


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    out: list[Report] = []
    for i, agency in enumerate(("甲局", "乙局", "丙局")):
        out += demo_series(agency, range(2022, 2025), seed=i, scale=20 * (i + 1))
    return out


def test_total_report_sums_every_cell(reports: list[Report]) -> None:
    year = [r for r in reports if r.year == 2024]
    total = rollup.total_report(year, "合计", 2024)
    for table in fmt.TABLES:
        for row, col in table.cells():
            values = [r.get(table.key, row, col) for r in year]
            known = [v for v in values if v is not None]
            assert total.get(table.key, row, col) == (sum(known) if known else None)


def test_total_report_keeps_blanks_and_amounts() -> None:
    a, b = Report.blank("甲", 2024), Report.blank("乙", 2024)
    a.set("proactive", "fees", "fee_amount", Decimal("1.25"))
    b.set("proactive", "fees", "fee_amount", Decimal("2.5"))
    a.set("applications", "new", "total", 3)
    total = rollup.total_report([a, b], "合计", 2024)
    assert total.get("proactive", "fees", "fee_amount") == Decimal("3.75")
    assert total.get("applications", "new", "total") == 3
    assert total.get("applications", "new", "natural") is None  # blank everywhere stays blank


def test_rankings(reports: list[Report]) -> None:
    frame = rollup.rankings(reports, 2024)
    assert list(frame["agency"]) == sorted(
        frame["agency"], key=lambda a: -float(frame.set_index("agency").loc[a, "本年新收"])
    )
    top = frame.iloc[0]
    assert top["本年新收排名"] == 1
    r = next(x for x in reports if x.agency == top["agency"] and x.year == 2024)
    assert top["本年新收"] == r.get("applications", "new", "total")
    expected = r.get("applications", "disclosed", "total") / r.get("applications", "total", "total")
    assert math.isclose(top[rollup.RATE], expected)
    litigation = sum(r.get("review", k, "total") or 0 for k in ("direct_suit", "suit_after_review"))
    assert top["行政诉讼"] == litigation


def test_yearly_totals(reports: list[Report]) -> None:
    totals = rollup.yearly_totals(reports)
    assert list(totals["year"]) == [2022, 2023, 2024] and set(totals["报告数"]) == {3}
    assert totals.loc[totals.year == 2023, "本年新收"].item() == sum(
        r.get("applications", "new", "total") for r in reports if r.year == 2023
    )


def test_findings_name_the_failing_report(reports: list[Report]) -> None:
    broken = [r for r in reports if not (r.agency == "乙局" and r.year == 2024)]
    bad = next(r for r in reports if r.agency == "乙局" and r.year == 2024)
    bad = Report(
        bad.agency,
        bad.year,
        bad.contact,
        bad.narrative,
        {k: dict(v) for k, v in bad.tables.items()},
    )
    bad.set("applications", "new", "total", (bad.get("applications", "new", "total") or 0) + 5)
    findings = rollup.findings_frame([*broken, bad], 2024)
    errors = findings[findings.severity == "error"]
    assert set(errors["agency"]) == {"乙局"}
    matrix = rollup.check_matrix(findings)
    assert matrix.loc["乙局"].sum() >= 1


def test_select_year_lists_years(reports: list[Report]) -> None:
    with pytest.raises(RenderError, match="2022、2023、2024"):
        rollup.select_year(reports, 1999)


def test_summary_fragments_escape_and_chart(reports: list[Report]) -> None:
    year = rollup.select_year(reports, 2024)
    html = rollup.rankings_html(rollup.rankings(year, 2024)).html
    assert "甲局" in html and "%" in html
    charts = rollup.summary_charts(year, reports, 2024)
    assert [c.key for c in charts] == ["summary-new", "summary-rate", "summary-trend"]
    assert all(c.png and c.png.startswith(b"\x89PNG") for c in charts)
    odd = Report.blank("<i>x</i>", 2024, fill=0)
    assert "<i>x</i>" not in rollup.header_html(2024, [odd]).html


@pytest.mark.parametrize("name", ["$x^$", "收入$100$局", r"\frac{a}{", "a\x00b", "c\x1b[31md"])
def test_a_name_never_breaks_the_summary_charts(reports: list[Report], name: str) -> None:
    """Issue 12.8: chart text is never parsed as mathtext, and control characters (refused in
    params files; possible in reports made in code) never end in the "install fonts" advice."""
    odd = demo_series(name, range(2023, 2025), seed=9, scale=20)
    year = [*rollup.select_year(reports, 2024), *(r for r in odd if r.year == 2024)]
    charts = rollup.summary_charts(year, [*reports, *odd], 2024)
    assert all(c.png and c.png.startswith(b"\x89PNG") for c in charts)
    new = next(c for c in charts if c.key == "summary-new")
    assert rollup.chart_text(name) in new.alt and "\x00" not in new.alt and "\x1b" not in new.alt
