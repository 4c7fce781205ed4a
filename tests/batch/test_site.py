"""The index: a landing page, one dashboard page per year (rows as JSON, statuses, deadlines,
key figures with last year's), a findings page; per-character pinyin order; text escaped."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from disclosure_lib.batch import dashboard as dash
from disclosure_lib.batch import pinyin, site
from disclosure_lib.batch.listing import Recorded
from disclosure_lib.batch.manifest import Entry, Manifest
from disclosure_lib.batch.pinyin import pinyin_keys
from disclosure_lib.batch.site import index_html, site_pages, write_index
from disclosure_lib.checks_trend import KEY_FIGURES
from disclosure_lib.collection import Collection
from disclosure_lib.names import agency_key, agency_order

TODAY = datetime.date(2025, 1, 25)  # 2024's reports due 2025-01-31: 6 days left


def _figures(base: int) -> dict[str, int | None]:
    return {name: base + i for i, name in enumerate(KEY_FIGURES)}


def _report(agency: str, year: int, status: str = "built", **kw: Any) -> Entry:
    stem = f"{year}/{agency}/{agency}{year}年政府信息公开工作年度报告"
    outputs = [f"{stem}.ipynb", f"{stem}.html", f"{stem}.pdf"] if status == "built" else []
    kw.setdefault("issued", f"{year + 1}-01-20")
    return Entry(f"report:{agency}/{year}", "f", {}, status, ["html", "pdf"], outputs,
                 agency=agency, year=year, profile="publish", **kw)  # fmt: skip


_FINDINGS = [
    {"severity": "error", "code": "R1-TOTAL", "line": 12, "where": "三、… › 总计",
     "message": "总计不符 <b>"},
    {"severity": "warning", "code": "Y1-JUMP", "line": 3, "where": "x", "message": "jump",
     "acknowledged": {"reason": "清理", "by": "王", "date": "2025-01-10"}},
]  # fmt: skip


def _entries() -> list[Entry]:
    summary = ["2024/summary.ipynb", "2024/summary.html"]
    return [
        _report("甲", 2023, figures=_figures(10)),
        _report("甲", 2024, errors=2, warnings=1, acknowledged=1, figures=_figures(15),
                findings=_FINDINGS),
        _report("乙", 2024, issued="2025-02-03", figures={**_figures(1), "予以公开": None}),
        _report("丙", 2024, status="blocked", errors=1, first_error="总计不符"),
        _report("<script>alert(1)</script>", 2024, status="failed", issued="",
                first_error="ValueError: <b>boom</b>"),
        _report("丁", 2024, issued=""),  # not issued yet, not yet due
        Entry("summary:2024", "f", {}, "built", ["html"], summary, kind="summary", year=2024),
        Entry("file:/p/bad.yaml", "f", {}, "failed", [], [], source="/p/bad.yaml",
              first_error="YAML 语法错误"),
    ]  # fmt: skip


_OFFICE = Collection(government="戊区人民政府", agencies=["甲", "乙", "丙", "丁", "己"])


def _data(page: str) -> dict[str, Any]:
    soup = BeautifulSoup(page, "html.parser")
    data: dict[str, Any] = json.loads(soup.find("script", id="data").string)
    return data


def _rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["agency"]: r for r in dash.decode_rows(data)}


def test_per_character_pinyin_order() -> None:
    """Issue 19.7: 古田… (gu) before 国有… (guo); whole strings compared put guoyou first."""
    names = ["国有资产局", "古田县局", "中山区局", "硚口区局", "阿城区局", "长沙局"]
    ordered = sorted(names, key=agency_key)
    assert ordered == ["阿城区局", "长沙局", "古田县局", "国有资产局", "硚口区局", "中山区局"]
    assert "guoyou" < "gutian"  # what the old whole-string key did
    assert agency_order(names)["古田县局"] < agency_order(names)["国有资产局"]
    keys = pinyin_keys(names)  # computed in another process: the same syllables
    assert keys["国有资产局"][:2] == ("guo", "you")
    rows = dash.year_rows({(n, 2024): _report(n, 2024) for n in names}, 2024, None, TODAY, keys)
    assert [r.agency for r in rows] == ordered


def test_pinyin_cache_of_the_old_form_is_computed_again() -> None:
    cache = {"古田县局": ["gutianxianju", "gtxj"], "国有资产局": ["guo you zi chan ju", "gyzcj"]}
    keys = pinyin_keys(["古田县局", "国有资产局"], cache)
    assert keys["古田县局"] == ("gu", "tian", "xian", "ju") and cache["古田县局"][1] == "gtxj"
    assert cache["古田县局"][0] == "gu tian xian ju"


def test_pinyin_without_the_other_process_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page in another order when the pinyin process fails would be a different page."""
    names = ["古田县局", "国有资产局"]
    expected = pinyin_keys(names)
    monkeypatch.setattr(pinyin, "_pinyin_elsewhere", lambda names: {})
    cache: dict[str, list[str]] = {}
    assert pinyin_keys(names, cache) == expected and cache["古田县局"][1] == "gtxj"


def test_statuses_deadlines_and_days_left() -> None:
    reports = dash.report_entries(_entries())
    rows = {r.agency: r for r in dash.year_rows(reports, 2024, _OFFICE, TODAY, {})}
    assert rows["甲"].statuses == dash.ERRORS
    assert rows["乙"].statuses == dash.BUILT + dash.LATE and rows["乙"].late_by(TODAY) == 3
    assert rows["丙"].statuses == dash.BLOCKED
    assert rows["<script>alert(1)</script>"].statuses == dash.FAILED  # date unknown: not late
    assert rows["丁"].statuses == dash.BUILT and rows["丁"].days_left(TODAY) == 6
    assert rows["己"].statuses == dash.MISSING and rows["己"].entry is None
    # the 人民政府's own report is due 3月31日 (第四十九条)
    gov = rows["戊区人民政府"]
    assert gov.statuses == dash.MISSING and gov.due == datetime.date(2025, 3, 31)
    assert gov.days_left(TODAY) == 65
    # past the due date: not issued and not submitted are late too
    later = datetime.date(2025, 2, 10)
    rows = {r.agency: r for r in dash.year_rows(reports, 2024, _OFFICE, later, {})}
    assert rows["己"].statuses == dash.LATE + dash.MISSING and rows["己"].late_by(later) == 10
    assert dash.LATE in rows["丁"].statuses and rows["丁"].days_left(later) is None
    assert rows["甲"].statuses == dash.ERRORS  # issued on time
    assert dash.counts(rows.values())[dash.LATE] == 3  # 乙, 丁, 己
    # an override in collection.yaml moves one agency's date
    office = Collection(agencies=["乙"], overrides={("乙", 2024): datetime.date(2025, 2, 5)})
    row = next(r for r in dash.year_rows(reports, 2024, office, later, {}) if r.agency == "乙")
    assert row.statuses == dash.BUILT


def test_year_page_data_figures_and_changes() -> None:
    pages = site_pages(_entries(), collection=_OFFICE, today=TODAY)
    assert {"index.html", "index-2023.html", "index-2024.html", "index-2024.json",
            "findings-2024.html"} <= set(pages)  # fmt: skip
    data = _data(pages["index-2024.html"])
    assert data == json.loads(pages["index-2024.json"])
    assert data["figures"] == list(KEY_FIGURES) and data["statuses"] == dash.STATUS_LABEL
    rows = _rows(data)
    jia = rows["甲"]
    assert jia["figures"] == [15 + i for i in range(len(KEY_FIGURES))]
    assert jia["previous_figures"] == [10 + i for i in range(len(KEY_FIGURES))]
    assert (jia["errors"], jia["warnings"], jia["acknowledged"]) == (2, 1, 1)
    assert jia["files"] == "hpn" and jia["base"] == 0 and jia["profile"] == "p"
    assert jia["issued_days_after_due"] == -11 and jia["due"] == 0
    yi = rows["乙"]
    assert yi["figures"][list(KEY_FIGURES).index("予以公开")] is None  # missing, not "—"
    assert yi["previous_figures"] == 0  # no 2023 report: the change does not apply
    assert rows["己"]["figures"] == 0 and rows["己"]["statuses"] == dash.MISSING
    assert rows["戊区人民政府"]["due"] == "2025-03-31"
    assert rows["丙"]["first_error"] == "总计不符"
    soup = BeautifulSoup(pages["index-2024.html"], "html.parser")
    assert soup.html["lang"] == "zh-CN"
    counts = soup.find(id="counts").get_text()
    assert "共 5 份报告（7 个机关）" in counts and "有错误 1" in counts and "未提交 2" in counts
    found = soup.find_all("button", attrs={"data-status": True})
    buttons = {b["data-status"]: b.get_text() for b in found}
    assert buttons[""] == "全部 7" and buttons["m"] == "未提交 2" and buttons["f"] == "失败 1"
    heads = soup.find("table", id="reports").find("thead").find_all("th")
    assert all(th["scope"] == "col" for th in heads)
    assert [th.get("aria-sort") for th in heads][:2] == ["ascending", None]
    assert [th.get_text() for th in heads][6:12] == list(KEY_FIGURES)
    noscript = soup.find("noscript")
    assert [a["href"] for a in noscript.find_all("a")] == ["index-2024.json", "findings-2024.html"]
    nav = [a.get_text() for a in soup.find("nav").find_all("a")]
    assert nav == ["全部年度", "2023年", "2024年"]


def test_landing_page_counts_summaries_and_failed_files() -> None:
    soup = BeautifulSoup(index_html(_entries(), collection=_OFFICE, today=TODAY), "html.parser")
    table = soup.find("table", id="years")
    head = [th.get_text() for th in table.find("thead").find_all("th")]
    assert head == ["年度", "报告", *dash.STATUS_LABEL.values(), "汇总报告"]
    first = table.find("tbody").find("tr")
    assert first.find("a")["href"] == "index-2024.html"
    cells = [td.get_text(" ", strip=True) for td in first.find_all("td")]
    assert cells[:8] == ["5", "2", "1", "1", "2", "1", "1", "0"]  # 报告, each status, 已更改
    assert "summary.html" in str(first) and cells[8].startswith("已生成")
    text = soup.get_text()
    assert "共 6 份报告" in text and "YAML 语法错误" in text and "/p/bad.yaml" in text


def test_findings_page_lists_open_and_acknowledged_apart() -> None:
    pages = site_pages(_entries(), collection=_OFFICE, today=TODAY)
    data = _data(pages["index-2024.html"])
    anchor = _rows(data)["甲"]["findings_anchor"]
    soup = BeautifulSoup(pages["findings-2024.html"], "html.parser")
    section = soup.find(id=f"r{anchor}")
    assert section.get_text() == "甲"
    items = [li.get_text() for li in section.find_next("ul", class_="findings").find_all("li")]
    assert items[0].startswith("错误 [R1-TOTAL] 第12行") and "总计不符 <b>" in items[0]
    assert items[1].startswith("已核实（王，2025-01-10，清理） [Y1-JUMP]")
    blocked = soup.find(id=f"r{_rows(data)['丙']['findings_anchor']}")
    assert blocked.get_text() == "丙" and "总计不符" in blocked.find_next("p").find_next("p").text


def test_every_page_escapes_text() -> None:
    for name, page in site_pages(_entries(), collection=_OFFICE, today=TODAY).items():
        assert "<script>alert" not in page and "<b>boom</b>" not in page, name
        assert "<b>" not in page.replace("&lt;b&gt;", ""), name
    data = _data(site_pages(_entries(), today=TODAY)["index-2024.html"])
    assert "<script>alert(1)</script>" in _rows(data)  # the JSON holds the text as it is
    entry = _report("\x1b[31m红\u202e局", 2024)
    page = site_pages([entry], today=TODAY)["index-2024.html"]
    assert "\x1b" not in page and "\u202e" not in page
    assert "\\x1b[31m红\\u202e局" in _rows(_data(page))


def test_write_index(tmp_path: Path) -> None:
    path = write_index(tmp_path, _entries(), today=TODAY)
    assert path == tmp_path / "index.html" and "index-2024.html" in path.read_text("utf-8")
    year = tmp_path / "index-2024.html"
    before = year.stat().st_mtime_ns
    write_index(tmp_path, _entries(), today=TODAY)  # the same pages: not rewritten
    assert year.stat().st_mtime_ns == before
    (tmp_path / "index-2031.json").write_text("{}", encoding="utf-8")  # a year gone
    (tmp_path / "index-notes.html").write_text("mine", encoding="utf-8")
    write_index(tmp_path, [e for e in _entries() if e.year != 2023], today=TODAY)
    assert not (tmp_path / "index-2023.html").exists()
    assert not (tmp_path / "index-2031.json").exists() and (tmp_path / "index-notes.html").exists()


def test_pages_from_the_manifest_are_those_of_the_entries(tmp_path: Path) -> None:
    """The index a build writes reads the manifest a year at a time, the year before with its
    key figures only and each row with what it shows: the pages are those of the whole
    entries (last year's figures, findings, failures, the summary, an unreadable file)."""
    manifest = Manifest.load(tmp_path)
    for entry in _entries():
        manifest.record(entry)
    manifest.save()
    pinyin: dict[str, list[str]] = {}
    held = site_pages(_entries(), collection=_OFFICE, today=TODAY, pinyin=pinyin)
    recorded = dict(site.iter_pages(Recorded(manifest), collection=_OFFICE, today=TODAY,
                                    pinyin=pinyin))  # fmt: skip
    manifest.close()
    assert sorted(recorded) == sorted(held) and "index-2024.html" in held
    for name, page in held.items():
        assert site._unstamped(recorded[name]) == site._unstamped(page), name
    assert _rows(_data(recorded["index-2024.html"]))["甲"]["previous_figures"] == list(
        _figures(10).values()
    )


def test_the_year_being_collected_is_listed() -> None:
    """With a collection file, the year just ended appears before any report of it: its
    agencies 未提交, days left before 1月31日."""
    entries = [_report("甲", 2023)]
    pages = site_pages(entries, collection=_OFFICE, today=TODAY)
    rows = _rows(_data(pages["index-2024.html"]))
    assert set(rows) == {"甲", "乙", "丙", "丁", "己", "戊区人民政府"}
    assert {r["statuses"] for r in rows.values()} == {dash.MISSING}
    assert "index-2024.html" not in site_pages(entries, today=TODAY)


def test_a_build_makes_only_the_years_changed_and_the_index_equals_a_clean_one(
    tmp_path: Path,
) -> None:
    """After one 2023 report changed, a build makes the pages of 2023 and 2024 (its rows show
    2023's figures as last year's) and `index.html`, not 2022's; every page is then the one a
    clean index of the same entries has. A year added changes every page's year links: all
    are made."""
    from disclosure_lib.batch.build import _write_index
    from disclosure_lib.batch.manifest import Manifest

    out = tmp_path / "out"
    out.mkdir()
    params = [tmp_path / "params"]
    entries = {(a, y): _report(a, y, figures=_figures(y - 2000 + i))
               for i, a in enumerate(("甲", "乙", "丙")) for y in (2022, 2023, 2024)}  # fmt: skip
    manifest = Manifest.load(out)

    def build(changed: list[Entry]) -> dict[str, int]:
        for e in changed:
            entries[e.agency, e.year] = e
            manifest.record(e)
        manifest.save()
        _write_index(out, manifest, complete=True, params=params)
        return {p.name: p.stat().st_mtime_ns for p in out.glob("*-*.*")}

    def same_as_clean() -> None:
        pages = site_pages(entries.values())
        for name, page in pages.items():
            assert site._unstamped((out / name).read_text("utf-8")) == site._unstamped(page)
        assert {p.name for p in out.glob("*.html")} | {p.name for p in out.glob("*.json")} == set(
            pages
        )

    first = build(list(entries.values()))
    same_as_clean()
    page = out / "index-2022.html"
    text = page.read_text("utf-8")
    page.write_text(text + "<!-- not made again -->", encoding="utf-8")
    edited = _report("甲", 2023, figures=_figures(99), errors=1, first_error="总计不符")
    second = build([edited])
    assert page.read_text("utf-8").endswith("<!-- not made again -->")
    page.write_text(text, encoding="utf-8")
    first[page.name] = second[page.name] = page.stat().st_mtime_ns
    made = {n for n in first if first[n] != second[n]}
    assert made == {
        "index-2023.html",
        "index-2023.json",
        "findings-2023.html",
        "index-2024.html",
        "index-2024.json",
    }  # fmt: skip  (2024's findings: same)
    same_as_clean()
    rows = _rows(json.loads((out / "index-2024.json").read_text("utf-8")))
    assert rows["甲"]["previous_figures"][0] == 99  # last year's, changed
    assert "有错误" in (out / "index.html").read_text("utf-8")
    third = build([_report("甲", 2025, figures=_figures(5))])
    assert all(third[n] != second[n] for n in second if n.startswith("index-2") and "html" in n)
    same_as_clean()
    manifest.close()
