"""GB/T 9704-2012 in Word's terms: the page (A4, margins, the 22 × 28 document grid), the type
sizes by role, the fonts offices have with their substitutes, and the paragraph properties
the DOCX writer sets to keep text on the grid (or, for tables and pictures, off it)."""

from __future__ import annotations

from typing import Any

A4 = (210, 297)
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm, GB/T 9704
TYPE_WIDTH_MM = A4[0] - MARGINS["left"] - MARGINS["right"]
SIZES = {"title": 22, "body": 16, "heading": 16, "table": 10.5, "small": 14, "page": 14}
GRID = (22, 28)  # lines a page, characters a line (GB/T 9704 7.1)
TYPE_HEIGHT_MM = A4[1] - MARGINS["top"] - MARGINS["bottom"]

# role -> the fonts offices have, preferred first; each later one substitutes for the one before
OFFICE_FONTS: dict[str, tuple[str, ...]] = {
    "fang": ("仿宋_GB2312", "仿宋", "FangSong"),
    "hei": ("黑体", "SimHei"),
    "kai": ("楷体_GB2312", "楷体", "KaiTi"),
    "song": ("宋体", "SimSun"),
    "title": ("方正小标宋简体", "宋体", "SimSun"),
}
TWIPS_PER_MM = 1440 / 25.4
# what follows w:snapToGrid in a paragraph's properties (the schema's order)
AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
               "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
               "w:sectPr", "w:pPrChange")  # fmt: skip
CELL_MARGIN = 40  # twips left and right in table cells (Word's default 108 crowds 商业/企业)


def aligns() -> dict[str, Any]:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER}  # fmt: skip


def line_pitch_twips() -> int:
    """The grid's line pitch: 22 lines in the type area's height (579 twips, 28.95 pt)."""
    return int(TYPE_HEIGHT_MM * TWIPS_PER_MM / GRID[0])


def char_space() -> int:
    """`w:charSpace` of 28 characters a line: the pitch's difference from the body size, in
    4096ths of a point (as Word writes it)."""
    pitch_pt = TYPE_WIDTH_MM * 72 / 25.4 / GRID[1]
    return int((pitch_pt - SIZES["body"]) * 4096)


def font(
    run_or_style: Any, family: str, size: float | None = None, bold: bool | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = family
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    no_theme(fonts)


def no_theme(fonts: Any) -> None:
    """Theme fonts (w:asciiTheme …) win over named ones in Word: dropped, so the name holds."""
    from docx.oxml.ns import qn

    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def first_line_chars(paragraph: Any, chars: int) -> None:
    """A first-line indent in characters (w:firstLineChars), as Word and WPS count it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def off_grid(paragraph: Any, mark_size: float | None = None) -> None:
    """A paragraph set in its own line height (tables, pictures, page numbers): not snapped
    to the body's grid of 28.95 pt lines and 28 characters (w:snapToGrid off), single; with
    `mark_size`, its paragraph mark in that size (an empty cell as high as its text)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.paragraph_format.line_spacing = 1.0
    ppr = paragraph._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *AFTER_SNAP)
    if mark_size is not None:
        rpr = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(round(mark_size * 2)))
        rpr.append(sz)
        ppr.insert_element_before(rpr, "w:sectPr", "w:pPrChange")
