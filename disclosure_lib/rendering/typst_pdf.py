"""The PDF writer of the layout: Typst source from a `layout.Document`, compiled in-process.

The source is the stylesheet `templates/disclosure_report/report.typ` (page, type, tables after
GB/T 9704) after two generated definitions (`fonts`, `meta`), then one call per block with
every text as a Typst string literal: nothing in a report's text is read as markup, so `#`,
`$`, `*`, `_`, `<`, `]`, `\\` or `{{ }}` print as typed. Charts go to a temporary folder the
compiler reads them from. One `typst.Compiler` per process is reused (its font book and
caches stay warm); a character no font has is an error (`pdf_fonts.check_glyphs`), and so is
any Typst warning.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import RenderError
from . import layout as lo
from . import pdf_fonts

STYLE = Path(__file__).parent / "templates" / "disclosure_report" / "report.typ"
# What `--pdf-standard` accepts: the standards Typst writes (PDF/A-2/3 b, u, a; PDF/UA-1; …).
PDF_STANDARDS = ("a-1b", "a-2b", "a-2u", "a-2a", "a-3b", "a-3u", "a-3a", "a-4", "ua-1")
_LOCK = threading.Lock()  # one compile at a time per compiler


def lit(text: object) -> str:
    """A Typst string literal: printed exactly as given."""
    s = str(text)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    s = s.replace("\t", "\\t")
    return f'"{s}"'


def _array(items: Iterable[str]) -> str:
    items = list(items)
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


@functools.cache
def stylesheet() -> str:
    return STYLE.read_text(encoding="utf-8")


def header(doc: lo.Document) -> str:
    fonts = {role: pdf_fonts.stack(role) for role in pdf_fonts.FAMILIES}
    font_defs = ", ".join(f"{k}: {_array(map(lit, v))}" for k, v in fonts.items())
    keywords = [x for x in ("政府信息公开工作年度报告", doc.agency, str(doc.year or "")) if x]
    meta = (
        f"title: {lit(doc.title)}, author: {_array([lit(doc.agency)] if doc.agency else [])}, "
        f"keywords: {_array(map(lit, keywords))}, date: auto, draft: {lit(doc.draft)}"
    )
    return f"#let fonts = ({font_defs})\n#let meta = ({meta})\n"


# --- blocks ----------------------------------------------------------------------------------


def _cell(cell: lo.Cell, x: int) -> str:
    parts = [f"text: {lit(cell.text)}", f"x: {x}"]
    if cell.colspan > 1:
        parts.append(f"colspan: {cell.colspan}")
    if cell.rowspan > 1:
        parts.append(f"rowspan: {cell.rowspan}")
    if cell.align != "center":
        parts.append(f"align: {lit(cell.align)}")
    if "item" in cell.cls.split():
        parts.append("bold: true")
    return "(" + ", ".join(parts) + ")"


def _columns(table: lo.Table) -> str:
    return _array(f"{w:g}em" if w else "1fr" for w in table.widths)


def columns_of(table: lo.Table) -> list[list[int]]:
    """The column each cell starts in, row by row (slots covered by a rowspan skipped)."""
    covered: set[tuple[int, int]] = set()
    out: list[list[int]] = []
    for r, row in enumerate(table.rows):
        xs: list[int] = []
        c = 0
        for cell in row:
            while (r, c) in covered:
                c += 1
            xs.append(c)
            for rr in range(r + 1, r + cell.rowspan):
                covered.update((rr, cc) for cc in range(c, c + cell.colspan))
            c += cell.colspan
        out.append(xs)
    return out


def table_call(table: lo.Table, key: str = "t") -> str:
    """A `grid-table` call; `key` names the markers its rows leave (unique in the document)."""
    rows = ",\n  ".join(
        _array(_cell(c, x) for c, x in zip(row, xs, strict=True))
        for row, xs in zip(table.rows, columns_of(table), strict=True)
    )
    size = "" if table.style == "official" else ", size: size.table - 1pt"
    groups = _array(f"({start}, {n})" for start, n in group_heads(table))
    return (
        f"grid-table({lit(key)}, {_columns(table)}, {table.header_rows}, ({rows},),"
        f" groups: {groups}{size})"
    )


def group_heads(table: lo.Table) -> list[tuple[int, int]]:
    """Row groups that open with heading rows (二's 第二十条第（一）项 and its 信息内容 row): the
    first row and how many rows head the group, repeated when the group goes on a new page."""
    out = []
    for start in table.groups:
        n = 0
        while start + n < len(table.rows) and all(c.header for c in table.rows[start + n]):
            n += 1
        if start >= table.header_rows and 0 < n < len(table.rows) - start:
            out.append((start, n))
    return out


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.images: dict[str, bytes] = {}
        self.texts: list[tuple[str, str]] = []  # (font role, text) for the glyph check
        self.marks = 0
        self.tables = 0

    def blocks(self, blocks: Sequence[lo.Block], stick_last: bool = False) -> None:
        """Blocks in order; with `stick_last`, the last paragraph sticks to what follows."""
        for i, block in enumerate(blocks):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            # the last paragraph goes with the 落款: never a page holding only the 落款
            sticky = isinstance(nxt, lo.Signature) or (stick_last and nxt is None)
            if isinstance(block, lo.Section):
                if block.new_page:
                    self.out.append("#appendix()")
                self.section(block.blocks, sticky)
            elif sticky and isinstance(block, lo.Para):
                self.out.append(f"#block(sticky: true, breakable: false, {self.call(block)})")
            else:
                self.out.append("#" + self.call(block))

    def section(self, blocks: Sequence[lo.Block], stick_last: bool = False) -> None:
        """A section; a table is kept with the heading and notes before it (`keep`)."""
        lead = next((n for n, b in enumerate(blocks) if isinstance(b, lo.Table)), None)
        if lead is None or lead > 4:
            self.blocks(blocks, stick_last)
            return
        unit = "[" + "".join("#" + self.call(b) + "\n" for b in blocks[: lead + 1]) + "]"
        self.marks += 1
        self.out.append(f"#mark(<keep-{self.marks}>)\n#keep(<keep-{self.marks}>, {unit})")
        self.blocks(blocks[lead + 1 :], stick_last)

    def call(self, block: lo.Block) -> str:
        if isinstance(block, lo.Title):
            self.texts += [("title", x) for x in block.lines]
            return f"title({', '.join(map(lit, block.lines))})"
        if isinstance(block, lo.Heading):
            self.texts.append(("hei" if block.level <= 1 else "kai", block.text))
            return f"h({lit(block.text)}, {block.level})"
        if isinstance(block, lo.Para):
            bold = block.style in ("pass", "fail")  # strong: 黑体
            self.texts.append(("hei" if bold else "fang", block.text))
            return f"para({lit(block.text)}, style: {lit(block.style)})"
        if isinstance(block, lo.Table):
            self.texts += [("song", c.text) for row in block.rows for c in row]
            self.tables += 1
            return table_call(block, f"dl-table-{self.tables}")
        if isinstance(block, lo.Figure):
            self.texts.append(("fang", block.title))
            if block.png is None:
                self.texts.append(("fang", block.empty))
                return f"fig-empty({lit(block.empty)}, {lit(block.title)})"
            name = f"/chart-{len(self.images)}.png"
            self.images[name] = block.png
            return f"fig({lit(name)}, {lit(block.alt)}, {lit(block.title)})"
        if isinstance(block, lo.Signature):
            self.texts += [("fang", block.agency), ("fang", block.date)]
            return f"signature({lit(block.agency)}, {lit(block.date)})"
        if isinstance(block, lo.Pre | lo.Raw):
            self.texts.append(("song", block.text))
            return f"pre({lit(block.text)})"
        if isinstance(block, lo.Section):
            inner = _Writer()
            inner.images = self.images
            inner.texts = self.texts
            inner.tables, inner.marks = self.tables, self.marks
            inner.section(block.blocks)
            self.tables, self.marks = inner.tables, inner.marks
            return "[" + "\n".join(inner.out) + "]"
        raise TypeError(f"no Typst for {type(block).__name__}")


def source(doc: lo.Document) -> tuple[str, dict[str, bytes], list[tuple[str, str]]]:
    """Typst source of `doc`, the images it reads (name -> PNG) and its texts by font role."""
    w = _Writer()
    w.texts.append(("title", doc.title))
    if doc.draft:  # the page header's mark (report.typ)
        w.texts.append(("hei", doc.draft))
    w.blocks(doc.blocks)
    body = "\n".join(w.out)
    return f"{header(doc)}{stylesheet()}\n{body}\n", w.images, w.texts


def check_standard(standard: str | Sequence[str] | None) -> tuple[str, ...]:
    """PDF standards from "a-2b" or "a-2b,ua-1" (or a sequence); unknown ones rejected."""
    if not standard:
        return ()
    items = [standard] if isinstance(standard, str) else list(standard)
    wanted = tuple(
        dict.fromkeys(x.strip().lower() for i in items for x in i.split(",") if x.strip())
    )
    unknown = [x for x in wanted if x not in PDF_STANDARDS]
    if unknown:
        raise RenderError(
            f"不支持的 PDF 标准：{', '.join(unknown)}；可选：{', '.join(PDF_STANDARDS)}"
            " (unknown PDF standard)",
            field="pdf_standard",
        )
    return wanted


@functools.cache
def compiler() -> Any:
    """One Typst compiler per process: fonts scanned once, caches kept between reports."""
    import typst

    return typst.Compiler(font_paths=pdf_fonts.typst_fonts(), ignore_system_fonts=True)


TEMP_PREFIX = "disclosure-typst-"  # + "<pid>-": a chart's images while Typst reads them


def typst_temp_prefix() -> str:
    """Named after this process: the folder of a process killed while typesetting is swept
    by the next build (`batch.worker.sweep_temp_folders`)."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


def typeset(
    doc: lo.Document, *, standards: Sequence[str] = (), timestamp: datetime.datetime | None = None
) -> bytes:
    """The PDF of `doc`. Raises `fonts.FontError` for a character no font has and RenderError
    for anything Typst reports (errors and warnings alike: a warning is a flaw in print)."""
    import typst

    text, images, texts = source(doc)
    pdf_fonts.check_glyphs(texts)
    when = timestamp or _timestamp(doc)
    with contextlib.ExitStack() as stack:
        root = None
        if images:
            root = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix=typst_temp_prefix()))
            )
            for name, data in images.items():
                (root / name.lstrip("/")).write_bytes(data)
        stack.enter_context(_LOCK)
        try:
            pdf, warnings = compiler().compile_with_warnings(
                text.encode("utf-8"), format="pdf", root=str(root) if root else None,
                pdf_standards=list(standards), timestamp=when,
            )  # fmt: skip
        except typst.TypstError as exc:
            raise RenderError(f"PDF 排版失败：{_first(exc)}") from None
    if warnings:
        raise RenderError(f"PDF 排版警告：{_first(warnings[0])}")
    assert isinstance(pdf, bytes)
    return pdf


def _first(diag: Any) -> str:
    message = str(getattr(diag, "message", diag)).strip().splitlines()
    hints = [str(h) for h in getattr(diag, "hints", []) or []]
    return " ".join([message[0] if message else "", *hints])[:300]


def _timestamp(doc: lo.Document) -> datetime.datetime:
    """A fixed creation time (the same notebook gives the same bytes): the 落款 date, else the
    first day after the reporting year."""
    try:
        day = datetime.date.fromisoformat(doc.issued)
    except ValueError:
        day = datetime.date((doc.year or 1999) + 1, 1, 1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def prepare() -> None:
    """Fonts scanned and glyph tables read, without compiling (a process about to fork: a
    compile starts Typst's thread pool, which a forked child would not have)."""
    pdf_fonts.prepare()
    stylesheet()
