"""One layout, three writers: the same labels, figures and paragraphs read back from the HTML
(bs4), the PDF (pdftotext) and the DOCX (python-docx); escaping; merged cells; PDF/A and
PDF/UA; tagged PDF in Chinese."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib import format as fmt
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.params import load_report
from disclosure_lib.rendering import compose, docx_writer, html, typst_pdf
from disclosure_lib.rendering import layout as lo

from ..base import PARAMS, SEED

HOSTILE = "#set text(red) $x^2$ *粗体* _斜体_ <b>标签</b> ] [ \\ {{ agency }} {% raw %} `代码` @ref"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _document(report: Report, review: bool = False) -> lo.Document:
    parts = [compose.report_body(report, profile="review" if review else "publish")]
    if review:
        from disclosure_lib.rendering.charts import report_charts

        parts.append(compose.charts_section(report_charts(report)))
        parts.append(compose.checks_section(report, compose.run_checks(report)))
    # through JSON, as the exporters read it from the notebook
    return lo.document([lo.part_from_json(p._repr_mimebundle_()[lo.MIME]) for p in parts])


def _busy() -> Report:
    report = load_report(PARAMS / "示例区教育局" / "2024.yaml")
    report.issued = datetime.date(2025, 1, 20)
    return report


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _write(_document(_busy(), review=True), tmp_path_factory.mktemp("writers"))


def _pdf_text(path: Path) -> str:
    # -raw: content-stream order, which Typst writes cell by cell, line by line
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True)
    return _squash(out.stdout)


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        seen = set()
        for row in table.rows:
            for cell in row.cells:
                if cell._tc not in seen:  # a merged cell is listed once per grid slot
                    seen.add(cell._tc)
                    parts.append(cell.text)
    return _squash("\n".join(parts))


def _write(doc: lo.Document, folder: Path) -> dict[str, object]:
    pdf = folder / "r.pdf"
    pdf.write_bytes(typst_pdf.typeset(doc))
    docx = folder / "r.docx"
    docx.write_bytes(docx_writer.docx_bytes(doc))
    return {"doc": doc, "html": html.page(doc), "pdf": pdf, "docx": docx}


def _read_back(written: dict[str, object]) -> dict[str, str]:
    """Each writer's output as text, whitespace removed."""
    return {
        "html": _squash(BeautifulSoup(str(written["html"]), "html.parser").get_text()),
        "pdf": _pdf_text(written["pdf"]),  # type: ignore[arg-type]
        "docx": _docx_text(written["docx"]),  # type: ignore[arg-type]
    }


def _assert_same_texts(doc: lo.Document, texts: dict[str, str], at_least: int) -> None:
    wanted = [t for t in doc.texts() if t.strip()]
    assert len(wanted) > at_least
    for name, text in texts.items():
        missing = [t for t in wanted if _squash(t) not in text]
        assert not missing, f"{name} lacks {missing[:5]}"


@pytest.fixture(scope="module")
def written_summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The yearly summary of the bundled demo agencies, one report made inconsistent (so
    数据校验 lists findings), written by the three writers from one layout."""
    from disclosure_lib.rendering.summary import summary_parts
    from disclosure_lib.summary import year_summary
    from disclosure_lib.synth import demo_reports

    reports = demo_reports()
    broken = next(r for r in reports if r.year == 2024)
    broken.set(
        "applications", "new", "total", (broken.get("applications", "new", "total") or 0) + 1
    )
    parts = summary_parts(year_summary(reports, 2024))
    doc = lo.document([lo.part_from_json(p._repr_mimebundle_()[lo.MIME]) for p in parts])
    return _write(doc, tmp_path_factory.mktemp("summary"))


def test_same_texts_in_all_three(written: dict[str, object]) -> None:
    doc = written["doc"]
    assert isinstance(doc, lo.Document)
    texts = _read_back(written)
    # title, preamble, every heading, paragraph and table cell
    _assert_same_texts(doc, texts, at_least=300)
    # figures in order, row by row: the 三 table's 总计 row reads the same everywhere
    total_row = next(
        row for b in doc.walk() if isinstance(b, lo.Table) and b.key == "applications"
        for row in b.rows if row and row[0].text == "（七）总计"
    )  # fmt: skip
    figures = "".join(c.text for c in total_row[1:])
    assert len(figures) >= 7
    for name in ("pdf", "docx"):
        assert "（七）总计" + figures in texts[name], name


def test_summary_same_texts_in_all_three(written_summary: dict[str, object]) -> None:
    """The summary's HTML, PDF and DOCX come from one layout and print the same content: the
    summed official tables, rankings, findings in Chinese, every chart's title."""
    doc = written_summary["doc"]
    assert isinstance(doc, lo.Document)
    texts = _read_back(written_summary)
    _assert_same_texts(doc, texts, at_least=300)
    from disclosure_lib.findings import RULE_TEXT

    for name, text in texts.items():
        assert _squash(RULE_TEXT["R1-APP-BALANCE"]) in text, name
        assert "一、汇总数据" in text and "四、统计图表" in text, name
    figures = [b for b in doc.walk() if isinstance(b, lo.Figure)]
    assert len(figures) == 3 and all(f.png for f in figures)
    # the summed 总计 row of 三 reads the same, figure after figure, in print and in Word
    total_row = next(
        row for b in doc.walk() if isinstance(b, lo.Table) and b.key == "applications"
        for row in b.rows if row and row[0].text == "（七）总计"
    )  # fmt: skip
    figures_text = "".join(c.text for c in total_row[1:])
    for name in ("pdf", "docx"):
        assert "（七）总计" + figures_text in texts[name], name


def test_docx_tables_keep_the_official_merged_cells(written: dict[str, object]) -> None:
    import docx

    d = docx.Document(str(written["docx"]))
    by_first = {t.rows[0].cells[0].text: t for t in d.tables}
    apps = next(t for t in d.tables if t.rows[0].cells[0].text == fmt.APPLICATIONS_NOTE)
    assert len(apps.columns) == 3 + len(fmt.APPLICATIONS.columns)
    assert len(apps.rows) == 3 + len(fmt.APPLICATIONS.figure_rows)
    # the corner note spans 3 columns and 3 rows; 申请人情况 spans the 7 figure columns
    assert {c._tc for c in apps.rows[0].cells[:3]} == {apps.rows[0].cells[0]._tc}
    assert [c.text for c in apps.rows[0].cells[3:]] == [fmt.APPLICANT_HEADER] * 7
    assert apps.rows[2].cells[2]._tc is apps.rows[0].cells[0]._tc  # merged down and across
    heading = [r.cells[0].text for r in apps.rows[5:27]]
    assert set(heading) == {"三、本年度\n办理结果"}  # one cell spanning the 22 outcome rows
    header_rows = [
        r
        for r in apps.rows
        if r._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    ]
    assert len(header_rows) == 3  # repeated on a new page
    assert len(by_first) >= 3


def test_docx_fonts_page_and_properties(written: dict[str, object]) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(written["docx"]))
    section = d.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin,
            section.left_margin, section.right_margin)] == [37, 35, 28, 26]  # fmt: skip
    fonts = d.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    h1 = d.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia"))
    h2 = d.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert (h1, h2) == ("黑体", "楷体_GB2312")
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer and " —" in footer
    assert d.settings.odd_and_even_pages_header_footer
    assert d.core_properties.title == _busy().title
    assert d.core_properties.language == "zh-CN"
    texts = [p.text for p in d.paragraphs]
    assert texts[-1] == "2025年1月20日" or "2025年1月20日" in texts


def test_docx_is_reproducible() -> None:
    doc = _document(_busy())
    assert docx_writer.docx_bytes(doc) == docx_writer.docx_bytes(doc)


def test_hostile_text_prints_literally_in_all_three(tmp_path: Path) -> None:
    report = Report.blank("测试区#[某]局_$", 2024, fill=0)  # the 落款 prints the agency
    report.own_title = "测试区某局2024年报告 #title $ * _"
    report.narrative["一"] = [Paragraph(HOSTILE, heading="（一）<i>#标题</i>")]
    report.narrative["六"] = [Paragraph("]) #pagebreak() \\n {{ x }}")]
    report.section_notes["三"] = "$$ 注 ** <script>alert(1)</script>"
    report.issued = datetime.date(2025, 2, 3)
    doc = _document(report)
    page = html.page(doc)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("i") is None
    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(typst_pdf.typeset(doc))
    docx = tmp_path / "h.docx"
    docx.write_bytes(docx_writer.docx_bytes(doc))
    reads = {"html": _squash(soup.get_text()), "pdf": _pdf_text(pdf), "docx": _docx_text(docx)}
    for text in (HOSTILE, "（一）<i>#标题</i>", "]) #pagebreak() \\n {{ x }}",
                 "$$ 注 ** <script>alert(1)</script>", report.own_title, report.agency,
                 "2025年2月3日"):  # fmt: skip
        for name, got in reads.items():
            assert _squash(text) in got, (name, text)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Title:\s+测试区某局2024年报告 #title \$ \* _", pages)


def test_pdf_is_tagged_chinese_with_title_and_embedded_fonts(written: dict[str, object]) -> None:
    import pdfplumber

    pdf = written["pdf"]
    with pdfplumber.open(str(pdf)) as p:
        catalog = p.doc.catalog
        assert (
            catalog["MarkInfo"].resolve()["Marked"] is True
            if hasattr(catalog["MarkInfo"], "resolve")
            else catalog["MarkInfo"]["Marked"] is True
        )
        assert catalog["Lang"] in (b"zh", b"zh-CN", "zh", "zh-CN")
        assert "StructTreeRoot" in catalog
    _all_fonts_embedded(pdf)  # type: ignore[arg-type]


def _all_fonts_embedded(pdf: Path) -> None:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    assert lines and all(line.split()[-5] == "yes" for line in lines)


@pytest.mark.parametrize(
    ("standard", "part", "conformance"), [("a-2b", "2", "B"), ("a-3b", "3", "B")]
)
def test_pdf_a_metadata_and_output_intent(
    tmp_path: Path, standard: str, part: str, conformance: str
) -> None:
    import pdfplumber

    doc = _document(load_report(SEED))
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(typst_pdf.typeset(doc, standards=typst_pdf.check_standard(standard)))
    with pdfplumber.open(str(pdf)) as p:
        catalog = p.doc.catalog
        xmp = catalog["Metadata"].resolve().get_data().decode("utf-8")
        intents = catalog["OutputIntents"]
        intents = intents.resolve() if hasattr(intents, "resolve") else intents
        assert intents and "OutputConditionIdentifier" in str(
            intents[0].resolve() if hasattr(intents[0], "resolve") else intents[0]
        )
    assert re.search(rf"pdfaid:part(?:>|=\"){part}", xmp)
    assert re.search(rf"pdfaid:conformance(?:>|=\"){conformance}", xmp)
    _all_fonts_embedded(pdf)


def test_pdf_ua(tmp_path: Path) -> None:
    import pdfplumber

    doc = _document(_busy(), review=True)  # charts carry alt text: PDF/UA requires it
    pdf = tmp_path / "ua.pdf"
    pdf.write_bytes(typst_pdf.typeset(doc, standards=("ua-1",)))
    with pdfplumber.open(str(pdf)) as p:
        xmp = p.doc.catalog["Metadata"].resolve().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(?:>|=\")1", xmp)


def test_unknown_pdf_standard_is_refused() -> None:
    from disclosure_lib.errors import RenderError

    with pytest.raises(RenderError, match="不支持的 PDF 标准：a-9z"):
        typst_pdf.check_standard("a-2b,a-9z")
    assert typst_pdf.check_standard("A-2B, ua-1") == ("a-2b", "ua-1")


def test_amounts_and_blanks_print_as_in_the_table() -> None:
    report = Report.blank("测试区某局", 2024, fill=0)
    report.set("proactive", "fees", "fee_amount", Decimal("12.35"))
    report.set("applications", "new", "natural", None)
    doc = _document(report)
    source = typst_pdf.source(doc)[0]
    assert '"12.35"' in source
    cells = [c for b in doc.walk() if isinstance(b, lo.Table) for row in b.rows for c in row]
    assert sum(1 for c in cells if "blank" in c.cls) == 1


def test_control_character_is_an_error_naming_it() -> None:
    from disclosure_lib.errors import RenderError
    from disclosure_lib.rendering.fonts import FontError

    report = Report.blank("测试区某局", 2024, fill=0)
    report.narrative["一"] = [Paragraph("正文\x07响铃")]
    doc = _document(report)
    with pytest.raises(RenderError, match="U\\+0007"):
        docx_writer.docx_bytes(doc)
    with pytest.raises(FontError, match="U\\+0007"):
        typst_pdf.typeset(doc)


def test_signature_stands_right_with_its_date_under_it(written: dict[str, object]) -> None:
    """GB/T 9704: the issuing body and the date at the right, not at the left margin."""
    import pdfplumber

    pdf = written["pdf"]
    assert isinstance(pdf, Path)
    with pdfplumber.open(pdf) as doc:  # in review, the appendix follows the 落款
        pages = [(p.width, p.extract_text_lines()) for p in doc.pages]
    width, lines = next((w, ls) for w, ls in pages if any("2025年1月20日" in x["text"] for x in ls))
    agency = next(x for x in reversed(lines) if x["text"].replace(" ", "") == "示例区教育局")
    date = next(x for x in lines if x["text"].replace(" ", "") == "2025年1月20日")
    assert agency["x0"] > width / 2 and date["x0"] > width / 2
    assert date["top"] > agency["top"]


def test_docx_pictures_keep_their_height(written_summary: dict[str, object]) -> None:
    """A chart's paragraph has single line spacing: the body's exact line height would show
    one line of the picture (as LibreOffice did)."""
    import docx
    from docx.enum.text import WD_LINE_SPACING

    d = docx.Document(str(written_summary["docx"]))
    pictures = [p for p in d.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) == 3
    assert all(p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE for p in pictures)
