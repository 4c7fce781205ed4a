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
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ImportError_
from ..model import Report
from .align import align_page
from .headings import count_headings, section_of_heading
from .labels import UNITS, thousands
from .oneline import FLAT_MIN, is_flat_page_line, page_lines

CONTINUATION_MAX = 12  # a wrapped label fragment (企业, 纠正, …) is short
# control characters (not tab/newline/form feed), private use, lone surrogates, U+FFFD
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f\ue000-\uf8ff\ud800-\udfff\ufffd]")
_PIPE_RULE = re.compile(r"^[\s|:：\-—=+]+$")
# characters that print nothing: pasted pages keep them inside labels and figure runs
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# no-break, en, em and thin spaces, as characters or as HTML entities left as text: a space
_NBSP = re.compile(
    "[\u00a0\u2000-\u200a\u202f\u205f]|&(?:nbsp|ensp|emsp|thinsp);?"
    "|&#(?:160|x0*a0|819[2-9]|820[01]|8239|8287);",
    re.IGNORECASE,
)
# Word's conditional comments around list numbers (<!--[if !supportLists]-->（三）<!--[endif]-->)
_WORD_COMMENT = re.compile(r"<!--\[(?:if\s[^\]]{0,40}|endif)\]-->")
# a figure with thousands separators (1,234 or 1,234.5): the commas go; a full-width ，
# only before a unit (1，234件): elsewhere it ends a clause
_BEFORE_UNIT = r"(?=\s*(?:" + "|".join(UNITS) + "))"
_THOUSANDS = re.compile(thousands(",") + "|" + thousands("[,，]", after=_BEFORE_UNIT))


@dataclass
class Block:
    """A prose line (`text`) or a table row (`cells`), with its 1-based source line."""

    line: int
    text: str | None = None
    cells: list[str] | None = None
    cell_lines: list[int] = field(default_factory=list)
    flat: bool = False  # cut out of a whole page on one line (`oneline`)

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
    bad = len(_BINARY.findall(sample))
    if bad > max(8, len(sample) // 100):
        raise ImportError_(
            "看起来是二进制文件，不是报告文本 (binary file, not report text)", path=path
        )
    return text


def clean_text(text: str) -> str:
    """Text as pasted pages leave it → what the reader expects: invisible characters (U+200B,
    U+FEFF, …) dropped, no-break and other spaces (U+00A0, U+2002, `&nbsp;` or `&ensp;` as
    text) as spaces, Word's list comments dropped, thousands separators taken out of figures
    (`1,234` → `1234`; a full-width `，` only before a unit, `1，234件`: elsewhere it ends a
    clause). Tabs and line breaks stay."""
    text = _INVISIBLE.sub("", text)
    text = _NBSP.sub(" ", text)
    text = _WORD_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)  # lines stay
    return _THOUSANDS.sub(lambda m: re.sub("[,，]", "", m.group(0)), text)


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


def rejoin_flat_page(lines: list[str]) -> list[str]:
    """A flattened page whose pieces were put on lines of their own (a line holding several
    section headings, the rest of the page on further lines: a table then prose on one line,
    `…0四、政府信息公开行政复议…` glued to its figures) → the lines from the first section
    heading on as one line, read as a whole page on one line is. Pages with table rows (tabs,
    pipes) are left alone."""
    flat = next(
        (i for i, line in enumerate(lines) if len(line) > FLAT_MIN and is_flat_page_line(line)),
        None,
    )
    if flat is None or sum(1 for x in lines if x.strip()) < 2:
        return lines
    if any("\t" in x or "|" in x for x in lines):
        return lines
    # from the first line holding a section heading: the title and chrome before it stay lines
    first = next(i for i, line in enumerate(lines) if i == flat or count_headings(line))
    if not any(x.strip() for x in lines[first + 1 :]):
        return lines
    return [*lines[:first], " ".join(x.strip() for x in lines[first:] if x.strip())]


def align_lines(lines: list[str]) -> list[str]:
    """A page of many lines with no table rows (tabs, pipes) and no line holding the page,
    aligned to the template as a whole (`align_page`): a label cut over two lines
    (`四、结转下年度继续` / `办理`), reworded labels, headings glued to figures. Lines stay
    lines where no label spans them."""
    if len(lines) < 2 or any("\t" in x or "|" in x for x in lines):
        return lines
    if any(len(x) > FLAT_MIN and is_flat_page_line(x) for x in lines):
        return lines
    return align_page("\n".join(lines)).split("\n")


def text_blocks(text: str) -> list[Block]:
    """Split report text into prose lines and table rows (see the module doc)."""
    blocks: list[Block] = []
    row: Block | None = None
    last_was_cell = False
    source = align_lines(rejoin_flat_page(clean_text(text).splitlines()))

    def flush() -> None:
        nonlocal row
        if row is not None and row.cells:
            blocks.append(row)
        row = None

    for no, line in enumerate(source, start=1):
        if len(line) > FLAT_MIN:
            parts, flat = page_lines(align_page(line.strip()))
            if flat:
                flush()
                last_was_cell = False
                blocks.extend(Block(line=no, text=p.strip(), flat=True) for p in parts)
                continue
        if line[:1] == "\t" and "\t" not in (cell := line.strip()):
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
            parts, flat = page_lines(stripped)
            blocks.extend(Block(line=no, text=p.strip(), flat=flat) for p in parts)
    flush()
    return blocks


# --- the layout, written (inputs for tests and benchmarks) ------------------------------------


def published_text(report: Report, *, run_together: bool = False) -> str:
    """`report` as published pages' text in the seed's layout (one tab-indented cell a line,
    a blank line between rows); `run_together` loses the separators inside table rows, as
    crawlers do. The inverse of the reader, used to generate test and benchmark inputs."""
    from .. import format as fmt

    out: list[str] = [report.title, ""]
    c = report.contact
    out.append(
        f"所列统计数据时间范围为{report.year}年1月1日至{report.year}年12月31日。"
        f"如本报告有疑问，请联系：{c.office}，地址：{c.address}，电话：{c.phone}。"
    )

    def rows(cells_rows: list[list[str]]) -> None:
        for cells in cells_rows:
            if run_together:
                out.append("".join(cells))
            else:
                out.extend(f"\t{x}" for x in cells)
                out.append("")

    def value(table: str, row: str, col: str) -> str:
        v = report.get(table, row, col)
        return "" if v is None else str(v)

    for s in fmt.SECTIONS:
        out.append(s.heading)
        if s.narrative:
            for p in report.narrative.get(s.key, []):
                out.extend(x for x in (p.heading, *p.text.splitlines()) if x)
            continue
        if s.key in report.section_notes:
            out.extend(report.section_notes[s.key].splitlines())
        table_rows: list[list[str]] = []
        if s.key == "二":
            for item, items, cols in fmt.proactive_items():
                table_rows.append([item])
                table_rows.append([fmt.PROACTIVE_ROW_HEADER, *(x.label for x in cols)])
                table_rows += [
                    [r.label, *(value("proactive", r.key, x.key) for x in cols)] for r in items
                ]
        elif s.key == "三":
            t = fmt.APPLICATIONS
            table_rows.append([t.note or "", fmt.APPLICANT_HEADER])
            table_rows.append(["", "自然人", fmt.LEGAL_PERSONS, "总计"])
            table_rows.append(["", "", *(x.label for x in t.columns if x.group), ""])
            for r in t.figure_rows:
                lead = [] if r.parent is None else ["", ""]
                table_rows.append(
                    [*lead, r.label, *(value(t.key, r.key, x.key) for x in t.columns)]
                )
        else:
            t = fmt.REVIEW
            table_rows.append([fmt.REVIEW_GROUP_RECONSIDERATION, fmt.REVIEW_GROUP_LITIGATION])
            table_rows.append([*(x.label for x in t.columns), *(r.label for r in t.rows[1:])])
            table_rows.append([value(t.key, r, x) for r, x in t.cells()])
        rows(table_rows)
    return "\n".join(out) + "\n"
