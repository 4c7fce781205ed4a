"""The DOCX writer of the layout (python-docx): the report as a Word/WPS document the office
can edit and sign.

Same blocks, order and sizes as the PDF, after GB/T 9704-2012: A4 with its margins and a
document grid of 22 lines × 28 characters, the title in 小标宋 2号, body in 仿宋 3号 with a
two-character first-line indent, 一、 headings in 黑体 3号 and （一） headings in 楷体 3号 (Word's
Heading 1/2, so the navigation pane lists them), the official tables in 宋体 五号 with their
merged cells (header rows repeat on a new page, rows never split), charts with their alt text,
the 落款, and page numbers `— 1 —` in 4号 (odd pages right, even pages left).

Fonts are named as an office's Windows or WPS machine has them (`OFFICE_FONTS`): the first
name in the runs and styles (`w:rFonts`, East Asian and Latin alike), the others as its
substitutes in the font table (`w:altName`, GB 2312 charset), so 仿宋_GB2312 falls back to
仿宋, then FangSong. Texts are set as text runs: nothing is markup. The file is byte-for-byte
reproducible (fixed dates in the package and its properties).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import Any

from ..errors import RenderError
from . import layout as lo
from .docx_page import (
    A4,
    CELL_MARGIN,
    MARGINS,
    OFFICE_FONTS,
    SIZES,
    TYPE_WIDTH_MM,
    aligns,
    char_space,
    first_line_chars,
    font,
    line_pitch_twips,
    no_theme,
    off_grid,
)

# what XML 1.0 cannot hold (Word documents are XML): C0 controls but tab and newline
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class _Writer:
    def __init__(self, doc: lo.Document) -> None:
        import docx

        self.layout = doc
        self.doc = docx.Document()
        self.fonts = {role: names[0] for role, names in OFFICE_FONTS.items()}
        self._setup()

    # --- page and styles ---------------------------------------------------------------------

    def _setup(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt, RGBColor

        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(A4[0]), Mm(A4[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
        section.footer_distance = Mm(MARGINS["bottom"] - 7 - 5)
        self._grid(section)
        self._font_table()
        styles = self.doc.styles
        for fonts in styles.element.iterfind(f".//{qn('w:docDefaults')}//{qn('w:rFonts')}"):
            no_theme(fonts)  # runs without a font of their own: Normal's, not the theme's
        normal = styles["Normal"]
        font(normal, self.fonts["fang"], SIZES["body"])
        rpr = normal.element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            from docx.oxml import OxmlElement

            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
        fmt = normal.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        # one grid line a line, exactly (固定值): 22 lines a page, as the PDF
        fmt.line_spacing = Pt(line_pitch_twips() / 20)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for name, family in (("Heading 1", "hei"), ("Heading 2", "kai")):
            style = styles[name]
            font(style, self.fonts[family], SIZES["heading"], bold=False)
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            pf = style.paragraph_format
            pf.space_before, pf.space_after = Pt(0), Pt(0)
            pf.line_spacing = fmt.line_spacing
            pf.keep_with_next = True
            pf.first_line_indent = Pt(SIZES["heading"] * 2)
        title = styles["Title"]
        font(title, self.fonts["title"], SIZES["title"], bold=False)
        title.font.color.rgb = RGBColor(0, 0, 0)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # a blank grid line under the title, as the PDF
        title.paragraph_format.space_after = fmt.line_spacing
        title.paragraph_format.line_spacing = Pt(line_pitch_twips() / 20 * 1.25)
        # the Title style's bottom border (python-docx's default template) is not a 公文's
        ppr = title.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
        self._page_numbers(section)
        self._draft_mark(section)

    def _draft_mark(self, section: Any) -> None:
        """A report that failed its checks: its mark in the header of every page (odd, even)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        if not self.layout.draft:
            return
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            p = header.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            off_grid(p)
            run = self._run(p, self.layout.draft, "hei", SIZES["small"])
            run.font.color.rgb = RGBColor(0x8B, 0x1A, 0x1A)

    @staticmethod
    def _grid(section: Any) -> None:
        """The document grid (文档网格): 22 lines a page, 28 characters a line."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        sect = section._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(line_pitch_twips()))
        grid.set(qn("w:charSpace"), str(char_space()))

    def _font_table(self) -> None:
        """Each office font in the font table with its substitute (`w:altName`), GB 2312."""
        from lxml import etree

        part = next(
            p for p in self.doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
        )
        root = etree.fromstring(part.blob)
        w = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        seen = {f.get(f"{{{w}}}name") for f in root.findall(f"{{{w}}}font")}
        for names in OFFICE_FONTS.values():
            for name, alt in zip(names, (*names[1:], None), strict=True):
                if name in seen:
                    continue
                seen.add(name)
                font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
                if alt:
                    etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
                for tag, val in (("charset", "86"), ("family", "modern"), ("pitch", "fixed")):
                    etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": val})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self, section: Any) -> None:
        """— N — in the footer: odd pages right, even pages left, one character in."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.doc.settings.odd_and_even_pages_header_footer = True
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            p = footer.paragraphs[0]
            p.alignment = align
            indent = Pt(SIZES["page"])  # one character in
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = indent
            else:
                p.paragraph_format.left_indent = indent
            off_grid(p)
            self._run(p, "— ", "song", SIZES["page"])
            self._field(p, "PAGE")
            self._run(p, " —", "song", SIZES["page"])

    def _field(self, paragraph: Any, code: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"),
                           ("end", None)):  # fmt: skip
            run = self._run(paragraph, "", "song", SIZES["page"])
            if kind is not None:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
                run._r.append(el)
            elif text == code:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {code} "
                run._r.append(el)
            else:
                run.text = text

    def _run(
        self, paragraph: Any, text: str, family: str, size: float | None = None,
        bold: bool | None = None,
    ) -> Any:  # fmt: skip
        run = paragraph.add_run()
        bad = _CONTROL.search(text)
        if bad:
            snippet = text if len(text) <= 30 else text[:30] + "…"
            raise RenderError(
                f"报告文字中有控制字符 U+{ord(bad[0]):04X}，无法写入 Word 文档：{snippet!r}"
                " (control character in the report text)"
            )
        lines = text.split("\n")
        for n, line in enumerate(lines):
            if n:
                run.add_break()
            if line:
                run.add_text(line)
        font(run, self.fonts[family], size, bold)
        return run

    # --- blocks ------------------------------------------------------------------------------

    def blocks(self, blocks: list[lo.Block]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        for n, block in enumerate(blocks):
            before_table = n + 1 < len(blocks) and isinstance(blocks[n + 1], lo.Table)
            if isinstance(block, lo.Title):
                p = self.doc.add_paragraph(style="Title")
                self._run(p, "\n".join(block.lines), "title", SIZES["title"])
            elif isinstance(block, lo.Heading):
                p = self.doc.add_paragraph(style="Heading 1" if block.level <= 1 else "Heading 2")
                family = "hei" if block.level <= 1 else "kai"
                self._run(p, block.text, family, SIZES["heading"])
            elif isinstance(block, lo.Para):
                p = self.doc.add_paragraph()
                size = SIZES["small"] if block.style == "note" else None
                # emphasis in 黑体, as the PDF (仿宋 has no bold)
                self._run(p, block.text, "hei" if block.style in ("pass", "fail") else "fang", size)
                if block.style in ("body", "preamble", "note"):
                    first_line_chars(p, 2)
                    p.paragraph_format.first_line_indent = Pt(SIZES["body"] * 2)
                elif block.style == "center":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.keep_with_next = before_table or None
            elif isinstance(block, lo.Table):
                self.table(block)
            elif isinstance(block, lo.Figure):
                self.figure(block)
            elif isinstance(block, lo.Signature):
                self.signature(block)
            elif isinstance(block, lo.Section):
                if block.new_page:
                    self.doc.add_page_break()
                self.blocks(block.blocks)
            elif isinstance(block, lo.Pre | lo.Raw):
                p = self.doc.add_paragraph()
                off_grid(p)
                self._run(p, block.text, "song", SIZES["table"])

    def table(self, block: lo.Table) -> None:
        """The grid with its merged cells, written straight into the table XML (python-docx's
        `cell()`/`merge()` walk the whole table per call: seconds for the big table)."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Emu, Mm, Pt
        from docx.table import _Cell

        size = SIZES["table"] if block.style == "official" else SIZES["table"] - 1
        ncols = block.ncols
        table = self.doc.add_table(rows=len(block.rows), cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [Mm(w) for w in _widths_mm(block.widths, size)]
        for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=False):
            col.w = width
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(CELL_MARGIN))
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        table._tbl.tblPr.append(margins)
        keep = len(block.rows) <= 40  # a table that fits a page stays on one page
        below: dict[tuple[int, int], int] = {}  # (row, col) covered from above -> colspan
        for r, (row, tr) in enumerate(zip(block.rows, table._tbl.tr_lst, strict=True)):
            trpr = tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))
            if r < block.header_rows:
                trpr.append(OxmlElement("w:tblHeader"))
            tcs = list(tr.tc_lst)
            for tc in tcs:
                tr.remove(tc)
            cells = iter(row)
            c = 0
            while c < ncols:
                tc = tcs.pop()
                tr.append(tc)
                if (r, c) in below:
                    span = below[(r, c)]
                    self._span(tc, span, None, Emu(sum(widths[c : c + span])), size)
                    c += span
                    continue
                cell = next(cells, None)
                if cell is None:
                    self._span(tc, 1, "", Emu(widths[c]), size)
                    c += 1
                    continue
                span = min(cell.colspan, ncols - c)
                for rr in range(r + 1, r + cell.rowspan):
                    below[(rr, c)] = span
                self._span(
                    tc, span, "restart" if cell.rowspan > 1 else "",
                    Emu(sum(widths[c : c + span])), size,
                )  # fmt: skip
                target = _Cell(tc, table)
                p = target.paragraphs[0]
                p.alignment = aligns()[cell.align]
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.keep_with_next = keep and r + 1 < len(block.rows)
                self._run(p, cell.text, "song", size, bold=("item" in cell.cls.split()) or None)
                c += span
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    @staticmethod
    def _span(tc: Any, colspan: int, vmerge: str | None, width: Any, size: float) -> None:
        """gridSpan, vMerge (None: continues the cell above; "restart": starts one) and width;
        its paragraph off the body's grid, in the table's size."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph

        off_grid(Paragraph(tc.p_lst[0], None), size)  # type: ignore[arg-type]  # no part needed

        tcpr = tc.get_or_add_tcPr()
        tcpr.width = width
        if colspan > 1:
            span = OxmlElement("w:gridSpan")
            span.set(qn("w:val"), str(colspan))
            tcpr.append(span)
        if vmerge is None or vmerge:
            el = OxmlElement("w:vMerge")
            if vmerge:
                el.set(qn("w:val"), vmerge)
            tcpr.append(el)
        v = OxmlElement("w:vAlign")  # WD_CELL_VERTICAL_ALIGNMENT.CENTER, written directly
        v.set(qn("w:val"), "center")
        tcpr.append(v)

    def figure(self, block: lo.Figure) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Mm

        if block.png is not None:
            self.doc.add_picture(io.BytesIO(block.png), width=Mm(TYPE_WIDTH_MM - 6))
            picture = self.doc.paragraphs[-1]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            off_grid(picture)  # an exact line height would clip the picture
            picture.paragraph_format.keep_with_next = True
            # the body's exact line height would clip the picture to one line (LibreOffice, Word)
            picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            for prop in picture._p.iter(
                "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
            ):
                prop.set("descr", block.alt)
                prop.set("title", block.title)
        else:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, block.empty, "fang", SIZES["small"])
        caption = self.doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(caption, block.title, "fang", SIZES["small"])

    def signature(self, block: lo.Signature) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        indent = Pt(SIZES["body"] * 2)
        if self.doc.paragraphs:  # the last paragraph goes with the 落款: never it alone
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        spacer = self.doc.add_paragraph()
        spacer.paragraph_format.space_before = Pt(SIZES["body"] * 2)
        spacer.paragraph_format.keep_with_next = True
        for n, text in enumerate(x for x in (block.agency, block.date) if x):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # the date centred under the agency: indented by half the difference in length
            extra = max(0, len(block.agency) - len(text)) / 2 if n else 0
            p.paragraph_format.right_indent = indent + Pt(SIZES["body"] * extra)
            p.paragraph_format.keep_with_next = n == 0
            self._run(p, text, "fang")

    def properties(self) -> None:
        props = self.doc.core_properties
        props.title = self.layout.title
        props.author = self.layout.agency
        props.last_modified_by = self.layout.agency
        props.language = self.layout.lang or "zh-CN"
        props.keywords = "政府信息公开工作年度报告"
        props.subject = self.layout.title
        props.comments = ""
        props.revision = 1
        when = _when(self.layout)
        props.created = props.modified = when
        props.last_printed = when


def _widths_mm(widths: tuple[float, ...], size_pt: float) -> list[float]:
    """Column widths in mm: fixed ones in em of the table font, the rest sharing what is left."""
    em = size_pt * 25.4 / 72
    fixed = sum(w * em for w in widths if w)
    free = [w for w in widths if not w]
    share = max(8.0, (TYPE_WIDTH_MM - fixed) / len(free)) if free else 0.0
    out = [w * em if w else share for w in widths]
    scale = min(1.0, TYPE_WIDTH_MM / sum(out)) if out else 1.0
    return [w * scale for w in out]


def _when(doc: lo.Document) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(doc.issued)
    except ValueError:
        day = datetime.date((doc.year or 1999) + 1, 1, 1)
    return datetime.datetime(day.year, day.month, day.day)


def _reproducible(data: bytes) -> bytes:
    """The package with fixed member dates, so the same report gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, _ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_bytes(doc: lo.Document) -> bytes:
    """The report as a .docx file."""
    writer = _Writer(doc)
    writer.blocks(doc.blocks)
    writer.properties()
    buf = io.BytesIO()
    writer.doc.save(buf)
    return _reproducible(buf.getvalue())
