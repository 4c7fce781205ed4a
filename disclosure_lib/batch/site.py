"""`outputs/index.html`: every agency × year with its status, check counts and links.

Built from the manifest entries (so skipped, up-to-date reports appear as well as the ones
just built). One self-contained page, all text escaped; agencies in pinyin order (as Chinese
readers look them up), a filter box (by name or pinyin, a few lines of script: without it the
page still lists everything), blocked reports with their findings, failures with their cause.
Accessible (WCAG 2.1 AA): table headers with scope, a caption per table, a labelled filter,
text contrast ≥ 4.5:1, `lang="zh-CN"`.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from .._version import __version__
from .manifest import Entry
from .states import Status, UnitKind

INDEX_NAME = "index.html"
_LINKS = ((".html", "HTML"), (".pdf", "PDF"), (".docx", "Word"), (".ipynb", "笔记本"))

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;
color:#222;line-height:1.5}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1em}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #999;padding:.35em .6em;
vertical-align:top;text-align:left}thead th{background:#eef1f5}th.agency{font-weight:normal;
white-space:nowrap}caption{text-align:left;font-weight:bold;padding:.3em 0}
.ok{color:#1b6e2e}.failed{color:#b3261e;font-weight:bold}.none{color:#595959}
.err{color:#b3261e}.warn{color:#7a4f00}a{margin-right:.5em;color:#0b57a4}small{color:#595959}
.incomplete{border:2px solid #b3261e;padding:.5em .8em;color:#b3261e}
.filter{margin:1em 0}.filter input{font-size:1em;padding:.3em;width:16em}
ul.fail li,ul.findings li{margin:.2em 0}
"""

# Rows whose agency name or pinyin does not contain the typed text are hidden.
_SCRIPT = """
(function(){var box=document.getElementById("filter"),
rows=document.querySelectorAll("#reports tbody tr"),note=document.getElementById("shown");
box.addEventListener("input",function(){var q=box.value.trim().toLowerCase().replace(/\\s+/g,""),
n=0;rows.forEach(function(r){var hit=!q||r.dataset.search.indexOf(q)>=0;r.hidden=!hit;
if(hit)n++;});note.textContent="显示 "+n+" / "+rows.length+" 个机关";});})();
"""


# pypinyin's dictionaries take ≈ 55 MB once loaded: a short-lived process computes the pinyin
# of names not seen before (the manifest keeps them), so the build driver stays small.
_PINYIN = """
import json, sys
from pypinyin import Style, lazy_pinyin
out = {}
for name in json.load(sys.stdin):
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    out[name] = ["".join(syllables), "".join(s[:1] for s in syllables)]
json.dump(out, sys.stdout)
"""


def pinyin_keys(
    names: Iterable[str], cache: dict[str, list[str]] | None = None
) -> dict[str, tuple[str, str]]:
    """(full pinyin, initials) of each name: the sort key and what the filter matches. Names
    missing from `cache` are computed (in a separate process) and added to it; a name that
    cannot be computed sorts by itself."""
    cache = {} if cache is None else cache
    missing = sorted({n for n in names if n not in cache})
    if missing:
        cache.update(_pinyin_elsewhere(missing))
    return {n: (cache[n][0], cache[n][1]) if n in cache else (n, n) for n in names}


def _pinyin_elsewhere(names: list[str]) -> dict[str, list[str]]:
    try:
        run = subprocess.run([sys.executable, "-c", _PINYIN], input=json.dumps(names),
                             capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        found = json.loads(run.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    return {n: v for n, v in found.items() if isinstance(v, list) and len(v) == 2}


def _link(entry: Entry, rel: str, label: str) -> str:
    name = html.escape(f"{entry.label} {label}", quote=True)
    return f'<a href="{quote(rel)}" aria-label="{name}">{label}</a>'


def _links(entry: Entry) -> str:
    parts = []
    for suffix, label in _LINKS:
        for rel in entry.outputs:
            if rel.endswith(suffix) and not rel.endswith(".failed.ipynb"):
                parts.append(_link(entry, rel, label))
                break
    return " ".join(parts)


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return '<td class="none">—</td>'
    if entry.status == Status.FAILED:
        status = '<span class="failed">失败</span>'
        detail = f"<br><small>{html.escape(entry.first_error)}</small>" if entry.first_error else ""
        kept = [
            _link(entry, r, "出错的笔记本") for r in entry.outputs if r.endswith(".failed.ipynb")
        ]
        return f"<td>{status} {' '.join(kept)}{detail}</td>"
    if entry.status == Status.BLOCKED:
        anchor = f"blocked-{_anchor(entry)}"
        return (
            f'<td><span class="failed">已阻止</span> <span class="err">错误 {entry.errors}</span>'
            f'<br><a href="#{anchor}">查看校验问题</a></td>'
        )
    checks = []
    if entry.errors:
        checks.append(f'<span class="err">错误 {entry.errors}</span>')
    if entry.warnings:
        checks.append(f'<span class="warn">警告 {entry.warnings}</span>')
    if not checks:
        checks.append('<span class="ok">校验通过</span>')
    return f'<td><span class="ok">已生成</span> {" ".join(checks)}<br>{_links(entry)}</td>'


def _anchor(entry: Entry) -> str:
    return quote(entry.key, safe="")


def _findings(entry: Entry) -> str:
    """The findings kept for a blocked unit, one per line, errors first."""
    if not entry.findings:
        return f"<p>{html.escape(entry.first_error)}</p>" if entry.first_error else ""
    items = []
    for f in sorted(entry.findings, key=lambda f: f.get("severity") != "error"):
        error = f.get("severity") == "error"
        label = f'<span class="{"err" if error else "warn"}">{"错误" if error else "警告"}</span>'
        line = f"第{f['line']}行 " if f.get("line") else ""
        where = html.escape(f"{line}{f.get('where', '')}")
        code = html.escape(str(f.get("code", "")))
        items.append(f"<li>{label} [{code}] {where}：{html.escape(str(f.get('message', '')))}</li>")
    more = entry.errors + entry.warnings - len(entry.findings)
    if more > 0:
        items.append(f"<li>……另有 {more} 条，运行 disclosure check 查看全部</li>")
    return '<ul class="findings">' + "".join(items) + "</ul>"


def index_html(
    entries: Iterable[Entry],
    *,
    title: str = "政府信息公开工作年度报告",
    complete: bool = True,
    pinyin: dict[str, list[str]] | None = None,
) -> str:
    """The index page for `entries` (reports and per-year summaries); `complete=False` marks
    it as the index of an interrupted build; `pinyin` caches `pinyin_keys`."""
    entries = list(entries)
    reports = [e for e in entries if e.kind == UnitKind.REPORT and e.agency]
    summaries = {e.year: e for e in entries if e.kind == UnitKind.SUMMARY}
    years = sorted({e.year for e in [*reports, *summaries.values()]})
    keys = pinyin_keys({e.agency for e in reports}, pinyin)
    # as Chinese readers look them up: by pinyin, not by code point; the name breaks ties
    agencies = sorted(keys, key=lambda a: (keys[a][0], a))
    grid = {(e.agency, e.year): e for e in reports}
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
    ]
    if not complete:
        out.append(
            '<p class="incomplete" role="alert">本次生成未完成（已中断）：以下仅列出已生成的报告，'
            "重新运行 disclosure build 即可补全。</p>"
        )
    n_failed = sum(1 for e in entries if e.status == Status.FAILED)
    n_blocked = sum(1 for e in reports if e.status == Status.BLOCKED)
    n_err = sum(1 for e in reports if e.status == Status.BUILT and e.errors)
    out.append(
        f"<p>共 {len(reports)} 份报告，{len(agencies)} 个机关，{len(years)} 个年度；"
        f"失败 {n_failed} 份，存在校验错误 {n_err} 份"
        + (f"，因校验错误未发布 {n_blocked} 份" if n_blocked else "")
        + "。</p>"
    )
    if summaries:
        out.append("<h2>年度汇总</h2><table><caption>各年度汇总报告</caption>")
        out.append('<thead><tr><th scope="col">年度</th><th scope="col">汇总报告</th></tr></thead>')
        out.append("<tbody>")
        for year in years:
            if year in summaries:
                out.append(f'<tr><th scope="row">{year}年</th>{_cell(summaries[year])}</tr>')
        out.append("</tbody></table>")
    out.append("<h2>各机关报告</h2>")
    if len(agencies) > 1:
        out.append(
            '<p class="filter"><label for="filter">筛选机关（名称或拼音）：</label>'
            '<input id="filter" type="search" autocomplete="off" aria-describedby="shown"> '
            f'<span id="shown" aria-live="polite">共 {len(agencies)} 个机关</span></p>'
        )
    out.append('<table id="reports"><caption>各机关各年度报告（按机关名称拼音排序）</caption>')
    out.append('<thead><tr><th scope="col">机关</th>')
    out += [f'<th scope="col">{y}年</th>' for y in years]
    out.append("</tr></thead><tbody>")
    for agency in agencies:
        full, initials = keys[agency]
        search = esc(f"{agency.lower()} {full} {initials}", quote=True)
        out.append(f'<tr data-search="{search}"><th scope="row" class="agency">{esc(agency)}</th>')
        out += [_cell(grid.get((agency, y))) for y in years]
        out.append("</tr>")
    out.append("</tbody></table>")
    blocked = [e for e in entries if e.status == Status.BLOCKED]
    if blocked:
        out.append("<h2>因校验错误未发布的报告（--strict）</h2>")
        for e in sorted(blocked, key=lambda e: (keys.get(e.agency, ("",))[0], e.agency, e.year)):
            out.append(f'<h3 id="blocked-{_anchor(e)}">{esc(e.label)}</h3>')
            out.append(_findings(e))
    failed = [e for e in entries if e.status == Status.FAILED]
    if failed:
        out.append('<h2>失败的报告</h2><ul class="fail">')
        for e in failed:
            # an unreadable file's error names the file already
            label = "" if e.source and e.first_error.startswith(e.source) else f"{e.label}："
            out.append(f"<li>{esc(label)}{esc(e.first_error)}</li>")
        out.append("</ul>")
    made = f"由 disclosure_lib {__version__} 生成于 {time.strftime('%Y-%m-%d %H:%M')}"
    out.append(f'<p class="stamp"><small>{made}</small></p>')
    out.append("</main>")
    if len(agencies) > 1:
        out.append(f"<script>{_SCRIPT}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_index(
    output_dir: Path,
    entries: Iterable[Entry],
    *,
    complete: bool = True,
    pinyin: dict[str, list[str]] | None = None,
) -> Path:
    """Write `index.html` unless it already says the same (the time stamp aside)."""
    from .manifest import write_output

    path = Path(output_dir) / INDEX_NAME
    page = index_html(entries, complete=complete, pinyin=pinyin)
    try:
        same = _unstamped(path.read_text(encoding="utf-8")) == _unstamped(page)
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        write_output(path, page)
    return path


def _unstamped(page: str) -> str:
    return "\n".join(x for x in page.splitlines() if not x.startswith('<p class="stamp">'))
