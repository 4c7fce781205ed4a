"""PDF reports → blocks (prose lines and table rows), read by text and table structure.

`pdfplumber` gives the text lines with their positions and the ruled tables with their cells.
Nothing here depends on one renderer's layout:

- table rows come from ruled cells (merged cells counted once, wrapped cell text rejoined);
  a "row" that is really prose caught inside a ruled box (a heading and its note above a
  table) goes back to the prose;
- prose lines are rejoined into paragraphs: a line that reaches the right margin continues
  on the next unless that one is indented, is a heading, or starts after a paragraph gap;
- page furniture (— 1 —, 第 1 页 / 共 6 页, 1/6) is dropped, and the header of a draft of ours.

A PDF without a text layer (a scan) is refused with the fix: OCR it first.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ImportError_
from ..findings import DRAFT_MARK
from . import limits
from .bounded import run_bounded
from .headings import section_of_heading
from .text import Block, check_printable

_PAGE_FURNITURE = re.compile(
    r"^(?:[-—–－\s]*\d+[-—–－\s]*|第\s*\d+\s*页.*|.*共\s*\d+\s*页|\d+\s*/\s*\d+)$"
)
# lines that start a block of their own: sub-headings, and an appendix after the report
_SUBHEADING = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|附[：:]|附件|附表|数据校验)")
_PROSE_CELL = re.compile(r"[。；]")
# typesetters space CJK from Latin letters and digits (2022年发布信息130 条): spacing, not text
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_AUTOSPACE = re.compile(rf"(?<=[{_CJK}]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[{_CJK}])")
SCANNED = (
    "PDF 没有文字层（可能是扫描件），无法读取其中的文字。请先用 OCR 识别，例如 "
    "ocrmypdf -l chi_sim 输入.pdf 输出.pdf，再导入识别后的 PDF；或导入网页版 "
    "(no text layer: OCR the PDF first)"
)


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


def read_pdf(data: bytes, path: Path | str | None = None) -> list[Block]:
    """Blocks of a PDF report, in reading order; read in a child process under the time and
    memory limits, its structure checked first (`pdf_scan`)."""
    import pdfplumber  # noqa: F401 — here, not in each child (0.4 s a PDF)

    from . import pdf_scan  # noqa: F401

    return run_bounded(lambda: _read_pdf(data, path), "读取 PDF ", path)


def _read_pdf(data: bytes, path: Path | str | None) -> list[Block]:
    import pdfplumber

    from .pdf_scan import check_pdf

    # pdfminer logs every operator (debug) and each flaw it works around (warnings, printed to
    # the terminal by logging's last resort): the import log says what matters instead
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        check_pdf(data, path)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            items: list[Item] = []
            for number, page in enumerate(pdf.pages, start=1):
                items.extend(_page_items(page, number))
                page.close()  # its layout objects: only the items are kept
    except (ImportError_, MemoryError):
        raise
    except Exception as exc:  # pdfminer on damaged or hostile input: any error, one message
        if _out_of_memory(exc):  # pdfplumber wraps pdfminer's errors: the memory limit's own
            raise MemoryError from None
        raise ImportError_(
            f"无法读取 PDF 文件 (unreadable PDF: {type(exc).__name__})", path=path
        ) from None
    if not any(isinstance(x, _Line) or any(x) for _p, _t, x in items):
        raise ImportError_(SCANNED, path=path)
    blocks = limits.check_blocks(_blocks(items), path)
    check_printable("\n".join(b.plain() for b in blocks), path)
    return blocks


def _out_of_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


Row = list[str | None]  # a table row's cells by column; None where a merged cell spans
Item = tuple[int, float, "_Line | Row"]


def _page_items(page: Any, number: int) -> list[Item]:
    """Prose lines and table rows of one page, each with its top position."""
    items: list[Item] = []
    boxes: list[tuple[float, float, float, float]] = []
    for table in page.find_tables():
        for row, cells in zip(table.rows, table.extract(), strict=False):
            filled = [t for t in cells if t]
            if len(filled) == 1 and _is_prose(filled[0]):
                continue  # prose inside a ruled box: read with the prose below
            boxes.append(row.bbox)
            if filled:
                items.append((number, row.bbox[1], [_cell_text(c) for c in cells]))

    def outside(obj: dict[str, Any]) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    prose = page.filter(outside) if boxes else page
    for ln in prose.extract_text_lines(strip=True, return_chars=False):
        text = _AUTOSPACE.sub("", ln["text"]).strip()
        if text and not _PAGE_FURNITURE.match(text) and text != DRAFT_MARK:
            items.append(
                (
                    number,
                    ln["top"],
                    _Line(number, ln["top"], ln["bottom"], ln["x0"], ln["x1"], text),
                )
            )
    items.sort(key=lambda it: (it[0], it[1]))
    return items


def _cell_text(text: str | None) -> str | None:
    """A cell's lines rejoined: wrapped words (自然/人) join; spaced numbers stay apart."""
    if not text:
        return text
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    out = ""
    for x in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and x[0].isascii() and x[0].isalnum():
            out += " "
        out += x
    return out


def _is_prose(text: str) -> bool:
    """A cell holding paragraphs or a section heading, not a table cell."""
    first = text.split("\n", 1)[0].strip()
    return "\n" in text and (
        bool(_PROSE_CELL.search(text)) or section_of_heading(first) is not None
    )


def _blocks(items: list[Item]) -> list[Block]:
    """Rows as row blocks (a row a page break cut in two made whole again); prose lines
    rejoined into paragraph lines."""
    lines = [x for _p, _t, x in items if isinstance(x, _Line)]
    margin = _Margins(lines)
    out: list[Block] = []
    prev: _Line | None = None
    row: Row | None = None  # the table row just before, if nothing came between
    row_page = 0
    for page, _top, item in items:
        if not isinstance(item, _Line):
            if row is not None and page > row_page and _continues_row(row, item):
                for j, text in enumerate(item):
                    if text:
                        row[j] = (row[j] or "") + text
                out[-1].cells = [c or "" for c in row if c is not None]
                continue
            row, row_page = item, page
            cells = [c or "" for c in item if c is not None]
            out.append(Block(line=0, cells=cells, cell_lines=[0] * len(cells)))
            prev = None
            continue
        row = None
        last = out[-1] if out and out[-1].cells is None else None
        if last is not None and prev is not None and margin.continues(prev, item):
            last.text = _join(last.text or "", item.text)
        else:
            out.append(Block(line=0, text=item.text))
        prev = item
    return out


_NUMBERISH = re.compile(r"^[\d.,\s]+$")


def _continues_row(before: Row, row: Row) -> bool:
    """Is `row` the rest of `before`, cut off by a page break? Text only where `before` has
    text (a label going on), nothing where it has figures (a repeated header has words there)."""
    if len(before) != len(row) or not any(row):
        return False
    for a, b in zip(before, row, strict=True):
        if b and (not a or _NUMBERISH.match(a) or _NUMBERISH.match(b)):
            return False
    return True


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return f"{a} {b}"
    return a + b


_OPENING = "《“‘（〔【「『〈"


class _Margins:
    """The text column (left and right edges), a character's width and the line pitch."""

    def __init__(self, lines: list[_Line]) -> None:
        body = [ln for ln in lines if len(ln.text) >= 8]
        widths = [(ln.x1 - ln.x0) / len(ln.text) for ln in body]
        self.char = statistics.median(widths) if widths else 10.0
        # a line opening with CJK punctuation (《, “) may start half a character left of the
        # margin, where the typesetter trims the blank half of its glyph
        self.left = min((ln.x0 for ln in body if ln.text[0] not in _OPENING), default=0.0)
        self.right = max((ln.x1 for ln in body), default=0.0)
        pitches = [
            b.top - a.top
            for a, b in itertools.pairwise(lines)
            if a.page == b.page and 0 < b.top - a.top < 3 * self.char
        ]
        self.pitch = statistics.median(pitches) if pitches else 1.5 * self.char

    def continues(self, a: _Line, b: _Line) -> bool:
        """Does line `b` continue the paragraph of line `a`?"""
        # a full line may stop up to ~2 characters short: punctuation cannot start a line
        if a.x1 < self.right - 3 * self.char or b.x0 > self.left + 0.5 * self.char:
            return False  # `a` ends short, or `b` is indented (a new paragraph)
        if a.page == b.page and b.top - a.top > 1.3 * self.pitch:
            return False  # a paragraph gap
        if section_of_heading(b.text) is not None or _SUBHEADING.match(b.text):
            return False
        return section_of_heading(a.text) is None and not _SUBHEADING.match(a.text)
