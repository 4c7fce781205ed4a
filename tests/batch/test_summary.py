"""The yearly summary as `build` makes it (issue 10.8): every earlier year reaches its trend,
headings numbered in one scheme, short blocks never last; a name in mathtext breaks nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib.batch import build as b
from disclosure_lib.batch.changes import CHANGES_SUFFIX
from disclosure_lib.params import params_path
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("summary")
    for i, agency in enumerate(("测试区甲局", "$x^$局")):  # mathtext in a name (issue 12.8)
        for report in demo_series(agency, range(2021, 2025), seed=70 + i, scale=30):
            save_report(report, params_path(tmp / "params", agency, report.year))
    built = b.build([tmp / "params"], output_dir=tmp / "out", to=("html", "pdf"),
                    progress=False, year=2024)  # fmt: skip
    assert not built.failed, built.table()
    return tmp / "out" / "2024"


@pytest.fixture(scope="module")
def summary(built: Path) -> BeautifulSoup:
    return BeautifulSoup((built / "summary.html").read_text(encoding="utf-8"), "html.parser")


def test_the_trend_covers_every_year(summary: BeautifulSoup) -> None:
    trend = summary.find(attrs={"data-chart": "summary-trend"})
    alt = trend.find("img")["alt"]
    assert all(f"{y}年" in alt for y in range(2021, 2025)), alt
    assert "历年趋势涵盖 2021—2024年" in summary.get_text()


def test_headings_are_numbered_in_one_scheme(summary: BeautifulSoup) -> None:
    tops = [h.get_text() for h in summary.find_all("h2")]
    assert tops == ["一、汇总数据", "二、各机关排名", "三、数据校验", "四、统计图表"]
    subs = [h.get_text() for h in summary.find_all("h3")]
    assert [s[:3] for s in subs] == ["（一）", "（二）", "（三）"]
    assert all(h.find_previous("h2").get_text() == "一、汇总数据" for h in summary.find_all("h3"))
    # the last section holds the charts, not a one-line block
    last = summary.find_all("h2")[-1].find_parent("section")
    assert len(last.find_all("figure")) == 3


def test_a_mathtext_name_is_drawn_as_text(summary: BeautifulSoup) -> None:
    bars = summary.find(attrs={"data-chart": "summary-new"}).find("img")
    assert bars["src"].startswith("data:image/png") and "$x^$局" in bars["alt"]
    assert "$x^$局" in summary.find("table", class_="rankings").get_text()


PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def test_the_pdf_never_ends_a_page_with_a_heading(built: Path, summary: BeautifulSoup) -> None:
    """Issue 10.8: a heading never ends a page; no page holds only a one-line block."""
    pdfplumber = pytest.importorskip("pdfplumber")
    headings = [h.get_text() for h in summary.find_all(["h2", "h3"])]
    with pdfplumber.open(built / "summary.pdf") as pdf:
        pages = [
            ([x.strip() for x in (p.extract_text() or "").splitlines() if x.strip()], len(p.images))
            for p in pdf.pages
        ]
    assert len(pages) >= 2
    for n, (lines, images) in enumerate(pages, 1):
        body = [x for x in lines if not PAGE_NUMBER.match(x)]
        assert body and body[-1] not in headings, f"page {n} ends with {body[-1:]}"
        assert len(body) > 1 or images, f"page {n} holds only {body}"
    printed = [x for lines, _ in pages for x in lines if x in headings]
    assert printed == headings  # every heading printed, in order


def test_the_summary_comes_from_the_collection_cache(built: Path) -> None:
    """Issue 20: the driver's pool computes the summary from the collection cache (kept out
    of the output folder); the notebook reads it (`summary_file`)."""
    from disclosure_lib.collection_cache import CollectionCache, cache_path

    nb = json.loads((built / "summary.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["summary_file"] == "summary.pickle"
    cache = CollectionCache.load(cache_path(built.parent))
    assert cache.note == "" and len(cache.entries) == 8
    assert not list(built.parent.rglob("*.pickle"))  # nothing of it is published


@pytest.mark.slow
def test_an_edit_reaches_the_summary_through_the_cache(tmp_path: Path) -> None:
    from disclosure_lib.collection_cache import CollectionCache, cache_path
    from disclosure_lib.params import load_report

    params, out = tmp_path / "params", tmp_path / "out"
    for i, agency in enumerate(("甲局", "乙局")):
        for report in demo_series(agency, range(2023, 2025), seed=80 + i, scale=30):
            save_report(report, params_path(params, agency, report.year))
    first = b.build([params], output_dir=out, to=("html",), progress=False)
    assert not first.failed, first.table()
    _more_requests(params_path(params, "甲局", 2024), 500)
    again = b.build([params], output_dir=out, to=("html",), progress=False)
    assert sorted(x.label for x in again.built) == ["2024年 汇总", "甲局 2024年"]
    year = CollectionCache.load(cache_path(out)).year_summary(2024)
    # the edit leaves the narrative's figures behind (R6 errors): 甲局 is now left out, listed
    assert list(year.left_out["agency"]) == ["甲局"]
    kept = load_report(params_path(params, "乙局", 2024)).get("applications", "new", "total")
    assert year.total.get("applications", "new", "total") == kept
    page = (out / "2024" / "summary.html").read_text(encoding="utf-8")
    assert "未计入汇总" in page and "甲局" in page.split("未计入汇总", 1)[1]


def _more_requests(path: Path, n: int) -> None:
    """`n` more 自然人 requests in the report at `path`, all 予以公开 (its table still adds up)."""
    from disclosure_lib.params import load_report

    report = load_report(path)
    for row in ("new", "disclosed", "total"):
        for col in ("natural", "total"):
            report.set("applications", row, col, (report.get("applications", row, col) or 0) + n)
    save_report(report, path)


@pytest.mark.slow
def test_an_edit_builds_the_same_files_as_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: after an edit, the incremental build (the edited report and the next year's,
    both summaries from the collection cache, their unchanged charts read back, the index)
    leaves every output byte for byte as a clean build of the same params does, but for the
    已更改 mark of the edited report, which a forced build of the same content takes away."""

    params = tmp_path / "params"
    for i, agency in enumerate(("甲局", "乙局")):
        for report in demo_series(agency, range(2022, 2025), seed=90 + i, scale=30):
            save_report(report, params_path(params, agency, report.year))
    inc, clean = tmp_path / "inc", tmp_path / "clean"
    first = b.build([params], output_dir=inc, to=("html", "pdf"), progress=False)
    assert not first.failed, first.table()
    path = params_path(params, "甲局", 2023)
    _more_requests(path, 5)
    again = b.build([params], output_dir=inc, to=("html", "pdf"), progress=False)
    assert sorted(x.label for x in again.built) == [
        "2023年 汇总", "2024年 汇总", "甲局 2023年", "甲局 2024年"]  # fmt: skip
    assert {"plan", "first unit", "reports", "cache", "units", "index"} <= set(again.phases)
    # the clean build with caches of its own: its charts drawn, not read back
    monkeypatch.setenv("DISCLOSURE_CACHE_DIR", str(tmp_path / "caches"))
    fresh = b.build([params], output_dir=clean, to=("html", "pdf"), progress=False)
    assert list((tmp_path / "caches" / "charts").glob("*.json"))
    assert len(fresh.built) == len(first.built) == 9

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): _timeless(p) for p in sorted(root.rglob("*"))
                if p.is_file() and not p.name.startswith("manifest.sqlite")}  # fmt: skip

    def index_page(name: str) -> bool:
        return "/" not in name and name.startswith("index")

    # but for the 已更改 mark (issue 19): the edited report's changes page, the index showing it
    got, want = files(inc), files(clean)
    extra = sorted(set(got) - set(want))
    assert len(extra) == 1 and extra[0].startswith("2023/甲局/"), extra
    assert extra[0].endswith(CHANGES_SUFFIX)
    assert sorted(set(want) - set(got)) == []
    assert len([name for name in want if name.endswith(".ipynb")]) == 9
    assert [n for n in want if got[n] != want[n] and not index_page(n)] == []
    # a forced build of the same content leaves no mark: then every file is the clean build's
    monkeypatch.delenv("DISCLOSURE_CACHE_DIR")
    b.build([params], output_dir=inc, to=("html", "pdf"), progress=False, force=True)
    got = files(inc)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []


def _timeless(path: Path) -> bytes:
    """A file's bytes, without what differs between any two runs: in an executed notebook the
    times papermill records (when each cell ran, how long), the id it gives the injected
    parameters' cell and its in-memory output path; in an index page the minute it was made."""
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        return re.sub(r"生成于 [0-9-]+ [0-9:]+", "生成于", text).encode()
    if path.suffix != ".ipynb":
        return path.read_bytes()
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell.pop("id", None)
    for meta in [nb["metadata"], *(cell["metadata"] for cell in nb["cells"])]:
        meta.pop("execution", None)
        for key in ("start_time", "end_time", "duration", "output_path"):
            meta.get("papermill", {}).pop(key, None)
    return json.dumps(nb, ensure_ascii=False, sort_keys=True).encode()
