"""The dashboard in the real Chromium with 100 agencies: counts shown, a filter for each
status, sorting by a column both ways (mouse and keyboard), no WCAG 2.1 AA violation once
drawn; and the office's year (issue 19, done-when) built end to end: 100 agencies × 2 years,
one late, one missing, two with check errors, one acknowledged warning, each in its status."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from bs4 import BeautifulSoup

from disclosure_lib.batch import build as b
from disclosure_lib.batch import dashboard as dash
from disclosure_lib.batch.changes import CHANGES_SUFFIX, changes_page
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.batch.manifest import Entry
from disclosure_lib.batch.site import write_index
from disclosure_lib.checks import check_report
from disclosure_lib.checks_trend import KEY_FIGURES
from disclosure_lib.collection import FILE_NAME, Collection
from disclosure_lib.diff import snapshot, snapshot_diff
from disclosure_lib.model import Acknowledgement, Report
from disclosure_lib.names import agency_key
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series

from ..browser import axe_violations, chromium, have_chromium
from .test_gate import _break

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_chromium(), reason="needs chromium")]

TODAY = datetime.date(2025, 1, 25)
DEPARTMENTS = ("教育局", "卫生健康局", "市场监督管理局", "民政局", "财政局")
NAMES = [f"测试市第{i // 5 + 1}区{DEPARTMENTS[i % 5]}" for i in range(100)]
# what each of the 100 agencies' 2024 report is: (statuses, how many)
PLAN = {"g": 82, "e": 5, "gl": 3, "b": 3, "f": 2, "m": 3, "gc": 2}  # gc: 已更改 (a changes page)


def _entries() -> tuple[list[Entry], Collection]:
    out, kinds = [], [k for k, n in PLAN.items() for _ in range(n)]
    for i, (agency, kind) in enumerate(zip(NAMES, kinds, strict=True)):
        figures = {name: (i * 37 + k * 11) % 97 for k, name in enumerate(KEY_FIGURES)}
        out.append(Entry(f"report:{agency}/2023", "f", {}, "built", ["html"], [], agency=agency,
                         year=2023, figures={n: v + 1 for n, v in figures.items()},
                         issued="2024-01-15"))  # fmt: skip
        if kind == "m":
            continue
        status = {"b": "blocked", "f": "failed"}.get(kind, "built")
        stem = f"2024/{agency}/{agency}2024年政府信息公开工作年度报告"
        issued = "2025-02-03" if kind == "gl" else "2025-01-20"
        files = [f"{stem}.html"] if status == "built" else []
        files += [stem + CHANGES_SUFFIX] if kind == "gc" else []
        out.append(Entry(f"report:{agency}/2024", "f", {}, status, ["html"], files,
                         agency=agency, year=2024,
                         errors=1 if kind in "eb" else 0, warnings=i % 3, figures=figures,
                         issued=issued, profile="publish", first_error="总计不符" if kind in "ebf"
                         else ""))  # fmt: skip
    return out, Collection(agencies=NAMES)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("dashboard")
    entries, office = _entries()
    write_index(out, entries, collection=office, today=TODAY)
    with chromium(tmp_path_factory.mktemp("chromium-profile"), 1400, 900) as context:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto((out / "index-2024.html").as_uri(), wait_until="load")
        yield tab
        assert errors == []


_NAMES = "() => [...document.querySelectorAll('#reports tbody th')].map(h => h.textContent)"
_COLUMN = (
    "(k) => [...document.querySelectorAll('#reports tbody tr')].map(r => r.cells[k].textContent)"
)


def _show(page: Any, status: str) -> list[str]:
    page.click(f'button[data-status="{status}"]')
    names: list[str] = page.evaluate(_NAMES)
    return names


def test_counts_are_shown(page: Any) -> None:
    buttons = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('button[data-status]')]"
        ".map(b => [b.dataset.status, b.textContent]))"
    )
    assert buttons[""] == "全部 100"
    labels = dash.STATUS_LABEL
    expected = {"g": 87, "e": 5, "l": 3, "m": 3, "b": 3, "f": 2, "c": 2}
    assert {c: buttons[c] for c in labels} == {c: f"{labels[c]} {n}" for c, n in expected.items()}
    assert "共 97 份报告（100 个机关）" in page.text_content("#counts")
    assert page.text_content("#shown") == "显示 100 / 100 份"


@pytest.mark.parametrize("status", ["g", "e", "l", "m", "b", "f", "c"])
def test_filter_by_each_status(page: Any, status: str) -> None:
    names = _show(page, status)
    kinds = dict(zip(NAMES, [k for k, n in PLAN.items() for _ in range(n)], strict=True))
    assert sorted(names) == sorted(a for a, k in kinds.items() if status in k)
    assert page.get_attribute(f'button[data-status="{status}"]', "aria-pressed") == "true"
    label = dash.STATUS_LABEL[status]
    assert all(label in s for s in page.evaluate(_COLUMN, 1))  # the 状态 column
    assert page.text_content("#shown") == f"显示 {len(names)} / 100 份"
    _show(page, "")


def test_sort_by_a_column_both_ways(page: Any) -> None:
    first = next(iter(KEY_FIGURES))
    header = page.locator("th[data-sort=f0]")
    assert header.text_content() == first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.get_attribute("th[data-sort=agency]", "aria-sort") is None
    values = [v.split()[0] for v in page.evaluate(_COLUMN, 6)]  # 机关, 状态 … 已核实, f0
    numbers = [int(v) for v in values if v.isdigit()]
    assert numbers == sorted(numbers) and values[-1] == "—"  # no report: last either way
    header.locator("button").press("Enter")  # the keyboard sorts too
    assert header.get_attribute("aria-sort") == "descending"
    values = [v.split()[0] for v in page.evaluate(_COLUMN, 6)]
    numbers = [int(v) for v in values if v.isdigit()]
    assert numbers == sorted(numbers, reverse=True) and values[-1] == "—"
    page.click("th[data-sort=agency] button")  # back to pinyin order
    assert page.evaluate(_NAMES) == sorted(NAMES, key=agency_key)
    assert axe_violations(page) == []


def _scenario(params: Path) -> dict[str, str]:
    """100 agencies × 2023–2024, and what was done to which (the rest are clean)."""
    for i, agency in enumerate(NAMES):
        for report in demo_series(agency, range(2023, 2025), seed=300 + i, scale=20):
            save_report(report, params_path(params, agency, report.year))
    late, broken, acked = NAMES[10], NAMES[20:22], NAMES[30]
    report = load_report(params_path(params, late, 2024))
    report.issued = datetime.date(2025, 2, 10)  # due 2025-01-31
    save_report(report, params_path(params, late, 2024))
    for agency in broken:
        assert _break(params, agency, 2024)
    path = params_path(params, acked, 2024)
    report = load_report(path)
    was = report.get("proactive", "normative_documents", "in_force")
    assert isinstance(was, int)
    report.set("proactive", "normative_documents", "in_force", was + 3)
    for paragraphs in report.narrative.values():
        for p in paragraphs:
            p.text = p.text.replace(
                f"现行有效行政规范性文件{was}件", f"现行有效行政规范性文件{was + 3}件"
            )
    [warning] = check_report(report, load_report(params_path(params, acked, 2023)))
    report.acknowledged = [Acknowledgement(warning.code, warning.where, "3 件文件自然失效",
                                           "张三", datetime.date(2025, 1, 25))]  # fmt: skip
    save_report(report, path)
    missing = "测试市未报送局"
    office = {"agencies": [*NAMES, missing]}
    (params / FILE_NAME).write_text(yaml.safe_dump(office, allow_unicode=True), encoding="utf-8")
    return {late: "gl", broken[0]: "e", broken[1]: "e", acked: "g", missing: "lm"}


@pytest.mark.slow(30)
def test_an_office_year_on_the_dashboard(tmp_path: Path) -> None:
    """Issue 19's done-when: each report in its status on the index (today is past both years'
    due dates: the missing agency is 未提交 and 逾期), and the year's summary leaves out
    exactly the two reports with errors, from its totals too."""
    params, out = tmp_path / "params", tmp_path / "out"
    expected = _scenario(params)
    summary = b.build([params], output_dir=out, to=("html",), jobs=2, progress=False)
    assert len(summary.built) == 202 and not summary.failed  # 200 reports, 2 summaries
    rows = read_rows(tmp_path / "out" / "index-2024.json")
    assert len(rows) == 101
    found = {a: r["statuses"] for a, r in rows.items() if r["statuses"] != "g"}
    assert found == {a: s for a, s in expected.items() if s != "g"}
    acked = rows[next(a for a, s in expected.items() if s == "g")]
    assert (acked["acknowledged"], acked["warnings"], acked["errors"]) == (1, 0, 0)
    assert read_rows(tmp_path / "out" / "index-2023.json")["测试市未报送局"]["statuses"] == "lm"
    assert all(r["previous_figures"] for a, r in rows.items() if a != "测试市未报送局")
    landing = BeautifulSoup((tmp_path / "out" / "index.html").read_text("utf-8"), "html.parser")
    year = landing.find("a", string="2024年").find_parent("tr")
    cells = [td.get_text() for td in year.find_all("td")][:7]
    assert cells == ["100", "98", "2", "2", "1", "0", "0"]  # 报告, then each status

    broken = sorted(a for a, s in expected.items() if s == "e")
    page = BeautifulSoup((out / "2024" / "summary.html").read_text("utf-8"), "html.parser")
    left_out = page.find("section", id="summary-5")
    assert left_out is not None and "五、未计入汇总的报告" in left_out.get_text()
    listed = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in left_out.find_all("tr")]
    assert [r[0] for r in listed[1:]] == broken and {r[3] for r in listed[1:]} == {"校验未通过"}
    assert "本汇总涵盖 98 个机关" in page.get_text()
    counted = [a for a in NAMES if a not in broken]
    new = sum(load_report(params_path(params, a, 2024)).get("applications", "new", "total") or 0
              for a in counted)  # fmt: skip
    # the totals (一、汇总数据) and the spread (机关数, 合计) count the 98 others only
    total = page.select_one("#summary-1 td[headers='applications-r-new applications-applicant "
                            "applications-c-total']")  # fmt: skip
    assert total is not None and total.get_text() == str(new)
    spread = {r[0]: r for r in _table_rows(page, "spread")}
    assert spread["本年新收"][1:3] == ["98", str(new)]
    assert "未计入" not in (out / "2023" / "summary.html").read_text("utf-8")


def _table_rows(page: BeautifulSoup, key: str) -> list[list[str]]:
    table = page.find("table", id=key) or page.find("table", class_=key)
    assert table is not None, key
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.find("tbody").find_all("tr")]  # fmt: skip


def _links(page: Any, agency: str) -> list[list[str]]:
    page.fill("#filter", agency)
    links: list[list[str]] = page.evaluate(
        "() => [...document.querySelectorAll('#reports tbody a')].map(a => [a.textContent, "
        "a.getAttribute('href'), a.getAttribute('aria-label')])"
    )
    page.fill("#filter", "")
    return links


def test_links_point_at_the_files_and_findings(page: Any) -> None:
    stem = f"2024/{NAMES[0]}/{NAMES[0]}2024年政府信息公开工作年度报告.html"
    assert _links(page, NAMES[0]) == [["HTML", quote(stem), f"{NAMES[0]} 2024年 HTML"]]
    erred = NAMES[PLAN["g"]]  # the first with a check error
    [*_, findings] = _links(page, erred)
    assert findings[0] == "校验问题" and findings[1].startswith("findings-2024.html#r")
    changed = NAMES[-1]  # 已更改: the HTML, then the changes page
    stem = f"2024/{changed}/{changed}2024年政府信息公开工作年度报告"
    assert _links(page, changed) == [
        ["HTML", quote(stem + ".html"), f"{changed} 2024年 HTML"],
        ["更改", quote(stem + CHANGES_SUFFIX), f"{changed} 2024年 更改"],
    ]
    page.fill("#filter", changed)
    assert page.evaluate(_COLUMN, 1) == ["已生成、已更改"]
    page.fill("#filter", "")


def test_the_changes_page_is_accessible(page: Any, tmp_path: Path, seed_report: Report) -> None:
    """The page a changed report links to (changes.py), drawn: no WCAG 2.1 AA violation."""
    after = copy.deepcopy(seed_report)
    after.set("applications", "new", "natural", 7)
    after.contact.phone = "010-1"
    after.narrative[next(iter(after.narrative))][0].text += "（更正）"
    found = snapshot_diff(snapshot(seed_report), snapshot(after))
    assert found is not None and len(found.cells) == 1 and found.cover and found.sections
    old = Entry("k", "f", {}, "built", ["html"], [], agency=after.agency, year=after.year,
                built_at="2025-01-20T10:00:00+0800")  # fmt: skip
    new = Entry("k", "f", {}, "built", ["html"], [], agency=after.agency, year=after.year)
    path = tmp_path / "2024" / "甲" / ("报告" + CHANGES_SUFFIX)
    path.parent.mkdir(parents=True)
    path.write_text(changes_page(new, old, found, "2024/甲/报告" + CHANGES_SUFFIX), "utf-8")
    tab = page.context.new_page()
    tab.goto(path.as_uri(), wait_until="load")
    assert "2025-01-20 10:00" in tab.text_content("main")
    assert tab.evaluate("() => document.querySelectorAll('#cells tbody tr').length") == 1
    assert axe_violations(tab) == []
    tab.close()


def test_rows_are_drawn_a_page_at_a_time(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of rows take a browser seconds to lay out: `PAGE_ROWS` at a time, "再显示"."""
    monkeypatch.setattr(dash, "PAGE_ROWS", 40)
    entries, office = _entries()
    write_index(tmp_path, entries, collection=office, today=TODAY)
    tab = page.context.new_page()
    tab.goto((tmp_path / "index-2024.html").as_uri(), wait_until="load")
    assert len(tab.evaluate(_NAMES)) == 40
    assert tab.text_content("#shown") == "筛选出 100 / 100 份，显示前 40 份"
    assert tab.text_content("#more") == "再显示 40 份"
    tab.click("#more")
    tab.click("#more")
    assert tab.evaluate(_NAMES) == sorted(NAMES, key=agency_key)
    assert tab.is_hidden("#more") and tab.text_content("#shown") == "显示 100 / 100 份"
    tab.click('button[data-status="e"]')  # a filter starts from the first page again
    assert len(tab.evaluate(_NAMES)) == 5 and tab.is_hidden("#more")
    tab.close()
