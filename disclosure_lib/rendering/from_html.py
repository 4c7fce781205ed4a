"""HTML outputs that did not come from the layout (e.g. a notebook's own `display(HTML(…))`,
the yearly summary's fragments) as layout blocks, so the PDF and DOCX writers print them too.

Reads the plain structure such fragments use: h1–h4, p, pre, ul/ol, tables (thead, rowspan,
colspan, `<br>`), figures with an embedded PNG; sections and articles are walked through.
Anything else prints as its text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import layout as lo

if TYPE_CHECKING:
    from bs4 import Tag

_CONTAINERS = {"article", "section", "div", "main", "header", "footer", "body", "html", "aside",
               "nav", "center", "blockquote", "span", "a", "b", "strong", "em", "i"}  # fmt: skip
_PARA_STYLES = {"checks-pass": "pass", "checks-summary": "fail", "chart-empty": "center"}


def expand(blocks: Iterable[lo.Block]) -> list[lo.Block]:
    """`blocks` with every `Raw` replaced by the blocks its HTML holds."""
    out: list[lo.Block] = []
    for block in blocks:
        if isinstance(block, lo.Raw):
            out.extend(blocks_from_html(block.html) or ([lo.Pre(block.text)] if block.text else []))
        elif isinstance(block, lo.Section):
            out.append(
                lo.Section(block.id, block.cls, expand(block.blocks), new_page=block.new_page)
            )
        else:
            out.append(block)
    return out


def blocks_from_html(markup: str) -> list[lo.Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    out: list[lo.Block] = []
    _walk(soup, out)
    return out


def _text(tag: object) -> str:
    from bs4 import NavigableString, Tag

    if isinstance(tag, NavigableString):
        return str(tag)
    assert isinstance(tag, Tag)
    parts: list[str] = []
    for child in tag.descendants:
        if isinstance(child, Tag) and child.name == "br":
            parts.append("\n")
        elif isinstance(child, NavigableString):
            if child.parent is not None and child.parent.name in ("script", "style"):
                continue
            parts.append(str(child))
    return _clean("".join(parts))


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _walk(node: object, out: list[lo.Block]) -> None:
    from bs4 import Comment, NavigableString, Tag

    assert isinstance(node, Tag)
    loose: list[str] = []

    def flush() -> None:
        text = _clean("".join(loose))
        loose.clear()
        if text:
            out.append(lo.Para(text, "plain"))

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in ("script", "style", "template", "noscript"):
            continue
        if name == "br":
            loose.append("\n")
            continue
        if name in ("span", "a", "b", "strong", "em", "i", "small", "sup", "sub", "code"):
            loose.append(_text(child))
            continue
        flush()
        classes = set(child.get("class") or [])
        if name == "h1":
            out.append(lo.Title((_text(child),)))
        elif name == "h2":
            out.append(lo.Heading(_text(child), level=1))
        elif name in ("h3", "h4", "h5", "h6"):
            out.append(lo.Heading(_text(child), level=2))
        elif name == "p":
            style = next((_PARA_STYLES[c] for c in classes if c in _PARA_STYLES), "body")
            text = _text(child)
            if text:
                out.append(lo.Para(text, style))
        elif name == "pre":
            out.append(lo.Pre(child.get_text()))
        elif name in ("ul", "ol"):
            for n, li in enumerate(child.find_all("li", recursive=False), 1):
                mark = f"{n}." if name == "ol" else "·"
                out.append(lo.Para(f"{mark} {_text(li)}", "plain"))
        elif name == "table":
            out.append(_table(child))
        elif name == "figure":
            out.append(_figure(child))
        elif name == "img":
            png = _png(str(child.get("src", "")))
            if png is not None:
                out.append(lo.Figure(key="image", alt=str(child.get("alt", "")), png=png))
        else:  # containers and unknown tags: their content
            _walk(child, out)
    flush()


def _png(src: str) -> bytes | None:
    prefix = "data:image/png;base64,"
    if not src.startswith(prefix):
        return None
    try:
        return base64.b64decode(src[len(prefix) :], validate=False)
    except (binascii.Error, ValueError):
        return None


def _figure(tag: object) -> lo.Figure:
    from bs4 import Tag

    assert isinstance(tag, Tag)
    img = tag.find("img")
    caption = tag.find("figcaption")
    empty = tag.find("p")
    png = _png(str(img.get("src", ""))) if isinstance(img, Tag) else None
    return lo.Figure(
        key=str(tag.get("data-chart", "")),
        title=_text(caption) if caption is not None else "",
        alt=str(img.get("alt", "")) if isinstance(img, Tag) else "",
        png=png,
        empty="" if png is not None or empty is None else _text(empty),
    )


def _table(tag: object) -> lo.Table:
    from bs4 import Tag

    assert isinstance(tag, Tag)
    rows: list[list[lo.Cell]] = []
    header_rows = 0
    for tr in tag.find_all("tr"):
        if tr.find_parent("table") is not tag:
            continue
        in_head = tr.find_parent("thead") is not None
        cells = []
        for td in tr.find_all(["th", "td"], recursive=False):
            classes = set(td.get("class") or [])
            left = bool(classes & {"row-label", "row-head", "corner", "align-left"})
            cells.append(
                lo.Cell(
                    _text(td),
                    header=td.name == "th",
                    colspan=_int(td.get("colspan")),
                    rowspan=_int(td.get("rowspan")),
                    align="left"
                    if left or (td.name == "td" and "num" not in classes and len(_text(td)) > 12)
                    else "center",
                    cls=" ".join(sorted(classes)),
                )
            )
        rows.append(cells)
        if in_head:
            header_rows = len(rows)
    rows = regular(rows, _width(rows))
    return lo.Table(
        key=str(tag.get("data-table", "")) or "table",
        rows=rows,
        widths=_col_widths(tag) or _natural_widths(rows),
        header_rows=header_rows,
        style="official" if "official" in (tag.get("class") or []) else "data",
    )


_EM = re.compile(r"width:\s*([\d.]+)em")
PAGE_EM = 44.0  # the type area's width in em of the table font


def _col_widths(tag: Tag) -> tuple[float, ...]:
    """Widths our own HTML writer put in `<colgroup>` (em; 0 = share the rest)."""
    cols = tag.find_all("col")
    if not cols:
        return ()
    out = []
    for col in cols:
        m = _EM.search(str(col.get("style", "")))
        out.append(float(m[1]) if m else 0.0)
    return tuple(out)


def _natural_widths(rows: list[list[lo.Cell]]) -> tuple[float, ...]:
    """Each column as wide as its longest single-column line; the widest column takes what
    is left when they do not all fit."""
    n = _width(rows)
    widths = [2.0] * n
    for row in rows:
        col = 0
        for cell in row:  # rowspans from above are not tracked: a heuristic is enough here
            if cell.colspan == 1 and col < n:
                longest = max((len(x) for x in cell.text.split("\n")), default=0)
                widths[col] = max(widths[col], min(longest, 16) + 0.6)
            col += cell.colspan
    if sum(widths) > PAGE_EM:
        widths[widths.index(max(widths))] = 0.0
    return tuple(widths)


def regular(rows: list[list[lo.Cell]], width: int) -> list[list[lo.Cell]]:
    """A ragged grid made regular: spans clipped to the table, short rows padded with empty
    cells (Typst places cells in order, so a missing cell would shift every one after it)."""
    taken: set[tuple[int, int]] = set()
    out: list[list[lo.Cell]] = []
    for r, row in enumerate(rows):
        placed: list[lo.Cell] = []
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            if c >= width:
                break
            cell.colspan = max(1, min(cell.colspan, width - c))
            cell.colspan = next(
                (n for n in range(1, cell.colspan + 1) if (r, c + n) in taken), cell.colspan
            )
            cell.rowspan = max(1, min(cell.rowspan, len(rows) - r))
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    taken.add((rr, cc))
            placed.append(cell)
            c += cell.colspan
        placed += [lo.Cell() for cc in range(width) if (r, cc) not in taken]
        for cc in range(width):
            taken.add((r, cc))
        out.append(placed)
    return out


def _int(value: object) -> int:
    try:
        return max(1, int(str(value)))
    except (TypeError, ValueError):
        return 1


def _width(rows: list[list[lo.Cell]]) -> int:
    """Columns of the grid, honouring rowspans from rows above."""
    width = 0
    carried: dict[int, int] = {}
    for i, row in enumerate(rows):
        here = carried.get(i, 0)
        for cell in row:
            here += cell.colspan
            for j in range(i + 1, i + cell.rowspan):
                carried[j] = carried.get(j, 0) + cell.colspan
        width = max(width, here)
    return max(width, 1)
