"""The index of an output folder: the office's dashboard, static pages (no server).

`index.html` is a small landing page: each year with its counts per status, its summary and
a link to the year's page; files that could not be read. `index-<year>.html` is the year's
dashboard (`dashboard.py` makes its rows): filters by status (已生成/有错误/逾期/未提交/已阻止,
失败), a name filter (name or pinyin), sorting by any column (keyboard: the headers are
buttons; `aria-sort`), key figures with the change from last year, links to the files and to
the findings (`findings-<year>.html`). Its rows are a compact JSON embedded in the page and
written beside it (`index-<year>.json`), rendered by a short script: a year of 7,000 agencies
stays under 1 MB. Without script the page still gives the counts and links the data.
All text escaped; accessible (WCAG 2.1 AA): captions, header scopes, labelled controls,
contrast ≥ 4.5:1, `lang="zh-CN"`.
"""

from __future__ import annotations

import datetime
import html
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from .._version import SITE_GENERATOR, __version__
from ..checks_trend import KEY_FIGURES
from ..collection import Collection
from ..names import visible
from . import dashboard as dash
from .listing import Held, Listing, Recorded
from .manifest import Entry, Manifest
from .pinyin import pinyin_keys
from .site_assets import CSS as _CSS
from .site_assets import SCRIPT as _SCRIPT
from .states import Status

INDEX_NAME = "index.html"
_PAGES = re.compile(r"(index|findings)-\d{4}\.(html|json)\Z")
TITLE = "政府信息公开工作年度报告"


def year_page_name(year: int) -> str:
    return f"index-{year}.html"


def year_data_name(year: int) -> str:
    return f"index-{year}.json"


def findings_page_name(year: int) -> str:
    return f"findings-{year}.html"


_YEAR_PAGES = (year_page_name, year_data_name, findings_page_name)


# --- pages -----------------------------------------------------------------------------------


def _head(title: str) -> list[str]:
    esc = html.escape
    return [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{SITE_GENERATOR}">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>",
    ]


_INCOMPLETE = (
    '<p class="incomplete" role="alert">本次生成未完成（已中断）：以下仅列出已生成的报告，'
    "重新运行 disclosure build 即可补全。</p>"
)


def _stamp() -> str:
    made = f"由 disclosure_lib {__version__} 生成于 {time.strftime('%Y-%m-%d %H:%M')}"
    return f'<p class="stamp"><small>{made}</small></p>'


def _link(entry: Entry, rel: str, label: str) -> str:
    name = html.escape(f"{entry.label} {label}", quote=True)
    return f'<a href="{quote(rel)}" aria-label="{name}">{label}</a>'


def _summary_cell(entry: Entry | None) -> str:
    """A year's summary: its links, or why there is none."""
    if entry is None:
        return '<td class="none">—</td>'
    return f"<td>{_summary(entry)}</td>"


def _summary(entry: Entry) -> str:
    if entry.status == Status.FAILED:
        kept = [_link(entry, r, "出错的笔记本") for r in entry.outputs
                if r.endswith(".failed.ipynb")]  # fmt: skip
        detail = f"<br><small>{html.escape(entry.first_error)}</small>" if entry.first_error else ""
        return f'<span class="failed">失败</span> {" ".join(kept)}{detail}'
    if entry.status == Status.BLOCKED:
        detail = html.escape(entry.first_error)
        return f'<span class="failed">已阻止</span><br><small>{detail}</small>'
    links = []
    for code, suffix in dash.FILES.items():
        rel = next((r for r in entry.outputs if r.endswith(suffix) and
                    (code == "x" or not r.endswith(".failed.ipynb"))), None)  # fmt: skip
        if rel is not None and code != "x":
            links.append(_link(entry, rel, dash.FILE_LABEL[code]))
    return f'<span class="ok">已生成</span> {" ".join(links)}'


def _count_cells(counts: dict[str, int]) -> str:
    return "".join(
        f'<td class="num{" err" if n and c not in (dash.BUILT, dash.CHANGED) else ""}">{n}</td>'
        for c, n in counts.items()
    )


@dataclass
class Tally:
    """What the landing page shows of a year: its reports, its rows per status code."""

    reports: int
    counts: dict[str, int]


def tally(rows: list[dash.Row]) -> Tally:
    return Tally(sum(1 for r in rows if r.entry is not None), dash.counts(rows))


def landing_page(
    years: dict[int, Tally],
    summaries: dict[int, Entry],
    failed_files: list[Entry],
    *,
    agencies: int,
    title: str = TITLE,
    complete: bool = True,
) -> str:
    """`index.html`: each year with its counts per status, its summary and its page
    (`agencies`: how many agencies have a report)."""
    esc = html.escape
    out = [*_head(title), f"<h1>{esc(title)}</h1>"]
    if not complete:
        out.append(_INCOMPLETE)
    total = dict.fromkeys(dash.STATUS_LABEL, 0)
    for t in years.values():
        for c, n in t.counts.items():
            total[c] += n
    reports = sum(t.reports for t in years.values())
    out.append(
        f"<p>共 {reports} 份报告，{agencies} 个机关，{len(years)} 个年度；"
        + "，".join(f"{label} {total[c]} 份" for c, label in dash.STATUS_LABEL.items())
        + (f"；无法读取的参数文件 {len(failed_files)} 个" if failed_files else "")
        + "。</p>"
    )
    if years:
        out.append('<table id="years"><caption>各年度报告与汇总（点击年度查看各机关）</caption>')
        out.append('<thead><tr><th scope="col">年度</th><th scope="col">报告</th>')
        out += [f'<th scope="col">{label}</th>' for label in dash.STATUS_LABEL.values()]
        out.append('<th scope="col">汇总报告</th></tr></thead><tbody>')
        for year in sorted(years, reverse=True):
            link = f'<a href="{year_page_name(year)}">{year}年</a>'
            out.append(f'<tr><th scope="row">{link}</th><td class="num">{years[year].reports}</td>')
            out.append(_count_cells(years[year].counts))
            out.append(f"{_summary_cell(summaries.get(year))}</tr>")
        out.append("</tbody></table>")
    if failed_files:
        out.append('<h2>无法读取的参数文件</h2><ul class="fail">')
        for e in failed_files:
            # an unreadable file's error names the file already
            label = "" if e.source and e.first_error.startswith(e.source) else f"{e.label}："
            out.append(f"<li>{esc(label)}{esc(e.first_error)}</li>")
        out.append("</ul>")
    out += [_stamp(), "</main></body></html>"]
    # file names and messages are quoted: no control character reaches the page raw
    return visible("\n".join(out) + "\n")


_SORTED = {"agency": "机关", "status": "状态", "deadline": "落款日期 / 期限", "errors": "错误",
           "warnings": "警告", "acknowledged": "已核实"}  # fmt: skip


def year_page(
    rows: list[dash.Row],
    year: int,
    years: list[int],
    today: datetime.date,
    *,
    data: str = "",
    summary: Entry | None = None,
    title: str = TITLE,
    complete: bool = True,
) -> str:
    """`index-<year>.html`: the year's dashboard, its rows rendered by script from the
    embedded JSON (`data`: `dash.dumps` of `year_data`, made here if not given)."""
    esc = html.escape
    data = data or dash.dumps(_year_data(rows, year, today))
    heading = f"{year}年度{title}"
    out = [*_head(heading), f"<h1>{esc(heading)}</h1>"]
    tabs = ['<a href="index.html">全部年度</a>'] + [
        f'<a aria-current="page">{y}年</a>' if y == year
        else f'<a href="{year_page_name(y)}">{y}年</a>' for y in years
    ]  # fmt: skip
    out.append(f'<nav aria-label="年度">{" ".join(tabs)}</nav>')
    if not complete:
        out.append(_INCOMPLETE)
    counts = dash.counts(rows)
    n = sum(1 for r in rows if r.entry is not None)
    line = "，".join(f"{label} {counts[c]}" for c, label in dash.STATUS_LABEL.items())
    made = f" 汇总报告：{_summary(summary)}" if summary else ""
    out.append(
        f'<p id="counts">截至 {today.isoformat()}：共 {n} 份报告（{len(rows)} 个机关）；'
        f"{line}。{made}</p>"
    )
    out.append(
        f'<noscript><p>本页的表格由脚本生成：各机关的数据见 <a href="{year_data_name(year)}">'
        f"{year_data_name(year)}</a>（JSON），校验问题见 "
        f'<a href="{findings_page_name(year)}">{findings_page_name(year)}</a>。</p></noscript>'
    )
    out.append('<div class="controls" id="controls" hidden><fieldset><legend>按状态筛选</legend>')
    out.append(
        f'<button type="button" data-status="" aria-pressed="true">全部 {len(rows)}</button>'
    )
    out += [
        f'<button type="button" data-status="{c}" aria-pressed="false">{label} {counts[c]}</button>'
        for c, label in dash.STATUS_LABEL.items()
        if counts[c] or c not in (dash.FAILED, dash.CHANGED)
    ]
    out.append(
        '</fieldset><label for="filter">筛选机关（名称或拼音）：</label>'
        '<input id="filter" type="search" autocomplete="off" aria-describedby="shown"> '
        '<span id="shown" aria-live="polite"></span></div>'
    )
    out.append(f'<table id="reports"><caption>{year}年 各机关报告（点击列标题排序）</caption>')
    heads = [*_SORTED.items(), *((f"f{k}", name) for k, name in enumerate(KEY_FIGURES)),
             ("profile", "版本")]  # fmt: skip
    out.append("<thead><tr>")
    for key, label in heads:
        sort = ' aria-sort="ascending"' if key == "agency" else ""
        out.append(f'<th scope="col" data-sort="{key}"{sort}><button type="button">'
                   f"{esc(label)}</button></th>")  # fmt: skip
    out.append('<th scope="col">文件</th></tr></thead><tbody></tbody></table>')
    out.append('<p><button type="button" id="more" class="more" hidden></button></p>')
    out.append(f'<p><a href="{findings_page_name(year)}">{year}年全部校验问题</a></p>')
    out.append(_stamp())
    out.append(f'</main><script type="application/json" id="data">{data}</script>')
    out.append(f"<script>{_SCRIPT}</script></body></html>")
    return visible("\n".join(out) + "\n")


def _findings(entry: Entry) -> str:
    """The findings kept for a unit, one per line: open errors, open warnings, then those the
    office verified (已核实, with who and why)."""
    if not entry.findings:
        return f"<p>{html.escape(entry.first_error)}</p>" if entry.first_error else ""
    items = []
    order = sorted(entry.findings, key=lambda f: (bool(f.get("acknowledged")),
                                                  f.get("severity") != "error"))  # fmt: skip
    for f in order:
        error = f.get("severity") == "error"
        ack = f.get("acknowledged")
        if ack:
            who = "，".join(
                str(x) for x in (ack.get("by"), ack.get("date"), ack.get("reason")) if x
            )
            label = f'<span class="ack">已核实</span>（{html.escape(who)}）'
        else:
            label = (
                f'<span class="{"err" if error else "warn"}">{"错误" if error else "警告"}</span>'
            )
        line = f"第{f['line']}行 " if f.get("line") else ""
        where = html.escape(f"{line}{f.get('where', '')}")
        code = html.escape(str(f.get("code", "")))
        items.append(f"<li>{label} [{code}] {where}：{html.escape(str(f.get('message', '')))}</li>")
    more = entry.errors + entry.warnings + entry.acknowledged - len(entry.findings)
    if more > 0:
        items.append(f"<li>……另有 {more} 条，运行 disclosure check 查看全部</li>")
    return '<ul class="findings">' + "".join(items) + "</ul>"


def findings_page(rows: list[dash.Row], year: int, *, title: str = TITLE) -> str:
    """`findings-<year>.html`: each report's findings, anchored `r<row>` from the year page."""
    heading = f"{year}年度{title}：校验问题"
    out = [*_head(heading), f"<h1>{html.escape(heading)}</h1>",
           f'<p><a href="{year_page_name(year)}">返回 {year} 年各机关报告</a></p>']  # fmt: skip
    shown = 0
    for i, r in enumerate(rows):
        e = r.entry
        if e is None or not (e.findings or e.first_error):
            continue
        shown += 1
        counts = f"错误 {e.errors}，警告 {e.warnings}，已核实 {e.acknowledged}"
        out.append(f'<h2 id="r{i}">{html.escape(r.agency)}</h2><p><small>{counts}</small></p>')
        out.append(_findings(e))
    if not shown:
        out.append("<p>本年度没有校验问题。</p>")
    out += [_stamp(), "</main></body></html>"]
    return visible("\n".join(out) + "\n")


def iter_pages(
    listing: Listing,
    *,
    title: str = TITLE,
    complete: bool = True,
    pinyin: dict[str, list[str]] | None = None,
    collection: Collection | None = None,
    today: datetime.date | None = None,
    tallies: dict[int, Tally] | None = None,
    changed: Iterable[int] | None = None,
) -> Iterator[tuple[str, str]]:
    """Every page of the index as (file name, text), one year at a time (only that year's
    rows are held), `index.html` last; options as `site_pages`. `tallies`: each year's, as
    shown, then as made; with `changed` (years changed since), a year's pages whose year and
    year before did not, listing the same years, are not made: (name, "") is yielded."""
    today = today or datetime.date.today()
    keys = listing.report_keys()
    summaries = {e.year: e for e in listing.summaries()}
    failed_files = listing.failed_files()
    years = dash.index_years(keys, summaries, collection, today)
    expected = collection.expected() if collection is not None else []
    agencies = {a for a, _ in keys}
    syllables = pinyin_keys(agencies | set(expected), pinyin)
    del keys
    tallies = {} if tallies is None else tallies
    changed = None if changed is None or set(tallies) != set(years) else set(changed)
    kept = {y for y in years if changed is not None and not {y, y - 1} & changed}
    last: tuple[int, dict[tuple[str, int], Entry]] = (0, {})  # the year before's, read for it
    for year in years:
        if year in kept:
            yield from ((name(year), "") for name in _YEAR_PAGES)
            continue
        current = listing.reports((year,))
        before = last[1] if last[0] == year - 1 else listing.reports((year - 1,))
        rows = dash.year_rows({**before, **current}, year, collection, today, syllables)
        last = year, current
        del before, current
        tallies[year] = tally(rows)
        data = dash.dumps(_year_data(rows, year, today))
        yield year_page_name(year), year_page(
            rows, year, years, today, data=data, title=title, summary=summaries.get(year),
            complete=complete,
        )  # fmt: skip
        yield year_data_name(year), data
        del data
        yield findings_page_name(year), findings_page(rows, year, title=title)
        del rows
    for year in set(tallies) - set(years):
        del tallies[year]
    yield INDEX_NAME, landing_page(tallies, summaries, failed_files, agencies=len(agencies),
                                   title=title, complete=complete)  # fmt: skip


def site_pages(
    entries: Iterable[Entry],
    *,
    title: str = TITLE,
    complete: bool = True,
    pinyin: dict[str, list[str]] | None = None,
    collection: Collection | None = None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Every page of the index by file name: `index.html`, and per year its dashboard, its
    data and its findings. `pinyin` caches `pinyin_keys`; `collection` (the office's
    `collection.yaml`) adds 未提交 agencies and due dates; `today` decides 逾期 and days left."""
    pages = iter_pages(Held(entries), title=title, complete=complete, pinyin=pinyin,
                       collection=collection, today=today)  # fmt: skip
    return dict(pages)


def _year_data(rows: list[dash.Row], year: int, today: datetime.date) -> dict[str, object]:
    return {**dash.year_data(rows, year, today), "findings": findings_page_name(year)}


def index_html(entries: Iterable[Entry], **options: Any) -> str:
    """The landing page `index.html` for `entries` (options as `site_pages`)."""
    return site_pages(entries, **options)[INDEX_NAME]


def write_index(
    output_dir: Path,
    entries: Iterable[Entry] | Listing | Manifest,
    *,
    complete: bool = True,
    pinyin: dict[str, list[str]] | None = None,
    collection: Collection | None = None,
    today: datetime.date | None = None,
    tallies: dict[int, Tally] | None = None,
    changed: Iterable[int] | None = None,
) -> Path:
    """Write the index's pages (each unless it already says the same, time stamp aside) and
    remove the year pages of years no longer listed; returns `index.html`'s path. `entries`:
    a `Listing` (the manifest: pages made and written a year at a time) or the entries."""
    from .manifest import write_output

    output_dir = Path(output_dir)
    listing: Listing = (Recorded(entries) if isinstance(entries, Manifest) else entries
                        if isinstance(entries, Held | Recorded)
                        else Held(cast("Iterable[Entry]", entries)))  # fmt: skip
    if changed is not None:  # a year whose pages are not all there is made again
        changed = {*changed, *(y for y in tallies or {} for name in _YEAR_PAGES
                               if not (output_dir / name(y)).is_file())}  # fmt: skip
    written: set[str] = set()
    for name, page in iter_pages(listing, complete=complete, pinyin=pinyin, collection=collection,
                                 today=today, tallies=tallies, changed=changed):  # fmt: skip
        written.add(name)
        if not page:  # kept as it is
            continue
        path = output_dir / name
        try:
            same = _unstamped(path.read_text(encoding="utf-8")) == _unstamped(page)
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            write_output(path, page)
        del page
    if output_dir.is_dir():
        for old in output_dir.iterdir():
            if _PAGES.match(old.name) and old.name not in written and old.is_file():
                old.unlink(missing_ok=True)
    return output_dir / INDEX_NAME


def office_collection(paths: Iterable[Path | str]) -> Collection | None:
    """The office's `collection.yaml` for the params under `paths` (None: none, or one that
    cannot be read: `check` reports that, the index goes without it)."""
    from ..collection import find_collection, load_collection
    from ..errors import ParamsError

    found = find_collection(paths)
    if found is None:
        return None
    try:
        return load_collection(found)
    except ParamsError:
        return None


def _unstamped(page: str) -> str:
    return "\n".join(x for x in page.splitlines() if not x.startswith('<p class="stamp">'))
