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


def test_index_grid_status_counts_and_links() -> None:
    soup = BeautifulSoup(index_html(_entries()), "html.parser")
    assert soup.html["lang"] == "zh-CN"
    tables = soup.find_all("table")
    grid = tables[-1]
    assert [th.get_text() for th in grid.find("tr").find_all("th")] == ["机关", "2023年", "2024年"]
    row = next(
        tr for tr in grid.find_all("tr") if tr.find("td") and tr.find("td").get_text() == "甲"
    )
    cells = row.find_all("td")
    assert "校验通过" in cells[1].get_text()
    assert "错误 2" in cells[2].get_text() and "警告 1" in cells[2].get_text()
    links = {a.get_text(): a["href"] for a in cells[2].find_all("a")}
    assert set(links) == {"HTML", "PDF", "笔记本"}
    assert links["PDF"].endswith(".pdf") and "%E7%94%B2" in links["PDF"]  # URL-quoted path
    assert "summary.html" in str(tables[0])
    text = soup.get_text()
    assert "YAML 语法错误" in text and "/p/bad.yaml" in text


def test_index_escapes_text() -> None:
    html = index_html(_entries())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>boom</b>" not in html


def test_write_index(tmp_path: Path) -> None:
    path = write_index(tmp_path, _entries())
    assert path == tmp_path / "index.html" and "甲" in path.read_text(encoding="utf-8")
