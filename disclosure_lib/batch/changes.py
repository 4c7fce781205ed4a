"""The mark of a report a build rebuilt because its content changed (issue 19.5): a small page
beside the report (`<report>.changes.html`) listing what changed since the version built
before — the cover, every figure in the official order (old → new), the sections whose text
changed — and the dashboard's 已更改 status, which follows from that page being among the
report's outputs (`dashboard.py`).

Each built report's entry keeps a `diff.snapshot` of its content. When a build rebuilds a
report, `mark_changes` compares the new snapshot with the one of the version built before
(`diff.snapshot_diff`); no page when nothing of the content changed (a rebuild for new code or
`--force`), nor on a report's first build. A report that fails or is blocked keeps the last
built version's snapshot, so the next good build is compared with what was published. (A
params file that cannot be read at all takes its report's outputs and entry with it: its next
good version is a first build.)
"""

from __future__ import annotations

import html
from pathlib import Path

from .._version import SITE_GENERATOR
from ..diff import SnapshotDiff, shown, snapshot_diff
from ..names import visible
from .manifest import Entry, write_output
from .site_assets import CSS
from .states import Status, UnitKind

CHANGES_SUFFIX = ".changes.html"
_NOTEBOOK = ".ipynb"


def mark_changes(output_dir: Path, old: Entry | None, new: Entry) -> None:
    """Compare `new` (a unit just built, before it is recorded) with `old`, its entry until
    now: write the changes page and add it to `new`'s outputs when the content changed."""
    if new.kind != UnitKind.REPORT:
        return
    before = old.snapshot if old is not None else {}
    if new.status != Status.BUILT:
        new.snapshot = before  # nothing published: the next build compares with the last one
        return
    found = snapshot_diff(before, new.snapshot) if before and new.snapshot else None
    base = _base(new)
    if found is None or found.same or base is None or old is None:  # old: for mypy
        return
    rel = base + CHANGES_SUFFIX
    page = changes_page(new, old, found, rel)
    new.stamps[rel] = write_output(output_dir / rel, page)
    new.outputs.append(rel)


def _base(entry: Entry) -> str | None:
    """The report's files' common path without suffix (from its notebook)."""
    for rel in entry.outputs:
        if rel.endswith(_NOTEBOOK) and not rel.endswith(".failed.ipynb"):
            return rel[: -len(_NOTEBOOK)]
    return None


def _table(ident: str, caption: str, heads: list[str], rows: list[list[str]], nums: int) -> str:
    """A table of `rows` (escaped here); the last `nums` columns are figures."""
    esc = html.escape
    out = [f'<table id="{ident}"><caption>{esc(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{esc(h)}</th>' for h in heads]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f'<th scope="row">{esc(row[0])}</th>']
        for k, value in enumerate(row[1:], 1):
            num = ' class="num"' if k >= len(row) - nums else ""
            cells.append(f"<td{num}>{esc(value)}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def changes_page(new: Entry, old: Entry, found: SnapshotDiff, rel: str) -> str:
    """The page: what changed in `new` since `old` was built (`rel`: where it is written)."""
    esc = html.escape
    heading = f"{new.agency} {new.year}年报告：本次生成的更改"
    up = "../" * rel.count("/")
    when = old.built_at[:16].replace("T", " ") if old.built_at else "上次"
    parts = (("封面与落款", found.cover), ("表格数字", found.cells), ("正文", found.sections))
    counts = "，".join(f"{label} {len(items)} 处" for label, items in parts if items)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{SITE_GENERATOR}">',
        f"<title>{esc(heading)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{esc(heading)}</h1>",
        f'<p><a href="{up}index-{new.year}.html">返回 {new.year} 年各机关报告</a></p>',
        f"<p>与 {esc(when)} 生成的版本相比：{counts}。</p>",
    ]
    if found.cover:
        rows = [[name, x or "空白", y or "空白"] for name, x, y in found.cover]
        out.append(_table("cover", "封面与落款", ["项目", "原为", "现为"], rows, 0))
    if found.cells:
        rows = [[c.table, c.row, c.column, shown(c.before), shown(c.after)] for c in found.cells]
        heads = ["表格", "行", "列", "原为", "现为"]
        out.append(_table("cells", "表格数字（按正式表格顺序）", heads, rows, 2))
    if found.sections:
        items = "".join(f"<li>{esc(h)}</li>" for h in found.sections)
        out.append(f'<h2>正文有改动的部分</h2><ul id="sections">{items}</ul>')
        out.append("<p><small>逐行差异：disclosure diff 旧版参数文件 新版参数文件</small></p>")
    out.append("</main></body></html>")
    return visible("\n".join(out) + "\n")
