"""Published HTML pages → blocks (prose lines and table rows) for the importer.

Handles what real pages carry: GBK/GB2312/UTF-8 (BOM, <meta charset>, or sniffed), `&nbsp;`
cells, nested inline tags, `<br>` inside cells, tables with rowspan/colspan, full-width
digits. Rows are recognised downstream by their labels, not by column position, so a
label cell spanning several rows (rowspan) or columns (colspan) is emitted once, where the
page has it; span copies would only repeat labels.

Bounded (`limits`): the markup is scanned before BeautifulSoup builds anything — elements,
tags, table cells, and the nesting depth as html.parser builds it (an unclosed tag stays
open) — and a large page is read in a child process under the time and memory limits.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4.exceptions import ParserRejectedMarkup

from ..errors import ImportError_
from ..findings import DRAFT_MARK
from . import limits
from .bounded import run_bounded
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


# what html.parser sees: comments, script/style text (not markup), start and end tags; bounded
# classes ([^<>]) so that a run of `<` without `>` costs one pass, not one per `<`
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b[^<>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/<>]*)[^<>]*?(/?)>",
    re.S | re.I,
)
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "menuitem",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "basefont",
        "bgsound",
        "command",
        "frame",
        "image",
        "isindex",
        "nextid",
        "spacer",
    ]
)


def check_markup(text: str, path: Path | str | None = None) -> int:
    """Refuse a page with too many elements, tags or table cells, or nested too deep (an
    unclosed tag nests what follows, as html.parser builds it); else its number of tags."""
    stack: list[str] = []
    open_: dict[str, int] = {}
    elements = cells = tags = 0
    for m in _MARKUP.finditer(text):
        name = (m.group(3) or m.group(1) or "").lower()
        if not name:
            continue  # a comment
        tags += 1
        if tags > limits.MAX_TAGS:  # end tags closing nothing cost the parser as much
            raise limits.refuse(
                f"网页标签超过 {limits.MAX_TAGS:,} 个，超出上限", "too many tags", path
            )
        if m.group(2):  # an end tag closes the latest open one of its name, and all in it
            if open_.get(name):
                while stack:
                    top = stack.pop()
                    open_[top] -= 1
                    if top == name:
                        break
            continue
        elements += 1
        if elements > limits.MAX_ELEMENTS:
            raise limits.refuse(
                f"网页元素超过 {limits.MAX_ELEMENTS:,} 个，超出上限", "too many elements", path
            )
        if name in ("td", "th"):
            cells += 1
            if cells > limits.MAX_CELLS:
                raise limits.refuse(
                    f"网页表格单元格超过 {limits.MAX_CELLS:,} 个，超出上限",
                    "too many table cells",
                    path,
                )
        if m.group(4) or m.group(1) or name in VOID_TAGS:
            continue
        stack.append(name)
        open_[name] = open_.get(name, 0) + 1
        if len(stack) > limits.MAX_DEPTH:
            raise limits.refuse(
                f"网页元素嵌套超过 {limits.MAX_DEPTH} 层，超出上限", "nested too deep", path
            )
    return tags


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
    for tr in _own_rows(table):
        cells: list[str] = []
        lines: list[int] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            cells.append(_cell_text(td))
            lines.append(td.sourceline or tr.sourceline or 0)
        if any(cells):
            out.append(Block(line=tr.sourceline or 0, cells=cells, cell_lines=lines))
    return out


def _own_rows(table: Tag) -> list[Tag]:
    """The `<tr>` of `table`, not of tables nested in it, in document order (one walk: no
    climb to each row's table, which costs the depth per row)."""
    rows: list[Tag] = []
    stack = [c for c in reversed(table.contents) if isinstance(c, Tag)]
    while stack:
        node = stack.pop()
        if node.name == "table":
            continue
        if node.name == "tr":
            rows.append(node)
        stack.extend(c for c in reversed(node.contents) if isinstance(c, Tag))
    return rows


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
        if "draft" in (child.get("class") or ()) and child.get_text().startswith(DRAFT_MARK):
            continue  # the banner of a draft of ours: not part of the report
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
    """Blocks of a page; a page of more than `limits.IN_PROCESS_TAGS` tags is read in a child
    process under the time and memory limits (a child costs a usual page twice its time)."""
    text = decode_html(data, path)
    if check_markup(text, path) <= limits.IN_PROCESS_TAGS:
        return _read_html(text, path)
    return run_bounded(lambda: _read_html(text, path), "读取网页", path)


def _read_html(text: str, path: Path | str | None) -> list[Block]:
    try:
        return limits.check_blocks(html_blocks(text), path)
    # html.parser on hostile input; bs4 wraps some of its failures in ParserRejectedMarkup
    except (RecursionError, AssertionError, ValueError, ParserRejectedMarkup) as exc:
        raise ImportError_(
            f"无法解析网页 (unparsable HTML: {type(exc).__name__})", path=path
        ) from None
