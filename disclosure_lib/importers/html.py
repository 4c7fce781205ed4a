"""Published HTML pages → blocks (prose lines and table rows) for the importer.

Handles what real pages carry: GBK/GB2312/UTF-8 (BOM, <meta charset>, or sniffed), `&nbsp;`
cells, nested inline tags, `<br>` inside cells, tables with rowspan/colspan, full-width
digits. Rows are recognised downstream by their labels, not by column position, so a
label cell spanning several rows (rowspan) or columns (colspan) is emitted once, where the
page has it; span copies would only repeat labels.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4.exceptions import ParserRejectedMarkup

from ..errors import ImportError_
from .oneline import page_lines
from .text import Block, check_printable

_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTML_SNIFF = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|table|tr|td|p|div|meta|br)\b", re.I
)
_WS = re.compile(r"[\s\u00a0\u3000]+")
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "csgb2312", "euc-cn"}
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
    ]
)
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "object", "select"}
)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.search(text[:20_000]))


def decode_html(data: bytes, path: Path | str | None = None) -> str:
    """Bytes of a web page → str, honouring BOM and <meta charset>; GBK family → GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return check_printable(data[3:].decode("utf-8", errors="replace"), path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return check_printable(data.decode("utf-16", errors="replace"), path)
    declared = None
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        if declared in _GB:
            declared = "gb18030"
    tried = [c for c in (declared, "utf-8", "gb18030") if c]
    for codec in tried:
        try:
            return check_printable(data.decode(codec), path)
        except (UnicodeDecodeError, LookupError):
            continue
    return check_printable(data.decode("gb18030", errors="replace"), path)


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _cell_text(cell: Tag) -> str:
    # Text pieces are joined by spaces: labels wrapped with <br> (商业<br>企业) are rejoined
    # by label normalisation, while numbers in separate children stay apart.
    parts = [str(s) for s in cell.find_all(string=True) if not isinstance(s, Comment)]
    return _clean(" ".join(p for p in parts if p.strip()))


def _table_rows(table: Tag) -> list[Block]:
    """Rows of `table` (not of tables nested in it), each cell emitted once."""
    out: list[Block] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells: list[str] = []
        lines: list[int] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            cells.append(_cell_text(td))
            lines.append(td.sourceline or tr.sourceline or 0)
        if any(cells):
            out.append(Block(line=tr.sourceline or 0, cells=cells, cell_lines=lines))
    return out


def html_blocks(text: str) -> list[Block]:
    """Prose lines and table rows of a page, in document order."""
    soup = BeautifulSoup(text, "html.parser")
    blocks: list[Block] = []
    title = soup.find("title")
    if isinstance(title, Tag) and title.get_text(strip=True):
        blocks.append(Block(line=title.sourceline or 0, text=_clean(title.get_text())))
    root: Tag = soup.body if isinstance(soup.body, Tag) else soup
    buf: list[str] = []
    buf_line = [0]

    def flush() -> None:
        line = _clean("".join(buf))
        buf.clear()
        if line:
            parts, flat = page_lines(line)
            blocks.extend(Block(line=buf_line[0], text=p.strip(), flat=flat) for p in parts)

    # explicit stack: deeply nested pages must not hit the recursion limit
    stack: list[tuple[Tag, list[object]]] = [(root, list(reversed(list(root.children))))]
    while stack:
        node, children = stack[-1]
        if not children:
            stack.pop()
            if node.name in BLOCK_TAGS:
                flush()
            continue
        child = children.pop()
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            if not buf:
                buf_line[0] = getattr(node, "sourceline", None) or buf_line[0]
            buf.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in SKIP_TAGS or child.name == "title":
            continue
        if child.name == "table":
            flush()
            blocks.extend(_table_rows(child))
            continue
        if child.name == "br":
            flush()
            continue
        if child.name in BLOCK_TAGS:
            flush()
        stack.append((child, list(reversed(list(child.children)))))
    flush()
    return blocks


def read_html(data: bytes, path: Path | str | None = None) -> list[Block]:
    text = decode_html(data, path)
    try:
        return html_blocks(text)
    # html.parser on hostile input; bs4 wraps some of its failures in ParserRejectedMarkup
    except (RecursionError, AssertionError, ValueError, ParserRejectedMarkup) as exc:
        raise ImportError_(
            f"无法解析网页 (unparsable HTML: {type(exc).__name__})", path=path
        ) from None
