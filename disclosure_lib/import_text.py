"""Published report text → blocks (prose lines and table rows) for the importer.

Layouts read (one file may mix them):
- the seed's layout: paragraphs as lines; one table cell per tab-indented line; a blank line
  between rows; an empty cell as a line holding only the tab; a cell wrapped onto the next,
  unindented line (`\\t商业` / `企业`);
- one row per line with cells separated by tabs or ` | ` (markdown-like tables included);
- run-together text where cells lost their separators (`一、本年新收…385001044`): kept as a
  prose-like line, the table reader splits it by labels and arithmetic (`cellruns`);
- crawler header lines (标题:, 发布时间:, …) before the body: left to the importer's preamble.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImportError_
from .labels import section_of_heading, split_embedded_headings

CONTINUATION_MAX = 12  # a wrapped label fragment (企业, 纠正, …) is short
_PIPE_RULE = re.compile(r"^[\s|:：\-—=+]+$")


@dataclass
class Block:
    """A prose line (`text`) or a table row (`cells`), with its 1-based source line."""

    line: int
    text: str | None = None
    cells: list[str] | None = None
    cell_lines: list[int] = field(default_factory=list)

    @property
    def is_row(self) -> bool:
        return self.cells is not None

    def plain(self) -> str:
        """The block as one line of text (a row's non-empty cells joined by spaces)."""
        if self.cells is None:
            return self.text or ""
        return " ".join(c for c in self.cells if c)


def decode_text(data: bytes, path: Path | str | None = None) -> str:
    """Bytes of a text file → str: BOMs, UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return check_printable(data.decode(codec), path)
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        raise ImportError_(
            "看起来是二进制文件，不是报告文本 (binary file, not report text)", path=path
        )
    for codec in ("utf-8", "gb18030"):
        try:
            return check_printable(data.decode(codec), path)
        except UnicodeDecodeError:
            continue
    raise ImportError_("无法识别文本编码（应为 UTF-8 或 GBK）(unknown text encoding)", path=path)


def check_printable(text: str, path: Path | str | None = None) -> str:
    """Reject decoded text that is mostly control or private-use characters (binary data)."""
    if not text:
        return text
    sample = text[:200_000]
    bad = sum(
        1
        for ch in sample
        if ch not in "\t\n\r\f\v" and unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn")
    )
    if bad > max(8, len(sample) // 100):
        raise ImportError_(
            "看起来是二进制文件，不是报告文本 (binary file, not report text)", path=path
        )
    return text


def _split_row(line: str) -> list[str] | None:
    """Cells of a one-line row (tab- or pipe-separated), or None for a plain line."""
    body = line.strip()
    if "\t" in body:
        return [c.strip() for c in body.split("\t")]
    if body.count("|") >= 1 and not _PIPE_RULE.match(body):
        if body.startswith("|"):
            body = body[1:]
        if body.endswith("|"):
            body = body[:-1]
        return [c.strip() for c in body.split("|")]
    return None


def text_blocks(text: str) -> list[Block]:
    """Split report text into prose lines and table rows (see the module doc)."""
    blocks: list[Block] = []
    row: Block | None = None
    last_was_cell = False

    def flush() -> None:
        nonlocal row
        if row is not None and row.cells:
            blocks.append(row)
        row = None

    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if line.startswith("\t") and "\t" not in line.strip():
            cell = line.strip()
            if row is None:
                row = Block(line=no, cells=[], cell_lines=[])
            assert row.cells is not None
            row.cells.append(cell)
            row.cell_lines.append(no)
            last_was_cell = True
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            last_was_cell = False
            continue
        if (
            last_was_cell
            and row is not None
            and row.cells
            and len(stripped) <= CONTINUATION_MAX
            and section_of_heading(stripped) is None
            and not any(ch.isdigit() for ch in stripped)
            and "\t" not in stripped
        ):
            row.cells[-1] = row.cells[-1] + stripped  # a cell wrapped onto the next line
            continue
        flush()
        last_was_cell = False
        if "|" in stripped and _PIPE_RULE.match(stripped):
            continue  # a markdown table rule |---|---|
        cells = _split_row(line)
        if cells is not None and any(cells):
            blocks.append(Block(line=no, cells=cells, cell_lines=[no] * len(cells)))
        elif cells is None:
            for part in split_embedded_headings(stripped):
                blocks.append(Block(line=no, text=part.strip()))
    flush()
    return blocks
