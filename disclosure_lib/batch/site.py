"""`outputs/index.html`: every agency × year with its status, check counts and links.

Built from the manifest entries (so skipped, up-to-date reports appear as well as the ones
just built). One self-contained page, all text escaped.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from .._version import __version__
from .manifest import Entry

INDEX_NAME = "index.html"
_LINKS = ((".html", "HTML"), (".pdf", "PDF"), (".ipynb", "笔记本"))

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;
color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #bbb;padding:.35em .6em;
vertical-align:top}th{background:#f0f3f7}td.agency{white-space:nowrap}
.ok{color:#1b6e2e}.failed{color:#b3261e;font-weight:bold}.none{color:#999}
.err{color:#b3261e}.warn{color:#8a5a00}a{margin-right:.5em}small{color:#666}
ul.fail li{margin:.2em 0}
"""


def _href(rel: str) -> str:
    return quote(rel)


def _links(entry: Entry) -> str:
    parts = []
    for suffix, label in _LINKS:
        for rel in entry.outputs:
            if rel.endswith(suffix):
                parts.append(f'<a href="{_href(rel)}">{label}</a>')
                break
    return " ".join(parts)


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return '<td class="none">—</td>'
    if entry.status == "failed":
        status = '<span class="failed">失败</span>'
        detail = f"<br><small>{html.escape(entry.first_error)}</small>" if entry.first_error else ""
        return f"<td>{status} {_links(entry)}{detail}</td>"
    if entry.status == "blocked":
        errors = f'<span class="err">错误 {entry.errors}</span>'
        return f'<td><span class="failed">已阻止</span> {errors}</td>'

    checks = []
    if entry.errors:
        checks.append(f'<span class="err">错误 {entry.errors}</span>')
    if entry.warnings:
        checks.append(f'<span class="warn">警告 {entry.warnings}</span>')
    if not checks:
        checks.append('<span class="ok">校验通过</span>')
    return f'<td><span class="ok">已生成</span> {" ".join(checks)}<br>{_links(entry)}</td>'


def _findings(entry: Entry) -> str:
    """The findings kept for a blocked unit, one per line, errors first."""
    if not entry.findings:
        return f"<p>{html.escape(entry.first_error)}</p>" if entry.first_error else ""
    items = []
    for f in sorted(entry.findings, key=lambda f: f.get("severity") != "error"):
        label = "错误" if f.get("severity") == "error" else "警告"
        line = f"第{f['line']}行 " if f.get("line") else ""
        where = f"{line}{f.get('where', '')}"
        items.append(
            f'<li><span class="{"err" if label == "错误" else "warn"}">{label}</span> '
            f"[{html.escape(str(f.get('code', '')))}] {html.escape(where)}："
            f"{html.escape(str(f.get('message', '')))}</li>"
        )
    more = entry.errors + entry.warnings - len(entry.findings)
    if more > 0:
        items.append(f"<li>……另有 {more} 条，运行 disclosure check 查看全部</li>")
    return '<ul class="findings">' + "".join(items) + "</ul>"


def index_html(
    entries: Iterable[Entry], *, title: str = "政府信息公开工作年度报告", complete: bool = True
) -> str:
    """The index page for `entries` (reports and per-year summaries); `complete=False` marks
    it as the index of an interrupted build."""
    entries = list(entries)
    reports = [e for e in entries if e.kind == "report" and e.agency]
    summaries = {e.year: e for e in entries if e.kind == "summary"}
    years = sorted({e.year for e in [*reports, *summaries.values()]})
    agencies = sorted({e.agency for e in reports})
    grid = {(e.agency, e.year): e for e in reports}
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if not complete:
        out.append(
            '<p class="incomplete" role="alert">本次生成未完成（已中断）：以下仅列出已生成的报告，'
            "重新运行 disclosure build 即可补全。</p>"
        )
    n_failed = sum(1 for e in entries if e.status == "failed")
    n_err = sum(1 for e in reports if e.status == "built" and e.errors)
    out.append(
        f"<p>共 {len(reports)} 份报告，{len(agencies)} 个机关，{len(years)} 个年度；"
        f"失败 {n_failed} 份，存在校验错误 {n_err} 份。</p>"
    )
    if summaries:
        out.append("<h2>年度汇总</h2><table><tr><th>年度</th><th>汇总报告</th></tr>")
        for year in years:
            if year in summaries:
                out.append(f"<tr><td>{year}年</td>{_cell(summaries[year])}</tr>")
        out.append("</table>")
    out.append("<h2>各机关报告</h2><table><tr><th>机关</th>")
    out += [f"<th>{y}年</th>" for y in years]
    out.append("</tr>")
    for agency in agencies:
        out.append(f'<tr><td class="agency">{html.escape(agency)}</td>')
        out += [_cell(grid.get((agency, y))) for y in years]
        out.append("</tr>")
    out.append("</table>")
    blocked = [e for e in entries if e.status == "blocked"]
    if blocked:
        out.append("<h2>已阻止发布的报告（校验错误，--strict）</h2>")
        for e in blocked:
            out.append(f"<h3>{html.escape(e.label)}</h3>")
            out.append(_findings(e))
    failed = [e for e in entries if e.status == "failed"]
    if failed:
        out.append('<h2>失败的报告</h2><ul class="fail">')
        for e in failed:
            out.append(f"<li>{html.escape(e.label)}：{html.escape(e.first_error)}</li>")
        out.append("</ul>")
    stamp = time.strftime("%Y-%m-%d %H:%M")
    made = f"由 disclosure_lib {__version__} 生成于 {stamp}"
    out.append(f'<p class="stamp"><small>{made}</small></p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_index(output_dir: Path, entries: Iterable[Entry], *, complete: bool = True) -> Path:
    """Write `index.html` unless it already says the same (the time stamp aside)."""
    from .manifest import write_output

    path = Path(output_dir) / INDEX_NAME
    page = index_html(entries, complete=complete)
    try:
        same = _unstamped(path.read_text(encoding="utf-8")) == _unstamped(page)
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        write_output(path, page)
    return path


def _unstamped(page: str) -> str:
    return "\n".join(x for x in page.splitlines() if not x.startswith('<p class="stamp">'))
