"""Report HTML: official table layouts (merged headers, nested rows, headers ids), escaping,
check block."""

from __future__ import annotations

import datetime
from decimal import Decimal

from bs4 import BeautifulSoup, Tag

from disclosure_lib import format as fmt
from disclosure_lib.model import Contact, Paragraph, Report
from disclosure_lib.rendering import charts
from disclosure_lib.rendering import compose as report_html
from disclosure_lib.rendering import html as html_writer

from ..base import report_2019, report_mixed

HOSTILE = "<script>alert(1)</script> {{ agency }} {% raw %} **粗体** $x^2$ \\section{标题}"


def _soup(fragment: report_html.Part | str) -> BeautifulSoup:
    return BeautifulSoup(str(fragment), "html.parser")


def _report() -> Report:
    report = Report.blank("测试区某局", 2024, fill=0)
    report.contact = Contact("测试区某局办公室", "测试路1号", "027-12345678")
    report.narrative["一"] = [
        Paragraph("总体情况第一段。\n第二行。"),
        Paragraph("主动公开。", "（一）主动公开"),
    ]
    report.section_notes["三"] = "2024年度，未收到申请。"
    report.issued = datetime.date(2025, 1, 20)  # undated, the checks warn (P2-ISSUED)
    return report


def _table(soup: BeautifulSoup, key: str) -> Tag:
    table = soup.find("table", attrs={"data-table": key})
    assert isinstance(table, Tag)
    return table


def _ids(cell: Tag) -> list[str]:
    value = cell["headers"]
    return list(value) if isinstance(value, list) else str(value).split()


def _grid_widths(group: Tag) -> list[int]:
    """Columns each row of a row group occupies, honouring rowspan/colspan (a layout check)."""
    widths: list[int] = []
    carried: dict[int, int] = {}  # row index -> columns taken by rowspans from above
    for i, tr in enumerate(group.find_all("tr", recursive=False)):
        width = carried.get(i, 0)
        for cell in tr.find_all(["th", "td"], recursive=False):
            span, down = int(str(cell.get("colspan", "1"))), int(str(cell.get("rowspan", "1")))
            width += span
            for j in range(i + 1, i + down):
                carried[j] = carried.get(j, 0) + span
        widths.append(width)
    return widths


def test_applications_table_has_official_merged_headers() -> None:
    soup = _soup(report_html.report_body(_report()))
    table = _table(soup, "applications")
    thead, tbody = table.thead, table.tbody
    assert thead is not None and tbody is not None
    levels, ncols = 3, len(fmt.APPLICATIONS.columns)
    assert set(_grid_widths(thead)) == {levels + ncols}
    assert set(_grid_widths(tbody)) == {levels + ncols}
    heads = {th.get_text(): th for th in thead.find_all("th")}
    assert len(heads) == 10
    corner = heads[fmt.APPLICATIONS_NOTE]
    assert (corner["colspan"], corner["rowspan"]) == ("3", "3")
    assert heads[fmt.APPLICANT_HEADER]["colspan"] == "7"
    assert heads[fmt.LEGAL_PERSONS]["colspan"] == "5"
    assert heads["自然人"]["rowspan"] == heads["总计"]["rowspan"] == "2"
    assert len(tbody.find_all("tr")) == len(fmt.APPLICATIONS.figure_rows)
    assert len(tbody.find_all("td")) == len(fmt.APPLICATIONS.cells())
    spans = {th.get_text(): th.get("rowspan") for th in tbody.find_all("th", class_="row-head")}
    assert spans["三、本年度办理结果"] == "22"  # printed on two lines: 三、本年度 / 办理结果
    assert spans["（三）不予公开"] == "8"
    assert spans["（六）其他处理"] == "3"


def test_every_figure_names_its_row_and_column_headings() -> None:
    soup = _soup(report_html.report_body(_report()))
    ids = {str(th["id"]): th.get_text() for th in soup.find_all("th", id=True)}
    table = _table(soup, "applications")
    for td in table.find_all("td"):
        names = [ids[i] for i in _ids(td)]
        assert names[0] == fmt.APPLICATIONS.row("outcome").label or names[0].startswith(
            ("一", "二", "四")
        )
        assert names[-1] in {c.label for c in fmt.APPLICATIONS.columns}
    first = table.find("tbody").find("td")  # type: ignore[union-attr]
    names = [ids[i] for i in _ids(first)]
    assert names == ["一、本年新收政府信息公开申请数量", fmt.APPLICANT_HEADER, "自然人"]
    review = _table(soup, "review").find_all("td")
    assert [ids[i] for i in _ids(review[-1])] == ["行政诉讼", "复议后起诉", "总计"]


def test_review_table_groups_litigation() -> None:
    table = _table(_soup(report_html.report_body(_report())), "review")
    assert table.thead is not None and table.tbody is not None
    assert set(_grid_widths(table.thead)) == {15}
    assert len(table.thead.find_all("th")) == 19
    heads = {th.get_text(): th.get("colspan") for th in table.thead.find_all("th", class_="group")}
    assert heads == {"行政复议": "5", "行政诉讼": "10", "未经复议直接起诉": "5", "复议后起诉": "5"}
    assert len(table.tbody.find_all("td")) == 15


def test_proactive_table_blocks() -> None:
    table = _table(_soup(report_html.report_body(_report())), "proactive")
    items = [th.get_text() for th in table.find_all("th", class_="item")]
    assert items == list(fmt.PROACTIVE_ITEMS)
    for body in table.find_all("tbody"):
        assert set(_grid_widths(body)) == {4}
    assert len(table.find_all("td")) == len(fmt.PROACTIVE.cells())


def test_figures_blank_and_amounts() -> None:
    report = _report()
    report.set("proactive", "fees", "fee_amount", Decimal("12.35"))
    report.set("applications", "new", "natural", None)
    report.set("applications", "new", "total", 1234)
    soup = _soup(report_html.report_body(report))
    assert _table(soup, "proactive").find_all("td")[-1].get_text() == "12.35"
    label = soup.find("th", string=fmt.APPLICATIONS.row("new").label)
    new_row = label.parent if label is not None else None
    assert isinstance(new_row, Tag)
    cells = new_row.find_all("td")
    assert all("num" in td["class"] for td in cells)
    assert cells[0].get_text() == "" and "blank" in cells[0]["class"]
    assert cells[-1].get_text() == "1234"


def test_sections_in_order_with_title_and_preamble() -> None:
    soup = _soup(report_html.report_body(_report()))
    h1 = soup.find("h1")
    assert h1 is not None and h1.get_text() == "测试区某局2024年政府信息公开工作年度报告"
    assert [h.get_text() for h in soup.find_all("h2")] == [s.heading for s in fmt.SECTIONS]
    preamble = soup.find("p", class_="preamble")
    assert preamble is not None
    text = preamble.get_text()
    assert "2024年1月1日至2024年12月31日" in text
    assert "请联系：测试区某局办公室，地址：测试路1号，电话：027-12345678。" in text
    assert fmt.FORMAT_DOC in text
    assert "2024年度，未收到申请。" in soup.get_text()
    assert [h.get_text() for h in soup.find_all("h3")] == ["（一）主动公开"]


def test_hostile_narrative_is_shown_literally() -> None:
    report = _report()
    report.narrative["六"] = [Paragraph(HOSTILE, heading="<b>标题</b>")]
    report.section_notes["二"] = "<img src=x onerror=alert(1)>"
    markup = str(report_html.report_body(report))
    soup = _soup(markup)
    assert soup.find("script") is None and soup.find("img") is None and soup.find("b") is None
    assert HOSTILE in soup.get_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    article = soup.find("article")
    assert isinstance(article, Tag)
    assert set(html_writer.NO_MATH.split()) <= set(article["class"])


def test_charts_section_embeds_png_or_sentence() -> None:
    zero = charts.report_charts(_report())
    soup = _soup(report_html.charts_section(zero))
    assert soup.find("img") is None
    assert len(soup.find_all("p", class_="chart-empty")) == len(zero)
    busy = _report()
    busy.set("applications", "new", "natural", 3)
    busy.set("applications", "disclosed", "total", 3)
    soup = _soup(report_html.charts_section(charts.report_charts(busy)))
    imgs = soup.find_all("img")
    assert len(imgs) == 2
    assert all(str(img["src"]).startswith("data:image/png;base64,") and img["alt"] for img in imgs)


def test_checks_section_pass_and_findings() -> None:
    report = _report()
    soup = _soup(report_html.checks_section(report, report_html.run_checks(report)))
    assert soup.find("p", class_="pass") is not None
    assert "未做跨年度核对" in soup.get_text()
    broken = _report()
    broken.set("applications", "new", "natural", 5)  # 总计 still 0: rows and columns disagree
    previous = Report.blank("测试区某局", 2023, fill=0)
    findings = report_html.run_checks(broken, [previous])
    assert findings
    soup = _soup(report_html.checks_section(broken, findings, [previous]))
    assert soup.find("p", class_="pass") is None
    assert "与2023年报告做跨年度核对" in soup.get_text()
    rows = soup.select("table.findings tbody tr")
    assert len(rows) == len(findings)
    assert any("error" in (row.td.get("class") or []) for row in rows)


def test_part_displays_as_html_and_carries_its_layout() -> None:
    from disclosure_lib.rendering import layout

    frag = report_html.report_body(_report())
    assert frag._repr_html_() == str(frag)
    assert repr(frag) == "测试区某局2024年政府信息公开工作年度报告"
    bundle = frag._repr_mimebundle_()
    blocks, meta = layout.part_from_json(bundle[layout.MIME])
    assert meta["title"] == "测试区某局2024年政府信息公开工作年度报告"
    assert html_writer.render_blocks(blocks) == bundle["text/html"]


def test_signature_ends_the_body_with_agency_and_date() -> None:
    import datetime

    report = _report()
    report.issued = datetime.date(2025, 1, 20)
    soup = _soup(report_html.report_body(report))
    sig = soup.select_one("div.signature")
    assert sig is not None and sig.get_text("|") == "测试区某局|2025年1月20日"
    assert soup.find("article").find_all(recursive=False)[-1] is sig  # type: ignore[union-attr]


def test_long_title_breaks_after_the_agency() -> None:
    report = _report()
    report.own_title = "测试区某局2024年政府信息公开年度报告"
    h1 = _soup(report_html.report_body(report)).find("h1")
    assert h1 is not None and [s.get_text() for s in h1.find_all("span")] == [
        "测试区某局2024年政府信息公开年度报告"
    ]
    report.agency = "测试市测试区人民政府办公室某某事务服务中心"
    report.own_title = None
    h1 = _soup(report_html.report_body(report)).find("h1")
    assert h1 is not None
    assert [s.get_text() for s in h1.find_all("span")] == [
        report.agency,
        "2024年政府信息公开工作年度报告",
    ]


def test_a_2019_report_renders_its_own_layout_and_figures() -> None:
    from disclosure_lib import format2019 as f19

    report = report_2019()
    soup = _soup(report_html.report_body(report))
    text = soup.get_text()
    assert f19.DOC in text and fmt.FORMAT_DOC not in text
    proactive = _table(soup, "proactive")
    heads = [th.get_text() for th in proactive.find_all("th")]
    labels = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
              "处理决定数量", f19.ITEM_9, "政府集中采购", "采购总金额")  # fmt: skip
    for label in labels:
        assert label in heads, label
    assert "本年制发件数" not in heads and "行政规范性文件" not in heads
    for table in f19.TABLES:  # every own figure printed, none blank
        cells = _table(soup, table.key).find_all("td", class_="num")
        assert len(cells) == len(table.cells())
        assert all(c.get_text(strip=True) for c in cells)
    row = proactive.find("th", id="proactive-licensing")
    assert isinstance(row, Tag) and row.parent is not None
    assert [td.get_text() for td in row.parent.find_all("td")] == ["12", "-2", "350"]
    apps = _table(soup, "applications")
    other = apps.find("th", id="applications-r-other_handling")
    assert isinstance(other, Tag) and other.parent is not None
    figures = [td.get_text() for td in other.parent.find_all("td")]
    assert figures == ["1", "0", "0", "0", "0", "0", "1"]
    assert "3.其他" not in apps.get_text()
    keys = [c.key for c in charts.report_charts(report)]
    assert keys == ["outcome", "applicants", "proactive"]
    chart = charts.proactive_chart(report)
    assert chart is not None and "本年新制作数量" in chart.alt and "万元" not in chart.alt


def test_a_mixed_page_renders_each_table_in_its_format() -> None:
    soup = _soup(report_html.report_body(report_mixed()))
    assert "本年新制作数量" in _table(soup, "proactive").get_text()
    apps = _table(soup, "applications").get_text()
    assert "3.其他" in apps and "（六）其他处理" in apps
    assert fmt.FORMAT_DOC in soup.get_text()
