"""The HTML writer of the layout (`layout.py`): the report as a web page, as portals publish it.

Every text goes through `html.escape`: a narrative holding `<script>`, `{{ }}`, Markdown or
LaTeX shows literally. Tables keep the official grid (`rowspan`/`colspan`); every figure names
its row and column headings (`headers`, `scope`), so a screen reader reads it with them. The
page (`page`) is self-contained: one stylesheet, images embedded, `lang="zh-CN"`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from pathlib import Path

from .._version import __version__
from . import layout as lo

# Classes that keep MathJax (JupyterLab, classic notebook) from typesetting `$…$` in reports.
NO_MATH = "tex2jax_ignore mathjax_ignore"
STYLESHEET = Path(__file__).parent / "templates" / "disclosure_report" / "report.css"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _lines(text: str) -> str:
    """Escaped text with its line breaks as `<br>`."""
    return "<br>".join(esc(line) for line in text.split("\n"))


# --- blocks -------------------------------------------------------------------------------------


def _attrs(**attrs: object) -> str:
    out = []
    for name, value in attrs.items():
        if value in (None, "", 1, ()) and name not in ("alt",):
            continue
        key = name.rstrip("_").replace("_", "-")
        if isinstance(value, tuple):
            value = " ".join(value)
        out.append(f' {key}="{esc(value)}"')
    return "".join(out)


def _cell(cell: lo.Cell) -> str:
    tag = "th" if cell.header else "td"
    cls = " ".join(x for x in (cell.cls, f"level-{cell.level}" if cell.level else "") if x)
    align = "" if cell.align == "center" else f"align-{cell.align}"
    attrs = _attrs(
        class_=" ".join(x for x in (cls, align) if x),
        colspan=cell.colspan,
        rowspan=cell.rowspan,
        scope=cell.scope,
        id=cell.id,
        headers=cell.headers,
    )
    return f"<{tag}{attrs}>{_lines(cell.text)}</{tag}>"


def table_markup(table: lo.Table, labelledby: str = "") -> str:
    label = _attrs(aria_labelledby=labelledby) if labelledby else _attrs(aria_label=table.caption)
    out = [
        f'<div class="table-wrap" role="region" tabindex="0"{label}>',
        f'<table class="{esc(table.style)} {esc(table.key)}" data-table="{esc(table.key)}">',
    ]
    if table.widths:
        out.append("<colgroup>")
        out += [
            f'<col style="width: {w:g}em">' if w else "<col>" for w in table.widths
        ]  # fmt: skip
        out.append("</colgroup>")
    if table.header_rows:
        out.append("<thead>")
        out += [
            f"<tr>{''.join(_cell(c) for c in row)}</tr>" for row in table.rows[: table.header_rows]
        ]
        out.append("</thead>")
    starts = sorted({table.header_rows, *table.groups})
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(table.rows)
        if start >= end:
            continue
        out.append("<tbody>")
        out += [f"<tr>{''.join(_cell(c) for c in row)}</tr>" for row in table.rows[start:end]]
        out.append("</tbody>")
    out += ["</table>", "</div>"]
    return "\n".join(out)


def _figure(block: lo.Figure) -> str:
    out = [f'<figure class="chart" data-chart="{esc(block.key)}">']
    if block.png is not None:
        import base64

        uri = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        out.append(f'<img src="{uri}" alt="{esc(block.alt)}">')
    else:
        out.append(f'<p class="chart-empty">{esc(block.empty)}</p>')
    out += [f"<figcaption>{esc(block.title)}</figcaption>", "</figure>"]
    return "\n".join(out)


def _blocks(blocks: Iterable[lo.Block], heading: str = "") -> Iterable[str]:
    for block in blocks:
        if isinstance(block, lo.Title):
            lines = "".join(f'<span class="line">{esc(x)}</span>' for x in block.lines)
            yield f'<h1 class="title">{lines}</h1>'
        elif isinstance(block, lo.Heading):
            tag = "h2" if block.level <= 1 else "h3"
            yield f"<{tag}{_attrs(id=block.id)}>{esc(block.text)}</{tag}>"
        elif isinstance(block, lo.Para):
            yield f'<p class="{esc(block.style)}">{esc(block.text)}</p>'
        elif isinstance(block, lo.Table):
            yield table_markup(block, heading)
        elif isinstance(block, lo.Figure):
            yield _figure(block)
        elif isinstance(block, lo.Signature):
            date = f'<p class="date">{esc(block.date)}</p>' if block.date else ""
            yield f'<div class="signature"><p class="agency">{esc(block.agency)}</p>{date}</div>'
        elif isinstance(block, lo.Section):
            first = block.blocks[0] if block.blocks else None
            head = first.id if isinstance(first, lo.Heading) and first.id else ""
            yield f"<section{_attrs(class_=block.cls, id=block.id, aria_labelledby=head)}>"
            yield from _blocks(block.blocks, head)
            yield "</section>"
        elif isinstance(block, lo.Raw):
            yield block.html
        elif isinstance(block, lo.Pre):
            yield f'<pre class="output stream">{esc(block.text)}</pre>'


def draft_banner(mark: str, reason: str = "") -> str:
    """The draft mark of a report that failed its checks: a banner at the top of the page,
    fixed on every printed page (the stylesheet's `.draft`); "" when `mark` is empty."""
    if not mark:
        return ""
    why = f'<span class="reason">{esc(reason)}</span>' if reason else ""
    return f'<div class="draft" role="note"><strong class="mark">{esc(mark)}</strong>{why}</div>\n'


def render_blocks(blocks: list[lo.Block]) -> str:
    """Blocks as one `<article>` (what a notebook cell displays)."""
    return "\n".join(
        [f'<article class="report {NO_MATH}" lang="zh-CN">', *_blocks(blocks), "</article>"]
    )


@functools.cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def page(doc: lo.Document) -> str:
    """The whole report as one self-contained HTML page."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{esc(doc.lang or "zh-CN")}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="disclosure_lib {esc(__version__)}">',
            f"<title>{esc(doc.title)}</title>",
            f"<style>\n{stylesheet()}</style>",
            "</head>",
            "<body>",
            f'<main class="document {NO_MATH}">',
            draft_banner(doc.draft, doc.draft_reason) + render_blocks(doc.blocks),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
