"""Limits on what reading one file may cost (issue 17: bounded by construction).

A published report is a few pages, a few thousand table cells at most and well under a
million characters; these caps sit far above that and far below what would exhaust time or
memory. Each refusal is one line naming the file and the limit (`refuse`). Structural limits
are checked before a parser builds anything (`pdf_scan`, `html.check_markup`,
`excel_read.check_zip`, `check_chars`); reading a PDF, a workbook or a large page also runs in
a forked child under `MAX_SECONDS` and `MAX_MEMORY` (`bounded.run_bounded`), so what the
structural checks cannot foresee is stopped too. The caps were set from
`benchmarks/fuzz.py --group hostile`: a file just under each is read in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ImportFailed

if TYPE_CHECKING:
    from .text import Block

# PDF
MAX_PAGES = 300
MAX_STREAM = 16 * 2**20  # bytes of one stream, decoded (a page's content is ≈ 10-100 KB)
MAX_CONTENT = 32 * 2**20  # bytes of content drawn, every page and form counted where drawn
MAX_TEXT_OPS = 30_000  # text-showing operators drawn (Tj TJ ' "), forms drawn (Do), as drawn
MAX_FORM_DEPTH = 8  # forms drawing forms
# HTML
MAX_DEPTH = 256  # nested elements (real pages: ≈ 30)
MAX_ELEMENTS = 30_000  # tags of a page (real pages: a few thousand)
IN_PROCESS_TAGS = 5_000  # a page with more is read in the bounded child (the seed's: 1,600)
MAX_TAGS = 2 * 30_000  # start and end tags (an end tag closing nothing costs as much)
MAX_CELLS = 10_000  # table cells of a page (a report: ≈ 500)
# workbooks (zip bombs: `excel_read.check_zip`)
MAX_WORKBOOK_CELLS = 20_000  # cells and shared strings of its sheets (the template: ≈ 1,600)
# every kind
MAX_CHARS = 500_000  # characters of a text file, a page, a PDF (a report: ≈ 20,000)
MAX_SECONDS = 20.0  # wall time of reading a PDF, a workbook or a large page
MAX_MEMORY = 400 * 2**20  # address space the reading may add to its process


def refuse(message: str, english: str, path: Path | str | None) -> ImportFailed:
    """The one-line refusal: `message` says what exceeds which limit."""
    return ImportFailed(f"{message}，拒绝读取 ({english})", path=path)


def check_chars(text: str, path: Path | str | None) -> str:
    """`text`, unless it has more than `MAX_CHARS` characters."""
    if len(text) > MAX_CHARS:
        raise refuse(
            f"文本共 {len(text):,} 个字符，超出上限 {MAX_CHARS:,}", "too many characters", path
        )
    return text


def check_blocks(blocks: list[Block], path: Path | str | None) -> list[Block]:
    """`blocks` (a page's or a PDF's text), unless they hold more than `MAX_CHARS` characters:
    what follows the reading (sections, tables, evidence) costs as much as a text file's."""
    chars = sum(len(b.plain()) for b in blocks)
    if chars > MAX_CHARS:
        raise refuse(
            f"文字共 {chars:,} 个字符，超出上限 {MAX_CHARS:,}", "too many characters", path
        )
    return blocks
