"""The yearly summary as layout parts (`rendering/summary.py`): numbered sections, the official
tables summed, top-N rankings, findings in Chinese, charts sized for many agencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib import format as fmt
from disclosure_lib import summary as sm
from disclosure_lib.findings import RULE_TEXT
from disclosure_lib.model import Report
from disclosure_lib.rendering import layout as lo
from disclosure_lib.rendering import summary as rs
from disclosure_lib.rendering.charts import chart_text
from disclosure_lib.rendering.grids import table_grid
from disclosure_lib.synth import demo_series

from ..test_docs import CODE


def _reports(n: int, years: range = range(2023, 2025)) -> list[Report]:
    out: list[Report] = []
    for i in range(n):
        out += demo_series(f"测试区第{i + 1:02d}局", years, seed=i, scale=10 + 7 * (i % 9))
    return out


def _document(parts: list[rs.Part]) -> lo.Document:
    """Through JSON, as the exporters read the parts from the notebook."""
    return lo.document([lo.part_from_json(p._repr_mimebundle_()[lo.MIME]) for p in parts])


@pytest.fixture(scope="module")
def many() -> sm.YearSummary:
    reports = _reports(30)
    broken = next(r for r in reports if r.agency == "测试区第07局" and r.year == 2024)
    broken.set(
        "applications", "new", "total", (broken.get("applications", "new", "total") or 0) + 3
    )
    return sm.year_summary(reports, 2024)


def test_sections_numbered_in_one_scheme(many: sm.YearSummary) -> None:
    doc = _document(rs.summary_parts(many))
    assert doc.title == "2024年政府信息公开工作年度报告汇总"
    headings = [(b.level, b.text) for b in doc.walk() if isinstance(b, lo.Heading)]
    assert [t for level, t in headings if level == 1] == [
        "一、汇总数据",
        "二、各机关排名",
        "三、数据校验",
        "四、统计图表",
        "五、未计入汇总的报告",  # 测试区第07局's errors
    ]
    assert [t[:3] for level, t in headings if level == 2] == ["（一）", "（二）", "（三）"]
    assert all(isinstance(b, lo.Section) for b in doc.blocks[2:])


def test_totals_are_the_official_grids_of_the_summed_report(many: sm.YearSummary) -> None:
    (section,) = rs.totals_section(many).blocks
    assert isinstance(section, lo.Section)
    tables = [b for b in section.blocks if isinstance(b, lo.Table)]
    assert [t.key for t in tables] == [t.key for t in fmt.TABLES]
    for table, spec in zip(tables, fmt.TABLES, strict=True):
        assert table == table_grid(spec, many.total)


def test_rankings_list_the_top_agencies_only(many: sm.YearSummary) -> None:
    (section,) = rs.rankings_section(many, top=10).blocks
    assert isinstance(section, lo.Section)
    ranking = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "rankings")
    assert len(ranking.rows) == 1 + 10
    first = many.figures.iloc[0]
    assert ranking.rows[1][0].text == first["agency"]
    assert ranking.rows[1][1].text == f"{int(first['本年新收'])}（1）"
    # 测试区第07局 has errors: left out
    assert "最多的 10 个机关（共 29 个）" in section.blocks[1].text  # type: ignore[attr-defined]
    spread = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "spread")
    new = next(row for row in spread.rows if row[0].text == "本年新收")
    assert new[1].text == "29" and new[2].text == str(int(many.figures["本年新收"].sum()))


def test_findings_show_chinese_descriptions(many: sm.YearSummary) -> None:
    (section,) = rs.checks_section(many).blocks
    assert isinstance(section, lo.Section)
    texts = [t for b in section.blocks for t in lo.block_texts(b)]
    codes = set(many.findings[many.findings.severity == "warning"]["code"])
    assert codes <= {"Y3-CORRECTED-SHARE"}  # the generated reports differ only from their peers
    warned = len(many.agencies) - 1
    line = f"30 个机关中，1 个机关的报告有错误，{warned} 个仅有警告，{29 - warned} 个全部通过。"
    assert line in texts
    rules = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "rules")
    head = [c.text for c in rules.rows[0]]
    assert head[0] == "规则" and head[-1] == "代码"
    described = {row[0].text for row in rules.rows[1:]}
    assert RULE_TEXT["R1-APP-BALANCE"] in described
    assert not any(CODE.search(t) for t in described)  # the code has its own column
    agencies = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "findings")
    # the one with errors first, then those with (peer) warnings only
    assert [row[0].text for row in agencies.rows[1:]] == list(many.agencies["agency"])
    assert agencies.rows[1][0].text == "测试区第07局"
    assert "R1-APP-BALANCE" not in agencies.rows[1][-1].text
    assert RULE_TEXT["R1-APP-BALANCE"] in agencies.rows[1][-1].text


def test_all_pass_is_one_sentence() -> None:
    s = sm.year_summary(_reports(2), 2024)
    (section,) = rs.checks_section(s).blocks
    assert isinstance(section, lo.Section)
    assert [type(b) for b in section.blocks] == [lo.Heading, lo.Para]
    assert section.blocks[1].text == "2 个机关的报告全部通过数据校验。"  # type: ignore[attr-defined]


def test_charts_top_n_and_distribution(many: sm.YearSummary) -> None:
    charts = rs.summary_charts(many, top=12)
    assert [c.key for c in charts] == ["summary-new", "summary-rate", "summary-trend"]
    assert all(c.png and c.png.startswith(b"\x89PNG") for c in charts)
    bars = charts[0]
    assert bars.alt.count("；") == 11  # 12 bars, not one per agency
    assert bars.alt.startswith(str(many.figures.iloc[0]["agency"]))
    # every agency counted (测试区第07局's errors leave it out)
    assert sum(int(x.split()[-2]) for x in charts[1].alt.split("；")) == 29
    assert "2023年" in charts[2].alt and "2024年" in charts[2].alt
    (section,) = rs.charts_section(many, charts).blocks
    assert isinstance(section, lo.Section)
    titles = [b.title for b in section.blocks if isinstance(b, lo.Figure)]
    assert titles == [f"图{n}　{c.title}" for n, c in enumerate(charts, 1)]


def test_one_year_has_no_trend_but_says_so() -> None:
    s = sm.year_summary(_reports(2, range(2024, 2025)), 2024)
    trend = rs.summary_charts(s)[-1]
    assert trend.png is None and trend.empty_message == "仅有一个年度的数据，无历年趋势。"
    assert "历年趋势" not in rs.header(s).blocks[1].text  # type: ignore[attr-defined]


def test_reports_with_errors_are_listed_apart_not_counted(many: sm.YearSummary) -> None:
    assert "测试区第07局" not in set(many.figures["agency"]) and len(many.figures) == 29
    assert many.total.agency == "29个机关合计"
    scope = rs.header(many).blocks[1].text  # type: ignore[attr-defined]
    assert "本汇总涵盖 29 个机关" in scope
    assert "另有 1 份报告未计入汇总（1 份校验未通过），见五、未计入汇总的报告。" in scope
    (section,) = rs.left_out_section(many).blocks
    assert isinstance(section, lo.Section) and section.id == "summary-5"
    table = next(b for b in section.blocks if isinstance(b, lo.Table))
    errors = int(many.left_out["errors"].iloc[0])
    assert [[c.text for c in row] for row in table.rows] == [
        ["机关", "年度", "错误数", "原因"],
        ["测试区第07局", "2024年", str(errors), "校验未通过"],
    ]
    # the checks still name it, among every report checked
    (checks,) = rs.checks_section(many).blocks
    assert isinstance(checks, lo.Section)
    assert any("30 个机关中，1 个机关的报告有错误" in t for b in checks.blocks
               for t in lo.block_texts(b))  # fmt: skip


def test_missing_reports_are_listed_as_not_built() -> None:
    s = sm.year_summary(_reports(3), 2024, missing=["测试区第02局"])
    assert sorted(s.figures["agency"]) == ["测试区第01局", "测试区第03局"]
    assert s.left_out.to_dict("records") == [
        {"agency": "测试区第02局", "year": 2024, "errors": 0, "reason": "未生成"}
    ]
    assert "另有 1 份报告未计入汇总（1 份未生成）" in rs.header(s).blocks[1].text  # type: ignore[attr-defined]
    table = next(b for b in rs.left_out_section(s).blocks[0].blocks  # type: ignore[attr-defined]
                 if isinstance(b, lo.Table))  # fmt: skip
    assert [c.text for c in table.rows[1]] == ["测试区第02局", "2024年", "—", "未生成"]


def test_nothing_left_out_means_no_fifth_section() -> None:
    s = sm.year_summary(_reports(2), 2024)
    assert s.left_out.empty and rs.left_out_section(s).blocks == []
    assert "未计入" not in rs.header(s).blocks[1].text  # type: ignore[attr-defined]


def test_names_are_escaped_in_html() -> None:
    odd = [Report.blank("<i>x</i>局", 2024, fill=1), Report.blank("乙局", 2024, fill=2)]
    s = sm.year_summary(odd, 2024)
    html = "".join(p.html for p in rs.summary_parts(s))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("i") is None and "<i>x</i>局" in soup.get_text()


@pytest.mark.parametrize("name", ["$x^$", "收入$100$局", r"\frac{a}{", "a\x00b", "c\x1b[31md"])
def test_a_name_never_breaks_the_summary_charts(name: str) -> None:
    """Issue 12.8: chart text is never parsed as mathtext, and control characters (refused in
    params files; possible in reports made in code) never end in the "install fonts" advice."""
    reports = [*_reports(2), *demo_series(name, range(2023, 2025), seed=9, scale=200)]
    charts = rs.summary_charts(sm.year_summary(reports, 2024))
    assert all(c.png and c.png.startswith(b"\x89PNG") for c in charts)
    new = next(c for c in charts if c.key == "summary-new")
    assert chart_text(name) in new.alt and "\x00" not in new.alt and "\x1b" not in new.alt


def test_spread_has_quartiles_and_every_agency_is_ranked(many: sm.YearSummary) -> None:
    (section,) = rs.rankings_section(many, top=10).blocks
    assert isinstance(section, lo.Section)
    spread = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "spread")
    head = [c.text for c in spread.rows[0]]
    assert head[4:7] == ["P25", "中位数", "P75"]
    new = next(row for row in spread.rows if row[0].text == "本年新收")
    values = many.figures["本年新收"].astype(float)
    assert [float(c.text) for c in new[4:7]] == [
        round(values.quantile(q), 2) for q in (0.25, 0.5, 0.75)
    ]
    everyone = next(b for b in section.blocks if isinstance(b, lo.Table) and b.key == "ranks-all")
    assert len(everyone.rows) == 1 + 29  # all but 测试区第07局 (errors: left out)
    assert [r[0].text for r in everyone.rows[1:]] == sorted(many.figures["agency"])


def test_thousands_of_agencies_are_not_listed_one_by_one(many: sm.YearSummary) -> None:
    """Issue 20: past `listed` agencies the top N and the spread stand for them all."""
    (section,) = rs.rankings_section(many, top=10, listed=20).blocks
    assert isinstance(section, lo.Section)
    keys = [b.key for b in section.blocks if isinstance(b, lo.Table)]
    assert keys == ["rankings", "spread"]
    texts = [b.text for b in section.blocks if isinstance(b, lo.Para)]
    n = len(many.figures)  # 测试区第07局 has an error: left out of the 30
    assert n == 29 and any(t.startswith(f"{n} 个机关的名次不逐一列出") for t in texts)


def test_charts_kept_in_the_cache_are_read_back_not_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: a build's worker keeps the summary's charts by their arguments
    (`CHART_CACHE`): the same data gives the same chart from the cache, other data draws."""
    import json

    from disclosure_lib.rendering import charts

    s = sm.year_summary(_reports(4), 2024)
    drawn = rs.summary_charts(s)  # no cache: drawn
    monkeypatch.setattr(rs, "CHART_CACHE", tmp_path)
    assert rs.summary_charts(s) == drawn
    kept = sorted(tmp_path.glob("*.json"))
    assert len(kept) == 3
    calls: list[str] = []
    real = charts._draw
    monkeypatch.setattr(charts, "_draw", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    assert rs.summary_charts(s) == drawn and calls == []  # all three read back
    page = json.loads(kept[0].read_text(encoding="utf-8"))
    kept[0].write_text(json.dumps({**page, "title": "改过的标题"}), encoding="utf-8")
    assert "改过的标题" in [c.title for c in rs.summary_charts(s)]  # what the file says
    other = sm.year_summary(_reports(5), 2024)  # another year's data: its trend is drawn
    assert rs.summary_charts(other)[2] != drawn[2] and "summary-trend" in calls
    assert len(list(tmp_path.glob("*.json"))) > 3
