"""The index at scale (issue 20.4): page sizes and build time at 100 / 2,100 / 20,000 reports.

    .venv/bin/python benchmarks/bench_index.py [--reports 100 2100 20000] [--browser]

Generates manifest entries as a build records them (agencies × 3 years, realistic names and
paths, key figures, a few with errors, warnings, late or blocked; an office collection file
expecting a few agencies more), then times `site.write_index` into a temp folder: once with
an empty pinyin cache (a first build: the names' pinyin computed in a child process) and once
with the cache filled (every later build). Prints the landing page's size, the largest year
page's (what a browser loads first when it opens that year: its rows are embedded), the
data files', and the times. Target (issue 20.4): a year page ≤ 1 MB at 20,000 reports.
With `--browser`, the largest year page is opened in Chromium (tests/browser.py): seconds
until its first rows are drawn, then to sort by a column and to filter by a status.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import tempfile
import time
from pathlib import Path

from disclosure_lib.batch.manifest import Entry
from disclosure_lib.batch.site import write_index
from disclosure_lib.checks_trend import KEY_FIGURES
from disclosure_lib.collection import Collection
from disclosure_lib.format import TITLE_TEMPLATE

YEARS = (2022, 2023, 2024)
TARGET = 1_000_000  # bytes: a year page's first load
DEPARTMENTS = ("教育局", "卫生健康局", "市场监督管理局", "自然资源和规划局",
               "人民政府办公室", "民政局", "财政局", "人力资源和社会保障局", "住房和城乡建设局",
               "交通运输局", "农业农村局", "文化和旅游局", "生态环境分局", "应急管理局",
               "退役军人事务局")  # fmt: skip


def agency_names(n: int) -> list[str]:
    """`n` distinct names like 示例市第12区市场监督管理局 (10–15 characters, as real ones)."""
    return [f"示例市第{i // len(DEPARTMENTS) + 1}区{DEPARTMENTS[i % len(DEPARTMENTS)]}"
            for i in range(n)]  # fmt: skip


def make_entries(reports: int, seed: int = 1) -> list[Entry]:
    """About `reports` report entries (agencies × YEARS) and a summary per year."""
    rng = random.Random(seed)
    names = agency_names(-(-reports // len(YEARS)))
    out = []
    for year in YEARS:
        for agency in names:
            stem = f"{year}/{agency}/" + TITLE_TEMPLATE.format(agency=agency, year=year)
            roll = rng.random()
            status = "blocked" if roll < 0.005 else "failed" if roll < 0.01 else "built"
            errors = 1 if status == "blocked" or roll > 0.98 else 0
            warnings = rng.choice((0, 0, 0, 1, 2))
            figures = {name: rng.randint(0, 400) for name in KEY_FIGURES}
            day = rng.randint(5, 31) if rng.random() > 0.02 else 31 + rng.randint(1, 20)
            issued = datetime.date(year + 1, 1, 1) + datetime.timedelta(days=day - 1)
            outputs = [f"{stem}.{ext}" for ext in ("ipynb", "html", "pdf")]
            findings = [{"severity": "warning", "code": "Y1-JUMP", "line": 40, "where": "x",
                         "message": "本年新收：增加较多"}] * warnings  # fmt: skip
            out.append(Entry(f"report:{agency}/{year}", "f", {}, status, ["html", "pdf"],
                             outputs if status == "built" else [], agency=agency, year=year,
                             errors=errors, warnings=warnings, issued=issued.isoformat(),
                             figures=figures, profile="publish", findings=findings,
                             first_error="总计不符" if errors else ""))  # fmt: skip
        out.append(Entry(f"summary:{year}", "f", {}, "built", ["html"],
                         [f"{year}/summary.html"], kind="summary", year=year))  # fmt: skip
    return out


def in_browser(page_path: Path) -> dict[str, float]:
    """Seconds to load and draw `page_path`, to sort it by 本年新收, to filter it by 逾期."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import chromium

    with (
        tempfile.TemporaryDirectory(prefix="bench-index-chromium-") as profile,
        chromium(Path(profile)) as context,
    ):
        page = context.new_page()
        t = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_function("document.getElementById('shown').textContent.length > 0")
        load = time.perf_counter() - t
        t = time.perf_counter()
        page.click("th[data-sort=f0] button")
        page.wait_for_function("document.querySelector('th[data-sort=f0]').ariaSort")
        sort = time.perf_counter() - t
        t = time.perf_counter()
        page.click('button[data-status="l"]')
        return {"load": load, "sort": sort, "filter": time.perf_counter() - t}


def measure(reports: int, browser: bool = False) -> dict[str, float]:
    entries = make_entries(reports)
    n = sum(1 for e in entries if e.agency)
    expected = agency_names(-(-reports // len(YEARS)) + 3)  # three expected, never submitted
    office = Collection(agencies=expected)
    today = datetime.date(2025, 1, 25)
    cache: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        write_index(out, entries, pinyin=cache, collection=office, today=today)
        cold = time.perf_counter() - t
        for p in out.iterdir():  # the pages are compared before writing: make them differ
            p.write_text("", encoding="utf-8")
        t = time.perf_counter()
        write_index(out, entries, pinyin=cache, collection=office, today=today)
        warm = time.perf_counter() - t
        years = [out / f"index-{y}.html" for y in YEARS]
        data = [out / f"index-{y}.json" for y in YEARS]
        landing = (out / "index.html").stat().st_size
        page = max(p.stat().st_size for p in years)
        size = sum(p.stat().st_size for p in data)
        shown = in_browser(max(years, key=lambda p: p.stat().st_size)) if browser else {}
    return {"reports": n, "landing": landing, "year_page": page, "data": size, "cold": cold,
            "warm": warm, **shown}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, nargs="+", default=[100, 2100, 20000])
    ap.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = ap.parse_args()
    print(f"{'reports':>8} {'index.html':>11} {'year page':>10} {'data (all)':>11} "
          f"{'build (cold)':>13} {'build (warm)':>13}")  # fmt: skip
    results = [measure(n, args.browser) for n in args.reports]
    for r in results:
        print(f"{r['reports']:>8,} {r['landing'] / 1e3:>9.1f}kB {r['year_page'] / 1e6:>8.3f}MB "
              f"{r['data'] / 1e6:>9.3f}MB {r['cold']:>12.2f}s {r['warm']:>12.2f}s")  # fmt: skip
        if "load" in r:
            print(f"{'':>8} Chromium: drawn in {r['load']:.2f}s, sorted in {r['sort']:.2f}s, "
                  f"filtered in {r['filter']:.2f}s")  # fmt: skip
    last = results[-1]
    verdict = "ok" if last["year_page"] <= TARGET else "OVER"
    print(f"largest year page at {last['reports']:,} reports: {last['year_page'] / 1e6:.3f} MB "
          f"(target ≤ {TARGET / 1e6:.0f} MB: {verdict}); build per report (warm): "
          f"{last['warm'] / last['reports'] * 1e6:.0f} µs")  # fmt: skip


if __name__ == "__main__":
    main()
