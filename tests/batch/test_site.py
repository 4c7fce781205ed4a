"""outputs/index.html: agency x year grid with status, check counts and links; text escaped."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from disclosure_lib.batch.manifest import Entry
from disclosure_lib.batch.site import index_html, write_index


def _entries() -> list[Entry]:
    stem = "2024/甲/甲2024年政府信息公开工作年度报告"
    return [
        Entry(
            "report:甲/2024",
            "f",
            {},
            "built",
            ["html", "pdf"],
            [f"{stem}.ipynb", f"{stem}.html", f"{stem}.pdf"],
            agency="甲",
            year=2024,
            errors=2,
            warnings=1,
        ),
        Entry(
            "report:甲/2023",
            "f",
            {},
            "built",
            ["html"],
            ["2023/甲/r.ipynb", "2023/甲/r.html"],
            agency="甲",
            year=2023,
        ),
        Entry(
            "report:<script>alert(1)</script>/2024",
            "f",
            {},
            "failed",
            [],
            ["2024/x/x.failed.ipynb"],
            agency="<script>alert(1)</script>",
            year=2024,
            first_error="ValueError: <b>boom</b>",
        ),
        Entry(
            "summary:2024",
            "f",
            {},
            "built",
            ["html"],
            ["2024/summary.ipynb", "2024/summary.html"],
            kind="summary",
            year=2024,
        ),
        Entry(
            "file:/p/bad.yaml",
            "f",
            {},
            "failed",
            [],
            [],
            source="/p/bad.yaml",
            first_error="YAML 语法错误",
        ),
    ]


def _grid(soup: BeautifulSoup) -> dict[str, list[str]]:
    table = soup.find("table", id="reports")
    return {
        tr.find("th").get_text(): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.find("tbody").find_all("tr")
    }


def test_index_grid_status_counts_and_links() -> None:
    soup = BeautifulSoup(index_html(_entries()), "html.parser")
    assert soup.html["lang"] == "zh-CN"
    grid = soup.find("table", id="reports")
    head = [th.get_text() for th in grid.find("thead").find_all("th")]
    assert head == ["机关", "2023年", "2024年"]
    assert all(th["scope"] == "col" for th in grid.find("thead").find_all("th"))
    row = next(tr for tr in grid.find("tbody").find_all("tr") if tr.find("th").get_text() == "甲")
    assert row.find("th")["scope"] == "row"
    cells = row.find_all("td")
    assert "校验通过" in cells[0].get_text()
    assert "错误 2" in cells[1].get_text() and "警告 1" in cells[1].get_text()
    links = {a.get_text(): a["href"] for a in cells[1].find_all("a")}
    assert set(links) == {"HTML", "PDF", "笔记本"}
    assert links["PDF"].endswith(".pdf") and "%E7%94%B2" in links["PDF"]  # URL-quoted path
    assert cells[1].find("a")["aria-label"] == "甲 2024年 HTML"
    assert "summary.html" in str(soup.find_all("table")[0])
    text = soup.get_text()
    assert "YAML 语法错误" in text and "/p/bad.yaml" in text
    failed = _grid(soup)["<script>alert(1)</script>"]
    assert failed[1].startswith("失败 出错的笔记本")


def test_index_escapes_text() -> None:
    html = index_html(_entries())
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>boom</b>" not in html


def test_agencies_in_pinyin_order_with_a_filter() -> None:
    """Issue 10.8: agencies sorted as Chinese readers look them up, not by code point."""
    names = ["中山区局", "硚口区局", "阿城区局", "北京局", "长沙局", "示例局"]
    entries = [Entry(f"report:{n}/2024", "f", {}, "built", ["html"], [], agency=n, year=2024)
               for n in names]  # fmt: skip
    soup = BeautifulSoup(index_html(entries), "html.parser")
    assert list(_grid(soup)) == ["阿城区局", "北京局", "长沙局", "硚口区局", "示例局", "中山区局"]
    assert sorted(names) != list(_grid(soup))  # code point order would differ
    box = soup.find("input", id="filter")
    assert soup.find("label", attrs={"for": "filter"}) is not None and box["type"] == "search"
    row = soup.find("th", string="硚口区局").parent
    assert "qiaokouquju" in row["data-search"] and "qkqj" in row["data-search"]
    assert soup.find("script") is not None  # filtering is the only script


def test_blocked_and_incomplete() -> None:
    blocked = Entry("report:乙/2024", "f", {}, "blocked", [], [], agency="乙", year=2024,
                    errors=1, first_error="总计不符",
                    findings=[{"severity": "error", "code": "R1-TOTAL", "line": 12,
                               "where": "三、… › 总计", "message": "总计不符 <b>"}])  # fmt: skip
    soup = BeautifulSoup(index_html([*_entries(), blocked], complete=False), "html.parser")
    assert "未完成" in soup.find(class_="incomplete").get_text()
    cell = _grid(soup)["乙"][1]
    assert "已阻止" in cell and "错误 1" in cell
    section = soup.find(id="blocked-" + "report%3A%E4%B9%99%2F2024")
    assert section is not None and section.get_text() == "乙 2024年"
    item = section.find_next("ul", class_="findings").get_text()
    assert "R1-TOTAL" in item and "第12行" in item and "总计不符 <b>" in item
    assert "因校验错误未发布 1 份" in soup.get_text()


def test_write_index(tmp_path: Path) -> None:
    path = write_index(tmp_path, _entries())
    assert path == tmp_path / "index.html" and "甲" in path.read_text(encoding="utf-8")
    before = path.stat().st_mtime_ns
    write_index(tmp_path, _entries())  # the same page: not rewritten
    assert path.stat().st_mtime_ns == before
