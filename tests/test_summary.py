"""The yearly summary as data (`disclosure_lib.summary`): totals, key figures, rankings, 2019
reports mapped, findings by rule and agency in Chinese, an empty year."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib import summary as sm
from disclosure_lib.errors import RenderError
from disclosure_lib.findings import RULE_TEXT, Finding
from disclosure_lib.formats import as_current
from disclosure_lib.model import Report
from disclosure_lib.synth import demo_series

from .test_docs import codes_in_code


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    out: list[Report] = []
    for i, agency in enumerate(("甲局", "乙局", "丙局")):
        out += demo_series(agency, range(2022, 2025), seed=i, scale=20 * (i + 1))
    return out


def _copy(r: Report) -> Report:
    return Report(r.agency, r.year, r.contact, r.narrative,
                  {k: dict(v) for k, v in r.tables.items()})  # fmt: skip


def _broken(reports: list[Report], agency: str, year: int, row: str = "new") -> list[Report]:
    """`reports` with `agency`'s report of `year` made inconsistent (`row`'s 总计 + 5)."""
    out = []
    for r in reports:
        if r.agency == agency and r.year == year:
            r = _copy(r)
            r.set("applications", row, "total", (r.get("applications", row, "total") or 0) + 5)
        out.append(r)
    return out


def test_cell_frame_has_every_cell_and_blanks_as_nan() -> None:
    a = Report.blank("甲", 2024, fill=2)
    a.set("applications", "new", "natural", None)
    frame = sm.cell_frame([a, Report.blank("乙", 2024)])
    assert list(frame.columns) == list(sm.CELLS)
    assert len(sm.CELLS) == sum(len(t.cells()) for t in fmt.TABLES)
    assert frame.loc[("甲", 2024), ("applications", "new", "total")] == 2
    assert math.isnan(frame.loc[("甲", 2024), ("applications", "new", "natural")])
    assert frame.loc[("乙", 2024)].isna().all()
    assert sm.cell_frame([]).shape == (0, len(sm.CELLS))


def test_total_report_sums_every_cell(reports: list[Report]) -> None:
    year = [r for r in reports if r.year == 2024]
    total = sm.total_report(year, "合计", 2024)
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
    total = sm.total_report([a, b], "合计", 2024)
    assert total.get("proactive", "fees", "fee_amount") == Decimal("3.75")
    assert isinstance(total.get("applications", "new", "total"), int)
    assert total.get("applications", "new", "total") == 3
    assert total.get("applications", "new", "natural") is None  # blank everywhere stays blank


def test_2019_reports_are_mapped_before_summing() -> None:
    old = Report.blank("旧格式局", 2020, fill=4, format=f19.FORMAT_ID)
    new = Report.blank("新格式局", 2020, fill=1)
    mapped = as_current(old)
    total = sm.total_report([old, new], "合计", 2020)
    for table in fmt.TABLES:
        for row, col in table.cells():
            a, b = mapped.get(table.key, row, col), new.get(table.key, row, col)
            assert total.get(table.key, row, col) == (b if a is None else a + b), (row, col)
    # some current cells have no 2019 source: only the 2021 report counts there
    assert any(mapped.get(t.key, *c) is None for t in fmt.TABLES for c in t.cells())
    figures = sm.key_figures([old]).iloc[0]
    assert figures["本年新收"] == mapped.get("applications", "new", "total") == 4
    assert figures["行政诉讼"] == 8  # two litigation rows, mapped


def test_key_figures_and_rate(reports: list[Report]) -> None:
    frame = sm.key_figures(reports)
    assert list(frame.columns) == sm.FIGURE_COLUMNS and len(frame) == 9
    r = next(x for x in reports if x.agency == "乙局" and x.year == 2023)
    row = frame[(frame.agency == "乙局") & (frame.year == 2023)].iloc[0]
    assert row["办理总计"] == r.get("applications", "total", "total")
    corrected = sum(r.get("review", k.key, "corrected") or 0 for k in fmt.REVIEW.rows)
    assert row["复议诉讼纠正"] == corrected
    blank = sm.key_figures([Report.blank("空", 2024, fill=0)]).iloc[0]
    assert blank["办理总计"] == 0 and math.isnan(blank[sm.RATE])  # no 0 ÷ 0


def test_rankings(reports: list[Report]) -> None:
    frame = sm.rankings(reports, 2024)
    assert list(frame["agency"]) == sorted(
        frame["agency"], key=lambda a: -float(frame.set_index("agency").loc[a, "本年新收"])
    )
    top = frame.iloc[0]
    assert top["本年新收排名"] == 1
    r = next(x for x in reports if x.agency == top["agency"] and x.year == 2024)
    assert top["本年新收"] == r.get("applications", "new", "total")
    expected = r.get("applications", "disclosed", "total") / r.get("applications", "total", "total")
    assert math.isclose(top[sm.RATE], expected)
    litigation = sum(r.get("review", k, "total") or 0 for k in ("direct_suit", "suit_after_review"))
    assert top["行政诉讼"] == litigation


def test_ties_share_the_best_rank() -> None:
    same = [Report.blank(a, 2024, fill=1) for a in ("乙", "甲", "丙")]
    frame = sm.rankings(same, 2024)
    assert list(frame["agency"]) == ["丙", "甲", "乙"]  # equal figures: by pinyin bing, jia, yi
    assert set(frame["本年新收排名"]) == {1}


def test_yearly_totals(reports: list[Report]) -> None:
    totals = sm.yearly_totals(reports)
    assert list(totals["year"]) == [2022, 2023, 2024] and set(totals["报告数"]) == {3}
    assert totals.loc[totals.year == 2023, "本年新收"].item() == sum(
        r.get("applications", "new", "total") for r in reports if r.year == 2023
    )


def test_findings_by_rule_and_agency_in_chinese(reports: list[Report]) -> None:
    findings = sm.findings_frame(_broken(reports, "乙局", 2024), 2024)
    errors = findings[findings.severity == "error"]
    assert set(errors["agency"]) == {"乙局"} and set(findings["year"]) == {2024}
    assert sm.check_matrix(findings).loc["乙局"].sum() >= 1
    rules = sm.by_rule(findings)
    r1 = rules[rules.code == "R1-APP-BALANCE"].iloc[0]
    assert r1["rule"] == RULE_TEXT["R1-APP-BALANCE"] and r1["agencies"] == 1
    assert r1["severity"] == "error"
    agencies = sm.by_agency(findings)
    assert list(agencies["agency"]) == ["乙局"]
    assert agencies.iloc[0]["errors"] == len(errors)
    assert RULE_TEXT["R1-APP-BALANCE"] in agencies.iloc[0]["rules"]


def test_the_year_is_checked_against_the_year_before(reports: list[Report]) -> None:
    """R7 compares 2024 with 2023: breaking 2023's carry-forward shows in 2024's findings."""
    changed = []
    for r in reports:
        if r.agency == "甲局" and r.year == 2023:
            r = Report(r.agency, r.year, r.contact, r.narrative,
                       {k: dict(v) for k, v in r.tables.items()})  # fmt: skip
            value = r.get("applications", "carry_forward", "total") or 0
            r.set("applications", "carry_forward", "total", value + 7)
        changed.append(r)
    findings = sm.findings_frame(changed, 2024)
    assert "R7-CARRY-OVER" in set(findings[findings.agency == "甲局"]["code"])
    assert set(findings["year"]) == {2024}


def test_every_rule_code_has_a_chinese_description() -> None:
    assert codes_in_code() <= set(RULE_TEXT)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in RULE_TEXT.values())


def test_year_summary(reports: list[Report]) -> None:
    later = demo_series("丁局", range(2025, 2026), seed=5)
    s = sm.year_summary([*_broken(reports, "丙局", 2024), *later], 2024)
    assert s.title == "2024年政府信息公开工作年度报告汇总"
    # 丙局's report has errors: left out of the figures, listed apart, still among the checked
    assert s.names == ["甲局", "乙局"]  # pinyin order (names.agency_key)
    assert s.years == [2022, 2023, 2024]  # the trend: every year up to 2024, none after
    assert list(s.figures["本年新收排名"].sort_values()) == [1, 2]
    assert s.total.agency == "2个机关合计"
    assert s.total.get("applications", "new", "total") == s.figures["本年新收"].sum()
    clean = sm.year_summary(reports, 2024)
    assert clean.left_out.empty and clean.total.agency == "3个机关合计"
    bing = clean.figures.set_index("agency").loc["丙局", "本年新收"]
    assert s.total.get("applications", "new", "total") == clean.figures["本年新收"].sum() - bing
    errors = int((s.findings["severity"] == "error").sum())
    assert s.left_out.to_dict("records") == [
        {"agency": "丙局", "year": 2024, "errors": errors, "reason": "校验未通过"}
    ]
    assert s.with_errors == 1
    assert s.severity_counts() == {"错误": 1, "警告": 0, "通过": 2}
    assert list(s.agencies["agency"]) == ["丙局"]
    # the trend's 2024 is what the summary counts
    assert s.trend.set_index("year").loc[2024, "报告数"] == 2


def test_every_report_with_errors_leaves_an_empty_count(reports: list[Report]) -> None:
    broken = reports
    for agency in ("甲局", "乙局", "丙局"):
        broken = _broken(broken, agency, 2024)
    s = sm.year_summary(broken, 2024)
    assert s.figures.empty and s.total.agency == "0个机关合计"
    assert sorted(s.left_out["agency"]) == ["丙局", "乙局", "甲局"]
    assert s.total.get("applications", "new", "total") is None
    assert s.severity_counts() == {"错误": 3, "警告": 0, "通过": 0}


def test_left_out_lists_errors_then_missing_reports(reports: list[Report]) -> None:
    broken = _broken(reports, "乙局", 2024)
    s = sm.year_summary(broken, 2024, missing=["甲局", "乙局"])  # 乙局 once: its errors
    assert s.names == ["丙局"]
    assert [(r["agency"], r["reason"]) for r in s.left_out.to_dict("records")] == [
        ("乙局", "校验未通过"), ("甲局", "未生成")
    ]  # fmt: skip
    assert s.severity_counts() == {"错误": 1, "警告": 0, "通过": 1}


def test_empty_year() -> None:
    with pytest.raises(RenderError, match="没有 1999 年的报告；现有年份：2024"):
        sm.year_summary([Report.blank("甲", 2024, fill=0)], 1999)
    with pytest.raises(RenderError, match="现有年份：无"):
        sm.year_summary([], 2024)
    assert list(sm.key_figures([]).columns) == sm.FIGURE_COLUMNS
    assert sm.yearly_totals([]).empty and "报告数" in sm.yearly_totals([]).columns
    empty = sm.findings_frame([], 2024)
    assert empty.empty and sm.by_rule(empty).empty and sm.by_agency(empty).empty
    assert sm.total_report([], "合计", 2024).get("applications", "new", "total") is None


def test_findings_given_are_not_checked_again(reports: list[Report]) -> None:
    broken = _broken(reports, "甲局", 2024)
    findings = sm.findings_frame(broken, 2024)
    given = sm.year_summary(broken, 2024, findings)
    assert given.findings is findings and list(given.agencies["agency"]) == ["甲局"]
    none = sm.year_summary(broken, 2024, findings.iloc[0:0])  # a caller's: trusted as is
    assert none.rules.empty and none.severity_counts()["通过"] == 3
    assert given.names == ["丙局", "乙局"] and none.left_out.empty


def test_year_findings_are_those_of_checking_every_year(reports: list[Report]) -> None:
    """Checking only the year (its reports against the year before) finds what checking the
    whole history finds for that year, duplicates and cross-year rules included."""
    from disclosure_lib.checks import check_reports

    history = _broken(_broken(reports, "乙局", 2024), "甲局", 2023, "carry_forward")
    twin = next(r for r in history if r.agency == "丙局" and r.year == 2024)
    history.append(_copy(twin))  # a duplicate report: D1
    everything = [f for f in check_reports(history) if f.year == 2024]

    def key(f: Finding) -> tuple[str, str, str]:
        return (f.agency, f.code, f.message)

    found = sm.year_findings(history, 2024)
    assert sorted(map(key, found)) == sorted(map(key, everything))
    assert {"D1-DUPLICATE", "R1-APP-BALANCE", "R7-CARRY-OVER"} <= {f.code for f in found}


def test_a_hundred_agencies_two_with_errors_leave_out_exactly_those() -> None:
    """Issue 19's office year at the summary's level: 100 agencies × 2 years, two reports of
    2024 with errors: the 2024 summary counts the other 98 and lists exactly the two."""
    reports: list[Report] = []
    for i in range(100):
        reports += demo_series(f"测试区第{i:03d}局", range(2023, 2025), seed=i, scale=5 + i % 7)
    bad = ["测试区第017局", "测试区第071局"]
    for agency in bad:
        reports = _broken(reports, agency, 2024)
    s = sm.year_summary(reports, 2024)
    assert sorted(s.left_out["agency"]) == bad and set(s.left_out["reason"]) == {"校验未通过"}
    assert len(s.figures) == 98 and not set(bad) & set(s.figures["agency"])
    counted = [r for r in reports if r.year == 2024 and r.agency not in bad]
    expected = sum(r.get("applications", "new", "total") or 0 for r in counted)
    assert s.total.get("applications", "new", "total") == expected
    assert s.total.agency == "98个机关合计"
    # the year before is whole: nothing of 2023 was broken
    assert sm.year_summary(reports, 2023).left_out.empty
