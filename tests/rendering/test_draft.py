"""A publish render of a report whose checks find errors is marked 草稿（校验未通过） on every
page, through the one layout (`Document.draft`): the PDF's page header, the HTML banner (fixed
on every printed page), the DOCX section headers (issue 19 item 6). Review renders are not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from bs4 import BeautifulSoup

from disclosure_lib.model import Report
from disclosure_lib.params import load_report
from disclosure_lib.rendering import compose, docx_writer, html, typst_pdf
from disclosure_lib.rendering import layout as lo

from ..base import PARAMS
from ..browser import axe_violations, chromium, have_chromium

MARK = compose.DRAFT_MARK


def _broken() -> Report:
    """示例区教育局 2024 (three pages and more) with 本年新收 总计 off by 5: errors (R1)."""
    report = load_report(PARAMS / "示例区教育局" / "2024.yaml")
    total = report.get("applications", "new", "total") or 0
    report.set("applications", "new", "total", total + 5)
    return report


def _document(report: Report, profile: str = "publish") -> lo.Document:
    part = compose.report_body(report, profile=profile)
    # through JSON, as the exporters read it from the executed notebook
    return lo.document([lo.part_from_json(part._repr_mimebundle_()[lo.MIME])])


@pytest.fixture(scope="module")
def draft() -> lo.Document:
    return _document(_broken())


def test_errors_make_the_document_a_draft_with_its_reason(draft: lo.Document) -> None:
    assert draft.draft == MARK == "草稿（校验未通过）"
    assert draft.draft_reason.startswith("校验发现 ") and "个错误" in draft.draft_reason
    errors = sum(f.is_error for f in compose.run_checks(_broken()))
    assert f"校验发现 {errors} 个错误" in draft.draft_reason


def test_clean_and_review_documents_are_not_drafts() -> None:
    clean = _document(load_report(PARAMS / "示例区教育局" / "2024.yaml"))
    assert clean.draft == "" and clean.draft_reason == ""
    review = _document(_broken(), profile="review")
    assert review.draft == ""  # the review profile prints its findings instead
    assert MARK not in html.page(review)


def test_findings_given_decide_the_mark() -> None:
    broken = _broken()
    warnings_only = [f for f in compose.run_checks(broken) if not f.is_error]
    part = compose.report_body(broken, findings=warnings_only)
    assert part.meta["draft"] == ""
    assert compose.report_body(broken).meta["draft"] == MARK


def test_pdf_has_the_mark_on_every_page(draft: lo.Document) -> None:
    pdf = typst_pdf.typeset(draft)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = [p.extract_text() or "" for p in doc.pages]
        tops = [
            min((w["top"] for w in p.extract_words() if "草稿" in w["text"]), default=None)
            for p in doc.pages
        ]
    assert len(pages) >= 3
    assert all(MARK in text for text in pages), [t[:40] for t in pages]
    # in the page header, above the type area (37 mm top margin = 105 pt)
    assert all(t is not None and t < 105 for t in tops), tops
    for standard in ("a-2b", "ua-1"):  # the header is no flaw for PDF/A or PDF/UA
        assert typst_pdf.typeset(draft, standards=(standard,)).startswith(b"%PDF")
    clean = typst_pdf.typeset(_document(load_report(PARAMS / "示例区教育局" / "2024.yaml")))
    with pdfplumber.open(io.BytesIO(clean)) as doc:
        assert not any("草稿" in (p.extract_text() or "") for p in doc.pages)


def test_html_banner_and_print_rule(draft: lo.Document) -> None:
    page = html.page(draft)
    soup = BeautifulSoup(page, "html.parser")
    banner = soup.select_one("main .draft")
    assert banner is not None and banner.get("role") == "note"
    assert banner.select_one(".mark").get_text() == MARK
    assert draft.draft_reason in banner.get_text()
    # the banner opens the page, before the title
    assert banner.find_next("h1") is not None and banner.find_previous("h1") is None
    # printed: fixed, so the browser repeats it on every page
    css = html.stylesheet()
    print_rules = css[css.index("@media print") :]
    assert ".draft {" in print_rules and "position: fixed" in print_rules
    # what a notebook cell shows carries it too
    assert MARK in compose.report_body(_broken()).html


def test_docx_headers_carry_the_mark(draft: lo.Document) -> None:
    data = docx_writer.docx_bytes(draft)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        headers = [n for n in z.namelist() if n.startswith("word/header")]
        xml = {n: z.read(n).decode("utf-8") for n in headers}
        document = z.read("word/document.xml").decode("utf-8")
    # odd and even pages (the footers alternate sides): both headers hold the mark
    assert len([n for n, x in xml.items() if MARK in x]) >= 2, list(xml)
    assert document.count("w:headerReference") >= 2 and MARK not in document
    clean = docx_writer.docx_bytes(_document(load_report(PARAMS / "示例区教育局" / "2024.yaml")))
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        assert not any(MARK in z.read(n).decode("utf-8") for n in z.namelist() if ".xml" in n)


@pytest.mark.slow
@pytest.mark.skipif(not have_chromium(), reason="needs chromium")
def test_html_printed_in_chromium_has_the_mark_on_every_page(
    draft: lo.Document, tmp_path: Path
) -> None:
    page_file = tmp_path / "draft.html"
    page_file.write_text(html.page(draft), encoding="utf-8")
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        page.goto(page_file.as_uri())
        assert axe_violations(page) == []  # the banner keeps the page at WCAG 2.1 AA
        pdf = page.pdf(format="A4")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        # the watermark is turned: its characters, not a line of text
        marks = ["".join(c["text"] for c in p.chars).count(MARK) for p in doc.pages]
    assert len(marks) >= 3 and all(n == 1 for n in marks), marks
